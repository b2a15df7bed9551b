// Strict unpadded base64url encoder/decoder. Layer: auth (pure, std only).
#include "auth/base64url.hpp"

#include "auth/base64_table.hpp"
#include "auth/ok.hpp"

#include <array>
#include <cstdint>

namespace meshgate::auth {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr int kInvalid = detail::kInvalidDigit;
constexpr std::array<int, 256> kDecode = detail::decode_table(kAlphabet);

Error invalid(std::string why)
{
    return make_error("22P02", "invalid base64url data: " + std::move(why));
}

}  // namespace

std::string base64url_encode(std::string_view bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char ch : bytes) {
        acc = (acc << 8) | static_cast<unsigned char>(ch);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
        }
    }
    if (bits > 0) {
        out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
    }
    return out;
}

Result<std::string> base64url_decode(std::string_view text)
{
    if (text.size() % 4 == 1) {
        return invalid("impossible length");
    }
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char ch : text) {
        const int d = kDecode[static_cast<unsigned char>(ch)];
        if (d == kInvalid) {
            return invalid(ch == '=' ? "padding is not allowed" : "unexpected character");
        }
        acc = ((acc << 6) | static_cast<std::uint32_t>(d)) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    // Leftover bits must be zero, or two different texts would decode to the same bytes.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
        return invalid("non-zero trailing bits");
    }
    return ok(std::move(out));
}

}  // namespace meshgate::auth
