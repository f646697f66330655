#!/usr/bin/env bash
# The Redis backend's client side in numbers a busy machine does not move:
# instructions executed by the queue_bench process (valgrind callgrind, all its
# threads) per job, against a native redis-server, plus the process's context
# switches per job (a multiplexed connection's channel hops show up there).
#
#   bash bench/queue-client-instructions.sh [JOBS] [BINARY...]
#   SCENARIOS="add-one" bash bench/queue-client-instructions.sh 2000 /tmp/qb.before /tmp/qb.after
#
# Each figure is marginal: (a run with 2×JOBS − a run with JOBS) ÷ JOBS, so start-up
# and connection set-up cancel. A fresh redis-server serves each run. BINARY
# defaults to the release build of perfkit-queue's queue_bench example. BullMQ is
# not measured here: its client is Node's JIT (bench/queue-vs-bullmq.sh reports its
# client CPU time per job instead).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-2000}
shift || true
source bench/setup.sh
need valgrind redis-server redis-cli:redis-tools
if [ "$#" -eq 0 ]; then
    cargo build --release -q -p perfkit-queue --example queue_bench
    set -- target/release/examples/queue_bench
fi
SCENARIOS=${SCENARIOS:-"add-one add-bulk-100"}
REDIS_PID=
# Runs before setup.sh's clean-up, which removes $WORK.
on_exit() { if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; fi; }

run() { # BINARY SCENARIO N -> client instructions, context switches of the whole run
    local port
    port=$(free_port)
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
        >/dev/null 2>&1 &
    REDIS_PID=$!
    until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
    rm -f "$WORK/cg.out"
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
        "$1" "redis://127.0.0.1:$port" "$2" "$3" >/dev/null 2>"$WORK/cg.err"
    local switches
    switches=$( { /usr/bin/time -f '%c %w' "$1" "redis://127.0.0.1:$port" "$2" "$3" >/dev/null; } 2>&1 \
        | awk '{print $1 + $2}')
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
    echo "$(awk '/^summary:/ {print $2}' "$WORK/cg.out") $switches"
}

printf '%-40s %-14s %18s %22s\n' client scenario client-instr/job context-switches/job
for binary in "$@"; do
    for scenario in $SCENARIOS; do
        read -r i1 s1 <<<"$(run "$binary" "$scenario" "$JOBS")"
        read -r i2 s2 <<<"$(run "$binary" "$scenario" $((2 * JOBS)))"
        python3 - "$binary" "$scenario" "$JOBS" "$i1" "$i2" "$s1" "$s2" <<'PY'
import sys
binary, scenario, n, i1, i2, s1, s2 = sys.argv[1:]
n = int(n)
per = lambda a, b: (float(b) - float(a)) / n
print(f"{binary:40} {scenario:14} {per(i1, i2):18.0f} {per(s1, s2):22.2f}")
PY
    done
done
