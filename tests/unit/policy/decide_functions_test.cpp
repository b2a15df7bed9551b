// Function denylist and allowlist (SPEC §3 Functions). Layer: tests (policy).
#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;

TEST_SUITE("policy.functions") {
TEST_CASE("denylisted and foreign-schema functions are refused naming the function") {
    struct Row {
        const char* sql;
        bool allowed;
    };
    const Row rows[] = {
        {"SELECT now(), lower('A'), count(*) FROM sales.orders", true},
        {"SELECT pg_catalog.upper('a')", true},
        {"SELECT current_setting('TimeZone')", true},
        {"SELECT public.safe_fn(1)", true},
        {"SELECT pg_read_file('/etc/passwd')", false},
        {"SELECT pg_catalog.pg_read_binary_file('/etc/passwd')", false},
        {"SELECT * FROM pg_ls_dir('.')", false},
        {"SELECT pg_stat_file('x')", false},
        {"SELECT lo_import('/etc/passwd')", false},
        {"SELECT dblink('host=x', 'select 1')", false},
        {"SELECT query_to_xml('select * from public.customers', true, true, '')", false},
        {"SELECT table_to_xmlschema('public.customers', true, true, '')", false},
        {"SELECT set_config('search_path', 'public', false)", false},
        {"SELECT pg_reload_conf()", false},
        {"SELECT pg_terminate_backend(1)", false},
        {"SELECT pg_cancel_backend(1)", false},
        {"SELECT pg_sleep(10)", false},
        {"SELECT pg_sleep_for('1 minute')", false},
        {"SELECT pg_advisory_lock(1)", false},
        {"SELECT txid_current()", false},
        {"SELECT nextval('s')", false},
        {"SELECT ts_stat('select * from public.customers')", false},
        {"SELECT public.other_fn()", false},
        {"SELECT evil.safe_fn()", false},
        {"SELECT a.b.c()", false},
        {"SELECT id FROM sales.orders WHERE id = (SELECT pg_read_file('x')::int)", false},
        {"SELECT 1 ORDER BY pg_sleep(1)", false},
        {"SELECT 1 OPERATOR(public.+) 1", false},
        {"SELECT 1 OPERATOR(pg_catalog.+) 1", true},
        {"SELECT 'x'::public.evil_type", false},
        {"SELECT 'x'::pg_catalog.text", true},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as("alice", r.sql);
        CHECK(d.is_allow() == r.allowed);
        if (d.is_deny()) {
            CHECK(d.deny().sqlstate == "42501");
            CHECK(d.deny().position > 0);
        }
    }
}
}
