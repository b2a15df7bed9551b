// SessionServices: what every client session shares with the server (snapshot, pools, TLS,
// cancel keys, counters). Layer: proxy (I/O edge).
#pragma once

#include "config/model.hpp"
#include "policy/decide.hpp"
#include "policy/rewrite_cache.hpp"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshgate::proxy {

class AuditWriter;
class BackendPool;
class CancelRegistry;
class Metrics;
struct ServerTls;

/// Process-wide counters the sessions update (read by metrics and tests).
struct SessionStats {
    std::atomic<int64_t> active{0};          // sessions past accept, not yet closed
    std::atomic<uint64_t> accepted{0};
    std::atomic<uint64_t> failed{0};         // sessions that ended by an exception (a bug)
    std::atomic<uint64_t> bytes_from_clients{0};
    std::atomic<uint64_t> bytes_to_clients{0};
    std::atomic<uint64_t> auth_ok{0};
    std::atomic<uint64_t> auth_failed{0};
    std::atomic<uint64_t> reloads_ok{0};
    std::atomic<uint64_t> reloads_failed{0};
};

/// Live sessions per user, for `users.<name>.max_connections`. Thread-safe.
class UserConnections {
public:
    /// Counts one more session of `user` unless that would exceed `max` (0 = no limit).
    bool try_acquire(const std::string& user, int max)
    {
        std::lock_guard lock(mutex_);
        int& n = counts_[user];
        if (max > 0 && n >= max) {
            if (n == 0) {
                counts_.erase(user);
            }
            return false;
        }
        ++n;
        return true;
    }
    void release(const std::string& user)
    {
        std::lock_guard lock(mutex_);
        auto it = counts_.find(user);
        if (it != counts_.end() && --it->second <= 0) {
            counts_.erase(it);
        }
    }

private:
    std::mutex mutex_;
    std::map<std::string, int> counts_;
};

/// Owned by proxy::Server; outlives every session (the server joins its threads before it is
/// destroyed). All members are safe to use from any thread.
struct SessionServices {
    /// The current policy snapshot; read once per statement.
    std::function<config::SnapshotPtr()> snapshot;
    /// The pool of a backend by name, or null when no such backend is configured.
    std::function<std::shared_ptr<BackendPool>(const std::string&)> pool;
    /// Client-facing TLS; null when `listen.tls` is not configured.
    const ServerTls* tls = nullptr;
    CancelRegistry* cancel = nullptr;
    SessionStats* stats = nullptr;
    UserConnections* user_connections = nullptr;
    /// Prometheus series; null when metrics are off (tests).
    Metrics* metrics = nullptr;
    /// The audit log; null when auditing is off (tests). When it refuses an event, the session
    /// refuses the statement instead of running it unaudited.
    AuditWriter* audit = nullptr;
    /// ParameterStatus values reported to clients after login (server_version, ...), learned
    /// from the catalog backend at startup; the session overrides the per-session ones.
    std::vector<std::pair<std::string, std::string>> server_parameters;
    /// Seed of SCRAM mock salts for unknown users (stable per deployment when configured).
    std::string scram_mock_seed;
    /// Rewrites shared by every session (policy::RewriteCache); null: every statement is decided
    /// afresh (tests).
    std::shared_ptr<policy::RewriteCache> rewrite_cache;
    /// After a statement was refused because a data product it reads is unavailable (its source
    /// could not be read or no longer matches; proxy/backend/column_learner.hpp): reads that
    /// source again (rate-limited per product) and returns the snapshot to decide again on, or
    /// null. Null function: no retry (tests).
    std::function<boost::asio::awaitable<config::SnapshotPtr>(policy::Deny, config::SnapshotPtr)>
        relearn;
};

/// policy::decide() through the rewrite cache when there is one, counting
/// meshgate_rewrite_cache_{hits,misses}_total and observing meshgate_rewrite_duration_seconds.
/// Sessions call this instead of policy::decide for every Query and every Parse.
policy::Decision decide_statement(const SessionServices& services, std::string_view sql,
                                  const policy::Identity& who, const config::Snapshot& snap,
                                  policy::Protocol protocol);

/// decide_statement(), and when that refuses the statement because a product it reads is
/// unavailable, `services.relearn` and one more decision on the snapshot it returns (`snap` is
/// then replaced by it). Sessions call this for every Query and every Parse.
boost::asio::awaitable<policy::Decision> decide_statement_relearning(
    const SessionServices& services, std::string sql, const policy::Identity& who,
    config::SnapshotPtr& snap, policy::Protocol protocol);

}  // namespace meshgate::proxy
