// learn_columns: one connection per backend, one catalog query per product, warnings for
// everything that could not be learned. Layer: proxy (I/O edge).
#include "proxy/backend/column_learner.hpp"

#include "policy/source_check.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/io/with_timeout.hpp"
#include "proxy/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <map>

namespace meshgate::proxy {
namespace asio = boost::asio;

namespace {

struct BackendWork {
    config::Backend backend;
    std::vector<config::Product*> products;
};

std::string source_name(const config::Product& p)
{
    return p.source_schema.empty() ? p.source_relation : p.source_schema + "." + p.source_relation;
}

struct Probe {
    std::vector<config::Column> columns;
    std::optional<std::string> error;  // set = not learned, with the reason
    bool missing = false;              // the relation does not exist (42P01)
};

// `SELECT * FROM source LIMIT 0`: names and types from RowDescription, type names from
// format_type (built from integers only). For backends whose catalog does not describe the
// source, e.g. another meshgate.
asio::awaitable<Probe> probe_columns(BackendConnection& conn, const config::Product& p,
                                     std::chrono::milliseconds timeout)
{
    Probe out;
    const std::string qualified =
        p.source_schema.empty()
            ? quote_identifier(p.source_relation)
            : quote_identifier(p.source_schema) + "." + quote_identifier(p.source_relation);
    auto r = co_await with_timeout(conn.simple_query("SELECT * FROM " + qualified + " LIMIT 0"),
                                   timeout);
    if (!r) {
        out.error = "timed out reading its columns";
        co_return out;
    }
    if (!*r) {
        out.missing = (*r).error().sqlstate == "42P01";
        out.error = out.missing ? std::string("does not exist")
                                : "cannot be read: " + (*r).error().message;
        co_return out;
    }
    const SimpleQueryResult& res = **r;
    if (res.columns.empty()) {
        out.error = "source relation has no columns";
        co_return out;
    }
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < res.columns.size(); ++i) {
        sql += (i == 0 ? "" : ", ") + std::string("pg_catalog.format_type(") +
               std::to_string(res.column_type_oids[i]) + ", " +
               std::to_string(res.column_type_modifiers[i]) + ")";
    }
    auto types = co_await with_timeout(conn.simple_query(std::move(sql)), timeout);
    if (!types || !*types || (**types).rows.size() != 1 ||
        (**types).rows[0].size() != res.columns.size()) {
        out.error = "cannot name the types of its columns";
        co_return out;
    }
    for (std::size_t i = 0; i < res.columns.size(); ++i) {
        const auto& t = (**types).rows[0][i];
        if (!t) {
            out.error = "cannot name the type of column " + res.columns[i];
            co_return out;
        }
        out.columns.push_back(config::Column{res.columns[i], *t});
    }
    co_return out;
}

// Reads the columns of every product of one backend. Each product's columns (or the reason it
// is unavailable) are assigned in one step after its query finished, so a timeout leaves every
// product either learned, marked unavailable, or untouched (marked by the caller).
// Returns warnings about the backend itself; product problems go into Product::unavailable.
asio::awaitable<std::vector<std::string>> learn_backend(BackendWork work,
                                                        std::chrono::milliseconds query_timeout)
{
    std::vector<std::string> warnings;
    const std::string& bname = work.backend.name;
    auto ex = co_await asio::this_coro::executor;
    std::vector<std::pair<std::string, std::string>> params;
    params.emplace_back(std::string("application_name"), std::string("meshgate column learning"));
    auto conn = co_await BackendConnection::connect(ex, work.backend, std::move(params));
    if (!conn) {
        for (config::Product* p : work.products) {
            p->unavailable = "its backend " + bname + " cannot be reached (" +
                             conn.error().message + ")";
        }
        co_return warnings;
    }
    for (config::Product* p : work.products) {
        const std::string src = "its source " + source_name(*p) + " on backend " + bname;
        auto sql = column_query(p->source_schema, p->source_relation);
        if (!sql) {
            p->unavailable = src + " has a name holding a NUL byte";
            continue;
        }
        auto r = co_await with_timeout((*conn)->simple_query(std::move(*sql)), query_timeout);
        if (!r) {
            p->unavailable = src + " could not be read in time";
            break;  // the connection is out of step now
        }
        if (!*r) {
            p->unavailable = src + " cannot be read: " + r->error().message;
            if (!(*conn)->usable()) {
                break;
            }
            continue;
        }
        const SimpleQueryResult& res = **r;
        if (res.columns.size() != 4) {
            p->unavailable = src + " gave an unexpected answer to the column query";
            continue;
        }
        std::vector<config::Column> cols;
        bool exists = false;
        bool can_select = true;
        for (const auto& row : res.rows) {
            exists = row[0] && *row[0] == "t";
            if (row[3] && *row[3] == "f") {
                can_select = false;
            }
            if (row[1] && row[2]) {
                cols.push_back(config::Column{*row[1], *row[2]});
            }
        }
        if (!exists) {
            // Gates nest (SPEC §10): behind another meshgate (or any engine whose catalog does
            // not list the relation) the source is still readable; ask the relation itself.
            auto probed = co_await probe_columns(**conn, *p, query_timeout);
            if (probed.error) {
                p->unavailable = probed.missing ? src + " does not exist"
                                                : src + ": " + *probed.error;
                if (!(*conn)->usable()) {
                    break;
                }
                continue;
            }
            p->physical_columns = std::move(probed.columns);
            continue;
        }
        if (cols.empty()) {
            p->unavailable = src + " has no columns";
            continue;
        }
        if (!can_select) {
            p->unavailable = src + " is not readable by the service account " +
                             work.backend.user + " (no SELECT privilege)";
            continue;
        }
        p->physical_columns = std::move(cols);
    }
    co_await (*conn)->terminate();
    co_return warnings;
}

asio::awaitable<std::vector<std::string>> learn_backend_bounded(
    BackendWork work, std::chrono::milliseconds timeout)
{
    const std::string name = work.backend.name;
    const std::size_t count = work.products.size();
    auto r = co_await with_timeout(learn_backend(std::move(work), timeout), timeout);
    if (!r) {
        co_return std::vector<std::string>{
            "backend " + name + ": column learning timed out after " +
            std::to_string(timeout.count()) + " ms; products not yet learned among its " +
            std::to_string(count) + " are refused"};
    }
    co_return std::move(*r);
}

}  // namespace

std::string quote_identifier(const std::string& name)
{
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
    return out;
}

std::optional<std::string> column_query(const std::string& schema, const std::string& relation)
{
    if (schema.find('\0') != std::string::npos || relation.find('\0') != std::string::npos ||
        relation.empty()) {
        return std::nullopt;
    }
    const std::string qualified =
        schema.empty() ? quote_identifier(relation)
                       : quote_identifier(schema) + "." + quote_identifier(relation);
    // E'' syntax: backslash escapes mean the same whatever standard_conforming_strings is.
    std::string literal = "E'";
    for (char c : qualified) {
        if (c == '\'' || c == '\\') {
            literal += c;
        }
        literal += c;
    }
    literal += '\'';
    return "SELECT r.oid IS NOT NULL, a.attname, "
           "pg_catalog.format_type(a.atttypid, a.atttypmod), "
           "CASE WHEN r.oid IS NULL THEN NULL "
           "ELSE pg_catalog.has_table_privilege(r.oid, 'SELECT') END "
           "FROM (SELECT pg_catalog.to_regclass(" +
           literal +
           ") AS oid) r "
           "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid "
           "AND a.attnum > 0 AND NOT a.attisdropped "
           "ORDER BY a.attnum";
}

asio::awaitable<std::vector<std::string>> learn_columns(config::Snapshot& snap,
                                                        std::chrono::milliseconds per_backend_timeout)
{
    co_return co_await learn_columns(snap, per_backend_timeout, nullptr);
}

asio::awaitable<std::vector<std::string>> learn_columns(config::Snapshot& snap,
                                                        std::chrono::milliseconds per_backend_timeout,
                                                        const std::vector<std::string>* only)
{
    std::vector<std::string> warnings;
    std::map<std::string, BackendWork> work;
    std::vector<std::pair<config::Product*, std::string>> learned;  // product, backend
    for (auto& [dname, domain] : snap.domains) {
        for (auto& [pname, product] : domain.products) {
            if (only != nullptr &&
                std::find(only->begin(), only->end(), product.address()) == only->end()) {
                continue;
            }
            product.physical_columns.clear();
            product.unavailable.clear();
            learned.emplace_back(&product, domain.backend);
            auto b = snap.backends.find(domain.backend);
            if (b == snap.backends.end()) {
                product.unavailable = "its backend " + domain.backend + " is not configured";
                continue;
            }
            auto& w = work[domain.backend];
            w.backend = b->second;
            w.products.push_back(&product);
        }
    }
    if (!work.empty()) {
        auto ex = co_await asio::this_coro::executor;
        using Op = decltype(asio::co_spawn(
            ex, learn_backend_bounded(BackendWork{}, per_backend_timeout), asio::deferred));
        std::vector<Op> ops;
        std::vector<std::string> names;
        for (auto& [name, w] : work) {
            names.push_back(name);
            ops.push_back(asio::co_spawn(
                ex, learn_backend_bounded(std::move(w), per_backend_timeout), asio::deferred));
        }
        auto [order, exceptions, results] =
            co_await asio::experimental::make_parallel_group(std::move(ops))
                .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        for (std::size_t i = 0; i < results.size(); ++i) {
            if (exceptions[i]) {
                try {
                    std::rethrow_exception(exceptions[i]);
                } catch (const std::exception& e) {
                    warnings.push_back("backend " + names[i] + ": column learning failed: " +
                                       e.what());
                } catch (...) {
                    warnings.push_back("backend " + names[i] + ": column learning failed");
                }
                continue;
            }
            for (auto& w : results[i]) {
                warnings.push_back(std::move(w));
            }
        }
    }
    // Every product is now learned or says why not; a learned one must still match its domain
    // file and the global policies (policy/source_check.hpp).
    for (auto& [p, backend] : learned) {
        if (p->unavailable.empty() && p->physical_columns.empty()) {
            p->unavailable = "its source " + source_name(*p) + " on backend " + backend +
                             " could not be read (column learning did not finish)";
        }
        if (p->unavailable.empty()) {
            auto problems = policy::source_problems(*p, snap);
            if (!problems.empty()) {
                p->unavailable = policy::describe_source_problems(*p, backend, problems);
            }
        }
        if (!p->unavailable.empty()) {
            warnings.push_back(policy::unavailable_error(*p, snap).message);
        }
    }
    co_return warnings;
}

namespace {

struct StoreOutcome {
    std::optional<std::vector<std::string>>* out;
    std::exception_ptr* error;
    void operator()(std::exception_ptr e, std::vector<std::string> w) const
    {
        *error = e;
        if (!e) {
            *out = std::move(w);
        }
    }
};

}  // namespace

Result<std::vector<std::string>> learn_columns_blocking(config::Snapshot& snap,
                                                       std::chrono::milliseconds timeout)
{
    asio::io_context io;
    std::optional<std::vector<std::string>> out;
    std::exception_ptr error;
    asio::co_spawn(io, learn_columns(snap, timeout), StoreOutcome{&out, &error});
    io.run();
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            return make_error("XX000", std::string("column learning failed: ") + e.what());
        } catch (...) {
            return make_error("XX000", "column learning failed");
        }
    }
    if (!out) {
        return make_error("XX000", "column learning did not finish");
    }
    return std::move(*out);
}

std::vector<std::string> unavailable_products_of(const policy::Deny& deny,
                                                 const config::Snapshot& snap)
{
    std::vector<std::string> out;
    if (deny.sqlstate != "55000") {
        return out;
    }
    for (const auto& [dname, domain] : snap.domains) {
        for (const auto& [pname, product] : domain.products) {
            if (!product.unavailable.empty() &&
                policy::unavailable_error(product, snap).message == deny.message) {
                out.push_back(product.address());
            }
        }
    }
    return out;
}

ColumnRelearner::ColumnRelearner(Current current, Publish publish,
                                 std::chrono::milliseconds min_interval,
                                 std::chrono::milliseconds timeout)
    : current_(std::move(current)),
      publish_(std::move(publish)),
      min_interval_(min_interval),
      timeout_(timeout)
{
}

void ColumnRelearner::reset()
{
    std::lock_guard lock(mutex_);
    last_try_.clear();
    last_refresh_.clear();
}

asio::awaitable<config::SnapshotPtr> ColumnRelearner::retry(policy::Deny deny,
                                                            config::SnapshotPtr snap)
{
    if (!snap) {
        co_return nullptr;
    }
    auto candidates = unavailable_products_of(deny, *snap);
    if (candidates.empty()) {
        co_return nullptr;
    }
    auto published = co_await reread(std::move(candidates), snap, false);
    if (published == snap) {
        co_return nullptr;
    }
    co_return published;
}

asio::awaitable<void> ColumnRelearner::refresh(std::vector<std::string> backends_up)
{
    auto snap = current_();
    if (!snap) {
        co_return;
    }
    std::vector<std::string> candidates;
    for (const auto& [dname, domain] : snap->domains) {
        if (std::find(backends_up.begin(), backends_up.end(), domain.backend) ==
            backends_up.end()) {
            continue;
        }
        for (const auto& [pname, product] : domain.products) {
            if (!product.unavailable.empty()) {
                candidates.push_back(product.address());
            }
        }
    }
    if (!candidates.empty()) {
        co_await reread(std::move(candidates), snap, true);
    }
}

// Returns the snapshot to decide on: null when nothing was due or nothing changed, the new one
// when published, or the current one when a reload replaced `snap` meanwhile.
asio::awaitable<config::SnapshotPtr> ColumnRelearner::reread(std::vector<std::string> candidates,
                                                             config::SnapshotPtr snap,
                                                             bool background)
{
    std::vector<std::string> due;
    {
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(mutex_);
        auto& last = background ? last_refresh_ : last_try_;
        for (auto& address : candidates) {
            auto it = last.find(address);
            if (it != last.end() && now - it->second < min_interval_) {
                continue;
            }
            last[address] = now;
            due.push_back(std::move(address));
        }
    }
    if (due.empty()) {
        co_return nullptr;
    }
    reads_.fetch_add(due.size());
    auto next = std::make_shared<config::Snapshot>(*snap);
    const auto warnings = co_await learn_columns(*next, timeout_, &due);
    bool changed = false;
    for (const auto& address : due) {
        const auto dot = address.find('.');
        const auto* before = snap->find_product(address.substr(0, dot), address.substr(dot + 1));
        const auto* after = next->find_product(address.substr(0, dot), address.substr(dot + 1));
        if (before == nullptr || after == nullptr) {
            continue;
        }
        if (after->unavailable != before->unavailable) {
            changed = true;
            if (after->unavailable.empty()) {
                log_info("data product available again", {{"product", address}});
            } else {
                log_warn("data product still unavailable",
                         {{"product", address}, {"reason", after->unavailable}});
            }
        }
    }
    if (!changed) {
        co_return nullptr;
    }
    if (prepare_) {
        co_await prepare_(*next);
    }
    config::SnapshotPtr published = next;
    if (!publish_(snap, published)) {
        co_return current_();  // a reload came first: decide on what it published
    }
    co_return published;
}

}  // namespace meshgate::proxy
