#!/usr/bin/env bash
# Runs the meshgate container image for real: starts it with a config mounted at /etc/meshgate
# (secrets as environment variables, a backend that is down), then checks the HEALTHCHECK turns
# healthy, the process runs as uid 10001, /metrics is reachable on the published admin port, the
# audit log on stdout is a valid hash chain (`meshgate audit verify -`), `docker kill -s HUP`
# reloads, the reloader sidecar (shared PID namespace) reloads on a ConfigMap-style swap, `docker stop` drains with exit code 0, `check`/`--version` run as subcommands, and
# the runtime image holds no compiler. Needs a running Docker engine; not part of ctest (CI has
# none). Prints `ok - ...` / `FAIL - ...` and `N passed, N failed`.
#
# Usage: tests/deploy/docker-smoke.sh [--image TAG] [--build] [--base IMAGE]
#   --image TAG    image to test (default meshgate:dev)
#   --build        docker build it first from this checkout
#   --base IMAGE   with --build: the Debian 12 base for both stages (build args DEBIAN_IMAGE and
#                  DEBIAN_RUNTIME_IMAGE), e.g. a local `debootstrap` import when Docker Hub is
#                  out of reach
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IMAGE=meshgate:dev
BUILD=0
BASE=""
while [ $# -gt 0 ]; do
    case "$1" in
        --image) IMAGE=$2; shift 2 ;;
        --build) BUILD=1; shift ;;
        --base) BASE=$2; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "docker-smoke.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
docker info >/dev/null 2>&1 || { echo "docker-smoke.sh: no Docker engine reachable (docker info failed)"; exit 2; }

PASSED=0
FAILED=0
ok() { echo "ok   - $*"; PASSED=$((PASSED + 1)); }
bad() { echo "FAIL - $*"; FAILED=$((FAILED + 1)); }
NAME=meshgate-smoke-$$
WORK=$(mktemp -d /tmp/meshgate-docker-smoke.XXXXXX)
cleanup() { docker rm -f "$NAME" "$NAME-reloader" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

if [ "$BUILD" = 1 ]; then
    args=()
    [ -n "$BASE" ] && args=(--build-arg "DEBIAN_IMAGE=$BASE" --build-arg "DEBIAN_RUNTIME_IMAGE=$BASE")
    if DOCKER_BUILDKIT=0 docker build "${args[@]}" -t "$IMAGE" "$ROOT" >"$WORK/build.log" 2>&1; then
        ok "docker build -t $IMAGE ."
    else
        bad "docker build: $(tail -20 "$WORK/build.log")"; echo "$PASSED passed, $FAILED failed"; exit 1
    fi
fi

# The config: the systemd skeleton, adapted for a container (admin on 0.0.0.0, audit to stdout),
# with a backend port nothing listens on.
# Laid out like a Kubernetes ConfigMap volume (..data symlink), so the reloader can be tested too.
mkdir -p "$WORK/conf/..v1/domains"
sed -e 's/^  host: 127.0.0.1 .*/  host: 0.0.0.0/' -e 's#^  path: /var/log/meshgate/audit.jsonl .*#  path: "-"#' \
    -e 's/^    port: 5432$/    port: 1/' "$ROOT/deploy/systemd/meshgate.yaml.example" >"$WORK/conf/..v1/meshgate.yaml"
cp -r "$WORK/conf/..v1" "$WORK/conf/..v2"; echo "# edited" >>"$WORK/conf/..v2/meshgate.yaml"
ln -s ..v1 "$WORK/conf/..data"; ln -s ..data/meshgate.yaml "$WORK/conf/meshgate.yaml"; ln -s ..data/domains "$WORK/conf/domains"
chmod -R a+rX "$WORK/conf"
# The Kubernetes examples' security context: read-only root, no capabilities, no new privileges.
HARDEN=(--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges)
KEY=$(head -c 24 /dev/urandom | base64)
ENV=(-e "MESHGATE_HASH_KEY=$KEY" -e WAREHOUSE_PG_PASSWORD=smoke)

out=$(docker run --rm "$IMAGE" --version 2>&1) && ok "docker run $IMAGE --version: $out" || bad "--version: $out"
out=$(docker run --rm -v "$WORK/conf:/etc/meshgate:ro" "${ENV[@]}" "$IMAGE" check --config /etc/meshgate/meshgate.yaml 2>&1) \
    && ok "docker run $IMAGE check --config ...: $(echo "$out" | tail -1)" || bad "check in the image: $out"
out=$(docker run --rm --entrypoint /bin/bash "$IMAGE" -c 'for t in gcc g++ cc cmake ninja clang curl wget; do command -v $t; done; true')
[ -z "$out" ] && ok "the runtime image holds no compiler, build tool, curl or wget" || bad "runtime image has: $out"

docker run -d --name "$NAME" "${HARDEN[@]}" -v "$WORK/conf:/etc/meshgate:ro" "${ENV[@]}" \
    -p 127.0.0.1::6432 -p 127.0.0.1::9187 --stop-timeout 60 "$IMAGE" >/dev/null \
    || { bad "docker run -d"; echo "$PASSED passed, $FAILED failed"; exit 1; }
admin=$(docker port "$NAME" 9187/tcp | head -1 | sed 's/.*://')
status=""
for _ in $(seq 90); do
    status=$(docker inspect -f '{{.State.Health.Status}}' "$NAME" 2>/dev/null)
    [ "$status" = healthy ] && break
    [ "$(docker inspect -f '{{.State.Running}}' "$NAME")" = true ] || break
    sleep 1
done
[ "$status" = healthy ] && ok "HEALTHCHECK (meshgate-healthcheck /healthz) reports healthy" \
    || bad "health status '$status'; logs: $(docker logs "$NAME" 2>&1 | tail -5)"
uid=$(docker exec "$NAME" sh -c 'id -u; id -g' | tr '\n' ' ')
[ "$uid" = "10001 10001 " ] && ok "meshgate runs as uid:gid 10001:10001" || bad "uid/gid: $uid"
pid1=$(docker exec "$NAME" cat /proc/1/cmdline | tr '\0' ' ')
[[ "$pid1" == "/usr/local/bin/meshgate serve --config /etc/meshgate/meshgate.yaml "* ]] && ok "PID 1 is meshgate serve (signals reach it)" || bad "PID 1: $pid1"
metrics() { "${PY:-python3}" -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1],timeout=5).read().decode())' "http://127.0.0.1:$admin/metrics" 2>/dev/null; }
m=$(metrics)
echo "$m" | grep -q '^meshgate_config_reloads_total' && ok "/metrics answers on the published admin port $admin" || bad "/metrics on $admin"
before=$(echo "$m" | sed -n 's/^meshgate_config_reloads_total{result="ok"} //p')
docker kill -s HUP "$NAME" >/dev/null
after=$before
for _ in $(seq 50); do after=$(metrics | sed -n 's/^meshgate_config_reloads_total{result="ok"} //p'); [ "$after" != "$before" ] && break; sleep 0.2; done
[ -n "$before" ] && [ "$after" = $((before + 1)) ] && ok "docker kill -s HUP reloads (reloads ok $before -> $after)" || bad "HUP reload: $before -> $after"
# The sidecar pattern: a second container in meshgate's PID namespace, same uid, no capability,
# sends SIGHUP when the ConfigMap-style ..data link is swapped.
docker run -d --name "$NAME-reloader" --pid "container:$NAME" "${HARDEN[@]}" -v "$WORK/conf:/etc/meshgate:ro" \
    -e RELOAD_INTERVAL=1 --entrypoint /usr/local/bin/meshgate-reload-on-change "$IMAGE" /etc/meshgate >/dev/null
sleep 2
before=$after
ln -sfn ..v2 "$WORK/conf/..data.tmp" && mv -T "$WORK/conf/..data.tmp" "$WORK/conf/..data"
for _ in $(seq 50); do after=$(metrics | sed -n 's/^meshgate_config_reloads_total{result="ok"} //p'); [ "$after" != "$before" ] && break; sleep 0.2; done
[ -n "$before" ] && [ "$after" = $((before + 1)) ] && ok "reloader container (--pid container:meshgate, uid 10001, no caps) turns a ..data swap into a reload ($before -> $after)" \
    || bad "reloader container: reloads $before -> $after; $(docker logs "$NAME-reloader" 2>&1 | tail -3)"
docker rm -f "$NAME-reloader" >/dev/null
t0=$(date +%s)
docker stop "$NAME" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$NAME")
[ "$code" = 0 ] && ok "docker stop (SIGTERM) drains and exits 0 in $(( $(date +%s) - t0 ))s" || bad "exit code after docker stop: $code"
docker logs "$NAME" 2>/dev/null >"$WORK/audit.jsonl"
docker logs "$NAME" 2>&1 >/dev/null | tail -3 >"$WORK/daemon.log"
grep -q '"event":"reload"' "$WORK/audit.jsonl" && ok "the audit log is on stdout (holds the reload event)" || bad "no reload event on stdout: $(head -3 "$WORK/audit.jsonl")"
grep -q '"seq"' "$WORK/daemon.log" && bad "the daemon log (stderr) holds audit lines" || ok "stdout/stderr separate the audit log from the daemon log"
out=$(docker run --rm -i --entrypoint /usr/local/bin/meshgate "$IMAGE" audit verify - <"$WORK/audit.jsonl" 2>&1) \
    && ok "meshgate audit verify - on the container's stdout: $out" || bad "audit verify: $out"
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
echo "note - image $IMAGE: $((size / 1024 / 1024)) MiB"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
