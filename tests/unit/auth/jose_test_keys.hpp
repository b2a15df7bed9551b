// Test helpers for auth/jwt and auth/client_cert: key pairs generated with OpenSSL in the test,
// JWK export, JWS signing (RS256, ES256, HS256) and self-signed certificates. Test-only.
#pragma once

#include "auth/base64url.hpp"
#include "auth/digest.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jose_test {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

inline void require(bool ok, const char* what)
{
    if (!ok) {
        throw std::runtime_error(std::string("test setup failed: ") + what);
    }
}

/// RSA 2048 / EC P-256 key pairs, generated once per process (RSA generation is slow-ish).
inline EVP_PKEY* rsa_key(int which)
{
    static PkeyPtr keys[2] = {PkeyPtr(EVP_RSA_gen(2048)), PkeyPtr(EVP_RSA_gen(2048))};
    require(keys[which] != nullptr, "EVP_RSA_gen");
    return keys[which].get();
}

inline EVP_PKEY* ec_key(int which)
{
    static PkeyPtr keys[2] = {PkeyPtr(EVP_EC_gen("P-256")), PkeyPtr(EVP_EC_gen("P-256"))};
    require(keys[which] != nullptr, "EVP_EC_gen");
    return keys[which].get();
}

inline std::string bn_param(EVP_PKEY* k, const char* name, int pad = 0)
{
    BIGNUM* bn = nullptr;
    require(EVP_PKEY_get_bn_param(k, name, &bn) == 1, name);
    std::string out(
        pad > 0 ? static_cast<std::size_t>(pad) : static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    const int rc = pad > 0 ? BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), pad)
                           : BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    require(rc >= 0, "BN_bn2bin");
    return out;
}

inline std::string b64(std::string_view s) { return meshgate::auth::base64url_encode(s); }

/// The public JWK of an RSA key, with optional kid/alg/extra members (raw JSON, leading comma).
inline std::string rsa_jwk(EVP_PKEY* k, std::string_view kid, std::string_view alg = "RS256",
                           std::string_view extra = "")
{
    std::string j = "{\"kty\":\"RSA\",\"n\":\"" + b64(bn_param(k, OSSL_PKEY_PARAM_RSA_N)) +
                    "\",\"e\":\"" + b64(bn_param(k, OSSL_PKEY_PARAM_RSA_E)) + "\"";
    if (!kid.empty()) {
        j += ",\"kid\":\"" + std::string(kid) + "\"";
    }
    if (!alg.empty()) {
        j += ",\"alg\":\"" + std::string(alg) + "\"";
    }
    return j + std::string(extra) + "}";
}

inline std::string ec_jwk(EVP_PKEY* k, std::string_view kid, std::string_view alg = "ES256",
                          std::string_view extra = "")
{
    std::string j = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" +
                    b64(bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, 32)) + "\",\"y\":\"" +
                    b64(bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, 32)) + "\"";
    if (!kid.empty()) {
        j += ",\"kid\":\"" + std::string(kid) + "\"";
    }
    if (!alg.empty()) {
        j += ",\"alg\":\"" + std::string(alg) + "\"";
    }
    return j + std::string(extra) + "}";
}

inline std::string jwks(const std::vector<std::string>& keys)
{
    std::string j = "{\"keys\":[";
    for (std::size_t i = 0; i < keys.size(); ++i) {
        j += (i ? "," : "") + keys[i];
    }
    return j + "]}";
}

inline std::string digest_sign(EVP_PKEY* k, std::string_view input)
{
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    require(md != nullptr, "EVP_MD_CTX_new");
    std::size_t len = 0;
    bool ok =
        EVP_DigestSignInit_ex(md, nullptr, "SHA256", nullptr, nullptr, k, nullptr) == 1 &&
        EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1;
    std::string sig(len, '\0');
    ok = ok &&
         EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(md);
    require(ok, "EVP_DigestSign");
    sig.resize(len);
    return sig;
}

/// DER ECDSA-Sig-Value to JOSE r||s (32 bytes each).
inline std::string der_to_raw(const std::string& der)
{
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    require(sig != nullptr, "d2i_ECDSA_SIG");
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return raw;
}

/// header.payload.signature with `header`/`payload` given as JSON text.
inline std::string sign_rs256(EVP_PKEY* k, std::string_view header, std::string_view payload)
{
    const std::string input = b64(header) + "." + b64(payload);
    return input + "." + b64(digest_sign(k, input));
}

inline std::string sign_es256(EVP_PKEY* k, std::string_view header, std::string_view payload)
{
    const std::string input = b64(header) + "." + b64(payload);
    return input + "." + b64(der_to_raw(digest_sign(k, input)));
}

inline std::string sign_hs256(std::string_view secret, std::string_view header,
                              std::string_view payload)
{
    const std::string input = b64(header) + "." + b64(payload);
    return input + "." + b64(meshgate::auth::hmac_sha256(secret, input));
}

/// A self-signed certificate whose subject holds `entries` as (field, value) pairs in order,
/// with `type` MBSTRING_UTF8 values (a value may hold any bytes, NUL included); signed unless
/// `sign` is false.
inline X509Ptr self_signed(const std::vector<std::pair<std::string, std::string>>& entries,
                           int type = MBSTRING_UTF8, bool sign = true)
{
    EVP_PKEY* key = ec_key(0);
    X509Ptr cert(X509_new());
    require(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    // Validity is irrelevant to CN extraction; fixed dates keep the test clock-free.
    require(ASN1_TIME_set_string(X509_getm_notBefore(cert.get()), "20260101000000Z") == 1 &&
                ASN1_TIME_set_string(X509_getm_notAfter(cert.get()), "20360101000000Z") == 1,
            "ASN1_TIME_set_string");
    X509_NAME* name = X509_get_subject_name(cert.get());
    for (const auto& [field, value] : entries) {
        require(X509_NAME_add_entry_by_txt(name, field.c_str(), type,
                                           reinterpret_cast<const unsigned char*>(value.data()),
                                           static_cast<int>(value.size()), -1, 0) == 1,
                "X509_NAME_add_entry_by_txt");
    }
    // A fixed issuer: copying a hostile subject into the issuer may itself fail in OpenSSL.
    X509_NAME* issuer = X509_get_issuer_name(cert.get());
    require(X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>("test CA"), -1, -1,
                                       0) == 1,
            "issuer name");
    require(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
    // OpenSSL refuses to sign (encode) a name it cannot canonicalize, e.g. invalid UTF-8; tests
    // of such names use the unsigned in-memory certificate (CN extraction ignores signatures).
    if (sign) {
        require(X509_sign(cert.get(), key, EVP_sha256()) > 0, "X509_sign");
    }
    return cert;
}

}  // namespace jose_test
