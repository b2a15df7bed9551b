// Routing: one backend, several backends, catalog-only. Layer: tests (policy).
#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;

TEST_SUITE("policy.routing") {
TEST_CASE("products on one backend run there; several backends are refused; none go to the catalog") {
    struct Row {
        const char* user;
        const char* sql;
        const char* backend;   // "" = denied with 0A000
        bool catalog_only;
    };
    const Row rows[] = {
        {"alice", "SELECT * FROM sales.orders", "sales_pg", false},
        {"alice", "SELECT * FROM sales.orders o JOIN sales.leads l ON l.id = o.id", "sales_pg", false},
        {"erin", "SELECT * FROM marketing.campaigns", "marketing_pg", false},
        {"alice", "SELECT * FROM sales.orders JOIN marketing.campaigns ON true", "", false},
        {"alice", "SELECT * FROM sales.orders; SELECT * FROM marketing.campaigns", "", false},
        {"alice", "SELECT 1", "sales_pg", true},
        {"alice", "SELECT * FROM pg_catalog.pg_class c, sales.orders o", "sales_pg", false},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as(r.user, r.sql);
        if (std::string(r.backend).empty()) {
            REQUIRE(d.is_deny());
            CHECK(d.deny().sqlstate == "0A000");
            CHECK(d.deny().message.find("sales_pg") != std::string::npos);
            CHECK(d.deny().message.find("marketing_pg") != std::string::npos);
        } else {
            REQUIRE(d.is_allow());
            CHECK(d.allow().backend == r.backend);
            CHECK(d.allow().catalog_only == r.catalog_only);
        }
    }
}
}
