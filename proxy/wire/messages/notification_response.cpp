// 'A' NotificationResponse: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/notification_response.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<NotificationResponse> decode_notification_response(std::string_view body)
{
    Reader r(body);
    NotificationResponse m;
    if (!r.i32(m.process_id)) {
        return protocol_violation("NotificationResponse", "the process id is missing");
    }
    if (!r.cstring(m.channel)) {
        return protocol_violation("NotificationResponse", "the channel is not NUL-terminated");
    }
    if (!r.cstring(m.payload)) {
        return protocol_violation("NotificationResponse", "the payload is not NUL-terminated");
    }
    if (!r.at_end()) {
        return trailing_bytes("NotificationResponse", r);
    }
    return m;
}

void encode(const NotificationResponse& m, std::string& out)
{
    std::string body;
    Writer w(body);
    w.i32(m.process_id);
    w.cstring(m.channel);
    w.cstring(m.payload);
    append_frame(NotificationResponse::kTag, body, out);
}

}  // namespace meshgate::wire
