// Statement audit events from policy decisions. Layer: policy (pure).
#include "policy/audit/statement_event.hpp"

#include "policy/sha256.hpp"
#include "policy/sql/normalize.hpp"

#include <algorithm>

namespace meshgate::audit {

namespace {

void replace_all(std::string& text, std::string_view what, std::string_view with)
{
    if (what.empty()) {
        return;
    }
    std::size_t pos = 0;
    while ((pos = text.find(what, pos)) != std::string::npos) {
        text.replace(pos, what.size(), with);
        pos += with.size();
    }
}

}  // namespace

std::string redact_hash_key(std::string sql, std::string_view hash_key)
{
    if (hash_key.empty()) {
        return sql;
    }
    const auto pads = policy::hmac_sha256_pads(hash_key);
    replace_all(sql, pads.ipad_hex, "[redacted]");
    replace_all(sql, pads.opad_hex, "[redacted]");
    // The mask writes lower-case hex today; catch an upper-case rendering too.
    auto upper = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(),
                       [](char c) { return c >= 'a' && c <= 'f' ? char(c - 'a' + 'A') : c; });
        return s;
    };
    replace_all(sql, upper(pads.ipad_hex), "[redacted]");
    replace_all(sql, upper(pads.opad_hex), "[redacted]");
    return sql;
}

void apply_decision(AuditEvent& event, const policy::Decision& decision, std::string_view hash_key)
{
    event.kind = EventKind::Statement;
    if (decision.is_allow()) {
        const auto& a = decision.allow();
        event.decision = StatementDecision::Allow;
        event.products = a.products;
        event.policies.clear();
        for (const auto& p : a.policies) {
            if (std::find(event.policies.begin(), event.policies.end(), p.name) ==
                event.policies.end()) {
                event.policies.push_back(p.name);
            }
        }
        event.backend = a.backend;
        event.rewritten = redact_hash_key(a.rewritten(), hash_key);
        event.sqlstate.clear();
        event.reason.clear();
        return;
    }
    const auto& d = decision.deny();
    event.decision = StatementDecision::Deny;
    event.products = d.products;
    event.policies.clear();
    event.backend.clear();
    event.rewritten.clear();
    event.sqlstate = d.sqlstate;
    event.reason = d.message;
}

void set_statement_text(AuditEvent& event, std::string_view sql, bool log_literals)
{
    auto normalized = policy::sql::normalize_for_audit(sql);
    event.fingerprint = std::move(normalized.fingerprint);
    event.statement = log_literals ? std::string(sql) : std::move(normalized.statement);
}

}  // namespace meshgate::audit
