// Classification and reshaping of the statements that embed a query (SPEC §3): EXPLAIN,
// PREPARE, EXECUTE, DECLARE CURSOR, COPY. Internal to policy/sql (uses libpg_query types).
#pragma once

#include "common/error.hpp"
#include "policy/sql/pg_handles.hpp"
#include "policy/sql/statement_class.hpp"

#include <optional>
#include <string>

namespace meshgate::policy::sql {

/// The command name of a statement node ("INSERT", "CREATE TABLE", "MOVE", ...).
std::string command_name(PgQuery__Node* n);

/// A plain constant's text (`plain` cleared when `n` is not one).
std::string const_text(PgQuery__Node* n, bool& plain);

/// The query a PREPARE / DECLARE / EXPLAIN / COPY embeds must be of the SELECT family; anything
/// else (INSERT, DDL, ...) is refused as that statement would be. nullopt: it is a query.
std::optional<StatementClass> embedded_query(const std::string& outer, PgQuery__Node* q);

/// A DefElem option's name in lower case (empty when `n` is not a DefElem).
std::string def_name(PgQuery__Node* n);
/// The argument of a DefElem option as lower-case text (FORMAT json -> "json"); empty when absent.
std::string def_arg(PgQuery__Node* n);

/// EXPLAIN: VERBOSE and options other than ANALYZE, COSTS, SETTINGS, BUFFERS, WAL, TIMING,
/// SUMMARY and FORMAT are refused; the embedded statement must be a query.
StatementClass classify_explain(const PgQuery__ExplainStmt* e);

/// COPY: only `COPY (query) TO STDOUT` and `COPY relation [(cols)] TO STDOUT`.
StatementClass classify_copy(const PgQuery__CopyStmt* c);

/// `COPY product [(cols)] TO STDOUT` -> `COPY (SELECT cols|* FROM product) TO STDOUT`.
Result<void> copy_relation_to_query(PgQuery__CopyStmt* c);

}  // namespace meshgate::policy::sql
