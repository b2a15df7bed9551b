// Subject CN extraction from a verified client certificate. Layer: auth.
#include "auth/client_cert.hpp"

#include "auth/json_value.hpp"
#include "auth/jwt.hpp"
#include "auth/ok.hpp"

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <memory>
#include <string_view>

namespace meshgate::auth {
namespace {

Error refuse(std::string why)
{
    ERR_clear_error();
    return make_error("28000", "client certificate refused: " + std::move(why));
}

struct OpensslFree {
    void operator()(unsigned char* p) const { OPENSSL_free(p); }
};

}  // namespace

Result<std::string> client_cert_user(const X509* cert)
{
    if (cert == nullptr) {
        return refuse("no certificate");
    }
    const X509_NAME* subject = X509_get_subject_name(cert);
    if (subject == nullptr) {
        return refuse("no subject");
    }
    const int first = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (first < 0) {
        return refuse("the subject has no CN");
    }
    if (X509_NAME_get_index_by_NID(subject, NID_commonName, first) >= 0) {
        return refuse("the subject has more than one CN");
    }
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, first);
    const ASN1_STRING* data = entry == nullptr ? nullptr : X509_NAME_ENTRY_get_data(entry);
    if (data == nullptr) {
        return refuse("unreadable CN");
    }
    // Converts every ASN.1 string type (PrintableString, BMPString, UTF8String, ...) to UTF-8;
    // a BMPString with a bad length or a UniversalString out of range fails here.
    unsigned char* raw = nullptr;
    const int len = ASN1_STRING_to_UTF8(&raw, data);
    const std::unique_ptr<unsigned char, OpensslFree> owned(raw);
    if (len < 0 || raw == nullptr) {
        return refuse("the CN does not convert to UTF-8");
    }
    const std::string_view cn(reinterpret_cast<const char*>(raw), static_cast<std::size_t>(len));
    if (cn.empty() || cn.size() > kMaxIdentityStringBytes) {
        return refuse("the CN is empty or longer than " + std::to_string(kMaxIdentityStringBytes) +
                      " bytes");
    }
    if (!is_valid_utf8(cn)) {
        return refuse("the CN is not well-formed UTF-8");
    }
    // "alice\0.evil" must not become "alice" in C-string consumers down the line (the classic
    // NUL-in-CN attack), and control bytes have no business in a user name.
    for (const char c : cn) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b == 0x7F) {
            return refuse("the CN holds a NUL or control byte");
        }
    }
    return ok(std::string(cn));
}

}  // namespace meshgate::auth
