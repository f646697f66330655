#!/usr/bin/env bash
# Job queue throughput: perfkit-queue (Redis backend) vs BullMQ (npm, Node) on the
# same redis-server, same run, BullMQ's benchmark scenarios: add one job at a time,
# add in bulks of 100, process with concurrency 1 and 10 (no-op handler, queue
# pre-filled). Then the SQLite backend's own figures (no peer on one machine).
#
#   bash bench/queue-vs-bullmq.sh [PAIRS] [JOBS]
#   SCENARIOS="process-c1" QUEUE_BENCH=/tmp/queue_bench.before bash bench/queue-vs-bullmq.sh
#
# Each pair runs both back to back on a flushed Redis, alternating which goes first;
# the summary per scenario is the median and geometric mean of the pair ratios
# perfkit/BullMQ (>= 1.0: perfkit is faster). redis-server is pinned to CPU 0 and
# the client under test to CPU 1 (taskset). Each run also reports, per job over its
# timed phase, costs a busy machine hardly moves: the client's CPU µs, Redis's CPU
# µs, Redis commands (inside scripts included) and scripts (= round trips here).
#
# Needs redis-server (apt), node + npm (installs bullmq 5 into .perfkit/bench/node).
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${1:-5}
JOBS=${2:-10000}
SCENARIOS=${SCENARIOS:-"add-one add-bulk-100 process-c1 process-c10"}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v redis-server >/dev/null 2>&1; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null
fi
if ! command -v node >/dev/null 2>&1; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm >/dev/null
fi
NODE_DIR=.perfkit/bench/node
if [ ! -d "$NODE_DIR/node_modules/bullmq" ]; then
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && npm init -y >/dev/null && npm install --silent bullmq@5 >/dev/null)
fi
cp bench/bullmq-bench.mjs "$NODE_DIR/"

# QUEUE_BENCH=PATH runs a given build (e.g. an older commit's) instead of building.
if [ -z "${QUEUE_BENCH:-}" ]; then
    cargo build --release -q -p perfkit-queue --example queue_bench
fi
PERFKIT=${QUEUE_BENCH:-target/release/examples/queue_bench}

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
taskset -c 0 redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$WORK" >/dev/null 2>&1 &
REDIS_PID=$!
cleanup() { kill "$REDIS_PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do sleep 0.1; done

run() { # run perfkit|bullmq SCENARIO -> jobs/s client-µs redis-µs commands scripts (per job)
    redis-cli -p "$PORT" flushall >/dev/null
    if [ "$1" = perfkit ]; then
        taskset -c 1 "$PERFKIT" "redis://127.0.0.1:$PORT" "$2" "$JOBS" | cut -d' ' -f4-
    else
        taskset -c 1 node "$NODE_DIR/bullmq-bench.mjs" "$PORT" "$2" "$JOBS" | cut -d' ' -f4-
    fi
}

echo "redis: $(redis-server --version | awk '{print $3}'), bullmq: $(node -p "require('./$NODE_DIR/node_modules/bullmq/package.json').version"), node: $(node --version), jobs per run: $JOBS"
for scenario in $SCENARIOS; do
    ratios=()
    echo "== $scenario"
    printf '%-5s %9s %9s %6s   %-30s %-30s\n' pair bullmq/s perfkit/s ratio \
        "bullmq per job: cli-µs redis-µs cmds scripts" "perfkit per job: same"
    for pair in $(seq 1 "$PAIRS"); do
        if [ $((pair % 2)) -eq 1 ]; then
            p=$(run perfkit "$scenario"); b=$(run bullmq "$scenario")
        else
            b=$(run bullmq "$scenario"); p=$(run perfkit "$scenario")
        fi
        ratio=$(python3 -c "print(f'{${p%% *}/${b%% *}:.2f}')")
        ratios+=("$ratio")
        printf '%-5s %9s %9s %6s   %-30s %-30s\n' "$pair" "${b%% *}" "${p%% *}" "$ratio" "${b#* }" "${p#* }"
    done
    python3 - "${ratios[@]}" <<'PY'
import math, statistics, sys
r = [float(x) for x in sys.argv[1:]]
print(f"ratio perfkit/bullmq: median {statistics.median(r):.2f}, geometric mean {math.exp(sum(map(math.log, r)) / len(r)):.2f}")
PY
done

echo "== SQLite backend (durable: synchronous=FULL, answered after COMMIT), $JOBS jobs"
for scenario in add-one add-bulk-100 add-bulk-1000 add-concurrent-64 process-c1 process-c10 process-c64; do
    rm -f "$WORK"/sqlite.db*
    taskset -c 1 "$PERFKIT" "$WORK/sqlite.db" "$scenario" "$JOBS"
done
# The large-table case: a deep queue (LARGE jobs pre-filled) drained at concurrency 64.
LARGE=${LARGE:-50000}
echo "== SQLite backend, large table: $LARGE jobs pre-filled"
rm -f "$WORK"/sqlite.db*
taskset -c 1 "$PERFKIT" "$WORK/sqlite.db" process-c64 "$LARGE"
