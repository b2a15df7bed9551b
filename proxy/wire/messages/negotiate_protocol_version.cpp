// 'v' NegotiateProtocolVersion: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/negotiate_protocol_version.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

#include <limits>

namespace meshgate::wire {

Result<NegotiateProtocolVersion> decode_negotiate_protocol_version(std::string_view body)
{
    Reader r(body);
    NegotiateProtocolVersion m;
    int32_t count = 0;
    if (!r.i32(m.newest_minor) || !r.i32(count)) {
        return protocol_violation("NegotiateProtocolVersion",
                                  "the version or option count is missing");
    }
    // Each name needs at least its NUL terminator.
    if (!count_fits(r, count, 1)) {
        return protocol_violation("NegotiateProtocolVersion",
                                  "option count " + std::to_string(count) + " does not match the " +
                                      std::to_string(r.remaining()) + " bytes that follow");
    }
    m.unrecognized.resize(static_cast<std::size_t>(count));
    for (auto& name : m.unrecognized) {
        if (!r.cstring(name)) {
            return protocol_violation("NegotiateProtocolVersion",
                                      "an option name is not NUL-terminated");
        }
    }
    if (!r.at_end()) {
        return trailing_bytes("NegotiateProtocolVersion", r);
    }
    return m;
}

void encode(const NegotiateProtocolVersion& m, std::string& out)
{
    MESHGATE_ASSERT(m.unrecognized.size() <= std::size_t(std::numeric_limits<int32_t>::max()));
    std::string body;
    Writer w(body);
    w.i32(m.newest_minor);
    w.i32(static_cast<int32_t>(m.unrecognized.size()));
    for (const auto& name : m.unrecognized) {
        w.cstring(name);
    }
    append_frame(NegotiateProtocolVersion::kTag, body, out);
}

}  // namespace meshgate::wire
