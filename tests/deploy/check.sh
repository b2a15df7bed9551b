#!/usr/bin/env bash
# Checks meshgate's deployment files: the systemd unit (systemd-analyze verify + required
# hardening), the Kubernetes examples and the Dockerfile (tests/deploy/check_deploy.py: field
# schema, `kubectl kustomize`, ports/paths/probes/secrets consistent with the embedded config,
# `meshgate check` of that config; docs/operations.md against --help, the loader's keys and the
# metrics), the container helpers (healthcheck against a stub admin server, reloader against a
# fake ConfigMap swap; live: both against a real `meshgate serve`), deploy/install.sh (--prefix,
# idempotent, --dry-run), and shellcheck where installed. Registered in ctest as "lint: deploy".
#
# Usage: tests/deploy/check.sh [--meshgate BIN] [--root DIR] [--only SECTIONS] [--negative]
#   --meshgate BIN  the built binary (default: ROOT/build/meshgate)
#   --root DIR      the tree to check (default: this checkout)
#   --only S,S      sections: unit, static (k8s, Dockerfile, docs), helpers, live, install, shellcheck
#   --negative      prove the checks can fail: break a copy of the tree one way at a time
#                   (probe path, admin port, Service port, Secret key, USER, EXPOSE, unit key,
#                   grace period, ...) and require each broken copy to fail
# Prints `ok - ...` / `FAIL - ...` per check and `N passed, N failed`; exit 1 on any failure.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=""
NEGATIVE=0
ONLY=unit,static,helpers,live,install,shellcheck
while [ $# -gt 0 ]; do
    case "$1" in
        --meshgate) BIN=$2; shift 2 ;;
        --root) ROOT=$(cd "$2" && pwd); shift 2 ;;
        --negative) NEGATIVE=1; shift ;;
        --only) ONLY=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "check.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
BIN=${BIN:-$ROOT/build/meshgate}
[ -x "$BIN" ] || { echo "check.sh: no meshgate binary at $BIN (cmake --build build --target meshgate)"; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# A python with PyYAML: Debian's (python3-yaml) first, then whatever python3 is on PATH.
PY=""
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
    echo "check.sh: needs python3 with PyYAML (apt-get install python3-yaml)"; exit 1
fi
KUBECTL=$(command -v kubectl 2>/dev/null || true)

want() { [[ ",$ONLY," == *",$1,"* ]]; }
PASSED=0
FAILED=0
ok() { echo "ok   - $*"; PASSED=$((PASSED + 1)); }
bad() { echo "FAIL - $*"; FAILED=$((FAILED + 1)); }
WORK=$(mktemp -d /tmp/meshgate-deploy-check.XXXXXX)
CHILDREN=()
cleanup() {
    local p
    for p in "${CHILDREN[@]+"${CHILDREN[@]}"}"; do kill "$p" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---- negative mode: each mutation of a copy must make the positive run fail ---------------------
if [ "$NEGATIVE" = 1 ]; then
    # name | section | file | python expression on `s` (the file's text) giving the broken text
    mutations=(
        "readiness probe path /ready|static|deploy/kubernetes/standalone/deployment.yaml|s.replace('path: /readyz', 'path: /ready', 1)"
        "liveness probe on the listen port|static|deploy/kubernetes/sidecar/deployment.yaml|s.replace('livenessProbe:\n            httpGet: {path: /healthz, port: admin}', 'livenessProbe:\n            httpGet: {path: /healthz, port: 6432}', 1)"
        "admin containerPort differs from admin.port|static|deploy/kubernetes/standalone/deployment.yaml|s.replace('containerPort: 9187', 'containerPort: 9188', 1)"
        "Service targets a port nothing listens on|static|deploy/kubernetes/standalone/service.yaml|s.replace('targetPort: postgres', 'targetPort: 5432', 1)"
        "listen.port changed in the ConfigMap only|static|deploy/kubernetes/standalone/configmap.yaml|s.replace('port: 6432', 'port: 6433', 1)"
        "app PGPORT differs from listen.port|static|deploy/kubernetes/sidecar/deployment.yaml|s.replace('value: \"6432\"', 'value: \"5432\"', 1)"
        "Secret lacks a key the config reads|static|deploy/kubernetes/sidecar/secret.yaml|s.replace('warehouse_password:', 'warehouse_pw:', 1)"
        "env var renamed in the Deployment|static|deploy/kubernetes/standalone/deployment.yaml|s.replace('name: WAREHOUSE_PG_PASSWORD', 'name: WAREHOUSE_PASSWORD', 1)"
        "domain file not mounted|static|deploy/kubernetes/standalone/deployment.yaml|s.replace('              - {key: marketing.yaml, path: domains/marketing.yaml}\n', '', 1)"
        "config mounted elsewhere|static|deploy/kubernetes/sidecar/deployment.yaml|s.replace('{name: config, mountPath: /etc/meshgate, readOnly: true}', '{name: config, mountPath: /etc/mg, readOnly: true}', 1)"
        "broken domain policy in the ConfigMap|static|deploy/kubernetes/sidecar/configmap.yaml|s.replace('with: null', 'with: nothing', 1)"
        "misspelt probe field|static|deploy/kubernetes/standalone/deployment.yaml|s.replace('readinessProbe:', 'readinesProbe:', 1)"
        "readOnlyRootFilesystem off|static|deploy/kubernetes/standalone/deployment.yaml|s.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false', 1)"
        "grace period shorter than the drain|static|deploy/kubernetes/standalone/deployment.yaml|s.replace('terminationGracePeriodSeconds: 60', 'terminationGracePeriodSeconds: 12', 1)"
        "reloader without a shared process namespace|static|deploy/kubernetes/sidecar/deployment.yaml|s.replace('shareProcessNamespace: true', 'shareProcessNamespace: false', 1)"
        "Dockerfile runs as root|static|Dockerfile|s.replace('USER 10001:10001', 'USER root', 1)"
        "Dockerfile EXPOSE wrong admin port|static|Dockerfile|s.replace('EXPOSE 6432 9187', 'EXPOSE 6432 9090', 1)"
        "Dockerfile without HEALTHCHECK|static|Dockerfile|__import__('re').sub(r'HEALTHCHECK[^\n]*\\\\\n[^\n]*\n', '', s, count=1)"
        "Dockerfile not using install-deps.sh --runtime|static|Dockerfile|s.replace('install-deps.sh --runtime', 'install-deps.sh', 1)"
        "runtime packages miss a library|static|deploy/install-deps.sh|s.replace(' libyaml-cpp0.7 ', ' ', 1)"
        "docs name a flag meshgate lacks|static|docs/operations.md|s.replace('--config F --live', '--config F --online', 1)"
        "docs name a config key the loader lacks|static|docs/operations.md|s.replace('limits.idle_timeout_ms'+chr(96), 'limits.idle_timeout'+chr(96), 1)"
        "docs state a wrong default|static|docs/operations.md|s.replace('limits.auth_timeout_ms'+chr(96)+' | 30000', 'limits.auth_timeout_ms'+chr(96)+' | 3000', 1)"
        "unit: misspelt directive|unit|deploy/systemd/meshgate.service|s.replace('ProtectHome=yes', 'ProtectHomee=yes', 1)"
        "unit: no ExecReload|unit|deploy/systemd/meshgate.service|s.replace('ExecReload=/bin/kill -HUP \$MAINPID\n', '', 1)"
        "unit: TimeoutStopSec below the drain deadline|unit|deploy/systemd/meshgate.service|s.replace('TimeoutStopSec=60', 'TimeoutStopSec=2', 1)"
        "unit: capabilities granted|unit|deploy/systemd/meshgate.service|s.replace('CapabilityBoundingSet=\n', 'CapabilityBoundingSet=CAP_SYS_ADMIN\n', 1)"
        "healthcheck accepts any status|helpers|deploy/container/healthcheck.sh|s.replace('\"HTTP/1.\"?\" 200 \"*|\"HTTP/1.\"?\" 200\") return 0', '\"HTTP/1.\"*) return 0', 1)"
    )
    n=0
    for m in "${mutations[@]}"; do
        IFS='|' read -r name section file expr <<<"$m"
        n=$((n + 1))
        copy=$WORK/neg$n
        mkdir -p "$copy"
        # Only what the checks read: the deployment files and the two sources defaults come from.
        (cd "$ROOT" && tar -cf - Dockerfile .dockerignore deploy docs config proxy/cli/serve.cpp proxy/metrics/metrics.cpp) | tar -C "$copy" -xf -
        if ! "$PY" - "$copy/$file" "$expr" <<'PY'
import sys
p, expr = sys.argv[1], sys.argv[2]
s = open(p).read()
t = eval(expr, {"s": s})
if t == s:
    sys.exit(f"mutation did not change {p}")
open(p, "w").write(t)
PY
        then bad "negative: $name (the mutation no longer applies; update tests/deploy/check.sh)"; continue; fi
        if ! out=$(bash "$HERE/check.sh" --root "$copy" --meshgate "$BIN" --only "$section" 2>&1); then
            ok "negative: $name -> fails: $(echo "$out" | grep -m1 '^FAIL' | cut -c8-150)"
        else
            bad "negative: $name -> the check still passes"
        fi
        rm -rf "$copy"
    done
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" = 0 ]; exit
fi

# ---- (a) systemd unit -----------------------------------------------------------------------------
UNIT=$ROOT/deploy/systemd/meshgate.service
if ! want unit; then :
elif [ ! -f "$UNIT" ]; then bad "systemd: $UNIT exists"; else
    mkdir -p "$WORK/unit"
    # The unit names /usr/local/bin/meshgate; verify a copy that names the built binary instead.
    sed "s#/usr/local/bin/meshgate#$BIN#g" "$UNIT" >"$WORK/unit/meshgate.service"
    if command -v systemd-analyze >/dev/null 2>&1; then
        out=$(systemd-analyze verify "$WORK/unit/meshgate.service" 2>&1); rc=$?
        # systemd-analyze exits 0 on unknown or ignored directives; any line about the unit fails.
        if [ $rc = 0 ] && [ -z "$out" ]; then ok "systemd: systemd-analyze verify meshgate.service: clean (no output)"
        else bad "systemd: systemd-analyze verify meshgate.service (rc $rc): $out"; fi
    else
        bad "systemd: systemd-analyze is not installed (apt-get install systemd)"
    fi
    want=(User=meshgate Group=meshgate NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes
          PrivateTmp=yes CapabilityBoundingSet= 'SystemCallFilter=@system-service'
          'ExecReload=/bin/kill -HUP $MAINPID' KillSignal=SIGTERM)
    for w in "${want[@]}"; do
        if grep -qxF -- "$w" "$UNIT"; then ok "systemd: $w"; else bad "systemd: the unit has the line '$w'"; fi
    done
    grep -qE '^RestrictAddressFamilies=AF_INET AF_INET6( AF_UNIX)?$' "$UNIT" && ok "systemd: RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
        || bad "systemd: RestrictAddressFamilies limited to IP (and unix) sockets"
    nofile=$(sed -n 's/^LimitNOFILE=//p' "$UNIT")
    [ -n "$nofile" ] && [ "$nofile" -ge 10000 ] && ok "systemd: LimitNOFILE=$nofile" || bad "systemd: LimitNOFILE >= 10000 (got '$nofile')"
    grep -q "^ExecStart=/usr/local/bin/meshgate serve --config /etc/meshgate/meshgate.yaml$" "$UNIT" \
        && ok "systemd: ExecStart serves /etc/meshgate/meshgate.yaml" || bad "systemd: ExecStart=/usr/local/bin/meshgate serve --config /etc/meshgate/meshgate.yaml"
    # TimeoutStopSec must exceed the drain deadline (the daemon's default, or the config key).
    stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s\{0,1\}$/\1/p' "$UNIT")
    drain_ms=$(grep -oE 'kStopDeadline\{[0-9]+\}' "$ROOT/proxy/cli/serve.cpp" 2>/dev/null | grep -oE '[0-9]+' || true)
    drain_ms=${drain_ms:-30000}
    if [ -n "$stop" ] && [ $((stop * 1000)) -gt "$drain_ms" ] && [ "$stop" -ge 30 ]; then
        ok "systemd: TimeoutStopSec=$stop > drain deadline ${drain_ms} ms (and >= 30 s)"
    else bad "systemd: TimeoutStopSec ($stop) exceeds the drain deadline ($drain_ms ms) and is >= 30 s"; fi
fi

# ---- (b)+(c) Kubernetes manifests and Dockerfile --------------------------------------------------
if want static; then
"$PY" "$HERE/check_deploy.py" --root "$ROOT" --meshgate "$BIN" --kubectl "$KUBECTL" >"$WORK/static.log" 2>&1
rc=$?
grep -E '^(ok|FAIL|note)' "$WORK/static.log"
p=$(grep -c '^ok' "$WORK/static.log"); f=$(grep -c '^FAIL' "$WORK/static.log")
PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
if [ $rc != 0 ] && [ "$f" = 0 ]; then bad "check_deploy.py crashed: $(tail -5 "$WORK/static.log")"; fi
[ -z "$KUBECTL" ] && echo "note - kubectl not installed: manifests checked with the built-in field schema only"
command -v hadolint >/dev/null 2>&1 && { hadolint "$ROOT/Dockerfile" >"$WORK/hadolint.log" 2>&1 && ok "docker: hadolint" || bad "docker: hadolint: $(cat "$WORK/hadolint.log")"; } \
    || echo "note - hadolint not installed (not a Debian 12 package): Dockerfile checked by check_deploy.py only"
fi

# ---- container helpers ----------------------------------------------------------------------------
HC=$ROOT/deploy/container/healthcheck.sh
RL=$ROOT/deploy/container/reload-on-change.sh
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
if want helpers && [ -f "$HC" ]; then
    port=$(free_port)
    # A stub admin server: /healthz 200, /readyz 503 (like meshgate with a backend down).
    "$PY" - "$port" >"$WORK/stub.log" 2>&1 <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 200 if self.path == "/healthz" else 503
        self.send_response(code); self.end_headers(); self.wfile.write(b"ok\n" if code == 200 else b"backend down\n")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
    CHILDREN+=("$!")
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    MESHGATE_ADMIN_PORT=$port bash "$HC" /healthz >/dev/null 2>&1 && ok "healthcheck: 0 when /healthz answers 200" || bad "healthcheck: 0 when /healthz answers 200"
    MESHGATE_ADMIN_PORT=$port bash "$HC" /readyz >/dev/null 2>&1 && bad "healthcheck: 1 when the endpoint answers 503" || ok "healthcheck: 1 when the endpoint answers 503"
    closed=$(free_port)
    MESHGATE_ADMIN_PORT=$closed bash "$HC" >/dev/null 2>&1 && bad "healthcheck: 1 when nothing listens" || ok "healthcheck: 1 when nothing listens"
fi
if want helpers && [ -f "$RL" ]; then
    # A fake ConfigMap volume (Kubernetes' ..data symlink swap) and a fake `meshgate serve` that
    # records SIGHUP. RELOAD_MATCH is unique so no real meshgate on this machine is signalled.
    cm=$WORK/cm; mkdir -p "$cm/..v1" "$cm/..v2"; echo a >"$cm/..v1/meshgate.yaml"; echo b >"$cm/..v2/meshgate.yaml"
    ln -s ..v1 "$cm/..data"; ln -s ..data/meshgate.yaml "$cm/meshgate.yaml"
    token="meshgate-reload-test-$$-$RANDOM"
    hup=$WORK/hup; : >"$hup"
    bash -c "trap 'echo HUP >>$hup' HUP; exec -a '$token serve' bash -c 'trap \"echo HUP >>$hup\" HUP; while :; do sleep 0.1; done'" &
    fake=$!; CHILDREN+=("$fake")
    RELOAD_INTERVAL=0.2 RELOAD_MATCH="$token serve" RELOAD_ONCE=1 bash "$RL" "$cm" >"$WORK/reloader.log" 2>&1 &
    rl=$!; CHILDREN+=("$rl")
    sleep 0.6
    [ -s "$hup" ] && bad "reloader: no SIGHUP before the config changes" || ok "reloader: no SIGHUP before the config changes"
    ln -sfn ..v2 "$cm/..data.tmp" && mv -T "$cm/..data.tmp" "$cm/..data"
    for _ in $(seq 50); do [ -s "$hup" ] && break; sleep 0.1; done
    if [ -s "$hup" ]; then ok "reloader: a ConfigMap swap (..data) sends SIGHUP to meshgate serve"
    else bad "reloader: a ConfigMap swap sends SIGHUP (log: $(cat "$WORK/reloader.log"))"; fi
    wait "$rl" 2>/dev/null
    kill "$fake" 2>/dev/null
fi

# ---- live: the helpers against a real `meshgate serve` in a ConfigMap-like directory ----------
if want live && [ -f "$HC" ] && [ -f "$RL" ]; then
    lv=$WORK/live; mkdir -p "$lv/v1/domains"
    lport=$(free_port); aport=$(free_port); bport=$(free_port)   # bport: no backend listens there
    sed -e "s/^  port: 6432$/  port: $lport/" -e "s/^  port: 9187$/  port: $aport/" -e "s/^    port: 5432$/    port: $bport/" \
        -e 's#^  path: /var/log/meshgate/audit.jsonl .*#  path: "-"#' "$ROOT/deploy/systemd/meshgate.yaml.example" >"$lv/v1/meshgate.yaml"
    cp -r "$lv/v1" "$lv/v2"; echo "# edited" >>"$lv/v2/meshgate.yaml"
    ln -s v1 "$lv/..data"; ln -s ..data/meshgate.yaml "$lv/meshgate.yaml"; ln -s ..data/domains "$lv/domains"
    MESHGATE_HASH_KEY=0123456789abcdef0123456789abcdef WAREHOUSE_PG_PASSWORD=x \
        "$BIN" serve --config "$lv/meshgate.yaml" --threads 1 >"$lv/audit.log" 2>"$lv/daemon.log" &
    mg=$!; CHILDREN+=("$mg")
    up=0; for _ in $(seq 100); do MESHGATE_ADMIN_PORT=$aport bash "$HC" >/dev/null 2>&1 && { up=1; break; }; sleep 0.1; done
    if [ "$up" = 1 ]; then ok "live: meshgate-healthcheck passes against meshgate serve's /healthz"
    else bad "live: meshgate-healthcheck against meshgate serve: $(tail -5 "$lv/daemon.log")"; fi
    reloads() { "$PY" -c 'import sys,urllib.request,re; t=urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics",timeout=3).read().decode(); m=re.search(r"^meshgate_config_reloads_total\{result=\"ok\"\} (\d+)",t,re.M); print(m.group(1) if m else "none")' "$aport" 2>/dev/null; }
    before=$(reloads)
    RELOAD_INTERVAL=0.2 RELOAD_ONCE=1 RELOAD_MATCH="serve --config $lv/meshgate.yaml" bash "$RL" "$lv" >"$lv/reloader.log" 2>&1 &
    rl=$!; CHILDREN+=("$rl")
    sleep 0.5
    ln -sfn v2 "$lv/..data.tmp" && mv -T "$lv/..data.tmp" "$lv/..data"
    after=$before; for _ in $(seq 50); do after=$(reloads); [ "$after" != "$before" ] && break; sleep 0.1; done
    if [ "$before" != none ] && [ "$after" = $((before + 1)) ]; then
        ok "live: a ConfigMap-style swap -> reloader SIGHUP -> meshgate_config_reloads_total{result=\"ok\"} $before -> $after"
    else bad "live: reload through the reloader (reloads ok: $before -> $after; $(tail -2 "$lv/reloader.log"); $(tail -3 "$lv/daemon.log"))"; fi
    kill -TERM "$mg" 2>/dev/null
    rc=124; for _ in $(seq 100); do if ! kill -0 "$mg" 2>/dev/null; then wait "$mg"; rc=$?; break; fi; sleep 0.1; done
    [ "$rc" = 0 ] && ok "live: SIGTERM (docker stop / kubelet / systemctl stop) ends meshgate serve with exit 0" \
        || bad "live: SIGTERM exit status $rc ($(tail -3 "$lv/daemon.log"))"
    wait "$rl" 2>/dev/null
fi

# ---- install.sh ---------------------------------------------------------------------------------
INST=$ROOT/deploy/install.sh
if want install && [ -f "$INST" ]; then
    pre=$WORK/prefix
    bash "$INST" --help | grep -q -- --prefix && ok "install.sh --help" || bad "install.sh --help documents --prefix"
    bash "$INST" --prefix "$pre" --binary "$BIN" --dry-run >"$WORK/dry.log" 2>&1
    rc=$?
    [ $rc = 0 ] && [ ! -e "$pre" ] && ok "install.sh --dry-run changes nothing" || bad "install.sh --dry-run changes nothing ($(tail -3 "$WORK/dry.log"))"
    if bash "$INST" --prefix "$pre" --binary "$BIN" >"$WORK/inst1.log" 2>&1; then
        missing=()
        for f in usr/local/bin/meshgate etc/systemd/system/meshgate.service etc/meshgate/meshgate.yaml \
                 etc/meshgate/meshgate.env etc/meshgate/domains; do [ -e "$pre/$f" ] || missing+=("$f"); done
        [ ${#missing[@]} = 0 ] && ok "install.sh --prefix installs binary, unit and /etc/meshgate skeleton" || bad "install.sh --prefix: missing ${missing[*]}"
        [ "$(stat -c %a "$pre/etc/meshgate/meshgate.env")" = 640 ] && ok "install.sh: meshgate.env is 0640" || bad "install.sh: meshgate.env is 0640"
        echo "# operator edit" >>"$pre/etc/meshgate/meshgate.yaml"
        sum=$(find "$pre" -type f -exec md5sum {} + | sort)
        bash "$INST" --prefix "$pre" --binary "$BIN" >"$WORK/inst2.log" 2>&1 && [ "$sum" = "$(find "$pre" -type f -exec md5sum {} + | sort)" ] \
            && ! grep -q '^install: installed' "$WORK/inst2.log" \
            && ok "install.sh is idempotent and keeps the operator's config" || bad "install.sh second run: $(cat "$WORK/inst2.log")"
        # The skeleton config passes `meshgate check` once its secrets are set.
        MESHGATE_HASH_KEY=0123456789abcdef0123456789abcdef WAREHOUSE_PG_PASSWORD=x \
            "$BIN" check --config "$pre/etc/meshgate/meshgate.yaml" >"$WORK/skel.log" 2>&1 \
            && ok "install.sh: the skeleton meshgate.yaml passes meshgate check ($(tail -1 "$WORK/skel.log"))" \
            || bad "install.sh: the skeleton meshgate.yaml passes meshgate check: $(cat "$WORK/skel.log")"
        # Every variable the skeleton's *_env keys name is listed in the env file skeleton.
        envs=$(grep -oE '_env: *[A-Z0-9_]+' "$pre/etc/meshgate/meshgate.yaml" | awk '{print $2}')
        miss=""; for e in $envs; do grep -q "^$e=" "$pre/etc/meshgate/meshgate.env" || miss="$miss $e"; done
        [ -z "$miss" ] && ok "install.sh: meshgate.env lists every *_env of the skeleton ($(echo $envs))" || bad "install.sh: meshgate.env lacks$miss"
        # The unit's paths are the ones install.sh installs.
        grep -q "EnvironmentFile=-/etc/meshgate/meshgate.env" "$pre/etc/systemd/system/meshgate.service" \
            && ok "install.sh: the unit reads the env file it installs" || bad "install.sh: the unit reads /etc/meshgate/meshgate.env"
    else
        bad "install.sh --prefix: $(cat "$WORK/inst1.log")"
    fi
fi

# ---- shellcheck ---------------------------------------------------------------------------------
if ! want shellcheck; then :
elif command -v shellcheck >/dev/null 2>&1; then
    for s in deploy/install.sh deploy/container/healthcheck.sh deploy/container/reload-on-change.sh tests/deploy/check.sh tests/deploy/docker-smoke.sh tests/deploy/systemd-smoke.sh; do
        [ -f "$ROOT/$s" ] || continue
        out=$(shellcheck -S warning "$ROOT/$s" 2>&1) && ok "shellcheck $s" || bad "shellcheck $s: $out"
    done
else
    echo "note - shellcheck not installed: scripts not linted"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
