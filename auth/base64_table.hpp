// The decode table shared by the base64 and base64url codecs. Layer: auth (pure, std only).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace meshgate::auth::detail {

inline constexpr int kInvalidDigit = -1;

/// Byte -> its 6-bit value in `alphabet` (64 characters), or kInvalidDigit.
constexpr std::array<int, 256> decode_table(std::string_view alphabet)
{
    std::array<int, 256> table{};
    for (auto& v : table) {
        v = kInvalidDigit;
    }
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    }
    return table;
}

}  // namespace meshgate::auth::detail
