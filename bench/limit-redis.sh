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

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v redis-server >/dev/null 2>&1; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null
fi

cargo build --release -q -p perfkit-limit --example redis_bench
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c 0 redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
REDIS_PID=$!
trap 'kill $REDIS_PID 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.05
done
taskset -c 1 target/release/examples/redis_bench "redis://127.0.0.1:$PORT" "$SECONDS_PER_RUN" "$PAIRS"
