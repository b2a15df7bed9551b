// Policy cases for `meshgate test` (SPEC §8): parsing a case file strictly, judging one case's
// decision (and, with --live, its rows) and printing the result. Everything here is pure: no
// sockets, no clock; the command (test_cases.cpp) does the I/O.
// Layer: proxy (edge), but free of I/O so that tests/unit/proxy/core can test it.
#pragma once

#include "config/config_error.hpp"
#include "config/model.hpp"
#include "policy/decision.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::cli {

/// One cell of an expected or actual row: its text as PostgreSQL prints it, nullopt = NULL.
using Cell = std::optional<std::string>;
using Row = std::vector<Cell>;

/// One case of a case file:
///   - name: analysts see only their region     (required, unique in the file)
///     user: alice                              (required, a user of the configuration)
///     purpose: fraud                           (optional: the session's declared purpose)
///     sql: SELECT ...                          (required)
///     expect: allow                            (required: allow | deny)
///     sqlstate: "42501"                        (optional, deny only)
///     rewritten_contains: ["region"]           (optional, allow only)
///     rows: [[0]]                              (optional, allow only; compared with --live)
struct PolicyCase {
    std::string name;
    config::SourceLocation where;   // the case's list item
    std::string user;
    config::SourceLocation user_at;
    std::optional<std::string> purpose;
    std::string sql;
    bool expect_allow = false;
    std::optional<std::string> sqlstate;
    std::vector<std::string> rewritten_contains;
    /// Expected rows in order. YAML null (`null`, `~`, empty) is SQL NULL; every other scalar is
    /// compared as text, except that a plain (unquoted) true/false stands for PostgreSQL's t/f.
    std::optional<std::vector<Row>> rows;
};

/// The cases of one file, or every problem found in it (file:line:col, as config errors).
struct CaseFile {
    std::vector<PolicyCase> cases;
    std::vector<config::ConfigError> errors;
    bool ok() const { return errors.empty(); }
};

/// Parses a case file's text strictly: the top level must be a non-empty list of maps; unknown
/// keys (with a "did you mean"), missing required keys, wrong types, duplicate names and
/// contradictions (sqlstate on an allow case, rows or rewritten_contains on a deny case) are
/// errors. `file` names the file in messages. Never throws.
CaseFile parse_cases(std::string_view text, const std::string& file);

/// Reads and parses `path`; an unreadable file is one error.
CaseFile load_cases(const std::string& path);

/// Errors for cases whose user is not in the configuration (with a "did you mean").
std::vector<config::ConfigError> check_users(const std::vector<PolicyCase>& cases,
                                             const config::Snapshot& snap);

/// What running the rewritten SQL on the backend gave (--live).
struct LiveResult {
    std::optional<std::string> error;   // set: the backend refused or the run failed
    std::vector<std::string> columns;
    std::vector<Row> rows;
};

/// For a statement meshgate answers itself (no Forward step: SET/SHOW of search_path or
/// meshgate.purpose), the rows a client would get: those of the last SHOW (one row, one value),
/// or none. nullopt when some step runs on a backend.
std::optional<LiveResult> answered_by_meshgate(const policy::Allow& allow);

/// The verdict on one case.
struct CaseOutcome {
    bool passed = false;
    /// What differed, one item per difference ("expected deny, got allow", ...).
    std::vector<std::string> differences;
    /// Remarks that do not fail the case ("rows not compared without --live").
    std::vector<std::string> notes;
    /// Extra lines printed under a failing case (the rewritten SQL, redacted).
    std::vector<std::string> details;
};

/// Judges a decision against the case: allow/deny, SQLSTATE, rewrite fragments; and the rows when
/// `live` is given (the case has `rows` and was allowed). Fragments are matched as exact
/// substrings of Allow::rewritten().
CaseOutcome judge(const PolicyCase& c, const policy::Decision& d,
                  const std::optional<LiveResult>& live);

/// "" when equal, else a one-line description of the first difference.
std::string diff_rows(const std::vector<Row>& expected, const std::vector<Row>& actual);

/// `[0, 'EU', NULL]`-style text of a row, for messages.
std::string format_row(const Row& row);

/// The rewritten SQL as shown to a person: long hex literals (key material of the hash mask) are
/// replaced by '<redacted>'.
std::string redact_for_display(const std::string& sql);

/// "PASS  name" or "FAIL  name: difference; difference", then indented notes/extra lines.
std::string format_outcome(const PolicyCase& c, const CaseOutcome& o);

/// "N passed, N failed".
std::string format_summary(std::size_t passed, std::size_t failed);

}  // namespace meshgate::cli
