// SHA-256 (OpenSSL, via auth/digest) and HMAC pads. Layer: policy (pure).
#include "policy/sha256.hpp"

#include "auth/digest.hpp"

#include <cstring>

namespace meshgate::policy {

Sha256Digest sha256(std::string_view data)
{
    // OpenSSL does the hashing (through auth/digest); we never carry our own crypto primitive.
    const std::string d = auth::sha256(data);
    Sha256Digest out{};
    std::memcpy(out.data(), d.data(), out.size());
    return out;
}

std::string to_hex(const uint8_t* data, size_t n)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (size_t i = 0; i < n; ++i) {
        out += kDigits[data[i] >> 4];
        out += kDigits[data[i] & 0xf];
    }
    return out;
}

HmacPads hmac_sha256_pads(std::string_view key)
{
    uint8_t k[64] = {};
    if (key.size() > 64) {
        const auto d = sha256(key);
        std::memcpy(k, d.data(), d.size());
    } else {
        std::memcpy(k, key.data(), key.size());
    }
    uint8_t ipad[64];
    uint8_t opad[64];
    for (int i = 0; i < 64; ++i) {
        ipad[i] = k[i] ^ 0x36;
        opad[i] = k[i] ^ 0x5c;
    }
    return {to_hex(ipad, 64), to_hex(opad, 64)};
}

}  // namespace meshgate::policy
