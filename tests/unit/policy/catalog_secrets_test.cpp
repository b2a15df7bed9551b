// Functions and catalog relations that would show the rewritten SQL (policy expressions, the
// keyed-hash key material) or the service account's settings are refused. Layer: tests (policy).
#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

#include <string>

namespace fixtures = meshgate::policy::fixtures;

TEST_CASE("what shows the rewritten SQL or the service account's settings is refused") {
    const char* rows[] = {
        "SELECT current_query()",
        "SELECT pg_catalog.current_query(), 1",
        "SELECT * FROM pg_prepared_statements",
        "SELECT statement FROM pg_catalog.pg_prepared_statements",
        "SELECT * FROM pg_catalog.pg_prepared_statement()",
        "SELECT * FROM pg_cursors",
        "SELECT * FROM pg_cursor()",
        "SELECT setconfig FROM pg_db_role_setting",
        "SELECT * FROM pg_catalog.pg_db_role_setting",
    };
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        const auto d = fixtures::decide_as("alice", sql, "fraud");
        REQUIRE(d.is_deny());
        CHECK(d.deny().sqlstate == "42501");
    }
}

TEST_CASE("the neighbours of those relations stay readable") {
    const char* rows[] = {"SELECT count(*) FROM pg_catalog.pg_namespace",
                          "SELECT name FROM pg_catalog.pg_settings WHERE name = 'TimeZone'",
                          "SELECT current_user, current_schema()"};
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        CHECK(fixtures::decide_as("alice", sql, "fraud").is_allow());
    }
}

TEST_CASE("current_setting() reads only settings SHOW may show, named by a constant") {
    struct Row {
        const char* sql;
        const char* sqlstate;  // empty: allowed
    };
    const Row rows[] = {
        {"SELECT current_setting('TimeZone')", ""},
        {"SELECT pg_catalog.current_setting('server_version_num')::int", ""},
        {"SELECT current_setting('atkx.secret', true)", "42501"},
        {"SELECT current_setting('data_directory')", "42501"},
        {"SELECT current_setting(name) FROM pg_catalog.pg_settings", "42501"},
        {"SELECT current_setting('time' || 'zone')", "42501"},
        {"SELECT current_setting('search_path')", "0A000"},
        {"SELECT current_setting('meshgate.purpose')", "0A000"},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as("alice", r.sql, "fraud");
        if (std::string(r.sqlstate).empty()) {
            CHECK(d.is_allow());
        } else {
            REQUIRE(d.is_deny());
            CHECK(d.deny().sqlstate == r.sqlstate);
        }
    }
}
