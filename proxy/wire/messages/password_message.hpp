// 'p' (frontend): PasswordMessage, SASLInitialResponse and SASLResponse share one tag; which one
// a 'p' body holds depends on the authentication request it answers. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace meshgate::wire {

/// PasswordMessage: a cleartext or md5 password, or (for meshgate) a JWT sent as the password.
struct PasswordMessage {
    static constexpr char kTag = 'p';
    std::string password;
    friend bool operator==(const PasswordMessage&, const PasswordMessage&) = default;
};

/// SASLInitialResponse: the chosen mechanism and the client-first message (nullopt when the
/// client sent length -1, i.e. no initial response).
struct SaslInitialResponse {
    static constexpr char kTag = 'p';
    std::string mechanism;
    std::optional<std::string> data;
    friend bool operator==(const SaslInitialResponse&, const SaslInitialResponse&) = default;
};

/// SASLResponse: mechanism-specific data (for SCRAM, the client-final message).
struct SaslResponse {
    static constexpr char kTag = 'p';
    std::string data;
    friend bool operator==(const SaslResponse&, const SaslResponse&) = default;
};

/// Decodes a 'p' body as a PasswordMessage: one NUL-terminated string and nothing after it.
Result<PasswordMessage> decode_password_message(std::string_view body);

/// Decodes a 'p' body as a SASLInitialResponse. Refuses a missing NUL after the mechanism, a
/// data length below -1 or other than the bytes that follow.
Result<SaslInitialResponse> decode_sasl_initial_response(std::string_view body);

/// Decodes a 'p' body as a SASLResponse: the whole body is the data, so this never fails.
Result<SaslResponse> decode_sasl_response(std::string_view body);

/// Append the whole tagged frame.
void encode(const PasswordMessage& m, std::string& out);
void encode(const SaslInitialResponse& m, std::string& out);
void encode(const SaslResponse& m, std::string& out);

}  // namespace meshgate::wire
