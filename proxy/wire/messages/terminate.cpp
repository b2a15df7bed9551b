// 'X' Terminate: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/terminate.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<Terminate> decode_terminate(std::string_view body)
{
    if (!body.empty()) {
        return trailing_bytes("Terminate", Reader(body));
    }
    return Terminate{};
}

void encode(const Terminate&, std::string& out) { append_frame(Terminate::kTag, {}, out); }

}  // namespace meshgate::wire
