// 'S' ParameterStatus: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/parameter_status.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<ParameterStatus> decode_parameter_status(std::string_view body)
{
    Reader r(body);
    ParameterStatus m;
    if (!r.cstring(m.name)) {
        return protocol_violation("ParameterStatus", "the name is not NUL-terminated");
    }
    if (!r.cstring(m.value)) {
        return protocol_violation("ParameterStatus", "the value is not NUL-terminated");
    }
    if (!r.at_end()) {
        return trailing_bytes("ParameterStatus", r);
    }
    return m;
}

void encode(const ParameterStatus& m, std::string& out)
{
    std::string body;
    Writer w(body);
    w.cstring(m.name);
    w.cstring(m.value);
    append_frame(ParameterStatus::kTag, body, out);
}

}  // namespace meshgate::wire
