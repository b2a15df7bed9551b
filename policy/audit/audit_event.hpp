// AuditEvent: one entry of the audit log (SPEC §6) and its JSON encoding, without the chain
// fields (seq, prev, hash), which hash_chain.hpp adds. Layer: policy (pure: no clock, no file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::audit {

/// What happened. `Audit` is written by the audit writer itself: a marker when it opens or
/// reopens the log, or when it starts a new chain because the file's last line was broken.
enum class EventKind { Connect, Auth, Statement, Disconnect, Reload, Audit };

/// The outcome of a statement: allowed and run, refused by policy, or failed (parse error,
/// backend error, audit or routing failure).
enum class StatementDecision { Allow, Deny, Error };

/// One audit event. Which fields are written depends on `kind` (see `encode_event`); fields that
/// do not apply to the kind are ignored. Empty strings of optional fields are written as `null`.
/// All text may hold hostile client bytes: the encoder escapes and bounds it.
struct AuditEvent {
    EventKind kind = EventKind::Statement;
    /// RFC 3339 UTC (see timestamp.hpp); the writer fills it from its clock when empty.
    std::string ts;

    // Session fields (connect, auth, statement, disconnect).
    std::string session;           // meshgate's session id
    std::string user;              // authenticated user; the claimed one for connect/auth
    std::string client;            // "ip:port" of the client
    std::string application_name;  // null when empty

    // auth
    std::string auth_method;  // "scram-sha-256", "scram-sha-256-plus", "cert", "jwt", ...
    bool auth_ok = false;     // result "ok" | "failed"

    // statement
    std::string purpose;                // null when none declared
    std::string fingerprint;            // libpg_query fingerprint (hex); null when unparsable
    std::string statement;              // normalized ($1...) unless audit.log_literals
    std::string rewritten;              // SQL sent to the backend; null when nothing was sent
    std::vector<std::string> products;  // domain.product addresses touched
    std::vector<std::string> policies;  // names of the policies applied
    StatementDecision decision = StatementDecision::Error;
    std::string backend;          // null when not routed
    std::optional<int64_t> rows;  // rows returned or affected; null when not run
    std::string sqlstate;         // of the error or refusal; null on success
    // (Room here for the backend's original error when the client was sent a scrubbed one:
    // add the member, then write it in encode_event right after "sqlstate".)

    // statement, auth (failure), disconnect (why), audit (what the marker says)
    std::string reason;
    // statement: run time; disconnect: session length. null when unknown or not finite.
    std::optional<double> duration_ms;

    // reload
    bool reload_ok = false;  // result "ok" | "failed"
    std::vector<std::string> reload_errors;

    // audit: true when the marker is the first line of its file and continues a chain from an
    // earlier file (log rotation), so `audit verify` accepts a first line that is not seq 1.
    bool file_start = false;
};

/// Bounds on client-controlled text, so one hostile statement cannot make an unbounded line.
struct EncodeLimits {
    std::size_t max_statement_bytes = 64 * 1024;  // statement, rewritten
    std::size_t max_field_bytes = 4 * 1024;       // every other string
    std::size_t max_list_items = 100;             // products, policies, reload errors
};

/// The name written in the `event` field: connect | auth | statement | disconnect | reload | audit.
std::string_view event_kind_name(EventKind kind);
/// allow | deny | error.
std::string_view decision_name(StatementDecision decision);

/// The event's members as JSON text without the enclosing braces, in this fixed order:
///   common:      "event","ts"
///   connect:     ,"session","user","client","application_name"
///   auth:        ,"session","user","client","application_name","method","result","reason"
///   statement:   ,"session","user","client","application_name","purpose","fingerprint",
///                "statement","rewritten","products","policies","decision","reason","backend",
///                "rows","duration_ms","sqlstate"
///   disconnect:  ,"session","user","client","application_name","reason","duration_ms"
///   reload:      ,"result","errors"
///   audit:       ,"reason","file_start"
/// Strings are escaped by `append_json_string` and cut to `limits`; a list longer than
/// `max_list_items` keeps its first items and ends with "... N more". `duration_ms` has three
/// decimals. Never fails.
std::string encode_event(const AuditEvent& event, const EncodeLimits& limits = {});

}  // namespace meshgate::audit
