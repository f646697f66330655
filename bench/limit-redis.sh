#!/usr/bin/env bash
# Redis-backed rate-limit decisions per second at 64 concurrent callers: perfkit-limit's
# leased (batched) mode against the exact mode's one EVALSHA per request, alternating
# runs in one process. redis-server is pinned to core 0, the client to core 1.
#
#   bash bench/limit-redis.sh [SECONDS_PER_RUN] [PAIRS]
#
# Needs redis-server (Debian package); installs it when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-3}
PAIRS=${2:-5}

source bench/setup.sh
need redis-server

cargo build --release -q -p perfkit-limit --example redis_bench
PORT=$(free_port)
taskset -c 0 redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
PIDS+=($!)
for _ in $(seq 100); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.05
done
taskset -c 1 target/release/examples/redis_bench "redis://127.0.0.1:$PORT" "$SECONDS_PER_RUN" "$PAIRS"
