// 'n' NoData (backend), an empty message. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// NoData: the described statement or portal returns no rows. Its body is empty.
struct NoData {
    static constexpr char kTag = 'n';
    friend bool operator==(const NoData&, const NoData&) = default;
};

/// Decodes a NoData body; any byte in it is refused with 08P01.
Result<NoData> decode_no_data(std::string_view body);

/// Appends the whole tagged frame ('n', length 4).
void encode(const NoData& m, std::string& out);

}  // namespace meshgate::wire
