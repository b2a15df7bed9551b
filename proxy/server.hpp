// proxy::Server: the client listener, the backend pools and the live sessions of one meshgate.
// Layer: proxy (I/O edge).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "proxy/cancel_registry.hpp"
#include "proxy/session/session_services.hpp"
#include "proxy/tls/server_tls.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace meshgate::proxy {

class AuditWriter;
class BackendPool;
class ColumnRelearner;
class Metrics;
struct SessionControl;

/// Owns everything sessions share. Lifetime: construct, open(), co_spawn serve() on the
/// io_context, run the io_context on any number of threads; stop() from any thread; destroy
/// only after every thread running the io_context has returned.
class Server {
public:
    Server(boost::asio::io_context& ctx, config::SnapshotPtr snapshot);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Builds the client TLS context (when `listen.tls` is set), creates a pool per backend and
    /// binds `listen.host:port` (port 0: any free port, see port()). Errors: 58030/F0000 for
    /// TLS files, 08001 "could not bind ... address already in use" and the like.
    Result<void> open();

    /// Metrics and audit for the sessions (either may be null); call before open(). Both must
    /// outlive the server's sessions.
    void set_observability(Metrics* metrics, AuditWriter* audit)
    {
        metrics_ = metrics;
        audit_ = audit;
    }

    /// Learns the catalog backend's ParameterStatus values (server_version, ...), then accepts
    /// clients until stop(). Each session runs on its own strand.
    boost::asio::awaitable<void> serve();

    /// Thread-safe and idempotent: stops accepting and ends every session (each sends FATAL
    /// 57P01 at its next await and releases its backend connections).
    void stop();

    /// Graceful stop (SIGTERM), thread-safe: stops accepting (new connections are refused), ends
    /// the sessions that are between statements with FATAL 57P01 and lets each busy one finish
    /// its statement first. The caller bounds the wait (`limits.drain_timeout_ms`), then calls
    /// stop() for whatever is left.
    void drain();
    bool stopping() const { return stopping_.load(); }
    bool draining() const { return draining_.load(); }

    /// The bound port (after open()).
    uint16_t port() const { return port_; }

    /// The current snapshot (atomic read) and its replacement (reload).
    config::SnapshotPtr snapshot() const;
    void set_snapshot(config::SnapshotPtr snapshot);
    /// Replaces the snapshot with `next` only if it is still `expected` (column relearning must
    /// not undo a reload that happened meanwhile).
    bool replace_snapshot_if(const config::SnapshotPtr& expected, config::SnapshotPtr next);

    /// After a reload: a new pool for each backend that is new or whose settings changed
    /// (sessions keep the old pool they hold until they end); pools of removed backends are
    /// dropped. Thread-safe.
    void update_backends(const config::Snapshot& snap);

    SessionStats& mutable_stats() { return stats_; }

    /// Re-reads unavailable products (after open(); null before).
    std::shared_ptr<ColumnRelearner> relearner() const { return relearner_; }

    /// Every backend's pool (for metrics).
    std::vector<std::pair<std::string, std::shared_ptr<BackendPool>>> pools() const;

    /// A backend's pool, or null.
    std::shared_ptr<BackendPool> pool(const std::string& backend) const;

    const SessionStats& stats() const { return stats_; }
    std::size_t live_sessions() const;

private:
    struct LiveSession {
        boost::asio::any_io_executor strand;
        std::shared_ptr<boost::asio::cancellation_signal> cancel;
        std::shared_ptr<SessionControl> control;
    };
    void close_acceptor();

    boost::asio::awaitable<void> learn_server_parameters();
    void spawn_session(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ctx_;
    mutable std::mutex snapshot_mutex_;
    config::SnapshotPtr snapshot_;
    std::unique_ptr<ServerTls> tls_;
    CancelRegistry cancel_;
    SessionStats stats_;
    UserConnections user_connections_;
    Metrics* metrics_ = nullptr;
    AuditWriter* audit_ = nullptr;
    std::shared_ptr<SessionServices> services_;
    std::shared_ptr<ColumnRelearner> relearner_;
    mutable std::mutex pools_mutex_;
    std::map<std::string, std::shared_ptr<BackendPool>> pools_;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
    uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> draining_{false};
    mutable std::mutex sessions_mutex_;
    std::map<uint64_t, LiveSession> sessions_;
    uint64_t next_session_ = 1;
};

}  // namespace meshgate::proxy
