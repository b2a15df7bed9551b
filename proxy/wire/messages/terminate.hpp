// 'X' Terminate (frontend), an empty message. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// Terminate: the client closes the session. Its body is empty.
struct Terminate {
    static constexpr char kTag = 'X';
    friend bool operator==(const Terminate&, const Terminate&) = default;
};

/// Decodes a Terminate body; any byte in it is refused with 08P01.
Result<Terminate> decode_terminate(std::string_view body);

/// Appends the whole tagged frame ('X', length 4).
void encode(const Terminate& m, std::string& out);

}  // namespace meshgate::wire
