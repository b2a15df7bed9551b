// 'f' CopyFail (frontend): the client aborts a COPY FROM STDIN. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// CopyFail: the reason the client gives for aborting the copy.
struct CopyFail {
    static constexpr char kTag = 'f';
    std::string message;
    friend bool operator==(const CopyFail&, const CopyFail&) = default;
};

/// Decodes a CopyFail body: one NUL-terminated string and nothing after it.
Result<CopyFail> decode_copy_fail(std::string_view body);

/// Appends the whole tagged frame.
void encode(const CopyFail& m, std::string& out);

}  // namespace meshgate::wire
