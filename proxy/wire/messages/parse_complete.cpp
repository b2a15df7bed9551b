// '1' ParseComplete: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/parse_complete.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<ParseComplete> decode_parse_complete(std::string_view body)
{
    if (!body.empty()) {
        return trailing_bytes("ParseComplete", Reader(body));
    }
    return ParseComplete{};
}

void encode(const ParseComplete&, std::string& out) { append_frame(ParseComplete::kTag, {}, out); }

}  // namespace meshgate::wire
