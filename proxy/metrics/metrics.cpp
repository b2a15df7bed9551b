// Metrics: the SPEC §7 series over prometheus-cpp, children cached per label value.
// Layer: proxy (metrics).
#include "proxy/metrics/metrics.hpp"

#include "proxy/metrics/label_cache.hpp"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cmath>

namespace meshgate::proxy {

namespace {

/// The registry plus hooks that refresh sampled gauges right before each scrape.
class HookedCollectable final : public prometheus::Collectable {
public:
    explicit HookedCollectable(std::shared_ptr<prometheus::Registry> registry)
        : registry_(std::move(registry))
    {
    }

    std::vector<prometheus::MetricFamily> Collect() const override
    {
        {
            std::lock_guard lock(mutex_);
            for (const auto& hook : hooks_) {
                hook();
            }
        }
        return registry_->Collect();
    }

    void add(std::function<void()> hook)
    {
        std::lock_guard lock(mutex_);
        hooks_.push_back(std::move(hook));
    }

private:
    std::shared_ptr<prometheus::Registry> registry_;
    mutable std::mutex mutex_;
    std::vector<std::function<void()>> hooks_;
};

const prometheus::Histogram::BucketBoundaries& statement_buckets()
{
    static const prometheus::Histogram::BucketBoundaries b = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        0.5,    1,     2.5,    5,     10,   30,    60,   300};
    return b;
}

const prometheus::Histogram::BucketBoundaries& rewrite_buckets()
{
    static const prometheus::Histogram::BucketBoundaries b = {0.00001, 0.000025, 0.00005, 0.0001,
                                                              0.00025, 0.0005,   0.001,   0.0025,
                                                              0.005,   0.01,     0.025,   0.1};
    return b;
}

constexpr const char* kDecisions[3] = {"allow", "deny", "error"};
constexpr const char* kBackendStates[5] = {"idle", "active", "resetting", "connecting", "waiting"};
constexpr const char* kDirections[4] = {"from_client", "to_client", "from_backend", "to_backend"};

std::size_t decision_index(audit::StatementDecision d)
{
    switch (d) {
        case audit::StatementDecision::Allow:
            return 0;
        case audit::StatementDecision::Deny:
            return 1;
        case audit::StatementDecision::Error:
            return 2;
    }
    return 2;
}

/// Negative or non-finite observations are caller bugs (clock steps); dropping them keeps the
/// histogram's sum meaningful.
bool observable(double seconds) { return std::isfinite(seconds) && seconds >= 0; }

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>())
{
    collectable_ = std::make_shared<HookedCollectable>(registry_);
    auto& r = *registry_;

    client_connections_ = &prometheus::BuildGauge()
                               .Name("meshgate_client_connections")
                               .Help("Client sessions currently open")
                               .Register(r)
                               .Add({});
    auth_family_ = &prometheus::BuildCounter()
                        .Name("meshgate_auth_total")
                        .Help("Client authentication attempts by method and result")
                        .Register(r);
    statements_family_ = &prometheus::BuildCounter()
                              .Name("meshgate_statements_total")
                              .Help("Statements by data-product domain and decision")
                              .Register(r);
    statement_duration_family_ =
        &prometheus::BuildHistogram()
             .Name("meshgate_statement_duration_seconds")
             .Help("Statement run time, client message to completion, by backend")
             .Register(r);
    rewrite_duration_ = &prometheus::BuildHistogram()
                             .Name("meshgate_rewrite_duration_seconds")
                             .Help("Time to parse, decide and rewrite one statement")
                             .Register(r)
                             .Add({}, rewrite_buckets());
    rewrite_cache_hits_ = &prometheus::BuildCounter()
                               .Name("meshgate_rewrite_cache_hits_total")
                               .Help("Rewrites answered from the cache")
                               .Register(r)
                               .Add({});
    rewrite_cache_misses_ = &prometheus::BuildCounter()
                                 .Name("meshgate_rewrite_cache_misses_total")
                                 .Help("Rewrites computed because the cache had none")
                                 .Register(r)
                                 .Add({});
    backend_connections_family_ = &prometheus::BuildGauge()
                                       .Name("meshgate_backend_connections")
                                       .Help("Backend pool connections by backend and state")
                                       .Register(r);
    backend_errors_family_ = &prometheus::BuildCounter()
                                  .Name("meshgate_backend_errors_total")
                                  .Help("Backend connection failures and lost connections")
                                  .Register(r);
    backend_up_family_ = &prometheus::BuildGauge()
                              .Name("meshgate_backend_up")
                              .Help("1 when the backend's last health check reached it, else 0")
                              .Register(r);
    policy_applied_family_ = &prometheus::BuildCounter()
                                  .Name("meshgate_policy_applied_total")
                                  .Help("Statements a policy was applied to")
                                  .Register(r);
    auto& bytes = prometheus::BuildCounter()
                      .Name("meshgate_bytes_total")
                      .Help("Bytes moved, by direction")
                      .Register(r);
    for (int i = 0; i < 4; ++i) {
        bytes_[i] = &bytes.Add({{"direction", kDirections[i]}});
    }
    auto& reloads = prometheus::BuildCounter()
                        .Name("meshgate_config_reloads_total")
                        .Help("Configuration reloads by result")
                        .Register(r);
    reloads_ok_ = &reloads.Add({{"result", "ok"}});
    reloads_failed_ = &reloads.Add({{"result", "error"}});
    audit_queue_depth_ =
        &prometheus::BuildGauge()
             .Name("meshgate_audit_queue_depth")
             .Help("Audit events waiting to be written (queued, in flight, reserved)")
             .Register(r)
             .Add({});
    audit_failures_ = &prometheus::BuildCounter()
                           .Name("meshgate_audit_failures_total")
                           .Help("Failed attempts to open, write or sync the audit log")
                           .Register(r)
                           .Add({});
    audit_refused_ = &prometheus::BuildCounter()
                          .Name("meshgate_audit_refused_total")
                          .Help("Audit events refused (queue full or log unavailable)")
                          .Register(r)
                          .Add({});
    products_unavailable_ =
        &prometheus::BuildGauge()
             .Name("meshgate_products_unavailable")
             .Help("Data products whose source is missing, unreadable or no longer matches their "
                   "domain file; statements on them are refused with 55000")
             .Register(r)
             .Add({});
    audit_writable_ = &prometheus::BuildGauge()
                           .Name("meshgate_audit_writable")
                           .Help("1 while the audit log is being written, 0 when it is unavailable")
                           .Register(r)
                           .Add({});

    auth_ = std::make_unique<LabelCache<prometheus::Counter, 2>>([this](const std::string& method) {
        return LabelCache<prometheus::Counter, 2>::Children{
            &auth_family_->Add({{"method", method}, {"result", "ok"}}),
            &auth_family_->Add({{"method", method}, {"result", "failed"}})};
    });
    statements_ =
        std::make_unique<LabelCache<prometheus::Counter, 3>>([this](const std::string& d) {
            LabelCache<prometheus::Counter, 3>::Children c{};
            for (std::size_t i = 0; i < 3; ++i) {
                c[i] = &statements_family_->Add({{"domain", d}, {"decision", kDecisions[i]}});
            }
            return c;
        });
    statement_duration_ =
        std::make_unique<LabelCache<prometheus::Histogram, 1>>([this](const std::string& b) {
            return LabelCache<prometheus::Histogram, 1>::Children{
                &statement_duration_family_->Add({{"backend", b}}, statement_buckets())};
        });
    backend_connections_ =
        std::make_unique<LabelCache<prometheus::Gauge, 5>>([this](const std::string& b) {
            LabelCache<prometheus::Gauge, 5>::Children c{};
            for (std::size_t i = 0; i < 5; ++i) {
                c[i] = &backend_connections_family_->Add(
                    {{"backend", b}, {"state", kBackendStates[i]}});
            }
            return c;
        });
    backend_errors_ =
        std::make_unique<LabelCache<prometheus::Counter, 1>>([this](const std::string& b) {
            return LabelCache<prometheus::Counter, 1>::Children{
                &backend_errors_family_->Add({{"backend", b}})};
        });
    backend_up_ = std::make_unique<LabelCache<prometheus::Gauge, 1>>([this](const std::string& b) {
        return LabelCache<prometheus::Gauge, 1>::Children{&backend_up_family_->Add({{"backend", b}})};
    });
    policy_applied_ =
        std::make_unique<LabelCache<prometheus::Counter, 1>>([this](const std::string& p) {
            return LabelCache<prometheus::Counter, 1>::Children{
                &policy_applied_family_->Add({{"policy", p}})};
        });
}

Metrics::~Metrics() = default;

std::shared_ptr<prometheus::Collectable> Metrics::collectable() const { return collectable_; }

std::string Metrics::serialize() const
{
    return prometheus::TextSerializer().Serialize(collectable_->Collect());
}

void Metrics::add_scrape_hook(std::function<void()> hook)
{
    static_cast<HookedCollectable&>(*collectable_).add(std::move(hook));
}

void Metrics::client_connected() { client_connections_->Increment(); }
void Metrics::client_disconnected() { client_connections_->Decrement(); }

void Metrics::record_auth(std::string_view method, bool ok)
{
    auth_->get(method.empty() ? std::string_view("none") : method)[ok ? 0 : 1]->Increment();
}

void Metrics::record_statement(std::string_view domain, audit::StatementDecision decision)
{
    statements_->get(domain.empty() ? std::string_view("none") : domain)[decision_index(decision)]
        ->Increment();
}

void Metrics::observe_statement_duration(std::string_view backend, double seconds)
{
    if (observable(seconds)) {
        statement_duration_->get(backend.empty() ? std::string_view("none") : backend)[0]->Observe(
            seconds);
    }
}

void Metrics::observe_rewrite_duration(double seconds)
{
    if (observable(seconds)) {
        rewrite_duration_->Observe(seconds);
    }
}

void Metrics::rewrite_cache_hit() { rewrite_cache_hits_->Increment(); }
void Metrics::rewrite_cache_miss() { rewrite_cache_misses_->Increment(); }

void Metrics::set_backend_connections(std::string_view backend, BackendState state, double count)
{
    backend_connections_->get(backend)[static_cast<std::size_t>(state)]->Set(count);
}

void Metrics::set_backend_up(std::string_view backend, bool up)
{
    backend_up_->get(backend)[0]->Set(up ? 1 : 0);
}

void Metrics::backend_error(std::string_view backend)
{
    backend_errors_->get(backend)[0]->Increment();
}

void Metrics::policy_applied(std::string_view policy)
{
    policy_applied_->get(policy)[0]->Increment();
}

void Metrics::add_bytes(ByteDirection direction, uint64_t bytes)
{
    bytes_[static_cast<std::size_t>(direction)]->Increment(static_cast<double>(bytes));
}

void Metrics::config_reload(bool ok) { (ok ? reloads_ok_ : reloads_failed_)->Increment(); }

void Metrics::set_products_unavailable(std::size_t count)
{
    products_unavailable_->Set(static_cast<double>(count));
}

void Metrics::set_audit(uint64_t queue_depth, uint64_t failures_total, uint64_t refused_total,
                        bool writable)
{
    std::lock_guard lock(audit_mutex_);
    audit_queue_depth_->Set(static_cast<double>(queue_depth));
    audit_writable_->Set(writable ? 1 : 0);
    if (failures_total > audit_failures_seen_) {
        audit_failures_->Increment(static_cast<double>(failures_total - audit_failures_seen_));
        audit_failures_seen_ = failures_total;
    }
    if (refused_total > audit_refused_seen_) {
        audit_refused_->Increment(static_cast<double>(refused_total - audit_refused_seen_));
        audit_refused_seen_ = refused_total;
    }
}

}  // namespace meshgate::proxy
