// 'C' Close (frontend): closes a prepared statement or portal. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// Close: `kind` 'S' (prepared statement) or 'P' (portal), and its name ("" = unnamed).
struct Close {
    static constexpr char kTag = 'C';
    char kind = 'S';
    std::string name;
    friend bool operator==(const Close&, const Close&) = default;
};

/// Decodes a Close body. Refuses a kind other than 'S'/'P', a missing NUL and trailing bytes.
Result<Close> decode_close(std::string_view body);

/// Appends the whole tagged frame.
void encode(const Close& m, std::string& out);

}  // namespace meshgate::wire
