// Unit tests of the `meshgate test` case files: strict parsing, judging decisions and rows, and
// the report lines (proxy/cli/policy_cases.hpp).
#include "proxy/cli/policy_cases.hpp"

#include <doctest/doctest.h>

#include <string>

using meshgate::cli::CaseFile;
using meshgate::cli::CaseOutcome;
using meshgate::cli::LiveResult;
using meshgate::cli::PolicyCase;
using meshgate::cli::Row;
namespace cli = meshgate::cli;
namespace policy = meshgate::policy;
namespace config = meshgate::config;

namespace {

bool has_error(const CaseFile& f, int line, const std::string& fragment)
{
    for (const auto& e : f.errors) {
        if (e.where.line == line && e.message.find(fragment) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string all_errors(const CaseFile& f)
{
    std::string out;
    for (const auto& e : f.errors) {
        out += e.to_string() + "\n";
    }
    return out;
}

policy::Decision allow(const std::string& sql)
{
    policy::Allow a;
    a.steps.push_back(policy::Forward{sql});
    a.backend = "warehouse";
    return a;
}

policy::Decision deny(const std::string& sqlstate)
{
    policy::Deny d;
    d.sqlstate = sqlstate;
    d.message = "permission denied for data product sales.customers";
    return d;
}

PolicyCase parse_one(const std::string& yaml)
{
    const CaseFile f = cli::parse_cases(yaml, "cases.yaml");
    INFO(all_errors(f));
    REQUIRE(f.ok());
    REQUIRE(f.cases.size() == 1);
    return f.cases[0];
}

}  // namespace

TEST_SUITE("proxy.policy_cases") {
TEST_CASE("the SPEC example parses with every key") {
    const CaseFile f = cli::parse_cases(R"(
- name: analysts see only their region
  user: alice
  purpose: fraud
  sql: SELECT count(*) FROM sales.customers WHERE region <> 'EU'
  expect: allow                       # allow | deny
  rewritten_contains: ["region"]      # fragments of the rewritten SQL
  rows: [[0]]                         # compared only with --live (runs on the backend)
- name: no purpose, no customers
  user: alice
  sql: SELECT * FROM sales.customers
  expect: deny
  sqlstate: "42501"
)",
                                        "cases.yaml");
    INFO(all_errors(f));
    REQUIRE(f.ok());
    REQUIRE(f.cases.size() == 2);
    const auto& a = f.cases[0];
    CHECK(a.name == "analysts see only their region");
    CHECK(a.user == "alice");
    CHECK(a.purpose == std::optional<std::string>("fraud"));
    CHECK(a.sql == "SELECT count(*) FROM sales.customers WHERE region <> 'EU'");
    CHECK(a.expect_allow);
    CHECK(a.rewritten_contains == std::vector<std::string>{"region"});
    REQUIRE(a.rows.has_value());
    CHECK(*a.rows == std::vector<Row>{Row{std::string("0")}});
    CHECK(a.where.file == "cases.yaml");
    CHECK(a.where.line == 2);
    const auto& b = f.cases[1];
    CHECK_FALSE(b.expect_allow);
    CHECK_FALSE(b.purpose.has_value());
    CHECK(b.sqlstate == std::optional<std::string>("42501"));
    CHECK_FALSE(b.rows.has_value());
    CHECK(b.rewritten_contains.empty());
}

TEST_CASE("row cells: null is NULL, quoted null is text, plain booleans are t/f, numbers stay text") {
    const auto c = parse_one(R"(
- name: cells
  user: alice
  sql: SELECT 1
  expect: allow
  rows:
    - [null, ~, "null", 1.50, true, "true", EU, '', 007]
    - []
)");
    REQUIRE(c.rows.has_value());
    REQUIRE(c.rows->size() == 2);
    const Row& r = (*c.rows)[0];
    REQUIRE(r.size() == 9);
    CHECK_FALSE(r[0].has_value());
    CHECK_FALSE(r[1].has_value());
    CHECK(r[2] == std::optional<std::string>("null"));
    CHECK(r[3] == std::optional<std::string>("1.50"));
    CHECK(r[4] == std::optional<std::string>("t"));
    CHECK(r[5] == std::optional<std::string>("true"));
    CHECK(r[6] == std::optional<std::string>("EU"));
    CHECK(r[7] == std::optional<std::string>(""));
    CHECK(r[8] == std::optional<std::string>("007"));
    CHECK((*c.rows)[1].empty());
}

TEST_CASE("an empty rows list means the query returns no rows") {
    const auto c = parse_one("- {name: none, user: bob, sql: SELECT 1 WHERE false, expect: allow, "
                             "rows: []}\n");
    REQUIRE(c.rows.has_value());
    CHECK(c.rows->empty());
}

TEST_CASE("a block scalar holds multi-line SQL") {
    const auto c = parse_one("- name: multi\n  user: bob\n  sql: |\n    SELECT 1\n    FROM t\n"
                             "  expect: allow\n");
    CHECK(c.sql == "SELECT 1\nFROM t\n");
}

TEST_CASE("an unknown key is an error at its line and column with a suggestion") {
    const CaseFile f = cli::parse_cases(
        "- name: x\n  user: alice\n  sql: SELECT 1\n  expect: allow\n  rewriten_contains: [a]\n",
        "c.yaml");
    REQUIRE_FALSE(f.ok());
    CHECK(f.cases.empty());
    CHECK(has_error(f, 5, "unknown key \"rewriten_contains\""));
    CHECK(has_error(f, 5, "did you mean \"rewritten_contains\""));
    CHECK(f.errors[0].where.column == 3);
    CHECK(f.errors[0].to_string().rfind("c.yaml:5:3: error:", 0) == 0);
}

TEST_CASE("missing required keys are reported at the case") {
    const CaseFile f = cli::parse_cases("- name: x\n  sql: SELECT 1\n", "c.yaml");
    REQUIRE_FALSE(f.ok());
    CHECK(has_error(f, 1, "missing required key \"user\""));
    CHECK(has_error(f, 1, "missing required key \"expect\""));
}

TEST_CASE("wrong types and values are errors") {
    struct Row {
        const char* yaml;
        int line;
        const char* fragment;
    };
    const Row rows[] = {
        {"- {name: x, user: alice, sql: SELECT 1, expect: alow}\n", 1, "did you mean \"allow\""},
        {"- {name: x, user: [alice], sql: SELECT 1, expect: allow}\n", 1, "expected a string"},
        {"- {name: x, user: alice, sql: '', expect: allow}\n", 1, "must not be empty"},
        {"- {name: x, user: alice, sql: '  ', expect: allow}\n", 1, "must not be blank"},
        {"- {name: x, user: alice, sql: S, expect: deny, sqlstate: 4250}\n", 1,
         "is not a SQLSTATE"},
        {"- {name: x, user: alice, sql: S, expect: deny, sqlstate: 42p01}\n", 1,
         "is not a SQLSTATE"},
        {"- {name: x, user: alice, sql: S, expect: allow, rows: [1, 2]}\n", 1,
         "a row must be a list"},
        {"- {name: x, user: alice, sql: S, expect: allow, rows: [[{a: 1}]]}\n", 1,
         "expected a value or null"},
        {"- {name: x, user: alice, sql: S, expect: allow, rows: }\n", 1, "use [] for no rows"},
        {"- {name: x, user: alice, sql: S, expect: allow, rewritten_contains: region}\n", 1,
         "expected a list"},
        {"- {name: x, user: alice, sql: S, expect: allow, sqlstate: '42501'}\n", 1,
         "only a deny case has a SQLSTATE"},
        {"- {name: x, user: alice, sql: S, expect: deny, rows: [[1]]}\n", 1,
         "a deny case returns no rows"},
        {"- {name: x, user: alice, sql: S, expect: deny, rewritten_contains: [a]}\n", 1,
         "a deny case has no rewritten SQL"},
        {"- just a string\n", 1, "expected a map"},
        {"name: x\nuser: alice\n", 1, "expected a list of cases"},
        {"[]\n", 1, "no cases"},
        {"", 0, "no cases"},
        {"- name: x\n  user: [alice\n", 3, "YAML syntax error"},
        {"- {name: a, user: u, sql: S, expect: allow}\n---\n- {name: b, user: u, sql: S, "
         "expect: allow}\n",
         3, "2 YAML documents"},
        {"- {name: a, user: u, sql: S, expect: allow}\n- {name: a, user: v, sql: T, expect: "
         "deny}\n",
         2, "duplicate name \"a\" (first given at line 1)"},
        {"- {name: a, user: u, user: v, sql: S, expect: allow}\n", 1, "duplicate key \"user\""},
    };
    for (const auto& r : rows) {
        const std::string yaml = r.yaml;
        CAPTURE(yaml);
        const CaseFile f = cli::parse_cases(r.yaml, "c.yaml");
        INFO(all_errors(f));
        CHECK_FALSE(f.ok());
        CHECK(f.cases.empty());
        CHECK(has_error(f, r.line, r.fragment));
    }
}

TEST_CASE("a case's errors name it when its name is readable") {
    const CaseFile f =
        cli::parse_cases("- {name: my case, user: alice, sql: S, expect: maybe}\n", "c.yaml");
    REQUIRE_FALSE(f.ok());
    CHECK(f.errors[0].message.find("case #1 (\"my case\")") != std::string::npos);
}

TEST_CASE("load_cases reports an unreadable file") {
    const CaseFile f = cli::load_cases("/nonexistent/dir/cases.yaml");
    REQUIRE_FALSE(f.ok());
    CHECK(f.errors[0].where.file == "/nonexistent/dir/cases.yaml");
    CHECK(f.errors[0].message.find("cannot read") != std::string::npos);
}

TEST_CASE("users must exist in the configuration") {
    config::Snapshot snap;
    snap.users["alice"].name = "alice";
    snap.users["bob"].name = "bob";
    const CaseFile f = cli::parse_cases("- {name: a, user: alice, sql: S, expect: allow}\n"
                                        "- {name: b, user: alise, sql: S, expect: allow}\n",
                                        "c.yaml");
    REQUIRE(f.ok());
    const auto errors = cli::check_users(f.cases, snap);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].where.line == 2);
    CHECK(errors[0].where.column == 19);
    CHECK(errors[0].message.find("user \"alise\" is not in the configuration") !=
          std::string::npos);
    CHECK(errors[0].message.find("did you mean \"alice\"") != std::string::npos);
}

TEST_CASE("judging decisions") {
    PolicyCase allow_case;
    allow_case.name = "a";
    allow_case.expect_allow = true;
    PolicyCase deny_case;
    deny_case.name = "d";
    deny_case.expect_allow = false;

    SUBCASE("allow as expected passes") {
        const CaseOutcome o = cli::judge(allow_case, allow("SELECT 1"), std::nullopt);
        CHECK(o.passed);
        CHECK(o.differences.empty());
    }
    SUBCASE("deny where allow was expected fails with the SQLSTATE and message") {
        const CaseOutcome o = cli::judge(allow_case, deny("42501"), std::nullopt);
        CHECK_FALSE(o.passed);
        REQUIRE(o.differences.size() == 1);
        CHECK(o.differences[0].find("expected allow, got deny (SQLSTATE 42501") == 0);
    }
    SUBCASE("allow where deny was expected fails") {
        deny_case.sqlstate = "42501";
        const CaseOutcome o = cli::judge(deny_case, allow("SELECT 1"), std::nullopt);
        CHECK_FALSE(o.passed);
        REQUIRE(o.differences.size() == 1);
        CHECK(o.differences[0] == "expected deny (SQLSTATE 42501), got allow");
    }
    SUBCASE("deny without an expected SQLSTATE passes whatever the state") {
        CHECK(cli::judge(deny_case, deny("0A000"), std::nullopt).passed);
    }
    SUBCASE("a different SQLSTATE fails") {
        deny_case.sqlstate = "42P01";
        const CaseOutcome o = cli::judge(deny_case, deny("42501"), std::nullopt);
        CHECK_FALSE(o.passed);
        REQUIRE(o.differences.size() == 1);
        CHECK(o.differences[0].find("expected SQLSTATE 42P01, got 42501") == 0);
    }
    SUBCASE("the same SQLSTATE passes") {
        deny_case.sqlstate = "42501";
        CHECK(cli::judge(deny_case, deny("42501"), std::nullopt).passed);
    }
    SUBCASE("every missing fragment is listed, with the rewritten SQL") {
        allow_case.rewritten_contains = {"region = 'EU'", "OFFSET 0", "NULL::text AS phone"};
        const CaseOutcome o =
            cli::judge(allow_case, allow("SELECT phone FROM x WHERE region = 'EU'"), std::nullopt);
        CHECK_FALSE(o.passed);
        REQUIRE(o.differences.size() == 2);
        CHECK(o.differences[0] == "rewritten SQL lacks \"OFFSET 0\"");
        CHECK(o.differences[1] == "rewritten SQL lacks \"NULL::text AS phone\"");
        REQUIRE(o.details.size() == 1);
        CHECK(o.details[0].find("SELECT phone FROM x") != std::string::npos);
    }
    SUBCASE("fragments are exact, case-sensitive substrings") {
        allow_case.rewritten_contains = {"region = 'EU'"};
        CHECK(cli::judge(allow_case, allow("WHERE s.region = 'EU'"), std::nullopt).passed);
        CHECK_FALSE(cli::judge(allow_case, allow("WHERE REGION = 'EU'"), std::nullopt).passed);
    }
    SUBCASE("rows are only a note without a live run") {
        allow_case.rows = std::vector<Row>{Row{std::string("0")}};
        const CaseOutcome o = cli::judge(allow_case, allow("SELECT 0"), std::nullopt);
        CHECK(o.passed);
        REQUIRE(o.notes.size() == 1);
        CHECK(o.notes[0].find("--live") != std::string::npos);
    }
    SUBCASE("live rows that match pass; others fail with the difference") {
        allow_case.rows = std::vector<Row>{Row{std::string("0"), std::nullopt}};
        LiveResult live;
        live.rows = {Row{std::string("0"), std::nullopt}};
        CHECK(cli::judge(allow_case, allow("SELECT 0, NULL"), live).passed);
        live.rows = {Row{std::string("0"), std::string("")}};
        const CaseOutcome o = cli::judge(allow_case, allow("SELECT 0, ''"), live);
        CHECK_FALSE(o.passed);
        REQUIRE(o.differences.size() == 1);
        CHECK(o.differences[0] == "rows differ: row 1: expected [\"0\", null], got [\"0\", \"\"]");
    }
    SUBCASE("a backend error on a live run fails the case") {
        allow_case.rows = std::vector<Row>{};
        LiveResult live;
        live.error = "SQLSTATE 22012: division by zero";
        const CaseOutcome o = cli::judge(allow_case, allow("SELECT 1/0"), live);
        CHECK_FALSE(o.passed);
        REQUIRE(o.differences.size() == 1);
        CHECK(o.differences[0].find("division by zero") != std::string::npos);
    }
}

TEST_CASE("statements meshgate answers itself give their rows without a backend") {
    policy::Allow show;
    show.steps.push_back(policy::SetLocal{"search_path", std::vector<std::string>{"sales"}, "SET"});
    show.steps.push_back(policy::ShowLocal{"search_path", "sales"});
    const auto rows = cli::answered_by_meshgate(show);
    REQUIRE(rows.has_value());
    CHECK_FALSE(rows->error.has_value());
    CHECK(rows->rows == std::vector<Row>{Row{std::string("sales")}});

    policy::Allow set_only;
    set_only.steps.push_back(policy::SetLocal{"meshgate.purpose", std::nullopt, "RESET"});
    REQUIRE(cli::answered_by_meshgate(set_only).has_value());
    CHECK(cli::answered_by_meshgate(set_only)->rows.empty());

    policy::Allow forwarded = show;
    forwarded.steps.push_back(policy::Forward{"SELECT 1"});
    CHECK_FALSE(cli::answered_by_meshgate(forwarded).has_value());
}

TEST_CASE("row differences name the first differing row and the counts") {
    const Row a{std::string("1")};
    const Row b{std::string("2")};
    const Row n{std::nullopt};
    CHECK(cli::diff_rows({a, b}, {a, b}).empty());
    CHECK(cli::diff_rows({}, {}).empty());
    CHECK(cli::diff_rows({a, b}, {b, a}) == "row 1: expected [\"1\"], got [\"2\"]");
    CHECK(cli::diff_rows({a, b}, {a}) == "expected 2 rows, got 1 row; first missing: [\"2\"]");
    CHECK(cli::diff_rows({a}, {a, n}) == "expected 1 row, got 2 rows; first extra: [null]");
    CHECK(cli::diff_rows({a, b}, {b}) ==
          "row 1: expected [\"1\"], got [\"2\"] (expected 2 rows, got 1 row)");
    CHECK(cli::diff_rows({Row{std::string("1"), std::string("2")}}, {a}) ==
          "row 1: expected [\"1\", \"2\"], got [\"1\"]");
    CHECK(cli::diff_rows({n}, {Row{std::string("null")}}) ==
          "row 1: expected [null], got [\"null\"]");
}

TEST_CASE("rows print unambiguously") {
    CHECK(cli::format_row({}) == "[]");
    CHECK(cli::format_row(Row{std::string("a\"b\\c\nd\x01"), std::nullopt}) ==
          "[\"a\\\"b\\\\c\\nd\\x01\", null]");
}

TEST_CASE("long hex literals are redacted for display, nothing else") {
    const std::string key(64, 'a');
    CHECK(cli::redact_for_display("decode('" + key + "', 'hex') || 'EU' || 'abc'") ==
          "decode('<redacted>', 'hex') || 'EU' || 'abc'");
    CHECK(cli::redact_for_display("'" + std::string(63, 'f') + "'") ==
          "'" + std::string(63, 'f') + "'");
    CHECK(cli::redact_for_display("x = '") == "x = '");
}

TEST_CASE("report lines: PASS, FAIL with what differed and where, and the summary") {
    PolicyCase c;
    c.name = "analysts see only their region";
    c.where = config::SourceLocation{"cases.yaml", 3, 3};
    CaseOutcome pass;
    pass.passed = true;
    CHECK(cli::format_outcome(c, pass) == "PASS  analysts see only their region\n");
    pass.notes.push_back("rows not compared without --live");
    CHECK(cli::format_outcome(c, pass) ==
          "PASS  analysts see only their region  (rows not compared without --live)\n");
    CaseOutcome fail;
    fail.differences = {"expected deny, got allow", "rewritten SQL lacks \"x\""};
    fail.details = {"rewritten SQL: SELECT 1"};
    CHECK(cli::format_outcome(c, fail) ==
          "FAIL  analysts see only their region: expected deny, got allow; rewritten SQL lacks "
          "\"x\"\n      at cases.yaml:3:3\n      rewritten SQL: SELECT 1\n");
    CHECK(cli::format_summary(3, 1) == "3 passed, 1 failed");
}
}
