// The rewriter's check (STYLE §6): every allowed rewrite parses again and holds one derived table
// exactly where each product reference was, keeping the user's alias. Layer: tests (policy).
#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_SUITE("policy.rewrite") {
TEST_CASE("every product reference becomes a derived table and the rewrite parses again") {
    struct Row {
        const char* sql;
        size_t refs;             // product references in the statement
        const char* alias;       // an alias the derived table must keep
    };
    const Row rows[] = {
        {"SELECT * FROM sales.customers", 1, "customers"},
        {"SELECT c FROM sales.customers c", 1, "c"},
        {"SELECT c.* FROM customers AS c(a, b)", 1, "c"},
        {"TABLE sales.orders", 1, "orders"},
        {"SELECT * FROM sales.customers c JOIN sales.orders o ON o.customer_id = c.id", 2, "o"},
        {"SELECT * FROM sales.customers c LEFT JOIN LATERAL (SELECT * FROM sales.orders o "
         "WHERE o.customer_id = c.id LIMIT 1) x ON true", 2, "x"},
        {"SELECT id FROM sales.customers UNION ALL SELECT id FROM sales.orders", 2, "orders"},
        {"SELECT id FROM sales.customers INTERSECT SELECT customer_id FROM orders", 2, "customers"},
        {"SELECT (SELECT count(*) FROM sales.orders o WHERE o.customer_id = c.id) FROM sales.customers c",
         2, "c"},
        {"SELECT * FROM sales.customers WHERE id IN (SELECT customer_id FROM sales.orders)", 2, "orders"},
        {"SELECT * FROM sales.customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
         2, "o"},
        {"WITH big AS (SELECT * FROM sales.orders WHERE total > 100) SELECT * FROM big b JOIN "
         "customers c ON c.id = b.customer_id", 2, "c"},
        {"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
         "SELECT * FROM r, sales.orders", 1, "orders"},
        {"SELECT region, count(*), sum(balance) OVER (PARTITION BY region) FROM sales.customers "
         "GROUP BY region, balance HAVING count(*) > 1 ORDER BY 2 DESC LIMIT 10", 1, "customers"},
        {"SELECT * FROM sales.customers a, sales.customers b", 2, "b"},
        {"SELECT ARRAY(SELECT id FROM sales.orders)", 1, "orders"},
        {"SELECT CASE WHEN id > 1 THEN email END, coalesce(phone, 'x') FROM sales.customers", 1,
         "customers"},
        {"SELECT row_to_json(c) FROM sales.customers c", 1, "c"},
        {"VALUES (1), (2)", 0, ""},
        {"SELECT * FROM generate_series(1, 3) g, sales.orders", 1, "orders"},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as("alice", r.sql, "fraud");
        REQUIRE(d.is_allow());
        const auto sql = d.allow().rewritten();
        CAPTURE(sql);
        const auto tree = fixtures::json_tree(sql);
        REQUIRE_FALSE(tree.empty());
        CHECK(fixtures::count(tree, "\"aliasname\":\"meshgate_source\"") == r.refs);
        CHECK(fixtures::count(tree, "\"schemaname\":\"sales\"") == 0);
        if (r.refs > 0) {
            CHECK(fixtures::count(tree, "\"RangeSubselect\"") >= r.refs);
            CHECK(has(tree, std::string("\"aliasname\":\"") + r.alias + "\""));
        }
    }
}

TEST_CASE("a whole-row reference sees only the derived table's masked values") {
    const auto d = fixtures::decide_as("alice", "SELECT c FROM sales.customers c", "fraud");
    REQUIRE(d.is_allow());
    const auto sql = d.allow().rewritten();
    // The only relation named c is the derived table, whose email column is the hash.
    CHECK(has(sql, "'hex') AS email"));
    CHECK(has(sql, ") c"));
    CHECK_FALSE(has(sql, "public.customers c"));
}

TEST_CASE("alias column lists stay on the derived table") {
    const auto d = fixtures::decide_as("alice", "SELECT a FROM sales.orders AS o(a, b)");
    REQUIRE(d.is_allow());
    CHECK(has(d.allow().rewritten(), ") o(a, b)"));
}

TEST_CASE("a statement without product references keeps its exact text") {
    const auto d = fixtures::decide_as("alice", "WITH x AS (SELECT 1) SELECT * FROM x");
    REQUIRE(d.is_allow());
    CHECK(d.allow().rewritten() == "WITH x AS (SELECT 1) SELECT * FROM x");
}
}

TEST_SUITE("policy.rewrite") {
TEST_CASE("a recursive CTE sees its own name; a later sibling is not visible to an earlier body") {
    const auto rec = fixtures::decide_as(
        "alice", "WITH RECURSIVE orders(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM orders WHERE n < 3) "
                 "SELECT * FROM orders");
    REQUIRE(rec.is_allow());
    CHECK(rec.allow().catalog_only);
    // Plain WITH: `orders` inside the first body is the product, not the later CTE.
    const auto plain = fixtures::decide_as(
        "alice", "WITH a AS (SELECT * FROM orders), orders AS (SELECT 1) SELECT * FROM a, orders");
    REQUIRE(plain.is_allow());
    CHECK(plain.allow().products == std::vector<std::string>{"sales.orders"});
    CHECK(fixtures::count(plain.allow().rewritten(), "public.orders") == 1);
}

TEST_CASE("unsupported node kinds fail closed") {
    const char* rows[] = {"SELECT * FROM sales.orders TABLESAMPLE SYSTEM (10)",
                          "SELECT * FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS x int)"};
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        const auto d = fixtures::decide_as("alice", sql);
        REQUIRE(d.is_deny());
        CHECK(d.deny().sqlstate == "0A000");
    }
}
}
