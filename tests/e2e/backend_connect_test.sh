#!/usr/bin/env bash
# End-to-end test of meshgate's backend side (login, TLS modes, column learning) and of the
# `check`, `explain` and `passwd` commands, against a throwaway PostgreSQL 15 cluster that this
# script starts and stops itself. Usage: tests/e2e/backend_connect_test.sh [path/to/meshgate]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${1:-${MESHGATE_BIN:-$REPO/build/meshgate}}
[ -x "$BIN" ] || { echo "meshgate binary not found: $BIN" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
# shellcheck source=lib/pg.sh
source "$HERE/lib/pg.sh"

WORK=$(mktemp -d /tmp/mgbk.XXXXXX)
pg_lib_install_trap rm -rf "$WORK"
chmod 755 "$WORK"

FAILS=0
pass() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; FAILS=$((FAILS + 1)); }
# expect_rc NAME WANT GOT
expect_rc() { if [ "$3" = "$2" ]; then pass "$1 (exit $3)"; else fail "$1: exit $3, expected $2"; fi; }
# expect_in NAME FILE TEXT
expect_in() { if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: '$3' not in output:"; sed 's/^/    /' "$2"; fi; }
expect_not_in() { if ! grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: '$3' unexpectedly in output:"; sed 's/^/    /' "$2"; fi; }

# --- the cluster: one role per authentication method --------------------------------------
PG=$WORK/pg
pg_cluster_create "$PG"
pg_cluster_start "$PG"
pg_psql "$PG" -d postgres >/dev/null <<'SQL'
CREATE DATABASE warehouse;
SET password_encryption = 'scram-sha-256';
CREATE ROLE svc_scram LOGIN PASSWORD 'scram-pw';
SET password_encryption = 'md5';
CREATE ROLE svc_md5 LOGIN PASSWORD 'md5-pw';
CREATE ROLE svc_trust LOGIN;
CREATE ROLE svc_verifier LOGIN;
\c warehouse
CREATE TABLE public.orders (id bigint PRIMARY KEY, total numeric(10,2), placed_at timestamptz,
                            note text);
ALTER TABLE public.orders ADD COLUMN gone int;
ALTER TABLE public.orders DROP COLUMN gone;
ALTER TABLE public.orders ADD COLUMN "Region Code" varchar(8);
GRANT SELECT ON public.orders TO svc_scram, svc_md5, svc_trust, svc_verifier;
SQL
cat >"$PG/data/pg_hba.conf" <<'HBA'
local   all all                  scram-sha-256
host    all svc_trust 127.0.0.1/32 trust
host    all svc_md5   127.0.0.1/32 md5
host    all all       127.0.0.1/32 scram-sha-256
HBA
pg_psql "$PG" -d postgres -c 'SELECT pg_reload_conf()' >/dev/null

# --- meshgate passwd: its verifier must be one PostgreSQL accepts ---------------------------
set +e
VERIFIER=$(printf 'verifier-pw\n' | "$BIN" passwd); rc=$?
set -e
expect_rc "passwd prints a verifier" 0 "$rc"
pg_psql "$PG" -d postgres -v v="$VERIFIER" >/dev/null <<<"ALTER ROLE svc_verifier PASSWORD :'v';"
if PGPASSWORD=verifier-pw /usr/lib/postgresql/15/bin/psql -X -qAt -h 127.0.0.1 -p "$PG_PORT" \
    -U svc_verifier -d warehouse -c 'SELECT 1' >/dev/null 2>&1; then
    pass "PostgreSQL accepts the password behind meshgate's verifier"
else
    fail "PostgreSQL refused the password behind meshgate's verifier ($VERIFIER)"
fi
set +e
printf '\n' | "$BIN" passwd >"$WORK/out" 2>&1; rc=$?
set -e
expect_rc "passwd refuses an empty password" 1 "$rc"

# --- configuration: one backend (and one domain) per login variant --------------------------
CFG=$WORK/cfg
mkdir -p "$CFG/domains"
backend() {  # name user password_env tls [host] [ca_file]
    cat <<YAML
  $1:
    host: ${5:-127.0.0.1}
    port: $PG_PORT
    database: warehouse
    user: $2
    tls: $4
    connect_timeout_ms: 3000
YAML
    [ "$3" != - ] && echo "    password_env: $3"
    [ -n "${6:-}" ] && echo "    ca_file: $6"
    return 0
}
domain() {  # domain backend [source]
    cat >"$CFG/domains/$1.yaml" <<YAML
domain: $1
owners: [group:owners]
backend: $2
products:
  orders:
    source: ${3:-public.orders}
    access: { allow: [group:analysts] }
YAML
}
write_config() {  # pairs of "domain backend-yaml"
    {
        cat <<YAML
listen: { host: 127.0.0.1, port: 6432 }
audit: { path: "-" }
secrets: { hash_key_env: MG_HASH_KEY }
backends:
YAML
        printf '%s' "$BACKENDS"
        cat <<YAML
catalog_backend: $CATALOG
users:
  alice:
    password: "$VERIFIER"
    groups: [analysts]
    search_path: [scram_plain]
domains_dir: domains/
YAML
    } >"$CFG/meshgate.yaml"
}
export MG_HASH_KEY=test-hash-key-of-32-bytes-0123456 SCRAM_PW=scram-pw MD5_PW=md5-pw WRONG_PW=wrong-pw

BACKENDS=$(backend scram_plain svc_scram SCRAM_PW disable
           backend scram_prefer svc_scram SCRAM_PW prefer
           backend scram_require svc_scram SCRAM_PW require
           backend scram_verify svc_scram SCRAM_PW verify-full localhost "$PG/server.crt"
           backend md5_require svc_md5 MD5_PW require
           backend trust_plain svc_trust - disable)
BACKENDS+=$'\n'
CATALOG=scram_plain
for d in scram_plain scram_prefer scram_require scram_verify md5_require trust_plain; do
    domain "$d" "$d"
done
write_config

set +e
"$BIN" check --config "$CFG/meshgate.yaml" >"$WORK/out" 2>&1; rc=$?
set -e
expect_rc "check (offline) accepts the configuration" 0 "$rc"
expect_in "check prints the summary" "$WORK/out" "config OK: 6 domains, 6 products, 1 user, 6 backends"

set +e
"$BIN" check --config "$CFG/meshgate.yaml" --live --timeout-ms 5000 >"$WORK/out" 2>&1; rc=$?
set -e
expect_rc "check --live logs in with scram (disable/prefer/require/verify-full), md5 and trust" 0 "$rc"
expect_in "check --live reports every source found" "$WORK/out" "live: every source found"

# explain learns the columns live and shows them in the rewritten SQL, in physical order.
set +e
"$BIN" explain --config "$CFG/meshgate.yaml" --user alice \
    'SELECT * FROM scram_verify.orders' >"$WORK/out" 2>"$WORK/err"; rc=$?
set -e
expect_rc "explain allows a product on a verify-full backend" 0 "$rc"
expect_in "explain prints the decision" "$WORK/out" "decision: allow"
expect_in "explain prints the route" "$WORK/out" "route:    scram_verify"
expect_in "explain's rewrite lists the learned columns in order" "$WORK/out" '"Region Code"'
if grep -qE 'id.*total.*placed_at.*note.*Region Code' "$WORK/out"; then
    pass "learned columns keep the physical order and skip the dropped one"
else
    fail "learned columns are not in physical order:"; sed 's/^/    /' "$WORK/out"
fi
expect_not_in "the dropped column is not learned" "$WORK/out" "gone"

set +e
"$BIN" explain --config "$CFG/meshgate.yaml" --user nobody 'SELECT 1' >"$WORK/out" 2>&1; rc=$?
set -e
expect_rc "explain refuses an unknown user as a usage error" 2 "$rc"

# --- failures: wrong password, missing source, verify-full against the wrong CA ------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other \
    -keyout "$WORK/other.key" -out "$WORK/other.crt" >/dev/null 2>&1
BACKENDS=$(backend scram_plain svc_scram SCRAM_PW disable
           backend bad_password svc_scram WRONG_PW require
           backend bad_ca svc_scram SCRAM_PW verify-full localhost "$WORK/other.crt")
BACKENDS+=$'\n'
rm -f "$CFG"/domains/*.yaml
domain scram_plain scram_plain public.no_such_table
domain bad_password bad_password
domain bad_ca bad_ca
write_config
set +e
"$BIN" check --config "$CFG/meshgate.yaml" --live --timeout-ms 5000 >"$WORK/out" 2>&1; rc=$?
set -e
expect_rc "check --live fails when a backend refuses or a source is missing" 1 "$rc"
expect_in "a wrong password names the backend and PostgreSQL's reason" "$WORK/out" \
    'cannot learn columns from backend bad_password (1 product(s); statements on them are refused): backend bad_password: password authentication failed for user "svc_scram"'
expect_in "a missing source names the product and the backend" "$WORK/out" \
    "product scram_plain.orders (source public.no_such_table on backend scram_plain): source relation not found"
expect_in "verify-full refuses a server its CA did not sign" "$WORK/out" \
    "TLS handshake with backend bad_ca"
expect_in "the summary counts the errors" "$WORK/out" "3 errors"

# --help of every command exits 0
for c in check explain passwd; do
    set +e
    "$BIN" "$c" --help >"$WORK/out" 2>&1; rc=$?
    set -e
    expect_rc "$c --help" 0 "$rc"
done

if [ "$FAILS" -gt 0 ]; then
    echo "backend_connect_test: $FAILS failure(s)"
    exit 1
fi
echo "backend_connect_test: all passed"
