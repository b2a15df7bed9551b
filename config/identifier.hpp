// Rules for names that become SQL addresses (domains, products, columns). Layer: config (pure).
#pragma once

#include <string_view>

namespace meshgate::config {

/// PostgreSQL's longest identifier (NAMEDATALEN - 1); longer ones would be silently truncated.
inline constexpr std::size_t kMaxIdentifierLength = 63;

/// True for a lower-case unquoted SQL identifier `[a-z_][a-z0-9_$]*` of at most 63 bytes, so the
/// name is the same whether a client writes it quoted or not.
bool is_sql_identifier(std::string_view name);

/// True for schema names a domain may not take: `mesh` (the catalog), `pg_catalog`,
/// `information_schema`, `public` and every `pg_*`.
bool is_reserved_domain_name(std::string_view name);

}  // namespace meshgate::config
