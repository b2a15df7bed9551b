// Unit tests for auth/jwt: JWKS loading and RS256/ES256 token verification with keys and tokens
// made in the test; every refusal is checked for its reason code.
#include "auth/jwt.hpp"

#include "auth/base64url.hpp"
#include "jose_test_keys.hpp"

#include <doctest/doctest.h>

#include <openssl/err.h>

#include <string>

using namespace meshgate::auth;
using namespace jose_test;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

JwtSettings settings()
{
    JwtSettings s;
    s.issuer = "https://idp.example.com/";
    s.audience = "meshgate";
    s.user_claim = "sub";
    s.groups_claim = "groups";
    return s;
}

/// Claims valid at kNow unless overridden: `extra` is raw JSON members (leading comma).
std::string claims(std::string_view extra = "", std::int64_t exp = kNow + 300,
                   std::string_view iss = "https://idp.example.com/",
                   std::string_view aud = "\"meshgate\"")
{
    return "{\"iss\":\"" + std::string(iss) + "\",\"aud\":" + std::string(aud) +
           ",\"sub\":\"alice\",\"exp\":" + std::to_string(exp) + ",\"iat\":" +
           std::to_string(kNow - 10) + std::string(extra) + "}";
}

const JwkSet& key_set()
{
    static const JwkSet set = [] {
        auto r = JwkSet::parse(
            jwks({rsa_jwk(rsa_key(0), "rsa-1"), ec_jwk(ec_key(0), "ec-1")}));
        require(r.has_value(), "JwkSet::parse");
        return std::move(*r);
    }();
    return set;
}

const std::string kRsHeader = R"({"alg":"RS256","typ":"JWT","kid":"rsa-1"})";
const std::string kEsHeader = R"({"alg":"ES256","typ":"JWT","kid":"ec-1"})";

std::string reason_of(const meshgate::Result<JwtIdentity>& r)
{
    return r.has_value() ? std::string("accepted") : r.error().detail;
}

std::string verify_reason(const std::string& token, const JwkSet& keys = key_set())
{
    return reason_of(verify_jwt(token, keys, settings(), kNow));
}

}  // namespace

TEST_SUITE("auth.jwt") {
TEST_CASE("a valid RS256 token names its user, groups and attributes") {
    const auto token = sign_rs256(
        rsa_key(0), kRsHeader,
        claims(R"(,"groups":["analysts","fraud"],"region":"EU","purposes":["fraud","marketing"],)"
               R"("level":3,"admin":false,"realm":{"x":1},"bad-name":"x","name":"mallory")"));
    const auto r = verify_jwt(token, key_set(), settings(), kNow);
    REQUIRE_MESSAGE(r.has_value(), (r.has_value() ? "" : r.error().message));
    CHECK(r->user == "alice");
    CHECK(r->groups == std::vector<std::string>{"analysts", "fraud"});
    CHECK(r->key_id == "rsa-1");
    CHECK(r->algorithm == JwsAlgorithm::Rs256);
    CHECK(r->expires_at == doctest::Approx(double(kNow + 300)));
    REQUIRE(r->attributes.count("region") == 1);
    CHECK(std::get<std::string>(r->attributes.at("region")) == "EU");
    CHECK(std::get<std::vector<std::string>>(r->attributes.at("purposes")) ==
          std::vector<std::string>{"fraud", "marketing"});
    CHECK(std::get<std::string>(r->attributes.at("level")) == "3");
    CHECK(std::get<std::string>(r->attributes.at("admin")) == "false");
    // Registered claims, objects, names outside [A-Za-z_][A-Za-z0-9_]* and the reserved
    // @user.name / @user.groups are never attributes.
    for (const char* absent : {"iss", "sub", "aud", "exp", "iat", "realm", "bad-name", "name",
                               "groups"}) {
        CAPTURE(absent);
        CHECK(r->attributes.count(absent) == 0);
    }
    CHECK(ERR_peek_error() == 0);
}

TEST_CASE("a valid ES256 token is accepted") {
    const auto r = verify_jwt(sign_es256(ec_key(0), kEsHeader, claims()), key_set(), settings(),
                              kNow);
    REQUIRE_MESSAGE(r.has_value(), (r.has_value() ? "" : r.error().message));
    CHECK(r->user == "alice");
    CHECK(r->groups.empty());
    CHECK(r->algorithm == JwsAlgorithm::Es256);
    CHECK(r->key_id == "ec-1");
}

TEST_CASE("without kid, every key of the token's algorithm is tried") {
    const auto set = JwkSet::parse(jwks({rsa_jwk(rsa_key(1), ""), rsa_jwk(rsa_key(0), ""),
                                         ec_jwk(ec_key(0), "")}));
    REQUIRE(set.has_value());
    CHECK(set->size() == 3);
    CHECK(verify_reason(sign_rs256(rsa_key(0), R"({"alg":"RS256"})", claims()), *set) ==
          "accepted");
    CHECK(verify_reason(sign_es256(ec_key(0), R"({"alg":"ES256"})", claims()), *set) ==
          "accepted");
    CHECK(verify_reason(sign_es256(ec_key(1), R"({"alg":"ES256"})", claims()), *set) ==
          jwt_reason::kBadSignature);
    const auto rsa_only = JwkSet::parse(jwks({rsa_jwk(rsa_key(0), "")}));
    REQUIRE(rsa_only.has_value());
    CHECK(verify_reason(sign_es256(ec_key(0), R"({"alg":"ES256"})", claims()), *rsa_only) ==
          jwt_reason::kUnknownKey);
}

TEST_CASE("time claims are checked against now with the leeway") {
    const auto leeway = settings().leeway_seconds;
    REQUIRE(leeway > 0);
    struct Case {
        std::string extra;
        std::int64_t exp;
        std::string_view expected;
    };
    const Case cases[] = {
        {"", kNow - leeway - 1, jwt_reason::kExpired},
        {"", kNow - leeway, jwt_reason::kExpired},          // now == exp + leeway: expired
        {"", kNow - leeway + 1, "accepted"},                 // inside the skew
        {"", kNow + 3600, "accepted"},
        {",\"nbf\":" + std::to_string(kNow + leeway + 1), kNow + 3600, jwt_reason::kNotYetValid},
        {",\"nbf\":" + std::to_string(kNow + leeway), kNow + 3600, "accepted"},
        {",\"nbf\":" + std::to_string(kNow - 5) + ".5", kNow + 3600, "accepted"},
        {",\"nbf\":\"soon\"", kNow + 3600, jwt_reason::kBadClaims},
    };
    for (const auto& c : cases) {
        CAPTURE(c.extra);
        CAPTURE(c.exp);
        CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader, claims(c.extra, c.exp))) ==
              c.expected);
    }
    // iat in the future (beyond the leeway) is refused as not yet valid.
    const std::string future_iat = "{\"iss\":\"https://idp.example.com/\",\"aud\":\"meshgate\","
                                   "\"sub\":\"alice\",\"exp\":" +
                                   std::to_string(kNow + 7200) +
                                   ",\"iat\":" + std::to_string(kNow + 3600) + "}";
    CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader, future_iat)) ==
          jwt_reason::kNotYetValid);
    // A token without exp would be valid forever once leaked.
    const std::string no_exp =
        R"({"iss":"https://idp.example.com/","aud":"meshgate","sub":"alice"})";
    CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader, no_exp)) == jwt_reason::kBadClaims);
}

TEST_CASE("issuer and audience must match the configuration") {
    CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader,
                                   claims("", kNow + 300, "https://evil.example.com/"))) ==
          jwt_reason::kWrongIssuer);
    CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader,
                                   claims("", kNow + 300, "https://idp.example.com"))) ==
          jwt_reason::kWrongIssuer);
    CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader,
                                   claims("", kNow + 300, "https://idp.example.com/",
                                          "\"other-service\""))) ==
          jwt_reason::kWrongAudience);
    CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader,
                                   claims("", kNow + 300, "https://idp.example.com/",
                                          R"(["a","meshgate"])"))) == "accepted");
    CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader,
                                   claims("", kNow + 300, "https://idp.example.com/",
                                          R"(["a","b"])"))) == jwt_reason::kWrongAudience);
    CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader,
                                   claims("", kNow + 300, "https://idp.example.com/", "[]"))) ==
          jwt_reason::kWrongAudience);
    CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader,
                                   claims("", kNow + 300, "https://idp.example.com/",
                                          R"(["meshgate",7])"))) == jwt_reason::kBadClaims);
    const std::string no_iss = R"({"aud":"meshgate","sub":"alice","exp":)" +
                               std::to_string(kNow + 300) + "}";
    CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader, no_iss)) == jwt_reason::kWrongIssuer);
}

TEST_CASE("a tampered token or one signed by another key fails the signature check") {
    const auto good = sign_rs256(rsa_key(0), kRsHeader, claims());
    REQUIRE(verify_reason(good) == "accepted");
    SUBCASE("flipped signature byte") {
        auto sig = *base64url_decode(good.substr(good.rfind('.') + 1));
        sig[sig.size() / 2] ^= 0x01;
        CHECK(verify_reason(good.substr(0, good.rfind('.') + 1) + base64url_encode(sig)) ==
              jwt_reason::kBadSignature);
    }
    SUBCASE("payload swapped for another user's") {
        const std::string other =
            claims().replace(claims().find("\"alice\""), 7, "\"admin\"");
        const auto dot1 = good.find('.');
        const auto dot2 = good.rfind('.');
        CHECK(verify_reason(good.substr(0, dot1 + 1) + base64url_encode(other) +
                            good.substr(dot2)) == jwt_reason::kBadSignature);
    }
    SUBCASE("RSA signature cut short") {
        auto sig = *base64url_decode(good.substr(good.rfind('.') + 1));
        sig.pop_back();
        CHECK(verify_reason(good.substr(0, good.rfind('.') + 1) + base64url_encode(sig)) ==
              jwt_reason::kBadSignature);
    }
    SUBCASE("other RSA key pair, same kid") {
        CHECK(verify_reason(sign_rs256(rsa_key(1), kRsHeader, claims())) ==
              jwt_reason::kBadSignature);
    }
    SUBCASE("other EC key pair, same kid") {
        CHECK(verify_reason(sign_es256(ec_key(1), kEsHeader, claims())) ==
              jwt_reason::kBadSignature);
    }
    SUBCASE("ES256 signature in DER instead of r||s") {
        const std::string input =
            base64url_encode(kEsHeader) + "." + base64url_encode(claims());
        CHECK(verify_reason(input + "." + base64url_encode(digest_sign(ec_key(0), input))) ==
              jwt_reason::kBadSignature);
    }
    SUBCASE("flipped ES256 signature byte") {
        const auto es = sign_es256(ec_key(0), kEsHeader, claims());
        REQUIRE(verify_reason(es) == "accepted");
        auto sig = *base64url_decode(es.substr(es.rfind('.') + 1));
        sig[40] ^= 0x80;
        CHECK(verify_reason(es.substr(0, es.rfind('.') + 1) + base64url_encode(sig)) ==
              jwt_reason::kBadSignature);
    }
    CHECK(ERR_peek_error() == 0);
}

TEST_CASE("alg none, HMAC and other algorithms are refused before any key is used") {
    const std::string payload = claims();
    SUBCASE("alg none with an empty signature") {
        // Empty signature: refused on shape before the header is even read.
        const std::string t = base64url_encode(R"({"alg":"none"})") + "." +
                              base64url_encode(payload) + ".";
        CHECK(verify_reason(t) == jwt_reason::kMalformed);
        // With some signature bytes, alg none is refused as an algorithm.
        CHECK(verify_reason(t + "AAAA") == jwt_reason::kUnsupportedAlg);
    }
    SUBCASE("alg None / NONE variants") {
        for (const char* h : {R"({"alg":"None"})", R"({"alg":"NONE"})", R"({"alg":"rs256"})"}) {
            CAPTURE(h);
            CHECK(verify_reason(sign_rs256(rsa_key(0), h, payload)) ==
                  jwt_reason::kUnsupportedAlg);
        }
    }
    SUBCASE("HS256 keyed with the RSA public key (key confusion)") {
        // The attacker knows the public key: the JWK text and the PEM/DER forms are the usual
        // guesses for "the secret" of a confused verifier.
        const std::string jwk = rsa_jwk(rsa_key(0), "rsa-1");
        unsigned char* der = nullptr;
        const int len = i2d_PUBKEY(rsa_key(0), &der);
        REQUIRE(len > 0);
        const std::string spki(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
        OPENSSL_free(der);
        for (const std::string& secret : {jwk, spki}) {
            CHECK(verify_reason(sign_hs256(secret, R"({"alg":"HS256","kid":"rsa-1"})", payload)) ==
                  jwt_reason::kUnsupportedAlg);
            CHECK(verify_reason(sign_hs256(secret, R"({"alg":"HS256"})", payload)) ==
                  jwt_reason::kUnsupportedAlg);
        }
    }
    SUBCASE("other JOSE algorithms") {
        for (const char* h : {R"({"alg":"RS384"})", R"({"alg":"PS256"})", R"({"alg":"ES384"})",
                              R"({"alg":"EdDSA"})", R"({"alg":"HS512"})", R"({"alg":""})"}) {
            CAPTURE(h);
            CHECK(verify_reason(sign_rs256(rsa_key(0), h, payload)) ==
                  jwt_reason::kUnsupportedAlg);
        }
    }
    SUBCASE("alg missing or not a string") {
        CHECK(verify_reason(sign_rs256(rsa_key(0), R"({"kid":"rsa-1"})", payload)) ==
              jwt_reason::kMalformed);
        CHECK(verify_reason(sign_rs256(rsa_key(0), R"({"alg":["RS256"]})", payload)) ==
              jwt_reason::kMalformed);
    }
}

TEST_CASE("kid must name a key of the token's algorithm") {
    CHECK(verify_reason(sign_rs256(rsa_key(0), R"({"alg":"RS256","kid":"nope"})", claims())) ==
          jwt_reason::kUnknownKey);
    // RS256 header pointing at the EC key, and the reverse.
    CHECK(verify_reason(sign_rs256(rsa_key(0), R"({"alg":"RS256","kid":"ec-1"})", claims())) ==
          jwt_reason::kKeyMismatch);
    CHECK(verify_reason(sign_es256(ec_key(0), R"({"alg":"ES256","kid":"rsa-1"})", claims())) ==
          jwt_reason::kKeyMismatch);
    CHECK(verify_reason(sign_rs256(rsa_key(0), R"({"alg":"RS256","kid":1})", claims())) ==
          jwt_reason::kMalformed);
    // An embedded key is never trusted: signed by key 1, carrying key 1 as "jwk".
    const std::string h = R"({"alg":"RS256","jwk":)" + rsa_jwk(rsa_key(1), "") + "}";
    CHECK(verify_reason(sign_rs256(rsa_key(1), h, claims())) == jwt_reason::kBadSignature);
}

TEST_CASE("header parameters meshgate does not understand are refused") {
    for (const char* h : {R"({"alg":"RS256","kid":"rsa-1","crit":["exp"],"exp":1})",
                          R"({"alg":"RS256","kid":"rsa-1","b64":false})",
                          R"({"alg":"RS256","kid":"rsa-1","zip":"DEF"})",
                          R"({"alg":"RS256","kid":"rsa-1","typ":"JWE"})",
                          R"({"alg":"RS256","kid":"rsa-1","typ":7})"}) {
        CAPTURE(h);
        CHECK(verify_reason(sign_rs256(rsa_key(0), h, claims())) == jwt_reason::kBadHeader);
    }
    for (const char* h : {R"({"alg":"RS256","kid":"rsa-1","typ":"jwt"})",
                          R"({"alg":"RS256","kid":"rsa-1","typ":"at+jwt"})",
                          R"({"alg":"RS256","kid":"rsa-1"})"}) {
        CAPTURE(h);
        CHECK(verify_reason(sign_rs256(rsa_key(0), h, claims())) == "accepted");
    }
}

TEST_CASE("user and groups claims must have the configured shape") {
    struct Case {
        std::string payload;
        std::string_view expected;
    };
    const std::string base = R"({"iss":"https://idp.example.com/","aud":"meshgate","exp":)" +
                             std::to_string(kNow + 300);
    const Case cases[] = {
        {base + "}", jwt_reason::kBadClaims},                                  // no sub
        {base + R"(,"sub":""})", jwt_reason::kBadClaims},
        {base + R"(,"sub":42})", jwt_reason::kBadClaims},
        {base + R"(,"sub":"al\u0000ice"})", jwt_reason::kBadClaims},           // NUL
        {base + R"(,"sub":"al\nice"})", jwt_reason::kBadClaims},
        {base + R"(,"sub":")" + std::string(256, 'a') + "\"}", jwt_reason::kBadClaims},
        {base + R"(,"sub":")" + std::string(255, 'a') + "\"}", "accepted"},
        {base + R"(,"sub":"alice","groups":"analysts"})", jwt_reason::kBadClaims},
        {base + R"(,"sub":"alice","groups":["analysts",1]})", jwt_reason::kBadClaims},
        {base + R"(,"sub":"alice","groups":["a",""]})", jwt_reason::kBadClaims},
        {base + R"(,"sub":"alice","groups":[]})", "accepted"},
        {base + R"(,"sub":"j\u00f6rg"})", "accepted"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.payload);
        CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader, c.payload)) == c.expected);
    }
}

TEST_CASE("configured user and groups claims are honoured") {
    JwtSettings s = settings();
    s.user_claim = "preferred_username";
    s.groups_claim = "roles";
    const auto t = sign_es256(
        ec_key(0), kEsHeader,
        claims(R"(,"preferred_username":"bob","roles":["finance"],"groups":["ignored"])"));
    const auto r = verify_jwt(t, key_set(), s, kNow);
    REQUIRE_MESSAGE(r.has_value(), (r.has_value() ? "" : r.error().message));
    CHECK(r->user == "bob");
    CHECK(r->groups == std::vector<std::string>{"finance"});
    CHECK(r->attributes.count("preferred_username") == 0);
    CHECK(r->attributes.count("roles") == 0);
    // "groups" is reserved as an attribute name even when it is not the groups claim.
    CHECK(r->attributes.count("groups") == 0);
    // Without the configured user claim the token names nobody.
    const auto none = verify_jwt(sign_es256(ec_key(0), kEsHeader, claims()), key_set(), s, kNow);
    CHECK(reason_of(none) == jwt_reason::kBadClaims);
}

TEST_CASE("malformed tokens are refused as malformed") {
    const auto good = sign_rs256(rsa_key(0), kRsHeader, claims());
    const auto dot1 = good.find('.');
    const auto dot2 = good.rfind('.');
    const std::string h = good.substr(0, dot1);
    const std::string p = good.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string s = good.substr(dot2 + 1);
    const std::string cases[] = {
        "",
        "abc",
        h + "." + p,                                  // two parts
        good + "." + s,                               // four parts
        good + ".x.y",                                // five parts (JWE shape)
        "." + p + "." + s,                            // empty header
        h + ".." + s,                                 // empty payload
        h + "." + p + ".",                            // empty signature (as alg none would)
        h + "=." + p + "." + s,                       // padding
        h + "." + p + "." + s + "=",
        h + "." + p + "+." + s,                       // standard-alphabet symbol
        " " + good,                                   // whitespace
        good + "\n",
        base64url_encode("not json") + "." + p + "." + s,
        base64url_encode("[1,2]") + "." + p + "." + s,
        base64url_encode(R"({"alg":"RS256","alg":"none"})") + "." + p + "." + s,  // duplicate
        good + std::string(kMaxJwtBytes, 'A'),        // huge
    };
    for (const auto& t : cases) {
        CAPTURE(t.substr(0, 80));
        CHECK(verify_reason(t) == jwt_reason::kMalformed);
    }
    // A signed payload that is not a JSON object.
    for (const char* payload : {"[]", "\"alice\"", "{\"sub\":\"alice\"", "{\"a\":1,\"a\":2}"}) {
        CAPTURE(payload);
        CHECK(verify_reason(sign_rs256(rsa_key(0), kRsHeader, payload)) == jwt_reason::kMalformed);
    }
    CHECK(ERR_peek_error() == 0);
}

TEST_CASE("every refusal is 28P01 with a message that does not echo the token") {
    const auto t = sign_rs256(rsa_key(0), kRsHeader,
                              claims("", kNow - 3600, "https://secret-issuer.example/"));
    const auto r = verify_jwt(t, key_set(), settings(), kNow);
    REQUIRE(!r.has_value());
    CHECK(r.error().sqlstate == "28P01");
    CHECK(r.error().message.find("secret-issuer") == std::string::npos);
    CHECK(r.error().message.find(t.substr(0, 20)) == std::string::npos);
}
}

TEST_SUITE("auth.jwks") {
TEST_CASE("usable keys are loaded, unusable ones skipped") {
    const auto set = JwkSet::parse(jwks({
        rsa_jwk(rsa_key(0), "a", "RS256", R"(,"use":"sig","key_ops":["verify"])"),
        ec_jwk(ec_key(0), "b", ""),                                 // alg inferred
        rsa_jwk(rsa_key(1), "c", "PS256"),                          // unsupported alg
        rsa_jwk(rsa_key(1), "d", "RS256", R"(,"use":"enc")"),       // encryption key
        rsa_jwk(rsa_key(1), "e", "RS256", R"(,"key_ops":["encrypt"])"),
        R"({"kty":"oct","k":"c2VjcmV0","kid":"f"})",                // HMAC secret
        R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
        R"({"kty":"EC","crv":"P-384","x":"AA","y":"AA","kid":"g"})",
    }));
    REQUIRE_MESSAGE(set.has_value(), (set.has_value() ? "" : set.error().message));
    REQUIRE(set->size() == 2);
    CHECK(set->keys()[0].kid == "a");
    CHECK(set->keys()[0].alg == JwsAlgorithm::Rs256);
    CHECK(set->keys()[1].kid == "b");
    CHECK(set->keys()[1].alg == JwsAlgorithm::Es256);
    // A token naming a skipped key is an unknown key, never verified with something else.
    CHECK(verify_reason(sign_hs256("secret", R"({"alg":"RS256","kid":"f"})", claims()), *set) ==
          jwt_reason::kUnknownKey);
    CHECK(verify_reason(sign_rs256(rsa_key(1), R"({"alg":"RS256","kid":"d"})", claims()), *set) ==
          jwt_reason::kUnknownKey);
}

TEST_CASE("a leading zero byte in the RSA modulus is tolerated") {
    std::string jwk = rsa_jwk(rsa_key(0), "z");
    const std::string n_bytes = bn_param(rsa_key(0), OSSL_PKEY_PARAM_RSA_N);
    const std::string n = b64(n_bytes);
    jwk.replace(jwk.find(n), n.size(), b64(std::string(1, '\0') + n_bytes));
    const auto set = JwkSet::parse(jwks({jwk}));
    REQUIRE(set.has_value());
    CHECK(verify_reason(sign_rs256(rsa_key(0), R"({"alg":"RS256","kid":"z"})", claims()), *set) ==
          "accepted");
}

TEST_CASE("bad JWKS documents are refused with a reason") {
    const std::string p256 = ec_jwk(ec_key(0), "ec");
    // Off-curve point: keep x, change y.
    std::string off_curve = p256;
    const std::string y = b64(bn_param(ec_key(0), OSSL_PKEY_PARAM_EC_PUB_Y, 32));
    std::string y2 = bn_param(ec_key(0), OSSL_PKEY_PARAM_EC_PUB_Y, 32);
    y2[31] ^= 1;
    off_curve.replace(off_curve.find(y), y.size(), b64(y2));
    EVP_PKEY* small = EVP_RSA_gen(1024);
    REQUIRE(small != nullptr);
    const std::string small_jwk = rsa_jwk(small, "small");
    EVP_PKEY_free(small);

    struct Case {
        std::string text;
        std::string fragment;   // expected in the message
    };
    const Case cases[] = {
        {"", "invalid JSON"},
        {"[]", "\"keys\" array"},
        {R"({"keys":{}})", "\"keys\" array"},
        {R"({"keys":[]})", "no usable"},
        {jwks({R"({"kty":"oct","k":"c2VjcmV0"})"}), "no usable"},
        {jwks({"1"}), "keys[0]: not an object"},
        {jwks({R"({"n":"AQAB","e":"AQAB"})"}), "kty"},
        {jwks({R"({"kty":"RSA","e":"AQAB"})"}), "\"n\" is missing"},
        {jwks({R"({"kty":"RSA","n":"!!","e":"AQAB"})"}), "base64url"},
        {jwks({R"({"kty":"RSA","n":"AQAB","e":"AQAB"})"}), "bits"},
        {jwks({small_jwk}), "1024 bits"},
        {jwks({rsa_jwk(rsa_key(0), "x", "RS256", R"(,"d":"AQAB")")}), "private"},
        {jwks({rsa_jwk(rsa_key(0), "x", "ES256")}), "alg ES256 on an RSA key"},
        {jwks({ec_jwk(ec_key(0), "x", "RS256")}), "alg RS256 on an EC key"},
        {jwks({rsa_jwk(rsa_key(0), "x"), ec_jwk(ec_key(0), "x")}), "duplicate kid"},
        {jwks({off_curve}), "not on P-256"},
        {jwks({R"({"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"})"}), "32 bytes"},
        {jwks({rsa_jwk(rsa_key(0), "x", "RS256", R"(,"key_ops":"verify")")}), "key_ops"},
        {jwks({R"({"kty":"RSA","kid":1})"}), "\"kid\" is not a string"},
        {R"({"keys":[)" + p256 + "," + p256 + "]}", "duplicate kid"},
        {std::string(kMaxJwksBytes + 1, ' '), "larger than"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text.substr(0, 120));
        const auto r = JwkSet::parse(c.text);
        REQUIRE(!r.has_value());
        CHECK(r.error().sqlstate == "F0000");
        CHECK_MESSAGE(r.error().message.find(c.fragment) != std::string::npos,
                      r.error().message);
    }
    CHECK(ERR_peek_error() == 0);
}

TEST_CASE("more usable keys than the limit are refused") {
    std::vector<std::string> keys;
    const std::string jwk = ec_jwk(ec_key(0), "");
    for (std::size_t i = 0; i <= kMaxJwksKeys; ++i) {
        keys.push_back(jwk.substr(0, jwk.size() - 1) + ",\"kid\":\"k" + std::to_string(i) +
                       "\"}");
    }
    const auto r = JwkSet::parse(jwks(keys));
    REQUIRE(!r.has_value());
    CHECK(r.error().message.find("usable keys") != std::string::npos);
    keys.pop_back();
    CHECK(JwkSet::parse(jwks(keys)).has_value());
}
}

TEST_SUITE("auth.jwt.mutations") {
TEST_CASE("no single-character change or truncation of a valid token is accepted") {
    const auto settings_ = settings();
    for (const auto& token : {sign_rs256(rsa_key(0), kRsHeader, claims()),
                              sign_es256(ec_key(0), kEsHeader, claims())}) {
        REQUIRE(verify_reason(token) == "accepted");
        for (std::size_t i = 0; i < token.size(); ++i) {
            CAPTURE(i);
            std::string changed = token;
            // Another symbol of the same alphabet (or a dot for a dot): the text stays
            // plausible, so only the checks can catch it.
            changed[i] = token[i] == 'A' ? 'B' : token[i] == '.' ? 'A' : 'A';
            CHECK(!verify_jwt(changed, key_set(), settings_, kNow).has_value());
            CHECK(!verify_jwt(token.substr(0, i), key_set(), settings_, kNow).has_value());
        }
    }
    CHECK(ERR_peek_error() == 0);
}
}
