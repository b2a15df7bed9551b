// 'Z' ReadyForQuery (backend): the server is idle and reports the transaction status.
// Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// ReadyForQuery: 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block.
struct ReadyForQuery {
    static constexpr char kTag = 'Z';
    char status = 'I';
    friend bool operator==(const ReadyForQuery&, const ReadyForQuery&) = default;
};

/// Decodes a ReadyForQuery body: exactly one status byte, 'I', 'T' or 'E'.
Result<ReadyForQuery> decode_ready_for_query(std::string_view body);

/// Appends the whole tagged frame.
void encode(const ReadyForQuery& m, std::string& out);

}  // namespace meshgate::wire
