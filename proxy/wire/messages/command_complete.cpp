// 'C' CommandComplete: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/command_complete.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<CommandComplete> decode_command_complete(std::string_view body)
{
    Reader r(body);
    CommandComplete m;
    if (!r.cstring(m.tag)) {
        return protocol_violation("CommandComplete", "the command tag is not NUL-terminated");
    }
    if (!r.at_end()) {
        return trailing_bytes("CommandComplete", r);
    }
    return m;
}

void encode(const CommandComplete& m, std::string& out)
{
    std::string body;
    Writer(body).cstring(m.tag);
    append_frame(CommandComplete::kTag, body, out);
}

}  // namespace meshgate::wire
