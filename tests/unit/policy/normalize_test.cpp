// Scanner-based normalization: cache keys, literals, audit text and fingerprints.
// Layer: tests (policy).
#include "policy/sql/normalize.hpp"

#include "policy/audit/statement_event.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace meshgate::policy::sql;

namespace {
std::vector<std::string> lits(const CacheKey& k)
{
    return {k.literals.begin(), k.literals.end()};
}
}  // namespace

TEST_SUITE("policy.normalize") {
TEST_CASE("pgbench's lookup: the constant becomes $1, its text is kept") {
    const auto k = normalize_for_cache("SELECT abalance FROM pgbench_accounts WHERE aid = 12345;");
    CHECK(k.cacheable);
    CHECK(k.text == "SELECT abalance FROM pgbench_accounts WHERE aid = $1;");
    CHECK(lits(k) == std::vector<std::string>{"12345"});
    CHECK(k.first_placeholder == 1);
    // Same shape, other constant, other spacing and a comment: same key.
    const auto k2 = normalize_for_cache(
        "SELECT  abalance\nFROM pgbench_accounts /* c */ WHERE aid = 7; -- tail");
    CHECK(k2.text == k.text);
    CHECK(lits(k2) == std::vector<std::string>{"7"});
}

TEST_CASE("every kind of constant: strings, E'', dollar quotes, bit strings, floats, negatives") {
    const auto k = normalize_for_cache(
        "SELECT * FROM t WHERE a = 'x''y' AND b = E'\\n' AND c = $$d$$ AND d = $q$e$q$ "
        "AND e = B'101' AND f = X'ff' AND g = 1.5e3 AND h = -5 AND i - 3 > - 2.5 AND j = 'a'\n'b'");
    CHECK(k.cacheable);
    CHECK(k.text ==
          "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3 AND d = $4 AND e = $5 AND f = $6 "
          "AND g = $7 AND h = $8 AND i - $9 > $10 AND j = $11");
    CHECK(lits(k) == std::vector<std::string>{"'x''y'", "E'\\n'", "$$d$$", "$q$e$q$", "B'101'",
                                              "X'ff'", "1.5e3", "-5", "3", "- 2.5",
                                              "'a'\n'b'"});
}

TEST_CASE("the key keeps the client's adjacency, so it lexes to the client's tokens") {
    // n'x' is a national character string; n 'x' a literal of a type named n.
    CHECK(normalize_for_cache("SELECT n'x' FROM t").text != normalize_for_cache("SELECT n 'x' FROM t").text);
    CHECK(same_tokens(normalize_for_cache("SELECT n'x' FROM t").text, "SELECT n'x' FROM t"));
    // A placeholder never runs into a neighbour.
    const auto k = normalize_for_cache("SELECT'a'FROM t WHERE x=-5");
    CHECK(k.text == "SELECT $1 FROM t WHERE x=$2");
    CHECK(lits(k) == std::vector<std::string>{"'a'", "-5"});
    // Whitespace runs and comments become one space.
    CHECK(normalize_for_cache("SELECT a /* c */ ,\n\n b FROM t").text == "SELECT a , b FROM t");
}

TEST_CASE("the client's $n parameters stay and new placeholders are numbered after them") {
    const auto k = normalize_for_cache("SELECT a FROM t WHERE b = $2 AND c = 5 AND d = $1");
    CHECK(k.cacheable);
    CHECK(k.first_placeholder == 3);
    CHECK(k.text == "SELECT a FROM t WHERE b = $2 AND c = $3 AND d = $1");
    CHECK(lits(k) == std::vector<std::string>{"5"});
}

TEST_CASE("typed literals, interval fields and type modifiers keep their constants") {
    struct Row {
        const char* sql;
        const char* key;
    };
    const Row rows[] = {
        {"SELECT DATE '2020-01-01'", "SELECT DATE '2020-01-01'"},
        {"SELECT interval '1' day", "SELECT interval '1' day"},
        {"SELECT x::varchar(10) FROM t", "SELECT x::varchar(10) FROM t"},
        {"SELECT CAST(x AS numeric(10, 2)) FROM t", "SELECT CAST(x AS numeric(10, 2)) FROM t"},
        {"SELECT varchar(3) 'abc'", "SELECT varchar(3) 'abc'"},
        {"SELECT now() AT TIME ZONE 'UTC'", "SELECT now() AT TIME ZONE 'UTC'"},
        {"SELECT timestamp with time zone '2020-01-01 00:00+00'",
         "SELECT timestamp with time zone '2020-01-01 00:00+00'"},
        {"SELECT '1 day'::interval", "SELECT $1::interval"},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        CHECK(normalize_for_cache(r.sql).text == r.key);
    }
}

TEST_CASE("ORDER BY / GROUP BY / DISTINCT ON positions are never placeholders") {
    struct Row {
        const char* sql;
        const char* key;
    };
    const Row rows[] = {
        {"SELECT a, b FROM t ORDER BY 1", "SELECT a, b FROM t ORDER BY 1"},
        {"SELECT a, b FROM t ORDER BY 2 DESC, 1 LIMIT 5",
         "SELECT a, b FROM t ORDER BY 2 DESC, 1 LIMIT $1"},
        {"SELECT a, count(*) FROM t WHERE x = 3 GROUP BY 1 HAVING count(*) > 2",
         "SELECT a, count(*) FROM t WHERE x = $1 GROUP BY 1 HAVING count(*) > $2"},
        {"SELECT DISTINCT ON (1) a FROM t WHERE b = 4", "SELECT DISTINCT ON (1) a FROM t WHERE b = $1"},
        {"SELECT (SELECT max(x) FROM u ORDER BY 1) FROM t WHERE a = 9",
         "SELECT (SELECT max(x) FROM u ORDER BY 1) FROM t WHERE a = $1"},
        {"SELECT rank() OVER (PARTITION BY 1 ORDER BY 2) FROM t",
         "SELECT rank() OVER (PARTITION BY 1 ORDER BY 2) FROM t"},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        CHECK(normalize_for_cache(r.sql).text == r.key);
    }
}

TEST_CASE("statements naming reg* types or object/setting functions keep every constant") {
    const char* rows[] = {
        "SELECT 'pg_authid'::regclass WHERE 1 = 1",
        "SELECT CAST('pg_authid' AS pg_catalog.regclass), 5",
        "SELECT to_regclass('pg_authid'), 5",
        "SELECT current_setting('work_mem'), 5",
        "SELECT has_table_privilege('t', 'SELECT'), 5",
        "SELECT pg_sleep(1), 5",
        "SELECT set_config('a.b', 'c', false), 5",
    };
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        const auto k = normalize_for_cache(sql);
        CHECK(k.literals.empty());
        CHECK(k.text.find('$') == std::string::npos);
    }
}

TEST_CASE("only single query statements are cacheable") {
    CHECK(normalize_for_cache("SELECT 1").cacheable);
    CHECK(normalize_for_cache("WITH x AS (SELECT 1) SELECT * FROM x").cacheable);
    CHECK(normalize_for_cache("VALUES (1)").cacheable);
    CHECK(normalize_for_cache("TABLE sales.orders").cacheable);
    CHECK(normalize_for_cache("(SELECT 1) UNION (SELECT 2)").cacheable);
    CHECK(normalize_for_cache("SELECT 1;").cacheable);
    CHECK_FALSE(normalize_for_cache("SELECT 1; SELECT 2").cacheable);
    CHECK_FALSE(normalize_for_cache("SET application_name = 'x'").cacheable);
    CHECK_FALSE(normalize_for_cache("SHOW search_path").cacheable);
    CHECK_FALSE(normalize_for_cache("BEGIN").cacheable);
    CHECK_FALSE(normalize_for_cache("EXPLAIN SELECT 1").cacheable);
    CHECK_FALSE(normalize_for_cache("INSERT INTO t VALUES (1)").cacheable);
    CHECK_FALSE(normalize_for_cache("SELECT 'unterminated").cacheable);
    CHECK_FALSE(normalize_for_cache(std::string_view("SELECT 1\0 2", 10)).cacheable);
    // The scanner reports U&'' strings with an empty range: never a key that loses text.
    CHECK_FALSE(normalize_for_cache("SELECT U&'d\\0061t'").cacheable);
    CHECK_FALSE(normalize_for_cache("").cacheable);
}

TEST_CASE("audit text replaces every constant; the fingerprint ignores constants only") {
    const auto a = normalize_for_audit("SELECT abalance FROM pgbench_accounts WHERE aid = 12345");
    const auto b = normalize_for_audit("SELECT abalance FROM  pgbench_accounts WHERE aid = -7 -- x");
    CHECK(a.statement == "SELECT abalance FROM pgbench_accounts WHERE aid = $1");
    CHECK(a.fingerprint.size() == 16);
    CHECK(a.fingerprint == b.fingerprint);
    CHECK(a.fingerprint != normalize_for_audit("SELECT bid FROM pgbench_accounts WHERE aid = 1").fingerprint);
    // Typed literals and ORDER BY constants, kept by the cache, are hidden in the log.
    const auto c = normalize_for_audit(
        "SELECT DATE '2020-01-01', 'secret'::regclass, interval '1' day FROM t ORDER BY 1");
    CHECK(c.statement == "SELECT DATE $1, $2::regclass, interval $3 day FROM t ORDER BY $4");
    CHECK(normalize_for_audit("SET application_name = 'x'").statement ==
          "SET application_name = $1");
    CHECK(normalize_for_audit("SELECT $1, 'a'").statement == "SELECT $1, $2");
    CHECK(normalize_for_audit("SELECT 'x").fingerprint.empty());
}

TEST_CASE("templates: placeholders found by the scanner, literals spliced as their own tokens") {
    SqlTemplate t;
    REQUIRE(make_template("SELECT a FROM (SELECT a FROM t WHERE b = $2) s WHERE c = $2 AND d = $1 "
                          "AND e = '$2'",
                          2, 1, t));
    CHECK(t.slots.size() == 2);
    const std::vector<std::string_view> lit = {"-5"};
    CHECK(splice(t, lit) ==
          "SELECT a FROM (SELECT a FROM t WHERE b = -5) s WHERE c = -5 AND d = $1 AND e = '$2'");
    // A $k past the literals is refused.
    CHECK_FALSE(make_template("SELECT $3", 2, 1, t));
    // `x--5` would be a comment: a space keeps the literal apart.
    REQUIRE(make_template("SELECT x-$1", 1, 1, t));
    CHECK(splice(t, lit) == "SELECT x- -5");
    CHECK(same_tokens("SELECT x- -5", "SELECT x - -5"));
    CHECK_FALSE(same_tokens("SELECT x--5", "SELECT x - -5"));
    CHECK(same_tokens("SELECT 1 /* c */", "SELECT 1"));
}
TEST_CASE("audit statement events: normalized unless log_literals, fingerprint always") {
    meshgate::audit::AuditEvent e;
    const std::string sql = "SELECT email FROM sales.customers WHERE name = 'Ada Lovelace'";
    meshgate::audit::set_statement_text(e, sql, false);
    CHECK(e.statement == "SELECT email FROM sales.customers WHERE name = $1");
    CHECK(e.statement.find("Ada") == std::string::npos);
    CHECK(e.fingerprint.size() == 16);
    const auto fp = e.fingerprint;
    meshgate::audit::set_statement_text(e, sql, true);
    CHECK(e.statement == sql);
    CHECK(e.fingerprint == fp);
    meshgate::audit::set_statement_text(e, "SELECT 'unterminated", false);
    CHECK(e.statement.empty());
    CHECK(e.fingerprint.empty());
}
TEST_CASE("robustness: mutated statements never crash, and every key keeps all other text") {
    const std::vector<std::string> seeds = {
        "SELECT abalance FROM pgbench_accounts WHERE aid = 12345;",
        "SELECT a, b FROM t WHERE x = E'\\n' AND y = $$z$$ ORDER BY 2 LIMIT -1",
        "SELECT CAST('1' AS varchar(3)), DATE '2020-01-01', interval '1' day, x::numeric(10,2)",
        "SELECT * FROM t WHERE a IN (1, 2.5, -3) /* c */ AND b = B'1' -- x",
        "WITH q AS (SELECT DISTINCT ON (1) a FROM t) SELECT $1, 'it''s', U&'x' FROM q",
    };
    std::mt19937 rng(12345);
    const std::string alphabet = "'\"$-+*/()[],;:.0123456789eEbBxXuU& \n\tSELCT";
    for (int i = 0; i < 4000; ++i) {
        std::string sql = seeds[size_t(i) % seeds.size()];
        const int edits = 1 + int(rng() % 4);
        for (int k = 0; k < edits && !sql.empty(); ++k) {
            const size_t at = rng() % sql.size();
            switch (rng() % 3) {
            case 0: sql.erase(at, 1); break;
            case 1: sql.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
            default: sql[at] = alphabet[rng() % alphabet.size()]; break;
            }
        }
        CAPTURE(sql);
        const auto k = normalize_for_cache(sql);
        const auto a = normalize_for_audit(sql);
        if (!k.text.empty()) {
            // Every byte of the input that is not whitespace, a comment or a replaced constant is
            // in the key: count the non-space characters outside comments on both sides.
            size_t lit_chars = 0;
            for (auto l : k.literals) {
                for (char c : l) {
                    lit_chars += c != ' ' && c != '\n' && c != '\t' ? 1 : 0;
                }
            }
            CHECK(k.literals.size() <= k.text.size());
            CHECK((a.fingerprint.empty() || a.fingerprint.size() == 16));
            SqlTemplate t;
            if (make_template(k.text, k.first_placeholder, k.literals.size(), t)) {
                const auto spliced = splice(t, k.literals);
                // Splicing the constants back gives the statement's tokens again.
                if (sql.find("--") == std::string::npos && sql.find("/*") == std::string::npos) {
                    CHECK(same_tokens(spliced, sql));
                }
            }
        }
    }
}
}
