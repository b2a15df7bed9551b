// JSON string escaping with UTF-8 validation. Layer: policy (pure).
#include "policy/audit/json_text.hpp"

#include <cstdint>

namespace meshgate::audit {

namespace {

bool continuation(std::string_view text, std::size_t i)
{
    return i < text.size() && (uint8_t(text[i]) & 0xC0) == 0x80;
}

bool in_range(std::string_view text, std::size_t i, uint8_t lo, uint8_t hi)
{
    return i < text.size() && uint8_t(text[i]) >= lo && uint8_t(text[i]) <= hi;
}

void append_u_escape(std::string& out, unsigned code)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\\u";
    out += kHex[(code >> 12) & 0xF];
    out += kHex[(code >> 8) & 0xF];
    out += kHex[(code >> 4) & 0xF];
    out += kHex[code & 0xF];
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t i)
{
    if (i >= text.size()) {
        return 0;
    }
    const uint8_t b = uint8_t(text[i]);
    if (b < 0x80) {
        return 1;
    }
    // RFC 3629 table 3-7: the second byte's range depends on the first, which rules out overlong
    // forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points > U+10FFFF.
    if (b >= 0xC2 && b <= 0xDF) {
        return continuation(text, i + 1) ? 2 : 0;
    }
    if (b >= 0xE0 && b <= 0xEF) {
        const uint8_t lo = b == 0xE0 ? 0xA0 : 0x80;
        const uint8_t hi = b == 0xED ? 0x9F : 0xBF;
        return in_range(text, i + 1, lo, hi) && continuation(text, i + 2) ? 3 : 0;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        const uint8_t lo = b == 0xF0 ? 0x90 : 0x80;
        const uint8_t hi = b == 0xF4 ? 0x8F : 0xBF;
        return in_range(text, i + 1, lo, hi) && continuation(text, i + 2) &&
                       continuation(text, i + 3)
                   ? 4
                   : 0;
    }
    return 0;
}

std::size_t append_json_string(std::string& out, std::string_view text, std::size_t max_bytes)
{
    out += '"';
    std::size_t i = 0;
    while (i < text.size()) {
        const uint8_t b = uint8_t(text[i]);
        const std::size_t len = utf8_sequence_length(text, i);
        // A replaced byte consumes one input byte; never split a valid sequence at the cut.
        const std::size_t consumed = len == 0 ? 1 : len;
        if (i + consumed > max_bytes) {
            break;
        }
        if (len == 0) {
            out += kReplacementCharacter;
        } else if (len == 1) {
            switch (b) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                default:
                    if (b < 0x20 || b == 0x7F) {
                        append_u_escape(out, b);
                    } else {
                        out += char(b);
                    }
            }
        } else if (len == 3 && b == 0xE2 && uint8_t(text[i + 1]) == 0x80 &&
                   (uint8_t(text[i + 2]) == 0xA8 || uint8_t(text[i + 2]) == 0xA9)) {
            // U+2028 / U+2029 are valid JSON but end a line for JavaScript-based log viewers.
            append_u_escape(out, uint8_t(text[i + 2]) == 0xA8 ? 0x2028 : 0x2029);
        } else {
            out.append(text.substr(i, len));
        }
        i += consumed;
    }
    const std::size_t cut = text.size() - i;
    if (cut > 0) {
        out += " [truncated: ";
        out += std::to_string(cut);
        out += " more bytes]";
    }
    out += '"';
    return cut;
}

std::string json_string(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    append_json_string(out, text);
    return out;
}

}  // namespace meshgate::audit
