// 'R' Authentication*: decode by code and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/authentication.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {
namespace {

constexpr std::string_view kName = "Authentication";

void encode_code(int32_t code, std::string_view payload, std::string& out)
{
    std::string body;
    Writer w(body);
    w.i32(code);
    w.bytes(payload);
    append_frame('R', body, out);
}

}  // namespace

Result<Authentication> decode_authentication(std::string_view body)
{
    Reader r(body);
    int32_t code = 0;
    if (!r.i32(code)) {
        return protocol_violation(kName, "the request code is missing");
    }
    switch (code) {
        case AuthenticationOk::kCode:
            if (!r.at_end()) {
                return trailing_bytes("AuthenticationOk", r);
            }
            return Authentication{AuthenticationOk{}};
        case AuthenticationCleartextPassword::kCode:
            if (!r.at_end()) {
                return trailing_bytes("AuthenticationCleartextPassword", r);
            }
            return Authentication{AuthenticationCleartextPassword{}};
        case AuthenticationMd5Password::kCode: {
            AuthenticationMd5Password m;
            if (r.remaining() != 4) {
                return protocol_violation(
                    "AuthenticationMD5Password",
                    "the salt must be 4 bytes, got " + std::to_string(r.remaining()));
            }
            r.rest(m.salt);
            return Authentication{std::move(m)};
        }
        case AuthenticationSasl::kCode: {
            AuthenticationSasl m;
            for (;;) {
                std::string mechanism;
                if (!r.cstring(mechanism)) {
                    return protocol_violation(
                        "AuthenticationSASL",
                        "the mechanism list is not terminated by an empty name");
                }
                if (mechanism.empty()) {
                    break;
                }
                m.mechanisms.push_back(std::move(mechanism));
            }
            if (!r.at_end()) {
                return trailing_bytes("AuthenticationSASL", r);
            }
            return Authentication{std::move(m)};
        }
        case AuthenticationSaslContinue::kCode: {
            AuthenticationSaslContinue m;
            r.rest(m.data);
            return Authentication{std::move(m)};
        }
        case AuthenticationSaslFinal::kCode: {
            AuthenticationSaslFinal m;
            r.rest(m.data);
            return Authentication{std::move(m)};
        }
        default:
            return Authentication{AuthenticationUnsupported{code}};
    }
}

void encode(const AuthenticationOk&, std::string& out)
{
    encode_code(AuthenticationOk::kCode, {}, out);
}

void encode(const AuthenticationCleartextPassword&, std::string& out)
{
    encode_code(AuthenticationCleartextPassword::kCode, {}, out);
}

void encode(const AuthenticationMd5Password& m, std::string& out)
{
    MESHGATE_ASSERT(m.salt.size() == 4);
    encode_code(AuthenticationMd5Password::kCode, m.salt, out);
}

void encode(const AuthenticationSasl& m, std::string& out)
{
    std::string payload;
    Writer w(payload);
    for (const auto& mechanism : m.mechanisms) {
        // An empty name would end the list early on the wire.
        MESHGATE_ASSERT(!mechanism.empty() && mechanism.find('\0') == std::string::npos);
        w.cstring(mechanism);
    }
    w.u8(0);
    encode_code(AuthenticationSasl::kCode, payload, out);
}

void encode(const AuthenticationSaslContinue& m, std::string& out)
{
    encode_code(AuthenticationSaslContinue::kCode, m.data, out);
}

void encode(const AuthenticationSaslFinal& m, std::string& out)
{
    encode_code(AuthenticationSaslFinal::kCode, m.data, out);
}

void encode(const AuthenticationUnsupported& m, std::string& out)
{
    // An "unsupported" request carrying a supported code (0 in particular) would tell the
    // client something else entirely, e.g. that it is authenticated.
    MESHGATE_ASSERT(
        m.code != AuthenticationOk::kCode && m.code != AuthenticationCleartextPassword::kCode &&
        m.code != AuthenticationMd5Password::kCode && m.code != AuthenticationSasl::kCode &&
        m.code != AuthenticationSaslContinue::kCode && m.code != AuthenticationSaslFinal::kCode);
    encode_code(m.code, {}, out);
}

void encode(const Authentication& m, std::string& out)
{
    std::visit([&out](const auto& v) { encode(v, out); }, m);
}

}  // namespace meshgate::wire
