// `meshgate serve --config F`: load and check the config, open the listener, run the sessions on
// N threads, stop on SIGINT/SIGTERM. Layer: proxy (edge).
#include "config/load.hpp"
#include "policy/validate.hpp"
#include "proxy/audit/audit_writer.hpp"
#include "proxy/audit/file_sink.hpp"
#include "proxy/audit/stdout_sink.hpp"
#include "proxy/audit/wall_clock.hpp"
#include "proxy/backend/backend_health.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "proxy/backend/column_learner.hpp"
#include "proxy/backend/federation_sync.hpp"
#include "proxy/metrics/admin_server.hpp"
#include "proxy/metrics/metrics.hpp"
#include "proxy/cli/commands.hpp"
#include "proxy/log.hpp"
#include "proxy/server.hpp"
#include "proxy/session/jwt_login.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <mutex>
#include <utility>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#ifndef MESHGATE_VERSION
#define MESHGATE_VERSION "dev"
#endif

namespace meshgate::cli {
namespace asio = boost::asio;

namespace {

constexpr const char* kUsage =
    "usage: meshgate serve --config FILE [--threads N] [--log-level debug|info|warn|error]\n"
    "\n"
    "Runs the proxy: listens on listen.host:listen.port for PostgreSQL clients.\n"
    "  --config FILE     main configuration file (required)\n"
    "  --threads N       I/O threads (default: the number of CPUs)\n"
    "  --log-level L     debug, info (default), warn, error\n"
    "Signals: SIGTERM drains (stops accepting, lets statements in flight finish for up to\n"
    "limits.drain_timeout_ms, then 57P01), SIGINT stops at once, SIGHUP reloads the\n"
    "configuration and reopens the audit log, SIGUSR1 reopens the audit log (rotation).\n";

// Bounded wait for sessions to end after a stop, then the io_context is stopped regardless.
constexpr std::chrono::milliseconds kStopDeadline{5000};
// `watch: true`: how often the config and domain files are polled.
constexpr std::chrono::milliseconds kWatchInterval{1000};
// Bound on learning one backend's product columns at startup (connect included).
constexpr std::chrono::milliseconds kLearnTimeout{15000};

struct Options {
    std::string config;
    int threads = 0;
    bool log_level_given = false;
};

// 0 = run, 1 = --help printed, 2 = usage error.
int parse(int argc, char** argv, Options& o)
{
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "meshgate serve: %s needs a value\n", name);
                return nullptr;
            }
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 1;
        }
        if (a == "--config" || a == "-c") {
            const char* v = value("--config");
            if (v == nullptr) {
                return 2;
            }
            o.config = v;
        } else if (a.rfind("--config=", 0) == 0) {
            o.config = a.substr(9);
        } else if (a == "--threads") {
            const char* v = value("--threads");
            if (v == nullptr) {
                return 2;
            }
            char* end = nullptr;
            const long n = std::strtol(v, &end, 10);
            if (end == v || *end != '\0' || n < 1 || n > 1024) {
                std::fprintf(stderr, "meshgate serve: --threads must be 1..1024\n");
                return 2;
            }
            o.threads = static_cast<int>(n);
        } else if (a == "--log-level") {
            const char* v = value("--log-level");
            proxy::LogLevel level{};
            if (v == nullptr || !proxy::parse_log_level(v, level)) {
                std::fprintf(stderr, "meshgate serve: --log-level must be debug, info, warn or error\n");
                return 2;
            }
            proxy::set_log_level(level);
            o.log_level_given = true;
        } else {
            std::fprintf(stderr, "meshgate serve: unknown argument \"%s\"\n%s", a.c_str(), kUsage);
            return 2;
        }
    }
    if (o.config.empty()) {
        std::fprintf(stderr, "meshgate serve: --config is required\n%s", kUsage);
        return 2;
    }
    return 0;
}

// Waits until every session has ended or `drain` passed; then ends the rest (57P01) and waits
// kStopDeadline more for them to close before stopping the io_context.
asio::awaitable<void> wait_until(proxy::Server& server, asio::steady_timer& timer,
                                 std::chrono::steady_clock::time_point deadline)
{
    while (server.live_sessions() > 0 && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> wait_for_sessions(proxy::Server& server, asio::io_context& ctx,
                                        std::chrono::milliseconds drain)
{
    asio::steady_timer timer(ctx);
    co_await wait_until(server, timer, std::chrono::steady_clock::now() + drain);
    if (server.live_sessions() > 0 && drain.count() > 0) {
        proxy::log_warn("drain deadline passed; ending the sessions still running",
                        {{"sessions", static_cast<uint64_t>(server.live_sessions())}});
    } else if (drain.count() > 0) {
        proxy::log_info("drained: every session ended");
    }
    server.stop();
    co_await wait_until(server, timer, std::chrono::steady_clock::now() + kStopDeadline);
    if (server.live_sessions() > 0) {
        proxy::log_warn("sessions still open at the stop deadline; closing them",
                        {{"sessions", static_cast<uint64_t>(server.live_sessions())}});
    }
    ctx.stop();
}

// What `watch: true` compares: every file the configuration is read from, with its size and
// modification time (a missing file counts as a state too).
std::string watched_state(const config::Snapshot& snap)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> files{snap.config_file};
    std::error_code ec;
    if (!snap.domains_dir.empty()) {
        for (fs::directory_iterator it(snap.domains_dir, ec), end; !ec && it != end;
             it.increment(ec)) {
            files.push_back(it->path());
        }
    }
    std::sort(files.begin(), files.end());
    std::string state;
    for (const auto& f : files) {
        state += f.string();
        const auto t = fs::last_write_time(f, ec);
        state += ec ? std::string(":missing") : ":" + std::to_string(t.time_since_epoch().count());
        const auto size = fs::file_size(f, ec);
        state += ec ? std::string(":-") : ":" + std::to_string(size);
        state += '\n';
    }
    return state;
}

// `watch: true`: polls the config files and calls `reload` when they changed (a change that
// leaves an invalid file is reported by the reload like a SIGHUP's).
asio::awaitable<void> watch_config(proxy::Server& server, std::function<void()> reload)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    std::string last = watched_state(*server.snapshot());
    while (!server.stopping()) {
        timer.expires_after(kWatchInterval);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        const auto snap = server.snapshot();
        if (!snap->watch) {
            last = watched_state(*snap);
            continue;
        }
        std::string now = watched_state(*snap);
        if (now != last) {
            last = std::move(now);
            proxy::log_info("configuration files changed: reloading", {{"config", snap->config_file}});
            reload();
        }
    }
}

// A federation sync that failed (the federation backend not up yet, postgres_fdw not set up yet)
// is retried, by a reload, every kFederationRetry while the published snapshot says so.
constexpr std::chrono::seconds kFederationRetry{15};

asio::awaitable<void> retry_federation(proxy::Server& server, std::function<void()> reload)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!server.stopping()) {
        timer.expires_after(kFederationRetry);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        const auto snap = server.snapshot();
        if (!server.stopping() && snap->federation_backend &&
            !snap->federation_unavailable.empty()) {
            proxy::log_info("federation unavailable: retrying the sync with a reload",
                            {{"backend", *snap->federation_backend}});
            reload();
        }
    }
}

std::string join_names(const config::Snapshot& snap)
{
    std::string out;
    for (const auto& [name, b] : snap.backends) {
        out += (out.empty() ? "" : ",") + name + "=" + b.host + ":" + std::to_string(b.port) + "/" +
               b.database;
    }
    return out;
}

void apply_log_settings(const config::Snapshot& snap, bool level_given)
{
    proxy::set_log_format(snap.log_format == config::LogFormat::Json ? proxy::LogFormat::Json
                                                                     : proxy::LogFormat::Text);
    proxy::LogLevel level{};
    if (!level_given && !snap.log_level.empty() && proxy::parse_log_level(snap.log_level, level)) {
        proxy::set_log_level(level);
    }
}

// SIGHUP: a new snapshot from the same file, checked like at startup. A bad config keeps the
// old snapshot (statements in flight keep theirs in any case).
asio::awaitable<void> reload(proxy::Server& server, std::string path, proxy::Metrics* metrics,
                             proxy::AuditWriter* audit, bool level_given)
{
    auto& stats = server.mutable_stats();
    auto record = [&](bool ok, const std::vector<config::ConfigError>& errors) {
        if (metrics != nullptr) {
            metrics->config_reload(ok);
        }
        if (audit != nullptr) {
            audit::AuditEvent e;
            e.kind = audit::EventKind::Reload;
            e.reload_ok = ok;
            for (const auto& err : errors) {
                e.reload_errors.push_back(err.to_string());
            }
            audit->submit(std::move(e));
            audit->reopen();  // SIGHUP also follows a rotated audit file
        }
    };
    auto loaded = config::load_config(path);
    std::vector<config::ConfigError> errors = loaded.errors;
    if (loaded.ok()) {
        errors = policy::validate(*loaded.snapshot);
    }
    if (errors.empty()) {
        const auto warnings = co_await proxy::learn_columns(*loaded.snapshot, kLearnTimeout);
        for (const auto& w : warnings) {
            proxy::log_warn("column learning", {{"warning", w}});
        }
        errors = policy::validate(*loaded.snapshot);
    }
    if (!errors.empty()) {
        for (const auto& e : errors) {
            // file:line:col: message
            proxy::log_error("reload: configuration error", {{"error", e.to_string()}});
        }
        stats.reloads_failed.fetch_add(1);
        record(false, errors);
        proxy::log_error("reload failed; keeping the current configuration",
                         {{"errors", static_cast<uint64_t>(errors.size())}});
        co_return;
    }
    const auto current = server.snapshot();
    if (loaded.snapshot->listen.host != current->listen.host ||
        loaded.snapshot->listen.port != current->listen.port) {
        proxy::log_warn("reload: listen address changes need a restart");
    }
    loaded.snapshot->generation = current->generation + 1;
    if (loaded.snapshot->jwt) {  // a bad JWKS keeps the old snapshot (and its keys)
        if (auto keys = proxy::load_jwks(*loaded.snapshot); !keys) {
            config::ConfigError err;
            err.where.file = loaded.snapshot->jwt->jwks_file;
            err.message = keys.error().message;
            proxy::log_error("reload: configuration error", {{"error", err.to_string()}});
            stats.reloads_failed.fetch_add(1);
            record(false, {err});
            co_return;
        }
    }
    // Last before publishing: the federation backend follows only a snapshot that will serve.
    co_await proxy::sync_federation(*loaded.snapshot, kLearnTimeout);
    server.update_backends(*loaded.snapshot);
    server.set_snapshot(loaded.snapshot);
    apply_log_settings(*loaded.snapshot, level_given);
    stats.reloads_ok.fetch_add(1);
    record(true, {});
    proxy::log_info("configuration reloaded",
                    {{"generation", loaded.snapshot->generation},
                     {"users", static_cast<uint64_t>(loaded.snapshot->users.size())},
                     {"domains", static_cast<uint64_t>(loaded.snapshot->domains.size())},
                     {"backends", join_names(*loaded.snapshot)}});
}

}  // namespace

int run_serve(int argc, char** argv)
{
    Options opt;
    if (const int p = parse(argc, argv, opt); p != 0) {
        return p == 1 ? 0 : 2;
    }
    auto loaded = config::load_config(opt.config);
    for (const auto& w : loaded.warnings) {
        std::fprintf(stderr, "%s\n", w.to_string().c_str());
    }
    if (!loaded.ok()) {
        for (const auto& e : loaded.errors) {
            std::fprintf(stderr, "%s\n", e.to_string().c_str());
        }
        proxy::log_error("fatal configuration error; not starting",
                         {{"config", opt.config},
                          {"errors", static_cast<uint64_t>(loaded.errors.size())},
                          {"first", loaded.errors.front().to_string()}});
        return 2;
    }
    apply_log_settings(*loaded.snapshot, opt.log_level_given);
    proxy::log_info("meshgate starting",
                    {{"version", MESHGATE_VERSION},
                     {"config", opt.config},
                     {"listen", loaded.snapshot->listen.host + ":" +
                                    std::to_string(loaded.snapshot->listen.port)},
                     {"tls", loaded.snapshot->listen.tls.has_value()},
                     {"admin", loaded.snapshot->admin.enabled
                                   ? loaded.snapshot->admin.host + ":" +
                                         std::to_string(loaded.snapshot->admin.port)
                                   : std::string("off")},
                     {"backends", join_names(*loaded.snapshot)},
                     {"users", static_cast<uint64_t>(loaded.snapshot->users.size())},
                     {"domains", static_cast<uint64_t>(loaded.snapshot->domains.size())},
                     {"audit", loaded.snapshot->audit.path},
                     {"pool_mode", loaded.snapshot->pool_mode == config::PoolMode::Session
                                       ? "session"
                                       : "transaction"},
                     {"watch", loaded.snapshot->watch}});
    // Policies are checked before and after column learning: the first pass fails fast without
    // touching a backend, the second catches masks and filters on columns that do not exist.
    auto print_policy_errors = [](const std::vector<config::ConfigError>& errors) {
        for (const auto& e : errors) {
            std::fprintf(stderr, "%s\n", e.to_string().c_str());
        }
        std::fprintf(stderr, "meshgate serve: %zu policy error(s); not starting\n", errors.size());
        proxy::log_error("fatal configuration error; not starting",
                         {{"errors", static_cast<uint64_t>(errors.size())},
                          {"first", errors.front().to_string()}});
    };
    if (auto errors = policy::validate(*loaded.snapshot); !errors.empty()) {
        print_policy_errors(errors);
        return 2;
    }
    auto learned = proxy::learn_columns_blocking(*loaded.snapshot, kLearnTimeout);
    if (!learned) {
        std::fprintf(stderr, "meshgate serve: column learning failed: %s\n",
                     learned.error().message.c_str());
        return 1;
    }
    for (const auto& w : *learned) {
        proxy::log_warn("column learning", {{"warning", w}});
    }
    if (auto errors = policy::validate(*loaded.snapshot); !errors.empty()) {
        print_policy_errors(errors);
        return 2;
    }
    proxy::sync_federation_blocking(*loaded.snapshot, kLearnTimeout);
    loaded.snapshot->generation = 1;
    if (loaded.snapshot->jwt) {  // fail fast on an unreadable or invalid JWKS
        if (auto keys = proxy::load_jwks(*loaded.snapshot); !keys) {
            std::fprintf(stderr, "meshgate serve: %s\n", keys.error().message.c_str());
            return 2;
        }
    }
    config::SnapshotPtr snapshot = loaded.snapshot;

    const int threads =
        opt.threads > 0 ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    // Declared before the server and destroyed after it: sessions use both until they end.
    proxy::Metrics metrics;
    proxy::SystemWallClock clock;
    std::unique_ptr<proxy::AuditSink> sink;
    if (snapshot->audit.path == "-") {
        sink = std::make_unique<proxy::StdoutSink>();
    } else {
        sink = std::make_unique<proxy::FileSink>(snapshot->audit.path);
    }
    proxy::AuditWriter audit(std::move(sink), clock);
    // An audit log that cannot be written does not stop the server: it serves no statement
    // (58030) and /readyz says why until the log can be written again (retried every second).
    if (auto r = audit.start(true); !r) {
        proxy::log_error("audit log cannot be written: statements are refused until it can",
                         {{"path", snapshot->audit.path}, {"error", r.error().message}});
    }

    asio::io_context ctx(threads);
    proxy::Server server(ctx, snapshot);
    server.set_observability(&metrics, &audit);
    if (auto r = server.open(); !r) {
        std::fprintf(stderr, "meshgate serve: %s\n", r.error().message.c_str());
        return 1;
    }
    // A product that becomes readable at runtime gets its foreign table before it is published.
    server.relearner()->set_prepare(
        [](config::Snapshot& s) { return proxy::sync_federation(s, kLearnTimeout); });
    metrics.add_scrape_hook([&metrics, &audit, &server] {
        const auto st = audit.stats();
        metrics.set_audit(st.queue_depth, st.write_failures, st.refused, st.healthy);
        metrics.set_products_unavailable(proxy::unavailable_products(*server.snapshot()).size());
        for (const auto& [name, pool] : server.pools()) {
            const auto ps = pool->stats();
            metrics.set_backend_connections(name, proxy::BackendState::Idle, ps.idle);
            metrics.set_backend_connections(name, proxy::BackendState::Active, ps.active);
            metrics.set_backend_connections(name, proxy::BackendState::Resetting, ps.resetting);
            metrics.set_backend_connections(name, proxy::BackendState::Connecting, ps.connecting);
            metrics.set_backend_connections(name, proxy::BackendState::Waiting, ps.waiting);
        }
    });
    proxy::BackendHealth health;
    std::unique_ptr<proxy::AdminServer> admin;
    if (snapshot->admin.enabled) {
        auto started = proxy::AdminServer::start(
            snapshot->admin.host, snapshot->admin.port, metrics.collectable(),
            [&audit, &server, &health] {
                // Ready: configuration loaded (we are serving), not stopping, the audit log
                // writable and every backend reached at its last check.
                if (server.stopping() || server.draining()) {
                    return proxy::Readiness{false, "shutting down"};
                }
                if (!audit.healthy()) {
                    return proxy::Readiness{false, "the audit log cannot be written: " +
                                                       audit.problem()};
                }
                std::vector<std::string> names;
                for (const auto& [name, b] : server.snapshot()->backends) {
                    names.push_back(name);
                }
                std::string why;
                // Unavailable products are reported, not fatal (proxy/metrics/admin_server.hpp).
                const auto snap = server.snapshot();
                std::vector<std::string> unavailable;
                for (auto& p : proxy::unavailable_products(*snap)) {
                    unavailable.push_back("unavailable data product " + std::move(p));
                }
                if (snap->federation_backend && !snap->federation_unavailable.empty()) {
                    // Statements joining backends are refused (55000) until a sync succeeds.
                    unavailable.push_back("unavailable federation on backend " +
                                          *snap->federation_backend +
                                          " (statements joining backends): " +
                                          snap->federation_unavailable);
                }
                if (!health.ready(names, why)) {
                    return proxy::Readiness{false, why, std::move(unavailable)};
                }
                return proxy::Readiness{true, "", std::move(unavailable)};
            });
        if (!started) {
            std::fprintf(stderr, "meshgate serve: admin port: %s\n",
                         started.error().message.c_str());
            return 1;
        }
        admin = std::move(*started);
    }

    // Every coroutine of the daemon itself (listener, health checks, reloads, the config watch,
    // the drain) runs on one strand, as each session runs on its own: Asio's parallel groups
    // (with_timeout's `||`, the column learner's wait_for_all) are not safe when their operands
    // complete on another thread of the pool while the group is still being launched (a
    // heap-use-after-free ASan found in a reload; chriskohlhoff/asio#1630).
    const auto daemon = asio::make_strand(ctx);
    asio::co_spawn(daemon, server.serve(), [&](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                proxy::log_error("listener failed", {{"what", ex.what()}});
            }
            server.stop();
            ctx.stop();
        }
    });

    asio::co_spawn(
        daemon,
        proxy::run_backend_checks(daemon, health, [&server] { return server.snapshot(); },
                                  [&server] { return !server.stopping(); }, &metrics,
                                  [relearner = server.relearner()](std::vector<std::string> up) {
                                      return relearner->refresh(std::move(up));
                                  }),
        [](std::exception_ptr e) {
            if (e) {
                proxy::log_error("backend health checks ended by an exception");
            }
        });

    // SIGUSR1: reopen the audit log (after logrotate moved it).
    asio::signal_set usr1(ctx, SIGUSR1);
    std::function<void(const boost::system::error_code&, int)> on_usr1 =
        [&](const boost::system::error_code& ec, int) {
            if (ec) {
                return;
            }
            proxy::log_info("SIGUSR1: reopening the audit log",
                            {{"path", server.snapshot()->audit.path}});
            audit.reopen();
            usr1.async_wait(on_usr1);
        };
    usr1.async_wait(on_usr1);

    asio::signal_set signals(ctx, SIGINT, SIGTERM);
    bool stopping = false;
    // SIGHUP reloads; one reload at a time, a signal during one queues exactly one more.
    asio::signal_set hup(ctx, SIGHUP);
    std::mutex reload_mutex;
    bool reload_running = false;
    bool reload_again = false;
    std::function<void()> start_reload;
    start_reload = [&] {
        asio::co_spawn(daemon, reload(server, opt.config, &metrics, &audit, opt.log_level_given),
                       [&](std::exception_ptr e) {
            if (e) {
                server.mutable_stats().reloads_failed.fetch_add(1);
                proxy::log_error("reload failed by an exception");
            }
            bool again = false;
            {
                std::lock_guard lock(reload_mutex);
                again = std::exchange(reload_again, false);
                reload_running = again;
            }
            if (again) {
                start_reload();
            }
        });
    };
    auto request_reload = [&] {
        bool start = false;
        {
            std::lock_guard lock(reload_mutex);
            if (reload_running) {
                reload_again = true;
            } else {
                reload_running = start = true;
            }
        }
        if (start) {
            start_reload();
        }
    };
    asio::co_spawn(daemon, watch_config(server, [&] { asio::post(daemon, request_reload); }),
                   [](std::exception_ptr e) {
                       if (e) {
                           proxy::log_error("config watch ended by an exception");
                       }
                   });
    asio::co_spawn(daemon, retry_federation(server, [&] { asio::post(daemon, request_reload); }),
                   [](std::exception_ptr e) {
                       if (e) {
                           proxy::log_error("federation retry ended by an exception");
                       }
                   });
    std::function<void(const boost::system::error_code&, int)> on_hup =
        [&](const boost::system::error_code& ec, int) {
            if (ec) {
                return;
            }
            proxy::log_info("SIGHUP: reloading the configuration");
            request_reload();
            hup.async_wait(on_hup);
        };
    hup.async_wait(on_hup);

    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int sig) {
            if (ec) {
                return;
            }
            if (stopping) {
                proxy::log_warn("second signal: stopping now");
                ctx.stop();
                return;
            }
            stopping = true;
            hup.cancel();
            usr1.cancel();
            std::chrono::milliseconds drain{0};
            if (sig == SIGTERM) {
                drain = std::chrono::milliseconds(server.snapshot()->limits.drain_timeout_ms);
                proxy::log_info("SIGTERM: draining (no new connections; statements in flight "
                                "finish)",
                                {{"sessions", static_cast<uint64_t>(server.live_sessions())},
                                 {"drain_timeout_ms", static_cast<int64_t>(drain.count())}});
                server.drain();
            } else {
                proxy::log_info("SIGINT: stopping now",
                                {{"sessions", static_cast<uint64_t>(server.live_sessions())}});
                server.stop();
            }
            asio::co_spawn(daemon, wait_for_sessions(server, ctx, drain), [&ctx](std::exception_ptr e) {
                if (e) {
                    ctx.stop();  // cannot wait for the sessions: stop at once
                }
            });
            signals.async_wait(on_signal);
        };
    signals.async_wait(on_signal);

    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) {
        pool.emplace_back([&ctx] { ctx.run(); });
    }
    ctx.run();
    for (auto& t : pool) {
        t.join();
    }
    proxy::log_info("stopped");
    return 0;
}

}  // namespace meshgate::cli
