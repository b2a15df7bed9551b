// BackendHealth: periodic backend checks. Layer: proxy (I/O edge).
#include "proxy/backend/backend_health.hpp"

#include "proxy/backend/backend_connection.hpp"
#include "proxy/log.hpp"
#include "proxy/metrics/metrics.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace meshgate::proxy {
namespace asio = boost::asio;

void BackendHealth::record(const std::string& backend, bool up, const std::string& error,
                           Metrics* metrics)
{
    bool changed = false;
    {
        std::lock_guard lock(mutex_);
        State& s = states_[backend];
        changed = !s.checked || s.up != up;
        s.checked = true;
        s.up = up;
        s.error = up ? std::string() : error;
        s.at = std::chrono::steady_clock::now();
    }
    if (metrics != nullptr) {
        metrics->set_backend_up(backend, up);
        if (!up) {
            metrics->backend_error(backend);
        }
    }
    if (changed) {
        if (up) {
            log_info("backend up", {{"backend", backend}});
        } else {
            log_warn("backend down", {{"backend", backend}, {"error", error}});
        }
    }
}

std::map<std::string, BackendHealth::State> BackendHealth::states() const
{
    std::lock_guard lock(mutex_);
    return states_;
}

bool BackendHealth::ready(const std::vector<std::string>& names, std::string& why) const
{
    std::lock_guard lock(mutex_);
    for (const auto& n : names) {
        auto it = states_.find(n);
        if (it == states_.end() || !it->second.checked) {
            why = "backend " + n + ": not checked yet";
            return false;
        }
        if (!it->second.up) {
            why = "backend " + n + ": not reachable: " + it->second.error;
            return false;
        }
    }
    return true;
}

void BackendHealth::retain(const std::vector<std::string>& names)
{
    std::lock_guard lock(mutex_);
    for (auto it = states_.begin(); it != states_.end();) {
        it = std::find(names.begin(), names.end(), it->first) == names.end() ? states_.erase(it)
                                                                              : std::next(it);
    }
}

std::vector<std::string> unavailable_products(const config::Snapshot& snap)
{
    std::vector<std::string> out;
    for (const auto& [dname, domain] : snap.domains) {
        for (const auto& [pname, product] : domain.products) {
            if (!product.unavailable.empty()) {
                out.push_back(product.address() + ": " + product.unavailable);
            }
        }
    }
    return out;
}

asio::awaitable<void> run_backend_checks(
    asio::any_io_executor ex, BackendHealth& health, std::function<config::SnapshotPtr()> snapshot,
    std::function<bool()> keep_running, Metrics* metrics,
    std::function<asio::awaitable<void>(std::vector<std::string>)> after_round)
{
    asio::steady_timer timer(ex);
    while (keep_running()) {
        const config::SnapshotPtr snap = snapshot();
        std::vector<std::string> names;
        std::vector<std::string> up;
        for (const auto& [name, backend] : snap->backends) {
            names.push_back(name);
            // Built before the co_await: GCC 12 cannot keep a braced list of string literals
            // in the coroutine frame ("array used as initializer").
            std::vector<std::pair<std::string, std::string>> params;
            params.emplace_back(std::string("application_name"),
                                std::string("meshgate health check"));
            config::Backend target = backend;
            auto conn = co_await BackendConnection::connect(ex, std::move(target), std::move(params));
            if (conn) {
                co_await (*conn)->terminate();
                health.record(name, true, "", metrics);
                up.push_back(name);
            } else {
                health.record(name, false, conn.error().message, metrics);
            }
            if (!keep_running()) {
                co_return;
            }
        }
        health.retain(names);
        if (after_round && !up.empty()) {
            co_await after_round(std::move(up));
        }
        timer.expires_after(std::chrono::milliseconds(snap->admin.health_check_interval_ms));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

}  // namespace meshgate::proxy
