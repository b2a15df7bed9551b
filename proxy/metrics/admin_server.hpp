// AdminServer: the admin HTTP port (SPEC §7): /metrics from prometheus-cpp's Exposer, plus
// /healthz and /readyz answered in the same civetweb server. Layer: proxy (metrics).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace prometheus {
class Collectable;
class Exposer;
}  // namespace prometheus

namespace meshgate::proxy {

/// What /readyz answers: 200 "ready" or 503 "not ready: <reason>".
struct Readiness {
    bool ready = false;
    std::string reason;
};

/// Serves, on `host:port`:
///   GET /metrics  the collectable in Prometheus text format (prometheus-cpp Exposer);
///   GET /healthz  200 "ok" while the process serves HTTP at all;
///   GET /readyz   200 "ready" or 503 "not ready: <reason>", from the `readiness` callback
///                 (config loaded, audit writable, every backend reached in its last check).
/// HEAD works for /healthz and /readyz; other methods on them get 405. The callback runs on
/// civetweb's threads: it must be thread-safe and fast (read atomics, do no I/O).
/// Destruction stops the server and takes about 2 s (civetweb; TOOLCHAIN §7.3).
class AdminServer {
public:
    /// Binds and starts. `port` 0 picks a free port (see `port()`). An address that cannot be
    /// bound is an error naming it (the caller decides whether that is fatal).
    static Result<std::unique_ptr<AdminServer>> start(
        const std::string& host, uint16_t port, std::shared_ptr<prometheus::Collectable> metrics,
        std::function<Readiness()> readiness);
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    /// The port actually bound.
    uint16_t port() const { return port_; }

private:
    AdminServer() = default;

    std::unique_ptr<prometheus::Exposer> exposer_;
    std::shared_ptr<prometheus::Collectable> metrics_;
    uint16_t port_ = 0;
};

}  // namespace meshgate::proxy
