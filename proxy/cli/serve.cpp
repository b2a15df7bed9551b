// `meshgate serve --config F`: load and check the config, open the listener, run the sessions on
// N threads, stop on SIGINT/SIGTERM. Layer: proxy (edge).
#include "config/load.hpp"
#include "policy/validate.hpp"
#include "proxy/audit/audit_writer.hpp"
#include "proxy/audit/file_sink.hpp"
#include "proxy/audit/stdout_sink.hpp"
#include "proxy/audit/wall_clock.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "proxy/backend/column_learner.hpp"
#include "proxy/metrics/admin_server.hpp"
#include "proxy/metrics/metrics.hpp"
#include "proxy/cli/commands.hpp"
#include "proxy/log.hpp"
#include "proxy/server.hpp"
#include "proxy/session/jwt_login.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
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
    "Signals: SIGINT and SIGTERM stop the server.\n";

// Bounded wait for sessions to end after a stop, then the io_context is stopped regardless.
constexpr std::chrono::milliseconds kStopDeadline{5000};
// Bound on learning one backend's product columns at startup (connect included).
constexpr std::chrono::milliseconds kLearnTimeout{15000};

struct Options {
    std::string config;
    int threads = 0;
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

// Waits until every session has ended (or the deadline passed), then stops the io_context.
asio::awaitable<void> wait_for_sessions(proxy::Server& server, asio::io_context& ctx)
{
    asio::steady_timer timer(ctx);
    const auto deadline = std::chrono::steady_clock::now() + kStopDeadline;
    while (server.live_sessions() > 0 && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (server.live_sessions() > 0) {
        proxy::log_warn("sessions still open at the stop deadline; closing them",
                        {{"sessions", static_cast<uint64_t>(server.live_sessions())}});
    }
    ctx.stop();
}

// SIGHUP: a new snapshot from the same file, checked like at startup. A bad config keeps the
// old snapshot (statements in flight keep theirs in any case).
asio::awaitable<void> reload(proxy::Server& server, std::string path, proxy::Metrics* metrics,
                             proxy::AuditWriter* audit)
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
    server.update_backends(*loaded.snapshot);
    server.set_snapshot(loaded.snapshot);
    stats.reloads_ok.fetch_add(1);
    record(true, {});
    proxy::log_info("configuration reloaded",
                    {{"generation", loaded.snapshot->generation}});
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
        std::fprintf(stderr, "meshgate serve: %zu configuration error(s); not starting\n",
                     loaded.errors.size());
        return 2;
    }
    // Policies are checked before and after column learning: the first pass fails fast without
    // touching a backend, the second catches masks and filters on columns that do not exist.
    auto print_policy_errors = [](const std::vector<config::ConfigError>& errors) {
        for (const auto& e : errors) {
            std::fprintf(stderr, "%s\n", e.to_string().c_str());
        }
        std::fprintf(stderr, "meshgate serve: %zu policy error(s); not starting\n", errors.size());
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
    if (auto r = audit.start(); !r) {
        std::fprintf(stderr, "meshgate serve: cannot write the audit log \"%s\": %s\n",
                     snapshot->audit.path.c_str(), r.error().message.c_str());
        return 1;
    }

    asio::io_context ctx(threads);
    proxy::Server server(ctx, snapshot);
    server.set_observability(&metrics, &audit);
    if (auto r = server.open(); !r) {
        std::fprintf(stderr, "meshgate serve: %s\n", r.error().message.c_str());
        return 1;
    }
    metrics.add_scrape_hook([&metrics, &audit, &server] {
        const auto st = audit.stats();
        metrics.set_audit(st.queue_depth, st.write_failures, st.refused, st.healthy);
        for (const auto& [name, pool] : server.pools()) {
            const auto ps = pool->stats();
            metrics.set_backend_connections(name, proxy::BackendState::Idle, ps.idle);
            metrics.set_backend_connections(name, proxy::BackendState::Active, ps.active);
        }
    });
    std::unique_ptr<proxy::AdminServer> admin;
    if (snapshot->admin.enabled) {
        auto started = proxy::AdminServer::start(
            snapshot->admin.host, snapshot->admin.port, metrics.collectable(), [&audit] {
                // Ready: configuration loaded (we are serving) and the audit log writable.
                if (!audit.stats().healthy) {
                    return proxy::Readiness{false, "the audit log cannot be written"};
                }
                return proxy::Readiness{true, ""};
            });
        if (!started) {
            std::fprintf(stderr, "meshgate serve: admin port: %s\n",
                         started.error().message.c_str());
            return 1;
        }
        admin = std::move(*started);
    }

    asio::co_spawn(ctx, server.serve(), [&](std::exception_ptr e) {
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

    asio::signal_set signals(ctx, SIGINT, SIGTERM);
    bool stopping = false;
    // SIGHUP reloads; one reload at a time, a signal during one queues exactly one more.
    asio::signal_set hup(ctx, SIGHUP);
    std::mutex reload_mutex;
    bool reload_running = false;
    bool reload_again = false;
    std::function<void()> start_reload;
    start_reload = [&] {
        asio::co_spawn(ctx, reload(server, opt.config, &metrics, &audit), [&](std::exception_ptr e) {
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
    std::function<void(const boost::system::error_code&, int)> on_hup =
        [&](const boost::system::error_code& ec, int) {
            if (ec) {
                return;
            }
            proxy::log_info("SIGHUP: reloading the configuration");
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
            proxy::log_info("stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
            server.stop();
            hup.cancel();
            asio::co_spawn(ctx, wait_for_sessions(server, ctx), [&ctx](std::exception_ptr e) {
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
