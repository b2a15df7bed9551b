// 'C' Close: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/close.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<Close> decode_close(std::string_view body)
{
    Reader r(body);
    Close m;
    uint8_t kind = 0;
    if (!r.u8(kind)) {
        return protocol_violation("Close", "the kind byte is missing");
    }
    if (kind != 'S' && kind != 'P') {
        return protocol_violation("Close",
                                  "kind must be 'S' or 'P', got byte " + std::to_string(kind));
    }
    m.kind = static_cast<char>(kind);
    if (!r.cstring(m.name)) {
        return protocol_violation("Close", "the name is not NUL-terminated");
    }
    if (!r.at_end()) {
        return trailing_bytes("Close", r);
    }
    return m;
}

void encode(const Close& m, std::string& out)
{
    std::string body;
    Writer w(body);
    w.u8(static_cast<uint8_t>(m.kind));
    w.cstring(m.name);
    append_frame(Close::kTag, body, out);
}

}  // namespace meshgate::wire
