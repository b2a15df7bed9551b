// '3' CloseComplete: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/close_complete.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<CloseComplete> decode_close_complete(std::string_view body)
{
    if (!body.empty()) {
        return trailing_bytes("CloseComplete", Reader(body));
    }
    return CloseComplete{};
}

void encode(const CloseComplete&, std::string& out) { append_frame(CloseComplete::kTag, {}, out); }

}  // namespace meshgate::wire
