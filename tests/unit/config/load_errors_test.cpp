// Config errors: each kind is reported with the right file:line:col, and all of them at once.
// Layer: tests (config). Pure: text in, LoadResult out, through a fake Environment.
#include "config/load.hpp"

#include "config/fake_environment.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace meshgate::config;
using meshgate::config::testing::dump;
using meshgate::config::testing::FakeEnvironment;
using meshgate::config::testing::find_message;

namespace {

// A valid main file; tests append sections to it. Line 1 is "backends:".
const std::string kMain =
    "backends:\n"
    "  pg: { database: db, user: u }\n"
    "domains_dir: domains/\n";

LoadResult load(const std::string& main, const std::map<std::string, std::string>& domains = {},
                const FakeEnvironment& fake = {})
{
    return load_config_text(main, "meshgate.yaml", domains, fake.env());
}

/// Checks that exactly one error mentions `needle` at file:line:col.
void expect_error(const LoadResult& r, const std::string& needle, const std::string& file, int line,
                  int column)
{
    INFO(dump(r.errors));
    CAPTURE(needle);
    CHECK(r.snapshot == nullptr);
    const ConfigError* e = find_message(r.errors, needle);
    REQUIRE(e != nullptr);
    CHECK(e->where.file == file);
    CHECK(e->where.line == line);
    CHECK(e->where.column == column);
}

}  // namespace

TEST_SUITE("config.load") {
TEST_CASE("a minimal config loads with safe defaults")
{
    const auto r = load(kMain);
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    const Snapshot& s = *r.snapshot;
    CHECK(s.catalog_backend == "pg");  // the only backend
    CHECK(s.listen.host == "127.0.0.1");
    CHECK(s.listen.port == 6432);
    CHECK_FALSE(s.listen.tls.has_value());
    CHECK(s.audit.path == "-");
    CHECK(s.hash_key.empty());
    CHECK(s.backends.at("pg").host == "127.0.0.1");
    CHECK(s.backends.at("pg").port == 5432);
    CHECK(s.backends.at("pg").password.empty());
    CHECK(s.backends.at("pg").tls == TlsMode::Prefer);
    CHECK(s.limits.max_startup_packet == 10000);
    CHECK(s.domains.empty());
    CHECK(s.domains_dir == "domains");
}

TEST_CASE("a YAML syntax error names the parser's line and column")
{
    const auto r = load(kMain + "listen: { port: 6432\nadmin: {}\n");
    expect_error(r, "YAML syntax error", "meshgate.yaml", 5, 6);
}

TEST_CASE("a syntax error in a domain file names that file")
{
    const auto r = load(kMain, {{"domains/sales.yaml",
                                 "domain: sales\nbackend: pg\nproducts:\n"
                                 "  a: [1, 2\n"}});
    INFO(dump(r.errors));
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].where.file == "domains/sales.yaml");
    CHECK(r.errors[0].where.line == 5);
}

TEST_CASE("an empty file and a file with two documents are errors")
{
    SUBCASE("empty main file")
    {
        const auto r = load("");
        expect_error(r, "the file is empty", "meshgate.yaml", 0, 0);
    }
    SUBCASE("empty domain file")
    {
        const auto r = load(kMain, {{"domains/sales.yaml", "# nothing\n"}});
        expect_error(r, "the file is empty", "domains/sales.yaml", 0, 0);
    }
    SUBCASE("a second document would be silently ignored")
    {
        const auto r = load(kMain + "---\nlisten: {port: 1}\n");
        expect_error(r, "2 YAML documents", "meshgate.yaml", 5, 1);
    }
}

TEST_CASE("an unknown key is an error with a did-you-mean suggestion")
{
    const std::string sales =
        "domain: sales\n"
        "backend: pg\n"
        "products:\n"
        "  customers:\n"
        "    source: public.customers\n"
        "    access: { allow: [everyone] }\n"
        "    row_filter:\n"
        "      - name: own-region\n"
        "        where: \"region = 'EU'\"\n";
    const auto r = load(kMain, {{"domains/sales.yaml", sales}});
    expect_error(r, "unknown key \"row_filter\"", "domains/sales.yaml", 7, 5);
    const ConfigError* e = find_message(r.errors, "row_filter");
    REQUIRE(e != nullptr);
    CHECK(e->message.find("did you mean \"row_filters\"?") != std::string::npos);
    CHECK(e->to_string() ==
          "domains/sales.yaml:7:5: error: unknown key \"row_filter\" in "
          "products.customers (did you mean \"row_filters\"?)");
}

TEST_CASE("an unknown key far from every known key gets no suggestion")
{
    const auto r = load(kMain + "frobnicate: 1\n");
    expect_error(r, "unknown key \"frobnicate\" in top level", "meshgate.yaml", 4, 1);
    CHECK(find_message(r.errors, "did you mean") == nullptr);
}

TEST_CASE("several errors in one file are all reported, in file order")
{
    const std::string main = kMain +                        // lines 1-3
                             "listen:\n"                    // 4
                             "  port: abc\n"                // 5
                             "  hots: 0.0.0.0\n"            // 6
                             "pool_mode: sessions\n"        // 7
                             "admin: { enabled: maybe }\n"  // 8
                             "limits:\n"                    // 9
                             "  max_message: 10\n";         // 10
    const auto r = load(main);
    INFO(dump(r.errors));
    REQUIRE(r.errors.size() == 5);
    expect_error(r, "listen.port: expected an integer", "meshgate.yaml", 5, 9);
    expect_error(r, "unknown key \"hots\"", "meshgate.yaml", 6, 3);
    CHECK(find_message(r.errors, "did you mean \"host\"") != nullptr);
    expect_error(r, "\"sessions\" is not one of session | transaction", "meshgate.yaml", 7, 12);
    CHECK(find_message(r.errors, "did you mean \"session\"") != nullptr);
    expect_error(r, "admin.enabled: expected true or false", "meshgate.yaml", 8, 19);
    expect_error(r, "limits.max_message: 10 is out of range", "meshgate.yaml", 10, 16);
}

TEST_CASE("errors in the main file and in several domain files are all reported")
{
    const auto r = load(kMain + "pool_mode: x\n",
                        {{"domains/a.yaml", "domain: a\nbackend: nope\n"},
                         {"domains/b.yaml", "domain: b\nbackend: pg\nproducts:\n  P: {}\n"}});
    INFO(dump(r.errors));
    CHECK(r.errors.size() == 3);
    expect_error(r, "pool_mode", "meshgate.yaml", 4, 12);
    expect_error(r, "\"nope\" is not a configured backend", "domains/a.yaml", 2, 10);
    expect_error(r, "\"P\" is not a valid product name", "domains/b.yaml", 4, 3);
}

TEST_CASE("duplicate keys are errors at the second occurrence")
{
    SUBCASE("top level of the main file")
    {
        const auto r = load(kMain + "pool_mode: session\npool_mode: transaction\n");
        expect_error(r, "duplicate key \"pool_mode\" in top level (first given at line 4)",
                     "meshgate.yaml", 5, 1);
    }
    SUBCASE("a product defined twice")
    {
        const std::string sales =
            "domain: sales\nbackend: pg\nproducts:\n"
            "  orders: { source: orders }\n"
            "  orders: { source: orders_v2 }\n";
        const auto r = load(kMain, {{"domains/sales.yaml", sales}});
        expect_error(r, "duplicate key \"orders\" in products", "domains/sales.yaml", 5, 3);
    }
    SUBCASE("a domain named twice in one file")
    {
        const auto r = load(
            kMain, {{"domains/sales.yaml", "domain: sales\nbackend: pg\ndomain: sales\n"}});
        expect_error(r, "duplicate key \"domain\"", "domains/sales.yaml", 3, 1);
    }
    SUBCASE("a user defined twice")
    {
        const auto r = load(kMain + "users:\n  bob: {}\n  bob: {groups: [admins]}\n");
        expect_error(r, "duplicate key \"bob\" in users", "meshgate.yaml", 6, 3);
    }
    SUBCASE("a key repeated inside a flow map")
    {
        const auto r = load(kMain + "admin: {port: 1, port: 2}\n");
        expect_error(r, "duplicate key \"port\" in admin", "meshgate.yaml", 4, 18);
    }
}

TEST_CASE("reserved domain names are refused")
{
    for (const std::string name :
         {"mesh", "public", "pg_catalog", "information_schema", "pg_temp"}) {
        CAPTURE(name);
        const auto r =
            load(kMain, {{"domains/" + name + ".yaml", "domain: " + name + "\nbackend: pg\n"}});
        expect_error(r, "is reserved", "domains/" + name + ".yaml", 1, 9);
    }
}

TEST_CASE("a domain file may only define the domain named by its file")
{
    const auto r = load(kMain, {{"domains/sales.yaml", "domain: marketing\nbackend: pg\n"}});
    expect_error(r, "may only define domain \"sales\"", "domains/sales.yaml", 1, 9);
}

TEST_CASE("a domain defined by two files is an error naming the first file")
{
    const auto r = load(kMain, {{"a/sales.yaml", "domain: sales\nbackend: pg\n"},
                                {"b/sales.yaml", "domain: sales\nbackend: pg\n"}});
    expect_error(r, "already defined in a/sales.yaml", "b/sales.yaml", 1, 9);
}

TEST_CASE("domain, product and column names must be lower-case SQL identifiers")
{
    SUBCASE("domain")
    {
        const auto r = load(kMain, {{"domains/Sales.yaml", "domain: Sales\nbackend: pg\n"}});
        expect_error(r, "\"Sales\" is not a valid domain name", "domains/Sales.yaml", 1, 9);
    }
    SUBCASE("product")
    {
        const auto r = load(kMain, {{"domains/s.yaml",
                                     "domain: s\nbackend: pg\nproducts:\n"
                                     "  order-lines: { source: x }\n"}});
        expect_error(r, "\"order-lines\" is not a valid product name", "domains/s.yaml", 4, 3);
    }
    SUBCASE("column")
    {
        const auto r = load(kMain, {{"domains/s.yaml",
                                     "domain: s\nbackend: pg\nproducts:\n"
                                     "  t:\n    source: x\n    columns:\n"
                                     "      \"e mail\": {}\n"}});
        expect_error(r, "\"e mail\" is not a valid column name", "domains/s.yaml", 7, 7);
    }
    SUBCASE("a name longer than 63 bytes would be truncated by PostgreSQL")
    {
        const std::string longname(64, 'a');
        const auto r = load(kMain, {{"domains/s.yaml", "domain: s\nbackend: pg\nproducts:\n  " +
                                                           longname + ": { source: x }\n"}});
        expect_error(r, "is not a valid product name", "domains/s.yaml", 4, 3);
    }
}

TEST_CASE("a product's source is schema.relation, public when unqualified")
{
    const auto ok = load(kMain, {{"domains/s.yaml",
                                  "domain: s\nbackend: pg\nproducts:\n"
                                  "  a: { source: raw.Orders }\n"
                                  "  b: { source: orders }\n"}});
    INFO(dump(ok.errors));
    REQUIRE(ok.ok());
    CHECK(ok.snapshot->find_product("s", "a")->source_schema == "raw");
    CHECK(ok.snapshot->find_product("s", "a")->source_relation == "Orders");
    CHECK(ok.snapshot->find_product("s", "b")->source_schema == "public");

    const auto bad = load(kMain, {{"domains/s.yaml",
                                   "domain: s\nbackend: pg\nproducts:\n"
                                   "  a: { source: a.b.c }\n"
                                   "  b: { description: no source }\n"}});
    expect_error(bad, "\"a.b.c\" is not a relation", "domains/s.yaml", 4, 16);
    expect_error(bad, "products.b: missing required key \"source\"", "domains/s.yaml", 5, 3);
}

TEST_CASE("a mask on an undeclared column of an expose: declared product is an error")
{
    const std::string s =
        "domain: s\nbackend: pg\nproducts:\n"
        "  t:\n"                        // 4
        "    source: x\n"               // 5
        "    expose: declared\n"        // 6
        "    columns: { email: {} }\n"  // 7
        "    masks:\n"                  // 8
        "      - name: m1\n"            // 9
        "        column: email\n"       // 10
        "        with: null\n"          // 11
        "      - name: m2\n"            // 12
        "        column: phone\n"       // 13
        "        with: null\n";         // 14
    const auto r = load(kMain, {{"domains/s.yaml", s}});
    INFO(dump(r.errors));
    REQUIRE(r.errors.size() == 1);
    expect_error(r, "column \"phone\" is not declared", "domains/s.yaml", 13, 17);

    // With expose: all the same mask is fine: the column exists on the backend.
    std::string all = s;
    all.replace(all.find("declared"), 8, "all");
    const auto r2 = load(kMain, {{"domains/s.yaml", all}});
    INFO(dump(r2.errors));
    CHECK(r2.ok());
}

TEST_CASE("policy names are unique within a product and among global policies")
{
    const std::string s =
        "domain: s\nbackend: pg\nproducts:\n"
        "  t:\n"                                            // 4
        "    source: x\n"                                   // 5
        "    row_filters: [{name: p, where: a}]\n"          // 6
        "    masks: [{name: p, column: c, with: null}]\n";  // 7
    const auto r = load(kMain, {{"domains/s.yaml", s}});
    expect_error(r, "policy \"p\" is defined twice in this product", "domains/s.yaml", 7, 20);

    const auto g = load(kMain +
                        "policies:\n"
                        "  - { name: a, mask: { tags: [x], with: null } }\n"
                        "  - { name: a, mask: { tags: [y], with: null } }\n");
    expect_error(g, "policy \"a\" is defined twice", "meshgate.yaml", 6, 13);
}

TEST_CASE("a domain must name a configured backend")
{
    const auto missing = load(kMain, {{"domains/s.yaml", "domain: s\n"}});
    expect_error(missing, "missing required key \"backend\"", "domains/s.yaml", 1, 1);
    const auto typo = load(kMain, {{"domains/s.yaml", "domain: s\nbackend: pgg\n"}});
    expect_error(typo, "\"pgg\" is not a configured backend (did you mean \"pg\"?)",
                 "domains/s.yaml", 2, 10);
}

TEST_CASE("catalog and federation backends must be configured backends")
{
    const std::string two =
        "backends:\n"
        "  a: { database: d, user: u }\n"
        "  b: { database: d, user: u }\n";
    SUBCASE("with two backends the catalog backend is required")
    {
        const auto r = load(two);
        expect_error(r, "catalog_backend is required", "meshgate.yaml", 0, 0);
    }
    SUBCASE("unknown names")
    {
        const auto r = load(two + "catalog_backend: c\nfederation_backend: d\n");
        expect_error(r, "catalog_backend: \"c\" is not a configured backend", "meshgate.yaml",
                     4, 18);
        expect_error(r, "federation_backend: \"d\" is not a configured backend",
                     "meshgate.yaml", 5, 21);
    }
    SUBCASE("valid names")
    {
        const auto r =
            load(two + "catalog_backend: b\nfederation_backend: a\npool_mode: transaction\n");
        INFO(dump(r.errors));
        REQUIRE(r.ok());
        CHECK(r.snapshot->catalog_backend == "b");
        CHECK(r.snapshot->federation_backend == std::optional<std::string>("a"));
        CHECK(r.snapshot->pool_mode == PoolMode::Transaction);
    }
    SUBCASE("no backends at all")
    {
        const auto r = load("domains_dir: d\n");
        expect_error(r, "no backends configured", "meshgate.yaml", 0, 0);
    }
}

TEST_CASE("backend fields are validated")
{
    const auto r = load(
        "backends:\n"
        "  pg:\n"
        "    database: db\n"
        "    port: 70000\n"
        "    tls: verify_full\n"
        "    pool_size: 0\n");
    INFO(dump(r.errors));
    expect_error(r, "backends.pg: missing required key \"user\"", "meshgate.yaml", 2, 3);
    expect_error(r, "backends.pg.port: 70000 is out of range 1..65535", "meshgate.yaml", 4, 11);
    expect_error(r, "did you mean \"verify-full\"", "meshgate.yaml", 5, 10);
    expect_error(r, "backends.pg.pool_size: 0 is out of range", "meshgate.yaml", 6, 16);
    CHECK(r.errors.size() == 4);
}

TEST_CASE("backend TLS modes and CA file are read")
{
    const auto r = load(
        "backends:\n"
        "  pg: { database: db, user: u, tls: verify-full, ca_file: ca.crt,"
        " connect_timeout_ms: 250 }\n",
        {}, {});
    REQUIRE(r.ok());
    const Backend& b = r.snapshot->backends.at("pg");
    CHECK(b.tls == TlsMode::VerifyFull);
    CHECK(b.ca_file == "ca.crt");
    CHECK(b.connect_timeout_ms == 250);
}

TEST_CASE("principals must be user:, group:, attr:K=V or everyone")
{
    const std::string s =
        "domain: s\nbackend: pg\nproducts:\n"
        "  t:\n"                                             // 4
        "    source: x\n"                                    // 5
        "    access:\n"                                      // 6
        "      allow: [usr:bob, \"group:\", attr:region]\n"  // 7
        "      deny: [user: bob, Everyone]\n";               // 8
    const auto r = load(kMain, {{"domains/s.yaml", s}});
    INFO(dump(r.errors));
    CHECK(r.errors.size() == 5);
    expect_error(r, "\"usr:bob\" is not a principal", "domains/s.yaml", 7, 15);
    CHECK(find_message(r.errors, "did you mean \"user\"") != nullptr);
    expect_error(r, "group name must be non-empty", "domains/s.yaml", 7, 24);
    expect_error(r, "expected attr:KEY=VALUE", "domains/s.yaml", 7, 34);
    expect_error(r, "write user:NAME without a space", "domains/s.yaml", 8, 14);
    expect_error(r, "\"Everyone\" is not a principal", "domains/s.yaml", 8, 25);
}

TEST_CASE("every mask form of SPEC §4 is accepted")
{
    struct Case {
        std::string with;
        MaskSpec::Kind kind;
        std::string describe;
    };
    const Case cases[] = {
        {"null", MaskSpec::Kind::Null, "null"},
        {"~", MaskSpec::Kind::Null, "null"},
        {"\"null\"", MaskSpec::Kind::Null, "null"},
        {"hash", MaskSpec::Kind::Hash, "hash"},
        {"{constant: 'n/a'}", MaskSpec::Kind::Constant, "constant('n/a')"},
        {"{constant: 0}", MaskSpec::Kind::Constant, "constant('0')"},
        {"{constant: null}", MaskSpec::Kind::Constant, "constant(null)"},
        {"{partial: {keep_first: 1, keep_last: 4, fill: '#'}}", MaskSpec::Kind::Partial,
         "partial(keep_first=1, keep_last=4, fill='#')"},
        {"{partial: {keep_last: 4}}", MaskSpec::Kind::Partial, "partial(keep_last=4)"},
        {"{regex: {pattern: '@.*$', replace: '@x'}}", MaskSpec::Kind::Regex,
         "regex(pattern='@.*$', replace='@x')"},
        {"{regex: {pattern: 'a', replace: ''}}", MaskSpec::Kind::Regex,
         "regex(pattern='a', replace='')"},
        {"{round: 10}", MaskSpec::Kind::Round, "round(10)"},
        {"{round: 0.5}", MaskSpec::Kind::Round, "round(0.5)"},
        {"{truncate: year}", MaskSpec::Kind::Truncate, "truncate(year)"},
        {"{truncate: hour}", MaskSpec::Kind::Truncate, "truncate(hour)"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.with);
        const auto r = load(kMain +
                            "secrets: {hash_key: 0123456789abcdef}\n"
                            "policies:\n  - { name: m, mask: { tags: [t], with: " +
                            c.with + " } }\n");
        INFO(dump(r.errors));
        REQUIRE(r.ok());
        REQUIRE(r.snapshot->global_masks.size() == 1);
        CHECK(r.snapshot->global_masks[0].with.kind == c.kind);
        CHECK(r.snapshot->global_masks[0].with.describe() == c.describe);
    }
}

TEST_CASE("bad mask forms are errors at the offending value")
{
    struct Case {
        std::string with;
        std::string needle;
        int column;
    };
    // "  - { name: m, mask: { tags: [t], with: " is 40 characters; the value starts at
    // column 41.
    const Case cases[] = {
        {"hsh", "unknown mask \"hsh\"", 41},
        {"partial", "\"partial\" needs an argument", 41},
        {"{round: 0}", "expected a positive number", 49},
        {"{round: -5}", "expected a positive number", 49},
        {"{round: 1e3}", "expected a positive number", 49},
        {"{round: [1]}", "expected a positive number", 49},
        {"{truncate: week}", "\"week\" is not one of year | month | day | hour", 52},
        {"{partial: {keep_frist: 2}}", "unknown key \"keep_frist\"", 52},
        {"{partial: {keep_last: -1}}", "keep_last: -1 is out of range", 63},
        {"{regex: {pattern: ''}}", "missing required key \"replace\"", 42},
        {"{regex: {replace: x}}", "missing required key \"pattern\"", 42},
        {"{constant: [1, 2]}", "expected a string", 52},
        {"{round: 1, truncate: day}", "exactly one form", 41},
        {"{}", "empty mask", 41},
        {"[hash]", "expected a mask", 41},
    };
    for (const auto& c : cases) {
        CAPTURE(c.with);
        const auto r = load(
            kMain + "policies:\n  - { name: m, mask: { tags: [t], with: " + c.with + " } }\n");
        expect_error(r, c.needle, "meshgate.yaml", 5, c.column);
    }
}

TEST_CASE("a misspelt mask name gets a suggestion")
{
    const auto r =
        load(kMain + "policies:\n  - { name: m, mask: { tags: [t], with: hsah } }\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message.find("did you mean \"hash\"") != std::string::npos);
}

TEST_CASE("a global mask needs tags and with, and with: null is the null mask")
{
    const auto r = load(kMain +
                        "policies:\n"
                        "  - name: a\n"                         // 5
                        "    mask: { with: null }\n"            // 6
                        "  - name: b\n"                         // 7
                        "    mask: { tags: [] , with: null}\n"  // 8
                        "  - name: c\n"                         // 9
                        "    mask: { tags: [x] }\n"             // 10
                        "  - name: d\n"                         // 11
                        "    mask:\n"                           // 12
                        "      tags: [PII]\n"                   // 13
                        "      with:\n");                       // 14
    INFO(dump(r.errors));
    CHECK(r.errors.size() == 4);
    expect_error(r, "policies[0].mask: missing required key \"tags\"", "meshgate.yaml", 6, 5);
    expect_error(r, "policies[1].mask.tags: must name at least one tag", "meshgate.yaml", 8,
                 19);
    expect_error(r, "policies[2].mask: missing required key \"with\"", "meshgate.yaml", 10, 5);
    expect_error(r, "\"PII\" is not a valid tag", "meshgate.yaml", 13, 14);
}

TEST_CASE("the hash key is required when any mask uses hash, and must be 16 bytes or more")
{
    const std::string policy = "policies:\n  - { name: h, mask: { tags: [t], with: hash } }\n";
    SUBCASE("global hash mask without a key")
    {
        const auto r = load(kMain + policy);
        expect_error(r, "mask \"h\" uses hash, but no hash key is configured", "meshgate.yaml",
                     5, 5);
    }
    SUBCASE("domain hash mask without a key")
    {
        const auto r = load(kMain, {{"domains/s.yaml",
                                     "domain: s\nbackend: pg\nproducts:\n"
                                     "  t:\n    source: x\n    masks:\n"
                                     "      - {name: m, column: c, with: hash}\n"}});
        expect_error(r, "mask \"m\" uses hash", "domains/s.yaml", 7, 9);
    }
    SUBCASE("a short key")
    {
        FakeEnvironment fake;
        fake.vars["K"] = "short";
        const auto r = load(kMain + "secrets: { hash_key_env: K }\n", {}, fake);
        expect_error(r, "the hash key is 5 bytes; at least 16 are required", "meshgate.yaml", 4,
                     26);
        CHECK(find_message(r.errors, "short") == nullptr);  // the key itself is never printed
    }
    SUBCASE("a long enough key and no hash mask is fine")
    {
        FakeEnvironment fake;
        fake.vars["K"] = "0123456789abcdef";
        const auto r = load(kMain + "secrets: { hash_key_env: K }\n" + policy, {}, fake);
        INFO(dump(r.errors));
        REQUIRE(r.ok());
        CHECK(r.snapshot->hash_key == "0123456789abcdef");
    }
}

TEST_CASE("users: verifier shape, attributes and limits")
{
    SUBCASE("a plaintext password is refused and never echoed")
    {
        const auto r = load(kMain + "users:\n  bob:\n    password: hunter2hunter2\n");
        expect_error(r, "not a SCRAM-SHA-256 verifier", "meshgate.yaml", 6, 15);
        CHECK(dump(r.errors).find("hunter2") == std::string::npos);
    }
    SUBCASE("malformed verifiers")
    {
        for (const std::string v :
             {"SCRAM-SHA-256$", "SCRAM-SHA-256$0:c2FsdA==$a:b", "SCRAM-SHA-256$4096:c2FsdA==$a",
              "SCRAM-SHA-256$4096:$a:b", "SCRAM-SHA-256$4096:c2F sdA==$a:b",
              "md5$4096:c2FsdA==$a:b"}) {
            CAPTURE(v);
            const auto r = load(kMain + "users:\n  bob:\n    password: \"" + v + "\"\n");
            expect_error(r, "not a SCRAM-SHA-256 verifier", "meshgate.yaml", 6, 15);
        }
    }
    SUBCASE("attributes: scalars and lists; nested maps and reserved names are refused")
    {
        const auto r = load(kMain +
                            "users:\n"
                            "  bob:\n"                     // 5
                            "    attributes:\n"            // 6
                            "      region: EU\n"           // 7
                            "      level: 3\n"             // 8
                            "      purposes: [a, b]\n"     // 9
                            "      nested: {a: 1}\n"       // 10
                            "      name: x\n"              // 11
                            "      bad-key: y\n"           // 12
                            "    max_connections: -1\n");  // 13
        INFO(dump(r.errors));
        CHECK(r.errors.size() == 4);
        expect_error(r, "users.bob.attributes.nested: expected a scalar or a list",
                     "meshgate.yaml", 10, 15);
        expect_error(r, "\"name\" is reserved", "meshgate.yaml", 11, 7);
        expect_error(r, "\"bad-key\" is not a valid attribute name", "meshgate.yaml", 12, 7);
        expect_error(r, "max_connections: -1 is out of range", "meshgate.yaml", 13, 22);
    }
    SUBCASE("a search_path naming an unknown domain is only a warning")
    {
        const auto r = load(kMain + "users:\n  bob: { search_path: [sales, nowhere] }\n",
                            {{"domains/sales.yaml", "domain: sales\nbackend: pg\n"}});
        INFO(dump(r.errors));
        REQUIRE(r.ok());
        REQUIRE(r.warnings.size() == 1);
        CHECK(r.warnings[0].message.find("\"nowhere\"") != std::string::npos);
        CHECK(r.warnings[0].where.line == 5);
        CHECK(r.warnings[0].where.column == 31);
        CHECK(r.warnings[0].to_string().find(": warning: ") != std::string::npos);
    }
}

TEST_CASE("allowed_functions must be schema.function")
{
    const auto r = load(kMain + "allowed_functions: [util.f, lower, Util.F, a.b.c]\n");
    INFO(dump(r.errors));
    CHECK(r.errors.size() == 3);
    expect_error(r, "\"lower\" must be schema.function", "meshgate.yaml", 4, 29);
    expect_error(r, "\"Util.F\" must be schema.function", "meshgate.yaml", 4, 36);
    expect_error(r, "\"a.b.c\" must be schema.function", "meshgate.yaml", 4, 44);
}

TEST_CASE("limits are read and bounded")
{
    const auto r = load(kMain +
                        "limits:\n"
                        "  max_startup_packet: 20000\n"
                        "  max_message: 1048576\n"
                        "  max_backend_message: 2097152\n"
                        "  auth_timeout_ms: 5000\n"
                        "  idle_timeout_ms: 60000\n"
                        "  statement_timeout_ms: 30000\n");
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    const Limits& l = r.snapshot->limits;
    CHECK(l.max_startup_packet == 20000);
    CHECK(l.max_message == 1048576);
    CHECK(l.max_backend_message == 2097152);
    CHECK(l.auth_timeout_ms == 5000);
    CHECK(l.idle_timeout_ms == 60000);
    CHECK(l.statement_timeout_ms == 30000);

    const auto bad = load(kMain + "limits: { auth_timeout_ms: 0, max_message: 2147483648 }\n");
    expect_error(bad, "auth_timeout_ms: 0 is out of range", "meshgate.yaml", 4, 28);
    expect_error(bad, "max_message: 2147483648 is out of range", "meshgate.yaml", 4, 44);
}

TEST_CASE("jwt is read and requires listen.tls")
{
    const std::string jwt =
        "jwt:\n  jwks_file: keys/jwks.json\n  issuer: https://idp\n"
        "  audience: meshgate\n";
    const auto no_tls = load(kMain + jwt);
    expect_error(no_tls, "jwt: requires listen.tls", "meshgate.yaml", 4, 1);

    const auto ok = load_config_text(
        kMain + jwt + "listen:\n  tls: { cert_file: c.pem, key_file: k.pem }\n",
        "/etc/mg/meshgate.yaml", {}, FakeEnvironment{}.env());
    INFO(dump(ok.errors));
    REQUIRE(ok.ok());
    REQUIRE(ok.snapshot->jwt.has_value());
    CHECK(ok.snapshot->jwt->jwks_file == "/etc/mg/keys/jwks.json");
    CHECK(ok.snapshot->jwt->issuer == "https://idp");
    CHECK(ok.snapshot->jwt->audience == "meshgate");
    CHECK(ok.snapshot->jwt->user_claim == "sub");
    CHECK(ok.snapshot->listen.tls->cert_file == "/etc/mg/c.pem");
    CHECK_FALSE(ok.snapshot->listen.tls->require);

    const auto missing = load(kMain + "jwt: { jwks_file: j }\n");
    expect_error(missing, "jwt: missing required key \"issuer\"", "meshgate.yaml", 4, 1);
    expect_error(missing, "jwt: missing required key \"audience\"", "meshgate.yaml", 4, 1);
}

TEST_CASE("listen.tls needs a certificate and a key")
{
    const auto r = load(kMain + "listen:\n  tls:\n    require: true\n");
    expect_error(r, "listen.tls: missing required key \"cert_file\"", "meshgate.yaml", 5, 3);
    expect_error(r, "listen.tls: missing required key \"key_file\"", "meshgate.yaml", 5, 3);
}

TEST_CASE("tags must be lower case so global masks cannot be escaped by spelling")
{
    const auto r = load(kMain, {{"domains/s.yaml",
                                 "domain: s\nbackend: pg\nproducts:\n"
                                 "  t:\n    source: x\n    columns:\n"
                                 "      email: { tags: [PII.Email, ok.tag] }\n"}});
    expect_error(r, "\"PII.Email\" is not a valid tag", "domains/s.yaml", 7, 23);
}

TEST_CASE("a column tag one typo away from a global policy's tag gets a warning")
{
    const auto r =
        load(kMain + "policies:\n  - { name: e, mask: { tags: [pii.email], with: null } }\n",
             {{"domains/s.yaml",
               "domain: s\nbackend: pg\nproducts:\n"
               "  t:\n    source: x\n    columns:\n"
               "      email: { tags: [pii.emial] }\n"}});
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].message.find("did you mean \"pii.email\"") != std::string::npos);
}

TEST_CASE("a product without allowed principals loads with a warning")
{
    const auto r = load(kMain, {{"domains/s.yaml",
                                 "domain: s\nbackend: pg\nproducts:\n"
                                 "  t:\n    source: x\n    access:\n"
                                 "      deny: [everyone]\n"}});
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].message.find("nobody can read") != std::string::npos);
    CHECK(r.warnings[0].where.line == 6);
    const Product* p = r.snapshot->find_product("s", "t");
    REQUIRE(p != nullptr);
    REQUIRE(p->access.has_value());
    CHECK(p->access->allow.empty());
}

TEST_CASE("a product without access has no access section (readable by nobody)")
{
    const auto r = load(kMain, {{"domains/s.yaml",
                                 "domain: s\nbackend: pg\nproducts:\n"
                                 "  t: { source: x }\n"}});
    REQUIRE(r.ok());
    CHECK_FALSE(r.snapshot->find_product("s", "t")->access.has_value());
}

TEST_CASE("wrong value types name what was expected")
{
    const auto r = load(kMain +
                        "listen: [a]\n"
                        "users: {bob: {groups: analysts}}\n"
                        "audit: {path: {a: 1}}\n");
    INFO(dump(r.errors));
    CHECK(r.errors.size() == 3);
    expect_error(r, "listen: expected a map, got a list", "meshgate.yaml", 4, 9);
    expect_error(r, "users.bob.groups: expected a list, got a scalar", "meshgate.yaml", 5, 23);
    expect_error(r, "audit.path: expected a string, got a map", "meshgate.yaml", 6, 15);
}

}  // TEST_SUITE
