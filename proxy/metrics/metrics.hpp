// Metrics: every Prometheus series of SPEC §7 in one registry, with cheap thread-safe record
// calls for the sessions, the pools, the reloader and the audit writer. Layer: proxy (metrics).
#pragma once

#include "policy/audit/audit_event.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Collectable;
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace meshgate::proxy {

template <class T, std::size_t N>
class LabelCache;

/// `meshgate_bytes_total{direction}`: from_client | to_client | from_backend | to_backend.
enum class ByteDirection { FromClient, ToClient, FromBackend, ToBackend };

/// `meshgate_backend_connections{state}`, as BackendPool::Stats counts them.
enum class BackendState { Idle, Active, Resetting, Connecting, Waiting };

/// Owns the prometheus-cpp registry. Every record call is thread-safe and never throws; label
/// values (backends, domains, policies, auth methods) must come from the configuration or from
/// meshgate itself, never from client text. Each label keeps at most 1000 distinct values
/// (then "other") so a bug cannot explode the series count.
///
/// Series (all prefixed `meshgate_`):
///   client_connections (gauge), auth_total{method,result}, statements_total{domain,decision},
///   statement_duration_seconds{backend} (histogram), rewrite_duration_seconds (histogram),
///   rewrite_cache_hits_total, rewrite_cache_misses_total, backend_connections{backend,state}
///   (gauge), backend_errors_total{backend}, policy_applied_total{policy},
///   bytes_total{direction}, config_reloads_total{result}, backend_up{backend} (gauge, 1 or 0,
///   from the health check), audit_queue_depth (gauge),
///   audit_failures_total, audit_refused_total, audit_writable (gauge, 1 or 0).
class Metrics {
public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    /// What an exposer registers: runs the scrape hooks, then collects the registry.
    std::shared_ptr<prometheus::Collectable> collectable() const;
    /// The text exposition format of everything (for tests and debugging).
    std::string serialize() const;

    /// Called before every scrape (on the scraping thread) to refresh sampled gauges such as
    /// pool sizes and the audit queue. Hooks must be fast and thread-safe; add them at startup.
    void add_scrape_hook(std::function<void()> hook);

    void client_connected();
    void client_disconnected();
    /// `method`: scram-sha-256, scram-sha-256-plus, cert, jwt, ...; result ok | failed.
    void record_auth(std::string_view method, bool ok);
    /// One per domain the statement touched; domain "" (catalog, SET, ...) is counted as "none".
    void record_statement(std::string_view domain, audit::StatementDecision decision);
    void observe_statement_duration(std::string_view backend, double seconds);
    void observe_rewrite_duration(double seconds);
    void rewrite_cache_hit();
    void rewrite_cache_miss();
    void set_backend_connections(std::string_view backend, BackendState state, double count);
    void backend_error(std::string_view backend);
    /// `meshgate_backend_up{backend}`: the result of the backend's last health check.
    void set_backend_up(std::string_view backend, bool up);
    void policy_applied(std::string_view policy);
    void add_bytes(ByteDirection direction, uint64_t bytes);
    void config_reload(bool ok);
    /// meshgate_products_unavailable: data products whose source is missing or no longer
    /// matches their domain file (statements on them get 55000).
    void set_products_unavailable(std::size_t count);
    /// Audit writer figures, typically from a scrape hook reading AuditWriter::stats(). The
    /// totals are the writer's running totals; the counters advance by the difference.
    void set_audit(uint64_t queue_depth, uint64_t failures_total, uint64_t refused_total,
                   bool writable);

private:
    std::shared_ptr<prometheus::Registry> registry_;
    std::shared_ptr<prometheus::Collectable> collectable_;

    prometheus::Gauge* client_connections_;
    prometheus::Family<prometheus::Counter>* auth_family_;
    prometheus::Family<prometheus::Counter>* statements_family_;
    prometheus::Family<prometheus::Histogram>* statement_duration_family_;
    prometheus::Histogram* rewrite_duration_;
    prometheus::Counter* rewrite_cache_hits_;
    prometheus::Counter* rewrite_cache_misses_;
    prometheus::Family<prometheus::Gauge>* backend_connections_family_;
    prometheus::Family<prometheus::Counter>* backend_errors_family_;
    prometheus::Family<prometheus::Gauge>* backend_up_family_;
    prometheus::Family<prometheus::Counter>* policy_applied_family_;
    prometheus::Counter* bytes_[4];
    prometheus::Counter* reloads_ok_;
    prometheus::Counter* reloads_failed_;
    prometheus::Gauge* audit_queue_depth_;
    prometheus::Counter* audit_failures_;
    prometheus::Counter* audit_refused_;
    prometheus::Gauge* audit_writable_;
    prometheus::Gauge* products_unavailable_;

    std::unique_ptr<LabelCache<prometheus::Counter, 2>> auth_;
    std::unique_ptr<LabelCache<prometheus::Counter, 3>> statements_;
    std::unique_ptr<LabelCache<prometheus::Histogram, 1>> statement_duration_;
    std::unique_ptr<LabelCache<prometheus::Gauge, 5>> backend_connections_;
    std::unique_ptr<LabelCache<prometheus::Counter, 1>> backend_errors_;
    std::unique_ptr<LabelCache<prometheus::Gauge, 1>> backend_up_;
    std::unique_ptr<LabelCache<prometheus::Counter, 1>> policy_applied_;

    std::mutex audit_mutex_;
    uint64_t audit_failures_seen_ = 0;
    uint64_t audit_refused_seen_ = 0;
};

}  // namespace meshgate::proxy
