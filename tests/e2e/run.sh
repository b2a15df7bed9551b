#!/usr/bin/env bash
# End-to-end suite: a fresh PostgreSQL 15 cluster seeded with the demo warehouse, the demo config
# rendered with free ports, a random hash key and verifiers from `meshgate passwd`, then
# `meshgate serve` and the checks in tests/e2e/e2e.py through psql, psycopg2, pgjdbc,
# node-postgres and pgbench. Everything it starts is stopped on exit; the work dir is removed.
#
# Usage: tests/e2e/run.sh [--meshgate BIN] [--keep] [--sanitizer-log] [SUITE...]
#   --meshgate BIN    binary under test (default: build/meshgate)
#   --keep            keep the work dir (/tmp/mgtest.*) for inspection
#   --sanitizer-log   fail when meshgate's log holds an ASan/UBSan/LSan report (sanitized builds)
#   SUITE             cli psql psycopg2 jdbc node pgbench observability, tests/e2e/suites/*.py, reload (default: all)
# Prints `ok`/`FAIL` per check and ends with `N passed, N failed`; exits non-zero on any failure.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$REPO/build/meshgate
KEEP=0
SANCHECK=0
SUITES=()
while [ $# -gt 0 ]; do
    case "$1" in
        --meshgate) BIN=$(readlink -f "$2"); shift 2 ;;
        --keep) KEEP=1; shift ;;
        --sanitizer-log) SANCHECK=1; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) SUITES+=("$1"); shift ;;
    esac
done

# shellcheck source=lib/pg.sh
source "$REPO/tests/e2e/lib/pg.sh"

PASSED=0
FAILED=0
verdict() {  # verdict DESC CONDITION-EXIT-CODE [DETAIL]
    if [ "$2" = 0 ]; then PASSED=$((PASSED + 1)); echo "ok   - [harness] $1"
    else FAILED=$((FAILED + 1)); echo "FAIL - [harness] $1"; [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/       /'
    fi
    return 0
}
finish() { echo "$PASSED passed, $FAILED failed, ${SKIPPED:-0} skipped"; [ "$FAILED" = 0 ]; exit $?; }

if [ ! -x "$BIN" ]; then
    verdict "the meshgate binary exists ($BIN)" 1 "build it first: cmake -S . -B build -G Ninja && cmake --build build"
    finish
fi

E2E_DIR=$(mktemp -d /tmp/mgtest.XXXXXX)
chmod 755 "$E2E_DIR"   # the postgres user must reach $E2E_DIR/pg
if [ "$KEEP" = 1 ]; then
    pg_lib_install_trap echo "e2e: kept $E2E_DIR"
else
    pg_lib_install_trap rm -rf "$E2E_DIR"
fi
export E2E_DIR

t0=$(date +%s%N)
pg_cluster_create "$E2E_DIR/pg"
pg_cluster_start "$E2E_DIR/pg"
export WAREHOUSE_PG_PASSWORD
WAREHOUSE_PG_PASSWORD=$(openssl rand -hex 16)
mesh_seed "$E2E_DIR/pg" warehouse "$WAREHOUSE_PG_PASSWORD"
echo "e2e: PostgreSQL on 127.0.0.1:$PG_PORT seeded in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

MG=$E2E_DIR/mg
vfail=""
for u in alice bob carol mallory bench; do
    meshgate_verifier "$BIN" "$u-demo" >/dev/null || vfail="$vfail $u"
done
verdict "meshgate passwd makes a verifier for every demo user" "$([ -z "$vfail" ]; echo $?)" "failed for:$vfail"
started=1
[ -z "$vfail" ] && mesh_gate_up "$BIN" "$MG" && started=0
verdict "meshgate serve starts and listens" "$started" "$(tail -n 30 "$MG/meshgate.log" 2>/dev/null)"
if [ "$started" != 0 ]; then
    finish
fi
echo "e2e: meshgate $("$BIN" --version 2>&1 | head -1) on 127.0.0.1:$LISTEN_PORT (admin $ADMIN_PORT), work dir $E2E_DIR"

export MG_BIN=$BIN MG_CONFIG=$MG/meshgate.yaml MG_PORT=$LISTEN_PORT MG_ADMIN_PORT=$ADMIN_PORT
export MG_AUDIT=$MG/audit.jsonl MG_TLS_CERT=$MG/tls/server.crt PG_DIR=$E2E_DIR/pg
export PG_SUPERPW
PG_SUPERPW=$(cat "$E2E_DIR/pg/superuser.pw")
export E2E_CACHE=${MESHGATE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshgate-tests}

set +e
# A hung client or gate cannot hold the suite forever: the whole driver is bounded too.
timeout -k 10 "${E2E_TIMEOUT:-900}" /usr/bin/python3 "$REPO/tests/e2e/e2e.py" "${SUITES[@]+"${SUITES[@]}"}" |
    tee "$E2E_DIR/e2e.out"
py_rc=${PIPESTATUS[0]}
set -e
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$E2E_DIR/e2e.out" | tail -1)
if [ -n "$summary" ]; then
    PASSED=$((PASSED + $(echo "$summary" | cut -d' ' -f1)))
    FAILED=$((FAILED + $(echo "$summary" | cut -d' ' -f3 | tr -d ,)))
    SKIPPED=$(echo "$summary" | awk -F', ' '{print $3}' | cut -d' ' -f1)
fi
verdict "the e2e driver completed" "$([ -n "$summary" ] && [ "$py_rc" -le 1 ]; echo $?)" "exit code $py_rc"

alive=1; pid_alive "$(cat "$MG/meshgate.pid")" && alive=0
verdict "meshgate is still running after the suites" "$alive" "$(tail -n 40 "$MG/meshgate.log")"
t_stop=$(date +%s%N)
meshgate_stop "$MG/meshgate.pid"
stop_ms=$(( ($(date +%s%N) - t_stop) / 1000000 ))
verdict "meshgate stops on SIGTERM within 15s (${stop_ms} ms)" "$([ "$stop_ms" -lt 15000 ]; echo $?)"
if [ "$SANCHECK" = 1 ]; then
    # The shared gate's log and those of the gates suites start themselves (under $E2E_DIR).
    mapfile -t logs < <(find "$E2E_DIR" -name '*.log' -type f -not -path "$E2E_DIR/pg/*" 2>/dev/null)
    pattern='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:'
    reports=$(grep -l -E "$pattern" "${logs[@]}" 2>/dev/null | head -5 || true)
    verdict "no sanitizer reports in the logs of meshgate (${#logs[@]} logs)" "$([ -z "$reports" ]; echo $?)" \
        "$(for f in $reports; do echo "== $f"; grep -E -A25 "$pattern" "$f" | head -60; done)"
fi
if [ "$FAILED" != 0 ]; then
    echo "--- last lines of meshgate's log ($MG/meshgate.log)"
    tail -n 40 "$MG/meshgate.log" || true
fi
finish
