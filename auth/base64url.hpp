// Strict unpadded base64url (RFC 4648 §5, RFC 7515 §2), as JOSE uses it. Layer: auth (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::auth {

/// Encodes `bytes` with the URL-safe alphabet and no padding. Never fails.
std::string base64url_encode(std::string_view bytes);

/// Decodes unpadded base64url: only `A-Z a-z 0-9 - _`, no '=' (JOSE forbids padding), a length
/// that is not 1 modulo 4, and zero unused bits in the last symbol (one text per byte string).
/// Anything else is SQLSTATE 22P02. Empty input decodes to an empty string.
Result<std::string> base64url_decode(std::string_view text);

}  // namespace meshgate::auth
