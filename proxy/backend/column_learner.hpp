// Column learning: reads each product's physical columns (name, type, order) from its backend
// into the snapshot before it is published. Layer: proxy (I/O edge).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
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
/// Never fails as a whole: returns warnings, each naming the product and the backend, for a
/// missing source, a source without columns or without SELECT for the service account, and an
/// unreachable or timed-out backend. A product whose columns could not be learned keeps an empty
/// `physical_columns`, which the policy engine refuses (fail closed). Columns learned earlier
/// are cleared first, so a reload never keeps stale columns.
boost::asio::awaitable<std::vector<std::string>> learn_columns(
    config::Snapshot& snap,
    std::chrono::milliseconds per_backend_timeout = std::chrono::milliseconds(15000));

/// learn_columns on a private io_context (for the CLI and startup): returns the warnings, or an
/// error only if the learning itself broke (an exception, a bug). `timeout` bounds each backend.
Result<std::vector<std::string>> learn_columns_blocking(config::Snapshot& snap,
                                                       std::chrono::milliseconds timeout);

}  // namespace meshgate::proxy
