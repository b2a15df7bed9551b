// tls-server-end-point channel binding data (RFC 5929 §4) for SCRAM-SHA-256-PLUS. Layer: auth.
#pragma once

#include "common/error.hpp"

#include <openssl/x509.h>

#include <string>

namespace meshgate::auth {

/// The channel binding data of type tls-server-end-point for `server_cert` (the certificate the
/// server presents in the TLS handshake; not owned, not modified): the hash of its DER
/// encoding with the digest of the certificate's signature algorithm, where MD5 and SHA-1 are
/// replaced by SHA-256 (RFC 5929 §4.1). This is what PostgreSQL's be_tls_get_certificate_hash
/// computes. Refused (SQLSTATE 0A000) for a null certificate and for signature algorithms that
/// name no single digest (Ed25519, Ed448, RSA-PSS), for which RFC 5929 defines no binding;
/// callers then offer only SCRAM-SHA-256 without -PLUS.
Result<std::string> tls_server_end_point(const X509* server_cert);

}  // namespace meshgate::auth
