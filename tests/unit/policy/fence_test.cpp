// The fence decision (policy/sql/fence.cpp): a row-filtered derived table gets OFFSET 0 unless
// every expression of the statement is provably leakproof. Layer: tests (policy).
#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;
namespace config = meshgate::config;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// bench.pgbench_accounts with a row filter (bid = 1) and extra columns of the types the rule
// distinguishes; `hashed` carries a hash mask (text), `rounded` a round mask.
const config::Snapshot& bench_snapshot()
{
    static const config::Snapshot snap = [] {
        auto s = fixtures::make_snapshot();
        auto& p = s.domains["bench"].products["pgbench_accounts"];
        p.physical_columns = {{"aid", "integer"},         {"bid", "integer"},
                              {"abalance", "integer"},    {"filler", "character(84)"},
                              {"big", "bigint"},          {"amount", "numeric(12,2)"},
                              {"ratio", "double precision"}, {"code", "character varying(20)"},
                              {"hashed", "integer"},      {"rounded", "integer"},
                              {"seen", "timestamp(3) with time zone"}};
        p.row_filters = {fixtures::row_filter("one-branch", "bid = 1")};
        config::MaskPolicy h;
        h.name = "hash-it";
        h.column = "hashed";
        h.with.kind = config::MaskSpec::Kind::Hash;
        config::MaskPolicy r;
        r.name = "round-it";
        r.column = "rounded";
        r.with.kind = config::MaskSpec::Kind::Round;
        r.with.round_step = "100";
        p.masks = {h, r};
        return s;
    }();
    return snap;
}

std::string rewrite(const std::string& sql, Protocol protocol = Protocol::Extended,
                    const config::Snapshot& snap = bench_snapshot())
{
    const auto d = decide(sql, fixtures::identity("bench"), snap, protocol);
    if (d.is_deny()) {
        FAIL_CHECK("denied: " << d.deny().message);
        return {};
    }
    return d.allow().rewritten();
}

bool fenced(const std::string& sql) { return has(rewrite(sql), "OFFSET 0"); }
}  // namespace

TEST_SUITE("policy.fence") {
TEST_CASE("pgbench's primary-key lookup through a row-filtered product is not fenced") {
    const auto sql = rewrite("SELECT abalance FROM pgbench_accounts WHERE aid = $1");
    CAPTURE(sql);
    CHECK(sql.rfind("SELECT abalance FROM (SELECT aid, bid, abalance, filler, big,", 0) == 0);
    CHECK(has(sql, "FROM public.pgbench_accounts meshgate_source WHERE meshgate_source.bid = 1) "
                   "pgbench_accounts WHERE aid OPERATOR(pg_catalog.=) $1"));
    CHECK_FALSE(has(sql, "OFFSET"));
    // The same in the simple protocol with a literal (pgbench -M simple).
    CHECK_FALSE(has(rewrite("SELECT abalance FROM pgbench_accounts WHERE aid = 42", Protocol::Simple),
                    "OFFSET"));
}

TEST_CASE("the division-by-zero oracle is fenced") {
    const auto sql = rewrite("SELECT aid FROM pgbench_accounts WHERE 1/(CASE WHEN bid = 2 AND "
                             "code LIKE 'a%' THEN 0 ELSE 1 END) = 1");
    CAPTURE(sql);
    CHECK(has(sql, "WHERE meshgate_source.bid = 1 OFFSET 0) pgbench_accounts WHERE"));
}

TEST_CASE("leakproof shapes are not fenced; everything else is") {
    struct Row {
        const char* sql;
        bool fence;
    };
    const Row rows[] = {
        // column vs untyped constant or parameter, on types with leakproof comparisons
        {"SELECT aid FROM pgbench_accounts WHERE aid = 5", false},
        {"SELECT aid FROM pgbench_accounts WHERE aid <> $1 AND abalance >= $2", false},
        {"SELECT aid FROM pgbench_accounts WHERE aid IN (1, 2, $1)", false},
        {"SELECT aid FROM pgbench_accounts WHERE aid NOT IN (1, 2)", false},
        {"SELECT aid FROM pgbench_accounts WHERE aid BETWEEN 1 AND $1", false},
        {"SELECT aid FROM pgbench_accounts WHERE aid IS DISTINCT FROM 3", false},
        {"SELECT aid FROM pgbench_accounts WHERE aid = 5 OR abalance IS NULL", false},
        {"SELECT aid FROM pgbench_accounts WHERE NOT (aid <> 5) AND (aid > 1) IS TRUE", false},
        {"SELECT aid FROM pgbench_accounts WHERE aid = 1::int8 AND code = 'x'::text", false},
        {"SELECT aid FROM pgbench_accounts WHERE aid = $1::int4", false},
        {"SELECT aid FROM pgbench_accounts WHERE 1 = aid", false},
        {"SELECT aid FROM pgbench_accounts WHERE big = 5", false},
        {"SELECT aid FROM pgbench_accounts WHERE ratio = 1.5", false},
        {"SELECT aid FROM pgbench_accounts WHERE code = $1", false},
        {"SELECT aid FROM pgbench_accounts WHERE filler = $1", false},
        {"SELECT aid FROM pgbench_accounts WHERE seen > '2020-01-01'", false},
        {"SELECT aid FROM pgbench_accounts WHERE hashed = $1", false},  // hash mask: text
        {"SELECT t.abalance FROM pgbench_accounts t WHERE t.aid = $1", false},
        {"WITH c AS (SELECT * FROM pgbench_accounts) SELECT abalance FROM c WHERE aid = $1", false},
        {"SELECT abalance FROM (SELECT * FROM pgbench_accounts) s WHERE aid = $1", false},
        {"SELECT aid FROM pgbench_accounts ORDER BY abalance DESC LIMIT 10", false},
        {"SELECT a.aid FROM pgbench_accounts a JOIN pgbench_accounts b ON a.aid = b.aid", false},
        {"SELECT a.aid FROM pgbench_accounts a JOIN pgbench_accounts b ON a.aid = b.big", false},
        {"SELECT aid FROM pgbench_accounts a JOIN pgbench_accounts b USING (aid)", false},
        // parameters may be declared with a type that makes PostgreSQL cast the column
        {"SELECT aid FROM pgbench_accounts WHERE big = $1", true},  // $1 oid: int8->oid fails
        {"SELECT aid FROM pgbench_accounts WHERE seen = $1", true},
        // typed constants of other types, float literals on integer columns, numeric columns
        {"SELECT aid FROM pgbench_accounts WHERE big = 1::oid", true},
        {"SELECT aid FROM pgbench_accounts WHERE aid = 1.5", true},
        {"SELECT aid FROM pgbench_accounts WHERE amount = 5", true},
        {"SELECT aid FROM pgbench_accounts WHERE seen = now()", true},
        // columns whose type meshgate cannot prove
        {"SELECT x FROM (SELECT big AS x FROM pgbench_accounts) s WHERE x = $1", true},
        {"SELECT a FROM pgbench_accounts AS t(a, b) WHERE a = $1", true},
        {"SELECT aid FROM pgbench_accounts, pg_catalog.pg_class WHERE aid = $1", true},
        {"SELECT aid FROM pgbench_accounts, (VALUES (1)) v(x) WHERE aid = $1", true},
        {"SELECT aid FROM pgbench_accounts WHERE nosuch = 1", true},
        {"SELECT aid FROM pgbench_accounts WHERE rounded = 5", true},  // the mask can overflow
        {"SELECT a.aid FROM pgbench_accounts a JOIN pgbench_accounts b ON a.code = b.aid", true},
        {"SELECT aid FROM pgbench_accounts a NATURAL JOIN pgbench_accounts b", true},
        // expressions that can raise errors
        {"SELECT aid FROM pgbench_accounts WHERE aid + 0 = 5", true},
        {"SELECT aid FROM pgbench_accounts WHERE abs(aid) = 5", true},
        {"SELECT aid FROM pgbench_accounts WHERE aid::text = '5'", true},
        {"SELECT aid FROM pgbench_accounts WHERE code LIKE 'a%'", true},
        {"SELECT aid FROM pgbench_accounts WHERE CASE WHEN aid = 1 THEN true END", true},
        {"SELECT aid FROM pgbench_accounts WHERE coalesce(aid, 0) = 5", true},
        {"SELECT aid FROM pgbench_accounts WHERE greatest(aid, big) = 5", true},
        {"SELECT aid FROM pgbench_accounts WHERE aid = (SELECT 1)", true},
        {"SELECT aid FROM pgbench_accounts WHERE aid = ANY ($1)", true},
        {"SELECT aid FROM pgbench_accounts WHERE (aid, bid) = (1, 2)", true},
        {"SELECT aid FROM pgbench_accounts WHERE ARRAY[aid] = ARRAY[1]", true},
        {"SELECT count(*) FROM pgbench_accounts", true},
        {"SELECT aid FROM pgbench_accounts UNION SELECT aid FROM pgbench_accounts", true},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        CHECK(fenced(r.sql) == r.fence);
    }
}

TEST_CASE("only row-filtered derived tables are fenced, and only for users the filter binds") {
    // orders has no row filter: never fenced, even under a risky statement.
    const auto join = fixtures::decide_as(
        "alice", "SELECT c.id FROM sales.customers c JOIN sales.orders o ON o.customer_id = c.id "
                 "WHERE o.total / 2 > 1",
        "fraud");
    REQUIRE(join.is_allow());
    const auto sql = join.allow().rewritten();
    CAPTURE(sql);
    CHECK(fixtures::count(sql, "OFFSET 0") == 1);
    CHECK(has(sql, "meshgate_source.region = 'EU' OFFSET 0) c"));
    // bob is exempt from own-region: nothing to fence.
    const auto bob = fixtures::decide_as("bob", "SELECT id FROM sales.customers WHERE 1 / id = 1",
                                         "fraud");
    REQUIRE(bob.is_allow());
    CHECK_FALSE(has(bob.allow().rewritten(), "OFFSET 0"));
}
}
