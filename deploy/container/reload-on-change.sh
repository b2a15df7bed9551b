#!/bin/bash
# meshgate-reload-on-change: sends SIGHUP to `meshgate serve` whenever the mounted configuration
# changes, so a Kubernetes ConfigMap/Secret update becomes a live reload (SIGHUP: a valid config is
# swapped in atomically, an invalid one is logged and counted, the old one stays).
# Runs as a second container of the meshgate Pod with `shareProcessNamespace: true` and the SAME
# numeric user as meshgate (a signal needs the same uid; no capability is added).
# Kubernetes updates a ConfigMap/Secret volume by swapping its `..data` symlink; this watches that
# link (and, for other mounts, a checksum of the files) in every directory given.
# Usage: meshgate-reload-on-change [DIR...]        (default: /etc/meshgate)
# Environment: RELOAD_INTERVAL seconds between looks (5), RELOAD_MATCH text that identifies the
#   process in /proc/PID/cmdline, spaces for NULs ("meshgate serve"), RELOAD_ONCE=1 to exit after
#   the first signal sent (tests).
set -u
case "${1:-}" in -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[ $# -gt 0 ] || set -- /etc/meshgate
interval=${RELOAD_INTERVAL:-5}
match=${RELOAD_MATCH:-meshgate serve}

log() { printf '{"ts":"%s","level":"%s","msg":"%s"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2"; }

# What identifies the current content of the watched directories: the ..data targets where
# Kubernetes maintains them, else size+mtime of every regular file (no checksum tool needed).
state() {
    local d f
    for d in "$@"; do
        if [ -L "$d/..data" ]; then
            printf '%s=%s\n' "$d" "$(readlink "$d/..data")"
        else
            while IFS= read -r -d '' f; do
                printf '%s %s\n' "$f" "$(stat -L -c '%s %Y' "$f" 2>/dev/null)"
            done < <(find -L "$d" -type f -print0 2>/dev/null | sort -z)
        fi
    done
}

# PIDs whose command line contains $match (not this script's own).
targets() {
    local p cmd argv
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = $$ ] && continue
        # Builtins only (no fork per process); a process may vanish while we look.
        mapfile -d '' -t argv 2>/dev/null <"/proc/$p/cmdline" || continue
        cmd="${argv[*]}"
        case "$cmd" in *"$match"*) ;; *) continue ;; esac
        case "$cmd" in *reload-on-change*) continue ;; esac
        echo "$p"
    done
}

last=$(state "$@")
log info "watching $* every ${interval}s for changes; will send SIGHUP to \\\"$match\\\""
while sleep "$interval"; do
    now=$(state "$@")
    [ "$now" = "$last" ] && continue
    last=$now
    pids=$(targets)
    if [ -z "$pids" ]; then
        log warn "configuration changed but no \\\"$match\\\" process is visible (shareProcessNamespace: true? same user?)"
        continue
    fi
    for p in $pids; do
        if kill -HUP "$p"; then
            log info "configuration changed: sent SIGHUP to pid $p"
        else
            log error "configuration changed: could not signal pid $p"
        fi
    done
    [ "${RELOAD_ONCE:-0}" = 1 ] && exit 0
done
