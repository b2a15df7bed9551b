// 'G' CopyInResponse, 'H' CopyOutResponse, 'W' CopyBothResponse (backend): the server starts a
// COPY stream. The three share one layout. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::wire {

/// CopyInResponse: the server expects CopyData from the client. `format` 0 text, 1 binary;
/// one format code (0/1) per column.
struct CopyInResponse {
    static constexpr char kTag = 'G';
    int8_t format = 0;
    std::vector<int16_t> column_formats;
    friend bool operator==(const CopyInResponse&, const CopyInResponse&) = default;
};

/// CopyOutResponse: the server will send CopyData. Same fields as CopyInResponse.
struct CopyOutResponse {
    static constexpr char kTag = 'H';
    int8_t format = 0;
    std::vector<int16_t> column_formats;
    friend bool operator==(const CopyOutResponse&, const CopyOutResponse&) = default;
};

/// CopyBothResponse: streaming replication copy in both directions. Same fields.
struct CopyBothResponse {
    static constexpr char kTag = 'W';
    int8_t format = 0;
    std::vector<int16_t> column_formats;
    friend bool operator==(const CopyBothResponse&, const CopyBothResponse&) = default;
};

/// Decode a 'G' / 'H' / 'W' body. Refuse an overall format or column format other than 0/1, a
/// negative column count or one larger than the bytes that follow, and trailing bytes.
Result<CopyInResponse> decode_copy_in_response(std::string_view body);
Result<CopyOutResponse> decode_copy_out_response(std::string_view body);
Result<CopyBothResponse> decode_copy_both_response(std::string_view body);

/// Append the whole tagged frame. At most 32767 columns (int16 count).
void encode(const CopyInResponse& m, std::string& out);
void encode(const CopyOutResponse& m, std::string& out);
void encode(const CopyBothResponse& m, std::string& out);

}  // namespace meshgate::wire
