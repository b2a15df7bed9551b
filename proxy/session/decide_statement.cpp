// decide_statement(): the sessions' one entry to the policy engine, through the rewrite cache,
// with its metrics. Layer: proxy (I/O edge; the decision itself is policy's).
#include "proxy/metrics/metrics.hpp"
#include "proxy/session/session_services.hpp"

#include <chrono>

namespace meshgate::proxy {

policy::Decision decide_statement(const SessionServices& services, std::string_view sql,
                                  const policy::Identity& who, const config::Snapshot& snap,
                                  policy::Protocol protocol)
{
    const auto started = std::chrono::steady_clock::now();
    policy::CacheOutcome outcome = policy::CacheOutcome::Uncached;
    policy::Decision d = services.rewrite_cache
                             ? services.rewrite_cache->decide(sql, who, snap, protocol, &outcome)
                             : policy::decide(sql, who, snap, protocol);
    if (services.metrics != nullptr) {
        services.metrics->observe_rewrite_duration(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (outcome == policy::CacheOutcome::Hit) {
            services.metrics->rewrite_cache_hit();
        } else if (outcome == policy::CacheOutcome::Miss) {
            services.metrics->rewrite_cache_miss();
        }
    }
    return d;
}

boost::asio::awaitable<policy::Decision> decide_statement_relearning(
    const SessionServices& services, std::string sql, const policy::Identity& who,
    config::SnapshotPtr& snap, policy::Protocol protocol)
{
    policy::Decision d = decide_statement(services, sql, who, *snap, protocol);
    if (!d.is_deny() || d.deny().sqlstate != "55000" || !services.relearn) {
        co_return d;
    }
    config::SnapshotPtr fresh = co_await services.relearn(d.deny(), snap);
    if (!fresh) {
        co_return d;
    }
    snap = std::move(fresh);
    co_return decide_statement(services, sql, who, *snap, protocol);
}

}  // namespace meshgate::proxy
