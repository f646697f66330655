#!/usr/bin/env bash
# Redis backend vs BullMQ in numbers a busy machine does not move: instructions
# executed by redis-server (valgrind callgrind) per job, plus Redis commands and
# scripts (= round trips) per job, for the same scenarios on the same redis-server
# binary. The Lua each side runs is where Redis spends its time, so this compares
# the server-side cost of the two queues' designs.
#
#   bash bench/queue-redis-instructions.sh [JOBS] [BINARY...]
#   SCENARIOS="process-c10" bash bench/queue-redis-instructions.sh 1000 /tmp/qb.before /tmp/qb.after
#
# Each figure is marginal: (a run with 2×JOBS − a run with JOBS) ÷ JOBS, so Redis's
# start-up and each client's connection set-up cancel. A fresh redis-server (under
# callgrind) serves each run and is shut down after it. process-cN runs include
# their pre-fill (bulks of 100 on both sides: QUEUE_BENCH_FILL_CHUNK, so that no
# script outlasts perfkit's 10 s response timeout under valgrind), so they are
# "enqueue + process".
# BINARY defaults to the release build of perfkit-queue's queue_bench example; BullMQ
# is the npm package installed by bench/queue-vs-bullmq.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-1000}
shift || true
source bench/setup.sh
need valgrind redis-server redis-cli:redis-tools
NODE_DIR=.perfkit/bench/node
if [ ! -d "$NODE_DIR/node_modules/bullmq" ]; then
    echo "run bench/queue-vs-bullmq.sh once first (it installs bullmq into $NODE_DIR)" >&2
    exit 1
fi
cp bench/bullmq-bench.mjs "$NODE_DIR/"
if [ "$#" -eq 0 ]; then
    cargo build --release -q -p perfkit-queue --example queue_bench
    set -- target/release/examples/queue_bench
fi
SCENARIOS=${SCENARIOS:-"add-bulk-100 process-c1 process-c10"}
export QUEUE_BENCH_FILL_CHUNK=100
REDIS_PID=
# Runs before setup.sh's clean-up, which removes $WORK.
on_exit() { if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; fi; }

run() { # CLIENT SCENARIO N -> redis instructions, commands, scripts of the whole run
    local port
    port=$(free_port)
    rm -f "$WORK/cg.out"
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" redis-server --port "$port" \
        --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >/dev/null 2>"$WORK/cg.err" &
    REDIS_PID=$!
    until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.2; done
    if [ "$1" = bullmq ]; then
        node "$NODE_DIR/bullmq-bench.mjs" "$port" "$2" "$3" >/dev/null
    else
        "$1" "redis://127.0.0.1:$port" "$2" "$3" >/dev/null
    fi
    local stats commands scripts
    stats=$(redis-cli -p "$port" info all)
    commands=$(echo "$stats" | tr -d '\r' | awk -F: '$1 == "total_commands_processed" {print $2}')
    scripts=$(echo "$stats" | tr -d '\r' | awk -F'[=,:]' '$1 ~ /^cmdstat_eval(sha)?$/ {n += $3} END {print n + 0}')
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
    echo "$(awk '/^summary:/ {print $2}' "$WORK/cg.out") $commands $scripts"
}

printf '%-40s %-14s %16s %14s %14s\n' client scenario redis-instr/job commands/job scripts/job
for client in bullmq "$@"; do
    for scenario in $SCENARIOS; do
        read -r i1 c1 s1 <<<"$(run "$client" "$scenario" "$JOBS")"
        read -r i2 c2 s2 <<<"$(run "$client" "$scenario" $((2 * JOBS)))"
        python3 - "$client" "$scenario" "$JOBS" "$i1" "$i2" "$c1" "$c2" "$s1" "$s2" <<'PY'
import sys
client, scenario, n, i1, i2, c1, c2, s1, s2 = sys.argv[1:]
n = int(n)
per = lambda a, b: (float(b) - float(a)) / n
print(f"{client:40} {scenario:14} {per(i1, i2):16.0f} {per(c1, c2):14.2f} {per(s1, s2):14.3f}")
PY
    done
done
