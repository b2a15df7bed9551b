// ClientSession startup: SSLRequest/GSSENCRequest negotiation, CancelRequest forwarding and the
// StartupMessage. Layer: proxy (I/O edge).
#include "proxy/cancel_registry.hpp"
#include "proxy/io/cancel_request.hpp"
#include "proxy/log.hpp"
#include "proxy/session/client_session.hpp"
#include "proxy/tls/server_tls.hpp"
#include "proxy/wire/messages.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>

namespace meshgate::proxy {
namespace asio = boost::asio;

asio::awaitable<bool> ClientSession::startup()
{
    const wire::Limits wl{limits_.max_startup_packet, limits_.max_message};
    bool ssl_done = false;
    bool gss_done = false;
    while (true) {
        auto decoded = wire::decode_startup(cin_.view(), wl);
        if (auto* more = std::get_if<wire::NeedMore>(&decoded)) {
            std::size_t room = 0;
            char* p = cin_.prepare(more->at_least - cin_.size(), room);
            auto [ec, n] = co_await client_->read_some(p, room);
            if (ec) {
                co_return false;  // closed before starting: nothing to answer
            }
            cin_.commit(n);
            services_->stats->bytes_from_clients.fetch_add(n, std::memory_order_relaxed);
            continue;
        }
        if (auto* bad = std::get_if<wire::Malformed>(&decoded)) {
            co_await send_fatal(make_error(bad->sqlstate, bad->text));
            co_return false;
        }
        auto& frame = std::get<wire::Frame<wire::StartupPacket>>(decoded);
        wire::StartupPacket packet = std::move(frame.message);
        cin_.consume(frame.consumed);

        if (std::holds_alternative<wire::SslRequest>(packet)) {
            if (ssl_done || client_->is_tls()) {
                co_await send_fatal(make_error("08P01", "SSLRequest received twice"));
                co_return false;
            }
            ssl_done = true;
            if (services_->tls == nullptr) {
                client_out_ = "N";
                if (!co_await flush_client()) {
                    co_return false;
                }
                continue;
            }
            if (!cin_.empty()) {
                // Bytes sent after SSLRequest but before the handshake could have been injected
                // by a man in the middle (CVE-2021-23214): refuse them.
                co_await send_fatal(
                    make_error("08P01", "received unencrypted data after SSL request"));
                co_return false;
            }
            if (!co_await start_tls()) {
                co_return false;
            }
            continue;
        }
        if (std::holds_alternative<wire::GssEncRequest>(packet)) {
            if (gss_done || client_->is_tls()) {
                co_await send_fatal(make_error("08P01", "GSSENCRequest received twice"));
                co_return false;
            }
            gss_done = true;
            client_out_ = "N";
            if (!co_await flush_client()) {
                co_return false;
            }
            continue;
        }
        if (auto* cancel = std::get_if<wire::CancelRequest>(&packet)) {
            co_await forward_cancel(*cancel);
            co_return false;
        }

        const auto& sm = std::get<wire::StartupMessage>(packet);
        const auto& tls_cfg = snapshot_->listen.tls;
        if (tls_cfg && tls_cfg->require && !client_->is_tls()) {
            co_await send_fatal(make_error("28000", "SSL required"));
            co_return false;
        }
        auto settings = parse_startup_settings(sm);
        if (!settings) {
            co_await send_fatal(settings.error());
            co_return false;
        }
        startup_ = std::move(*settings);
        submit_event(event(audit::EventKind::Connect));
        connect_audited_ = true;
        const int max_clients = snapshot_->listen.max_client_connections;
        if (max_clients > 0 && services_->stats->active.load() > max_clients) {
            co_await send_fatal(make_error("53300", "sorry, too many clients already"));
            co_return false;
        }
        if (startup_.negotiate_protocol) {
            wire::encode(wire::NegotiateProtocolVersion{0, startup_.unrecognized_protocol_options},
                         client_out_);
        }
        co_return true;
    }
}

asio::awaitable<bool> ClientSession::start_tls()
{
    client_out_ = "S";
    if (!co_await flush_client()) {
        co_return false;
    }
    auto tls = std::make_unique<Stream::Tls>(std::move(client_->tcp()), *services_->tls->context);
    if (login_deadline_) {
        login_deadline_->socket = &tls->next_layer();  // the deadline follows the socket
    }
    auto [ec] = co_await tls->async_handshake(asio::ssl::stream_base::server,
                                              asio::as_tuple(asio::use_awaitable));
    if (ec) {
        log_info("TLS handshake failed", {{"peer", peer_}, {"error", ec.message()}});
        boost::system::error_code ignored;
        tls->lowest_layer().close(ignored);
        co_return false;
    }
    client_ = std::make_unique<Stream>(std::move(tls));
    co_return true;
}

asio::awaitable<void> ClientSession::forward_cancel(wire::CancelRequest request)
{
    auto target = services_->cancel->lookup(request.process_id, request.secret_key);
    if (!target) {
        // As PostgreSQL: an unknown key is ignored silently (it must not confirm which keys
        // exist).
        log_debug("cancel request with unknown key", {{"peer", peer_}});
        co_return;
    }
    if (!co_await send_cancel_request(*target)) {
        log_warn("cannot deliver cancel request to backend", {{"host", target->host}});
        co_return;
    }
    log_info("cancel request forwarded", {{"peer", peer_}, {"backend_host", target->host}});
}

}  // namespace meshgate::proxy
