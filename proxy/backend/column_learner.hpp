// Column learning: reads each product's physical columns (name, type, order) from its backend
// into the snapshot before it is published. Layer: proxy (I/O edge).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/decision.hpp"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace meshgate::proxy {

/// The SQL that reads the columns of `schema.relation`, in attnum order: one row per column
/// (exists, attname, format_type, can_select), or one row with attname NULL when the relation
/// is missing (exists = false) or has no columns. The name is quoted as identifiers and passed
/// as an E'' literal with ' and \ escaped, so it cannot break out whatever
/// standard_conforming_strings is. Names holding a NUL byte are refused (nullopt).
std::optional<std::string> column_query(const std::string& schema, const std::string& relation);

/// `"name"` with embedded double quotes doubled (PostgreSQL's quote_ident, always quoting).
std::string quote_identifier(const std::string& name);

/// For every backend that holds products, one connection (service account, TLS per config);
/// for each product on it, fills `Product::physical_columns` from the source relation. Backends
/// are learned in parallel, each bounded by `per_backend_timeout` (connect included). When the
/// backend's catalog does not know the source (e.g. the backend is another meshgate, SPEC §10),
/// the columns are read from `SELECT * FROM source LIMIT 0` and typed with format_type.
///
/// Never fails as a whole. A product whose source is missing, has no columns, is not readable by
/// the service account, sits on an unreachable or timed-out backend, or no longer matches its
/// domain file (policy::source_problems: a declared, masked or filtered column gone, a mask that
/// does not suit a column's type) gets `Product::unavailable` set, which the policy engine turns
/// into a clear 55000 for every statement on it (policy::unavailable_error). Returns one warning
/// per unavailable product (that error's message: product, source, backend, column, who must do
/// what) plus warnings about backends. Columns learned earlier are cleared first, so a reload
/// never keeps stale columns.
boost::asio::awaitable<std::vector<std::string>> learn_columns(
    config::Snapshot& snap,
    std::chrono::milliseconds per_backend_timeout = std::chrono::milliseconds(15000));

/// The same for the products whose address is in `only` (all when null); the others are left
/// as they are.
boost::asio::awaitable<std::vector<std::string>> learn_columns(
    config::Snapshot& snap, std::chrono::milliseconds per_backend_timeout,
    const std::vector<std::string>* only);

/// Addresses of the unavailable products of `snap` whose refusal (policy::unavailable_error) is
/// exactly `deny` (sqlstate and message).
std::vector<std::string> unavailable_products_of(const policy::Deny& deny,
                                                 const config::Snapshot& snap);

/// "First use after a failed read": when a statement is refused because a product it reads is
/// unavailable, the product's source is read again (at most once per `min_interval` per product,
/// however many statements arrive), and when that changes anything a copy of the snapshot with
/// the new columns is published, so the statement and every later one see it. Thread-safe.
///
/// The copy keeps the snapshot's generation: it differs only in products that were unavailable,
/// on which no statement was ever allowed, so nothing cached or prepared under that generation
/// depends on them; a reload meanwhile wins (the copy is dropped).
class ColumnRelearner {
public:
    using Current = std::function<config::SnapshotPtr()>;
    /// Publishes `next` if the current snapshot is still `expected`; false otherwise.
    using Publish = std::function<bool(const config::SnapshotPtr& expected,
                                       config::SnapshotPtr next)>;

    ColumnRelearner(Current current, Publish publish,
                    std::chrono::milliseconds min_interval = std::chrono::milliseconds(5000),
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

    /// After `deny` on `snap`: the snapshot to decide the statement again on, or null when no
    /// product was due for a retry or reading it again changed nothing.
    boost::asio::awaitable<config::SnapshotPtr> retry(policy::Deny deny, config::SnapshotPtr snap);

    /// In the background (after each round of backend health checks): reads again the
    /// unavailable products of the current snapshot that live on one of `backends_up` and are
    /// due, so /readyz and meshgate_products_unavailable recover without a reload or a
    /// statement once a backend or a table is back. Same interval per product as retry(), on
    /// its own clock.
    boost::asio::awaitable<void> refresh(std::vector<std::string> backends_up);

    /// Runs on a re-read snapshot that changed, before it is published (e.g. the federation
    /// sync, so foreign tables follow products that became available). Set before use.
    using Prepare = std::function<boost::asio::awaitable<void>(config::Snapshot&)>;
    void set_prepare(Prepare prepare) { prepare_ = std::move(prepare); }

    /// Forgets when products were last read.
    void reset();

    /// Product reads started so far (for tests and debugging).
    uint64_t reads() const { return reads_.load(); }

private:
    /// Reads `candidates` of `snap` again (those due); the snapshot published, or null.
    boost::asio::awaitable<config::SnapshotPtr> reread(std::vector<std::string> candidates,
                                                       config::SnapshotPtr snap, bool background);

    Current current_;
    Publish publish_;
    Prepare prepare_;
    std::chrono::milliseconds min_interval_;
    std::chrono::milliseconds timeout_;
    std::mutex mutex_;
    // Separate clocks: a background read never delays the first use after a failed read.
    std::map<std::string, std::chrono::steady_clock::time_point> last_try_;
    std::map<std::string, std::chrono::steady_clock::time_point> last_refresh_;
    std::atomic<uint64_t> reads_{0};
};

/// learn_columns on a private io_context (for the CLI and startup): returns the warnings, or an
/// error only if the learning itself broke (an exception, a bug). `timeout` bounds each backend.
Result<std::vector<std::string>> learn_columns_blocking(config::Snapshot& snap,
                                                       std::chrono::milliseconds timeout);

}  // namespace meshgate::proxy
