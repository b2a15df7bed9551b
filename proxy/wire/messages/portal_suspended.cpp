// 's' PortalSuspended: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/portal_suspended.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<PortalSuspended> decode_portal_suspended(std::string_view body)
{
    if (!body.empty()) {
        return trailing_bytes("PortalSuspended", Reader(body));
    }
    return PortalSuspended{};
}

void encode(const PortalSuspended&, std::string& out)
{
    append_frame(PortalSuspended::kTag, {}, out);
}

}  // namespace meshgate::wire
