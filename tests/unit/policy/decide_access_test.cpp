// Access matrix and purposes (SPEC §4 Combining). Layer: tests (policy).
#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_SUITE("policy.access") {
TEST_CASE("the access matrix: deny beats allow, allow grants, default refuses") {
    struct Row {
        const char* user;
        const char* purpose;
        const char* sql;
        bool allowed;
        const char* sqlstate;
        const char* message_part;
    };
    const Row rows[] = {
        {"alice", "fraud", "SELECT * FROM sales.customers", true, "", ""},
        {"bob", "fraud", "SELECT * FROM sales.customers", true, "", ""},
        {"mallory", "fraud", "SELECT * FROM sales.customers", false, "42501",
         "permission denied for data product sales.customers (policy access: user mallory is denied)"},
        {"erin", "fraud", "SELECT * FROM sales.customers", false, "42501",
         "(policy access: user erin is not allowed)"},
        {"nobody", "", "SELECT * FROM sales.orders", false, "42501", "user nobody is not allowed"},
        {"alice", "", "SELECT * FROM sales.orders", true, "", ""},
        {"alice", "", "SELECT * FROM sales.vault", false, "42501", "no access policy"},
        {"erin", "", "SELECT * FROM marketing.campaigns", true, "", ""},
        {"bob", "", "SELECT * FROM marketing.campaigns", false, "42501",
         "permission denied for data product marketing.campaigns"},
        {"mallory", "fraud", "SELECT id FROM sales.orders", true, "", ""},
        {"mallory", "fraud", "SELECT 1 FROM sales.orders WHERE EXISTS (SELECT 1 FROM sales.customers)",
         false, "42501", "user mallory is denied"},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.user));
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as(r.user, r.sql, r.purpose);
        CHECK(d.is_allow() == r.allowed);
        if (!r.allowed && d.is_deny()) {
            CHECK(d.deny().sqlstate == r.sqlstate);
            CHECK(has(d.deny().message, r.message_part));
        }
    }
}

TEST_CASE("a purpose must be declared, listed by the product and granted to the user") {
    struct Row {
        const char* user;
        const char* purpose;
        bool allowed;
        const char* message_part;
    };
    const Row rows[] = {
        {"alice", "", false, "(requires purpose fraud or marketing: SET meshgate.purpose)"},
        {"alice", "fraud", true, ""},
        {"alice", "marketing", true, ""},
        {"alice", "research", false, "purpose research is not allowed"},
        {"bob", "marketing", false, "purpose marketing is not granted to user bob"},
        {"bob", "fraud", true, ""},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.user));
        CAPTURE(std::string(r.purpose));
        const auto d = fixtures::decide_as(r.user, "SELECT id FROM sales.customers", r.purpose);
        CHECK(d.is_allow() == r.allowed);
        if (d.is_deny()) {
            CHECK(d.deny().sqlstate == "42501");
            CHECK(has(d.deny().message, r.message_part));
        }
    }
}

TEST_CASE("SET meshgate.purpose earlier in the same message grants later statements") {
    const auto d = fixtures::decide_as(
        "alice", "SET meshgate.purpose = 'fraud'; SELECT id FROM sales.customers");
    REQUIRE(d.is_allow());
    REQUIRE(d.allow().steps.size() == 2);
    const auto* set = std::get_if<SetLocal>(&d.allow().steps[0]);
    REQUIRE(set != nullptr);
    CHECK(set->name == "meshgate.purpose");
    REQUIRE(set->value.has_value());
    CHECK(set->value->at(0) == "fraud");
    CHECK(set->command_tag == "SET");
}

TEST_CASE("a denial names the product and carries the relation's position") {
    const auto d = fixtures::decide_as("mallory", "SELECT id FROM sales.customers", "fraud");
    REQUIRE(d.is_deny());
    CHECK(d.deny().position == 16);
}

TEST_CASE("an allow reports the access, purpose, mask and row filter policies applied") {
    const auto d = fixtures::decide_as("alice", "SELECT * FROM sales.customers", "fraud");
    REQUIRE(d.is_allow());
    std::vector<std::string> names;
    for (const auto& p : d.allow().policies) {
        names.push_back(p.kind + ":" + p.name);
    }
    const std::vector<std::string> expected = {"access:access",      "purpose:purpose fraud",
                                               "mask:pii-email",     "mask:hide-phone",
                                               "mask:pci",           "row_filter:own-region"};
    CHECK(names == expected);
    CHECK(d.allow().products == std::vector<std::string>{"sales.customers"});
}
}
