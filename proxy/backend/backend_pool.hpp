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
class BackendPool {
public:
    explicit BackendPool(config::Backend backend);
    ~BackendPool();

    /// An idle connection, or a new one. The returned connection has no session state.
    boost::asio::awaitable<Result<std::unique_ptr<BackendConnection>>> acquire();

    /// Gives a connection back. If it is usable and idle (last ReadyForQuery 'I'), it is reset
    /// with DISCARD ALL before reuse; otherwise it is closed. Never blocks.
    void release(std::unique_ptr<BackendConnection> conn, bool idle);

    const config::Backend& backend() const;
    struct Stats { int idle = 0; int active = 0; };
    Stats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace meshgate::proxy
