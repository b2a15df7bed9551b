// SHA-256, HMAC-SHA-256, PBKDF2-HMAC-SHA-256 and MD5 over OpenSSL EVP, as byte strings.
// Layer: auth.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace meshgate::auth {

/// Length in bytes of a SHA-256 digest, of SCRAM keys, proofs and signatures.
inline constexpr std::size_t kSha256Length = 32;

/// SHA-256 of `data` (32 raw bytes).
std::string sha256(std::string_view data);

/// HMAC-SHA-256 of `data` under `key` (32 raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

/// PBKDF2 with HMAC-SHA-256, one output block (32 raw bytes): SCRAM's Hi(). `iterations` must
/// be at least 1 (checked by the caller: a programmer invariant here).
std::string pbkdf2_hmac_sha256(std::string_view password, std::string_view salt, int iterations);

/// MD5 of `data` (16 raw bytes). Only for PostgreSQL's legacy md5 password exchange.
std::string md5(std::string_view data);

/// Lower-case hex of `bytes`.
std::string to_hex(std::string_view bytes);

/// Byte-wise XOR of two strings of equal length (asserted).
std::string xor_bytes(std::string_view a, std::string_view b);

}  // namespace meshgate::auth
