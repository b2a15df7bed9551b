// tls_server_end_point over X509_digest. Layer: auth.
#include "auth/channel_binding.hpp"

#include "auth/ok.hpp"

#include <openssl/evp.h>
#include <openssl/objects.h>

namespace meshgate::auth {

Result<std::string> tls_server_end_point(const X509* server_cert)
{
    if (server_cert == nullptr) {
        return make_error("0A000", "channel binding needs a server certificate");
    }
    const int sig_nid = X509_get_signature_nid(server_cert);
    int digest_nid = NID_undef;
    if (OBJ_find_sigid_algs(sig_nid, &digest_nid, nullptr) == 0 || digest_nid == NID_undef) {
        const char* name = OBJ_nid2sn(sig_nid);
        return make_error("0A000",
                          std::string("tls-server-end-point channel binding is undefined for "
                                      "certificate signature algorithm ") +
                              (name != nullptr ? name : "unknown"));
    }
    // RFC 5929 §4.1: MD5 and SHA-1 are too weak to bind a channel, SHA-256 takes their place.
    if (digest_nid == NID_md5 || digest_nid == NID_sha1) {
        digest_nid = NID_sha256;
    }
    const EVP_MD* md = EVP_get_digestbynid(digest_nid);
    if (md == nullptr) {
        return make_error("0A000", std::string("digest ") + OBJ_nid2sn(digest_nid) +
                                       " of the server certificate is not available");
    }
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(server_cert, md, buf, &len) != 1) {
        return make_error("0A000", "could not hash the server certificate for channel binding");
    }
    return ok(std::string(reinterpret_cast<const char*>(buf), len));
}

}  // namespace meshgate::auth
