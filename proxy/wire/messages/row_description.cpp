// 'T' RowDescription: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/row_description.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

#include <limits>

namespace meshgate::wire {
namespace {

// Smallest field on the wire: an empty name (1 NUL byte) + 4 + 2 + 4 + 2 + 4 + 2.
constexpr std::size_t kMinFieldSize = 19;

}  // namespace

Result<RowDescription> decode_row_description(std::string_view body)
{
    Reader r(body);
    RowDescription m;
    int16_t count = 0;
    if (!r.i16(count)) {
        return protocol_violation("RowDescription", "the field count is missing");
    }
    if (!count_fits(r, count, kMinFieldSize)) {
        return protocol_violation("RowDescription",
                                  "field count " + std::to_string(count) + " does not match the " +
                                      std::to_string(r.remaining()) + " bytes that follow");
    }
    m.fields.resize(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < m.fields.size(); ++i) {
        auto& f = m.fields[i];
        if (!r.cstring(f.name) || !r.u32(f.table_oid) || !r.i16(f.column_attr) ||
            !r.u32(f.type_oid) || !r.i16(f.type_size) || !r.i32(f.type_modifier) ||
            !r.i16(f.format)) {
            return protocol_violation("RowDescription",
                                      "field " + std::to_string(i + 1) + " is truncated");
        }
        if (f.format != 0 && f.format != 1) {
            return protocol_violation("RowDescription", "field " + std::to_string(i + 1) +
                                                            " has unknown format " +
                                                            std::to_string(f.format));
        }
    }
    if (!r.at_end()) {
        return trailing_bytes("RowDescription", r);
    }
    return m;
}

void encode(const RowDescription& m, std::string& out)
{
    MESHGATE_ASSERT(m.fields.size() <= std::size_t(std::numeric_limits<int16_t>::max()));
    std::string body;
    Writer w(body);
    w.i16(static_cast<int16_t>(m.fields.size()));
    for (const auto& f : m.fields) {
        w.cstring(f.name);
        w.u32(f.table_oid);
        w.i16(f.column_attr);
        w.u32(f.type_oid);
        w.i16(f.type_size);
        w.i32(f.type_modifier);
        w.i16(f.format);
    }
    append_frame(RowDescription::kTag, body, out);
}

}  // namespace meshgate::wire
