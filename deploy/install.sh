#!/usr/bin/env bash
# Installs meshgate as a systemd service: the binary, the `meshgate` system user, the hardened unit
# (deploy/systemd/meshgate.service) and an /etc/meshgate skeleton (example config, env file for
# secrets, domains/). Idempotent: re-running replaces the binary and the unit when they changed and
# never overwrites an existing config or env file.
#
# Usage: deploy/install.sh [options]                     (as root; build first: cmake --build build)
#   --binary PATH   the meshgate binary to install (default: build/meshgate of this checkout)
#   --prefix DIR    install under DIR instead of / (tests, packaging); no user is created, no
#                   ownership changed, systemctl is not called
#   --dry-run       print what would be done, change nothing
#   --enable        also `systemctl enable --now meshgate` (only after the config is filled in)
#   -h, --help      this text
# Then: edit /etc/meshgate/meshgate.yaml and /etc/meshgate/meshgate.env, run
#   meshgate check --config /etc/meshgate/meshgate.yaml  and  systemctl enable --now meshgate
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BINARY=$REPO/build/meshgate
PREFIX=""
DRY=0
ENABLE=0
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) BINARY=${2:?--binary needs a path}; shift 2 ;;
        --binary=*) BINARY=${1#*=}; shift ;;
        --prefix) PREFIX=${2:?--prefix needs a directory}; shift 2 ;;
        --prefix=*) PREFIX=${1#*=}; shift ;;
        --dry-run) DRY=1; shift ;;
        --enable) ENABLE=1; shift ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
PREFIX=${PREFIX%/}

say() { echo "install: $*"; }
run() {  # run CMD...: runs it, or only prints it under --dry-run
    if [ "$DRY" = 1 ]; then echo "would run: $*"; else "$@"; fi
}
die() { echo "install.sh: error: $*" >&2; exit 1; }

[ -x "$BINARY" ] || die "no executable at $BINARY (build it: cmake --build build --target meshgate, or pass --binary)"
"$BINARY" --version >/dev/null 2>&1 || die "$BINARY --version failed"
if [ -z "$PREFIX" ] && [ "$DRY" = 0 ] && [ "$(id -u)" != 0 ]; then
    die "run as root (or use --prefix DIR / --dry-run)"
fi

BIN_DIR=$PREFIX/usr/local/bin
UNIT_DIR=$PREFIX/etc/systemd/system
CONF_DIR=$PREFIX/etc/meshgate
DOC_DIR=$PREFIX/usr/local/share/doc/meshgate
OWNER=1   # change ownership to root:meshgate (not under --prefix)
[ -n "$PREFIX" ] && OWNER=0

# install_file SRC DST MODE [keep]: copies SRC to DST when DST is missing or differs; with
# `keep`, an existing DST is left alone (operator-edited files).
install_file() {
    local src=$1 dst=$2 mode=$3 keep=${4:-}
    if [ -e "$dst" ]; then
        if [ "$keep" = keep ]; then say "kept $dst (exists)"; return; fi
        if cmp -s "$src" "$dst"; then say "unchanged $dst"; return; fi
    fi
    run install -D -m "$mode" "$src" "$dst"
    say "installed $dst"
}

# 1. The system user and group (home /var/lib/meshgate, no login shell).
if [ "$OWNER" = 1 ]; then
    if getent group meshgate >/dev/null; then say "group meshgate exists"
    else run groupadd --system meshgate; say "created group meshgate"; fi
    if getent passwd meshgate >/dev/null; then say "user meshgate exists"
    else
        run useradd --system --gid meshgate --home-dir /var/lib/meshgate --no-create-home \
            --shell /usr/sbin/nologin --comment "meshgate proxy" meshgate
        say "created user meshgate"
    fi
else
    say "--prefix: no user created, no ownership changed"
fi

# 2. The binary and the unit.
install_file "$BINARY" "$BIN_DIR/meshgate" 0755
install_file "$REPO/deploy/systemd/meshgate.service" "$UNIT_DIR/meshgate.service" 0644
[ -f "$REPO/docs/operations.md" ] && install_file "$REPO/docs/operations.md" "$DOC_DIR/operations.md" 0644

# 3. /etc/meshgate: root-owned, readable by the meshgate group only.
for d in "$CONF_DIR" "$CONF_DIR/domains"; do
    if [ -d "$d" ]; then say "kept $d (exists)"; else run install -d -m 0750 "$d"; say "created $d"; fi
done
install_file "$REPO/deploy/systemd/meshgate.yaml.example" "$CONF_DIR/meshgate.yaml" 0640 keep
install_file "$REPO/deploy/systemd/meshgate.env.example" "$CONF_DIR/meshgate.env" 0640 keep
if [ "$OWNER" = 1 ]; then
    run chown root:meshgate "$CONF_DIR" "$CONF_DIR/domains" "$CONF_DIR/meshgate.yaml" "$CONF_DIR/meshgate.env"
fi

# ExecReload runs /bin/kill (Debian: procps); without it `systemctl reload` fails.
if [ -z "$PREFIX" ] && [ ! -x /bin/kill ]; then
    say "WARNING: /bin/kill is missing (apt-get install procps): systemctl reload meshgate would fail"
fi

# 4. systemd.
if [ -z "$PREFIX" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    run systemctl daemon-reload
    if [ "$ENABLE" = 1 ]; then
        # The check needs the secrets the unit gets from its EnvironmentFile.
        run bash -c 'set -a; . "$1"; set +a; exec "$2" check --config "$3"' check \
            "$CONF_DIR/meshgate.env" "$BIN_DIR/meshgate" "$CONF_DIR/meshgate.yaml"
        run systemctl enable --now meshgate
    fi
elif [ "$ENABLE" = 1 ]; then
    say "systemd is not running here (or --prefix): not enabling"
fi
say "done. Next: edit $CONF_DIR/meshgate.yaml and $CONF_DIR/meshgate.env, then"
say "  meshgate check --config /etc/meshgate/meshgate.yaml && systemctl enable --now meshgate"
