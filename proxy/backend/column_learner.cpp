// learn_columns: one connection per backend, one catalog query per product, warnings for
// everything that could not be learned. Layer: proxy (I/O edge).
#include "proxy/backend/column_learner.hpp"

#include "proxy/backend/backend_connection.hpp"
#include "proxy/io/with_timeout.hpp"
#include "proxy/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

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
        out.error = (*r).error().sqlstate == "42P01"
                        ? std::string("source relation not found; statements on the product "
                                      "are refused")
                        : "cannot read its columns: " + (*r).error().message;
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

// Reads the columns of every product of one backend. Each product's columns are assigned in one
// step after its query succeeded, so a timeout leaves every product either learned or empty.
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
        warnings.push_back("cannot learn columns from backend " + bname + " (" +
                           std::to_string(work.products.size()) +
                           " product(s); statements on them are refused): " +
                           conn.error().message);
        co_return warnings;
    }
    for (config::Product* p : work.products) {
        const std::string where = "product " + p->address() + " (source " + source_name(*p) +
                                  " on backend " + bname + ")";
        auto sql = column_query(p->source_schema, p->source_relation);
        if (!sql) {
            warnings.push_back(where + ": source name holds a NUL byte; refused");
            continue;
        }
        auto r = co_await with_timeout((*conn)->simple_query(std::move(*sql)), query_timeout);
        if (!r) {
            warnings.push_back(where + ": timed out reading its columns");
            break;  // the connection is out of step now
        }
        if (!*r) {
            warnings.push_back(where + ": cannot read its columns: " + r->error().message);
            if (!(*conn)->usable()) {
                break;
            }
            continue;
        }
        const SimpleQueryResult& res = **r;
        if (res.columns.size() != 4) {
            warnings.push_back(where + ": unexpected column query result");
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
                warnings.push_back(where + ": " + *probed.error);
                if (!(*conn)->usable()) {
                    break;
                }
                continue;
            }
            p->physical_columns = std::move(probed.columns);
            continue;
        }
        if (cols.empty()) {
            warnings.push_back(where + ": source relation has no columns");
            continue;
        }
        if (!can_select) {
            warnings.push_back(where + ": the service account " + work.backend.user +
                               " has no SELECT privilege on the source");
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
    std::vector<std::string> warnings;
    std::map<std::string, BackendWork> work;
    for (auto& [dname, domain] : snap.domains) {
        for (auto& [pname, product] : domain.products) {
            product.physical_columns.clear();
            auto b = snap.backends.find(domain.backend);
            if (b == snap.backends.end()) {
                warnings.push_back("product " + product.address() + ": backend " +
                                   domain.backend + " is not configured");
                continue;
            }
            auto& w = work[domain.backend];
            w.backend = b->second;
            w.products.push_back(&product);
        }
    }
    if (work.empty()) {
        co_return warnings;
    }
    auto ex = co_await asio::this_coro::executor;
    using Op = decltype(asio::co_spawn(ex, learn_backend_bounded(BackendWork{}, per_backend_timeout),
                                       asio::deferred));
    std::vector<Op> ops;
    std::vector<std::string> names;
    for (auto& [name, w] : work) {
        names.push_back(name);
        ops.push_back(asio::co_spawn(ex, learn_backend_bounded(std::move(w), per_backend_timeout),
                                     asio::deferred));
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

}  // namespace meshgate::proxy
