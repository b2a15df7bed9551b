// Per-backend pool of logged-in connections (session pool mode: a session holds one connection
// per backend it uses until it ends). Layer: proxy (I/O edge).
#pragma once

#include "proxy/backend/backend_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>

namespace meshgate::proxy {

/// Thread-safe: sessions on any thread acquire and release. At most `backend.pool_size`
/// connections exist; acquire() waits (bounded by the backend's connect_timeout_ms, then 53300
/// "too many connections for backend X") when all are in use.
///
/// A connection handed out keeps its pool slot while it lives: destroying it (instead of
/// calling release) frees the slot too, so a session that dies abruptly never leaks capacity.
/// Waiters are woken through a per-waiter concurrent_channel, so they resume on their own
/// executor (their session's strand). Connections are made on the acquiring coroutine's
/// executor; DISCARD ALL after release runs on the released connection's executor.
class BackendPool {
public:
    /// `max_message`: config::Limits::max_backend_message, applied to every backend message.
    explicit BackendPool(config::Backend backend,
                         uint32_t max_message = config::Limits{}.max_backend_message);
    /// Closes idle connections and fails current waiters (08006 "pool closed"); resets still
    /// in flight close their connection when they finish. Connections still held by sessions
    /// stay valid.
    ~BackendPool();

    /// An idle connection, or a new one. The returned connection has no session state.
    boost::asio::awaitable<Result<std::unique_ptr<BackendConnection>>> acquire();

    /// Gives a connection back. If it is usable and idle (last ReadyForQuery 'I'), it is reset
    /// with DISCARD ALL before reuse (`discard`, session pool mode) or handed to the next user
    /// as it is (transaction pool mode: the session tracked what it left in
    /// BackendConnection::carried()); otherwise it is closed. Never blocks.
    void release(std::unique_ptr<BackendConnection> conn, bool idle, bool discard = true);

    const config::Backend& backend() const;
    /// For metrics: idle = ready for reuse; active = handed out to sessions; resetting = running
    /// DISCARD ALL; connecting = logins in progress; waiting = acquire() calls queued.
    struct Stats {
        int idle = 0;
        int active = 0;
        int resetting = 0;
        int connecting = 0;
        int waiting = 0;
    };
    Stats stats() const;

    /// Closes every idle connection (e.g. on reload when the backend's settings changed).
    void clear_idle();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace meshgate::proxy
