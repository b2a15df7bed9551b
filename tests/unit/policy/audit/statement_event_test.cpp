// Statement audit events from policy decisions; the hash-mask key never reaches the log.
// Layer: tests (policy/audit).
#include "policy/audit/statement_event.hpp"
#include "policy/sha256.hpp"

#include <doctest/doctest.h>

using namespace meshgate;
using namespace meshgate::audit;

TEST_SUITE("audit.statement_event")
{
    TEST_CASE("an allow decision fills products, unique policy names, backend and rewritten SQL")
    {
        policy::Allow a;
        a.steps.push_back(policy::Forward{"SELECT 1 FROM (SELECT id FROM public.customers) c"});
        a.backend = "sales_pg";
        a.products = {"sales.customers"};
        a.policies = {{"own-region", "row_filter", "sales.customers", "x"},
                      {"pii-email", "mask", "sales.customers", "y"},
                      {"own-region", "row_filter", "sales.customers", "x"}};
        AuditEvent e;
        e.sqlstate = "stale";
        apply_decision(e, policy::Decision(a), "");
        CHECK(e.kind == EventKind::Statement);
        CHECK(e.decision == StatementDecision::Allow);
        CHECK(e.products == std::vector<std::string>{"sales.customers"});
        CHECK(e.policies == std::vector<std::string>{"own-region", "pii-email"});
        CHECK(e.backend == "sales_pg");
        CHECK(e.rewritten == "SELECT 1 FROM (SELECT id FROM public.customers) c");
        CHECK(e.sqlstate.empty());
    }

    TEST_CASE("a deny decision records the SQLSTATE and the message, and no rewritten SQL")
    {
        policy::Deny d;
        d.sqlstate = "42501";
        d.message = "permission denied for data product sales.customers";
        d.products = {"sales.customers"};
        AuditEvent e;
        e.rewritten = "stale";
        e.backend = "stale";
        apply_decision(e, policy::Decision(d), "");
        CHECK(e.decision == StatementDecision::Deny);
        CHECK(e.sqlstate == "42501");
        CHECK(e.reason == d.message);
        CHECK(e.rewritten.empty());
        CHECK(e.backend.empty());
        CHECK(e.products == d.products);
    }

    TEST_CASE("the HMAC pads of the hash key are redacted from rewritten SQL")
    {
        const auto pads = policy::hmac_sha256_pads("s3cret");
        const std::string sql = "SELECT encode(sha256(decode('" + pads.opad_hex +
                                "', 'hex') || sha256(decode('" + pads.ipad_hex + "', 'hex'))))";
        const auto red = redact_hash_key(sql, "s3cret");
        CHECK(red.find(pads.opad_hex) == std::string::npos);
        CHECK(red.find(pads.ipad_hex) == std::string::npos);
        CHECK(red ==
              "SELECT encode(sha256(decode('[redacted]', 'hex') || "
              "sha256(decode('[redacted]', 'hex'))))");
        CHECK(redact_hash_key(sql, "") == sql);
    }
}
