// '1' ParseComplete (backend), an empty message. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// ParseComplete: the Parse succeeded. Its body is empty.
struct ParseComplete {
    static constexpr char kTag = '1';
    friend bool operator==(const ParseComplete&, const ParseComplete&) = default;
};

/// Decodes a ParseComplete body; any byte in it is refused with 08P01.
Result<ParseComplete> decode_parse_complete(std::string_view body);

/// Appends the whole tagged frame ('1', length 4).
void encode(const ParseComplete& m, std::string& out);

}  // namespace meshgate::wire
