// Pins the operators a client wrote to pg_catalog. Internal to policy/sql.
#pragma once

#include "common/error.hpp"
#include "policy/sql/pg_handles.hpp"

namespace meshgate::policy::sql {

/// Rewrites every unqualified operator below `n` that has a qualified spelling in SQL
/// (`a OPERATOR(pg_catalog.=) b`, `OPERATOR(pg_catalog.-) a`, `a OPERATOR(pg_catalog.=) ANY
/// (...)`, `a OPERATOR(pg_catalog.<) ALL (SELECT ...)`; LIKE / ILIKE / SIMILAR TO become
/// `a OPERATOR(pg_catalog.~~) b` and so on) so the backend cannot resolve it along the service
/// account's search_path to an operator in another schema. Operators that SQL spells only
/// implicitly (IS DISTINCT FROM, NULLIF, BETWEEN, IN (...), CASE x WHEN, row comparisons)
/// stay as they are. Sets `changed` when it qualified something.
Result<void> qualify_operators(PgQuery__Node* n, bool& changed);

}  // namespace meshgate::policy::sql
