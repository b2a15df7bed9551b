// AuditEvent JSON encoding in a fixed field order. Layer: policy (pure).
#include "policy/audit/audit_event.hpp"

#include "policy/audit/json_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace meshgate::audit {

namespace {

/// Appends `,"key":` (or `"key":` for the first member) to the line being built.
class MemberWriter {
public:
    MemberWriter(std::string& out, const EncodeLimits& limits) : out_(out), limits_(limits) {}

    void string(std::string_view key, std::string_view value)
    {
        name(key);
        append_json_string(out_, value, limits_.max_field_bytes);
    }
    void long_text(std::string_view key, std::string_view value, bool null_when_empty)
    {
        name(key);
        if (null_when_empty && value.empty()) {
            out_ += "null";
        } else {
            append_json_string(out_, value, limits_.max_statement_bytes);
        }
    }
    void nullable(std::string_view key, std::string_view value)
    {
        name(key);
        if (value.empty()) {
            out_ += "null";
        } else {
            append_json_string(out_, value, limits_.max_field_bytes);
        }
    }
    void raw(std::string_view key, std::string_view json)
    {
        name(key);
        out_ += json;
    }
    void boolean(std::string_view key, bool value) { raw(key, value ? "true" : "false"); }
    void integer(std::string_view key, std::optional<int64_t> value)
    {
        name(key);
        if (!value) {
            out_ += "null";
            return;
        }
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, *value);
        out_.append(buf, r.ptr);
    }
    void millis(std::string_view key, std::optional<double> value)
    {
        name(key);
        // NaN and infinities have no JSON form; a negative duration is a caller's clock error.
        if (!value || !std::isfinite(*value) || *value < 0 || *value > 1e15) {
            out_ += "null";
            return;
        }
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, *value, std::chars_format::fixed, 3);
        out_.append(buf, r.ptr);
    }
    void list(std::string_view key, const std::vector<std::string>& items)
    {
        name(key);
        out_ += '[';
        const std::size_t n = std::min(items.size(), limits_.max_list_items);
        for (std::size_t i = 0; i < n; ++i) {
            if (i > 0) {
                out_ += ',';
            }
            append_json_string(out_, items[i], limits_.max_field_bytes);
        }
        if (items.size() > n) {
            if (n > 0) {
                out_ += ',';
            }
            append_json_string(out_, "... " + std::to_string(items.size() - n) + " more");
        }
        out_ += ']';
    }

private:
    void name(std::string_view key)
    {
        if (!first_) {
            out_ += ',';
        }
        first_ = false;
        out_ += '"';
        out_ += key;  // keys are our own constants: plain ASCII, nothing to escape
        out_ += "\":";
    }

    std::string& out_;
    const EncodeLimits& limits_;
    bool first_ = true;
};

void session_members(MemberWriter& w, const AuditEvent& e)
{
    w.string("session", e.session);
    w.nullable("user", e.user);
    w.string("client", e.client);
    w.nullable("application_name", e.application_name);
}

}  // namespace

std::string_view event_kind_name(EventKind kind)
{
    switch (kind) {
        case EventKind::Connect:
            return "connect";
        case EventKind::Auth:
            return "auth";
        case EventKind::Statement:
            return "statement";
        case EventKind::Disconnect:
            return "disconnect";
        case EventKind::Reload:
            return "reload";
        case EventKind::Audit:
            return "audit";
    }
    return "unknown";
}

std::string_view decision_name(StatementDecision decision)
{
    switch (decision) {
        case StatementDecision::Allow:
            return "allow";
        case StatementDecision::Deny:
            return "deny";
        case StatementDecision::Error:
            return "error";
    }
    return "error";
}

std::string encode_event(const AuditEvent& e, const EncodeLimits& limits)
{
    std::string out;
    out.reserve(256 +
                std::min(e.statement.size() + e.rewritten.size(), 2 * limits.max_statement_bytes));
    MemberWriter w(out, limits);
    w.raw("event", std::string("\"") + std::string(event_kind_name(e.kind)) + "\"");
    w.string("ts", e.ts);
    switch (e.kind) {
        case EventKind::Connect:
            session_members(w, e);
            break;
        case EventKind::Auth:
            session_members(w, e);
            w.string("method", e.auth_method);
            w.raw("result", e.auth_ok ? "\"ok\"" : "\"failed\"");
            w.nullable("reason", e.reason);
            break;
        case EventKind::Statement:
            session_members(w, e);
            w.nullable("purpose", e.purpose);
            w.nullable("fingerprint", e.fingerprint);
            w.long_text("statement", e.statement, false);
            w.long_text("rewritten", e.rewritten, true);
            w.list("products", e.products);
            w.list("policies", e.policies);
            w.raw("decision", std::string("\"") + std::string(decision_name(e.decision)) + "\"");
            w.nullable("reason", e.reason);
            w.nullable("backend", e.backend);
            w.integer("rows", e.rows);
            w.millis("duration_ms", e.duration_ms);
            w.nullable("sqlstate", e.sqlstate);
            break;
        case EventKind::Disconnect:
            session_members(w, e);
            w.nullable("reason", e.reason);
            w.millis("duration_ms", e.duration_ms);
            break;
        case EventKind::Reload:
            w.raw("result", e.reload_ok ? "\"ok\"" : "\"failed\"");
            w.list("errors", e.reload_errors);
            break;
        case EventKind::Audit:
            w.nullable("reason", e.reason);
            w.boolean("file_start", e.file_start);
            break;
    }
    return out;
}

}  // namespace meshgate::audit
