// JWT bearer tokens (RFC 7519) signed as compact JWS (RFC 7515) with RS256 or ES256, verified
// against a JWKS (RFC 7517) the operator configured. Layer: auth (pure: the caller reads the
// JWKS file and passes the current time in).
#pragma once

#include "common/error.hpp"

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace meshgate::auth {

/// The only signature algorithms meshgate accepts. Everything else (`none`, HS*, PS*, RS384,
/// ES384, EdDSA, ...) is refused: a closed set avoids algorithm-confusion attacks.
enum class JwsAlgorithm { Rs256, Es256 };

/// Stable reason codes of a refused token, in Error::detail. They go to the log and the audit
/// line only: a client always gets the same 28P01 whatever the reason.
namespace jwt_reason {
inline constexpr std::string_view kMalformed = "malformed";             // shape, base64url, JSON
inline constexpr std::string_view kUnsupportedAlg = "unsupported_alg";  // none, HS256, ...
inline constexpr std::string_view kBadHeader = "bad_header";            // crit, typ, b64, zip
inline constexpr std::string_view kUnknownKey = "unknown_key";          // kid not in the JWKS
inline constexpr std::string_view kKeyMismatch = "key_mismatch";        // alg vs key type
inline constexpr std::string_view kBadSignature = "bad_signature";
inline constexpr std::string_view kExpired = "expired";
inline constexpr std::string_view kNotYetValid = "not_yet_valid";  // nbf / iat ahead
inline constexpr std::string_view kWrongIssuer = "wrong_issuer";
inline constexpr std::string_view kWrongAudience = "wrong_audience";
inline constexpr std::string_view kBadClaims = "bad_claims";  // missing/mistyped
}  // namespace jwt_reason

/// Largest token accepted, in bytes (checked before any decoding).
inline constexpr std::size_t kMaxJwtBytes = 16 * 1024;
/// Largest JWKS text accepted, in bytes.
inline constexpr std::size_t kMaxJwksBytes = 1024 * 1024;
/// Most keys one JWKS may hold (after skipping keys meshgate cannot use).
inline constexpr std::size_t kMaxJwksKeys = 64;
/// Longest user, group or attribute string taken from a token or certificate, in bytes.
inline constexpr std::size_t kMaxIdentityStringBytes = 255;
/// Default clock skew tolerated on exp / nbf / iat, in seconds.
inline constexpr std::int64_t kDefaultJwtLeewaySeconds = 60;

/// The verification keys of one JWKS file, parsed into OpenSSL public keys. Immutable once
/// parsed and safe to share between threads (verification only reads the keys); copies share
/// the keys.
class JwkSet {
public:
    /// One usable key: its `kid` ("" when absent), the one algorithm it verifies, and the
    /// OpenSSL public key (shared, never mutated).
    struct Key {
        std::string kid;
        JwsAlgorithm alg = JwsAlgorithm::Rs256;
        std::shared_ptr<EVP_PKEY> pkey;
    };

    /// Parses a JWKS document `{"keys": [...]}`. Accepted keys: `kty` RSA (`n`, `e`; modulus
    /// 2048..16384 bits) for RS256 and `kty` EC with `crv` P-256 (`x`, `y`, 32 bytes each, a
    /// point on the curve) for ES256. `kid` (optional, unique), `alg` (optional; must match the
    /// key type when it names RS256/ES256), `use` (must be "sig" when present) and `key_ops`
    /// (must contain "verify" when present) are honoured. Keys meshgate cannot use (other key
    /// types, curves or algorithms, `use: enc`) are skipped, not errors; `oct` (symmetric)
    /// keys are skipped too so an HMAC secret can never verify a token. Refused with SQLSTATE
    /// F0000 and a message naming the key index: invalid JSON, a key with private members
    /// (`d`, `p`, ...: a private key published by mistake), malformed members, a duplicate
    /// `kid`, an RSA modulus outside the bounds, a point off the curve, or no usable key.
    static Result<JwkSet> parse(std::string_view jwks_json);

    /// Number of usable keys.
    std::size_t size() const;

    /// The keys, in document order (for verify_jwt).
    const std::vector<Key>& keys() const { return keys_; }

private:
    std::vector<Key> keys_;
};

/// What the operator configured under `jwt:` (SPEC §5), minus the JWKS itself.
struct JwtSettings {
    std::string issuer;                   // `iss` must equal this exactly
    std::string audience;                 // `aud` (string or array) must contain this
    std::string user_claim = "sub";       // a non-empty string claim naming the user
    std::string groups_claim = "groups";  // an array of strings, or absent (no groups)
    std::int64_t leeway_seconds = kDefaultJwtLeewaySeconds;
};

/// An attribute taken from a claim: a scalar or a list of strings (as config::AttributeValue).
using JwtAttributeValue = std::variant<std::string, std::vector<std::string>>;

/// Who a valid token names.
struct JwtIdentity {
    std::string user;
    std::vector<std::string> groups;
    /// Every other top-level claim whose name is a valid attribute name
    /// (`[A-Za-z_][A-Za-z0-9_]*`, at most 63 bytes, not `name`/`groups`) and whose value is a
    /// string, a number (its JSON text), a boolean ("true"/"false") or an array of strings.
    /// Registered claims (iss sub aud exp nbf iat jti), the user and groups claims, and claims
    /// of any other shape are left out.
    std::map<std::string, JwtAttributeValue> attributes;
    std::string key_id;  // kid of the key that verified it ("" when none)
    JwsAlgorithm algorithm = JwsAlgorithm::Rs256;
    double expires_at = 0;  // `exp`, seconds since the epoch
};

/// Verifies a compact JWS `token` (exactly three base64url parts, at most kMaxJwtBytes) with
/// `keys` and checks its claims against `settings` at `now_unix_seconds`:
/// - header: `alg` RS256 or ES256 only; no `crit`, `b64`, `zip` or `enc`; `typ`, when present,
///   JWT or at+jwt; `kid`, when present, must name a key of that type; without `kid` every key
///   of the algorithm's type is tried. Keys embedded in the token (`jwk`, `jku`, `x5c`, `x5u`)
///   are never used.
/// - signature: RS256 = RSASSA-PKCS1-v1_5 SHA-256 with a signature exactly the modulus size;
///   ES256 = raw r||s of 64 bytes (RFC 7518 §3.4), converted to DER for OpenSSL.
/// - claims: `iss` == issuer; `aud` contains audience; `exp` required and
///   now < exp + leeway; `nbf` and `iat`, when present, <= now + leeway; the user claim a
///   non-empty string without control characters; the groups claim absent or an array of such
///   strings; each string at most kMaxIdentityStringBytes.
/// A refusal is an Error with SQLSTATE 28P01, a log message that never echoes the token, and
/// a jwt_reason code in `detail`. The OpenSSL error queue is left empty either way.
Result<JwtIdentity> verify_jwt(std::string_view token, const JwkSet& keys,
                               const JwtSettings& settings, std::int64_t now_unix_seconds);

/// "RS256" / "ES256".
std::string_view to_string(JwsAlgorithm alg);

}  // namespace meshgate::auth
