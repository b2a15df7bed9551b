// 'H' Flush: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/flush.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<Flush> decode_flush(std::string_view body)
{
    if (!body.empty()) {
        return trailing_bytes("Flush", Reader(body));
    }
    return Flush{};
}

void encode(const Flush&, std::string& out) { append_frame(Flush::kTag, {}, out); }

}  // namespace meshgate::wire
