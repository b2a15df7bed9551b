// Name resolution: products, search_path, case and quoting, CTEs, catalogs. Layer: tests (policy).
#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_SUITE("policy.resolution") {
TEST_CASE("raw physical names and unknown names do not exist, whatever exists physically") {
    struct Row {
        const char* sql;
        const char* message;
    };
    const Row rows[] = {
        {"SELECT * FROM public.customers", "data product \"public.customers\" does not exist"},
        {"SELECT * FROM customerz", "data product \"customerz\" does not exist"},
        {"SELECT * FROM sales.nothing", "data product \"sales.nothing\" does not exist"},
        {"SELECT * FROM mesh_db.sales.customers", "data product \"mesh_db.sales.customers\" does not exist"},
        {"SELECT * FROM \"Sales\".\"Customers\"", "data product \"Sales.Customers\" does not exist"},
        {"SELECT * FROM pg_toast.pg_toast_1", "does not exist"},
        {"SELECT * FROM campaigns", "data product \"campaigns\" does not exist"},  // not on alice's path
        {"SELECT * FROM tables", "does not exist"},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as("alice", r.sql, "fraud");
        REQUIRE(d.is_deny());
        CHECK(d.deny().sqlstate == "42P01");
        CHECK(has(d.deny().message, r.message));
    }
}

TEST_CASE("unquoted names fold to lower case") {
    const auto d = fixtures::decide_as("alice", "SELECT ID FROM SALES.CUSTOMERS", "fraud");
    REQUIRE(d.is_allow());
    CHECK(has(d.allow().rewritten(), "FROM public.customers meshgate_source"));
}

TEST_CASE("unqualified names resolve along the search_path in order") {
    auto who = fixtures::identity("alice");
    who.search_path = {"marketing", "sales"};
    const auto d = decide("SELECT * FROM orders", who, fixtures::snapshot());
    REQUIRE(d.is_allow());
    CHECK(d.allow().products == std::vector<std::string>{"marketing.orders"});
    who.search_path = {"sales", "marketing"};
    const auto e = decide("SELECT * FROM orders", who, fixtures::snapshot());
    REQUIRE(e.is_allow());
    CHECK(e.allow().products == std::vector<std::string>{"sales.orders"});
}

TEST_CASE("SET search_path earlier in the same message changes later resolution") {
    const auto d = fixtures::decide_as("alice", "SET search_path TO marketing; SELECT * FROM campaigns");
    REQUIRE(d.is_allow());
    REQUIRE(d.allow().steps.size() == 2);
    const auto* set = std::get_if<SetLocal>(&d.allow().steps[0]);
    REQUIRE(set != nullptr);
    CHECK(set->name == "search_path");
    CHECK(set->value == std::optional<std::vector<std::string>>{{"marketing"}});
    CHECK(d.allow().products == std::vector<std::string>{"marketing.campaigns"});
}

TEST_CASE("search_path elements fold like identifiers and quoted ones stay exact") {
    const auto d = fixtures::decide_as("alice", "SET search_path TO Marketing, \"Sales\"");
    REQUIRE(d.is_allow());
    const auto* set = std::get_if<SetLocal>(&d.allow().steps[0]);
    REQUIRE(set != nullptr);
    CHECK(set->value == std::optional<std::vector<std::string>>{{"marketing", "Sales"}});
}

TEST_CASE("a CTE name in scope shadows a product, and only in its scope") {
    const auto d = fixtures::decide_as("alice", "WITH customers AS (SELECT 1 AS id) SELECT * FROM customers");
    REQUIRE(d.is_allow());
    CHECK(d.allow().catalog_only);
    CHECK_FALSE(has(d.allow().rewritten(), "public.customers"));

    // The CTE does not leak into a sibling subquery outside its WITH.
    const auto e = fixtures::decide_as(
        "alice", "SELECT * FROM (WITH customers AS (SELECT 1 AS id) SELECT * FROM customers) a, customers b",
        "fraud");
    REQUIRE(e.is_allow());
    CHECK(fixtures::count(e.allow().rewritten(), "public.customers") == 1);

    // Plain WITH: a body cannot see itself, so the inner name is the product.
    const auto f = fixtures::decide_as(
        "alice", "WITH customers AS (SELECT id FROM customers) SELECT * FROM customers", "fraud");
    REQUIRE(f.is_allow());
    CHECK(fixtures::count(f.allow().rewritten(), "public.customers") == 1);
}

TEST_CASE("a qualified name is never a CTE") {
    const auto d = fixtures::decide_as(
        "alice", "WITH customers AS (SELECT 1 AS id) SELECT * FROM sales.customers", "fraud");
    REQUIRE(d.is_allow());
    CHECK(has(d.allow().rewritten(), "public.customers meshgate_source"));
}

TEST_CASE("system catalogs route to the catalog backend; sensitive ones are refused") {
    struct Row {
        const char* sql;
        bool allowed;
    };
    const Row rows[] = {
        {"SELECT relname FROM pg_catalog.pg_class", true},
        {"SELECT * FROM information_schema.tables", true},
        {"SELECT * FROM pg_roles", true},
        {"SELECT * FROM pg_catalog.pg_statistic", false},
        {"SELECT * FROM pg_stats", false},
        {"SELECT * FROM pg_catalog.pg_stats_ext", false},
        {"SELECT * FROM pg_stat_activity", false},
        {"SELECT * FROM pg_catalog.pg_stat_statements", false},
        {"SELECT * FROM pg_statio_user_tables", false},
        {"SELECT * FROM pg_authid", false},
        {"SELECT * FROM pg_shadow", false},
        {"SELECT * FROM pg_user", false},
        {"SELECT * FROM pg_user_mappings", false},
        {"SELECT * FROM pg_largeobject", false},
        {"SELECT * FROM pg_file_settings", false},
        {"SELECT * FROM pg_hba_file_rules", false},
        {"SELECT * FROM information_schema.user_mapping_options", false},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as("alice", r.sql);
        CHECK(d.is_allow() == r.allowed);
        if (d.is_allow()) {
            CHECK(d.allow().backend == "sales_pg");
            CHECK(d.allow().catalog_only);
        } else {
            CHECK(d.deny().sqlstate == "42501");
        }
    }
}

TEST_CASE("an unqualified pg_* name is pinned to pg_catalog in the forwarded SQL") {
    const auto d = fixtures::decide_as("alice", "SELECT relname FROM pg_class");
    REQUIRE(d.is_allow());
    CHECK(has(d.allow().rewritten(), "FROM pg_catalog.pg_class"));
}

}
