// '2' BindComplete: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/bind_complete.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<BindComplete> decode_bind_complete(std::string_view body)
{
    if (!body.empty()) {
        return trailing_bytes("BindComplete", Reader(body));
    }
    return BindComplete{};
}

void encode(const BindComplete&, std::string& out) { append_frame(BindComplete::kTag, {}, out); }

}  // namespace meshgate::wire
