// Strict RFC 4648 base64 (standard alphabet, '=' padding), as SCRAM and PostgreSQL verifiers
// use it. Layer: auth (pure, std only).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::auth {

/// Encodes `bytes` with the standard alphabet and '=' padding. Never fails.
std::string base64_encode(std::string_view bytes);

/// Decodes strict base64: standard alphabet only, length a multiple of 4, padding only at the
/// end, and unused bits of the last symbol zero (so every byte string has exactly one accepted
/// encoding). Whitespace, URL-safe symbols, missing padding and NUL bytes are refused with
/// SQLSTATE 08P01 ("invalid base64 ..."): the input usually comes from a peer. Empty input
/// decodes to an empty string.
Result<std::string> base64_decode(std::string_view text);

}  // namespace meshgate::auth
