// The user a TLS client certificate names (SPEC §5: the subject CN names the user).
// Layer: auth (OpenSSL, pure: no sockets; the TLS layer verifies the chain first).
#pragma once

#include "common/error.hpp"

#include <openssl/types.h>

#include <string>

namespace meshgate::auth {

/// The user name in `cert`'s subject: the one commonName attribute, as UTF-8. `cert` must be a
/// peer certificate the TLS layer has already verified against `client_ca_file` (this function
/// checks names, not trust). Refused with SQLSTATE 28000 (the reason is for the log only): a
/// null certificate, a subject with no CN or with more than one CN (which CN "is" the user
/// would depend on the reader), a CN that does not convert to UTF-8, holds a NUL or another
/// control byte, is empty, or is longer than kMaxIdentityStringBytes (auth/jwt.hpp). The
/// OpenSSL error queue is left empty.
Result<std::string> client_cert_user(const X509* cert);

}  // namespace meshgate::auth
