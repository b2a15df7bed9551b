// 'G' / 'H' / 'W' Copy{In,Out,Both}Response: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/copy_response.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

#include <limits>

namespace meshgate::wire {
namespace {

template <class M>
Result<M> decode_copy_response(std::string_view name, std::string_view body)
{
    Reader r(body);
    M m;
    uint8_t format = 0;
    if (!r.u8(format)) {
        return protocol_violation(name, "the copy format is missing");
    }
    if (format > 1) {
        return protocol_violation(name, "unknown copy format " + std::to_string(format));
    }
    m.format = static_cast<int8_t>(format);
    int16_t count = 0;
    if (!r.i16(count)) {
        return protocol_violation(name, "the column count is missing");
    }
    if (!count_fits(r, count, 2)) {
        return protocol_violation(name, "column count " + std::to_string(count) +
                                            " does not match the " + std::to_string(r.remaining()) +
                                            " bytes that follow");
    }
    m.column_formats.resize(static_cast<std::size_t>(count));
    for (auto& f : m.column_formats) {
        r.i16(f);  // cannot fail: count_fits checked the bytes
        if (f != 0 && f != 1) {
            return protocol_violation(name, "unknown column format " + std::to_string(f));
        }
    }
    if (!r.at_end()) {
        return trailing_bytes(name, r);
    }
    return m;
}

template <class M>
void encode_copy_response(const M& m, std::string& out)
{
    MESHGATE_ASSERT(m.column_formats.size() <= std::size_t(std::numeric_limits<int16_t>::max()));
    std::string body;
    Writer w(body);
    w.u8(static_cast<uint8_t>(m.format));
    w.i16(static_cast<int16_t>(m.column_formats.size()));
    for (const int16_t f : m.column_formats) {
        w.i16(f);
    }
    append_frame(M::kTag, body, out);
}

}  // namespace

Result<CopyInResponse> decode_copy_in_response(std::string_view body)
{
    return decode_copy_response<CopyInResponse>("CopyInResponse", body);
}

Result<CopyOutResponse> decode_copy_out_response(std::string_view body)
{
    return decode_copy_response<CopyOutResponse>("CopyOutResponse", body);
}

Result<CopyBothResponse> decode_copy_both_response(std::string_view body)
{
    return decode_copy_response<CopyBothResponse>("CopyBothResponse", body);
}

void encode(const CopyInResponse& m, std::string& out) { encode_copy_response(m, out); }

void encode(const CopyOutResponse& m, std::string& out) { encode_copy_response(m, out); }

void encode(const CopyBothResponse& m, std::string& out) { encode_copy_response(m, out); }

}  // namespace meshgate::wire
