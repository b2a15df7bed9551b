// BackendHealth: the periodic backend check behind /readyz and the `backend up` / `backend down`
// log lines. Layer: proxy (I/O edge).
#pragma once

#include "config/model.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace meshgate::proxy {

class Metrics;

/// What the last check of each backend found. Thread-safe.
class BackendHealth {
public:
    struct State {
        bool checked = false;  // at least one check finished
        bool up = false;
        std::string error;     // why the last check failed
        std::chrono::steady_clock::time_point at{};
    };

    /// Records one check's result; logs a transition (the first result too) and counts a failed
    /// check in `meshgate_backend_errors_total` when `metrics` is set.
    void record(const std::string& backend, bool up, const std::string& error,
                Metrics* metrics = nullptr);
    std::map<std::string, State> states() const;
    /// True when every backend in `names` was checked and was up at its last check; otherwise
    /// false and `why` names the first one that is not ("backend warehouse: not reachable: ...").
    bool ready(const std::vector<std::string>& names, std::string& why) const;
    /// Forgets backends that are no longer configured.
    void retain(const std::vector<std::string>& names);

private:
    mutable std::mutex mutex_;
    std::map<std::string, State> states_;
};

/// "sales.customers: its source public.customers on backend sales_pg has no column phone ..."
/// for each product column learning marked unavailable (for /readyz and the metrics).
std::vector<std::string> unavailable_products(const config::Snapshot& snap);

/// Checks every backend of `snapshot()` (a fresh login as the service account, then a clean
/// Terminate; bounded by its connect_timeout_ms) once now and then every
/// `admin.health_check_interval_ms`, until `keep_running()` is false.
/// After each round, `after_round` (when set) gets the backends that were up in it (column
/// learning reads unavailable products on them again: ColumnRelearner::refresh).
boost::asio::awaitable<void> run_backend_checks(
    boost::asio::any_io_executor ex, BackendHealth& health,
    std::function<config::SnapshotPtr()> snapshot, std::function<bool()> keep_running,
    Metrics* metrics,
    std::function<boost::asio::awaitable<void>(std::vector<std::string>)> after_round = {});

}  // namespace meshgate::proxy
