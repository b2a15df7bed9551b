// 'P' Parse: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/parse.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

#include <limits>

namespace meshgate::wire {

Result<Parse> decode_parse(std::string_view body)
{
    Reader r(body);
    Parse m;
    if (!r.cstring(m.name)) {
        return protocol_violation("Parse", "the statement name is not NUL-terminated");
    }
    if (!r.cstring(m.query)) {
        return protocol_violation("Parse", "the query string is not NUL-terminated");
    }
    int16_t count = 0;
    if (!r.i16(count)) {
        return protocol_violation("Parse", "the parameter type count is missing");
    }
    if (!count_fits(r, count, 4)) {
        return protocol_violation(
            "Parse", "parameter type count " + std::to_string(count) + " does not match the " +
                         std::to_string(r.remaining()) + " bytes that follow");
    }
    m.param_types.resize(static_cast<std::size_t>(count));
    for (auto& oid : m.param_types) {
        r.u32(oid);  // cannot fail: count_fits checked the bytes
    }
    if (!r.at_end()) {
        return trailing_bytes("Parse", r);
    }
    return m;
}

void encode(const Parse& m, std::string& out)
{
    MESHGATE_ASSERT(m.param_types.size() <= std::numeric_limits<int16_t>::max());
    std::string body;
    Writer w(body);
    w.cstring(m.name);
    w.cstring(m.query);
    w.i16(static_cast<int16_t>(m.param_types.size()));
    for (const uint32_t oid : m.param_types) {
        w.u32(oid);
    }
    append_frame(Parse::kTag, body, out);
}

}  // namespace meshgate::wire
