// 'c' CopyDone: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/copy_done.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<CopyDone> decode_copy_done(std::string_view body)
{
    if (!body.empty()) {
        return trailing_bytes("CopyDone", Reader(body));
    }
    return CopyDone{};
}

void encode(const CopyDone&, std::string& out) { append_frame(CopyDone::kTag, {}, out); }

}  // namespace meshgate::wire
