// 'v' NegotiateProtocolVersion (backend): the server supports an older minor version or not all
// requested protocol options. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::wire {

/// NegotiateProtocolVersion: the newest minor version the server supports (for major 3) and the
/// protocol options ("_pq_.*" startup parameters) it did not recognize.
struct NegotiateProtocolVersion {
    static constexpr char kTag = 'v';
    int32_t newest_minor = 0;
    std::vector<std::string> unrecognized;
    friend bool operator==(const NegotiateProtocolVersion&,
                           const NegotiateProtocolVersion&) = default;
};

/// Decodes a 'v' body. Refuses a negative option count or one larger than the bytes that
/// follow, an option name without its NUL, and trailing bytes.
Result<NegotiateProtocolVersion> decode_negotiate_protocol_version(std::string_view body);

/// Appends the whole tagged frame.
void encode(const NegotiateProtocolVersion& m, std::string& out);

}  // namespace meshgate::wire
