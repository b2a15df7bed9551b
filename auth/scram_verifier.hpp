// The stored form of a SCRAM-SHA-256 password (PostgreSQL's pg_authid.rolpassword format).
// Layer: auth.
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::auth {

/// PostgreSQL's default SCRAM iteration count (scram_iterations) and salt length.
inline constexpr int kScramDefaultIterations = 4096;
inline constexpr std::size_t kScramDefaultSaltLength = 16;

/// A SCRAM-SHA-256 verifier: what the server keeps instead of the password. All byte fields are
/// raw (not base64). `stored_key` and `server_key` are 32 bytes each.
struct ScramVerifier {
    int iterations = 0;
    std::string salt;
    std::string stored_key;
    std::string server_key;

    /// Parses `SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>`,
    /// byte-compatible with pg_authid. Strict: iterations are decimal digits in 1..INT_MAX,
    /// the salt is non-empty, both keys decode to exactly 32 bytes, no surrounding whitespace.
    /// Anything else is SQLSTATE 22023 with a message that never echoes the secret.
    static Result<ScramVerifier> parse(std::string_view text);

    /// The text form that parse() accepts (and that PostgreSQL stores).
    std::string to_string() const;

    friend bool operator==(const ScramVerifier&, const ScramVerifier&) = default;
};

/// Computes the verifier of `password` with raw `salt` bytes and `iterations` (at least 1;
/// a programmer invariant), exactly as PostgreSQL's scram_build_secret does, including its
/// SASLprep rule (see prepare_scram_password in auth/saslprep.hpp): ASCII passwords are used
/// as they are; other passwords are SASLprep'd, or used as raw bytes when SASLprep refuses
/// them (invalid UTF-8, prohibited or unassigned characters). For `meshgate passwd`, pass
/// random_bytes(kScramDefaultSaltLength) as the salt.
ScramVerifier make_scram_verifier(std::string_view password, std::string_view salt,
                                  int iterations = kScramDefaultIterations);

}  // namespace meshgate::auth
