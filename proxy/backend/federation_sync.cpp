// Federation sync: plan (policy/federation), read the federation backend's state, apply the
// difference in one transaction. Layer: proxy (I/O edge).
#include "proxy/backend/federation_sync.hpp"

#include "policy/federation.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/io/with_timeout.hpp"
#include "proxy/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshgate::proxy {
namespace asio = boost::asio;

namespace {

// Advisory lock key ("meshfed" in ASCII): two replicas syncing one federation backend take turns.
constexpr const char* kLockSql = "SELECT pg_catalog.pg_advisory_xact_lock(28549168752616804)";

struct Outcome {
    std::string error;  // empty = in step
    size_t changes = 0;
    size_t skipped = 0;
};

class Syncer {
public:
    Syncer(BackendConnection& conn, std::chrono::milliseconds timeout)
        : conn_(conn), timeout_(timeout)
    {
    }

    // Runs one statement; on failure sets error_ (with `what`, never the SQL) and returns nullopt.
    asio::awaitable<std::optional<SimpleQueryResult>> run(std::string sql, std::string what)
    {
        auto r = co_await with_timeout(conn_.simple_query(std::move(sql)), timeout_);
        if (!r) {
            conn_.mark_unusable();
            error_ = what + ": timed out after " + std::to_string(timeout_.count()) + " ms";
            co_return std::nullopt;
        }
        if (!*r) {
            last_sqlstate_ = r->error().sqlstate;
            error_ = what + ": " + r->error().message;
            co_return std::nullopt;
        }
        co_return std::move(**r);
    }

    const std::string& error() const { return error_; }
    void clear_error() { error_.clear(); }

private:
    BackendConnection& conn_;
    std::chrono::milliseconds timeout_;
    std::string error_;
    std::string last_sqlstate_;
};

std::string setup_hint(const config::Backend& b)
{
    return "as a superuser on backend " + b.name + " (database " + b.database +
           "), run once: CREATE EXTENSION IF NOT EXISTS postgres_fdw; GRANT USAGE ON FOREIGN "
           "DATA WRAPPER postgres_fdw TO " +
           b.user + "; GRANT CREATE ON DATABASE " + b.database + " TO " + b.user;
}

asio::awaitable<Outcome> apply(BackendConnection& conn, const config::Backend& fedb,
                               const policy::FederationPlan& plan,
                               std::chrono::milliseconds timeout)
{
    Outcome out;
    Syncer s(conn, timeout);
    auto ext = co_await s.run(policy::federation_extension_query(), "checking postgres_fdw");
    if (!ext) {
        out.error = s.error();
        co_return out;
    }
    if (ext->rows.size() != 1 || ext->rows[0].size() != 3) {
        out.error = "checking postgres_fdw: unexpected answer";
        co_return out;
    }
    const auto& row = ext->rows[0];
    if (!row[0] || *row[0] != "t") {
        out.error = "the postgres_fdw extension is not installed; " + setup_hint(fedb);
        co_return out;
    }
    if (!plan.servers.empty() && (!row[1] || *row[1] != "t")) {
        out.error = "the service account " + fedb.user +
                    " may not use the postgres_fdw foreign data wrapper; " + setup_hint(fedb);
        co_return out;
    }
    if (!co_await s.run("BEGIN", "starting the sync transaction")) {
        out.error = s.error();
        co_return out;
    }
    bool ok = false;
    do {
        if (!co_await s.run("SET LOCAL lock_timeout = '10s'", "setting lock_timeout")) {
            break;
        }
        if (!co_await s.run(kLockSql, "taking the federation sync lock")) {
            break;
        }
        auto state_rows = co_await s.run(policy::federation_state_query(),
                                         "reading the foreign servers and tables");
        if (!state_rows) {
            break;
        }
        std::vector<std::vector<std::string>> rows;
        for (const auto& r : state_rows->rows) {
            std::vector<std::string> cells;
            for (const auto& c : r) {
                cells.push_back(c.value_or(""));
            }
            rows.push_back(std::move(cells));
        }
        const auto state = policy::federation_state_from_rows(rows);
        auto statements = policy::sync_statements(plan, state);
        if (!statements) {
            out.error = statements.error().message;
            break;
        }
        bool failed = false;
        bool skip_comment = false;
        for (const auto& st : *statements) {
            const bool is_table = st.sql.rfind("CREATE FOREIGN TABLE", 0) == 0;
            if (skip_comment && st.sql.rfind("COMMENT ON FOREIGN TABLE", 0) == 0) {
                skip_comment = false;
                continue;
            }
            skip_comment = false;
            if (is_table) {
                // One table that cannot be declared here (a type the federation backend does
                // not know) must not take the others down.
                if (!co_await s.run("SAVEPOINT meshgate_table", "setting a savepoint")) {
                    failed = true;
                    break;
                }
                auto created = co_await s.run(st.sql, st.log);
                if (!created) {
                    log_warn("federation sync: foreign table skipped; statements that need it "
                             "will fail",
                             {{"backend", fedb.name}, {"reason", s.error()}});
                    s.clear_error();
                    ++out.skipped;
                    skip_comment = true;
                    if (!co_await s.run("ROLLBACK TO SAVEPOINT meshgate_table",
                                        "rolling back to the savepoint")) {
                        failed = true;
                        break;
                    }
                    continue;
                }
                if (!co_await s.run("RELEASE SAVEPOINT meshgate_table", "releasing a savepoint")) {
                    failed = true;
                    break;
                }
            } else {
                // No conditional expression inside co_await (GCC 12 destroys its temporaries
                // twice): name the text first.
                std::string what = "updating the federation objects";
                if (!st.log.empty()) {
                    what = st.log;
                }
                auto done = co_await s.run(st.sql, std::move(what));
                if (!done) {
                    failed = true;
                    break;
                }
            }
            if (!st.log.empty()) {
                ++out.changes;
                log_info("federation sync: " + st.log, {{"backend", fedb.name}});
            }
        }
        if (failed) {
            break;
        }
        if (!co_await s.run("COMMIT", "committing the sync")) {
            break;
        }
        ok = true;
    } while (false);
    if (!ok) {
        if (out.error.empty()) {
            out.error = s.error();
        }
        if (conn.usable()) {
            co_await s.run("ROLLBACK", "rolling back");
        }
    }
    co_return out;
}

}  // namespace

asio::awaitable<void> sync_federation(config::Snapshot& snap, std::chrono::milliseconds timeout)
{
    snap.federation_unavailable.clear();
    if (!snap.federation_backend) {
        co_return;
    }
    const std::string& name = *snap.federation_backend;
    auto fail = [&](const std::string& why) {
        snap.federation_unavailable = why;
        log_error("federation sync failed; statements spanning backends are refused until a "
                  "sync succeeds (retried every 15 s)",
                  {{"backend", name}, {"reason", why}});
    };
    try {
        auto plan = policy::plan_federation(snap);
        if (!plan) {
            fail(plan.error().message);
            co_return;
        }
        for (const auto& note : plan->notes) {
            log_warn("federation sync: product not federated", {{"backend", name}, {"reason", note}});
        }
        const auto b = snap.backends.find(name);
        if (b == snap.backends.end()) {
            fail("federation_backend " + name + " is not configured");
            co_return;
        }
        auto ex = co_await asio::this_coro::executor;
        std::vector<std::pair<std::string, std::string>> params;
        params.emplace_back(std::string("application_name"), std::string("meshgate federation sync"));
        auto conn = co_await BackendConnection::connect(ex, b->second, std::move(params));
        if (!conn) {
            fail("cannot connect to federation backend " + name + ": " + conn.error().message);
            co_return;
        }
        auto out = co_await apply(**conn, b->second, *plan, timeout);
        if ((*conn)->usable()) {
            co_await (*conn)->terminate();
        }
        if (!out.error.empty()) {
            fail(out.error);
            co_return;
        }
        log_info("federation in step",
                 {{"backend", name},
                  {"servers", static_cast<uint64_t>(plan->servers.size())},
                  {"foreign_tables", static_cast<uint64_t>(plan->tables.size() - out.skipped)},
                  {"changes", static_cast<uint64_t>(out.changes)},
                  {"skipped", static_cast<uint64_t>(out.skipped)}});
    } catch (const std::exception& e) {
        fail(std::string("federation sync failed: ") + e.what());
    } catch (...) {
        fail("federation sync failed");
    }
}

void sync_federation_blocking(config::Snapshot& snap, std::chrono::milliseconds timeout)
{
    asio::io_context io;
    asio::co_spawn(io, sync_federation(snap, timeout), asio::detached);
    io.run();
}

}  // namespace meshgate::proxy
