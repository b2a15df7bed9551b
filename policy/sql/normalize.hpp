// Cheap statement normalization with libpg_query's scanner (no parse): the rewrite cache's key
// with constants taken out, the constants' source text, and the audit log's normalized statement
// and fingerprint. Layer: policy/sql (libpg_query stays inside; only std types leave).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace meshgate::policy::sql {

/// A statement split into a parameterised shape and the constants it was sent with.
struct CacheKey {
    /// The statement's tokens with each run of whitespace and comments between them reduced to
    /// one space (tokens that touched still touch, so the key lexes to the same tokens), with
    /// every constant that may safely become a parameter replaced by `$k` (k = first_placeholder
    /// + index). Constants
    /// whose value can change what the statement means or how the policy treats it stay as they
    /// are (see normalize_for_cache).
    std::string text;
    /// Exact source text of each replaced constant, in order (views into the input text). A unary
    /// minus directly before a number belongs to the constant (`-5`).
    std::vector<std::string_view> literals;
    /// Number of the first placeholder: one more than the highest `$n` the client sent, so the
    /// client's own parameters (extended protocol) keep their numbers.
    int first_placeholder = 1;
    /// True when the text is one query statement (SELECT, WITH, VALUES, TABLE or a parenthesised
    /// query; an optional trailing `;`) that the cache may hold. Anything else (SET, SHOW, BEGIN,
    /// several statements, EXPLAIN, ...) is decided afresh every time.
    bool cacheable = false;
};

/// Scans `sql` (3-4 µs for a short statement) and builds its cache key. Never throws; text that
/// does not scan or holds a NUL byte comes back with cacheable = false.
///
/// Constants kept in the key (never replaced by a placeholder):
/// - typed literals and interval fields: a constant not preceded by an operator, `(`, `,`, `[`,
///   `:`, `=>`, `:=` or an expression keyword (SELECT, WHERE, AND, OR, NOT, CASE, WHEN, THEN,
///   ELSE, LIMIT, OFFSET, HAVING, ON, BETWEEN, LIKE, ILIKE, FROM, FOR, ESCAPE): `DATE '2020-01-01'`,
///   `interval '1' day`, `varchar(10) 'x'`, `AT TIME ZONE 'UTC'`;
/// - every constant inside an ORDER BY, GROUP BY, PARTITION BY or DISTINCT ON list, where an
///   integer is a column position (`ORDER BY 1`) and a parameter would mean something else;
/// - every constant of a statement that names a reg* type (`'pg_authid'::regclass`) or calls a
///   function whose arguments name objects or settings (`to_reg*`, `has_*`, `pg_*`,
///   `set_config`, `current_setting`, `nextval`, `lo_*`, `dblink*`, `*_to_xml*`, ...).
/// U&'' strings are never replaced. Replaced: integers, floats, '' / E'' / $$ $$ strings, B'' and
/// X'' bit strings. TRUE/FALSE/NULL are keywords and stay.
CacheKey normalize_for_cache(std::string_view sql);

/// The audit log's view of a statement.
struct AuditText {
    /// Tokens as in CacheKey::text (whitespace and comments reduced to one space), every
    /// constant (including the ones the
    /// cache keeps) replaced by `$k` numbered after the client's own parameters. Empty when the
    /// text does not scan.
    std::string statement;
    /// 16 lower-case hex digits: the first 8 bytes of SHA-256 over `statement`. Not libpg_query's
    /// pg_query_fingerprint (that parses, ~7 µs). Equal for statements that differ only in
    /// constants, whitespace and comments; identifiers and keywords count as written (case
    /// included). Empty when the text does not scan.
    std::string fingerprint;
};

/// Normalizes `sql` for the audit log (one scan).
AuditText normalize_for_audit(std::string_view sql);

/// True when `a` and `b` scan to the same tokens (kind and text), comments and whitespace
/// ignored. False when either does not scan.
bool same_tokens(std::string_view a, std::string_view b);

/// True when `a` and `b` are the same statement: the same tokens, or else the same parse tree
/// (libpg_query's JSON tree with source locations left out), so constants spelled differently
/// but equal in value (`$$US$$` and `'US'`, `-0` and `0`, `E'x\''` and `'x'''`) compare equal,
/// and constants of different value do not. About 10 µs when the tokens differ; false when
/// either does not parse.
bool same_statement(std::string_view a, std::string_view b);

/// A rewritten statement with the placeholders of a CacheKey marked, found with the scanner.
struct SqlTemplate {
    std::vector<std::string> pieces;   // pieces.size() == slots.size() + 1
    std::vector<size_t> slots;         // literal index between pieces[i] and pieces[i + 1]
};

/// Splits `rewritten` at every `$k` token with first_placeholder <= k < first_placeholder +
/// n_literals. Refuses (false) when the text does not scan or holds a `$k` at or past
/// first_placeholder + n_literals.
bool make_template(std::string_view rewritten, int first_placeholder, size_t n_literals,
                   SqlTemplate& out);

/// The template with each slot replaced by its literal's source text (a space is added where
/// the literal would otherwise run into a neighbouring token, e.g. `=-5`).
std::string splice(const SqlTemplate& t, const std::vector<std::string_view>& literals);

}  // namespace meshgate::policy::sql
