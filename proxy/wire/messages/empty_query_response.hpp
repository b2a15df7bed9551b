// 'I' EmptyQueryResponse (backend), an empty message. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// EmptyQueryResponse: the query string was empty. Its body is empty.
struct EmptyQueryResponse {
    static constexpr char kTag = 'I';
    friend bool operator==(const EmptyQueryResponse&, const EmptyQueryResponse&) = default;
};

/// Decodes a EmptyQueryResponse body; any byte in it is refused with 08P01.
Result<EmptyQueryResponse> decode_empty_query_response(std::string_view body);

/// Appends the whole tagged frame ('I', length 4).
void encode(const EmptyQueryResponse& m, std::string& out);

}  // namespace meshgate::wire
