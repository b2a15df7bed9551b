# Shell library for the end-to-end tests, the demo and the benchmark: a throwaway PostgreSQL 15
# cluster run as the `postgres` user, the demo mesh seeded into it, meshgate and PgBouncer in the
# background. Source it from bash; every wait is bounded and every daemon is stopped by the trap
# that `pg_lib_install_trap` sets (or explicitly by the caller).
#
# Functions (all return non-zero on failure and print why on stderr):
#   free_port                         print a free loopback TCP port
#   wait_port HOST PORT SECONDS [PID] wait until HOST:PORT accepts (fails early if PID dies)
#   pg_cluster_create DIR             initdb in DIR/data, TLS cert, scram, conf with a free port
#   pg_cluster_start DIR              start it (retries on a port clash); sets PG_PORT
#   pg_cluster_stop DIR               pg_ctl stop -m fast -w, fallback kill -INT on the postmaster
#   pg_psql DIR [psql args...]        psql as the superuser over the unix socket in DIR
#   mesh_seed DIR DBNAME SVC_PASSWORD seed the demo warehouse (deploy/demo/seed.sql + pgbench tables)
#   mesh_render_config OUTDIR         write OUTDIR/meshgate.yaml + OUTDIR/domains from deploy/demo
#   meshgate_start BIN CONFIG LOG PIDFILE PORT   start `meshgate serve` in the background
#   meshgate_stop PIDFILE             SIGTERM, bounded wait, SIGKILL
#   pgbouncer_start DIR PORT PGPORT DB USER VERIFIER MODE   PgBouncer as postgres (TOOLCHAIN §5)
#   pgbouncer_stop DIR
#   pg_lib_install_trap               stop everything started through this library on EXIT
# Globals read: PGBIN (default /usr/lib/postgresql/15/bin), PGTEST_USER (default postgres),
# PG_SUPERUSER_PASSWORD (default: random, written to DIR/superuser.pw).

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGTEST_USER=${PGTEST_USER:-postgres}
PG_LIB_REPO=${PG_LIB_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
PY=/usr/bin/python3   # Debian's python: has psycopg2 (TOOLCHAIN §7.8)

# Things to clean up on exit, most recent first.
_PG_LIB_CLUSTERS=()
_PG_LIB_PIDFILES=()
_PG_LIB_BOUNCERS=()

pg_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# True when the process exists and is not a zombie (TOOLCHAIN §7.7: kill -0 succeeds on zombies).
pid_alive() {
    local pid=$1 state
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# wait_port HOST PORT SECONDS [PID]
wait_port() {
    local host=$1 port=$2 secs=$3 pid=${4:-} deadline
    deadline=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
    while (( $(date +%s%N) / 1000000 < deadline )); do
        if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
            return 0
        fi
        if [ -n "$pid" ] && ! pid_alive "$pid"; then
            pg_log "process $pid exited before $host:$port accepted connections"
            return 1
        fi
        sleep 0.05
    done
    pg_log "timed out after ${secs}s waiting for $host:$port"
    return 1
}

# wait_pid_gone PID SECONDS
wait_pid_gone() {
    local pid=$1 secs=$2 i
    for ((i = 0; i < secs * 20; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.05
    done
    return 1
}

_as_pg() { (cd "$1" && shift && runuser -u "$PGTEST_USER" -- "$@"); }

pg_cluster_create() {
    local dir=$1 pw
    id "$PGTEST_USER" >/dev/null 2>&1 ||
        useradd --system --no-create-home --shell /usr/sbin/nologin "$PGTEST_USER"
    mkdir -p "$dir"
    chown "$PGTEST_USER": "$dir"
    chmod 700 "$dir"
    pw=${PG_SUPERUSER_PASSWORD:-$(openssl rand -hex 12)}
    umask 077
    printf '%s\n' "$pw" >"$dir/superuser.pw"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1 ||
        { pg_log "openssl could not make the test certificate"; return 1; }
    chown "$PGTEST_USER": "$dir/server.key" "$dir/server.crt" "$dir/superuser.pw"
    chmod 600 "$dir/server.key"
    chmod 644 "$dir/server.crt"
    if ! _as_pg "$dir" "$PGBIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/superuser.pw" \
        --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
        pg_log "initdb failed:"; cat "$dir/initdb.log" >&2; return 1
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF
# --- meshgate test harness ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
password_encryption = 'scram-sha-256'
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 64MB
log_min_messages = warning
include_if_exists = 'harness_port.conf'
EOF
    cat >"$dir/data/pg_hba.conf" <<EOF
local   all all                scram-sha-256
host    all all  127.0.0.1/32  scram-sha-256
host    all all  ::1/128       scram-sha-256
EOF
    chown "$PGTEST_USER": "$dir/data/pg_hba.conf"
}

# pg_cluster_start DIR: starts on the port in DIR/data/harness_port.conf, or a free one.
# A random free port can be taken between bind(0) and the server's bind (TOOLCHAIN §7.12):
# on "could not bind" pick another and retry.
pg_cluster_start() {
    local dir=$1 attempt port
    for attempt in 1 2 3 4 5; do
        if [ -f "$dir/data/harness_port.conf" ] && [ "$attempt" = 1 ]; then
            port=$(sed -n 's/^port = //p' "$dir/data/harness_port.conf")
        else
            port=$(free_port)
            echo "port = $port" >"$dir/data/harness_port.conf"
            chown "$PGTEST_USER": "$dir/data/harness_port.conf"
        fi
        rm -f "$dir/server.log"
        if _as_pg "$dir" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
            PG_PORT=$port
            PG_DIR=$dir
            export PG_PORT PG_DIR
            _pg_lib_remember_cluster "$dir"
            return 0
        fi
        if grep -q 'could not bind\|Address already in use' "$dir/server.log" 2>/dev/null; then
            pg_log "port $port taken, retrying with another"
            continue
        fi
        pg_log "PostgreSQL did not start; server.log:"; cat "$dir/server.log" >&2 2>/dev/null
        return 1
    done
    pg_log "PostgreSQL did not start after 5 port attempts"
    return 1
}

_pg_lib_remember_cluster() {
    local c
    for c in "${_PG_LIB_CLUSTERS[@]+"${_PG_LIB_CLUSTERS[@]}"}"; do [ "$c" = "$1" ] && return 0; done
    _PG_LIB_CLUSTERS+=("$1")
}

pg_cluster_running() {
    local dir=$1 pid
    [ -f "$dir/data/postmaster.pid" ] || return 1
    pid=$(head -1 "$dir/data/postmaster.pid")
    pid_alive "$pid"
}

pg_cluster_stop() {
    local dir=$1 pid=""
    [ -d "$dir/data" ] || return 0
    [ -f "$dir/data/postmaster.pid" ] && pid=$(head -1 "$dir/data/postmaster.pid")
    [ -n "$pid" ] || return 0
    if ! _as_pg "$dir" "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
        pg_log "pg_ctl stop failed; sending SIGINT to postmaster $pid"
        kill -INT "$pid" 2>/dev/null || true
        wait_pid_gone "$pid" 15 || { kill -KILL "$pid" 2>/dev/null || true; }
    fi
}

# pg_psql DIR [args...]: psql as the superuser over DIR's unix socket, quiet, stop on error.
pg_psql() {
    local dir=$1; shift
    PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=$(cat "$dir/superuser.pw") \
        /usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 \
        -h "$dir" -p "$(pg_cluster_port "$dir")" -U postgres "$@"
}

pg_cluster_port() { sed -n 's/^port = //p' "$1/data/harness_port.conf"; }

# mesh_seed DIR DBNAME SERVICE_PASSWORD: (re)creates DBNAME with the demo data, the pgbench tables
# (scale ${PGBENCH_SCALE:-1}) and the read-only service account `meshgate`.
mesh_seed() {
    local dir=$1 db=$2 svcpw=$3 scale=${PGBENCH_SCALE:-1}
    pg_psql "$dir" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" || return 1
    pg_psql "$dir" -d "$db" -f "$PG_LIB_REPO/deploy/demo/seed.sql" >/dev/null || return 1
    PGPASSWORD=$(cat "$dir/superuser.pw") /usr/lib/postgresql/15/bin/pgbench -q -i -s "$scale" \
        -h "$dir" -p "$(pg_cluster_port "$dir")" -U postgres "$db" >"$dir/pgbench-init.log" 2>&1 ||
        { pg_log "pgbench -i failed:"; cat "$dir/pgbench-init.log" >&2; return 1; }
    # The service account: SCRAM password, SELECT only, no other rights.
    pg_psql "$dir" -d "$db" -v svcpw="$svcpw" -v db="$db" >/dev/null <<'SQL' || return 1
SET password_encryption = 'scram-sha-256';
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'meshgate') AS need_role \gset
\if :need_role
CREATE ROLE meshgate LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
\endif
ALTER ROLE meshgate PASSWORD :'svcpw';
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO meshgate;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public, crm TO meshgate;
GRANT SELECT ON ALL TABLES IN SCHEMA public, crm TO meshgate;
SQL
}

# mesh_render_config OUTDIR: renders deploy/demo/meshgate.yaml.in and domains/*.yaml into OUTDIR.
# Placeholders ${NAME} are taken from the environment; an unset one is an error.
mesh_render_config() {
    local out=$1
    mkdir -p "$out/domains"
    "$PY" - "$PG_LIB_REPO/deploy/demo" "$out" <<'PY' || return 1
import os, re, sys, pathlib
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def render(p, q):
    text = p.read_text()
    missing = sorted({m for m in re.findall(r"\$\{([A-Z0-9_]+)\}", text) if m not in os.environ})
    if missing:
        sys.exit(f"{p}: unset variables: {', '.join(missing)}")
    q.write_text(re.sub(r"\$\{([A-Z0-9_]+)\}", lambda m: os.environ[m.group(1)], text))
render(src / "meshgate.yaml.in", out / "meshgate.yaml")
for d in sorted((src / "domains").glob("*.yaml")):
    render(d, out / "domains" / d.name)
PY
}

# meshgate_verifier BIN PASSWORD: a SCRAM verifier from `meshgate passwd`.
meshgate_verifier() {
    local bin=$1 pw=$2 v
    v=$(printf '%s\n' "$pw" | "$bin" passwd 2>/dev/null | tail -1) || return 1
    case "$v" in
        SCRAM-SHA-256\$*) printf '%s' "$v" ;;
        *) pg_log "meshgate passwd printed no SCRAM verifier: '$v'"; return 1 ;;
    esac
}

# meshgate_start BIN CONFIG LOG PIDFILE PORT: background daemon; waits (bounded) for PORT.
meshgate_start() {
    local bin=$1 cfg=$2 log=$3 pidfile=$4 port=$5 pid
    setsid "$bin" serve --config "$cfg" >"$log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$pidfile"
    _PG_LIB_PIDFILES+=("$pidfile")
    if ! wait_port 127.0.0.1 "$port" "${MESHGATE_START_TIMEOUT:-30}" "$pid"; then
        pg_log "meshgate did not start listening on $port; its log ($log):"
        tail -n 60 "$log" >&2
        return 1
    fi
}

meshgate_stop() {
    local pidfile=$1 pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if pid_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_pid_gone "$pid" 15; then
            pg_log "meshgate $pid did not stop within 15s of SIGTERM; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            wait_pid_gone "$pid" 5 || true
        fi
    fi
    rm -f "$pidfile"
}

# pgbouncer_start DIR PORT PGPORT DB USER VERIFIER MODE (transaction | session)
pgbouncer_start() {
    local dir=$1 port=$2 pgport=$3 db=$4 user=$5 verifier=$6 mode=$7 pid
    mkdir -p "$dir"
    printf '"%s" "%s"\n' "$user" "$verifier" >"$dir/userlist.txt"
    cat >"$dir/pgbouncer.ini" <<EOF
[databases]
$db = host=127.0.0.1 port=$pgport dbname=$db
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = $mode
max_client_conn = 400
default_pool_size = 20
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
    chown -R "$PGTEST_USER": "$dir"
    chmod 700 "$dir"
    chmod 600 "$dir/userlist.txt"
    _PG_LIB_BOUNCERS+=("$dir")
    if ! _as_pg "$dir" /usr/sbin/pgbouncer -d "$dir/pgbouncer.ini" >"$dir/start.log" 2>&1; then
        pg_log "pgbouncer failed to start:"; cat "$dir/start.log" "$dir/pgbouncer.log" >&2 2>/dev/null
        return 1
    fi
    local i
    for ((i = 0; i < 100; i++)); do [ -s "$dir/pgbouncer.pid" ] && break; sleep 0.05; done
    pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null)
    wait_port 127.0.0.1 "$port" 10 "$pid" ||
        { cat "$dir/pgbouncer.log" >&2 2>/dev/null; return 1; }
}

pgbouncer_stop() {
    local dir=$1 pid
    [ -f "$dir/pgbouncer.pid" ] || return 0
    pid=$(cat "$dir/pgbouncer.pid")
    if pid_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        wait_pid_gone "$pid" 10 || { kill -KILL "$pid" 2>/dev/null || true; }
    fi
    rm -f "$dir/pgbouncer.pid"
}

# mesh_gate_up BIN DIR: for a cluster started with pg_cluster_start and seeded with mesh_seed into
# database `warehouse` (WAREHOUSE_PG_PASSWORD exported): writes DIR/tls, DIR/meshgate.yaml and
# DIR/domains with free ports, a random MESHGATE_HASH_KEY and verifiers (`<user>-demo`) from
# `meshgate passwd`, then starts meshgate (log DIR/meshgate.log, pid DIR/meshgate.pid).
# Exports LISTEN_PORT ADMIN_PORT MESHGATE_HASH_KEY TLS_CERT AUDIT_PATH. BACKEND_TLS (default
# prefer) is the backend's `tls:` mode.
mesh_gate_up() {
    local bin=$1 dir=$2 u v attempt
    mkdir -p "$dir/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        -keyout "$dir/tls/server.key" -out "$dir/tls/server.crt" >/dev/null 2>&1 || return 1
    chmod 600 "$dir/tls/server.key"
    # Random per run: no expected hash can be written down in advance.
    MESHGATE_HASH_KEY=$(openssl rand -hex 24)
    export MESHGATE_HASH_KEY DB_NAME=warehouse TLS_CERT=$dir/tls/server.crt TLS_KEY=$dir/tls/server.key
    export AUDIT_PATH=$dir/audit.jsonl BACKEND_TLS=${BACKEND_TLS:-prefer}
    export PG_PORT=${PG_PORT:?pg_cluster_start first}
    for u in alice bob carol mallory bench; do
        v=$(meshgate_verifier "$bin" "$u-demo") || return 1
        export "$(echo "$u" | tr a-z A-Z)_VERIFIER=$v"
    done
    for attempt in 1 2 3; do
        LISTEN_PORT=$(free_port); ADMIN_PORT=$(free_port)
        export LISTEN_PORT ADMIN_PORT
        mesh_render_config "$dir" || return 1
        meshgate_start "$bin" "$dir/meshgate.yaml" "$dir/meshgate.log" "$dir/meshgate.pid" "$LISTEN_PORT" && return 0
        grep -qi 'in use' "$dir/meshgate.log" || return 1
        meshgate_stop "$dir/meshgate.pid"
    done
    return 1
}

pg_lib_cleanup() {
    local i
    for ((i = ${#_PG_LIB_PIDFILES[@]} - 1; i >= 0; i--)); do meshgate_stop "${_PG_LIB_PIDFILES[i]}"; done
    for ((i = ${#_PG_LIB_BOUNCERS[@]} - 1; i >= 0; i--)); do pgbouncer_stop "${_PG_LIB_BOUNCERS[i]}"; done
    for ((i = ${#_PG_LIB_CLUSTERS[@]} - 1; i >= 0; i--)); do pg_cluster_stop "${_PG_LIB_CLUSTERS[i]}"; done
    _PG_LIB_PIDFILES=(); _PG_LIB_BOUNCERS=(); _PG_LIB_CLUSTERS=()
}

# Installs an EXIT/INT/TERM trap that stops what this library started, then runs "$@" (e.g. rm -rf).
pg_lib_install_trap() {
    _PG_LIB_EXTRA_CLEANUP=("$@")
    trap '_rc=$?; trap - EXIT INT TERM; pg_lib_cleanup; "${_PG_LIB_EXTRA_CLEANUP[@]+"${_PG_LIB_EXTRA_CLEANUP[@]}"}"; exit $_rc' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# forget_cluster DIR: the cluster should survive this shell (the demo).
pg_lib_forget_all() { _PG_LIB_PIDFILES=(); _PG_LIB_BOUNCERS=(); _PG_LIB_CLUSTERS=(); }
