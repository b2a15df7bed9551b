// What one parsed statement is, as plain data decide() can act on without libpg_query types.
// Layer: policy/sql (pure data).
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace meshgate::policy::sql {

/// SELECT / VALUES / TABLE / WITH: checked and rewritten by ParsedMessage::rewrite_query.
struct QueryStatement {};

/// BEGIN / START TRANSACTION / COMMIT / ROLLBACK / SAVEPOINT / RELEASE / ROLLBACK TO.
struct TransactionStatement {};

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
                                    ShowStatement, DiscardStatement, RefusedStatement>;

}  // namespace meshgate::policy::sql
