// SHA-256 and the HMAC key pads built from it, so the keyed-hash mask can be compiled into SQL
// with PostgreSQL built-ins only.
// Layer: policy (pure).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace meshgate::policy {

using Sha256Digest = std::array<uint8_t, 32>;

/// SHA-256 of `data`.
Sha256Digest sha256(std::string_view data);

/// The two 64-byte HMAC-SHA-256 pads of `key` (keys longer than 64 bytes are hashed first, as
/// RFC 2104 says): ipad = K ^ 0x36.., opad = K ^ 0x5c.., as lower-case hex (128 characters).
struct HmacPads {
    std::string ipad_hex;
    std::string opad_hex;
};
HmacPads hmac_sha256_pads(std::string_view key);

/// Lower-case hex of bytes.
std::string to_hex(const uint8_t* data, size_t n);

}  // namespace meshgate::policy
