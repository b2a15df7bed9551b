// 'S' Sync (frontend), an empty message. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// Sync: ends an extended-query cycle; the server answers ReadyForQuery. Its body is empty.
struct Sync {
    static constexpr char kTag = 'S';
    friend bool operator==(const Sync&, const Sync&) = default;
};

/// Decodes a Sync body; any byte in it is refused with 08P01.
Result<Sync> decode_sync(std::string_view body);

/// Appends the whole tagged frame ('S', length 4).
void encode(const Sync& m, std::string& out);

}  // namespace meshgate::wire
