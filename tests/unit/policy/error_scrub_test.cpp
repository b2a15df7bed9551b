// Backend errors and notices that do not leak (policy/error_scrub). Layer: tests (policy).
#include "policy/decide.hpp"
#include "policy/error_scrub.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string all_text(const BackendMessageFields& f)
{
    std::string out;
    for (const auto& [c, v] : f) {
        out += std::string(1, c) + "=" + v + "\n";
    }
    return out;
}

std::string get(const BackendMessageFields& f, char code)
{
    for (const auto& [c, v] : f) {
        if (c == code) {
            return v;
        }
    }
    return {};
}

BackendMessageFields error(const std::string& code, const std::string& message,
                           BackendMessageFields extra = {})
{
    BackendMessageFields f = {{'S', "ERROR"}, {'V', "ERROR"}, {'C', code}, {'M', message}};
    f.insert(f.end(), extra.begin(), extra.end());
    return f;
}
}  // namespace

TEST_SUITE("policy.error_scrub") {
TEST_CASE("value-bearing backend errors are withheld in a protected context, keeping SQLSTATE") {
    const std::string marker = "SECRET-MARKER-7f3a";
    struct Row {
        const char* code;
        std::string message;
        BackendMessageFields extra;
    };
    const Row rows[] = {
        {"22P02", "invalid input syntax for type integer: \"" + marker + "\"", {}},
        {"22003", "value \"" + marker + "\" is out of range for type integer", {}},
        {"22007", "invalid input syntax for type timestamp: \"" + marker + "\"", {}},
        {"22P02", "invalid input syntax for type json",
         {{'D', "Token \"" + marker + "\" is invalid."}, {'W', "JSON data, line 1: " + marker}}},
        {"2201B", "invalid regular expression: " + marker, {}},
        {"22023", "unit \"" + marker + "\" not recognized for type timestamp", {}},
        {"23514", "new row violates check constraint \"c\"",
         {{'D', "Failing row contains (1, " + marker + ")."}, {'t', "customers"}, {'c', "email"}}},
        {"P0001", marker, {{'W', "PL/pgSQL function f() line 3 at RAISE"}}},
        {"XX000", "internal: " + marker, {}},
        {"HV000", "remote: " + marker, {}},
        {"ZZ999", marker, {}},  // an unknown class
        {"", marker, {}},       // no SQLSTATE at all
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.code));
        const auto in = error(r.code, r.message, r.extra);
        const auto out = scrub_backend_message(in, true);
        CHECK(out.scrubbed);
        CHECK_FALSE(has(all_text(out.fields), marker));
        CHECK(get(out.fields, 'S') == "ERROR");
        const std::string expected_code = std::string(r.code).empty() ? "XX000" : r.code;
        CHECK(get(out.fields, 'C') == expected_code);
        CHECK(get(out.fields, 'M') == withheld_message(expected_code));
        CHECK(get(out.fields, 'D').empty());
        // The original stays available for the audit record.
        CHECK(has(describe_backend_message(in), marker));
    }
}

TEST_CASE("notices raised by functions are withheld too") {
    BackendMessageFields notice = {{'S', "NOTICE"}, {'V', "NOTICE"}, {'C', "00000"},
                                   {'M', "row value SECRET"}};
    const auto out = scrub_backend_message(notice, true);
    CHECK(out.scrubbed);
    CHECK(get(out.fields, 'S') == "NOTICE");
    CHECK_FALSE(has(all_text(out.fields), "SECRET"));
}

TEST_CASE("value-free errors pass, without context fields that can quote other statements") {
    const auto dz = error("22012", "division by zero", {{'W', "SQL function \"f\" statement 1"},
                                                        {'q', "SELECT 1/0"}});
    const auto out = scrub_backend_message(dz, true);
    CHECK(get(out.fields, 'M') == "division by zero");
    CHECK(get(out.fields, 'C') == "22012");
    CHECK(get(out.fields, 'W').empty());
    CHECK(get(out.fields, 'q').empty());
    CHECK(out.scrubbed);  // fields were dropped
    for (const char* code : {"42703", "42P01", "0A000", "57014", "40P01", "53200", "25P02", "21000"}) {
        CAPTURE(std::string(code));
        const auto e = error(code, "text", {{'H', "a hint"}, {'P', "12"}});
        const auto o = scrub_backend_message(e, true);
        CHECK_FALSE(o.scrubbed);
        CHECK(o.fields == e);
    }
}

TEST_CASE("outside a protected context nothing is changed") {
    const auto e = error("22P02", "invalid input syntax for type integer: \"abc\"",
                         {{'W', "ctx"}, {'D', "d"}});
    const auto out = scrub_backend_message(e, false);
    CHECK_FALSE(out.scrubbed);
    CHECK(out.fields == e);
}

TEST_CASE("a statement is protected when a mask or row filter applies to the user") {
    struct Row {
        const char* user;
        const char* sql;
        bool protected_;
    };
    const Row rows[] = {
        {"alice", "SELECT id FROM sales.customers", true},   // own-region filter + masks
        {"bob", "SELECT id FROM sales.customers", true},     // exempt from the filter; pii mask
        {"carol", "SELECT id FROM sales.orders", false},     // neither
        {"alice", "SELECT c_hash FROM sales.mask_lab", true},
        {"alice", "SELECT 1", false},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.user));
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as(r.user, r.sql, "fraud");
        REQUIRE(d.is_allow());
        CHECK(needs_error_scrub(d.allow()) == r.protected_);
    }
}
}
