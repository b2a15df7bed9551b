// Backend errors and notices that do not leak (issue 3 item 5): which backend ErrorResponse /
// NoticeResponse fields may reach a user who reads data products through masks or row filters.
// Layer: policy (pure; the proxy relays what this decides).
#pragma once

#include "policy/decision.hpp"

#include <string>
#include <utility>
#include <vector>

namespace meshgate::policy {

/// The fields of one ErrorResponse or NoticeResponse as on the wire: (code byte, value), e.g.
/// ('S', "ERROR"), ('C', "22P02"), ('M', "invalid input syntax for type integer: \"x\"").
using BackendMessageFields = std::vector<std::pair<char, std::string>>;

/// True when `allow` reads a data product through a mask or a row filter for this user: then
/// values the user may not see exist in the rows the backend touches, and backend messages of
/// such statements (and of the session afterwards, see the proxy) are scrubbed.
bool needs_error_scrub(const Allow& allow);

/// True when backend messages with this SQLSTATE never quote row values: they are about the
/// statement's text, names and types (class 42 and 0A, planned before any row is read),
/// resources, transactions, connections and cancellation, or carry a fixed text (22012
/// division by zero, 21000 more than one row). Everything else — data exceptions (class 22:
/// `invalid input syntax for type integer: "<value>"`, JSON and regex errors, date/time
/// fields, `unit "<value>" not recognized`), integrity violations (23: `Failing row
/// contains`), RAISE from functions (P0, and every NOTICE/WARNING of class 00/01/02),
/// routine exceptions (2F, 38, 39), foreign data wrappers (HV), internal errors (XX) and
/// unknown classes — may, so it is withheld (fail closed).
bool value_free_sqlstate(const std::string& sqlstate);

struct ScrubbedMessage {
    bool scrubbed = false;          // false: `fields` equals the input
    BackendMessageFields fields;    // what the client gets
};

/// Decides one backend ErrorResponse/NoticeResponse. With `protected_context` false, or for a
/// value-free SQLSTATE, the message passes unchanged — except that in a protected context the
/// fields that quote other statements or function bodies (W context, q internal query,
/// p internal position) are always dropped. Otherwise only S, V and C are kept, and M becomes
/// a neutral message naming the SQLSTATE; D, H, W, P, p, q, s, t, c, d, n, F, L, R are
/// dropped. The caller keeps the original for the audit record.
ScrubbedMessage scrub_backend_message(const BackendMessageFields& fields, bool protected_context);

/// The neutral message that replaces M (for tests and documentation).
std::string withheld_message(const std::string& sqlstate);

/// "M; DETAIL: D; HINT: H; CONTEXT: W" of `fields`, for the audit record of a scrubbed error.
std::string describe_backend_message(const BackendMessageFields& fields);

}  // namespace meshgate::policy
