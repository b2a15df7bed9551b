// 'R' Authentication* (backend): the server's authentication requests and outcome.
// Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace meshgate::wire {

/// AuthenticationOk (code 0): authentication succeeded.
struct AuthenticationOk {
    static constexpr char kTag = 'R';
    static constexpr int32_t kCode = 0;
    friend bool operator==(const AuthenticationOk&, const AuthenticationOk&) = default;
};

/// AuthenticationCleartextPassword (code 3): send the password in the clear.
struct AuthenticationCleartextPassword {
    static constexpr char kTag = 'R';
    static constexpr int32_t kCode = 3;
    friend bool operator==(const AuthenticationCleartextPassword&,
                           const AuthenticationCleartextPassword&) = default;
};

/// AuthenticationMD5Password (code 5): send md5(md5(password + user) + salt).
struct AuthenticationMd5Password {
    static constexpr char kTag = 'R';
    static constexpr int32_t kCode = 5;
    std::string salt;  // exactly 4 bytes
    friend bool operator==(const AuthenticationMd5Password&,
                           const AuthenticationMd5Password&) = default;
};

/// AuthenticationSASL (code 10): the SASL mechanisms the server offers, in preference order.
struct AuthenticationSasl {
    static constexpr char kTag = 'R';
    static constexpr int32_t kCode = 10;
    std::vector<std::string> mechanisms;  // each non-empty
    friend bool operator==(const AuthenticationSasl&, const AuthenticationSasl&) = default;
};

/// AuthenticationSASLContinue (code 11): a SASL challenge (for SCRAM, the server-first message).
struct AuthenticationSaslContinue {
    static constexpr char kTag = 'R';
    static constexpr int32_t kCode = 11;
    std::string data;
    friend bool operator==(const AuthenticationSaslContinue&,
                           const AuthenticationSaslContinue&) = default;
};

/// AuthenticationSASLFinal (code 12): SASL outcome data (for SCRAM, the server-final message).
struct AuthenticationSaslFinal {
    static constexpr char kTag = 'R';
    static constexpr int32_t kCode = 12;
    std::string data;
    friend bool operator==(const AuthenticationSaslFinal&,
                           const AuthenticationSaslFinal&) = default;
};

/// Any other request (KerberosV5 2, SCMCredential 6, GSS 7, GSSContinue 8, SSPI 9, or an
/// unknown code): only the code is kept; meshgate cannot answer these and fails the login.
struct AuthenticationUnsupported {
    static constexpr char kTag = 'R';
    int32_t code = 0;
    friend bool operator==(const AuthenticationUnsupported&,
                           const AuthenticationUnsupported&) = default;
};

using Authentication =
    std::variant<AuthenticationOk, AuthenticationCleartextPassword, AuthenticationMd5Password,
                 AuthenticationSasl, AuthenticationSaslContinue, AuthenticationSaslFinal,
                 AuthenticationUnsupported>;

/// Decodes an 'R' body by its int32 code. Refuses a missing code, trailing bytes after Ok /
/// CleartextPassword, an MD5 salt that is not exactly 4 bytes, and a SASL mechanism list
/// without its final empty-string terminator or with bytes after it. Unknown codes decode as
/// AuthenticationUnsupported (their payload is not examined).
Result<Authentication> decode_authentication(std::string_view body);

/// Append the whole tagged frame.
void encode(const AuthenticationOk& m, std::string& out);
void encode(const AuthenticationCleartextPassword& m, std::string& out);
void encode(const AuthenticationMd5Password& m, std::string& out);  // salt must be 4 bytes
void encode(const AuthenticationSasl& m, std::string& out);         // names must be non-empty
void encode(const AuthenticationSaslContinue& m, std::string& out);
void encode(const AuthenticationSaslFinal& m, std::string& out);
void encode(const AuthenticationUnsupported& m, std::string& out);  // the code alone
void encode(const Authentication& m, std::string& out);

}  // namespace meshgate::wire
