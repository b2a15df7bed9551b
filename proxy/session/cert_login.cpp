// ClientSession: login by a verified TLS client certificate whose subject CN is the startup
// user (SPEC §5, `listen.tls.client_ca_file`). Layer: proxy (I/O edge).
#include "auth/client_cert.hpp"
#include "proxy/log.hpp"
#include "proxy/session/client_session.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace meshgate::proxy {
namespace asio = boost::asio;

asio::awaitable<ClientSession::AltLogin> ClientSession::cert_login()
{
    const auto& tls_config = snapshot_->listen.tls;
    Stream::Tls* tls = client_->tls();
    if (tls == nullptr || !tls_config || tls_config->client_ca_file.empty()) {
        co_return AltLogin::NotApplicable;
    }
    SSL* ssl = tls->native_handle();
    const X509* peer = SSL_get0_peer_certificate(ssl);
    if (peer == nullptr) {
        co_return AltLogin::NotApplicable;  // no certificate: SCRAM or JWT as usual
    }
    // The handshake already refused a certificate that does not chain to client_ca_file
    // (verify_peer); checking the result again keeps this safe if that mode ever changes.
    if (SSL_get_verify_result(ssl) != X509_V_OK) {
        co_return AltLogin::NotApplicable;
    }
    auto cn = auth::client_cert_user(peer);
    if (!cn) {
        log_info("client certificate not used for login",
                 {{"peer", peer_}, {"user", startup_.user}, {"reason", cn.error().message}});
        co_return AltLogin::NotApplicable;
    }
    // A certificate logs in only the user it names, and only a configured one (its groups and
    // attributes come from `users:`); anything else falls through to the password methods, so
    // a certificate never grants more than a password would.
    const auto it = snapshot_->users.find(startup_.user);
    if (*cn != startup_.user || it == snapshot_->users.end()) {
        log_info("client certificate not used for login",
                 {{"peer", peer_},
                  {"user", startup_.user},
                  {"reason", "the CN is not the startup user, or that user is not configured"}});
        co_return AltLogin::NotApplicable;
    }
    const bool ok = co_await login_succeeded("cert", it->second.max_connections);
    co_return ok ? AltLogin::Ok : AltLogin::Failed;
}

}  // namespace meshgate::proxy
