// 'E' ErrorResponse and 'N' NoticeResponse: decode, encode, and building one from an Error.
// Layer: proxy/wire (pure).
#include "proxy/wire/messages/error_response.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {
namespace {

using Fields = std::vector<std::pair<char, std::string>>;

std::string find_field(const Fields& fields, char code)
{
    for (const auto& [c, v] : fields) {
        if (c == code) {
            return v;
        }
    }
    return {};
}

Result<Fields> decode_fields(std::string_view name, std::string_view body)
{
    Reader r(body);
    Fields fields;
    for (;;) {
        uint8_t code = 0;
        if (!r.u8(code)) {
            return protocol_violation(name, "the field list is not terminated by a zero byte");
        }
        if (code == 0) {
            break;
        }
        std::string value;
        if (!r.cstring(value)) {
            return protocol_violation(
                name, std::string("field '") + static_cast<char>(code) + "' is not NUL-terminated");
        }
        fields.emplace_back(static_cast<char>(code), std::move(value));
    }
    if (!r.at_end()) {
        return trailing_bytes(name, r);
    }
    return fields;
}

void encode_fields(char tag, const Fields& fields, std::string& out)
{
    std::string body;
    Writer w(body);
    for (const auto& [code, value] : fields) {
        MESHGATE_ASSERT(code != '\0');
        w.u8(static_cast<uint8_t>(code));
        w.cstring(value);
    }
    w.u8(0);
    append_frame(tag, body, out);
}

}  // namespace

std::string ErrorResponse::get(char code) const { return find_field(fields, code); }

std::string NoticeResponse::get(char code) const { return find_field(fields, code); }

ErrorResponse ErrorResponse::from(const meshgate::Error& e, std::string_view severity)
{
    ErrorResponse m;
    m.fields.emplace_back('S', std::string(severity));
    m.fields.emplace_back('V', std::string(severity));
    // Clients branch on the SQLSTATE; an error without one is reported as internal_error.
    m.fields.emplace_back('C', e.sqlstate.empty() ? std::string("XX000") : e.sqlstate);
    m.fields.emplace_back('M', e.message);
    if (!e.detail.empty()) {
        m.fields.emplace_back('D', e.detail);
    }
    if (!e.hint.empty()) {
        m.fields.emplace_back('H', e.hint);
    }
    if (e.position > 0) {
        m.fields.emplace_back('P', std::to_string(e.position));
    }
    if (!e.routine.empty()) {
        m.fields.emplace_back('R', e.routine);
    }
    return m;
}

Result<ErrorResponse> decode_error_response(std::string_view body)
{
    auto fields = decode_fields("ErrorResponse", body);
    if (!fields) {
        return fields.error();
    }
    return ErrorResponse{std::move(*fields)};
}

Result<NoticeResponse> decode_notice_response(std::string_view body)
{
    auto fields = decode_fields("NoticeResponse", body);
    if (!fields) {
        return fields.error();
    }
    return NoticeResponse{std::move(*fields)};
}

void encode(const ErrorResponse& m, std::string& out)
{
    encode_fields(ErrorResponse::kTag, m.fields, out);
}

void encode(const NoticeResponse& m, std::string& out)
{
    encode_fields(NoticeResponse::kTag, m.fields, out);
}

}  // namespace meshgate::wire
