#!/usr/bin/env bash
# Load generation, counted instead of timed: user-space instructions per request of
# `perfkit benchmark` and of `wrk -t1`, both under valgrind's callgrind against the
# same nginx `return 200` target, same connections. The count does not move with the
# machine's load (same binary, same inputs, same count), unlike requests/s.
#
#   bash bench/loadgen-instructions.sh [PERFKIT_BINARY] [REQUESTS] [CONNECTIONS] [WRK_SECONDS]
#
# perfkit: a closed-loop scenario with `requests: N`, then `requests: 2N`;
# instructions per request = (Ir(2N) - Ir(N)) / N, which cancels start-up, the report
# and shutdown. wrk has no request count, so it runs for WRK_SECONDS and then twice
# as long, and the figure is (Ir(long) - Ir(short)) / (requests(long) - requests(short)).
# Ir is callgrind's total over all of a process's threads. nginx runs natively.
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=${1:-target/release/perfkit}
N=${2:-20000}
CONNECTIONS=${3:-4}
WRK_SECONDS=${4:-3}

source bench/setup.sh
need valgrind wrk
need_nginx
[ -x "$BINARY" ] || cargo build --release -q -p perfkit
BINARY=$(realpath "$BINARY")

PORT=$(free_port)
nginx_conf nginx 1 "    server { listen 127.0.0.1:$PORT; location / { return 200 \"hello\\n\"; } }"
run_nginx nginx & PIDS+=($!)
wait_up "$PORT"

count_perfkit() { # REQUESTS -> "Ir requests"
    cat > "$WORK/benchmarks.yml" <<YML
scenarios:
  loadgen:
    target: http://127.0.0.1:$PORT
    threads: 1
    requests: $1
    load: {model: closed, connections: $CONNECTIONS}
    endpoints: [{name: root, path: /}]
YML
    (cd "$WORK" && valgrind --tool=callgrind --callgrind-out-file="$WORK/pk.out" \
        "$BINARY" benchmark -f benchmarks.yml --json --no-save --reports "$WORK/reports" \
        >"$WORK/pk.json" 2>"$WORK/vg.err")
    local ir requests
    ir=$(awk '/^summary:/ {print $2}' "$WORK/pk.out")
    requests=$(python3 -c "import json; t = json.load(open('$WORK/pk.json'))['scenarios'][0]['result']['totals']; assert t['errors'] == 0, t; print(t['requests'])")
    echo "$ir $requests"
}
count_wrk() { # SECONDS -> "Ir requests"
    valgrind --tool=callgrind --callgrind-out-file="$WORK/wrk.out" \
        wrk -t1 -c"$CONNECTIONS" -d"${1}s" "http://127.0.0.1:$PORT/" >"$WORK/wrk.txt" 2>"$WORK/vg.err"
    local ir requests
    ir=$(awk '/^summary:/ {print $2}' "$WORK/wrk.out")
    requests=$(awk '/requests in/ { print $1 }' "$WORK/wrk.txt")
    echo "$ir $requests"
}

read -r PK1 PKR1 < <(count_perfkit "$N")
read -r PK2 PKR2 < <(count_perfkit $((2 * N)))
read -r WK1 WKR1 < <(count_wrk "$WRK_SECONDS")
read -r WK2 WKR2 < <(count_wrk $((2 * WRK_SECONDS)))
python3 - <<PY
pk = ($PK2 - $PK1) / ($PKR2 - $PKR1)
wk = ($WK2 - $WK1) / ($WKR2 - $WKR1)
print(f"perfkit instructions per request: {pk:.0f}  (Ir {$PK1} for {$PKR1} requests, {$PK2} for {$PKR2}; $BINARY)")
print(f"wrk     instructions per request: {wk:.0f}  (Ir {$WK1} for {$WKR1} requests, {$WK2} for {$WKR2})")
print(f"ratio perfkit/wrk: {pk / wk:.3f}  (< 1.0: perfkit spends fewer instructions per request; 1 thread, $CONNECTIONS connections)")
PY
