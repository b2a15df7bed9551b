// Config model helpers: locations, principals, mask strength and description, product lookup;
// also principal parsing and "did you mean" suggestions. Layer: tests (config).
#include "config/model.hpp"
#include "config/config_error.hpp"
#include "config/identifier.hpp"
#include "config/principal_parser.hpp"
#include "config/suggest.hpp"

#include <doctest/doctest.h>

using namespace meshgate::config;

TEST_SUITE("config.model") {
TEST_CASE("a source location prints as file:line:col, or only the file when the line is unknown")
{
    CHECK(SourceLocation{"domains/sales.yaml", 12, 7}.to_string() == "domains/sales.yaml:12:7");
    CHECK(SourceLocation{"meshgate.yaml", 0, 0}.to_string() == "meshgate.yaml");
    CHECK(ConfigError{{"a.yaml", 3, 1}, "boom", ConfigError::Severity::Error}.to_string() ==
          "a.yaml:3:1: error: boom");
    CHECK(ConfigError{{"a.yaml", 3, 1}, "hm", ConfigError::Severity::Warning}.to_string() ==
          "a.yaml:3:1: warning: hm");
}

TEST_CASE("principals print as they are written in the config")
{
    CHECK(Principal{Principal::Kind::User, "alice", ""}.to_string() == "user:alice");
    CHECK(Principal{Principal::Kind::Group, "analysts", ""}.to_string() == "group:analysts");
    CHECK(Principal{Principal::Kind::Attr, "region", "EU"}.to_string() == "attr:region=EU");
    CHECK(Principal{Principal::Kind::Everyone, "", ""}.to_string() == "everyone");
}

TEST_CASE("parse_principal accepts the four forms and round-trips through to_string")
{
    for (const std::string text : {"user:alice", "group:sales-data-team", "attr:region=EU",
                                   "attr:level=a=b", "everyone", "user:o'brien"}) {
        CAPTURE(text);
        const auto p = parse_principal(text);
        REQUIRE(p.has_value());
        CHECK(p->to_string() == text);
    }
    const auto attr = parse_principal("attr:level=a=b");
    REQUIRE(attr.has_value());
    CHECK(attr->name == "level");
    CHECK(attr->value == "a=b");
}

TEST_CASE("parse_principal refuses everything else")
{
    for (const std::string text : {"", "alice", "user:", "user: alice", "user:alice ", "group:",
                                   "attr:region", "attr:=EU", "attr:region=", "attr:1x=a",
                                   "role:x", "Everyone", "everyone:x", "user:a\tb"}) {
        CAPTURE(text);
        const auto p = parse_principal(text);
        REQUIRE_FALSE(p.has_value());
        CHECK(p.error().sqlstate == "F0000");
        CHECK_FALSE(p.error().message.empty());
    }
}

TEST_CASE("mask strength orders null > constant > hash > regex > partial > round = truncate")
{
    auto of = [](MaskSpec::Kind k) {
        MaskSpec m;
        m.kind = k;
        return m.strength();
    };
    using K = MaskSpec::Kind;
    CHECK(of(K::Null) > of(K::Constant));
    CHECK(of(K::Constant) > of(K::Hash));
    CHECK(of(K::Hash) > of(K::Regex));
    CHECK(of(K::Regex) > of(K::Partial));
    CHECK(of(K::Partial) > of(K::Round));
    CHECK(of(K::Round) == of(K::Truncate));
}

TEST_CASE("mask descriptions quote text arguments as SQL literals")
{
    MaskSpec c;
    c.kind = MaskSpec::Kind::Constant;
    c.constant = "it's";
    CHECK(c.describe() == "constant('it''s')");
    MaskSpec p;
    p.kind = MaskSpec::Kind::Partial;
    CHECK(p.describe() == "partial()");
    p.keep_first = 2;
    CHECK(p.describe() == "partial(keep_first=2)");
}

TEST_CASE("find_product finds by domain and product, and nothing else")
{
    Snapshot s;
    Domain d;
    d.name = "sales";
    Product p;
    p.domain = "sales";
    p.name = "orders";
    d.products.emplace("orders", p);
    s.domains.emplace("sales", d);
    REQUIRE(s.find_product("sales", "orders") != nullptr);
    CHECK(s.find_product("sales", "orders")->address() == "sales.orders");
    CHECK(s.find_product("sales", "customers") == nullptr);
    CHECK(s.find_product("orders", "sales") == nullptr);
    CHECK(s.find_product("Sales", "orders") == nullptr);
    s.find_product_mut("sales", "orders")->physical_columns.push_back({"id", "integer"});
    CHECK(s.find_product("sales", "orders")->physical_columns.size() == 1);
    CHECK(s.find_product_mut("x", "orders") == nullptr);
}

TEST_CASE("identifiers are lower-case SQL names; reserved schemas cannot be domains")
{
    CHECK(is_sql_identifier("sales"));
    CHECK(is_sql_identifier("_x1$"));
    CHECK_FALSE(is_sql_identifier(""));
    CHECK_FALSE(is_sql_identifier("Sales"));
    CHECK_FALSE(is_sql_identifier("1sales"));
    CHECK_FALSE(is_sql_identifier("$x"));
    CHECK_FALSE(is_sql_identifier("a-b"));
    CHECK_FALSE(is_sql_identifier("a.b"));
    CHECK(is_sql_identifier(std::string(63, 'a')));
    CHECK_FALSE(is_sql_identifier(std::string(64, 'a')));
    for (const char* n :
         {"mesh", "public", "pg_catalog", "information_schema", "pg_toast", "pg_"}) {
        CAPTURE(n);
        CHECK(is_reserved_domain_name(n));
    }
    CHECK_FALSE(is_reserved_domain_name("sales"));
    CHECK_FALSE(is_reserved_domain_name("pgx"));
    CHECK_FALSE(is_reserved_domain_name("meshes"));
}

TEST_CASE("suggestions find plausible typos only")
{
    CHECK(edit_distance("row_filter", "row_filters") == 1);
    CHECK(edit_distance("tsl", "tls") == 1);  // a swap counts once
    CHECK(edit_distance("", "abc") == 3);
    CHECK(closest_match("row_filter", {"masks", "row_filters", "purposes"}) ==
          std::optional<std::string>("row_filters"));
    CHECK(closest_match("Port", {"host", "port"}) == std::optional<std::string>("port"));
    CHECK_FALSE(closest_match("frobnicate", {"listen", "admin", "audit"}).has_value());
    CHECK(did_you_mean("expsoe", {"expose"}) == " (did you mean \"expose\"?)");
    CHECK(did_you_mean("zzz", {"expose"}).empty());
}

}  // TEST_SUITE
