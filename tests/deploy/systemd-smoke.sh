#!/usr/bin/env bash
# Runs the hardened systemd unit for real: a Debian 12 container with systemd as PID 1, then
# deploy/install.sh (real install: user, binary, unit, /etc/meshgate), `install.sh --enable`
# (meshgate check, then systemctl enable --now), /healthz, `systemctl reload` (counted reload),
# log rotation as docs/operations.md shows it (rename + SIGHUP: the new file continues the chain;
# `meshgate audit verify` on both), `systemctl stop` (Result=success, exit 0), and
# `systemd-analyze security` of the unit. Needs a Docker engine; not part of ctest.
# Prints `ok - ...` / `FAIL - ...` and `N passed, N failed`.
#
# Usage: tests/deploy/systemd-smoke.sh [--meshgate BIN] [--base IMAGE]
#   --meshgate BIN  binary to install (default build/meshgate; built on Debian 12 like the base)
#   --base IMAGE    Debian 12 image to add systemd to (default debian:bookworm)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/build/meshgate
BASE=debian:bookworm
while [ $# -gt 0 ]; do
    case "$1" in
        --meshgate) BIN=$2; shift 2 ;;
        --base) BASE=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "systemd-smoke.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
docker info >/dev/null 2>&1 || { echo "systemd-smoke.sh: no Docker engine reachable"; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

PASSED=0
FAILED=0
ok() { echo "ok   - $*"; PASSED=$((PASSED + 1)); }
bad() { echo "FAIL - $*"; FAILED=$((FAILED + 1)); }
NAME=meshgate-systemd-smoke-$$
WORK=$(mktemp -d /tmp/meshgate-systemd-smoke.XXXXXX)
cleanup() { docker rm -f "$NAME" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

cat >"$WORK/Dockerfile" <<EOF
FROM $BASE
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    systemd systemd-sysv dbus procps curl >/dev/null && rm -rf /var/lib/apt/lists/*
COPY install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh --runtime && rm -rf /var/lib/apt/lists/*
CMD ["/sbin/init"]
EOF
cp "$ROOT/deploy/install-deps.sh" "$WORK/"
docker build -q -t meshgate-systemd-smoke "$WORK" >"$WORK/build.log" 2>&1 || { bad "image with systemd: $(tail -5 "$WORK/build.log")"; echo "$PASSED passed, $FAILED failed"; exit 1; }
mkdir -p "$WORK/bin"; cp "$BIN" "$WORK/bin/meshgate"
docker run -d --name "$NAME" --cap-add SYS_ADMIN --security-opt seccomp=unconfined --cgroupns=host \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw --tmpfs /run --tmpfs /run/lock \
    -v "$ROOT:/src:ro" -v "$WORK/bin:/build:ro" meshgate-systemd-smoke >/dev/null
for _ in $(seq 30); do
    state=$(docker exec "$NAME" systemctl is-system-running 2>/dev/null); [ "$state" = running ] || [ "$state" = degraded ] && break; sleep 1
done
inside() { docker exec "$NAME" bash -c "$1"; }

out=$(inside 'bash /src/deploy/install.sh --binary /build/meshgate' 2>&1) && ok "install.sh: $(echo "$out" | grep -c '^install: \(installed\|created\)') items installed/created" || bad "install.sh: $out"
inside 'id meshgate >/dev/null && stat -c "%U:%G %a" /etc/meshgate /etc/meshgate/meshgate.env' >"$WORK/perm" 2>&1
[ "$(tr '\n' ' ' <"$WORK/perm")" = "root:meshgate 750 root:meshgate 640 " ] && ok "user meshgate, /etc/meshgate root:meshgate 0750, env file 0640" || bad "ownership: $(cat "$WORK/perm")"
out=$(inside 'bash /src/deploy/install.sh --binary /build/meshgate' 2>&1)
echo "$out" | grep -q '^install: installed' && bad "install.sh second run changed files: $out" || ok "install.sh second run changes nothing"
inside 'sed -i "s/^MESHGATE_HASH_KEY=$/MESHGATE_HASH_KEY=0123456789abcdef0123456789abcdef/; s/^WAREHOUSE_PG_PASSWORD=$/WAREHOUSE_PG_PASSWORD=smoke/" /etc/meshgate/meshgate.env'
out=$(inside 'bash /src/deploy/install.sh --binary /build/meshgate --enable' 2>&1) || bad "install.sh --enable: $out"
for _ in $(seq 50); do inside 'curl -sf localhost:9187/healthz >/dev/null' && break; sleep 0.2; done
[ "$(inside 'systemctl is-active meshgate')" = active ] && ok "install.sh --enable: meshgate.service active under the hardened unit" || bad "not active: $(inside 'journalctl -u meshgate --no-pager | tail -5')"
inside 'curl -sf localhost:9187/healthz' >/dev/null && ok "/healthz 200 from the service" || bad "/healthz"
reloads() { inside 'curl -s localhost:9187/metrics' | sed -n 's/^meshgate_config_reloads_total{result="ok"} //p'; }
before=$(reloads); inside 'systemctl reload meshgate'; sleep 1; after=$(reloads)
[ -n "$before" ] && [ "$after" = $((before + 1)) ] && ok "systemctl reload (ExecReload SIGHUP): reloads ok $before -> $after" || bad "reload $before -> $after"
inside 'mv /var/log/meshgate/audit.jsonl /var/log/meshgate/audit.jsonl.1 && systemctl kill --signal=SIGHUP --kill-whom=main meshgate.service'
sleep 1
out=$(inside 'cat /var/log/meshgate/audit.jsonl.1 /var/log/meshgate/audit.jsonl | meshgate audit verify - && meshgate audit verify /var/log/meshgate/audit.jsonl' 2>&1) \
    && ok "rotation (rename + SIGHUP): $(echo "$out" | tr '\n' ';')" || bad "rotation: $out"
inside 'systemctl stop meshgate'
res=$(inside 'systemctl show meshgate -p Result -p ExecMainStatus' | tr '\n' ' ')
[ "$res" = "Result=success ExecMainStatus=0 " ] && ok "systemctl stop (SIGTERM drain): $res" || bad "stop: $res"
score=$(inside 'systemd-analyze security meshgate --no-pager' 2>&1 | tail -1)
echo "note - systemd-analyze security: $score"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
