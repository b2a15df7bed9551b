// 'H' Flush (frontend), an empty message. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// Flush: asks the server to send what it has buffered. Its body is empty.
struct Flush {
    static constexpr char kTag = 'H';
    friend bool operator==(const Flush&, const Flush&) = default;
};

/// Decodes a Flush body; any byte in it is refused with 08P01.
Result<Flush> decode_flush(std::string_view body);

/// Appends the whole tagged frame ('H', length 4).
void encode(const Flush& m, std::string& out);

}  // namespace meshgate::wire
