// 'D' DataRow: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/data_row.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

#include <limits>

namespace meshgate::wire {

Result<DataRow> decode_data_row(std::string_view body)
{
    Reader r(body);
    DataRow m;
    int16_t count = 0;
    if (!r.i16(count)) {
        return protocol_violation("DataRow", "the column count is missing");
    }
    // Each value needs at least its int32 length.
    if (!count_fits(r, count, 4)) {
        return protocol_violation("DataRow",
                                  "column count " + std::to_string(count) + " does not match the " +
                                      std::to_string(r.remaining()) + " bytes that follow");
    }
    m.values.resize(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < m.values.size(); ++i) {
        int32_t len = 0;
        if (!r.i32(len)) {
            return protocol_violation("DataRow",
                                      "column " + std::to_string(i + 1) + " has no length");
        }
        if (len == -1) {
            continue;  // SQL NULL
        }
        std::string value;
        if (len < 0 || !r.bytes(static_cast<std::size_t>(len), value)) {
            return protocol_violation("DataRow", "column " + std::to_string(i + 1) +
                                                     " has invalid length " + std::to_string(len));
        }
        m.values[i] = std::move(value);
    }
    if (!r.at_end()) {
        return trailing_bytes("DataRow", r);
    }
    return m;
}

void encode(const DataRow& m, std::string& out)
{
    MESHGATE_ASSERT(m.values.size() <= std::size_t(std::numeric_limits<int16_t>::max()));
    std::string body;
    Writer w(body);
    w.i16(static_cast<int16_t>(m.values.size()));
    for (const auto& v : m.values) {
        if (!v) {
            w.i32(-1);
            continue;
        }
        MESHGATE_ASSERT(v->size() <= std::size_t(std::numeric_limits<int32_t>::max()));
        w.i32(static_cast<int32_t>(v->size()));
        w.bytes(*v);
    }
    append_frame(DataRow::kTag, body, out);
}

}  // namespace meshgate::wire
