// UTF-8 encoding of one code point. Layer: auth (pure, std only).
#pragma once

#include <string>

namespace meshgate::auth {

/// Appends the UTF-8 bytes of `cp` (a Unicode scalar value, at most U+10FFFF) to `out`.
void append_utf8(std::string& out, char32_t cp);

}  // namespace meshgate::auth
