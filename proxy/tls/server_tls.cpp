// ServerTls: building the client-facing TLS context.
// Layer: proxy (I/O edge).
#include "proxy/tls/server_tls.hpp"

#include "auth/channel_binding.hpp"

#include <openssl/ssl.h>

namespace meshgate::proxy {
namespace ssl = boost::asio::ssl;

Result<ServerTls> make_server_tls(const config::ListenTls& tls)
{
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use |
                         SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION,
                     ec);
    if (ec) {
        return make_error("F0000", "cannot set TLS options: " + ec.message());
    }
    if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
        return make_error("F0000", "cannot require TLS 1.2 or newer");
    }
    ctx->use_certificate_chain_file(tls.cert_file, ec);
    if (ec) {
        return make_error("58030", "cannot load TLS certificate \"" + tls.cert_file +
                                       "\": " + ec.message());
    }
    ctx->use_private_key_file(tls.key_file, ssl::context::pem, ec);
    if (ec) {
        return make_error("58030", "cannot load TLS private key \"" + tls.key_file +
                                       "\": " + ec.message());
    }
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        return make_error("F0000", "TLS private key \"" + tls.key_file +
                                       "\" does not match certificate \"" + tls.cert_file + "\"");
    }
    if (!tls.client_ca_file.empty()) {
        ctx->load_verify_file(tls.client_ca_file, ec);
        if (ec) {
            return make_error("58030", "cannot load client CA file \"" + tls.client_ca_file +
                                           "\": " + ec.message());
        }
        // Name the acceptable CAs in the CertificateRequest, so clients holding several
        // certificates pick one this CA issued.
        STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str());
        if (names == nullptr) {
            return make_error("58030", "cannot read CA names from client CA file \"" +
                                           tls.client_ca_file + "\"");
        }
        SSL_CTX_set_client_CA_list(ctx->native_handle(), names);  // takes ownership
        // A presented client certificate must chain to the CA; presenting none is allowed
        // (the client then authenticates with SCRAM or a JWT). The CN of a verified
        // certificate names the user (proxy/session/cert_login.cpp).
        ctx->set_verify_mode(ssl::verify_peer, ec);
        if (ec) {
            return make_error("F0000", "cannot enable client certificate checks: " + ec.message());
        }
    }
    ServerTls out;
    const X509* cert = SSL_CTX_get0_certificate(ctx->native_handle());
    if (auto cb = auth::tls_server_end_point(cert)) {
        out.channel_binding = std::move(*cb);
    }
    out.context = std::move(ctx);
    return out;
}

}  // namespace meshgate::proxy
