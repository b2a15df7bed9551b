// Filling a statement's audit event from the policy decision, and keeping the keyed-hash mask's
// key out of the log. Layer: policy (pure).
#pragma once

#include "policy/audit/audit_event.hpp"
#include "policy/decision.hpp"

#include <string>
#include <string_view>

namespace meshgate::audit {

/// `sql` with every occurrence of the HMAC pads derived from `hash_key` (which the keyed-hash
/// mask compiles into rewritten SQL as hex literals, and which are as good as the key) replaced
/// by `[redacted]`. Returns `sql` unchanged when `hash_key` is empty.
std::string redact_hash_key(std::string sql, std::string_view hash_key);

/// Sets a statement event's products, policies (names, first occurrence order), backend,
/// rewritten SQL (through `redact_hash_key`), decision, and for a refusal its sqlstate and
/// reason (the message sent to the client). Leaves session fields, statement, fingerprint,
/// rows and duration to the caller. When `audit.log_literals` is false the caller must still
/// replace `statement` and `rewritten` by their normalized forms.
void apply_decision(AuditEvent& event, const policy::Decision& decision, std::string_view hash_key);

/// Sets a statement event's `statement` and `fingerprint` from the client's text: the statement
/// normalized (every constant replaced by `$n`, comments dropped; policy::sql::
/// normalize_for_audit) unless `log_literals`, then it is the text as sent. The fingerprint is
/// 16 hex digits of SHA-256 over the normalized text, so it groups statements that differ only
/// in constants, whatever `log_literals` says. Text that does not scan (an unterminated quote)
/// gets an empty statement (unless `log_literals`) and a null fingerprint.
void set_statement_text(AuditEvent& event, std::string_view sql, bool log_literals);

}  // namespace meshgate::audit
