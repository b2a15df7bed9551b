// '3' CloseComplete (backend), an empty message. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// CloseComplete: the Close succeeded. Its body is empty.
struct CloseComplete {
    static constexpr char kTag = '3';
    friend bool operator==(const CloseComplete&, const CloseComplete&) = default;
};

/// Decodes a CloseComplete body; any byte in it is refused with 08P01.
Result<CloseComplete> decode_close_complete(std::string_view body);

/// Appends the whole tagged frame ('3', length 4).
void encode(const CloseComplete& m, std::string& out);

}  // namespace meshgate::wire
