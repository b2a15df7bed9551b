// ServerTls: the TLS context meshgate presents to clients, and its channel-binding data.
// Layer: proxy (I/O edge; OpenSSL via Boost.Asio ssl::context).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace meshgate::proxy {

/// A server TLS context (TLS 1.2 or newer, certificate chain and key from `listen.tls`,
/// client certificates verified against `client_ca_file` when set) and the
/// tls-server-end-point hash of the certificate, computed once for SCRAM-SHA-256-PLUS.
struct ServerTls {
    std::unique_ptr<boost::asio::ssl::context> context;
    /// Empty when the certificate's signature algorithm defines no binding (then only
    /// SCRAM-SHA-256 is offered).
    std::string channel_binding;
};

/// Builds the context. Errors (58030 unreadable file, F0000 key does not match the
/// certificate, ...) name the file; nothing is echoed from the key.
Result<ServerTls> make_server_tls(const config::ListenTls& tls);

}  // namespace meshgate::proxy
