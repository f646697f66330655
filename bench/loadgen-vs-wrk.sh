#!/usr/bin/env bash
# Load generation: `perfkit benchmark` vs wrk against the same nginx `return 200`
# target, equal threads and connections, same machine, same run. Prints requests/s
# for each and the ratio perfkit/wrk (>= 1.0 means perfkit generates at least as
# much load).
#
#   bash bench/loadgen-vs-wrk.sh [PAIRS] [DURATION_SECONDS] [CONNECTIONS]
#
# nginx (one worker) is pinned to CPU 0 and each load generator (one thread) to
# CPU 1 with taskset, so the generators never share a core with the target or with
# each other. Each pair runs both generators back to back, alternating which goes
# first; the summary is the median and geometric mean of the pair ratios.
#
# Needs nginx and wrk (Debian packages); installs them when missing. (oha and wrk2
# are not packaged for Debian 12, so they are not compared.) Target setup: bench/nginx-target.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${1:-10}
SECONDS_PER_RUN=${2:-5}
CONNECTIONS=${3:-64}
TARGET_CPU=${TARGET_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

source bench/nginx-target.sh

cat > "$WORK/benchmarks.yml" <<YML
scenarios:
  loadgen:
    target: http://127.0.0.1:$PORT
    threads: 1
    duration: ${SECONDS_PER_RUN}s
    load: {model: closed, connections: $CONNECTIONS}
    endpoints: [{name: root, path: /}]
YML

# CPU time of each generator (task-clock, via `perf stat` when installed) divided by
# its request count: CPU microseconds per request, less noisy than requests/s.
cpu_ms() { if [ -s "$1" ]; then awk -F, '/task-clock/ { print $1 }' "$1"; else echo 0; fi; }
measure() {
    if command -v perf >/dev/null 2>&1; then
        taskset -c "$LOAD_CPU" perf stat -x, -e task-clock -o "$WORK/perf.txt" "$@"
    else
        : >"$WORK/perf.txt"
        taskset -c "$LOAD_CPU" "$@"
    fi
}
# Each prints "REQUESTS_PER_SECOND CPU_MICROSECONDS_PER_REQUEST".
run_wrk() {
    measure wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$PORT/" >"$WORK/wrk.txt"
    local rps requests
    rps=$(awk '/Requests\/sec:/ { print $2 }' "$WORK/wrk.txt")
    requests=$(awk '/requests in/ { print $1 }' "$WORK/wrk.txt")
    python3 -c "print('%s %.2f' % ('$rps', $(cpu_ms "$WORK/perf.txt") * 1000 / $requests))"
}
run_perfkit() {
    (cd "$WORK" && measure "$PERFKIT" benchmark -f benchmarks.yml --json --no-save \
        --reports "$WORK/reports" >"$WORK/perfkit.json")
    python3 -c "
import json; t = json.load(open('$WORK/perfkit.json'))['scenarios'][0]['result']['totals']
print('%.2f %.2f' % (t['rps'], $(cpu_ms "$WORK/perf.txt") * 1000 / t['requests']))"
}

echo "| pair | wrk req/s | wrk CPU µs/req | perfkit req/s | perfkit CPU µs/req | ratio (req/s) |"
echo "|---|---|---|---|---|---|"
RATIOS=()
for pair in $(seq "$PAIRS"); do
    if [ $((pair % 2)) -eq 1 ]; then
        read -r WRK WRK_CPU < <(run_wrk); read -r PK PK_CPU < <(run_perfkit)
    else
        read -r PK PK_CPU < <(run_perfkit); read -r WRK WRK_CPU < <(run_wrk)
    fi
    RATIO=$(python3 -c "print('%.3f' % ($PK / $WRK))")
    RATIOS+=("$RATIO")
    echo "| $pair | $WRK | $WRK_CPU | $PK | $PK_CPU | $RATIO |"
done
python3 - "${RATIOS[@]}" <<PY
import math, statistics, sys
r = [float(x) for x in sys.argv[1:]]
gm = math.exp(sum(math.log(x) for x in r) / len(r))
print(f"\nratio perfkit/wrk: median {statistics.median(r):.3f}, geometric mean {gm:.3f}, "
      f"{sum(x >= 1.0 for x in r)}/{len(r)} pairs >= 1.0  "
      f"(1 thread, $CONNECTIONS connections, ${SECONDS_PER_RUN}s, target on CPU $TARGET_CPU, generators on CPU $LOAD_CPU)")
PY
