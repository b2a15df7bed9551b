#!/usr/bin/env bash
# Installs every Debian package meshgate needs to build, test and run its demo.
# Used by README, .ci/run and the Dockerfile. Idempotent: installs only what is missing.
# Usage: deploy/install-deps.sh [--build|--runtime]   (--build: only what compiling needs;
#        --runtime: only what the daemon needs to run; default: build + tests + demo)
set -euo pipefail

if [ "${1:-}" = "--help" ]; then
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

build_pkgs=(build-essential cmake ninja-build pkg-config git
    libboost1.81-dev libssl-dev libpg-query-dev libprotobuf-c-dev libyaml-cpp-dev
    prometheus-cpp-dev doctest-dev clang libclang-rt-14-dev)
test_pkgs=(postgresql-15 postgresql-client-15 postgresql-contrib pgbouncer openssl curl
    python3 python3-psycopg2 python3-yaml libpostgresql-jdbc-java default-jdk-headless nodejs npm
    ca-certificates
    systemd shellcheck)  # tests/deploy/check.sh: systemd-analyze verify, shell lint
runtime_pkgs=(libssl3 libyaml-cpp0.7 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libcivetweb1 ca-certificates)

if [ "${1:-}" = "--runtime" ]; then
    wanted=("${runtime_pkgs[@]}")
elif [ "${1:-}" = "--build" ]; then
    wanted=("${build_pkgs[@]}")
else
    wanted=("${build_pkgs[@]}" "${test_pkgs[@]}")
fi

missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node and npm may come from outside Debian (a preinstalled toolchain); accept them if on PATH.
if [ ${#missing[@]} -gt 0 ]; then
    filtered=()
    for p in "${missing[@]}"; do
        case "$p" in
            nodejs) command -v node >/dev/null 2>&1 && continue ;;
            npm) command -v npm >/dev/null 2>&1 && continue ;;
        esac
        filtered+=("$p")
    done
    missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#wanted[@]} packages present"
    exit 0
fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
