// `meshgate serve --config F`: load and check the config, open the listener, run the sessions on
// N threads, stop on SIGINT/SIGTERM. Layer: proxy (edge).
#include "config/load.hpp"
#include "proxy/cli/commands.hpp"
#include "proxy/log.hpp"
#include "proxy/server.hpp"

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
    // TODO(session): policy::validate(snapshot) and column learning once those land. #4
    loaded.snapshot->generation = 1;
    config::SnapshotPtr snapshot = loaded.snapshot;

    const int threads =
        opt.threads > 0 ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    asio::io_context ctx(threads);
    proxy::Server server(ctx, snapshot);
    if (auto r = server.open(); !r) {
        std::fprintf(stderr, "meshgate serve: %s\n", r.error().message.c_str());
        return 1;
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
