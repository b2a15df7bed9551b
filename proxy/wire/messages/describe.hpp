// 'D' Describe (frontend): asks for the description of a statement or portal.
// Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// Describe: `kind` 'S' (prepared statement) or 'P' (portal), and its name ("" = unnamed).
struct Describe {
    static constexpr char kTag = 'D';
    char kind = 'S';
    std::string name;
    friend bool operator==(const Describe&, const Describe&) = default;
};

/// Decodes a Describe body. Refuses a kind other than 'S'/'P', a missing NUL and trailing bytes.
Result<Describe> decode_describe(std::string_view body);

/// Appends the whole tagged frame.
void encode(const Describe& m, std::string& out);

}  // namespace meshgate::wire
