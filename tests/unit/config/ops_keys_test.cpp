// The operations keys: log_format, log_level, watch, limits.drain_timeout_ms,
// admin.health_check_interval_ms (defaults and errors). Layer: tests (config).
#include "config/load.hpp"

#include "config/fake_environment.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace meshgate::config;
using meshgate::config::testing::dump;
using meshgate::config::testing::FakeEnvironment;

namespace {

constexpr const char* kBackend =
    "backends:\n  pg:\n    database: db\n    user: u\n    password: p\n";

LoadResult load(const std::string& extra)
{
    FakeEnvironment fake;
    return load_config_text(std::string(kBackend) + extra, "/etc/mg/meshgate.yaml", {}, fake.env());
}

}  // namespace

TEST_SUITE("config.ops") {
TEST_CASE("safe defaults when the operations keys are absent")
{
    const auto r = load("");
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    CHECK(r.snapshot->log_format == LogFormat::Text);
    CHECK(r.snapshot->log_level.empty());
    CHECK_FALSE(r.snapshot->watch);
    CHECK(r.snapshot->limits.drain_timeout_ms == 30000);
    CHECK(r.snapshot->limits.auth_timeout_ms > 0);
    CHECK(r.snapshot->admin.health_check_interval_ms == 5000);
}

TEST_CASE("the operations keys are read")
{
    const auto r = load("log_format: json\nlog_level: debug\nwatch: true\n"
                        "limits:\n  drain_timeout_ms: 1500\n"
                        "admin:\n  health_check_interval_ms: 250\n");
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    CHECK(r.snapshot->log_format == LogFormat::Json);
    CHECK(r.snapshot->log_level == "debug");
    CHECK(r.snapshot->watch);
    CHECK(r.snapshot->limits.drain_timeout_ms == 1500);
    CHECK(r.snapshot->admin.health_check_interval_ms == 250);
}

TEST_CASE("bad values are errors with their position")
{
    SUBCASE("log_format")
    {
        const auto r = load("log_format: xml\n");
        REQUIRE_FALSE(r.ok());
        CHECK(r.errors[0].where.line == 6);
        CHECK(r.errors[0].message.find("log_format") != std::string::npos);
    }
    SUBCASE("drain_timeout_ms")
    {
        const auto r = load("limits:\n  drain_timeout_ms: -1\n");
        REQUIRE_FALSE(r.ok());
        CHECK(r.errors[0].where.line == 7);
    }
    SUBCASE("health_check_interval_ms")
    {
        const auto r = load("admin:\n  health_check_interval_ms: 5\n");
        REQUIRE_FALSE(r.ok());
        CHECK(r.errors[0].message.find("health_check_interval_ms") != std::string::npos);
    }
}
}
