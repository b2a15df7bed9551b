// 'S' Sync: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/sync.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<Sync> decode_sync(std::string_view body)
{
    if (!body.empty()) {
        return trailing_bytes("Sync", Reader(body));
    }
    return Sync{};
}

void encode(const Sync&, std::string& out) { append_frame(Sync::kTag, {}, out); }

}  // namespace meshgate::wire
