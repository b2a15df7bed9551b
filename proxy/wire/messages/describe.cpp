// 'D' Describe: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/describe.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<Describe> decode_describe(std::string_view body)
{
    Reader r(body);
    Describe m;
    uint8_t kind = 0;
    if (!r.u8(kind)) {
        return protocol_violation("Describe", "the kind byte is missing");
    }
    if (kind != 'S' && kind != 'P') {
        return protocol_violation("Describe",
                                  "kind must be 'S' or 'P', got byte " + std::to_string(kind));
    }
    m.kind = static_cast<char>(kind);
    if (!r.cstring(m.name)) {
        return protocol_violation("Describe", "the name is not NUL-terminated");
    }
    if (!r.at_end()) {
        return trailing_bytes("Describe", r);
    }
    return m;
}

void encode(const Describe& m, std::string& out)
{
    std::string body;
    Writer w(body);
    w.u8(static_cast<uint8_t>(m.kind));
    w.cstring(m.name);
    append_frame(Describe::kTag, body, out);
}

}  // namespace meshgate::wire
