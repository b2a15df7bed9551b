// The rewrite cache: hits and misses, equality with decide(), soundness refusals, bounds,
// invalidation and isolation between policy contexts. Layer: tests (policy).
#include "policy/rewrite_cache.hpp"

#include "policy/decide.hpp"
#include "policy/sql/normalize.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <regex>
#include <string>
#include <thread>
#include <vector>

using namespace meshgate;
using namespace meshgate::policy;

namespace {

const std::string kLookup = "SELECT abalance FROM bench.pgbench_accounts WHERE aid = ";

std::string forward_sql(const Decision& d)
{
    REQUIRE(d.is_allow());
    REQUIRE(d.allow().steps.size() == 1);
    const auto* f = std::get_if<Forward>(&d.allow().steps.front());
    REQUIRE(f != nullptr);
    return f->sql;
}

/// Same statement: same tokens, or the same parse tree (constants spelled differently but
/// equal, `$$US$$` / `'US'`), locations aside. Independent of the cache's own check.
bool same_sql(const std::string& a, const std::string& b)
{
    if (sql::same_tokens(a, b)) {
        return true;
    }
    static const std::regex location("\"location\":-?[0-9]+");
    const auto ta = std::regex_replace(fixtures::json_tree(a), location, "");
    const auto tb = std::regex_replace(fixtures::json_tree(b), location, "");
    return !ta.empty() && ta == tb;
}

/// The cached decision must be the uncached one: same verdict, same error, same route and
/// products and policies, and a rewrite with the same tokens.
void check_same(const Decision& cached, const Decision& direct)
{
    REQUIRE(cached.is_allow() == direct.is_allow());
    if (direct.is_deny()) {
        CHECK(cached.deny().sqlstate == direct.deny().sqlstate);
        CHECK(cached.deny().message == direct.deny().message);
        CHECK(cached.deny().position == direct.deny().position);
        return;
    }
    const auto& a = cached.allow();
    const auto& b = direct.allow();
    CHECK(a.backend == b.backend);
    CHECK(a.products == b.products);
    CHECK(a.catalog_only == b.catalog_only);
    REQUIRE(a.policies.size() == b.policies.size());
    for (size_t i = 0; i < a.policies.size(); ++i) {
        CHECK(a.policies[i].name == b.policies[i].name);
    }
    REQUIRE(a.steps.size() == b.steps.size());
    for (size_t i = 0; i < a.steps.size(); ++i) {
        const auto* fa = std::get_if<Forward>(&a.steps[i]);
        const auto* fb = std::get_if<Forward>(&b.steps[i]);
        REQUIRE((fa != nullptr) == (fb != nullptr));
        if (fa != nullptr) {
            CAPTURE(fa->sql);
            CAPTURE(fb->sql);
            CHECK(same_sql(fa->sql, fb->sql));
        }
    }
}

config::Snapshot with_generation(uint64_t g)
{
    auto s = fixtures::make_snapshot();
    s.generation = g;
    return s;
}

}  // namespace

TEST_SUITE("policy.rewrite_cache") {
TEST_CASE("pgbench's lookup: decided once, then every new constant is a hit with its own value") {
    const auto snap = with_generation(1);
    RewriteCache cache;
    const auto who = fixtures::identity("bench");
    CacheOutcome o{};
    const auto first = cache.decide(kLookup + "12345", who, snap, Protocol::Simple, &o);
    CHECK(o == CacheOutcome::Miss);
    check_same(first, decide(kLookup + "12345", who, snap, Protocol::Simple));
    for (int aid : {1, 77, 99999, -3}) {
        const std::string sql = kLookup + std::to_string(aid);
        const auto d = cache.decide(sql, who, snap, Protocol::Simple, &o);
        CHECK(o == CacheOutcome::Hit);
        check_same(d, decide(sql, who, snap, Protocol::Simple));
        // The spliced constant is the client's, and no other constant leaked in.
        const auto fwd = forward_sql(d);
        CHECK(fwd.find(std::to_string(aid)) != std::string::npos);
        CHECK(fwd.find("12345") == std::string::npos);
    }
    CHECK(cache.hits() == 4);
    CHECK(cache.misses() == 1);
    CHECK(cache.size() == 1);
}

TEST_CASE("property: for a corpus of statements and constants, cached == decide(original)") {
    const auto snap = with_generation(1);
    // {} marks where a constant goes; every row is run with each constant set below.
    const std::vector<std::string> shapes = {
        kLookup + "{0}",
        "SELECT aid, abalance FROM bench.pgbench_accounts WHERE aid BETWEEN {0} AND {1} ORDER BY 1 LIMIT {0}",
        "SELECT id, email, region FROM sales.customers WHERE balance > {0} AND name <> {2}",
        "SELECT c.name, o.total FROM sales.customers c JOIN sales.orders o ON o.customer_id = c.id "
        "WHERE o.total > {1} AND c.region = {2}",
        "SELECT count(*) FROM sales.orders WHERE ordered_at > DATE '2020-01-01' + {0}",
        "SELECT * FROM sales.orders WHERE id IN ({0}, {1}) AND total * {1} > -{0}",
        "WITH x AS (SELECT id, total FROM sales.orders WHERE total > {0}) SELECT * FROM x WHERE id <> {1}",
        "SELECT region, sum(balance) FROM sales.customers WHERE name LIKE {2} GROUP BY 1 HAVING sum(balance) > {0}",
        "SELECT * FROM sales.orders o WHERE EXISTS (SELECT 1 FROM sales.customers c WHERE c.id = o.customer_id AND c.balance > {1})",
        "SELECT id FROM sales.orders UNION ALL SELECT id FROM marketing.campaigns WHERE budget > {0}",
        "SELECT {2}::text || name, {0} + 1 FROM sales.customers",
        "SELECT card_number, phone FROM sales.customers WHERE id = {0}",
        "SELECT * FROM sales.nope WHERE id = {0}",
        "SELECT * FROM public.customers WHERE id = {0}",
        "SELECT pg_read_file({2}) FROM sales.orders WHERE id = {0}",
        "SELECT name FROM sales.customers WHERE id = {0} FOR UPDATE",
        "SELECT * FROM mesh.products WHERE domain = {2}",
        "SELECT * FROM sales.customers c, LATERAL (SELECT total FROM sales.orders o WHERE o.customer_id = c.id AND total > {1} LIMIT {0}) l",
        "SELECT {0}, {1}, {2}, E'\\t', $$dollar$$, B'1010', X'ff', -{1}",
        "SELECT id FROM sales.orders WHERE total > {1} /* comment {0} */ AND id < {0} -- tail",
    };
    const std::vector<std::vector<std::string>> constants = {
        {"1", "2.5", "'EU'"},
        {"42", "-7.25", "'it''s'"},
        {"2147483647", "1e3", "E'x\\'y'"},
        {"0", "0.0", "$$US$$"},
        {"-1", "3", "'%a%'"},
    };
    const char* users[] = {"alice", "bob", "carol", "mallory", "erin", "bench"};
    RewriteCache cache;
    size_t allowed = 0;
    for (const auto* user : users) {
        for (const char* purpose : {"", "fraud"}) {
            const auto who = *purpose ? fixtures::identity(user, purpose) : fixtures::identity(user);
            for (const auto& shape : shapes) {
                for (const auto& c : constants) {
                    std::string sql = shape;
                    for (size_t i = 0; i < c.size(); ++i) {
                        const std::string mark = "{" + std::to_string(i) + "}";
                        for (size_t at; (at = sql.find(mark)) != std::string::npos;) {
                            sql.replace(at, mark.size(), c[i]);
                        }
                    }
                    CAPTURE(user);
                    CAPTURE(purpose);
                    CAPTURE(sql);
                    for (auto p : {Protocol::Simple, Protocol::Extended}) {
                        const auto direct = decide(sql, who, snap, p);
                        allowed += direct.is_allow() ? 1 : 0;
                        check_same(cache.decide(sql, who, snap, p), direct);
                    }
                }
            }
        }
    }
    // Allowed statements share templates: with five constant sets per shape, most are hits.
    CHECK(allowed > 500);
    CHECK(cache.hits() * 2 > allowed);
}

TEST_CASE("constant-sensitive statements never share an entry across constants") {
    const auto snap = with_generation(1);
    RewriteCache cache;
    const auto who = fixtures::identity("alice", "fraud");
    // ORDER BY positions: a different column each time, results must follow the constant.
    for (const char* sql : {"SELECT id, total FROM sales.orders ORDER BY 1",
                            "SELECT id, total FROM sales.orders ORDER BY 2"}) {
        CAPTURE(std::string(sql));
        CacheOutcome o{};
        const auto d = cache.decide(sql, who, snap, Protocol::Simple, &o);
        CHECK(o == CacheOutcome::Miss);
        check_same(d, decide(sql, who, snap, Protocol::Simple));
    }
    // reg* casts and functions whose arguments name objects keep their constants in the key.
    for (const char* sql : {"SELECT 'pg_class'::regclass", "SELECT 'pg_authid'::regclass",
                            "SELECT to_regclass('pg_class')", "SELECT to_regclass('pg_authid')",
                            "SELECT current_setting('TimeZone')",
                            "SELECT current_setting('work_mem')"}) {
        CAPTURE(std::string(sql));
        CacheOutcome o{};
        const auto d = cache.decide(sql, who, snap, Protocol::Simple, &o);
        CHECK(o == CacheOutcome::Miss);
        check_same(d, decide(sql, who, snap, Protocol::Simple));
    }
    CHECK(cache.hits() == 0);
}

TEST_CASE("settings, transaction control and multi-statement messages are not cached") {
    const auto snap = with_generation(1);
    RewriteCache cache;
    const auto who = fixtures::identity("alice");
    for (const char* sql : {"SET search_path TO marketing", "SHOW search_path", "BEGIN",
                            "SET application_name = 'a'", "SELECT 1; SELECT 2",
                            "SET meshgate.purpose = 'fraud'"}) {
        for (int i = 0; i < 2; ++i) {
            CacheOutcome o{};
            CAPTURE(std::string(sql));
            const auto d = cache.decide(sql, who, snap, Protocol::Simple, &o);
            CHECK(o == CacheOutcome::Uncached);
            check_same(d, decide(sql, who, snap, Protocol::Simple));
        }
    }
    CHECK(cache.size() == 0);
    CHECK(cache.hits() == 0);
}

TEST_CASE("denials come from the client's own text: positions point into what it sent") {
    const auto snap = with_generation(1);
    RewriteCache cache;
    const auto who = fixtures::identity("alice", "fraud");
    for (const char* sql : {"SELECT * FROM   sales.nope WHERE id = 5",
                            "SELECT *   FROM sales.nope WHERE id = 123456789",
                            "SELECT * FROM sales.customers WHERE id = 5 AND", "SELECT 'x"}) {
        CAPTURE(std::string(sql));
        const auto d = cache.decide(sql, who, snap, Protocol::Simple);
        REQUIRE(d.is_deny());
        check_same(d, decide(sql, who, snap, Protocol::Simple));
    }
}

TEST_CASE("extended protocol: the client's $n stay parameters, constants are spliced") {
    const auto snap = with_generation(1);
    RewriteCache cache;
    const auto who = fixtures::identity("bench");
    const std::string a = "SELECT abalance FROM bench.pgbench_accounts WHERE aid = $1 AND bid = 3";
    const std::string b = "SELECT abalance FROM bench.pgbench_accounts WHERE aid = $1 AND bid = 4";
    check_same(cache.decide(a, who, snap, Protocol::Extended), decide(a, who, snap, Protocol::Extended));
    CacheOutcome o{};
    const auto d = cache.decide(b, who, snap, Protocol::Extended, &o);
    CHECK(o == CacheOutcome::Hit);
    check_same(d, decide(b, who, snap, Protocol::Extended));
    CHECK(forward_sql(d).find("$1") != std::string::npos);
    CHECK(forward_sql(d).find("$2") == std::string::npos);
    // The same text in the simple protocol is another entry.
    cache.decide(b, who, snap, Protocol::Simple, &o);
    CHECK(o == CacheOutcome::Miss);
}

TEST_CASE("a client's own $1 never takes a template made for a constant in the same place") {
    const auto snap = with_generation(1);
    RewriteCache cache;
    const auto who = fixtures::identity("bench");
    // Same key text ("... aid = $1") for both; the second has no constant to splice.
    const std::string with_constant = kLookup + "5";
    const std::string with_param = kLookup + "$1";
    for (auto p : {Protocol::Simple, Protocol::Extended}) {
        check_same(cache.decide(with_constant, who, snap, p), decide(with_constant, who, snap, p));
        CacheOutcome o{};
        const auto d = cache.decide(with_param, who, snap, p, &o);
        CHECK(o == CacheOutcome::Miss);
        check_same(d, decide(with_param, who, snap, p));
        CHECK(forward_sql(d).find("aid OPERATOR(pg_catalog.=) $1") != std::string::npos);
    }
}

TEST_CASE("different users, groups, attributes, purposes and search_paths never share an entry") {
    const auto snap = with_generation(1);
    RewriteCache cache;
    const std::string sql = "SELECT id, email, phone FROM customers WHERE id = 5";
    auto alice = fixtures::identity("alice", "fraud");
    auto bob = fixtures::identity("bob", "fraud");
    auto alice_no_purpose = fixtures::identity("alice");
    auto alice_us = alice;
    alice_us.attributes["region"] = std::string("US");
    auto alice_groups = alice;
    alice_groups.groups.push_back("sales-data-team");
    auto alice_path = alice;
    alice_path.search_path = {"marketing", "sales"};
    const std::vector<Identity> whos = {alice, bob, alice_no_purpose, alice_us, alice_groups,
                                        alice_path};
    for (const auto& who : whos) {
        CacheOutcome o{};
        const auto d = cache.decide(sql, who, snap, Protocol::Simple, &o);
        CHECK(o == CacheOutcome::Miss);
        check_same(d, decide(sql, who, snap, Protocol::Simple));
    }
    // Each context now hits its own entry, with its own rewrite.
    for (const auto& who : whos) {
        const std::string other = "SELECT id, email, phone FROM customers WHERE id = 6";
        CacheOutcome o{};
        const auto d = cache.decide(other, who, snap, Protocol::Simple, &o);
        check_same(d, decide(other, who, snap, Protocol::Simple));
        if (d.is_allow()) {
            CHECK(o == CacheOutcome::Hit);
        }
    }
    // alice (EU filter) and bob (exempt) really differ, so sharing would have been a leak.
    CHECK(forward_sql(cache.decide(sql, alice, snap, Protocol::Simple)) !=
          forward_sql(cache.decide(sql, bob, snap, Protocol::Simple)));
}

TEST_CASE("a new snapshot generation invalidates; an older one bypasses without storing") {
    const auto s1 = with_generation(1);
    auto s2 = with_generation(2);
    // The reload changes the bench product's backend: a stale template would route wrongly.
    s2.backends["bench_pg2"].name = "bench_pg2";
    s2.domains["bench"].backend = "bench_pg2";
    RewriteCache cache({/*max_entries=*/100, 1u << 20, 16 * 1024, /*shards=*/1});
    const auto who = fixtures::identity("bench");
    CacheOutcome o{};
    cache.decide(kLookup + "1", who, s1, Protocol::Simple, &o);
    cache.decide(kLookup + "2", who, s1, Protocol::Simple, &o);
    CHECK(o == CacheOutcome::Hit);
    const auto d = cache.decide(kLookup + "3", who, s2, Protocol::Simple, &o);
    CHECK(o == CacheOutcome::Miss);
    REQUIRE(d.is_allow());
    CHECK(d.allow().backend == "bench_pg2");
    // A statement still running on the old snapshot: decided on it, not cached.
    const auto old = cache.decide(kLookup + "4", who, s1, Protocol::Simple, &o);
    CHECK(o == CacheOutcome::Miss);
    CHECK(old.allow().backend == "bench_pg");
    const auto again = cache.decide(kLookup + "5", who, s2, Protocol::Simple, &o);
    CHECK(o == CacheOutcome::Hit);
    CHECK(again.allow().backend == "bench_pg2");
}

TEST_CASE("the cache is bounded: entries past the limit are evicted, least recently used first") {
    const auto snap = with_generation(1);
    RewriteCache cache({/*max_entries=*/4, 1u << 20, 16 * 1024, /*shards=*/1});
    const auto who = fixtures::identity("bench");
    // Distinct shapes (constants are placeholders, so vary the column list).
    const std::vector<std::string> cols = {"aid", "bid", "abalance", "filler", "aid, bid",
                                           "bid, aid", "aid, abalance", "abalance, aid"};
    for (const auto& c : cols) {
        cache.decide("SELECT " + c + " FROM bench.pgbench_accounts WHERE aid = 1", who, snap,
                     Protocol::Simple);
    }
    CHECK(cache.size() == 4);
    CHECK(cache.evictions() == 4);
    CacheOutcome o{};
    cache.decide("SELECT aid FROM bench.pgbench_accounts WHERE aid = 2", who, snap,
                 Protocol::Simple, &o);
    CHECK(o == CacheOutcome::Miss);  // evicted
    cache.decide("SELECT abalance, aid FROM bench.pgbench_accounts WHERE aid = 2", who, snap,
                 Protocol::Simple, &o);
    CHECK(o == CacheOutcome::Hit);  // recent
    // A byte budget bounds memory too.
    RewriteCache small({1000, /*max_bytes=*/4096, 16 * 1024, 1});
    for (int i = 0; i < 200; ++i) {
        small.decide("SELECT aid AS a" + std::to_string(i) + " FROM bench.pgbench_accounts WHERE aid = 1",
                     who, snap, Protocol::Simple);
    }
    CHECK(small.size() < 200);
    CHECK(small.evictions() > 0);
}

TEST_CASE("many threads share one cache and all get decide()'s answer") {
    const auto snap = with_generation(1);
    RewriteCache cache({1000, 1u << 20, 16 * 1024, 4});
    const char* users[] = {"alice", "bob", "bench", "erin"};
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            const auto who = fixtures::identity(users[t], "fraud");
            for (int i = 0; i < 300; ++i) {
                const std::string sql = i % 2 == 0
                    ? kLookup + std::to_string(i)
                    : "SELECT id, email FROM sales.customers WHERE id = " + std::to_string(i);
                const auto a = cache.decide(sql, who, snap, Protocol::Simple);
                const auto b = decide(sql, who, snap, Protocol::Simple);
                bool same = a.is_allow() == b.is_allow();
                if (same && a.is_allow()) {
                    same = same_sql(std::get<Forward>(a.allow().steps[0]).sql,
                                    std::get<Forward>(b.allow().steps[0]).sql);
                } else if (same) {
                    same = a.deny().message == b.deny().message;
                }
                if (!same) {
                    ++wrong;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    CHECK(wrong.load() == 0);
    CHECK(cache.hits() > 0);
}
}
