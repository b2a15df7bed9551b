#!/usr/bin/env bash
# Fails when a pure layer (STYLE §1) reaches for I/O: Asio, sockets, clocks, or libpg_query outside
# policy/sql/. Usage: tests/lint/layering.sh [repo-root]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"
fail=0
report() { echo "layering: $1"; fail=1; }

pure_dirs=(common proxy/wire policy auth config)
for d in "${pure_dirs[@]}"; do
    [ -d "$d" ] || continue
    while IFS= read -r hit; do
        report "$hit: pure layer '$d' must not use Asio, sockets or the clock"
    done < <(grep -rnE '#include *[<"](boost/asio|sys/socket\.h|netinet/|arpa/inet\.h|sys/epoll\.h)|(system_clock|steady_clock|high_resolution_clock)::now\(|\btime\(nullptr\)|\bgettimeofday\(' \
        --include='*.hpp' --include='*.cpp' "$d" || true)
done

# libpg_query and protobuf-c types stay inside policy/sql/.
while IFS= read -r hit; do
    report "$hit: libpg_query is used only in policy/sql/"
done < <(grep -rnE '#include *[<"](pg_query|protobuf-c)' --include='*.hpp' --include='*.cpp' \
    common proxy policy auth config 2>/dev/null | grep -v '^policy/sql/' || true)

# Nothing in the pure layers may include the proxy layer (dependencies point inward).
for d in common proxy/wire policy auth config; do
    [ -d "$d" ] || continue
    while IFS= read -r hit; do
        report "$hit: '$d' must not depend on the outer proxy layer"
    done < <(grep -rnE '#include *"proxy/(session|server|backend|io|cli|tls)' --include='*.hpp' --include='*.cpp' "$d" || true)
done

# Coroutines of the multi-threaded daemon run on strands: a parallel group (with_timeout's `||`)
# launched on the bare io_context can be completed by another thread mid-launch (use-after-free).
while IFS= read -r hit; do
    report "$hit: spawn on a strand (asio::make_strand), not on the multi-threaded io_context"
done < <(grep -rnE 'co_spawn\( *ctx *,|co_spawn\( *ctx\.get_executor\(\)' --include='*.cpp' --include='*.hpp' proxy || true)

if [ "$fail" -ne 0 ]; then
    echo "layering: FAILED"
    exit 1
fi
echo "layering: ok"
