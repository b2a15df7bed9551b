// 'Q' Query (frontend): a simple-protocol query string. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// Query: one or more SQL statements sent with the simple query protocol.
struct Query {
    static constexpr char kTag = 'Q';
    std::string sql;
    friend bool operator==(const Query&, const Query&) = default;
};

/// Decodes a Query body: one NUL-terminated string and nothing after it.
Result<Query> decode_query(std::string_view body);

/// Appends the whole tagged frame.
void encode(const Query& m, std::string& out);

}  // namespace meshgate::wire
