// 'B' Bind: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/bind.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

#include <limits>

namespace meshgate::wire {
namespace {

// Reads an int16 count followed by that many int16 format codes (0 text, 1 binary).
bool read_formats(Reader& r, std::vector<int16_t>& formats, std::string_view what, std::string& why)
{
    int16_t count = 0;
    if (!r.i16(count)) {
        why = std::string("the ") + std::string(what) + " format count is missing";
        return false;
    }
    if (!count_fits(r, count, 2)) {
        why = std::string(what) + " format count " + std::to_string(count) +
              " does not match the " + std::to_string(r.remaining()) + " bytes that follow";
        return false;
    }
    formats.resize(static_cast<std::size_t>(count));
    for (auto& f : formats) {
        r.i16(f);  // cannot fail: count_fits checked the bytes
        // PostgreSQL knows only text and binary; an unknown code would be interpreted by no one
        // the same way, so it is refused here rather than forwarded.
        if (f != 0 && f != 1) {
            why = std::string("unsupported ") + std::string(what) + " format code " +
                  std::to_string(f);
            return false;
        }
    }
    return true;
}

}  // namespace

Result<Bind> decode_bind(std::string_view body)
{
    Reader r(body);
    Bind m;
    std::string why;
    if (!r.cstring(m.portal)) {
        return protocol_violation("Bind", "the portal name is not NUL-terminated");
    }
    if (!r.cstring(m.statement)) {
        return protocol_violation("Bind", "the statement name is not NUL-terminated");
    }
    if (!read_formats(r, m.param_formats, "parameter", why)) {
        return protocol_violation("Bind", why);
    }
    int16_t count = 0;
    if (!r.i16(count)) {
        return protocol_violation("Bind", "the parameter count is missing");
    }
    // Each value needs at least its int32 length.
    if (!count_fits(r, count, 4)) {
        return protocol_violation("Bind", "parameter count " + std::to_string(count) +
                                              " does not match the " +
                                              std::to_string(r.remaining()) + " bytes that follow");
    }
    if (m.param_formats.size() > 1 && m.param_formats.size() != std::size_t(count)) {
        return protocol_violation("Bind", std::to_string(m.param_formats.size()) +
                                              " parameter formats for " + std::to_string(count) +
                                              " parameters");
    }
    m.params.resize(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < m.params.size(); ++i) {
        int32_t len = 0;
        if (!r.i32(len)) {
            return protocol_violation("Bind",
                                      "parameter " + std::to_string(i + 1) + " has no length");
        }
        if (len == -1) {
            continue;  // SQL NULL
        }
        std::string value;
        if (len < 0 || !r.bytes(static_cast<std::size_t>(len), value)) {
            return protocol_violation("Bind", "parameter " + std::to_string(i + 1) +
                                                  " has invalid length " + std::to_string(len));
        }
        m.params[i] = std::move(value);
    }
    if (!read_formats(r, m.result_formats, "result", why)) {
        return protocol_violation("Bind", why);
    }
    if (!r.at_end()) {
        return trailing_bytes("Bind", r);
    }
    return m;
}

void encode(const Bind& m, std::string& out)
{
    constexpr std::size_t kMax = std::numeric_limits<int16_t>::max();
    MESHGATE_ASSERT(m.param_formats.size() <= kMax && m.params.size() <= kMax &&
                    m.result_formats.size() <= kMax);
    std::string body;
    Writer w(body);
    w.cstring(m.portal);
    w.cstring(m.statement);
    w.i16(static_cast<int16_t>(m.param_formats.size()));
    for (const int16_t f : m.param_formats) {
        w.i16(f);
    }
    w.i16(static_cast<int16_t>(m.params.size()));
    for (const auto& p : m.params) {
        if (!p) {
            w.i32(-1);
            continue;
        }
        MESHGATE_ASSERT(p->size() <= std::size_t(std::numeric_limits<int32_t>::max()));
        w.i32(static_cast<int32_t>(p->size()));
        w.bytes(*p);
    }
    w.i16(static_cast<int16_t>(m.result_formats.size()));
    for (const int16_t f : m.result_formats) {
        w.i16(f);
    }
    append_frame(Bind::kTag, body, out);
}

}  // namespace meshgate::wire
