#!/usr/bin/env bash
# Memory of a long open-loop run: `perfkit benchmark` at a fixed rate against an nginx
# `return 200` target, with the load generator's resident memory (VmRSS) sampled
# every 5 seconds. Flat means: memory does not grow with the number of requests
# (histograms and counters are fixed-size; the time series keeps one small record
# per interval per endpoint).
#
#   bash bench/loadgen-memory.sh [SECONDS] [RATE]
#
# Needs nginx (Debian package); installs it when missing (bench/nginx-target.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL=${1:-120}
RATE=${2:-5000}

source bench/nginx-target.sh

cat > "$WORK/benchmarks.yml" <<YML
scenarios:
  soak:
    target: http://127.0.0.1:$PORT
    threads: 1
    duration: ${SECONDS_TOTAL}s
    load: {model: open, connections: 64, rate: $RATE}
    endpoints: [{name: root, path: /}]
YML
(cd "$WORK" && "$PERFKIT" benchmark -f benchmarks.yml --no-save --reports "$WORK/reports" >"$WORK/out.txt") &
BENCH=$!
PIDS+=($BENCH)
sleep 1
PK_PID=$(pgrep -P "$BENCH" -f "perfkit benchmark" || pgrep -f "$PERFKIT benchmark -f benchmarks.yml" | head -1)
echo "sampling pid $PK_PID ($(tr '\0' ' ' <"/proc/$PK_PID/cmdline" | cut -c1-60)...)"
echo "| seconds | VmRSS kB |"
echo "|---|---|"
for t in $(seq 5 5 "$SECONDS_TOTAL"); do
    sleep 5
    rss=$(awk '/VmRSS/ { print $2 }' "/proc/$PK_PID/status" 2>/dev/null || echo gone)
    echo "| $t | $rss |"
done
wait "$BENCH" || true
cat "$WORK/out.txt"
