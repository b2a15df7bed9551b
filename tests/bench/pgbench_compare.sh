#!/usr/bin/env bash
# Throughput of meshgate against direct PostgreSQL and PgBouncer, in one run on one cluster:
# `pgbench -n -S` with N clients, simple and `-M prepared` protocol, T seconds per leg; meshgate in
# session pool mode and in transaction pool mode (pool_size 20, as PgBouncer's default_pool_size),
# PgBouncer in transaction mode (and session mode for -M prepared). The
# benchmark tables are products of the `bench` domain with a null mask on `filler` (a column
# pgbench -S never reads), so meshgate parses, decides and rewrites every statement for real.
# PgBouncer 1.18 in transaction mode breaks `-M prepared` (TOOLCHAIN §5), so its prepared leg
# uses a session-mode pool. All client links are plaintext; meshgate's link to PostgreSQL is
# plaintext too (BACKEND_TLS=disable), like PgBouncer's, so the legs compare like with like.
# Not part of the test suite.
#
# Usage: tests/bench/pgbench_compare.sh [-T SECONDS] [-c CLIENTS] [-j THREADS] [-s SCALE] [--meshgate BIN]
#   defaults: -T 10 -c 16 -j 2 -s 10, BIN = build/meshgate
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=10 C=16 J=2 S=10 BIN=$REPO/build/meshgate
while [ $# -gt 0 ]; do
    case "$1" in
        -T) T=$2; shift 2 ;;
        -c) C=$2; shift 2 ;;
        -j) J=$2; shift 2 ;;
        -s) S=$2; shift 2 ;;
        --meshgate) BIN=$(readlink -f "$2"); shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x "$BIN" ] || { echo "no meshgate binary at $BIN (build it first)" >&2; exit 1; }

source "$REPO/tests/e2e/lib/pg.sh"
W=$(mktemp -d /tmp/mgbench.XXXXXX)
chmod 755 "$W"
pg_lib_install_trap rm -rf "$W"

echo "bench: cluster, scale $S, $C clients, $J threads, ${T}s per leg"
pg_cluster_create "$W/pg"
pg_cluster_start "$W/pg"
export WAREHOUSE_PG_PASSWORD
WAREHOUSE_PG_PASSWORD=$(openssl rand -hex 16)
PGBENCH_SCALE=$S mesh_seed "$W/pg" warehouse "$WAREHOUSE_PG_PASSWORD"
BACKEND_TLS=disable mesh_gate_up "$BIN" "$W/mg" || { echo "meshgate did not start" >&2; exit 1; }
VERIFIER=$(pg_psql "$W/pg" -d postgres -Atc "SELECT rolpassword FROM pg_authid WHERE rolname = 'meshgate'")
BT=$(free_port); BS=$(free_port)
pgbouncer_start "$W/bouncer-tx" "$BT" "$PG_PORT" warehouse meshgate "$VERIFIER" transaction
pgbouncer_start "$W/bouncer-session" "$BS" "$PG_PORT" warehouse meshgate "$VERIFIER" session

# A second meshgate in transaction pool mode: the same rendered config and domains, its own
# ports and audit log, pool_size 20 (PgBouncer's default_pool_size above).
cp -a "$W/mg" "$W/mgtx"
rm -f "$W/mgtx/audit.jsonl" "$W/mgtx/meshgate.log" "$W/mgtx/meshgate.pid"
TXP=$(free_port); TXA=$(free_port)
sed -i -e "s#$W/mg/#$W/mgtx/#g" -e "s/^pool_mode: session/pool_mode: transaction/" \
    -e "s/^  port: $LISTEN_PORT\$/  port: $TXP/" -e "s/^  port: $ADMIN_PORT\$/  port: $TXA/" \
    -e "s/^    pool_size: .*/    pool_size: 20/" "$W/mgtx/meshgate.yaml"
grep -q '^pool_mode: transaction' "$W/mgtx/meshgate.yaml" || { echo "could not make the tx config" >&2; exit 1; }
meshgate_start "$BIN" "$W/mgtx/meshgate.yaml" "$W/mgtx/meshgate.log" "$W/mgtx/meshgate.pid" "$TXP" ||
    { echo "meshgate (transaction pool mode) did not start" >&2; exit 1; }

declare -A TPS LAT
leg() {  # leg NAME MODE PORT USER PASSWORD DB
    local name=$1 mode=$2 port=$3 user=$4 pw=$5 db=$6 out
    out=$(PGPASSWORD=$pw timeout $((T + 60)) /usr/lib/postgresql/15/bin/pgbench -n -S -M "$mode" \
        -c "$C" -j "$J" -T "$T" -h 127.0.0.1 -p "$port" -U "$user" "$db" 2>&1) || true
    local failed tps lat
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
    if [ -z "$tps" ] || [ "${failed:-1}" != 0 ]; then
        echo "  $name: FAILED"; sed 's/^/    | /' <<<"$out" | tail -8
        TPS[$name]=""; LAT[$name]=""
    else
        printf '  %-26s %10.0f tps  %6.3f ms\n' "$name" "$tps" "$lat"
        TPS[$name]=$tps; LAT[$name]=$lat
    fi
}

echo "bench: running legs"
leg "direct simple"             simple   "$PG_PORT"     meshgate "$WAREHOUSE_PG_PASSWORD" warehouse
leg "pgbouncer(tx) simple"      simple   "$BT"          meshgate "$WAREHOUSE_PG_PASSWORD" warehouse
leg "meshgate simple"           simple   "$LISTEN_PORT" bench    bench-demo              mesh
leg "meshgate(tx) simple"       simple   "$TXP"         bench    bench-demo              mesh
leg "pgbouncer(tx) extended"    extended "$BT"          meshgate "$WAREHOUSE_PG_PASSWORD" warehouse
leg "meshgate(tx) extended"     extended "$TXP"         bench    bench-demo              mesh
leg "direct prepared"           prepared "$PG_PORT"     meshgate "$WAREHOUSE_PG_PASSWORD" warehouse
leg "pgbouncer(session) prep."  prepared "$BS"          meshgate "$WAREHOUSE_PG_PASSWORD" warehouse
leg "meshgate prepared"         prepared "$LISTEN_PORT" bench    bench-demo              mesh
leg "meshgate(tx) prepared"     prepared "$TXP"         bench    bench-demo              mesh

num() { [ -n "${TPS[$1]}" ] && printf '%.0f' "${TPS[$1]}" || echo n/a; }
ratio() { [ -n "${TPS[$1]}" ] && [ -n "${TPS[$2]}" ] && awk -v a="${TPS[$1]}" -v b="${TPS[$2]}" 'BEGIN{printf "%.2f", a/b}' || echo n/a; }
echo
echo "pgbench -S, $C clients, ${T}s, scale $S, $(nproc) cores shared by pgbench, PostgreSQL and the proxy"
printf '%-10s %12s %16s %12s %18s %18s\n' protocol direct pgbouncer meshgate meshgate/direct meshgate/pgbouncer
printf '%-10s %12s %16s %12s %18s %18s\n' simple "$(num "direct simple")" "$(num "pgbouncer(tx) simple")" \
    "$(num "meshgate simple")" "$(ratio "meshgate simple" "direct simple")" "$(ratio "meshgate simple" "pgbouncer(tx) simple")"
printf '%-10s %12s %16s %12s %18s %18s\n' prepared "$(num "direct prepared")" "$(num "pgbouncer(session) prep.")" \
    "$(num "meshgate prepared")" "$(ratio "meshgate prepared" "direct prepared")" \
    "$(ratio "meshgate prepared" "pgbouncer(session) prep.")"
echo "(pgbouncer prepared = session pool: 1.18 in transaction mode fails -M prepared with \"prepared statement already exists\")"
echo
echo "transaction pool mode (meshgate pool_size 20, pgbouncer default_pool_size 20)"
printf '%-10s %16s %14s %18s\n' protocol pgbouncer\(tx\) meshgate\(tx\) meshgate/pgbouncer
printf '%-10s %16s %14s %18s\n' simple "$(num "pgbouncer(tx) simple")" "$(num "meshgate(tx) simple")" \
    "$(ratio "meshgate(tx) simple" "pgbouncer(tx) simple")"
printf '%-10s %16s %14s %18s\n' extended "$(num "pgbouncer(tx) extended")" "$(num "meshgate(tx) extended")" \
    "$(ratio "meshgate(tx) extended" "pgbouncer(tx) extended")"
printf '%-10s %16s %14s %18s\n' prepared "n/a (fails)" "$(num "meshgate(tx) prepared")" n/a
