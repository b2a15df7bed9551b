// Statements that embed a query (EXPLAIN, PREPARE/EXECUTE, DECLARE CURSOR, COPY) get the same
// rewrite as a plain SELECT; FETCH/MOVE/CLOSE/DEALLOCATE forward; unqualified functions, types
// are pinned to pg_catalog. Layer: tests (policy).
#include "policy/decide.hpp"
#include "policy/sha256.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string allowed(const std::string& user, const std::string& sql, const std::string& purpose = "fraud",
                    Protocol protocol = Protocol::Simple)
{
    const auto d = fixtures::decide_as(user, sql, purpose, protocol);
    if (d.is_deny()) {
        FAIL_CHECK("denied: " << d.deny().sqlstate << " " << d.deny().message);
        return {};
    }
    const auto out = d.allow().rewritten();
    CHECK(fixtures::parses(out));
    return out;
}

Deny denied(const std::string& user, const std::string& sql, const std::string& purpose = "fraud")
{
    const auto d = fixtures::decide_as(user, sql, purpose);
    if (!d.is_deny()) {
        FAIL_CHECK("allowed: " << d.allow().rewritten());
        return {};
    }
    return d.deny();
}

// The plain SELECT's derived table, to compare embedded rewrites with.
std::string derived_of(const std::string& select)
{
    const auto sql = allowed("alice", select);
    const auto from = sql.find("FROM (");
    REQUIRE(from != std::string::npos);
    return sql.substr(from);
}
}  // namespace

TEST_SUITE("policy.embedded") {
TEST_CASE("EXPLAIN rewrites its query like a SELECT; ANALYZE and formats are allowed") {
    const auto plain = derived_of("SELECT email FROM sales.customers WHERE id = 1");
    for (const std::string prefix : {"EXPLAIN ", "EXPLAIN ANALYZE ", "EXPLAIN (FORMAT JSON) ",
                                     "EXPLAIN (ANALYZE, COSTS off, FORMAT yaml) ",
                                     "EXPLAIN (VERBOSE false) "}) {
        CAPTURE(prefix);
        const auto sql = allowed("alice", prefix + "SELECT email FROM sales.customers WHERE id = 1");
        CHECK(sql.rfind("EXPLAIN", 0) == 0);
        CHECK(has(sql, plain));
        CHECK_FALSE(has(sql, "FROM sales.customers"));
    }
}

TEST_CASE("EXPLAIN VERBOSE and unknown EXPLAIN options are refused with 42501") {
    for (const char* sql : {"EXPLAIN VERBOSE SELECT 1", "EXPLAIN (VERBOSE) SELECT email FROM sales.customers",
                            "EXPLAIN (VERBOSE on) SELECT 1", "EXPLAIN (verbose 1) SELECT 1",
                            "EXPLAIN ANALYZE VERBOSE SELECT 1", "EXPLAIN (GENERIC_PLAN) SELECT 1"}) {
        CAPTURE(std::string(sql));
        CHECK(denied("alice", sql).sqlstate == "42501");
    }
}

TEST_CASE("EXPLAIN of anything but a query is refused as that statement") {
    CHECK(denied("alice", "EXPLAIN ANALYZE DELETE FROM sales.orders").sqlstate == "42501");
    CHECK(denied("alice", "EXPLAIN INSERT INTO sales.orders VALUES (1)").sqlstate == "42501");
    CHECK(denied("alice", "EXPLAIN CREATE TABLE x AS SELECT 1").sqlstate == "42501");
    CHECK(denied("mallory", "EXPLAIN SELECT * FROM sales.customers").sqlstate == "42501");
    CHECK(denied("alice", "EXPLAIN SELECT * FROM public.customers").sqlstate == "42P01");
}

TEST_CASE("EXPLAIN output cannot carry the hash key: the pads are InitPlan subqueries") {
    const auto sql = allowed("alice", "EXPLAIN (FORMAT JSON) SELECT email FROM sales.customers "
                                      "WHERE email = 'x' ORDER BY email");
    const auto pads = hmac_sha256_pads(fixtures::snapshot().hash_key);
    CHECK(has(sql, "(SELECT pg_catalog.decode('" + pads.opad_hex + "', 'hex'))"));
    CHECK(has(sql, "(SELECT pg_catalog.decode('" + pads.ipad_hex + "', 'hex'))"));
    // Nowhere else: every occurrence of a pad is the sole output of a scalar subquery.
    CHECK(fixtures::count(sql, pads.opad_hex) == fixtures::count(sql, "(SELECT pg_catalog.decode('" + pads.opad_hex));
    CHECK(fixtures::count(sql, pads.ipad_hex) == fixtures::count(sql, "(SELECT pg_catalog.decode('" + pads.ipad_hex));
}

TEST_CASE("the pgbench lookup EXPLAIN is allowed") {
    const auto sql = allowed("alice", "EXPLAIN SELECT abalance FROM bench.pgbench_accounts WHERE aid = 1");
    CHECK(sql.rfind("EXPLAIN SELECT abalance FROM (SELECT", 0) == 0);
}

TEST_CASE("PREPARE rewrites its query and checks its parameter types") {
    const auto plain = derived_of("SELECT email FROM sales.customers WHERE id = $1");
    const auto sql = allowed("alice", "PREPARE q(int) AS SELECT email FROM sales.customers WHERE id = $1");
    CHECK(sql.rfind("PREPARE q", 0) == 0);
    CHECK(has(sql, plain));
    CHECK(denied("mallory", "PREPARE q AS SELECT * FROM sales.customers").sqlstate == "42501");
    CHECK(denied("alice", "PREPARE q AS DELETE FROM sales.orders").sqlstate == "42501");
    CHECK(denied("alice", "PREPARE q(public.evil) AS SELECT 1").sqlstate == "42501");
    CHECK(denied("alice", "PREPARE q AS SELECT pg_read_file('/etc/passwd')").sqlstate == "42501");
}

TEST_CASE("EXECUTE walks its arguments with the same checks as a SELECT") {
    CHECK(allowed("alice", "EXECUTE q(1, 'x')") == "EXECUTE q(1, 'x')");
    const auto sql = allowed("alice", "EXECUTE q((SELECT max(email) FROM sales.customers))");
    CHECK(has(sql, "pg_catalog.max"));
    CHECK_FALSE(has(sql, "FROM sales.customers"));
    CHECK(has(sql, derived_of("SELECT max(email) FROM sales.customers")));
    CHECK(denied("alice", "EXECUTE q((SELECT secret FROM public.t))").sqlstate == "42P01");
    CHECK(denied("mallory", "EXECUTE q((SELECT 1 FROM sales.customers))").sqlstate == "42501");
    CHECK(denied("alice", "EXECUTE q(pg_sleep(10))").sqlstate == "42501");
    CHECK(denied("alice", "EXECUTE q(public.leak(1))").sqlstate == "42501");
}

TEST_CASE("DECLARE CURSOR rewrites its query; FETCH, MOVE, CLOSE, DEALLOCATE forward as sent") {
    const auto plain = derived_of("SELECT id, email FROM sales.customers ORDER BY id");
    for (const std::string head : {"DECLARE c CURSOR FOR ", "DECLARE c BINARY SCROLL CURSOR WITH HOLD FOR ",
                                   "DECLARE \"eu_customers\" CURSOR WITHOUT HOLD FOR "}) {
        CAPTURE(head);
        const auto sql = allowed("alice", head + "SELECT id, email FROM sales.customers ORDER BY id");
        CHECK(sql.rfind("DECLARE", 0) == 0);
        CHECK(has(sql, plain));
    }
    CHECK(denied("alice", "DECLARE c CURSOR FOR SELECT * FROM sales.orders FOR UPDATE").sqlstate == "42501");
    CHECK(denied("mallory", "DECLARE c CURSOR FOR SELECT * FROM sales.customers").sqlstate == "42501");
    for (const char* sql : {"FETCH c", "FETCH FORWARD 5 FROM \"eu_customers\"", "FETCH ALL IN c",
                            "MOVE BACKWARD 2 IN c", "CLOSE c", "CLOSE ALL", "DEALLOCATE q",
                            "DEALLOCATE PREPARE q", "DEALLOCATE ALL"}) {
        CAPTURE(std::string(sql));
        CHECK(allowed("alice", sql) == sql);
    }
}

TEST_CASE("COPY product TO STDOUT becomes COPY (SELECT ...) TO STDOUT over the derived table") {
    const auto star = allowed("alice", "COPY sales.customers TO STDOUT");
    CHECK(star.rfind("COPY (SELECT * FROM (SELECT", 0) == 0);
    CHECK(has(star, derived_of("SELECT * FROM sales.customers")));
    CHECK(has(star, "TO STDOUT"));
    const auto cols = allowed("alice", "COPY sales.customers (id, email) TO STDOUT WITH (FORMAT csv, HEADER)");
    CHECK(cols.rfind("COPY (SELECT id, email FROM (SELECT", 0) == 0);
    CAPTURE(cols);
    CHECK(has(cols, "TO STDOUT WITH (FORMAT CSV, HEADER)"));
    const auto q = allowed("alice", "COPY (SELECT email FROM sales.customers WHERE id > 1) TO STDOUT");
    CHECK(has(q, derived_of("SELECT email FROM sales.customers WHERE id > 1")));
    CHECK(allowed("alice", "COPY (SELECT 1) TO STDOUT") == "COPY (SELECT 1) TO STDOUT");
}

TEST_CASE("COPY FROM, to a file or a program, of a raw table or a refused query is refused") {
    CHECK(denied("alice", "COPY sales.customers FROM STDIN").sqlstate == "42501");
    CHECK(denied("alice", "COPY sales.customers TO '/tmp/x'").sqlstate == "42501");
    CHECK(denied("alice", "COPY sales.customers TO PROGRAM 'id'").sqlstate == "42501");
    CHECK(denied("alice", "COPY (SELECT 1) TO '/tmp/x'").sqlstate == "42501");
    CHECK(denied("alice", "COPY (SELECT 1) TO PROGRAM 'id'").sqlstate == "42501");
    CHECK(denied("alice", "COPY public.customers TO STDOUT").sqlstate == "42P01");
    CHECK(denied("mallory", "COPY sales.customers TO STDOUT").sqlstate == "42501");
    CHECK(denied("alice", "COPY (DELETE FROM sales.orders RETURNING *) TO STDOUT").sqlstate == "42501");
    CHECK(denied("alice", "COPY pg_catalog.pg_authid TO STDOUT").sqlstate == "42501");
    // One refusal refuses all, also when the refused COPY comes last.
    CHECK(denied("alice", "SELECT 1; COPY sales.customers FROM STDIN").sqlstate == "42501");
}

TEST_CASE("unqualified function calls are pinned to pg_catalog, SQL-syntax functions still deparse") {
    const char* rows[] = {
        "SELECT lower(email), count(*) FROM sales.customers GROUP BY 1",
        "SELECT string_agg(email, ',' ORDER BY id) FILTER (WHERE id > 1) FROM sales.customers",
        "SELECT row_number() OVER (ORDER BY id), sum(id) OVER w FROM sales.customers WINDOW w AS (PARTITION BY region)",
        "SELECT extract(year FROM now()), position('a' IN 'abc'), substring('abc' FROM 2 FOR 1)",
        "SELECT lower('A'), overlay('abc' PLACING 'x' FROM 2), trim(both ' ' FROM ' a '), current_date, coalesce(1, 2), greatest(1, 2)",
        "SELECT count(*) FROM generate_series(1, 3) AS g(x)",
        "SELECT x FROM unnest(ARRAY[1,2]) WITH ORDINALITY AS u(x, n)",
        "SELECT '1'::text, CAST(1 AS numeric(10,2)), '{}'::text[], 'a'::varchar(3), '1 day'::interval",
        "SELECT date_trunc('day', now()) AT TIME ZONE 'UTC', 'abc' LIKE 'a%', 'x' IS DISTINCT FROM 'y'",
    };
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        const auto out = allowed("alice", sql);
        CHECK(out != sql);
        CHECK_FALSE(has(out, " lower("));
        CHECK_FALSE(has(out, "(count("));
    }
    CHECK(has(allowed("alice", "SELECT e2e_probe()"), "pg_catalog.e2e_probe()"));
    CHECK(has(allowed("alice", "SELECT count(*) FROM sales.orders"), "pg_catalog.count(*)"));
    CHECK(has(allowed("alice", "SELECT 'x'::text"), "pg_catalog.text"));
    // A listed function outside pg_catalog keeps its schema.
    CHECK(has(allowed("alice", "SELECT public.safe_fn(1)"), "public.safe_fn(1)"));
}
}

TEST_SUITE("policy.operators") {
TEST_CASE("operators with a qualified spelling are pinned to pg_catalog") {
    const auto sql = allowed("alice", "SELECT id FROM sales.customers WHERE id = 1 AND balance * 2 > 10 "
                                      "AND region = ANY(ARRAY['EU']) AND id < ALL (SELECT 5) AND -id < 0");
    CHECK(has(sql, "id OPERATOR(pg_catalog.=) 1"));
    CHECK(has(sql, "(balance OPERATOR(pg_catalog.*) 2) OPERATOR(pg_catalog.>) 10"));
    CHECK(has(sql, "region OPERATOR(pg_catalog.=) ANY(ARRAY['EU'])"));
    CHECK(has(sql, "id OPERATOR(pg_catalog.<) ALL (SELECT 5)"));
    CHECK(has(sql, "OPERATOR(pg_catalog.-) id"));
    CHECK_FALSE(has(sql, " = 1"));
}

TEST_CASE("precedence survives qualification: every nested operand keeps its grouping") {
    const auto sql = allowed("alice", "SELECT 1 + 2 * 3, (1 + 2) * 3, 10 / (2 / 5.0), true = (NULL IS NULL)");
    CHECK(has(sql, "1 OPERATOR(pg_catalog.+) (2 OPERATOR(pg_catalog.*) 3)"));
    CHECK(has(sql, "(1 OPERATOR(pg_catalog.+) 2) OPERATOR(pg_catalog.*) 3"));
    CHECK(has(sql, "10 OPERATOR(pg_catalog./) (2 OPERATOR(pg_catalog./) 5.0)"));
    CHECK(has(sql, "true OPERATOR(pg_catalog.=) (NULL IS NULL)"));
}

TEST_CASE("LIKE, ILIKE and SIMILAR TO become qualified operator expressions") {
    const auto sql = allowed("alice", "SELECT 'ab' LIKE 'a%', 'ab' NOT ILIKE 'A%', 'ab' LIKE 'a!%' ESCAPE '!', "
                                      "'ab' SIMILAR TO 'a_', 'a' || 'b' LIKE 'ab'");
    CHECK(has(sql, "'ab' OPERATOR(pg_catalog.~~) 'a%'"));
    CHECK(has(sql, "'ab' OPERATOR(pg_catalog.!~~*) 'A%'"));
    CHECK(has(sql, "'ab' OPERATOR(pg_catalog.~~) pg_catalog.like_escape('a!%', '!')"));
    CHECK(has(sql, "'ab' OPERATOR(pg_catalog.~) pg_catalog.similar_to_escape('a_')"));
    CHECK(has(sql, "('a' OPERATOR(pg_catalog.||) 'b') OPERATOR(pg_catalog.~~) 'ab'"));
    CHECK_FALSE(has(sql, "LIKE"));
}

TEST_CASE("the masks' own SQL and qualified user operators are left as they are") {
    const auto sql = allowed("alice", "SELECT id FROM sales.customers WHERE id OPERATOR(pg_catalog.=) 1");
    CHECK(fixtures::count(sql, "OPERATOR(pg_catalog.=)") == 1);
    CHECK(has(sql, "pg_catalog.length(card_number::pg_catalog.text) <= 4"));
    CHECK(denied("alice", "SELECT 1 OPERATOR(public.=) 1").sqlstate == "42501");
}
}

TEST_SUITE("policy.named_objects") {
TEST_CASE("PREPARE and DECLARE define a named object; EXECUTE, FETCH, MOVE, CLOSE, DEALLOCATE use one") {
    using K = NamedObject::Kind;
    const auto p = fixtures::decide_as("alice", "PREPARE Q1 AS SELECT id FROM marketing.campaigns", "marketing");
    REQUIRE(p.is_allow());
    CHECK(p.allow().defines == std::vector<NamedObject>{{K::Statement, "q1"}});
    CHECK(p.allow().backend == "marketing_pg");
    const auto d = fixtures::decide_as("alice", "DECLARE \"Cur\" CURSOR FOR SELECT 1");
    REQUIRE(d.is_allow());
    CHECK(d.allow().defines == std::vector<NamedObject>{{K::Cursor, "Cur"}});
    const auto e = fixtures::decide_as("alice", "EXECUTE q1(1); FETCH 2 FROM c; MOVE c; CLOSE ALL; DEALLOCATE q1");
    REQUIRE(e.is_allow());
    // EXECUTE / FETCH / MOVE run the query decided at creation (`reads`); CLOSE / DEALLOCATE
    // only release it.
    CHECK(e.allow().uses == std::vector<NamedObject>{{K::Statement, "q1", true}, {K::Cursor, "c", true},
                                                     {K::Cursor, "c", true}, {K::Cursor, "", false},
                                                     {K::Statement, "q1", false}});
    CHECK(e.allow().catalog_only);
    CHECK(e.allow().defines.empty());
}
}

TEST_SUITE("policy.embedded_edges") {
TEST_CASE("odd forms of the embedding statements decide without crashing; allowed ones reparse") {
    const char* rows[] = {
        "COPY sales.customers (id, id) TO STDOUT", "COPY (VALUES (1)) TO STDOUT", "COPY (TABLE sales.orders) TO STDOUT",
        "COPY sales.customers TO STDOUT (FORMAT binary)", "COPY sales.customers TO STDIN", "COPY sales.customers FROM STDOUT",
        "COPY sales.customers (nosuch) TO STDOUT", "COPY customers TO STDOUT", "COPY sales.customers TO STDOUT WHERE id = 1",
        "COPY (SELECT 1) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)", "COPY mesh.products TO STDOUT",
        "PREPARE p AS EXECUTE q", "PREPARE p AS EXPLAIN SELECT 1", "PREPARE p(int, text[]) AS VALUES ($1, $2)",
        "DECLARE c CURSOR FOR VALUES (1)", "DECLARE c CURSOR FOR TABLE sales.orders", "DECLARE c NO SCROLL CURSOR FOR WITH x AS (SELECT 1) SELECT * FROM x",
        "EXPLAIN (FORMAT) SELECT 1", "EXPLAIN (ANALYZE 'yes') SELECT 1", "EXPLAIN (ANALYZE, ANALYZE) SELECT 1",
        "EXPLAIN EXECUTE p", "EXPLAIN DECLARE c CURSOR FOR SELECT 1", "EXPLAIN VALUES (1)", "EXPLAIN TABLE sales.orders",
        "EXPLAIN (COSTS false, TIMING off, SUMMARY on, SETTINGS, WAL, BUFFERS) SELECT 1",
        "EXECUTE p", "EXECUTE p(DEFAULT)", "EXECUTE p($1)", "EXECUTE p(ARRAY[(SELECT 1)])", "EXECUTE \"P\"('x'::pg_catalog.text)",
        "FETCH", "FETCH NEXT c", "FETCH PRIOR FROM c", "FETCH ABSOLUTE -1 IN c", "MOVE LAST IN c", "CLOSE \"C\"",
        "DEALLOCATE \"P\"", "SELECT 1; EXPLAIN SELECT 2; COPY (SELECT 3) TO STDOUT",
    };
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        const auto d = fixtures::decide_as("alice", sql, "fraud");
        if (d.is_allow()) {
            CHECK(fixtures::parses(d.allow().rewritten()));
        } else {
            CHECK_FALSE(d.deny().sqlstate.empty());
        }
    }
    CHECK(fixtures::decide_as("alice", "COPY sales.customers TO STDIN").is_deny());
    CHECK(fixtures::decide_as("alice", "EXPLAIN EXECUTE p").is_deny());
    CHECK(fixtures::decide_as("alice", "PREPARE p AS EXPLAIN SELECT 1").is_deny());
    const auto unq = fixtures::decide_as("alice", "COPY customers TO STDOUT", "fraud");  // search_path: sales
    if (unq.is_deny()) { MESSAGE(unq.deny().message); }
    CHECK(unq.is_allow());
}
}
