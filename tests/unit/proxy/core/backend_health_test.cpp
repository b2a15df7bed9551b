// BackendHealth: readiness from the last check of each backend. Layer: tests (proxy).
#include "proxy/backend/backend_health.hpp"

#include "proxy/log.hpp"

#include <doctest/doctest.h>

using meshgate::proxy::BackendHealth;

TEST_SUITE("proxy.backend_health") {
TEST_CASE("not ready until every backend was checked and up; ready again when it returns")
{
    meshgate::proxy::set_log_level(meshgate::proxy::LogLevel::Off);
    BackendHealth h;
    std::string why;
    CHECK_FALSE(h.ready({"a", "b"}, why));
    CHECK(why == "backend a: not checked yet");
    h.record("a", true, "");
    CHECK_FALSE(h.ready({"a", "b"}, why));
    CHECK(why == "backend b: not checked yet");
    h.record("b", false, "connection refused");
    CHECK_FALSE(h.ready({"a", "b"}, why));
    CHECK(why == "backend b: not reachable: connection refused");
    CHECK(h.ready({"a"}, why));
    h.record("b", true, "");
    CHECK(h.ready({"a", "b"}, why));
    CHECK(h.states().at("b").error.empty());
    h.retain({"a"});
    CHECK(h.states().count("b") == 0);
    CHECK(h.ready({}, why));
    meshgate::proxy::set_log_level(meshgate::proxy::LogLevel::Info);
}
}
