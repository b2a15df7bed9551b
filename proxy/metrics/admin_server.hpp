// AdminServer: the admin HTTP port (SPEC §7): /metrics from prometheus-cpp's Exposer, plus
// /healthz and /readyz answered in the same civetweb server. Layer: proxy (metrics).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace prometheus {
class Collectable;
class Exposer;
}  // namespace prometheus

namespace meshgate::proxy {

/// What /readyz answers: 200 "ready" or 503 "not ready: <reason>".
///
/// `unavailable` lists the data products whose source is missing or no longer matches their
/// domain file ("sales.customers: its source public.customers on backend sales_pg has no column
/// phone (masked by hide-phone)"). They do not make the daemon unready: every replica sees the
/// same warehouse, so a 503 would only take the whole mesh out of its Service for one domain's
/// table, while every other product still works and statements on the broken one get a clear
/// 55000. /readyz then answers 200 with a body "ready (degraded)" and one line per product;
/// `/readyz?strict` answers 503 naming them, for operators who want a broken product to block a
/// rollout. The gauge meshgate_products_unavailable counts them for alerting.
struct Readiness {
    bool ready = false;
    std::string reason;
    /// What works only in part, one line each ("unavailable data product sales.x: why",
    /// "unavailable federation on backend fed_pg ..."): "ready (degraded)", or 503 with ?strict.
    std::vector<std::string> unavailable{};
};

/// Serves, on `host:port`:
///   GET /metrics  the collectable in Prometheus text format (prometheus-cpp Exposer);
///   GET /healthz  200 "ok" while the process serves HTTP at all;
///   GET /readyz   200 "ready" or 503 "not ready: <reason>", from the `readiness` callback
///                 (config loaded, audit writable, every backend reached in its last check);
///                 unavailable data products: 200 "ready (degraded)" listing them, or 503 with
///                 `?strict` (see Readiness).
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
