// Environment::system() against the checked-in data files (read only), and loader guards that
// need no files. Layer: tests (config).
#include "config/load.hpp"

#include "config/fake_environment.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace meshgate::config;
using meshgate::config::testing::dump;
using meshgate::config::testing::FakeEnvironment;
using meshgate::config::testing::find_message;

namespace {
const std::string kSample = std::string(MESHGATE_TEST_DATA) + "/config/sample";
}

TEST_SUITE("config.environment") {
TEST_CASE("the system environment lists *.yaml files sorted and reads files")
{
    const Environment env = Environment::system();
    CHECK(env.list_yaml(kSample + "/domains") ==
          std::vector<std::string>{"marketing.yaml", "sales.yaml"});
    CHECK(env.list_yaml(kSample + "/no-such-dir").empty());
    const auto text = env.read_file(kSample + "/secrets/hash_key");
    REQUIRE(text.has_value());
    CHECK(*text == "sample-hash-key-0123456789abcdef\n");
    CHECK_FALSE(env.read_file(kSample + "/no-such-file").has_value());
    CHECK_FALSE(env.read_file(kSample + "/domains").has_value());  // a directory is not a file
}

TEST_CASE("load_config warns when domains_dir holds no domain files")
{
    FakeEnvironment fake;
    fake.files["/mg/meshgate.yaml"] =
        "backends: { pg: { database: d, user: u } }\n"
        "domains_dir: empty/\n";
    const auto r = load_config("/mg/meshgate.yaml", fake.env());
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].to_string() ==
          "/mg/meshgate.yaml: warning: no *.yaml domain files in /mg/empty");

    fake.files["/mg/meshgate.yaml"] = "backends: { pg: { database: d, user: u } }\n";
    const auto none = load_config("/mg/meshgate.yaml", fake.env());
    REQUIRE(none.ok());
    REQUIRE(none.warnings.size() == 1);
    CHECK(none.warnings[0].message.find("domains_dir is not set") != std::string::npos);
}

TEST_CASE("absurdly deep YAML nesting is an error, not a crash")
{
    const std::string deep =
        "listen: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
    const auto r = load_config_text(deep, "meshgate.yaml", {}, FakeEnvironment{}.env());
    CHECK(r.snapshot == nullptr);
    CHECK(find_message(r.errors, "nesting is too deep") != nullptr);
}

TEST_CASE("a config with errors never yields a snapshot, even with warnings")
{
    const auto r = load_config_text(
        "backends: { pg: { database: d, user: u, password: x } }\n"
        "pool_mode: nope\n",
        "meshgate.yaml", {}, FakeEnvironment{}.env());
    CHECK(r.snapshot == nullptr);
    CHECK_FALSE(r.ok());
    CHECK(r.errors.size() == 1);
    CHECK(r.warnings.size() == 1);
}

}  // TEST_SUITE
