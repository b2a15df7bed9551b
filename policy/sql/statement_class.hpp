// What one parsed statement is, as plain data decide() can act on without libpg_query types.
// Layer: policy/sql (pure data).
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace meshgate::policy::sql {

/// A statement that holds a query (or expressions) checked and rewritten by
/// ParsedMessage::rewrite_query: SELECT / VALUES / TABLE / WITH, and the statements that embed
/// one (SPEC §3): EXPLAIN, PREPARE, EXECUTE (its argument expressions), DECLARE CURSOR, and
/// COPY (query) / COPY product TO STDOUT.
struct QueryStatement {
    enum class Kind { Select, Explain, Prepare, Execute, DeclareCursor, Copy };
    Kind kind = Kind::Select;
    std::string name{};  // Prepare / Execute: the statement; DeclareCursor: the cursor
};

/// A statement forwarded as sent that names a prepared statement or cursor and holds no query:
/// FETCH / MOVE / CLOSE [ALL] / DEALLOCATE [ALL].
struct PortalStatement {
    std::string kind;   // "FETCH", "MOVE", "CLOSE", "DEALLOCATE"
    std::string name;   // the cursor / prepared statement; empty for ALL
};

/// BEGIN / START TRANSACTION / COMMIT / ROLLBACK / SAVEPOINT / RELEASE / ROLLBACK TO.
struct TransactionStatement {
    std::string opens;  // "BEGIN" / "START TRANSACTION" (its command tag); "" for the others
};

/// SET / RESET of one setting (`name` in lower case as PostgreSQL compares GUC names).
struct SetStatement {
    enum class Kind { Value, Default, Reset, ResetAll, FromCurrent, Transaction };
    Kind kind = Kind::Value;
    std::string name;
    std::vector<std::string> values;   // Value: each argument's text (identifiers exact)
    bool is_local = false;
    bool values_are_plain = true;      // false when an argument is not a plain constant
};

/// SHOW of one setting (lower case), or "all".
struct ShowStatement {
    std::string name;
};

/// DISCARD ALL / PLANS / SEQUENCES / TEMP.
struct DiscardStatement {
    bool all = false;
};

/// A statement meshgate refuses: `kind` is its command name ("INSERT", "CREATE TABLE", ...).
struct RefusedStatement {
    std::string sqlstate;   // 42501 (writes, privileged) or 0A000 (not supported yet)
    std::string kind;
    std::string reason;     // optional extra explanation
};

using StatementClass = std::variant<QueryStatement, TransactionStatement, SetStatement,
                                    ShowStatement, DiscardStatement, PortalStatement,
                                    RefusedStatement>;

}  // namespace meshgate::policy::sql
