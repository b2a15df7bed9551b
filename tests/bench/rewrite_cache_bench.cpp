// Micro-benchmark of the policy engine per statement: pg_query_scan, pg_query_normalize,
// normalize_for_cache, decide() uncached, and RewriteCache hits, for pgbench's lookup with a new
// literal each time. Not part of the build; compile against a build tree:
//   g++ -std=c++20 -O2 -I. -Itests/unit/policy tests/bench/rewrite_cache_bench.cpp \
//       tests/unit/policy/support/fixtures.cpp build/libmeshgate_policy.a build/libmeshgate_config.a build/libmeshgate_auth.a build/libmeshgate_common.a \
//       /usr/lib/x86_64-linux-gnu/libpg_query.a -lyaml-cpp -lcrypto -o /tmp/rcbench && /tmp/rcbench
#include "policy/decide.hpp"
#include "policy/rewrite_cache.hpp"
#include "policy/sql/normalize.hpp"
#include "policy/audit/statement_event.hpp"
#include "policy/sql/pg_handles.hpp"
#include "support/fixtures.hpp"

#include <pg_query.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <string>
#include <vector>

using namespace meshgate;

template <class F>
double per_call_us(int n, F&& f)
{
    for (int i = 0; i < 200; ++i) {
        f(i);
    }
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        f(i);
    }
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
}

int main()
{
    auto snap = policy::fixtures::make_snapshot();
    snap.generation = 1;
    const auto who = policy::fixtures::identity("bench");
    std::vector<std::string> sqls;
    for (int i = 0; i < 5000; ++i) {
        sqls.push_back("SELECT abalance FROM bench.pgbench_accounts WHERE aid = " +
                       std::to_string(1 + (i * 7919) % 1000000) + ";");
    }
    auto at = [&](int i) -> const std::string& { return sqls[size_t(i) % sqls.size()]; };
    size_t sink = 0;
    const int n = 20000;
    std::printf("pg_query_scan            %7.2f us\n", per_call_us(n, [&](int i) {
        auto r = pg_query_scan(at(i).c_str()); sink += r.pbuf.len; pg_query_free_scan_result(r); }));
    std::printf("pg_query_normalize       %7.2f us\n", per_call_us(n, [&](int i) {
        auto r = pg_query_normalize(at(i).c_str()); sink += r.normalized_query ? 1 : 0; pg_query_free_normalize_result(r); }));
    std::printf("pg_query_fingerprint     %7.2f us\n", per_call_us(n, [&](int i) {
        auto r = pg_query_fingerprint(at(i).c_str()); sink += r.fingerprint; pg_query_free_fingerprint_result(r); }));
    std::printf("normalize_for_cache      %7.2f us\n", per_call_us(n, [&](int i) {
        sink += policy::sql::normalize_for_cache(at(i)).text.size(); }));
    std::printf("normalize_for_audit      %7.2f us\n", per_call_us(n, [&](int i) {
        sink += policy::sql::normalize_for_audit(at(i)).statement.size(); }));
    std::printf("decide (uncached)        %7.2f us\n", per_call_us(2000, [&](int i) {
        sink += policy::decide(at(i), who, snap, policy::Protocol::Simple).is_allow(); }));
    policy::RewriteCache cache;
    std::printf("RewriteCache::decide hit %7.2f us\n", per_call_us(n, [&](int i) {
        sink += cache.decide(at(i), who, snap, policy::Protocol::Simple).is_allow(); }));
    std::printf("(hits %llu, misses %llu)\n", (unsigned long long)cache.hits(), (unsigned long long)cache.misses());
    // Lock contention: 2 threads hitting one cache with 1 shard (one mutex) and with 16.
    for (size_t shards : {size_t(1), size_t(16)}) {
        policy::RewriteCacheLimits lim;
        lim.shards = shards;
        policy::RewriteCache shared(lim);
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::thread> ts;
        for (int t = 0; t < 2; ++t) {
            ts.emplace_back([&, t] {
                for (int i = 0; i < n; ++i) {
                    sink += shared.decide(at(i + t * 17), who, snap, policy::Protocol::Simple).is_allow();
                }
            });
        }
        for (auto& th : ts) {
            th.join();
        }
        const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
        std::printf("2 threads, %2zu shard(s)   %7.2f us wall per lookup (%d lookups)\n", shards, us / (2 * n), 2 * n);
    }
    return sink == 0 ? 1 : 0;
}
