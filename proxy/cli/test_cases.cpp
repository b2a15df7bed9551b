// `meshgate test --config F [--live] CASES.yaml`: runs a domain owner's policy cases (SPEC §8).
// Each case is decided as its user would be at login (policy::Identity::of, as the session does)
// with the case's purpose; with --live the rewritten SQL runs on the product's backend, in a
// read-only transaction that is rolled back, and its rows are compared.
// Layer: proxy (edge): the pure parts are in policy_cases.cpp.
#include "config/load.hpp"
#include "policy/decide.hpp"
#include "policy/identity.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/backend/column_learner.hpp"
#include "proxy/cli/commands.hpp"
#include "proxy/cli/policy_cases.hpp"
#include "proxy/io/with_timeout.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace meshgate::cli {
namespace {

namespace asio = boost::asio;

constexpr const char* kUsage =
    "usage: meshgate test --config FILE [--live] [--timeout-ms N] CASES.yaml\n"
    "\n"
    "Runs policy cases: for each case, decides its SQL as its user (with the user's groups,\n"
    "attributes and search_path from the configuration, and the case's purpose) and compares\n"
    "the decision (allow, or deny with a SQLSTATE) and fragments of the rewritten SQL with the\n"
    "case. With --live, the rewritten SQL of allowed cases that list `rows` runs on the\n"
    "product's backend (service account, read-only transaction, rolled back) and the rows are\n"
    "compared as text (NULL = YAML null; in order). Product columns are always learned from\n"
    "the backends first, as `meshgate serve` does.\n"
    "\n"
    "case file (a YAML list; see docs/policy-tests.md):\n"
    "  - name: analysts see only their region\n"
    "    user: alice\n"
    "    purpose: fraud                       # optional\n"
    "    sql: SELECT count(*) FROM sales.customers WHERE region <> 'EU'\n"
    "    expect: allow                        # allow | deny\n"
    "    rewritten_contains: [\"region\"]       # optional (allow)\n"
    "    rows: [[0]]                          # optional (allow), compared with --live\n"
    "    # sqlstate: \"42501\"                  # optional (deny)\n"
    "\n"
    "options:\n"
    "  --config FILE     main configuration file (required)\n"
    "  --live            also run allowed cases that list rows, and compare the rows\n"
    "  --timeout-ms N    bound for learning columns from each backend and for each live\n"
    "                    statement (default 10000)\n"
    "  --help            this text\n"
    "\n"
    "Prints one line per case (PASS or FAIL, the name, and what differed) and a summary.\n"
    "exit status: 0 = every case passed, 1 = a case failed,\n"
    "             2 = usage error, configuration error or malformed case file\n";

struct Options {
    std::string config;
    std::string cases;
    bool live = false;
    long timeout_ms = 10000;
};

// 0 = run, 1 = --help printed, 2 = usage error.
int parse(int argc, char** argv, Options& o)
{
    std::vector<std::string> files;
    bool options_done = false;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (options_done || a.empty() || a[0] != '-' || a == "-") {
            files.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
        } else if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 1;
        } else if (a == "--live") {
            o.live = true;
        } else if (a == "--config" || a == "-c" || a == "--timeout-ms") {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "meshgate test: %s needs a value\n", a.c_str());
                return 2;
            }
            const std::string v = argv[++i];
            if (a == "--timeout-ms") {
                char* end = nullptr;
                o.timeout_ms = std::strtol(v.c_str(), &end, 10);
                if (v.empty() || end == nullptr || *end != '\0' || o.timeout_ms <= 0 ||
                    o.timeout_ms > 600000) {
                    std::fprintf(stderr, "meshgate test: --timeout-ms must be 1..600000\n");
                    return 2;
                }
            } else {
                o.config = v;
            }
        } else {
            std::fprintf(stderr, "meshgate test: unknown option \"%s\"\n\n%s", a.c_str(), kUsage);
            return 2;
        }
    }
    if (o.config.empty()) {
        std::fprintf(stderr, "meshgate test: --config is required\n\n%s", kUsage);
        return 2;
    }
    if (files.size() != 1) {
        std::fprintf(stderr, "meshgate test: expected exactly one case file, got %zu\n\n%s",
                     files.size(), kUsage);
        return 2;
    }
    o.cases = files[0];
    return 0;
}

// --- live runs -----------------------------------------------------------------------------

using ConnectionSlot = std::unique_ptr<proxy::BackendConnection>;

bool is_copy(const std::string& sql)
{
    const auto start = sql.find_first_not_of(" \t\r\n(");
    if (start == std::string::npos || sql.size() - start < 4) {
        return false;
    }
    std::string head = sql.substr(start, 4);
    for (auto& ch : head) {
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    return head == "COPY";
}

// One statement, bounded: on expiry the backend is asked to cancel it and the connection is
// marked unusable (it is out of step).
asio::awaitable<Result<proxy::SimpleQueryResult>> timed_query(proxy::BackendConnection* conn,
                                                              std::string sql,
                                                              std::chrono::milliseconds timeout)
{
    auto r = co_await proxy::with_timeout(conn->simple_query(std::move(sql)), timeout);
    if (r) {
        co_return std::move(*r);
    }
    conn->mark_unusable();
    auto ex = co_await asio::this_coro::executor;
    co_await proxy::BackendConnection::cancel(ex, conn->backend(), conn->process_id(),
                                              conn->secret_key());
    co_return make_error("57014", "timed out after " + std::to_string(timeout.count()) + " ms");
}

// Runs `statements` on the backend in a read-only transaction that is rolled back; the rows are
// those of the last statement that returned a result set. `slot` keeps the connection between
// cases; it is replaced when the connection can no longer be used.
asio::awaitable<LiveResult> run_live(config::Backend backend, ConnectionSlot* slot,
                                     std::vector<std::string> statements,
                                     std::chrono::milliseconds timeout)
{
    LiveResult out;
    auto ex = co_await asio::this_coro::executor;
    if (*slot && !(*slot)->usable()) {
        slot->reset();
    }
    if (!*slot) {
        std::vector<std::pair<std::string, std::string>> params;
        params.emplace_back(std::string("application_name"), std::string("meshgate test"));
        auto conn = co_await proxy::BackendConnection::connect(ex, backend, std::move(params));
        if (!conn) {
            out.error = conn.error().message;
            co_return out;
        }
        *slot = std::move(*conn);
    }
    proxy::BackendConnection* conn = slot->get();
    auto begun = co_await timed_query(conn, "BEGIN TRANSACTION READ ONLY", timeout);
    if (!begun) {
        out.error = "BEGIN: " + begun.error().message;
        co_return out;
    }
    for (auto& sql : statements) {
        auto r = co_await timed_query(conn, std::move(sql), timeout);
        if (!r) {
            out.error = r.error().sqlstate.empty()
                            ? r.error().message
                            : "SQLSTATE " + r.error().sqlstate + ": " + r.error().message;
            break;
        }
        if (!r->columns.empty()) {
            out.columns = std::move(r->columns);
            out.rows.clear();
            for (auto& row : r->rows) {
                out.rows.push_back(std::move(row));
            }
        }
    }
    if (conn->usable()) {
        auto rolled_back = co_await timed_query(conn, "ROLLBACK", timeout);
        if (!rolled_back && !out.error) {
            out.error = "ROLLBACK: " + rolled_back.error().message;
        }
    }
    co_return out;
}

struct StoreLive {
    std::optional<LiveResult>* out;
    std::exception_ptr* error;
    void operator()(std::exception_ptr e, LiveResult r) const
    {
        *error = e;
        if (!e) {
            *out = std::move(r);
        }
    }
};

/// Connections kept across cases, one per backend, on a private io_context.
class LiveRunner {
public:
    explicit LiveRunner(std::chrono::milliseconds timeout) : timeout_(timeout) {}

    LiveResult run(const config::Backend& backend, const policy::Allow& allow)
    {
        std::vector<std::string> statements;
        for (const auto& step : allow.steps) {
            const auto* f = std::get_if<policy::Forward>(&step);
            if (f == nullptr || f->transaction_control) {
                continue;  // SET/SHOW answered by meshgate; our own transaction wraps the rest
            }
            if (is_copy(f->sql)) {
                LiveResult r;
                r.error = "COPY output is not compared; select the rows instead";
                return r;
            }
            statements.push_back(f->sql);
        }
        std::optional<LiveResult> out;
        std::exception_ptr error;
        asio::co_spawn(io_, run_live(backend, &slots_[backend.name], std::move(statements),
                                     timeout_),
                       StoreLive{&out, &error});
        io_.restart();
        io_.run();
        if (error) {
            slots_.erase(backend.name);
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                LiveResult r;
                r.error = std::string("the live run failed: ") + e.what();
                return r;
            }
        }
        if (!out) {
            LiveResult r;
            r.error = "the live run did not finish";
            return r;
        }
        return std::move(*out);
    }

    ~LiveRunner()
    {
        for (auto& [name, slot] : slots_) {
            if (slot && slot->usable()) {
                asio::co_spawn(io_, slot->terminate(), [](std::exception_ptr) {});
            }
        }
        io_.restart();
        io_.run();
    }

    LiveRunner(const LiveRunner&) = delete;
    LiveRunner& operator=(const LiveRunner&) = delete;

private:
    asio::io_context io_;
    std::chrono::milliseconds timeout_;
    std::map<std::string, ConnectionSlot> slots_;
};

void print_errors(const std::vector<config::ConfigError>& errors)
{
    for (const auto& e : errors) {
        std::fprintf(stderr, "%s\n", e.to_string().c_str());
    }
}

}  // namespace

int run_test(int argc, char** argv)
{
    Options opt;
    if (int p = parse(argc, argv, opt); p != 0) {
        return p == 1 ? 0 : 2;
    }
    CaseFile cases = load_cases(opt.cases);
    if (!cases.ok()) {
        print_errors(cases.errors);
        std::fprintf(stderr, "meshgate test: %s: %zu error(s); no case was run\n",
                     opt.cases.c_str(), cases.errors.size());
        return 2;
    }
    config::LoadResult loaded = config::load_config(opt.config);
    if (!loaded.ok()) {
        print_errors(loaded.errors);
        std::fprintf(stderr, "meshgate test: the configuration has %zu error(s); run "
                             "`meshgate check --config %s`\n",
                     loaded.errors.size(), opt.config.c_str());
        return 2;
    }
    config::Snapshot& snap = *loaded.snapshot;
    if (auto errors = check_users(cases.cases, snap); !errors.empty()) {
        print_errors(errors);
        std::fprintf(stderr, "meshgate test: %s: %zu error(s); no case was run\n",
                     opt.cases.c_str(), errors.size());
        return 2;
    }

    const std::chrono::milliseconds timeout(opt.timeout_ms);
    auto learned = proxy::learn_columns_blocking(snap, timeout);
    if (!learned) {
        std::fprintf(stderr, "warning: %s\n", learned.error().message.c_str());
    } else {
        for (const auto& w : *learned) {
            std::fprintf(stderr, "warning: %s\n", w.c_str());
        }
    }

    std::optional<LiveRunner> live;
    if (opt.live) {
        live.emplace(timeout);
    }
    std::size_t passed = 0;
    std::size_t failed = 0;
    for (const auto& c : cases.cases) {
        policy::Identity who = policy::Identity::of(snap.users.at(c.user));
        who.purpose = c.purpose;
        const policy::Decision d = policy::decide(c.sql, who, snap);
        std::optional<LiveResult> rows;
        if (live && c.rows && c.expect_allow && d.is_allow()) {
            const policy::Allow& a = d.allow();
            auto b = snap.backends.find(a.backend);
            if (auto local = answered_by_meshgate(a)) {
                rows = std::move(local);
            } else if (b == snap.backends.end()) {
                LiveResult r;
                r.error = "backend \"" + a.backend + "\" is not configured";
                rows = std::move(r);
            } else {
                rows = live->run(b->second, a);
            }
        }
        const CaseOutcome o = judge(c, d, rows);
        std::fputs(format_outcome(c, o).c_str(), stdout);
        std::fflush(stdout);
        (o.passed ? passed : failed) += 1;
    }
    live.reset();
    std::printf("%s\n", format_summary(passed, failed).c_str());
    return failed == 0 ? 0 : 1;
}

}  // namespace meshgate::cli
