// SPEC §4 policy semantics not covered by the per-feature files: principals of every kind,
// `except` with every kind, purposes recorded, global tag masks binding every domain and never
// weakened by a domain file, the tie rule of strongest-mask-wins, per-filter exemptions, and row
// filter config errors located at the `where:` value. Layer: tests (policy).
#include "config/fake_environment.hpp"
#include "config/load.hpp"
#include "policy/decide.hpp"
#include "policy/principal_match.hpp"
#include "policy/product_view.hpp"
#include "policy/validate.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;
namespace config = meshgate::config;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

config::Principal P(config::Principal::Kind k, std::string name = {}, std::string value = {})
{
    return {k, std::move(name), std::move(value)};
}
using K = config::Principal::Kind;

std::vector<std::string> policy_list(const Decision& d)
{
    std::vector<std::string> out;
    for (const auto& p : d.allow().policies) {
        out.push_back(p.kind + ":" + p.name);
    }
    return out;
}
}  // namespace

TEST_SUITE("policy.semantics") {
TEST_CASE("principals: user, group, attr (scalar or list value) and everyone") {
    const auto alice = fixtures::identity("alice");  // analysts, region EU, purposes [fraud, marketing]
    CHECK(matches(P(K::User, "alice"), alice));
    CHECK_FALSE(matches(P(K::User, "Alice"), alice));  // names are exact
    CHECK_FALSE(matches(P(K::User, "bob"), alice));
    CHECK(matches(P(K::Group, "analysts"), alice));
    CHECK_FALSE(matches(P(K::Group, "finance"), alice));
    CHECK(matches(P(K::Attr, "region", "EU"), alice));
    CHECK_FALSE(matches(P(K::Attr, "region", "US"), alice));
    CHECK_FALSE(matches(P(K::Attr, "region", "eu"), alice));
    CHECK(matches(P(K::Attr, "purposes", "marketing"), alice));  // one of the list's values
    CHECK_FALSE(matches(P(K::Attr, "purposes", "research"), alice));
    CHECK_FALSE(matches(P(K::Attr, "team", ""), alice));  // a missing attribute never matches
    CHECK(matches(P(K::Everyone), alice));
    CHECK(matches(P(K::Everyone), fixtures::identity("nobody")));
    const std::vector<config::Principal> list = {P(K::User, "bob"), P(K::Group, "analysts")};
    REQUIRE(first_match(list, alice) != nullptr);
    CHECK(first_match(list, alice)->name == "analysts");
    CHECK(first_match({}, alice) == nullptr);
}

TEST_CASE("access by attribute and by everyone, deny beating each") {
    auto snap = fixtures::make_snapshot();
    auto& orders = snap.domains["sales"].products["orders"];
    orders.access = config::Access{{P(K::Attr, "region", "EU")}, {}};
    auto run = [&](const std::string& user) {
        return decide("SELECT id FROM sales.orders", fixtures::identity(user), snap);
    };
    CHECK(run("alice").is_allow());   // region EU
    CHECK(run("mallory").is_allow()); // region EU
    CHECK(run("bob").is_deny());      // region US
    CHECK(run("dave").is_deny());     // no region

    orders.access = config::Access{{P(K::Everyone)}, {P(K::Attr, "region", "EU")}};
    CHECK(run("bob").is_allow());
    CHECK(run("erin").is_allow());
    const auto denied = run("alice");
    REQUIRE(denied.is_deny());
    CHECK(has(denied.deny().message, "attribute region=EU is denied"));

    orders.access = config::Access{{P(K::Group, "analysts")}, {P(K::Everyone)}};
    CHECK(run("alice").is_deny());  // a deny of everyone refuses even the allowed group
}

TEST_CASE("except with a user or an attribute exempts from that one policy only") {
    auto snap = fixtures::make_snapshot();
    auto& c = snap.domains["sales"].products["customers"];
    c.row_filters = {fixtures::row_filter("own-region", "region = @user.region",
                                          {P(K::User, "mallory"), P(K::Attr, "region", "US")}),
                     fixtures::row_filter("positive", "balance >= 0", {P(K::Attr, "purposes", "marketing")})};
    c.access->deny.clear();
    auto sql_for = [&](const std::string& user) {
        const auto d = decide("SELECT id FROM sales.customers", fixtures::identity(user, "fraud"), snap);
        REQUIRE(d.is_allow());
        return d.allow().rewritten();
    };
    const auto alice = sql_for("alice");  // EU, purposes include marketing: exempt from `positive`
    CHECK(has(alice, "meshgate_source.region = 'EU'"));
    CHECK_FALSE(has(alice, "balance >= 0"));
    const auto mallory = sql_for("mallory");  // exempt from own-region by name
    CHECK_FALSE(has(mallory, "region ="));
    CHECK(has(mallory, "meshgate_source.balance >= 0"));
    // The masks still bind all of them: an exemption from a filter is not one from a mask.
    CHECK(has(mallory, "NULL::text AS phone"));
}

TEST_CASE("a session purpose is recorded in the decision with the product it was checked for") {
    const auto d = fixtures::decide_as("alice", "SELECT id FROM sales.customers", "marketing");
    REQUIRE(d.is_allow());
    bool found = false;
    for (const auto& p : d.allow().policies) {
        if (p.kind == "purpose") {
            found = true;
            CHECK(p.name == "purpose marketing");
            CHECK(p.product == "sales.customers");
            CHECK(p.origin == "domains/sales.yaml:5:3");
        }
    }
    CHECK(found);
    // A product without purposes neither needs nor records one.
    const auto o = fixtures::decide_as("alice", "SELECT id FROM sales.orders", "marketing");
    REQUIRE(o.is_allow());
    for (const auto& p : o.allow().policies) {
        CHECK(p.kind != "purpose");
    }
    // The user's purposes attribute may be a single value.
    auto who = fixtures::identity("bob", "fraud");
    who.attributes["purposes"] = std::string("fraud");
    CHECK(decide("SELECT id FROM sales.customers", who, fixtures::snapshot()).is_allow());
    who.attributes.erase("purposes");
    const auto none = decide("SELECT id FROM sales.customers", who, fixtures::snapshot());
    REQUIRE(none.is_deny());
    CHECK(has(none.deny().message, "purpose fraud is not granted to user bob"));
}

TEST_CASE("global tag masks bind every domain, and a domain file cannot weaken or exempt them") {
    auto snap = fixtures::make_snapshot();
    // A marketing column tagged pii.email: the global hash mask applies there too.
    auto& campaigns = snap.domains["marketing"].products["campaigns"];
    campaigns.columns = {{"name", "", {"pii.email"}}};
    auto d = decide("SELECT name FROM marketing.campaigns", fixtures::identity("erin"), snap);
    REQUIRE(d.is_allow());
    CHECK(has(d.allow().rewritten(), "'hex') AS name"));
    CHECK(policy_list(d) == std::vector<std::string>{"access:access", "mask:pii-email"});

    // A weaker domain mask on a globally hashed column, exempting everyone it can: hash stays.
    auto& c = snap.domains["sales"].products["customers"];
    config::MaskPolicy weak;
    weak.name = "show-domain";
    weak.column = "email";
    weak.with.kind = config::MaskSpec::Kind::Partial;
    weak.with.keep_last = 3;
    weak.except = {P(K::Group, "analysts")};
    c.masks.push_back(weak);
    d = decide("SELECT email FROM sales.customers", fixtures::identity("bob", "fraud"), snap);
    REQUIRE(d.is_allow());
    const auto bob = d.allow().rewritten();
    CAPTURE(bob);
    CHECK(has(bob, "'hex') AS email"));   // hash > partial
    d = decide("SELECT email FROM sales.customers", fixtures::identity("alice", "fraud"), snap);
    REQUIRE(d.is_allow());
    CHECK(has(d.allow().rewritten(), "'hex') AS email"));  // exempt from the domain mask only

    // A stronger domain mask wins over the global one.
    config::MaskPolicy strong;
    strong.name = "no-email";
    strong.column = "email";
    strong.with.kind = config::MaskSpec::Kind::Null;
    c.masks.push_back(strong);
    d = decide("SELECT email FROM sales.customers", fixtures::identity("carol", "fraud"), snap);
    REQUIRE(d.is_allow());
    CHECK(has(d.allow().rewritten(), "NULL::text AS email"));  // carol: exempt from pii-email
}

TEST_CASE("strongest wins; on equal strength the global policy is the one applied") {
    auto snap = fixtures::make_snapshot();
    auto& c = snap.domains["sales"].products["customers"];
    config::MaskPolicy same;
    same.name = "domain-hash";
    same.column = "email";
    same.with.kind = config::MaskSpec::Kind::Hash;
    c.masks = {same};
    const auto* w = winning_mask(c, "email", fixtures::identity("alice"), snap);
    REQUIRE(w != nullptr);
    CHECK(w->name == "pii-email");
    CHECK(w->global);
    // Exempt from the global one: the domain's applies.
    w = winning_mask(c, "email", fixtures::identity("carol"), snap);
    REQUIRE(w != nullptr);
    CHECK(w->name == "domain-hash");
    // No mask on an untagged, unmasked column.
    CHECK(winning_mask(c, "id", fixtures::identity("alice"), snap) == nullptr);
}

TEST_CASE("a row filter error in a domain file names the file and the where: value's line:col") {
    const std::string main = "backends:\n  pg: { database: db, user: u }\ndomains_dir: domains/\n";
    struct Row {
        const char* where;
        const char* message_part;
    };
    const Row rows[] = {
        {"region IN (SELECT region FROM public.customers)", "row filter may only"},
        {"EXISTS (SELECT 1)", "row filter may only"},
        {"customers.region = 'EU'", "unqualified"},
        {"payouts_total > 0", "column \\\"payouts_total\\\" is not a column"},
        {"public.f(region)", "permission denied for function public.f"},
        {"region = @user.region", ""},  // fine
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.where));
        const std::string domain = std::string("domain: sales\n"
                                               "backend: pg\n"
                                               "products:\n"
                                               "  customers:\n"
                                               "    source: public.customers\n"
                                               "    access: { allow: [everyone] }\n"
                                               "    row_filters:\n"
                                               "      - name: f\n"
                                               "        where: \"") +
                                   r.where + "\"\n";
        config::testing::FakeEnvironment fake;
        const auto loaded = config::load_config_text(main, "meshgate.yaml",
                                                     {{"domains/sales.yaml", domain}}, fake.env());
        INFO(config::testing::dump(loaded.errors));
        REQUIRE(loaded.snapshot != nullptr);
        auto snap = *loaded.snapshot;
        snap.domains["sales"].products["customers"].physical_columns = {{"id", "integer"},
                                                                       {"region", "text"}};
        const auto errors = validate(snap);
        if (std::string(r.message_part).empty()) {
            CHECK(errors.empty());
            continue;
        }
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].where.file == "domains/sales.yaml");
        CHECK(errors[0].where.line == 9);
        CHECK(errors[0].where.column == 16);
        std::string part = r.message_part;
        for (auto at = part.find("\\\""); at != std::string::npos; at = part.find("\\\"")) {
            part.replace(at, 2, "\"");
        }
        CHECK(has(errors[0].message, part));
        CHECK(has(errors[0].to_string(), "domains/sales.yaml:9:16"));
    }
}
}

TEST_SUITE("policy.semantics") {
TEST_CASE("statements whose plan would show the keyed hash's pads are recognised") {
    struct Row {
        const char* user;
        const char* sql;
        bool hash;
    };
    const Row rows[] = {
        {"alice", "SELECT email FROM sales.customers", true},       // global pii-email
        {"carol", "SELECT email FROM sales.customers", false},      // exempt; phone null, pci exempt
        {"alice", "SELECT c_hash FROM sales.mask_lab", true},       // domain hash mask
        {"alice", "SELECT c_null FROM sales.mask_lab", true},       // every column is in the view
        {"alice", "SELECT id FROM sales.orders", false},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.user));
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as(r.user, r.sql, "fraud");
        REQUIRE(d.is_allow());
        CHECK(applies_keyed_hash(d.allow().policies, fixtures::snapshot()) == r.hash);
    }
}
}
