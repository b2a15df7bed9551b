// 'E' ErrorResponse and 'N' NoticeResponse (backend): the same list of (code, value) fields.
// Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshgate::wire {

/// ErrorResponse: fields in wire order, keyed by their one-byte code ('S' severity, 'V'
/// non-localized severity, 'C' SQLSTATE, 'M' message, 'D' detail, 'H' hint, 'P' position, ...).
/// Unknown codes are kept as they are: servers may add new ones.
struct ErrorResponse {
    static constexpr char kTag = 'E';
    std::vector<std::pair<char, std::string>> fields;

    /// The value of the first field with `code`, or empty.
    std::string get(char code) const;

    /// An ErrorResponse for `e`: S and V = `severity`, C = e.sqlstate ("XX000" when empty),
    /// M = e.message, and D, H, P when e.detail, e.hint, e.position are set.
    static ErrorResponse from(const meshgate::Error& e, std::string_view severity = "ERROR");

    friend bool operator==(const ErrorResponse&, const ErrorResponse&) = default;
};

/// NoticeResponse: a warning or notice, same fields as ErrorResponse.
struct NoticeResponse {
    static constexpr char kTag = 'N';
    std::vector<std::pair<char, std::string>> fields;

    /// The value of the first field with `code`, or empty.
    std::string get(char code) const;

    friend bool operator==(const NoticeResponse&, const NoticeResponse&) = default;
};

/// Decode an 'E' / 'N' body: (code byte, NUL-terminated value) pairs ended by a zero byte.
/// Refuse a value without its NUL, a list without the final zero, and trailing bytes.
Result<ErrorResponse> decode_error_response(std::string_view body);
Result<NoticeResponse> decode_notice_response(std::string_view body);

/// Append the whole tagged frame. Field codes must not be zero (that byte ends the list).
void encode(const ErrorResponse& m, std::string& out);
void encode(const NoticeResponse& m, std::string& out);

}  // namespace meshgate::wire
