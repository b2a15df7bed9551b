// '2' BindComplete (backend), an empty message. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// BindComplete: the Bind succeeded. Its body is empty.
struct BindComplete {
    static constexpr char kTag = '2';
    friend bool operator==(const BindComplete&, const BindComplete&) = default;
};

/// Decodes a BindComplete body; any byte in it is refused with 08P01.
Result<BindComplete> decode_bind_complete(std::string_view body);

/// Appends the whole tagged frame ('2', length 4).
void encode(const BindComplete& m, std::string& out);

}  // namespace meshgate::wire
