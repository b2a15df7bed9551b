// 'd' CopyData (frontend and backend): a chunk of a COPY data stream. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// CopyData: opaque bytes of the COPY stream (any content, may be empty).
struct CopyData {
    static constexpr char kTag = 'd';
    std::string data;
    friend bool operator==(const CopyData&, const CopyData&) = default;
};

/// Decodes a CopyData body: the whole body is the data, so this never fails.
Result<CopyData> decode_copy_data(std::string_view body);

/// Appends the whole tagged frame.
void encode(const CopyData& m, std::string& out);

}  // namespace meshgate::wire
