// Secrets from *_env, *_file and inline, and load_config() through a fake Environment.
// Layer: tests (config).
#include "config/load.hpp"

#include "config/fake_environment.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace meshgate::config;
using meshgate::config::testing::dump;
using meshgate::config::testing::FakeEnvironment;
using meshgate::config::testing::find_message;

namespace {

LoadResult load_backend(const std::string& password_lines, const FakeEnvironment& fake,
                        const std::string& name = "/etc/mg/meshgate.yaml")
{
    // Line 1 "backends:", line 2 "  pg:", line 3 database, line 4 user, line 5+ password lines.
    const std::string main = "backends:\n  pg:\n    database: db\n    user: u\n" + password_lines;
    return load_config_text(main, name, {}, fake.env());
}

}  // namespace

TEST_SUITE("config.secrets") {
TEST_CASE("a backend password comes from the named environment variable")
{
    FakeEnvironment fake;
    fake.vars["SALES_PG_PASSWORD"] = "s3cret";
    const auto r = load_backend("    password_env: SALES_PG_PASSWORD\n", fake);
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    CHECK(r.snapshot->backends.at("pg").password == "s3cret");
    CHECK(r.warnings.empty());
}

TEST_CASE("an unset or empty environment variable is an error at the *_env value")
{
    FakeEnvironment fake;
    SUBCASE("unset")
    {
        const auto r = load_backend("    password_env: SALES_PG_PASSWORD\n", fake);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].message ==
              "backends.pg.password_env: environment variable SALES_PG_PASSWORD is not set");
        CHECK(r.errors[0].where.line == 5);
        CHECK(r.errors[0].where.column == 19);
    }
    SUBCASE("empty")
    {
        fake.vars["SALES_PG_PASSWORD"] = "";
        const auto r = load_backend("    password_env: SALES_PG_PASSWORD\n", fake);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].message.find("is empty") != std::string::npos);
    }
    SUBCASE("not a variable name")
    {
        const auto r = load_backend("    password_env: \"$HOME\"\n", fake);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].message.find("is not an environment variable name") !=
              std::string::npos);
    }
}

TEST_CASE("a *_file secret is read relative to the config directory, without the final newline")
{
    FakeEnvironment fake;
    fake.files["/etc/mg/secrets/pg"] = "from-file\n";
    fake.files["/run/abs"] = "absolute\r\n";
    SUBCASE("relative")
    {
        const auto r = load_backend("    password_file: secrets/pg\n", fake);
        INFO(dump(r.errors));
        REQUIRE(r.ok());
        CHECK(r.snapshot->backends.at("pg").password == "from-file");
    }
    SUBCASE("absolute")
    {
        const auto r = load_backend("    password_file: /run/abs\n", fake);
        INFO(dump(r.errors));
        REQUIRE(r.ok());
        CHECK(r.snapshot->backends.at("pg").password == "absolute");
    }
    SUBCASE("unreadable")
    {
        const auto r = load_backend("    password_file: secrets/missing\n", fake);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].message ==
              "backends.pg.password_file: cannot read /etc/mg/secrets/missing");
        CHECK(r.errors[0].where.line == 5);
        CHECK(r.errors[0].where.column == 20);
    }
    SUBCASE("empty file")
    {
        fake.files["/etc/mg/secrets/empty"] = "\n";
        const auto r = load_backend("    password_file: secrets/empty\n", fake);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].message.find("is empty") != std::string::npos);
    }
}

TEST_CASE("an inline backend password is allowed with a warning that never shows it")
{
    const auto r = load_backend("    password: pl41n-text\n", FakeEnvironment{});
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    CHECK(r.snapshot->backends.at("pg").password == "pl41n-text");
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].severity == ConfigError::Severity::Warning);
    CHECK(r.warnings[0].where.line == 5);
    CHECK(r.warnings[0].where.column == 15);
    CHECK(r.warnings[0].message.find("inline") != std::string::npos);
    CHECK(r.warnings[0].message.find("pl41n-text") == std::string::npos);
}

TEST_CASE("giving a secret two ways is an error")
{
    FakeEnvironment fake;
    fake.vars["P"] = "x";
    const auto r = load_backend("    password: a\n    password_env: P\n", fake);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message.find(
              "give only one of password, password_env or password_file") != std::string::npos);
    CHECK(r.warnings.empty());
}

TEST_CASE("the hash key comes from env, file or inline (with a warning)")
{
    const std::string base = "backends: { pg: { database: d, user: u } }\n";
    FakeEnvironment fake;
    fake.vars["MESHGATE_HASH_KEY"] = "0123456789abcdef0123";
    fake.files["/etc/mg/hash.key"] = "fedcba9876543210\n";
    const auto env = load_config_text(base + "secrets: { hash_key_env: MESHGATE_HASH_KEY }\n",
                                      "/etc/mg/meshgate.yaml", {}, fake.env());
    REQUIRE(env.ok());
    CHECK(env.snapshot->hash_key == "0123456789abcdef0123");

    const auto file = load_config_text(base + "secrets: { hash_key_file: hash.key }\n",
                                       "/etc/mg/meshgate.yaml", {}, fake.env());
    REQUIRE(file.ok());
    CHECK(file.snapshot->hash_key == "fedcba9876543210");

    const auto inl = load_config_text(base + "secrets: { hash_key: inline-key-0123456 }\n",
                                      "/etc/mg/meshgate.yaml", {}, fake.env());
    REQUIRE(inl.ok());
    CHECK(inl.snapshot->hash_key == "inline-key-0123456");
    REQUIRE(inl.warnings.size() == 1);
    CHECK(inl.warnings[0].message.find("secrets.hash_key") != std::string::npos);

    const auto unset = load_config_text(base + "secrets: { hash_key_env: NOPE }\n",
                                        "/etc/mg/meshgate.yaml", {}, fake.env());
    REQUIRE(unset.errors.size() == 1);
    CHECK(unset.errors[0].message.find("NOPE is not set") != std::string::npos);
}

TEST_CASE("load_config reads the main file and domains_dir through the Environment")
{
    FakeEnvironment fake;
    fake.files["/srv/mg/meshgate.yaml"] =
        "backends: { pg: { database: d, user: u } }\n"
        "domains_dir: ./domains/\n"
        "audit: { path: logs/audit.jsonl }\n";
    fake.files["/srv/mg/domains/sales.yaml"] =
        "domain: sales\nbackend: pg\nproducts:\n"
        "  orders: { source: orders }\n";
    fake.files["/srv/mg/domains/hr.yaml"] = "domain: hr\nbackend: pg\n";
    fake.files["/srv/mg/domains/notes.txt"] = "not yaml";
    const auto r = load_config("/srv/mg/meshgate.yaml", fake.env());
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    CHECK(r.snapshot->config_file == "/srv/mg/meshgate.yaml");
    CHECK(r.snapshot->domains_dir == "/srv/mg/domains");
    CHECK(r.snapshot->audit.path == "/srv/mg/logs/audit.jsonl");
    CHECK(r.snapshot->domains.size() == 2);
    REQUIRE(r.snapshot->find_product("sales", "orders") != nullptr);
    CHECK(r.snapshot->find_product("sales", "orders")->origin.file ==
          "/srv/mg/domains/sales.yaml");
    CHECK(r.snapshot->domains.at("hr").origin.file == "/srv/mg/domains/hr.yaml");
}

TEST_CASE("load_config reports a missing main file and an unreadable domain file")
{
    FakeEnvironment fake;
    const auto missing = load_config("/nowhere/meshgate.yaml", fake.env());
    REQUIRE(missing.errors.size() == 1);
    CHECK(missing.errors[0].to_string() ==
          "/nowhere/meshgate.yaml: error: cannot read config file");
    CHECK(missing.snapshot == nullptr);

    fake.files["/srv/meshgate.yaml"] =
        "backends: { pg: { database: d, user: u } }\n"
        "domains_dir: domains\n";
    fake.files["/srv/domains/a.yaml"] = "domain: a\nbackend: pg\n";
    Environment env = fake.env();
    const auto read = env.read_file;
    env.read_file = [read](const std::string& p) -> std::optional<std::string> {
        if (p == "/srv/domains/a.yaml") {
            return std::nullopt;  // listed, but unreadable (permissions, a race with a deploy)
        }
        return read(p);
    };
    const auto r = load_config("/srv/meshgate.yaml", env);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].to_string() == "/srv/domains/a.yaml: error: cannot read domain file");
}

}  // TEST_SUITE
