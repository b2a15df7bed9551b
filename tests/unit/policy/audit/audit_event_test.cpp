// Audit event encoding: field order per kind, nulls, limits, timestamps. Layer: tests
// (policy/audit).
#include "policy/audit/audit_event.hpp"
#include "policy/audit/json_object.hpp"
#include "policy/audit/timestamp.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace meshgate::audit;

namespace {

std::vector<std::string> keys_of(const std::string& members)
{
    std::vector<JsonMember> parsed;
    std::string error;
    const std::string object = "{" + members + "}";
    REQUIRE_MESSAGE(read_json_object(object, parsed, error), error);
    std::vector<std::string> keys;
    for (const auto& m : parsed) {
        keys.emplace_back(m.key);
    }
    return keys;
}

AuditEvent statement_event()
{
    AuditEvent e;
    e.kind = EventKind::Statement;
    e.ts = "2026-11-24T15:00:00.000000Z";
    e.session = "s-1";
    e.user = "alice";
    e.client = "10.0.0.1:5555";
    e.application_name = "psql";
    e.purpose = "fraud";
    e.fingerprint = "0b2ebe5f0e2b92b8";
    e.statement = "SELECT * FROM sales.customers WHERE id = $1";
    e.rewritten = "SELECT * FROM (SELECT id FROM public.customers) customers WHERE id = $1";
    e.products = {"sales.customers"};
    e.policies = {"own-region", "pii-email"};
    e.decision = StatementDecision::Allow;
    e.backend = "sales_pg";
    e.rows = 3;
    e.duration_ms = 1.25;
    return e;
}

}  // namespace

TEST_SUITE("audit.event")
{
    TEST_CASE("a statement event has every SPEC field in the documented order")
    {
        const auto keys = keys_of(encode_event(statement_event()));
        const std::vector<std::string> expected = {
            "event",    "ts",          "session",   "user",      "client",      "application_name",
            "purpose",  "fingerprint", "statement", "rewritten", "products",    "policies",
            "decision", "reason",      "backend",   "rows",      "duration_ms", "sqlstate"};
        CHECK(keys == expected);
    }

    TEST_CASE("a statement event encodes its values exactly")
    {
        CHECK(
            encode_event(statement_event()) ==
            "\"event\":\"statement\",\"ts\":\"2026-11-24T15:00:00.000000Z\",\"session\":\"s-1\","
            "\"user\":\"alice\",\"client\":\"10.0.0.1:5555\",\"application_name\":\"psql\","
            "\"purpose\":\"fraud\",\"fingerprint\":\"0b2ebe5f0e2b92b8\","
            "\"statement\":\"SELECT * FROM sales.customers WHERE id = $1\","
            "\"rewritten\":\"SELECT * FROM (SELECT id FROM public.customers) customers WHERE id = "
            "$1\",\"products\":[\"sales.customers\"],\"policies\":[\"own-region\",\"pii-email\"],"
            "\"decision\":\"allow\",\"reason\":null,\"backend\":\"sales_pg\",\"rows\":3,"
            "\"duration_ms\":1.250,\"sqlstate\":null");
    }

    TEST_CASE("a refused statement has nulls where nothing ran")
    {
        AuditEvent e = statement_event();
        e.decision = StatementDecision::Deny;
        e.rewritten.clear();
        e.backend.clear();
        e.rows.reset();
        e.purpose.clear();
        e.sqlstate = "42501";
        e.reason = "permission denied for data product sales.customers";
        const auto line = encode_event(e);
        CHECK(line.find("\"decision\":\"deny\"") != std::string::npos);
        CHECK(line.find("\"rewritten\":null") != std::string::npos);
        CHECK(line.find("\"backend\":null") != std::string::npos);
        CHECK(line.find("\"rows\":null") != std::string::npos);
        CHECK(line.find("\"purpose\":null") != std::string::npos);
        CHECK(line.find("\"sqlstate\":\"42501\"") != std::string::npos);
    }

    TEST_CASE("each event kind writes its own fields in a fixed order")
    {
        struct Row {
            EventKind kind;
            std::vector<std::string> keys;
        };
        const std::vector<std::string> s = {"event", "ts",     "session",
                                            "user",  "client", "application_name"};
        auto with = [&](std::vector<std::string> extra) {
            auto k = s;
            k.insert(k.end(), extra.begin(), extra.end());
            return k;
        };
        const Row rows[] = {
            {EventKind::Connect, s},
            {EventKind::Auth, with({"method", "result", "reason"})},
            {EventKind::Disconnect, with({"reason", "duration_ms"})},
            {EventKind::Reload, {"event", "ts", "result", "errors"}},
            {EventKind::Audit, {"event", "ts", "reason", "file_start"}},
        };
        for (const auto& r : rows) {
            CAPTURE(event_kind_name(r.kind));
            AuditEvent e;
            e.kind = r.kind;
            CHECK(keys_of(encode_event(e)) == r.keys);
        }
    }

    TEST_CASE("auth and reload events say ok or failed")
    {
        AuditEvent a;
        a.kind = EventKind::Auth;
        a.auth_method = "scram-sha-256";
        a.auth_ok = false;
        a.reason = "wrong password";
        const auto auth = encode_event(a);
        CHECK(auth.find("\"method\":\"scram-sha-256\",\"result\":\"failed\",\"reason\":\"wrong "
                        "password\"") != std::string::npos);

        AuditEvent r;
        r.kind = EventKind::Reload;
        r.reload_ok = false;
        r.reload_errors = {"domains/sales.yaml:3:1: unknown key", "meshgate.yaml:9:2: bad port"};
        CHECK(encode_event(r).ends_with(
            "\"result\":\"failed\",\"errors\":[\"domains/sales.yaml:3:1: unknown key\","
            "\"meshgate.yaml:9:2: bad port\"]"));
    }

    TEST_CASE("hostile client text cannot add fields or break the line")
    {
        AuditEvent e = statement_event();
        e.statement = "SELECT 1\",\"decision\":\"allow\"}\n{\"seq\":99";
        e.application_name = std::string("\x1b]0;pwned\x07\xff", 11);
        e.user = "al\"ice";
        const auto members = encode_event(e);
        CHECK(members.find('\n') == std::string::npos);
        const auto keys = keys_of(members);
        CHECK(keys.size() == 18);
        CHECK(members.find("\"statement\":\"SELECT "
                           "1\\\",\\\"decision\\\":\\\"allow\\\"}\\n{\\\"seq\\\":99\"") !=
              std::string::npos);
        CHECK(members.find("\"application_name\":\"\\u001b]0;pwned\\u0007\xEF\xBF\xBD\"") !=
              std::string::npos);
    }

    TEST_CASE("long statements and long lists are bounded")
    {
        AuditEvent e = statement_event();
        e.statement = std::string(100, 'x');
        e.products.assign(7, "sales.customers");
        EncodeLimits limits;
        limits.max_statement_bytes = 10;
        limits.max_list_items = 5;
        const auto members = encode_event(e, limits);
        CHECK(members.find("\"statement\":\"xxxxxxxxxx [truncated: 90 more bytes]\"") !=
              std::string::npos);
        CHECK(members.find("\"sales.customers\",\"... 2 more\"]") != std::string::npos);
        keys_of(members);  // still valid JSON
    }

    TEST_CASE("durations that are not finite or negative are written as null")
    {
        AuditEvent e = statement_event();
        for (double d : {-1.0, 1.0 / 0.0, 0.0 / 0.0}) {
            CAPTURE(d);
            e.duration_ms = d;
            CHECK(encode_event(e).find("\"duration_ms\":null") != std::string::npos);
        }
        e.duration_ms = 0.0004;
        CHECK(encode_event(e).find("\"duration_ms\":0.000,") != std::string::npos);
    }

    TEST_CASE("timestamps are RFC 3339 UTC with microseconds")
    {
        using namespace std::chrono;
        const sys_days day = year{2026} / November / 24;
        const auto t = system_clock::time_point(day) + hours(15) + minutes(4) + seconds(5) +
                       microseconds(123456);
        CHECK(format_timestamp(t) == "2026-11-24T15:04:05.123456Z");
        CHECK(format_timestamp(system_clock::time_point{}) == "1970-01-01T00:00:00.000000Z");
        const sys_days leap = year{2024} / February / 29;
        CHECK(format_timestamp(system_clock::time_point(leap) + hours(23) + minutes(59) +
                               seconds(59) + microseconds(999999)) ==
              "2024-02-29T23:59:59.999999Z");
    }
}
