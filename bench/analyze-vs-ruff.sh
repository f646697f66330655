#!/usr/bin/env bash
# Static analysis speed: `perfkit analyze` vs `ruff check --select ASYNC,PERF` on the
# same large real Python tree (Django's sdist from PyPI), same machine, same run, both
# pinned to the same CPUs; plus perfkit alone on a large TypeScript package from npm.
# Prints files/s for each run and the per-file time ratio perfkit/ruff per pair (< 3.0
# is the target: within 3x of ruff), summarised by median and geometric mean, and
# perfkit's files/s on each tree (median over the pairs; >= 1,000 on 2 cores is the
# target), with the load average at the start and the end of the run. perfkit
# skips test code in a directory walk and ruff does not, so the two analyze different
# numbers of files of the same tree; the ratio compares time per file.
#
#   bash bench/analyze-vs-ruff.sh [PAIRS] [CPUS]      (PERFKIT_BIN=... to use a prebuilt binary)
#
# Each pair runs both tools back to back, alternating which goes first. Needs python3
# with pip (for `pip download django` and `pip install ruff`) and npm (for `npm pack`).
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${1:-6}
CPUS=${2:-0,1}
DJANGO_VERSION=${DJANGO_VERSION:-5.2.19}
TS_PACKAGE=${TS_PACKAGE:-typeorm@0.3.27}

command -v ruff >/dev/null 2>&1 || python3 -m pip install -q ruff
RUFF=$(command -v ruff)
# PERFKIT_BIN=path skips the build (a release binary of the commit under test).
if [ -n "${PERFKIT_BIN:-}" ]; then
    PERFKIT=$PERFKIT_BIN
else
    cargo build --release -q -p perfkit
    PERFKIT=$PWD/target/release/perfkit
fi

CACHE=${BENCH_CACHE:-$PWD/target/bench-analyze}
mkdir -p "$CACHE"
if [ ! -d "$CACHE/django-$DJANGO_VERSION" ]; then
    python3 -m pip download -q --no-deps --no-binary :all: "django==$DJANGO_VERSION" -d "$CACHE"
    tar xzf "$CACHE/django-$DJANGO_VERSION.tar.gz" -C "$CACHE"
fi
PY_TREE=$CACHE/django-$DJANGO_VERSION
TS_TREE=$CACHE/ts-package
if [ ! -d "$TS_TREE" ]; then
    mkdir -p "$TS_TREE"
    (cd "$CACHE" && npm pack -q "$TS_PACKAGE" >/dev/null)
    tar xzf "$CACHE"/*.tgz -C "$TS_TREE"
fi

# One timed run: prints seconds.
timed() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.3f}')"
}
files_of() { "$PERFKIT" analyze "$1" --format json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["files"])'; }
PY_FILES=$(files_of "$PY_TREE")
TS_FILES=$(files_of "$TS_TREE")
RUFF_FILES=$(find "$PY_TREE" -name '*.py' -o -name '*.pyi' | wc -l)
echo "perfkit $("$PERFKIT" --version | cut -d' ' -f2), $("$RUFF" --version); cpus $CPUS"
echo "python tree: $PY_TREE ($PY_FILES files analyzed by perfkit, $RUFF_FILES .py/.pyi files)"
echo "ts tree: $TS_PACKAGE ($TS_FILES files analyzed by perfkit)"

run_perfkit() { taskset -c "$CPUS" "$PERFKIT" analyze "$1" --format json --output /dev/null; }
run_ruff() { taskset -c "$CPUS" "$RUFF" check --select ASYNC,PERF --no-cache --exit-zero -q "$1"; }

# warm the page cache
run_perfkit "$PY_TREE" >/dev/null 2>&1 || true
run_ruff "$PY_TREE" >/dev/null 2>&1 || true

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
RATIOS=(); PY_RATES=(); TS_RATES=(); RUFF_RATES=()
for i in $(seq 1 "$PAIRS"); do
    if [ $((i % 2)) -eq 1 ]; then
        p=$(timed run_perfkit "$PY_TREE"); r=$(timed run_ruff "$PY_TREE")
    else
        r=$(timed run_ruff "$PY_TREE"); p=$(timed run_perfkit "$PY_TREE")
    fi
    t=$(timed run_perfkit "$TS_TREE")
    # perfkit skips test code, ruff does not: compare time per file, not whole-run time.
    ratio=$(python3 -c "print(f'{($p / $PY_FILES) / ($r / $RUFF_FILES):.2f}')")
    RATIOS+=("$ratio")
    PY_RATES+=("$(python3 -c "print(f'{$PY_FILES / $p:.1f}')")")
    TS_RATES+=("$(python3 -c "print(f'{$TS_FILES / $t:.1f}')")")
    RUFF_RATES+=("$(python3 -c "print(f'{$RUFF_FILES / $r:.1f}')")")
    python3 -c "print(f'pair $i: perfkit {$p:.2f}s ({$PY_FILES / $p:.0f} files/s)  ruff {$r:.2f}s ({$RUFF_FILES / $r:.0f} files/s)  per-file time ratio perfkit/ruff {$ratio}  | ts: perfkit {$t:.2f}s ({$TS_FILES / $t:.0f} files/s)')"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "${RATIOS[*]}" "${PY_RATES[*]}" "${TS_RATES[*]}" "${RUFF_RATES[*]}" "$CPUS" <<'PY'
import math, statistics, sys
r, py, ts, ruff = ([float(x) for x in a.split()] for a in sys.argv[1:5])
cpus = len(sys.argv[5].split(","))
print(f"per-file time ratio perfkit/ruff: median {statistics.median(r):.2f}, geometric mean {math.exp(sum(map(math.log, r)) / len(r)):.2f} over {len(r)} pairs (target < 3.0)")
print(f"perfkit files/s on {cpus} CPUs (median): Django {statistics.median(py):.0f}, TypeScript package {statistics.median(ts):.0f} (target >= 1,000); ruff on Django: {statistics.median(ruff):.0f}")
PY
