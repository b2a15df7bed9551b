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
