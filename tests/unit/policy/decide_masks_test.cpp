// Column masks of every kind, strongest-wins and exemptions. Layer: tests (policy).
#include "policy/decide.hpp"
#include "policy/mask_expression.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;
namespace config = meshgate::config;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

config::MaskSpec spec_of(config::MaskSpec::Kind k)
{
    config::MaskSpec s;
    s.kind = k;
    return s;
}

int strength_of(config::MaskSpec::Kind k) { return mask_strength(spec_of(k)); }

std::string rewrite_of(const std::string& user, const std::string& sql, const std::string& purpose = "")
{
    const auto d = fixtures::decide_as(user, sql, purpose);
    REQUIRE(d.is_allow());
    return d.allow().rewritten();
}
}  // namespace

TEST_SUITE("policy.masks") {
TEST_CASE("every mask kind compiles to its SQL shape and the rewrite parses") {
    const auto sql = rewrite_of("alice", "SELECT * FROM sales.mask_lab");
    CAPTURE(sql);
    CHECK(fixtures::parses(sql));
    CHECK(has(sql, "NULL::text AS c_null"));
    CHECK(has(sql, "'it''s hidden'::text AS c_const"));
    CHECK(has(sql, "pg_catalog.encode(pg_catalog.sha256((SELECT pg_catalog.decode('"));
    CHECK(has(sql, "pg_catalog.convert_to(c_hash::pg_catalog.text, 'UTF8'))), 'hex') AS c_hash"));
    CHECK(has(sql, "pg_catalog.regexp_replace(c_regex::pg_catalog.text, '[0-9]', '#', 'g') AS c_regex"));
    CHECK(has(sql, "pg_catalog.repeat('x', pg_catalog.length(c_partial::pg_catalog.text) - 3)"));
    CHECK(has(sql, "pg_catalog.\"left\"(c_partial::pg_catalog.text, 2)"));
    CHECK(has(sql, "pg_catalog.\"right\"(c_partial::pg_catalog.text, 1)"));
    CHECK(has(sql, "CAST(pg_catalog.floor(c_round::numeric / 100) * 100 AS numeric(10, 2)) AS c_round"));
    CHECK(has(sql, "pg_catalog.date_trunc('month', c_trunc)::timestamp with time zone AS c_trunc"));
    CHECK(has(sql, ", plain FROM public.mask_lab meshgate_source"));
}

TEST_CASE("the strongest applicable mask wins") {
    // c_multi carries partial, hash and regex: hash is the strongest of the three.
    const auto sql = rewrite_of("alice", "SELECT c_multi FROM sales.mask_lab");
    CHECK(has(sql, "pg_catalog.convert_to(c_multi::pg_catalog.text, 'UTF8'))), 'hex') AS c_multi"));
    CHECK_FALSE(has(sql, "regexp_replace(c_multi"));
    CHECK_FALSE(has(sql, "pg_catalog.repeat('x', pg_catalog.length(c_multi"));
    CHECK(strength_of(config::MaskSpec::Kind::Null) > strength_of(config::MaskSpec::Kind::Constant));
    CHECK(strength_of(config::MaskSpec::Kind::Constant) > strength_of(config::MaskSpec::Kind::Hash));
    CHECK(strength_of(config::MaskSpec::Kind::Hash) > strength_of(config::MaskSpec::Kind::Regex));
    CHECK(strength_of(config::MaskSpec::Kind::Regex) > strength_of(config::MaskSpec::Kind::Partial));
    CHECK(strength_of(config::MaskSpec::Kind::Partial) > strength_of(config::MaskSpec::Kind::Round));
}

TEST_CASE("except exempts a principal from that one mask only") {
    struct Row {
        const char* user;
        bool email_hashed;
        bool phone_nulled;
        bool card_partial;
    };
    const Row rows[] = {
        {"alice", true, true, true},
        {"bob", true, false, true},     // sales-data-team: exempt from hide-phone only
        {"carol", false, true, false},  // privacy-officers + finance: exempt from both globals
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.user));
        const auto sql = rewrite_of(r.user, "SELECT * FROM sales.customers", "fraud");
        CAPTURE(sql);
        CHECK(has(sql, "'UTF8'))), 'hex') AS email") == r.email_hashed);
        CHECK(has(sql, "NULL::text AS phone") == r.phone_nulled);
        CHECK(has(sql, "END AS card_number") == r.card_partial);
    }
}

TEST_CASE("the hash key appears only as HMAC pads, never in clear") {
    const auto sql = rewrite_of("alice", "SELECT c_hash FROM sales.mask_lab");
    CHECK_FALSE(has(sql, "test-hash-key"));
    CHECK_FALSE(has(sql, "746573742d686173682d6b6579"));  // hex of the key itself
}

TEST_CASE("a hash mask without a key is refused rather than an unkeyed digest") {
    auto snap = fixtures::make_snapshot();
    snap.hash_key.clear();
    const auto d = decide("SELECT c_hash FROM sales.mask_lab", fixtures::identity("alice"), snap);
    REQUIRE(d.is_deny());
    CHECK(d.deny().sqlstate == "55000");
}

TEST_CASE("mask building refuses unsafe type names and bad parameters") {
    auto n = spec_of(config::MaskSpec::Kind::Null);
    CHECK_FALSE(mask_expression(n, "c", "text); DROP TABLE x; --", "k").has_value());
    CHECK_FALSE(mask_expression(n, "c", "", "k").has_value());
    CHECK(mask_expression(n, "c", "character varying(20)[]", "k").has_value());
    CHECK(mask_expression(n, "c", "\"My Type\"", "k").has_value());
    auto r = spec_of(config::MaskSpec::Kind::Round);
    r.round_step = "1; SELECT 1";
    CHECK_FALSE(mask_expression(r, "c", "numeric", "k").has_value());
    r.round_step = "0";
    CHECK_FALSE(mask_expression(r, "c", "numeric", "k").has_value());
    r.round_step = "0.5";
    CHECK(mask_expression(r, "c", "numeric", "k").has_value());
    auto t = spec_of(config::MaskSpec::Kind::Truncate);
    t.truncate_unit = "month'); --";
    CHECK_FALSE(mask_expression(t, "c", "date", "k").has_value());
    auto c = spec_of(config::MaskSpec::Kind::Constant);
    c.constant = std::string("a\0b", 3);
    CHECK_FALSE(mask_expression(c, "c", "text", "k").has_value());
}

TEST_CASE("expose: declared shows only declared columns, in physical order") {
    const auto sql = rewrite_of("alice", "SELECT * FROM sales.leads");
    CHECK(has(sql, "(SELECT id, name FROM public.leads meshgate_source) leads"));
    CHECK_FALSE(has(sql, "secret_score"));
}

TEST_CASE("a product whose columns are not known yet is refused") {
    const auto d = fixtures::decide_as("alice", "SELECT * FROM sales.prospects");
    REQUIRE(d.is_deny());
    CHECK(d.deny().sqlstate == "55000");
    CHECK(has(d.deny().message, "sales.prospects"));
}
}
