// Metrics: every SPEC §7 series is exposed with its labels; label caps; audit counters; hooks.
// No sockets: the registry is serialized in-process. Layer: tests (proxy/metrics).
#include "proxy/metrics/metrics.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace meshgate;
using namespace meshgate::proxy;

namespace {

bool has(const std::string& text, const std::string& line)
{
    return text.find(line + "\n") != std::string::npos;
}

}  // namespace

TEST_SUITE("proxy.metrics")
{
    TEST_CASE("every SPEC series appears with the values recorded")
    {
        Metrics m;
        m.client_connected();
        m.client_connected();
        m.client_disconnected();
        m.record_auth("scram-sha-256", true);
        m.record_auth("scram-sha-256", false);
        m.record_auth("scram-sha-256", false);
        m.record_statement("sales", audit::StatementDecision::Allow);
        m.record_statement("sales", audit::StatementDecision::Deny);
        m.record_statement("", audit::StatementDecision::Error);
        m.observe_statement_duration("sales_pg", 0.003);
        m.observe_rewrite_duration(0.00004);
        m.rewrite_cache_hit();
        m.rewrite_cache_miss();
        m.rewrite_cache_miss();
        m.set_backend_connections("sales_pg", BackendState::Active, 7);
        m.backend_error("sales_pg");
        m.set_backend_up("sales_pg", true);
        m.set_backend_up("other_pg", false);
        m.policy_applied("own-region");
        m.add_bytes(ByteDirection::FromClient, 100);
        m.add_bytes(ByteDirection::ToClient, 2500);
        m.config_reload(true);
        m.config_reload(false);
        m.config_reload(false);

        const auto t = m.serialize();
        CAPTURE(t);
        CHECK(has(t, "meshgate_client_connections 1"));
        CHECK(has(t, "meshgate_auth_total{method=\"scram-sha-256\",result=\"ok\"} 1"));
        CHECK(has(t, "meshgate_auth_total{method=\"scram-sha-256\",result=\"failed\"} 2"));
        CHECK(has(t, "meshgate_statements_total{decision=\"allow\",domain=\"sales\"} 1"));
        CHECK(has(t, "meshgate_statements_total{decision=\"deny\",domain=\"sales\"} 1"));
        CHECK(has(t, "meshgate_statements_total{decision=\"error\",domain=\"none\"} 1"));
        CHECK(has(t, "meshgate_statement_duration_seconds_count{backend=\"sales_pg\"} 1"));
        CHECK(has(
            t, "meshgate_statement_duration_seconds_bucket{backend=\"sales_pg\",le=\"0.0025\"} 0"));
        CHECK(has(
            t, "meshgate_statement_duration_seconds_bucket{backend=\"sales_pg\",le=\"0.005\"} 1"));
        CHECK(has(t, "meshgate_rewrite_duration_seconds_count 1"));
        CHECK(has(t, "meshgate_rewrite_duration_seconds_bucket{le=\"5e-05\"} 1"));
        CHECK(has(t, "meshgate_rewrite_cache_hits_total 1"));
        CHECK(has(t, "meshgate_rewrite_cache_misses_total 2"));
        CHECK(has(t, "meshgate_backend_connections{backend=\"sales_pg\",state=\"active\"} 7"));
        CHECK(has(t, "meshgate_backend_connections{backend=\"sales_pg\",state=\"idle\"} 0"));
        CHECK(has(t, "meshgate_backend_errors_total{backend=\"sales_pg\"} 1"));
        CHECK(has(t, "meshgate_policy_applied_total{policy=\"own-region\"} 1"));
        CHECK(has(t, "meshgate_bytes_total{direction=\"from_client\"} 100"));
        CHECK(has(t, "meshgate_bytes_total{direction=\"to_client\"} 2500"));
        CHECK(has(t, "meshgate_config_reloads_total{result=\"ok\"} 1"));
        CHECK(has(t, "meshgate_config_reloads_total{result=\"error\"} 2"));
        CHECK(has(t, "meshgate_backend_up{backend=\"sales_pg\"} 1"));
        CHECK(has(t, "meshgate_backend_up{backend=\"other_pg\"} 0"));
        CHECK(has(t, "meshgate_audit_queue_depth 0"));
        CHECK(has(t, "meshgate_audit_failures_total 0"));
    }

    TEST_CASE("scrape hooks refresh sampled values and audit totals advance by their difference")
    {
        Metrics m;
        uint64_t failures = 0;
        uint64_t depth = 0;
        m.add_scrape_hook([&] { m.set_audit(depth, failures, 0, failures == 0); });
        depth = 5;
        failures = 3;
        auto t = m.serialize();
        CHECK(has(t, "meshgate_audit_queue_depth 5"));
        CHECK(has(t, "meshgate_audit_failures_total 3"));
        CHECK(has(t, "meshgate_audit_writable 0"));
        failures = 4;
        depth = 0;
        t = m.serialize();
        CHECK(has(t, "meshgate_audit_failures_total 4"));
        CHECK(has(t, "meshgate_audit_queue_depth 0"));
    }

    TEST_CASE("a label keeps at most 1000 values, then counts under other")
    {
        Metrics m;
        for (int i = 0; i < 1005; ++i) {
            m.policy_applied("p" + std::to_string(i));
        }
        const auto t = m.serialize();
        CHECK(has(t, "meshgate_policy_applied_total{policy=\"p999\"} 1"));
        CHECK(t.find("policy=\"p1000\"") == std::string::npos);
        CHECK(has(t, "meshgate_policy_applied_total{policy=\"other\"} 5"));
    }

    TEST_CASE("negative and non-finite durations are not observed")
    {
        Metrics m;
        m.observe_rewrite_duration(-1);
        m.observe_rewrite_duration(0.0 / 0.0);
        m.observe_statement_duration("b", -0.5);
        const auto t = m.serialize();
        CHECK(has(t, "meshgate_rewrite_duration_seconds_count 0"));
        CHECK(t.find("backend=\"b\"") == std::string::npos);
    }
}
