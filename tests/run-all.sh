#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test of meshgate.
# Stages: deps, lint, build (build/), unit (ctest), e2e (tests/e2e/run.sh against build/meshgate),
# then — with CI=true or --full — asan (one clang ASan+UBSan build in build-asan/ with -DFUZZ=ON: unit
# tests + e2e suites against the sanitized binary) and fuzz (each tests/fuzz target from that build, bounded).
#
# Usage: tests/run-all.sh [options]        (run as root on Debian 12, from anywhere)
#   --quick          deps, lint, build, unit, e2e only (default unless CI=true)
#   --full           every stage (default when CI=true)
#   --no-deps        do not run deploy/install-deps.sh
#   --no-e2e         skip the e2e stage
#   --only STAGES    comma-separated subset, e.g. --only build,unit
#   --fuzz-seconds N libFuzzer time per target (default 20)
#   -h, --help       this text
# Ends with a per-stage table (status, seconds) and `N passed, N failed`; exit 1 on any failure.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FULL=0
[ "${CI:-}" = true ] && FULL=1
DEPS=1
E2E=1
ONLY=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) FULL=0; shift ;;
        --full) FULL=1; shift ;;
        --no-deps) DEPS=0; shift ;;
        --no-e2e) E2E=0; shift ;;
        --only) ONLY=",$2,"; shift 2 ;;
        --fuzz-seconds) FUZZ_SECONDS=$2; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run-all: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

wanted() {  # wanted STAGE: whether this run includes STAGE
    local s=$1
    if [ -n "$ONLY" ]; then [[ "$ONLY" == *",$s,"* ]]; return; fi
    case "$s" in
        deps) [ "$DEPS" = 1 ] ;;
        e2e) [ "$E2E" = 1 ] ;;
        asan|fuzz) [ "$FULL" = 1 ] ;;
        *) true ;;
    esac
}

LOGDIR=$(mktemp -d /tmp/meshgate-tests.XXXXXX)
STAGES=()      # "name|status|seconds|detail"
TOTAL_PASSED=0
TOTAL_FAILED=0
T_ALL=$(date +%s)

count() {  # count PASSED FAILED
    TOTAL_PASSED=$((TOTAL_PASSED + $1))
    TOTAL_FAILED=$((TOTAL_FAILED + $2))
}

# stage NAME DESC CMD...: runs CMD with output shown live and logged; records status and time.
stage() {
    local name=$1 desc=$2; shift 2
    local t0 rc secs
    echo
    echo "=== [$name] $desc"
    t0=$(date +%s)
    "$@" 2>&1 | tee "$LOGDIR/$name.log"
    rc=${PIPESTATUS[0]}
    secs=$(( $(date +%s) - t0 ))
    if [ "$rc" = 0 ]; then
        echo "=== [$name] ok (${secs}s)"
        STAGES+=("$name|ok|$secs")
    else
        echo "=== [$name] FAILED with exit code $rc (${secs}s); log: $LOGDIR/$name.log"
        STAGES+=("$name|FAIL|$secs")
    fi
    return "$rc"
}

skip() { STAGES+=("$1|skipped|0"); }

# Counts a stage whose log has no check lines of its own as one check.
count_stage() { if [ "$1" = 0 ]; then count 1 0; else count 0 1; fi; }

# Adds ctest's "N tests failed out of M" from a log to the totals; 1 check if ctest died early.
count_ctest() {
    local log=$1 line failed total
    line=$(grep -E 'tests? failed out of [0-9]+' "$log" | tail -1)
    if [ -z "$line" ]; then echo "run-all: no ctest summary in $log (no tests found?)"; count 0 1; return; fi
    failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
    total=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
    count $((total - failed)) "$failed"
}

# Adds an e2e run's closing "N passed, N failed" to the totals; 1 failed check if it has none.
count_summary() {
    local log=$1 line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -1)
    if [ -z "$line" ]; then count 0 1; return; fi
    count "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
}

configure_build() {  # configure_build DIR [cmake args...] -- [targets...]
    local dir=$1; shift
    local cargs=() targets=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do cargs+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift
    targets=("$@")
    cmake -S "$REPO" -B "$dir" -G Ninja "${cargs[@]}" >"$LOGDIR/$(basename "$dir")-configure.log" 2>&1 ||
        { cat "$LOGDIR/$(basename "$dir")-configure.log"; return 1; }
    if [ ${#targets[@]} -gt 0 ]; then
        cmake --build "$dir" -j "$JOBS" --target "${targets[@]}"
    else
        cmake --build "$dir" -j "$JOBS"
    fi
}

run_unit() {  # run_unit BUILDDIR
    ctest --test-dir "$1" --output-on-failure -j "$JOBS" --timeout 120
}

run_fuzz() {
    local dir=$REPO/build-asan fails=0 ran=0 f name corpus
    for f in "$dir"/tests/fuzz_*; do
        [ -x "$f" ] || continue
        name=$(basename "$f")
        corpus=$LOGDIR/corpus-$name
        mkdir -p "$corpus"
        [ -d "$REPO/tests/fuzz/corpus/$name" ] && cp -r "$REPO/tests/fuzz/corpus/$name/." "$corpus/"
        echo "--- $name for ${FUZZ_SECONDS}s"
        ran=$((ran + 1))
        if timeout -k 10 $((FUZZ_SECONDS + 60)) "$f" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 \
            -timeout=10 -print_final_stats=1 -artifact_prefix="$LOGDIR/$name-" "$corpus" \
            >"$LOGDIR/$name.log" 2>&1; then
            echo "ok   - [fuzz] $name: $(grep -E 'stat::number_of_executed_units' "$LOGDIR/$name.log" | awk '{print $2}') runs, no findings"
            count 1 0
        else
            echo "FAIL - [fuzz] $name found a problem; reproducer(s): $(ls "$LOGDIR/$name-"* 2>/dev/null | tr '\n' ' ')"
            grep -E -A30 'ERROR:|runtime error|==[0-9]+==' "$LOGDIR/$name.log" | head -60
            fails=$((fails + 1))
            count 0 1
        fi
    done
    if [ "$ran" = 0 ]; then
        echo "no fuzz targets under build-asan/tests (tests/fuzz/*.cpp); nothing to run"
    fi
    [ "$fails" = 0 ]
}

fuzz_targets() {
    local f
    for f in "$REPO"/tests/fuzz/fuzz_*.cpp; do [ -f "$f" ] && basename "$f" .cpp; done
}

echo "meshgate tests: repo $REPO, $JOBS jobs, CI=${CI:-false}, $([ "$FULL" = 1 ] && echo full || echo quick) run; logs in $LOGDIR"
BUILD_OK=1

if wanted deps; then
    stage deps "install missing Debian packages (deploy/install-deps.sh)" bash "$REPO/deploy/install-deps.sh"
    count_stage $?
else skip deps; fi

if wanted lint && [ -f "$REPO/tests/lint/layering.sh" ]; then
    stage lint "layering lint (tests/lint/layering.sh)" bash "$REPO/tests/lint/layering.sh" "$REPO"
    count_stage $?
else skip lint; fi

if wanted build; then
    stage build "cmake -S . -B build -G Ninja && cmake --build build" \
        configure_build "$REPO/build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
    rc=$?; count_stage $rc; [ $rc = 0 ] || BUILD_OK=0
else skip build; fi

if wanted unit; then
    if [ "$BUILD_OK" = 1 ]; then
        stage unit "unit tests (ctest --output-on-failure)" run_unit "$REPO/build"
        count_ctest "$LOGDIR/unit.log"
    else skip unit; count 0 1; fi
else skip unit; fi

if wanted e2e; then
    if [ "$BUILD_OK" = 1 ]; then
        stage e2e "end-to-end: real PostgreSQL, psql, psycopg2, pgjdbc, node-postgres, pgbench" \
            bash "$REPO/tests/e2e/run.sh" --meshgate "$REPO/build/meshgate"
        count_summary "$LOGDIR/e2e.log"
    else skip e2e; count 0 1; fi
else skip e2e; fi

if wanted asan; then
    # One clang build serves both the sanitizer stages and fuzzing (the libFuzzer targets are
    # built with -DFUZZ=ON into the same tree), so CI compiles the code twice, not three times.
    # Debug keeps the sanitized build fast to compile; ASan/UBSan catch the same bugs.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    if CC=clang CXX=clang++ stage asan-build "ASan+UBSan build with fuzz targets (clang, build-asan/)" \
        configure_build "$REPO/build-asan" -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON -DFUZZ=ON; then
        ASAN_BUILT=1
        count 1 0
        stage asan-unit "unit tests under ASan+UBSan" run_unit "$REPO/build-asan"
        count_ctest "$LOGDIR/asan-unit.log"
        stage asan-e2e "e2e suites against the sanitized binary" \
            bash "$REPO/tests/e2e/run.sh" --meshgate "$REPO/build-asan/meshgate" --sanitizer-log \
            cli psql psycopg2 jdbc node attack statements cache soundness differential identity ops \
            catalog federation learning txpool oidleak
        count_summary "$LOGDIR/asan-e2e.log"
    else
        count 0 1; skip asan-unit; skip asan-e2e
    fi
else skip asan; fi

if wanted fuzz; then
    mapfile -t FT < <(fuzz_targets)
    if [ ${#FT[@]} -eq 0 ]; then
        echo; echo "=== [fuzz] no tests/fuzz/fuzz_*.cpp targets; skipped"; skip fuzz
    elif [ "${ASAN_BUILT:-0}" = 1 ]; then
        stage fuzz "libFuzzer (targets from build-asan/), ${FUZZ_SECONDS}s per target" run_fuzz
    else
        echo; echo "=== [fuzz] the sanitizer build did not run or failed; fuzzing skipped"; skip fuzz
    fi
else skip fuzz; fi

echo
echo "=== summary ($(( $(date +%s) - T_ALL ))s total)"
printf '  %-12s %-8s %6s\n' stage status seconds
for s in "${STAGES[@]}"; do
    IFS='|' read -r n st secs <<<"$s"
    printf '  %-12s %-8s %6s\n' "$n" "$st" "$secs"
done
echo "logs: $LOGDIR"
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" = 0 ] && ! printf '%s\n' "${STAGES[@]}" | grep -q '|FAIL|'
