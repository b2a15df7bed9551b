// validate(): load-time checks of row filters and masks. Layer: tests (policy).
#include "policy/validate.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;

TEST_SUITE("policy.validate") {
TEST_CASE("the fixture snapshot validates clean") {
    const auto errors = validate(fixtures::snapshot());
    for (const auto& e : errors) {
        CAPTURE(e.message);
        CHECK(false);
    }
}

TEST_CASE("bad row filters and mask columns are reported at their origin") {
    struct Row {
        const char* where;
        const char* message_part;
    };
    const Row rows[] = {
        {"region = ", "does not parse"},
        {"region IN (SELECT region FROM x)", "row filter may only"},
        {"nosuch = 1", "column \"nosuch\" is not a column"},
        {"pg_read_file('x') = ''", "permission denied for function pg_read_file"},
        {"public.evil(region)", "permission denied for function public.evil"},
        {"true; SELECT 1", "one expression"},
        {"true UNION SELECT 1", "not a single boolean expression"},
        {"c.region = 'x'", "unqualified"},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.where));
        auto snap = fixtures::make_snapshot();
        auto& p = snap.domains["sales"].products["customers"];
        p.row_filters = {fixtures::row_filter("bad", r.where, {}, {"domains/sales.yaml", 22, 9})};
        const auto errors = validate(snap);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].where.line == 22);
        CHECK(errors[0].message.find(r.message_part) != std::string::npos);
    }
}

TEST_CASE("a domain mask on a missing column is reported; unknown columns defer the check") {
    auto snap = fixtures::make_snapshot();
    auto& p = snap.domains["sales"].products["customers"];
    p.masks[0].column = "fone";
    auto errors = validate(snap);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message.find("fone") != std::string::npos);
    p.physical_columns.clear();
    CHECK(validate(snap).empty());
}
}
