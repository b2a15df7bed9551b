#!/usr/bin/env bash
# The demo mesh: installs what is missing, builds meshgate, starts a local PostgreSQL 15 with the
# demo warehouse (sales + marketing + bench domains, deploy/demo/), starts meshgate on port 6432
# and prints how to connect. Both keep running after this script exits. Safe to re-run: it reuses
# the cluster and secrets, re-seeds the data, rebuilds and restarts meshgate.
#
# Usage: deploy/demo.sh [start|stop|status|clean]      (as root on Debian 12)
#   start   (default) everything above
#   stop    stop meshgate and the demo PostgreSQL
#   status  show what is running
#   clean   stop, then delete the demo state directory
# Environment: MESHGATE_DEMO_DIR (state, default /var/tmp/meshgate-demo), MESHGATE_DEMO_PORT (6432),
#   MESHGATE_DEMO_ADMIN_PORT (9187), BUILD_DIR (build), NO_DEPS=1 to skip the package install,
#   NO_BUILD=1 to use the binary already in BUILD_DIR.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${MESHGATE_DEMO_DIR:-/var/tmp/meshgate-demo}
PORT=${MESHGATE_DEMO_PORT:-6432}
ADMIN=${MESHGATE_DEMO_ADMIN_PORT:-9187}
BUILD_DIR=${BUILD_DIR:-$REPO/build}
BIN=$BUILD_DIR/meshgate
USERS=(alice bob carol mallory bench)
ACTION=${1:-start}

say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

case "$ACTION" in
    -h|--help|help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    start|stop|status|clean) ;;
    *) die "unknown action '$ACTION' (start|stop|status|clean)" ;;
esac
[ "$(id -u)" = 0 ] || die "run as root (PostgreSQL is started as the postgres user through runuser)"

if [ "$ACTION" = start ] && [ "${NO_DEPS:-0}" != 1 ]; then
    say "installing missing packages (deploy/install-deps.sh)"
    bash "$REPO/deploy/install-deps.sh"
fi

# shellcheck source=../tests/e2e/lib/pg.sh
source "$REPO/tests/e2e/lib/pg.sh"

stop_all() {
    meshgate_stop "$STATE/mg/meshgate.pid"
    pg_cluster_stop "$STATE/pg"
}

case "$ACTION" in
    stop) stop_all; say "stopped"; exit 0 ;;
    clean) [ -d "$STATE" ] && stop_all; rm -rf "$STATE"; say "removed $STATE"; exit 0 ;;
    status)
        if pg_cluster_running "$STATE/pg"; then say "PostgreSQL running on 127.0.0.1:$(pg_cluster_port "$STATE/pg")"
        else say "PostgreSQL not running"; fi
        if [ -f "$STATE/mg/meshgate.pid" ] && pid_alive "$(cat "$STATE/mg/meshgate.pid")"; then
            say "meshgate running (pid $(cat "$STATE/mg/meshgate.pid")) on 127.0.0.1:$PORT"
        else say "meshgate not running"; fi
        exit 0 ;;
esac

# --- build ---------------------------------------------------------------------------------------
if [ "${NO_BUILD:-0}" != 1 ]; then
    say "building meshgate in $BUILD_DIR (Ninja, RelWithDebInfo: the same build tests/run-all.sh uses)"
    cmake -S "$REPO" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$BUILD_DIR" -j "$(nproc)" --target meshgate
fi
[ -x "$BIN" ] || die "the build left no $BIN"

# --- PostgreSQL + data ---------------------------------------------------------------------------
mkdir -p "$STATE"
chmod 755 "$STATE"
if [ ! -f "$STATE/secrets.env" ]; then
    umask 077
    {
        echo "WAREHOUSE_PG_PASSWORD=$(openssl rand -hex 16)"
        echo "MESHGATE_HASH_KEY=$(openssl rand -hex 32)"
    } >"$STATE/secrets.env"
    umask 022
fi
set -a; . "$STATE/secrets.env"; set +a

if [ ! -f "$STATE/pg/data/PG_VERSION" ]; then
    say "creating the demo PostgreSQL cluster in $STATE/pg"
    rm -rf "$STATE/pg"
    pg_cluster_create "$STATE/pg"
fi
if ! pg_cluster_running "$STATE/pg"; then
    pg_cluster_start "$STATE/pg"
fi
PG_PORT=$(pg_cluster_port "$STATE/pg")
say "PostgreSQL 15 on 127.0.0.1:$PG_PORT; seeding the warehouse database"
meshgate_stop "$STATE/mg/meshgate.pid"   # it holds pooled connections to the database we re-create
mesh_seed "$STATE/pg" warehouse "$WAREHOUSE_PG_PASSWORD"

# --- meshgate config -------------------------------------------------------------------------------
MG=$STATE/mg
mkdir -p "$MG/tls"
if [ ! -f "$MG/tls/server.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        -keyout "$MG/tls/server.key" -out "$MG/tls/server.crt" >/dev/null 2>&1
    chmod 600 "$MG/tls/server.key"
fi
for u in "${USERS[@]}"; do
    v=$(meshgate_verifier "$BIN" "$u-demo") || die "meshgate passwd failed"
    export "$(echo "$u" | tr a-z A-Z)_VERIFIER=$v"
done
export LISTEN_PORT=$PORT ADMIN_PORT=$ADMIN PG_PORT DB_NAME=warehouse BACKEND_TLS=prefer
export TLS_CERT=$MG/tls/server.crt TLS_KEY=$MG/tls/server.key AUDIT_PATH=$MG/audit.jsonl
mesh_render_config "$MG"
if ! "$BIN" check --config "$MG/meshgate.yaml"; then
    die "meshgate check rejected $MG/meshgate.yaml"
fi

# --- meshgate ------------------------------------------------------------------------------------
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT is in use by another program; set MESHGATE_DEMO_PORT to another port"
fi
say "starting meshgate on 127.0.0.1:$PORT (log $MG/meshgate.log, audit $MG/audit.jsonl)"
meshgate_start "$BIN" "$MG/meshgate.yaml" "$MG/meshgate.log" "$MG/meshgate.pid" "$PORT" ||
    die "meshgate did not start (log above)"

# A smoke query through the gate proves the whole path before we claim it is ready.
n=$(PGPASSWORD=alice-demo /usr/lib/postgresql/15/bin/psql -X -At \
    "host=127.0.0.1 port=$PORT dbname=mesh user=alice connect_timeout=10" \
    -c "SELECT count(*) FROM sales.customers" 2>&1) || die "smoke query through meshgate failed: $n"

cat <<EOF

meshgate is running on 127.0.0.1:$PORT in front of PostgreSQL 15 on 127.0.0.1:$PG_PORT.
(alice already sees $n customers through it: the EU ones.)

Connect as an analyst (password alice-demo):

    psql "host=127.0.0.1 port=$PORT dbname=mesh user=alice"

and try:

    SELECT id, name, email, phone, card_number, region FROM sales.customers LIMIT 5;
        -- e-mail is a keyed hash, card keeps its last 4 digits, phone is NULL, EU rows only
    SELECT region, count(*) FROM sales.customers GROUP BY region;   -- the own-region row filter
    SELECT * FROM sales.payouts;       -- ERROR 42501: no one has access to this product
    SELECT * FROM public.customers;    -- ERROR 42P01: physical names never resolve
    SET meshgate.purpose = 'marketing';
    SELECT count(*) FROM sales.customers c JOIN marketing.leads l ON l.email = c.email;
        -- the hashed e-mail is a stable join key across domains

Other users (password = <user>-demo): bob (sales-data-team: every region, real phones),
carol (privacy-officers: raw e-mail, US rows), mallory (denied on sales.customers).
TLS works too: add sslmode=require. Policies: $MG/meshgate.yaml and $MG/domains/.
See a decision without running it:

    (set -a; . $STATE/secrets.env; $BIN explain --config $MG/meshgate.yaml --user alice "SELECT email FROM sales.customers")

Metrics: curl -s http://127.0.0.1:$ADMIN/metrics | grep ^meshgate_     Audit: tail -f $MG/audit.jsonl
Stop everything: deploy/demo.sh stop      Status: deploy/demo.sh status
EOF
