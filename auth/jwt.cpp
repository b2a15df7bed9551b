// JWKS parsing into OpenSSL public keys, compact JWS verification (RS256, ES256) and JWT claim
// checks. Layer: auth (OpenSSL behind RAII; no clock: `now` is a parameter).
#include "auth/jwt.hpp"

#include "auth/base64url.hpp"
#include "auth/json_value.hpp"
#include "auth/ok.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace meshgate::auth {
namespace {

// ---- RAII for the OpenSSL handles used here -------------------------------------------------

struct BnFree {
    void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct EcdsaSigFree {
    void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
struct OpensslFree {
    void operator()(unsigned char* p) const { OPENSSL_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;
using OsslBytesPtr = std::unique_ptr<unsigned char, OpensslFree>;

std::shared_ptr<EVP_PKEY> share_pkey(EVP_PKEY* p)
{
    return std::shared_ptr<EVP_PKEY>(p, [](EVP_PKEY* k) { EVP_PKEY_free(k); });
}

/// Failed OpenSSL calls leave entries on the thread's error queue; a later SSL_get_error on the
/// same thread could misread them, so every exit from this file leaves the queue empty.
struct ErrorQueueGuard {
    ~ErrorQueueGuard() { ERR_clear_error(); }
};

const unsigned char* ubytes(std::string_view s)
{
    return reinterpret_cast<const unsigned char*>(s.data());
}

// ---- JWKS ------------------------------------------------------------------------------------

constexpr std::size_t kMinRsaBits = 2048;
constexpr std::size_t kMaxRsaBits = 16384;
constexpr std::size_t kP256CoordinateBytes = 32;

Error jwks_error(std::string msg) { return make_error("F0000", "invalid JWKS: " + std::move(msg)); }

/// A base64url member of a JWK, decoded; absent, non-string or bad base64url is an error.
Result<std::string> jwk_bytes(const JsonValue& jwk, std::string_view name, const std::string& at)
{
    const JsonValue* v = jwk.find(name);
    if (v == nullptr) {
        return jwks_error(at + ": member \"" + std::string(name) + "\" is missing");
    }
    if (!v->is_string()) {
        return jwks_error(at + ": member \"" + std::string(name) + "\" is not a string");
    }
    auto bytes = base64url_decode(v->as_string());
    if (!bytes) {
        return jwks_error(at + ": member \"" + std::string(name) + "\" is not base64url");
    }
    if (bytes->empty()) {
        return jwks_error(at + ": member \"" + std::string(name) + "\" is empty");
    }
    return bytes;
}

std::string strip_leading_zeros(std::string s)
{
    const auto first = s.find_first_not_of('\0');
    return first == std::string::npos ? std::string(1, '\0') : s.substr(first);
}

/// True when the public key passes OpenSSL's own consistency check (RSA: odd n, sane e; EC:
/// the point lies on the curve and is not the point at infinity).
bool public_check(EVP_PKEY* pkey)
{
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    return ctx && EVP_PKEY_public_check(ctx.get()) == 1;
}

EVP_PKEY* pkey_from_params(const char* type, OSSL_PARAM_BLD* bld)
{
    const ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    if (!params) {
        return nullptr;
    }
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
        return nullptr;
    }
    EVP_PKEY* pkey = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return nullptr;
    }
    return pkey;
}

Result<std::shared_ptr<EVP_PKEY>> rsa_key(const JsonValue& jwk, const std::string& at)
{
    auto n = jwk_bytes(jwk, "n", at);
    if (!n) {
        return n.error();
    }
    auto e = jwk_bytes(jwk, "e", at);
    if (!e) {
        return e.error();
    }
    // RFC 7518 §6.3.1 asks for minimal octets; some publishers prepend a zero byte anyway,
    // which changes nothing about the number, so tolerate it.
    const std::string n_bytes = strip_leading_zeros(std::move(*n));
    const std::string e_bytes = strip_leading_zeros(std::move(*e));
    if (n_bytes.size() > kMaxRsaBits / 8 || e_bytes.size() > 8) {
        return jwks_error(at + ": RSA modulus or exponent is too large");
    }
    const BnPtr bn_n(BN_bin2bn(ubytes(n_bytes), static_cast<int>(n_bytes.size()), nullptr));
    const BnPtr bn_e(BN_bin2bn(ubytes(e_bytes), static_cast<int>(e_bytes.size()), nullptr));
    const auto bits = bn_n ? static_cast<std::size_t>(BN_num_bits(bn_n.get())) : 0;
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
        return jwks_error(at + ": RSA modulus of " + std::to_string(bits) + " bits is outside " +
                          std::to_string(kMinRsaBits) + ".." + std::to_string(kMaxRsaBits));
    }
    const ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bn_n || !bn_e || !bld ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
        return jwks_error(at + ": cannot build the RSA key");
    }
    auto pkey = share_pkey(pkey_from_params("RSA", bld.get()));
    if (!pkey) {
        return jwks_error(at + ": OpenSSL refused the RSA key");
    }
    if (!public_check(pkey.get())) {
        return jwks_error(at + ": the RSA key fails OpenSSL's public key check");
    }
    return pkey;
}

Result<std::shared_ptr<EVP_PKEY>> p256_key(const JsonValue& jwk, const std::string& at)
{
    auto x = jwk_bytes(jwk, "x", at);
    if (!x) {
        return x.error();
    }
    auto y = jwk_bytes(jwk, "y", at);
    if (!y) {
        return y.error();
    }
    if (x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
        return jwks_error(at + ": P-256 coordinates must be 32 bytes each");
    }
    // SEC 1 uncompressed point: 0x04 || x || y.
    std::string point(1, '\x04');
    point += *x;
    point += *y;
    const ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
            1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
        return jwks_error(at + ": cannot build the EC key");
    }
    auto pkey = share_pkey(pkey_from_params("EC", bld.get()));
    // An off-curve point is refused here: accepting one is the root of invalid-curve attacks.
    if (!pkey || !public_check(pkey.get())) {
        return jwks_error(at + ": the EC point is not on P-256");
    }
    return pkey;
}

/// One member of a JWK that must be a string when present; `out` untouched when absent.
Result<bool> optional_string(const JsonValue& jwk, std::string_view name, const std::string& at,
                             std::string& out)
{
    const JsonValue* v = jwk.find(name);
    if (v == nullptr) {
        return false;
    }
    if (!v->is_string()) {
        return jwks_error(at + ": member \"" + std::string(name) + "\" is not a string");
    }
    out = v->as_string();
    return true;
}

/// A parsed JWK, or an empty key (no pkey) when the key is well-formed but not one meshgate
/// can use for RS256/ES256 verification.
Result<JwkSet::Key> parse_jwk(const JsonValue& jwk, const std::string& at)
{
    if (!jwk.is_object()) {
        return jwks_error(at + ": not an object");
    }
    // A JWKS is published; a private key in it is a leak, and using it silently would hide that.
    for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
        if (jwk.find(priv) != nullptr) {
            return jwks_error(at + ": holds private key material (\"" + priv + "\")");
        }
    }
    std::string kty;
    auto has = optional_string(jwk, "kty", at, kty);
    if (!has) {
        return has.error();
    }
    if (!*has) {
        return jwks_error(at + ": member \"kty\" is missing");
    }
    std::string kid;
    std::string alg;
    std::string use;
    for (auto [name, out] :
         {std::pair<std::string_view, std::string*>{"kid", &kid}, {"alg", &alg}, {"use", &use}}) {
        if (auto r = optional_string(jwk, name, at, *out); !r) {
            return r.error();
        }
    }
    JwkSet::Key key;
    key.kid = kid;
    if (!use.empty() && use != "sig") {
        return key;  // an encryption key: not for us
    }
    if (const JsonValue* ops = jwk.find("key_ops")) {
        if (!ops->is_array()) {
            return jwks_error(at + ": member \"key_ops\" is not an array");
        }
        bool verify = false;
        for (const auto& op : ops->as_array()) {
            if (!op.is_string()) {
                return jwks_error(at + ": member \"key_ops\" holds a non-string");
            }
            verify = verify || op.as_string() == "verify";
        }
        if (!verify) {
            return key;
        }
    }
    if (kty == "RSA") {
        if (!alg.empty() && alg != "RS256") {
            if (alg == "ES256") {
                return jwks_error(at + ": alg ES256 on an RSA key");
            }
            return key;  // RS384, PS256, ...: unsupported, skipped
        }
        auto pkey = rsa_key(jwk, at);
        if (!pkey) {
            return pkey.error();
        }
        key.alg = JwsAlgorithm::Rs256;
        key.pkey = std::move(*pkey);
        return key;
    }
    if (kty == "EC") {
        std::string crv;
        if (auto r = optional_string(jwk, "crv", at, crv); !r) {
            return r.error();
        }
        if (crv != "P-256") {
            return key;  // P-384, P-521, secp256k1: unsupported, skipped
        }
        if (!alg.empty() && alg != "ES256") {
            if (alg == "RS256") {
                return jwks_error(at + ": alg RS256 on an EC key");
            }
            return key;
        }
        auto pkey = p256_key(jwk, at);
        if (!pkey) {
            return pkey.error();
        }
        key.alg = JwsAlgorithm::Es256;
        key.pkey = std::move(*pkey);
        return key;
    }
    // "oct" (an HMAC secret), "OKP" and unknown types: never usable for RS256/ES256.
    return key;
}

// ---- JWS -------------------------------------------------------------------------------------

Error reject(std::string_view reason, std::string msg)
{
    Error e = make_error("28P01", "JWT rejected: " + std::move(msg));
    e.detail = std::string(reason);
    return e;
}

/// True when `sig` verifies `input` under `pkey` with SHA-256 (PKCS#1 v1.5 for RSA, DER ECDSA
/// for EC). Any OpenSSL failure counts as "does not verify".
bool digest_verify(EVP_PKEY* pkey, std::string_view input, std::string_view sig, bool rsa)
{
    const MdCtxPtr md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by md
    if (!md ||
        EVP_DigestVerifyInit_ex(md.get(), &pctx, "SHA256", nullptr, nullptr, pkey, nullptr) != 1) {
        return false;
    }
    if (rsa && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        return false;
    }
    return EVP_DigestVerify(md.get(), ubytes(sig), sig.size(), ubytes(input), input.size()) == 1;
}

/// JOSE ES256 signatures are r||s (32 bytes each); OpenSSL wants a DER ECDSA-Sig-Value.
std::string es256_to_der(std::string_view raw)
{
    EcdsaSigPtr sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(ubytes(raw.substr(0, 32)), 32, nullptr);
    BIGNUM* s = BN_bin2bn(ubytes(raw.substr(32, 32)), 32, nullptr);
    if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return {};
    }
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &der);
    const OsslBytesPtr owned(der);
    if (len <= 0 || der == nullptr) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
}

bool verify_with(const JwkSet::Key& key, std::string_view input, std::string_view sig)
{
    if (key.alg == JwsAlgorithm::Rs256) {
        // RFC 7518 §3.3: the signature is exactly k octets; a shorter one is not "equivalent".
        if (sig.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey.get()))) {
            return false;
        }
        return digest_verify(key.pkey.get(), input, sig, true);
    }
    if (sig.size() != 64) {
        return false;
    }
    const std::string der = es256_to_der(sig);
    return !der.empty() && digest_verify(key.pkey.get(), input, der, false);
}

bool is_attribute_name(std::string_view s)
{
    if (s.empty() || s.size() > 63) {
        return false;
    }
    const auto alpha = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    if (!alpha(s[0])) {
        return false;
    }
    return std::all_of(s.begin(), s.end(),
                       [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

/// A string fit to be a user, group or attribute value: non-empty, bounded, no control bytes
/// (the parser already guarantees well-formed UTF-8).
bool is_identity_string(std::string_view s)
{
    if (s.empty() || s.size() > kMaxIdentityStringBytes) {
        return false;
    }
    return std::none_of(s.begin(), s.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b < 0x20 || b == 0x7F;
    });
}

bool is_numeric_date(const JsonValue* v)
{
    return v != nullptr && v->is_number() && std::isfinite(v->as_number().value);
}

/// `typ` values RFC 7519 §5.1 and RFC 9068 define for a JWT; compared case-insensitively.
bool acceptable_typ(std::string t)
{
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return t == "jwt" || t == "application/jwt" || t == "at+jwt" || t == "application/at+jwt";
}

constexpr JsonLimits kTokenJsonLimits{kMaxJwtBytes, 8, 1024};

Result<JwtIdentity> check_claims(const JsonValue& claims, const JwtSettings& settings,
                                 std::int64_t now)
{
    if (!claims.is_object()) {
        return reject(jwt_reason::kMalformed, "the payload is not a JSON object");
    }
    const JsonValue* iss = claims.find("iss");
    if (iss == nullptr || !iss->is_string() || iss->as_string() != settings.issuer) {
        return reject(jwt_reason::kWrongIssuer, "the issuer is missing or not the configured one");
    }
    const JsonValue* aud = claims.find("aud");
    bool aud_ok = false;
    if (aud != nullptr && aud->is_string()) {
        aud_ok = aud->as_string() == settings.audience;
    } else if (aud != nullptr && aud->is_array()) {
        for (const auto& a : aud->as_array()) {
            if (!a.is_string()) {
                return reject(jwt_reason::kBadClaims, "aud holds a non-string");
            }
            aud_ok = aud_ok || a.as_string() == settings.audience;
        }
    }
    if (!aud_ok) {
        return reject(jwt_reason::kWrongAudience,
                      "the audience is missing or does not include the configured one");
    }
    // Time checks in double: NumericDate may carry fractions, and a 64-bit `now` converts
    // exactly for any realistic date.
    const double t = static_cast<double>(now);
    const double leeway = static_cast<double>(std::max<std::int64_t>(settings.leeway_seconds, 0));
    const JsonValue* exp = claims.find("exp");
    if (!is_numeric_date(exp)) {
        // A bearer token without an expiry would be valid forever once leaked.
        return reject(jwt_reason::kBadClaims, "exp is missing or not a number");
    }
    if (!(t < exp->as_number().value + leeway)) {
        return reject(jwt_reason::kExpired, "the token has expired");
    }
    for (const char* name : {"nbf", "iat"}) {
        const JsonValue* v = claims.find(name);
        if (v == nullptr) {
            continue;
        }
        if (!is_numeric_date(v)) {
            return reject(jwt_reason::kBadClaims, std::string(name) + " is not a number");
        }
        if (v->as_number().value > t + leeway) {
            return reject(jwt_reason::kNotYetValid,
                          std::string(name) + " lies in the future: not valid yet");
        }
    }

    JwtIdentity id;
    id.expires_at = exp->as_number().value;
    const JsonValue* user = claims.find(settings.user_claim);
    if (user == nullptr || !user->is_string() || !is_identity_string(user->as_string())) {
        return reject(jwt_reason::kBadClaims,
                      "the user claim \"" + settings.user_claim +
                          "\" is missing, not a string, empty, too long or has control bytes");
    }
    id.user = user->as_string();
    if (const JsonValue* groups = claims.find(settings.groups_claim)) {
        if (!groups->is_array()) {
            return reject(jwt_reason::kBadClaims,
                          "the groups claim \"" + settings.groups_claim + "\" is not an array");
        }
        for (const auto& g : groups->as_array()) {
            if (!g.is_string() || !is_identity_string(g.as_string())) {
                return reject(
                    jwt_reason::kBadClaims,
                    "the groups claim \"" + settings.groups_claim + "\" holds an invalid element");
            }
            id.groups.push_back(g.as_string());
        }
    }
    static const std::set<std::string_view> kRegistered = {"iss", "sub", "aud", "exp",
                                                           "nbf", "iat", "jti"};
    for (const auto& [name, value] : claims.as_object()) {
        if (kRegistered.count(name) != 0 || name == settings.user_claim ||
            name == settings.groups_claim || !is_attribute_name(name) || name == "name" ||
            name == "groups") {
            continue;
        }
        if (value.is_string()) {
            if (is_identity_string(value.as_string())) {
                id.attributes[name] = value.as_string();
            }
        } else if (value.is_number()) {
            id.attributes[name] = value.as_number().text;
        } else if (value.is_bool()) {
            id.attributes[name] = std::string(value.as_bool() ? "true" : "false");
        } else if (value.is_array()) {
            std::vector<std::string> list;
            bool all_strings = true;
            for (const auto& e : value.as_array()) {
                all_strings = all_strings && e.is_string() && is_identity_string(e.as_string());
                if (all_strings) {
                    list.push_back(e.as_string());
                }
            }
            if (all_strings) {
                id.attributes[name] = std::move(list);
            }
        }
        // Objects and nulls (IdP-specific structures) carry nothing meshgate could match on.
    }
    return id;
}

}  // namespace

std::string_view to_string(JwsAlgorithm alg)
{
    return alg == JwsAlgorithm::Rs256 ? "RS256" : "ES256";
}

std::size_t JwkSet::size() const { return keys_.size(); }

Result<JwkSet> JwkSet::parse(std::string_view jwks_json)
{
    const ErrorQueueGuard guard;
    if (jwks_json.size() > kMaxJwksBytes) {
        return jwks_error("larger than " + std::to_string(kMaxJwksBytes) + " bytes");
    }
    auto doc = parse_json(jwks_json, JsonLimits{kMaxJwksBytes, 8, 4096});
    if (!doc) {
        return jwks_error(doc.error().message);
    }
    const JsonValue* keys = doc->find("keys");
    if (keys == nullptr || !keys->is_array()) {
        return jwks_error("expected an object with a \"keys\" array");
    }
    JwkSet set;
    std::set<std::string> kids;
    for (std::size_t i = 0; i < keys->as_array().size(); ++i) {
        const std::string at = "keys[" + std::to_string(i) + "]";
        auto key = parse_jwk(keys->as_array()[i], at);
        if (!key) {
            return key.error();
        }
        // A kid names one key, even among keys we skip: two keys under one kid would make
        // "which key signed this" depend on document order.
        if (!key->kid.empty() && !kids.insert(key->kid).second) {
            return jwks_error(at + ": duplicate kid");
        }
        if (!key->pkey) {
            continue;
        }
        if (set.keys_.size() >= kMaxJwksKeys) {
            return jwks_error("more than " + std::to_string(kMaxJwksKeys) + " usable keys");
        }
        set.keys_.push_back(std::move(*key));
    }
    if (set.keys_.empty()) {
        return jwks_error("no usable RS256 (RSA) or ES256 (EC P-256) signing key");
    }
    return set;
}

Result<JwtIdentity> verify_jwt(std::string_view token, const JwkSet& keys,
                               const JwtSettings& settings, std::int64_t now_unix_seconds)
{
    const ErrorQueueGuard guard;
    if (token.size() > kMaxJwtBytes) {
        return reject(jwt_reason::kMalformed,
                      "the token is larger than " + std::to_string(kMaxJwtBytes) + " bytes");
    }
    const auto dot1 = token.find('.');
    const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
        // Five parts would be a JWE; meshgate accepts only signed compact JWS.
        return reject(jwt_reason::kMalformed, "not a compact JWS of exactly three parts");
    }
    const std::string_view header_b64 = token.substr(0, dot1);
    const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string_view sig_b64 = token.substr(dot2 + 1);
    if (header_b64.empty() || payload_b64.empty() || sig_b64.empty()) {
        // An empty signature is what alg "none" produces: never a signed token.
        return reject(jwt_reason::kMalformed, "empty header, payload or signature");
    }
    auto header_bytes = base64url_decode(header_b64);
    auto payload_bytes = base64url_decode(payload_b64);
    auto sig = base64url_decode(sig_b64);
    if (!header_bytes || !payload_bytes || !sig) {
        return reject(jwt_reason::kMalformed, "a part is not valid base64url");
    }
    auto header = parse_json(*header_bytes, kTokenJsonLimits);
    if (!header || !header->is_object()) {
        return reject(jwt_reason::kMalformed, "the header is not a JSON object");
    }

    const JsonValue* alg_v = header->find("alg");
    if (alg_v == nullptr || !alg_v->is_string()) {
        return reject(jwt_reason::kMalformed, "the header has no alg");
    }
    JwsAlgorithm alg{};
    if (alg_v->as_string() == "RS256") {
        alg = JwsAlgorithm::Rs256;
    } else if (alg_v->as_string() == "ES256") {
        alg = JwsAlgorithm::Es256;
    } else {
        // Includes "none" and HS256: with HS256 a verifier that used the RSA public key as an
        // HMAC secret would accept tokens anyone can mint (the classic confusion attack).
        return reject(jwt_reason::kUnsupportedAlg, "alg is not RS256 or ES256");
    }
    // crit lists extensions the verifier must understand; meshgate understands none, so any
    // crit means "you cannot validate this" (RFC 7515 §4.1.11). b64/zip/enc change what the
    // bytes mean (RFC 7797, JWE) and are refused for the same reason.
    for (const char* name : {"crit", "b64", "zip", "enc"}) {
        if (header->find(name) != nullptr) {
            return reject(jwt_reason::kBadHeader,
                          std::string("header parameter \"") + name + "\" is not supported");
        }
    }
    if (const JsonValue* typ = header->find("typ")) {
        if (!typ->is_string() || !acceptable_typ(typ->as_string())) {
            return reject(jwt_reason::kBadHeader, "typ is not JWT");
        }
    }
    std::string kid;
    bool has_kid = false;
    if (const JsonValue* k = header->find("kid")) {
        if (!k->is_string()) {
            return reject(jwt_reason::kMalformed, "kid is not a string");
        }
        kid = k->as_string();
        has_kid = true;
    }

    // The signing input is the ASCII text of the first two parts, exactly as received.
    const std::string_view input = token.substr(0, dot2);
    const JwkSet::Key* verified_by = nullptr;
    if (has_kid) {
        const auto& ks = keys.keys();
        const auto it = std::find_if(ks.begin(), ks.end(),
                                     [&](const JwkSet::Key& key) { return key.kid == kid; });
        if (it == ks.end()) {
            return reject(jwt_reason::kUnknownKey, "no key with the token's kid");
        }
        if (it->alg != alg) {
            return reject(jwt_reason::kKeyMismatch, "the kid names a key of another algorithm");
        }
        if (verify_with(*it, input, *sig)) {
            verified_by = &*it;
        }
    } else {
        bool any = false;
        for (const auto& key : keys.keys()) {
            if (key.alg != alg) {
                continue;
            }
            any = true;
            if (verify_with(key, input, *sig)) {
                verified_by = &key;
                break;
            }
        }
        if (!any) {
            return reject(jwt_reason::kUnknownKey, "no key for the token's alg");
        }
    }
    if (verified_by == nullptr) {
        return reject(jwt_reason::kBadSignature, "the signature does not verify");
    }

    // Only a verified payload is parsed: nothing an attacker sends unsigned reaches the claims.
    auto claims = parse_json(*payload_bytes, kTokenJsonLimits);
    if (!claims) {
        return reject(jwt_reason::kMalformed, "the payload is not valid JSON");
    }
    auto id = check_claims(*claims, settings, now_unix_seconds);
    if (!id) {
        return id;
    }
    id->key_id = verified_by->kid;
    id->algorithm = alg;
    return id;
}

}  // namespace meshgate::auth
