// 'c' CopyDone (frontend and backend), an empty message. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// CopyDone: the end of a COPY data stream. Its body is empty.
struct CopyDone {
    static constexpr char kTag = 'c';
    friend bool operator==(const CopyDone&, const CopyDone&) = default;
};

/// Decodes a CopyDone body; any byte in it is refused with 08P01.
Result<CopyDone> decode_copy_done(std::string_view body);

/// Appends the whole tagged frame ('c', length 4).
void encode(const CopyDone& m, std::string& out);

}  // namespace meshgate::wire
