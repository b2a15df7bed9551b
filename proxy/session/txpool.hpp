// Transaction pool mode (SPEC §4 `pool_mode: transaction`): the pure bookkeeping a session needs
// to lend its backend connections out between transactions: which session settings the client
// made (to replay them on the next connection), and the connection-independent names under
// which its prepared statements live on the backends.
// Layer: proxy (pure; unit-tested in tests/unit/proxy/core/txpool_test.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshgate::proxy::txpool {

/// The backend's name for a protocol-level prepared statement: derived from its (rewritten)
/// text and parameter types only, so every client's statement with the same text shares one
/// backend statement per connection, and two clients' statement names never collide.
std::string backend_statement_name(std::string_view sql, const std::vector<uint32_t>& types);

/// What identifies a prepared statement on a connection: its text and parameter types.
std::string statement_key(std::string_view sql, const std::vector<uint32_t>& types);

/// Joins SQL statements into one simple-query script (";\n" so a trailing line comment in one
/// statement never swallows the next).
void append_statement(std::string& script, std::string_view sql);

/// The session settings a client made with SET / RESET (forwarded settings only: search_path
/// and meshgate.purpose never reach a backend), as PostgreSQL keeps them: a SET inside a
/// transaction block counts once the block commits; SET LOCAL never outlives it; RESET and
/// RESET ALL return to the session's startup values.
class SettingsTracker {
public:
    /// One command the backend completed with CommandComplete `tag`; `sql` is the statement as
    /// forwarded (parsed only for SET / RESET). Transaction control tags (BEGIN, COMMIT,
    /// ROLLBACK, ...) move the transaction state.
    void on_command(std::string_view sql, std::string_view tag);

    /// The message or Sync cycle these commands belonged to ended; `failed`: an error ended it
    /// (an implicit transaction rolled back its SETs), `status`: the ReadyForQuery status after it.
    void end_cycle(bool failed, char status);

    /// Starts tracking a checkout whose connection is in transaction status `status`.
    void begin_cycle(char status) { in_block_ = status != 'I'; }

    /// SET statements that rebuild the client's settings after RESET ALL, in order.
    std::string script() const;

    /// True when something happened that meshgate cannot mirror exactly on a connection (RESET,
    /// DISCARD ALL, an error after a SET, ROLLBACK TO SAVEPOINT after a SET): the connection
    /// is reset and replayed before its next use. Cleared by take_uncertain().
    bool take_uncertain()
    {
        const bool u = uncertain_;
        uncertain_ = false;
        return u;
    }

    /// True when a SET/RESET was seen since the last take_touched().
    bool take_touched()
    {
        const bool t = touched_;
        touched_ = false;
        return t;
    }

    /// Forgets everything (DISCARD ALL by the client).
    void clear();

    const std::vector<std::pair<std::string, std::string>>& settings() const { return committed_; }

private:
    struct Op {
        enum class Kind { Set, Reset, ResetAll } kind = Kind::Set;
        std::string name;
        std::string sql;
    };
    void apply(const Op& op);

    std::vector<std::pair<std::string, std::string>> committed_;  // name -> SET statement
    std::vector<Op> block_;     // inside an explicit transaction block: applied at COMMIT
    std::vector<Op> implicit_;  // outside one: applied when the cycle ends without error
    bool in_block_ = false;
    bool uncertain_ = false;
    bool touched_ = false;
};

}  // namespace meshgate::proxy::txpool
