#!/usr/bin/env bash
# The demo mesh: installs what is missing, builds meshgate, starts three local PostgreSQL 15
# clusters — "sales" (the sales and bench domains), "marketing" (the marketing domain) and
# "federation" (postgres_fdw: where statements joining domains of both clusters run) — seeds them
# from deploy/demo/seed.sql, starts meshgate on port 6432 with deploy/demo/mesh.yaml.in and the
# domain files of deploy/demo/domains/, runs a few example queries and prints how to connect.
# Everything keeps running after this script exits. Safe to re-run: it reuses the clusters and
# secrets, re-seeds the data, rebuilds and restarts meshgate.
#
# Usage: deploy/demo.sh [start|stop|status|clean]      (as root on Debian 12)
#   start   (default) everything above
#   stop    stop meshgate and the three demo clusters
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
CLUSTERS=(sales marketing federation)
# The cluster (backend) of each demo domain. The domain files say `backend: warehouse` (the tests
# run them on one warehouse); the demo renders them with these backends instead.
declare -A DOMAIN_BACKEND=([sales]=sales_pg [bench]=sales_pg [marketing]=marketing_pg)
ACTION=${1:-start}

say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

case "$ACTION" in
    -h|--help|help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
    local c
    meshgate_stop "$STATE/mg/meshgate.pid"
    for c in "${CLUSTERS[@]}"; do pg_cluster_stop "$STATE/pg-$c"; done
    pg_cluster_stop "$STATE/pg"   # the single-cluster layout of earlier versions of this demo
}

case "$ACTION" in
    stop) stop_all; say "stopped"; exit 0 ;;
    clean) [ -d "$STATE" ] && stop_all; rm -rf "$STATE"; say "removed $STATE"; exit 0 ;;
    status)
        for c in "${CLUSTERS[@]}"; do
            if pg_cluster_running "$STATE/pg-$c"; then
                say "PostgreSQL \"$c\" running on 127.0.0.1:$(pg_cluster_port "$STATE/pg-$c")"
            else say "PostgreSQL \"$c\" not running"; fi
        done
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
touch "$STATE/secrets.env"
chmod 600 "$STATE/secrets.env"
for key in SALES_PG_PASSWORD MARKETING_PG_PASSWORD FEDERATION_PG_PASSWORD MESHGATE_HASH_KEY; do
    grep -q "^$key=" "$STATE/secrets.env" || echo "$key=$(openssl rand -hex 24)" >>"$STATE/secrets.env"
done
set -a; . "$STATE/secrets.env"; set +a

meshgate_stop "$STATE/mg/meshgate.pid"   # it holds pooled connections to the databases we re-create
if [ -d "$STATE/pg" ]; then               # the earlier single-cluster layout: replaced by the mesh
    pg_cluster_stop "$STATE/pg"
    rm -rf "$STATE/pg"
fi
for c in "${CLUSTERS[@]}"; do
    if [ ! -f "$STATE/pg-$c/data/PG_VERSION" ]; then
        say "creating the demo PostgreSQL cluster \"$c\" in $STATE/pg-$c"
        rm -rf "$STATE/pg-$c"
        pg_cluster_create "$STATE/pg-$c"
    fi
    pg_cluster_running "$STATE/pg-$c" || pg_cluster_start "$STATE/pg-$c"
done
SALES_PG_PORT=$(pg_cluster_port "$STATE/pg-sales")
MARKETING_PG_PORT=$(pg_cluster_port "$STATE/pg-marketing")
FEDERATION_PG_PORT=$(pg_cluster_port "$STATE/pg-federation")
export SALES_PG_PORT MARKETING_PG_PORT FEDERATION_PG_PORT

# Both data clusters are seeded from the same demo data, then each keeps only its domains'
# tables: sales (public.*) and bench (pgbench_*) on one, marketing (crm.*) on the other.
say "seeding cluster sales (127.0.0.1:$SALES_PG_PORT) and cluster marketing (127.0.0.1:$MARKETING_PG_PORT)"
mesh_seed "$STATE/pg-sales" sales "$SALES_PG_PASSWORD"
pg_psql "$STATE/pg-sales" -d sales -c "DROP SCHEMA crm CASCADE"
mesh_seed "$STATE/pg-marketing" marketing "$MARKETING_PG_PASSWORD"
pg_psql "$STATE/pg-marketing" -d marketing -c "DROP TABLE public.payouts, public.orders,
    public.customers, public.pgbench_accounts, public.pgbench_branches, public.pgbench_tellers,
    public.pgbench_history CASCADE"

# The federation cluster: postgres_fdw, created here as the postgres superuser, and a service
# account that may use it and create the schemas meshgate keeps its foreign tables in.
say "preparing the federation cluster (127.0.0.1:$FEDERATION_PG_PORT): postgres_fdw"
pg_psql "$STATE/pg-federation" -d postgres -c "DROP DATABASE IF EXISTS federation WITH (FORCE)" \
    -c "CREATE DATABASE federation"
pg_psql "$STATE/pg-federation" -d federation -v svcpw="$FEDERATION_PG_PASSWORD" >/dev/null <<'SQL'
SET password_encryption = 'scram-sha-256';
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'meshgate') AS need_role \gset
\if :need_role
CREATE ROLE meshgate LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
\endif
ALTER ROLE meshgate PASSWORD :'svcpw';
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
REVOKE ALL ON DATABASE federation FROM PUBLIC;
GRANT CONNECT, CREATE ON DATABASE federation TO meshgate;
GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO meshgate;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL

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
export LISTEN_PORT=$PORT ADMIN_PORT=$ADMIN
export TLS_CERT=$MG/tls/server.crt TLS_KEY=$MG/tls/server.key AUDIT_PATH=$MG/audit.jsonl
rm -rf "$MG/domains"
mkdir -p "$MG/domains"
mapping=()
for d in "${!DOMAIN_BACKEND[@]}"; do mapping+=("$d=${DOMAIN_BACKEND[$d]}"); done
"$PY" - "$REPO/deploy/demo" "$MG" "${mapping[@]}" <<'PY' || die "cannot render the demo configuration"
import os, re, sys, pathlib
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
backend = dict(a.split("=", 1) for a in sys.argv[3:])
def render(text, where):
    missing = sorted({m for m in re.findall(r"\$\{([A-Z0-9_]+)\}", text) if m not in os.environ})
    if missing:
        sys.exit(f"{where}: unset variables: {', '.join(missing)}")
    return re.sub(r"\$\{([A-Z0-9_]+)\}", lambda m: os.environ[m.group(1)], text)
(out / "meshgate.yaml").write_text(render((src / "mesh.yaml.in").read_text(), "mesh.yaml.in"))
for d in sorted((src / "domains").glob("*.yaml")):
    if d.stem not in backend:
        sys.exit(f"{d}: no cluster for domain {d.stem} (DOMAIN_BACKEND in deploy/demo.sh)")
    text, n = re.subn(r"(?m)^backend: warehouse$", f"backend: {backend[d.stem]}",
                      render(d.read_text(), d.name))
    if n != 1:
        sys.exit(f"{d}: expected exactly one 'backend: warehouse' line")
    (out / "domains" / d.name).write_text(text)
PY
# --live: every product's source is read on its cluster, as the daemon will.
if ! "$BIN" check --config "$MG/meshgate.yaml" --live; then
    die "meshgate check --live rejected $MG/meshgate.yaml"
fi

# --- meshgate ------------------------------------------------------------------------------------
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT is in use by another program; set MESHGATE_DEMO_PORT to another port"
fi
say "starting meshgate on 127.0.0.1:$PORT (log $MG/meshgate.log, audit $MG/audit.jsonl)"
meshgate_start "$BIN" "$MG/meshgate.yaml" "$MG/meshgate.log" "$MG/meshgate.pid" "$PORT" ||
    die "meshgate did not start (log above)"

# A smoke query through the gate proves the whole path before we claim it is ready.
PSQL=/usr/lib/postgresql/15/bin/psql
n=$(PGPASSWORD=alice-demo "$PSQL" -X -At \
    "host=127.0.0.1 port=$PORT dbname=mesh user=alice connect_timeout=10" \
    -c "SELECT count(*) FROM sales.customers" 2>&1) || die "smoke query through meshgate failed: $n"

# A few example queries as alice; each prints its rows, or the error meshgate answered.
example() {
    printf '\n\033[1m-- %s\033[0m\n%s\n' "$1" "$2"
    PGPASSWORD=alice-demo PGOPTIONS="-c meshgate.purpose=marketing" "$PSQL" -X -P pager=off \
        "host=127.0.0.1 port=$PORT dbname=mesh user=alice connect_timeout=10" -c "$2" 2>&1 |
        sed 's/^/    /' || true
}
say "example queries as alice (purpose marketing):"
example "the catalog: every product of the mesh, and whether alice may read it" \
    "SELECT domain, product, accessible, description FROM mesh.products ORDER BY domain, product;"
example "a product: hashed e-mail, last 4 card digits, no phone, EU rows only" \
    "SELECT id, name, email, phone, card_number, region FROM sales.customers ORDER BY id LIMIT 3;"
example "a cross-domain join: sales (cluster sales) x marketing (cluster marketing), run on the federation cluster" \
    "SELECT l.region, count(*) AS customers_from_leads FROM sales.customers c JOIN marketing.leads l ON l.email = c.email GROUP BY l.region ORDER BY 1;"

cat <<EOF

meshgate is running on 127.0.0.1:$PORT in front of three PostgreSQL 15 clusters:
    sales       127.0.0.1:$SALES_PG_PORT   domains sales, bench
    marketing   127.0.0.1:$MARKETING_PG_PORT   domain marketing
    federation  127.0.0.1:$FEDERATION_PG_PORT   postgres_fdw: statements that join domains of both run here
(alice already sees $n customers through it: the EU ones.)

Connect as an analyst (password alice-demo):

    psql "host=127.0.0.1 port=$PORT dbname=mesh user=alice"

and try:

    SELECT * FROM mesh.products;       -- every product; accessible = may alice read it
    SELECT * FROM mesh.columns WHERE domain = 'sales';   -- columns, types, tags, masked for alice
    SELECT * FROM mesh.whoami;         -- user, groups, attributes, purpose of this session
    SELECT id, name, email, phone, card_number, region FROM sales.customers LIMIT 5;
        -- e-mail is a keyed hash, card keeps its last 4 digits, phone is NULL, EU rows only
    SELECT region, count(*) FROM sales.customers GROUP BY region;   -- the own-region row filter
    SELECT * FROM sales.payouts;       -- ERROR 42501: no one has access to this product
    SELECT * FROM public.customers;    -- ERROR 42P01: physical names never resolve
    SET meshgate.purpose = 'marketing';
    SELECT count(*) FROM sales.customers c JOIN marketing.leads l ON l.email = c.email;
        -- two domains on two clusters; the hashed e-mail is a stable join key

Other users (password = <user>-demo): bob (sales-data-team: every region, real phones),
carol (privacy-officers: raw e-mail, US rows), mallory (denied on sales.customers).
TLS works too: add sslmode=require. Policies: $MG/meshgate.yaml and $MG/domains/.
Guides: docs/analysts.md (connect, discover, purposes), docs/domain-owners.md (domain files).
See a decision without running it:

    (set -a; . $STATE/secrets.env; $BIN explain --config $MG/meshgate.yaml --user alice "SELECT email FROM sales.customers")

Metrics: curl -s http://127.0.0.1:$ADMIN/metrics | grep ^meshgate_     Audit: tail -f $MG/audit.jsonl
Stop everything: deploy/demo.sh stop      Status: deploy/demo.sh status
EOF
