// source_problems() / unavailable_error(): learned columns against the domain file, and what a
// statement on an unavailable product gets. Layer: tests (policy).
#include "policy/source_check.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace meshgate;
using namespace meshgate::policy;

namespace {

config::Product& customers(config::Snapshot& s) { return s.domains["sales"].products["customers"]; }

void drop(config::Product& p, const std::string& column)
{
    auto& c = p.physical_columns;
    c.erase(std::remove_if(c.begin(), c.end(), [&](const config::Column& x) { return x.name == column; }),
            c.end());
}

void retype(config::Product& p, const std::string& column, const std::string& type)
{
    for (auto& c : p.physical_columns) {
        if (c.name == column) {
            c.type = type;
        }
    }
}

bool mentions(const std::vector<SourceProblem>& ps, const std::string& column, const std::string& part)
{
    return std::any_of(ps.begin(), ps.end(), [&](const SourceProblem& p) {
        return p.column == column && p.what.find(part) != std::string::npos;
    });
}

}  // namespace

TEST_SUITE("policy.source_check") {
TEST_CASE("every fixture product matches its source") {
    const auto snap = fixtures::make_snapshot();
    for (const auto& [d, domain] : snap.domains) {
        for (const auto& entry : domain.products) {
            const auto& p = entry.second;  // clang 14: CAPTURE cannot take a binding
            CAPTURE(p.address());
            CHECK(source_problems(p, snap).empty());
        }
    }
}

TEST_CASE("unknown columns are not compared") {
    auto snap = fixtures::make_snapshot();
    customers(snap).physical_columns.clear();
    CHECK(source_problems(customers(snap), snap).empty());
}

TEST_CASE("a masked column that is gone is named with its mask") {
    auto snap = fixtures::make_snapshot();
    drop(customers(snap), "phone");
    const auto ps = source_problems(customers(snap), snap);
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps, "phone", "has no column phone (masked by hide-phone)"));
}

TEST_CASE("a declared, tagged column that is gone (e.g. renamed) is a problem") {
    auto snap = fixtures::make_snapshot();
    auto& p = customers(snap);
    for (auto& c : p.physical_columns) {
        if (c.name == "email") {
            c.name = "e_mail";  // renamed: it would lose its pii.email tag and its hash mask
        }
    }
    const auto ps = source_problems(p, snap);
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps, "email", "pii.email"));
}

TEST_CASE("a row filter column that is gone is named with its filter") {
    auto snap = fixtures::make_snapshot();
    drop(customers(snap), "region");
    const auto ps = source_problems(customers(snap), snap);
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps, "region", "row filter own-region"));
}

TEST_CASE("a type change that breaks a round or truncate mask is a problem") {
    auto snap = fixtures::make_snapshot();
    auto& lab = snap.domains["sales"].products["mask_lab"];
    CHECK(source_problems(lab, snap).empty());
    retype(lab, "c_round", "text");
    auto ps = source_problems(lab, snap);
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps, "c_round", "m-round (round) needs a number"));
    retype(lab, "c_round", "bigint");
    retype(lab, "c_trunc", "integer");
    ps = source_problems(lab, snap);
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps, "c_trunc", "m-trunc (truncate) needs a date or timestamp"));
    retype(lab, "c_trunc", "date");
    CHECK(source_problems(lab, snap).empty());
}

TEST_CASE("a global tag mask must suit the tagged column's type") {
    auto snap = fixtures::make_snapshot();
    config::MaskPolicy g;
    g.name = "coarse-card";
    g.tags = {"pci"};
    g.global = true;
    g.with.kind = config::MaskSpec::Kind::Round;
    g.with.round_step = "10";
    snap.global_masks.push_back(g);
    const auto ps = source_problems(customers(snap), snap);
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps, "card_number", "coarse-card"));
}

TEST_CASE("several problems: all are listed, the description names source and backend") {
    auto snap = fixtures::make_snapshot();
    auto& p = customers(snap);
    drop(p, "phone");
    drop(p, "region");
    const auto ps = source_problems(p, snap);
    REQUIRE(ps.size() == 2);
    const auto text = describe_source_problems(p, "sales_pg", ps);
    CHECK(text.find("its source public.customers on backend sales_pg has no column") == 0);
    CHECK(text.find("phone") != std::string::npos);
    CHECK(text.find("region") != std::string::npos);
}

TEST_CASE("a statement on an unavailable product gets 55000 naming product, reason and owners") {
    auto snap = fixtures::make_snapshot();
    auto& p = customers(snap);
    drop(p, "phone");
    p.unavailable = describe_source_problems(p, "sales_pg", source_problems(p, snap));
    snap.domains["sales"].owners = {config::Principal{config::Principal::Kind::Group, "sales-data-team", ""}};
    const auto e = unavailable_error(p, snap);
    CHECK(e.sqlstate == "55000");
    CHECK(e.message.find("data product sales.customers is unavailable") == 0);
    CHECK(e.message.find("no column phone (masked by hide-phone)") != std::string::npos);
    CHECK(e.message.find("group:sales-data-team") != std::string::npos);
    CHECK(e.message.find("domains/sales.yaml") != std::string::npos);
    CHECK_FALSE(e.hint.empty());
}

TEST_CASE("decide refuses an unavailable product with that error, other products still work") {
    auto snap = fixtures::make_snapshot();
    auto& p = customers(snap);
    p.unavailable = "its source public.customers on backend sales_pg does not exist";
    const auto who = fixtures::identity("alice", "fraud");
    auto d = decide("SELECT id FROM sales.customers", who, snap, Protocol::Simple);
    REQUIRE(d.is_deny());
    CHECK(d.deny().sqlstate == "55000");
    CHECK(d.deny().message == unavailable_error(p, snap).message);
    d = decide("SELECT id FROM sales.orders", who, snap, Protocol::Simple);
    CHECK(d.is_allow());
}

TEST_CASE("type families") {
    CHECK(is_numeric_type("integer"));
    CHECK(is_numeric_type("numeric(10,2)"));
    CHECK(is_numeric_type("double precision"));
    CHECK_FALSE(is_numeric_type("text"));
    CHECK_FALSE(is_numeric_type("numeric[]"));
    CHECK_FALSE(is_numeric_type("numeric(10,2)[]"));
    CHECK_FALSE(is_datetime_type("timestamp with time zone[]"));
    CHECK(is_datetime_type("timestamp(3) without time zone"));
    CHECK(is_datetime_type("date"));
    CHECK_FALSE(is_datetime_type("time without time zone"));
    CHECK_FALSE(is_datetime_type("text"));
}
}
