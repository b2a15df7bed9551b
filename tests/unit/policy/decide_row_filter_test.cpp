// Row filters: @user.* substitution, injection attempts, AND-ing, fences. Layer: tests (policy).
#include "policy/decide.hpp"
#include "policy/sql/user_placeholders.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;
namespace config = meshgate::config;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

config::Snapshot with_filters(std::vector<std::string> wheres)
{
    auto snap = fixtures::make_snapshot();
    auto& p = snap.domains["sales"].products["customers"];
    p.row_filters.clear();
    int i = 0;
    for (auto& w : wheres) {
        p.row_filters.push_back(fixtures::row_filter("f" + std::to_string(i++), std::move(w)));
    }
    return snap;
}
}  // namespace

TEST_SUITE("policy.row_filters") {
TEST_CASE("@user.region becomes a quoted literal on the source relation's column") {
    const auto d = fixtures::decide_as("alice", "SELECT id FROM sales.customers", "fraud");
    REQUIRE(d.is_allow());
    CHECK(has(d.allow().rewritten(), "FROM public.customers meshgate_source WHERE meshgate_source.region = 'EU'"));
}

TEST_CASE("an exempt group gets no row filter") {
    const auto d = fixtures::decide_as("bob", "SELECT id FROM sales.customers", "fraud");
    REQUIRE(d.is_allow());
    CHECK_FALSE(has(d.allow().rewritten(), "WHERE"));
}

TEST_CASE("a user without the referenced attribute is refused, naming attribute and policy") {
    const auto d = fixtures::decide_as("dave", "SELECT id FROM sales.customers", "fraud");
    REQUIRE(d.is_deny());
    CHECK(d.deny().sqlstate == "42501");
    CHECK(has(d.deny().message, "own-region"));
    CHECK(has(d.deny().message, "attribute region"));
}

TEST_CASE("quote injection through an attribute value stays one literal") {
    const char* attacks[] = {"EU' OR '1'='1", "EU'; DROP TABLE x; --", "EU\\' OR 1=1 --",
                             "$$ OR true $$", "EU\" OR \"1\"=\"1"};
    const auto baseline = fixtures::decide_as("alice", "SELECT id FROM sales.customers", "fraud");
    REQUIRE(baseline.is_allow());
    const auto base_tree = fixtures::json_tree(baseline.allow().rewritten());
    for (const std::string attack : attacks) {
        CAPTURE(attack);
        auto who = fixtures::identity("alice", "fraud");
        who.attributes["region"] = std::string(attack);
        const auto d = decide("SELECT id FROM sales.customers", who, fixtures::snapshot());
        REQUIRE(d.is_allow());
        const auto sql = d.allow().rewritten();
        CAPTURE(sql);
        CHECK(fixtures::parses(sql));
        // The same tree shape as with region EU: nothing escaped the one literal.
        const auto tree = fixtures::json_tree(sql);
        for (const char* kind : {"\"A_Const\"", "\"BoolExpr\"", "\"A_Expr\"", "\"ColumnRef\""}) {
            CAPTURE(std::string(kind));
            CHECK(fixtures::count(tree, kind) == fixtures::count(base_tree, kind));
        }
    }
}

TEST_CASE("a NUL byte in an attribute value is refused") {
    auto who = fixtures::identity("alice", "fraud");
    who.attributes["region"] = std::string("EU\0x", 4);
    const auto d = decide("SELECT id FROM sales.customers", who, fixtures::snapshot());
    CHECK(d.is_deny());
}

TEST_CASE("@user.name and @user.groups substitute the name and an array; lists become arrays") {
    const auto snap = with_filters({"name = @user.name", "region = ANY(@user.groups)",
                                    "region = ANY (@user.purposes)"});
    const auto d = decide("SELECT id FROM sales.customers", fixtures::identity("alice", "fraud"), snap);
    REQUIRE(d.is_allow());
    const auto sql = d.allow().rewritten();
    CAPTURE(sql);
    CHECK(has(sql, "meshgate_source.name = 'alice'"));
    CHECK(has(sql, "ARRAY['analysts']::text[]"));
    CHECK(has(sql, "ARRAY['fraud', 'marketing']::text[]"));
    CHECK(fixtures::count(sql, " AND ") == 2);
    CHECK(fixtures::parses(sql));
}

TEST_CASE("placeholders are tokens: inside strings and comments they stay text") {
    auto refs = sql::user_refs_of("region = '@user.region' /* @user.x */ AND a=@user.b");
    REQUIRE(refs.has_value());
    CHECK(*refs == std::vector<std::string>{"b"});
}

TEST_CASE("filters are AND-ed with their OR structure kept") {
    const auto snap = with_filters({"region = 'EU' OR region = 'US'", "balance > 0"});
    const auto d = decide("SELECT id FROM sales.customers", fixtures::identity("alice", "fraud"), snap);
    REQUIRE(d.is_allow());
    const auto sql = d.allow().rewritten();
    CAPTURE(sql);
    CHECK(has(sql, "WHERE (meshgate_source.region = 'EU' OR meshgate_source.region = 'US') AND meshgate_source.balance > 0"));
}

TEST_CASE("a row filter that is not one plain expression is refused at decide time") {
    const char* bad[] = {"true; SELECT 1", "true UNION SELECT 1", "region IN (SELECT region FROM x)",
                         "true) OR (true", "pg_read_file('/etc/passwd') = ''", "t.region = 'x'",
                         "true LIMIT 1", "'unterminated"};
    for (const auto* where : bad) {
        CAPTURE(std::string(where));
        const auto snap = with_filters({where});
        const auto d = decide("SELECT id FROM sales.customers", fixtures::identity("alice", "fraud"), snap);
        CHECK(d.is_deny());
    }
}

TEST_CASE("a filtered product gets an OFFSET 0 fence only when the query could raise errors") {
    const auto plain = fixtures::decide_as("alice", "SELECT id FROM sales.customers WHERE id = 5", "fraud");
    REQUIRE(plain.is_allow());
    CHECK_FALSE(has(plain.allow().rewritten(), "OFFSET 0"));
    const auto risky = fixtures::decide_as("alice", "SELECT id FROM sales.customers WHERE 1 / (balance - 100) > 0", "fraud");
    REQUIRE(risky.is_allow());
    CHECK(has(risky.allow().rewritten(), "OFFSET 0"));
    const auto unfiltered = fixtures::decide_as("bob", "SELECT id FROM sales.customers WHERE 1 / (balance - 100) > 0", "fraud");
    REQUIRE(unfiltered.is_allow());
    CHECK_FALSE(has(unfiltered.allow().rewritten(), "OFFSET 0"));
}
}
