// 'p' PasswordMessage, SASLInitialResponse, SASLResponse: decode and encode.
// Layer: proxy/wire (pure).
#include "proxy/wire/messages/password_message.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

#include <limits>

namespace meshgate::wire {

Result<PasswordMessage> decode_password_message(std::string_view body)
{
    Reader r(body);
    PasswordMessage m;
    if (!r.cstring(m.password)) {
        return protocol_violation("PasswordMessage", "the password is not NUL-terminated");
    }
    if (!r.at_end()) {
        return trailing_bytes("PasswordMessage", r);
    }
    return m;
}

Result<SaslInitialResponse> decode_sasl_initial_response(std::string_view body)
{
    Reader r(body);
    SaslInitialResponse m;
    if (!r.cstring(m.mechanism)) {
        return protocol_violation("SASLInitialResponse",
                                  "the mechanism name is not NUL-terminated");
    }
    int32_t len = 0;
    if (!r.i32(len)) {
        return protocol_violation("SASLInitialResponse", "the data length is missing");
    }
    if (len != -1) {
        std::string data;
        if (len < 0 || !r.bytes(static_cast<std::size_t>(len), data)) {
            return protocol_violation("SASLInitialResponse",
                                      "invalid data length " + std::to_string(len));
        }
        m.data = std::move(data);
    }
    if (!r.at_end()) {
        return trailing_bytes("SASLInitialResponse", r);
    }
    return m;
}

Result<SaslResponse> decode_sasl_response(std::string_view body)
{
    return SaslResponse{std::string(body)};
}

void encode(const PasswordMessage& m, std::string& out)
{
    std::string body;
    Writer(body).cstring(m.password);
    append_frame(PasswordMessage::kTag, body, out);
}

void encode(const SaslInitialResponse& m, std::string& out)
{
    std::string body;
    Writer w(body);
    w.cstring(m.mechanism);
    if (!m.data) {
        w.i32(-1);
    } else {
        MESHGATE_ASSERT(m.data->size() <= std::size_t(std::numeric_limits<int32_t>::max()));
        w.i32(static_cast<int32_t>(m.data->size()));
        w.bytes(*m.data);
    }
    append_frame(SaslInitialResponse::kTag, body, out);
}

void encode(const SaslResponse& m, std::string& out)
{
    append_frame(SaslResponse::kTag, m.data, out);
}

}  // namespace meshgate::wire
