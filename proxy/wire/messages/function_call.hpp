// 'F' FunctionCall (frontend): the legacy fast-path function call. meshgate decodes only the
// function OID, to name it when refusing the call. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace meshgate::wire {

/// FunctionCall: the OID of the function to call. Arguments are not decoded: the fast path
/// bypasses SQL, so the proxy refuses every FunctionCall without looking at them.
struct FunctionCall {
    static constexpr char kTag = 'F';
    int32_t function_oid = 0;
    friend bool operator==(const FunctionCall&, const FunctionCall&) = default;
};

/// Decodes the function OID of a FunctionCall body; the bytes after it (argument formats,
/// arguments, result format) are ignored, not validated. Refuses a body shorter than 4 bytes.
Result<FunctionCall> decode_function_call(std::string_view body);

/// Appends the whole tagged frame: the OID with no arguments and a text result.
void encode(const FunctionCall& m, std::string& out);

}  // namespace meshgate::wire
