#!/bin/bash
# meshgate-healthcheck: exits 0 when meshgate's admin endpoint answers HTTP 200, 1 otherwise.
# Used by the container's HEALTHCHECK. Needs nothing but bash (its /dev/tcp), so the runtime image
# carries no curl or wget.
# Usage: meshgate-healthcheck [PATH]      PATH: /healthz (default) or /readyz
# Environment: MESHGATE_ADMIN_HOST (127.0.0.1), MESHGATE_ADMIN_PORT (9187): the config's `admin:`
#   section; MESHGATE_HEALTHCHECK_TIMEOUT seconds (3).
set -u
path=${1:-/healthz}
case "$path" in
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    /*) ;;
    *) echo "meshgate-healthcheck: PATH must start with /" >&2; exit 2 ;;
esac
host=${MESHGATE_ADMIN_HOST:-127.0.0.1}
port=${MESHGATE_ADMIN_PORT:-9187}
t=${MESHGATE_HEALTHCHECK_TIMEOUT:-3}
# The connect itself is bounded by running it in a subshell under `timeout` when available;
# plain bash otherwise (the container HEALTHCHECK has its own --timeout).
check() {
    exec 3<>"/dev/tcp/$host/$port" || return 1
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$host" >&3
    local status
    IFS= read -r -t "$t" status <&3 || return 1
    exec 3<&-
    case "$status" in
        "HTTP/1."?" 200 "*|"HTTP/1."?" 200") return 0 ;;
    esac
    echo "meshgate-healthcheck: $host:$port$path answered: ${status%$'\r'}" >&2
    return 1
}
if command -v timeout >/dev/null 2>&1; then
    export -f check
    export host port path t
    exec timeout "$((t + 1))" bash -c check
fi
check
