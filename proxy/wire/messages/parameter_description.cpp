// 't' ParameterDescription: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/parameter_description.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

#include <limits>

namespace meshgate::wire {

Result<ParameterDescription> decode_parameter_description(std::string_view body)
{
    Reader r(body);
    ParameterDescription m;
    int16_t count = 0;
    if (!r.i16(count)) {
        return protocol_violation("ParameterDescription", "the parameter count is missing");
    }
    if (!count_fits(r, count, 4)) {
        return protocol_violation("ParameterDescription",
                                  "parameter count " + std::to_string(count) +
                                      " does not match the " + std::to_string(r.remaining()) +
                                      " bytes that follow");
    }
    m.types.resize(static_cast<std::size_t>(count));
    for (auto& oid : m.types) {
        r.u32(oid);  // cannot fail: count_fits checked the bytes
    }
    if (!r.at_end()) {
        return trailing_bytes("ParameterDescription", r);
    }
    return m;
}

void encode(const ParameterDescription& m, std::string& out)
{
    MESHGATE_ASSERT(m.types.size() <= std::size_t(std::numeric_limits<int16_t>::max()));
    std::string body;
    Writer w(body);
    w.i16(static_cast<int16_t>(m.types.size()));
    for (const uint32_t oid : m.types) {
        w.u32(oid);
    }
    append_frame(ParameterDescription::kTag, body, out);
}

}  // namespace meshgate::wire
