// Unit tests for auth/channel_binding: tls-server-end-point over in-memory certificates,
// checked against X509_digest with the digest RFC 5929 prescribes.
#include "auth/channel_binding.hpp"

#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

using meshgate::auth::tls_server_end_point;

namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

PkeyPtr make_key(const char* type)
{
    PkeyPtr key(std::string(type) == "EC" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                                          : EVP_PKEY_Q_keygen(nullptr, nullptr, type));
    REQUIRE(key != nullptr);
    return key;
}

// A self-signed certificate with fixed validity dates (no clock), signed with `md` (nullptr
// for algorithms without a separate digest, such as Ed25519).
X509Ptr make_cert(EVP_PKEY* key, const EVP_MD* md)
{
    X509Ptr cert(X509_new());
    REQUIRE(cert != nullptr);
    REQUIRE(X509_set_version(cert.get(), 2) == 1);
    REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 42) == 1);
    REQUIRE(ASN1_TIME_set_string(X509_getm_notBefore(cert.get()), "20250101000000Z") == 1);
    REQUIRE(ASN1_TIME_set_string(X509_getm_notAfter(cert.get()), "20350101000000Z") == 1);
    X509_NAME* name = X509_get_subject_name(cert.get());
    REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>("localhost"), -1,
                                       -1, 0) == 1);
    REQUIRE(X509_set_issuer_name(cert.get(), name) == 1);
    REQUIRE(X509_set_pubkey(cert.get(), key) == 1);
    REQUIRE(X509_sign(cert.get(), key, md) > 0);
    return cert;
}

std::string digest_of(X509* cert, const EVP_MD* md)
{
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    REQUIRE(X509_digest(cert, md, buf, &len) == 1);
    return std::string(reinterpret_cast<const char*>(buf), len);
}

}  // namespace

TEST_SUITE("auth.channel_binding") {
TEST_CASE("a SHA-256 signed certificate binds with its SHA-256 hash") {
    const auto key = make_key("EC");
    const auto cert = make_cert(key.get(), EVP_sha256());
    const auto r = tls_server_end_point(cert.get());
    REQUIRE(r.has_value());
    CHECK(r->size() == 32);
    CHECK(*r == digest_of(cert.get(), EVP_sha256()));
}

TEST_CASE("a SHA-384 signed certificate binds with its SHA-384 hash") {
    const auto key = make_key("EC");
    const auto cert = make_cert(key.get(), EVP_sha384());
    const auto r = tls_server_end_point(cert.get());
    REQUIRE(r.has_value());
    CHECK(r->size() == 48);
    CHECK(*r == digest_of(cert.get(), EVP_sha384()));
}

TEST_CASE("a SHA-1 signed certificate binds with SHA-256, as RFC 5929 requires") {
    const auto key = make_key("EC");
    const auto cert = make_cert(key.get(), EVP_sha1());
    const auto r = tls_server_end_point(cert.get());
    REQUIRE(r.has_value());
    CHECK(*r == digest_of(cert.get(), EVP_sha256()));
    CHECK(*r != digest_of(cert.get(), EVP_sha1()).append(12, '\0'));
}

TEST_CASE("different certificates give different binding data") {
    const auto key = make_key("EC");
    const auto a = make_cert(key.get(), EVP_sha256());
    const auto b = make_cert(make_key("EC").get(), EVP_sha256());
    CHECK(tls_server_end_point(a.get()).value() != tls_server_end_point(b.get()).value());
}

TEST_CASE("an Ed25519 certificate or no certificate is refused, not crashed on") {
    const auto key = make_key("ED25519");
    const auto cert = make_cert(key.get(), nullptr);
    const auto r = tls_server_end_point(cert.get());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().sqlstate == "0A000");
    CHECK(r.error().message.find("ED25519") != std::string::npos);

    const auto none = tls_server_end_point(nullptr);
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().sqlstate == "0A000");
}
}
