// Strict base64 encoder/decoder. Layer: auth (pure, std only).
#include "auth/base64.hpp"

#include "auth/base64_table.hpp"
#include "auth/ok.hpp"

#include <array>
#include <cstdint>

namespace meshgate::auth {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr int kInvalid = detail::kInvalidDigit;
constexpr std::array<int, 256> kDecode = detail::decode_table(kAlphabet);

Error invalid(std::string why)
{
    return make_error("08P01", "invalid base64 data: " + std::move(why));
}

}  // namespace

std::string base64_encode(std::string_view bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                                std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        out.push_back(kAlphabet[(v >> 18) & 0x3f]);
        out.push_back(kAlphabet[(v >> 12) & 0x3f]);
        out.push_back(kAlphabet[(v >> 6) & 0x3f]);
        out.push_back(kAlphabet[v & 0x3f]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        out.push_back(kAlphabet[(v >> 18) & 0x3f]);
        out.push_back(kAlphabet[(v >> 12) & 0x3f]);
        out.append("==");
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
        out.push_back(kAlphabet[(v >> 18) & 0x3f]);
        out.push_back(kAlphabet[(v >> 12) & 0x3f]);
        out.push_back(kAlphabet[(v >> 6) & 0x3f]);
        out.push_back('=');
    }
    return out;
}

Result<std::string> base64_decode(std::string_view text)
{
    if (text.size() % 4 != 0) {
        return invalid("length is not a multiple of 4");
    }
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        int pad = 0;
        if (last && text[i + 3] == '=') {
            pad = text[i + 2] == '=' ? 2 : 1;
        }
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const unsigned char c = static_cast<unsigned char>(text[i + k]);
            if (k >= 4 - static_cast<std::size_t>(pad)) {
                v <<= 6;  // '=' already checked by the pad count above
                continue;
            }
            const int d = kDecode[c];
            if (d == kInvalid) {
                return invalid(c == '=' ? "misplaced padding" : "unexpected character");
            }
            v = (v << 6) | static_cast<std::uint32_t>(d);
        }
        // Non-zero bits under the padding would let two texts decode to the same bytes;
        // refuse them so that comparisons of encoded values stay meaningful.
        if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0)) {
            return invalid("non-zero padding bits");
        }
        out.push_back(static_cast<char>((v >> 16) & 0xff));
        if (pad < 2) {
            out.push_back(static_cast<char>((v >> 8) & 0xff));
        }
        if (pad < 1) {
            out.push_back(static_cast<char>(v & 0xff));
        }
    }
    return ok(std::move(out));
}

}  // namespace meshgate::auth
