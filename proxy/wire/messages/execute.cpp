// 'E' Execute: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/execute.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<Execute> decode_execute(std::string_view body)
{
    Reader r(body);
    Execute m;
    if (!r.cstring(m.portal)) {
        return protocol_violation("Execute", "the portal name is not NUL-terminated");
    }
    if (!r.i32(m.max_rows)) {
        return protocol_violation("Execute", "the row limit is missing");
    }
    if (!r.at_end()) {
        return trailing_bytes("Execute", r);
    }
    return m;
}

void encode(const Execute& m, std::string& out)
{
    std::string body;
    Writer w(body);
    w.cstring(m.portal);
    w.i32(m.max_rows);
    append_frame(Execute::kTag, body, out);
}

}  // namespace meshgate::wire
