#!/usr/bin/env bash
# Two-worker cache hits: how each cache's workers share the two cores. For perfkit
# (2 workers) and nginx proxy_cache (2 worker processes), alternately, one
# wrk -t1 -c64 run of 1 KiB hits each (nothing pinned, as in cache-vs-nginx.sh's
# two-worker rounds), then per worker thread (perfkit) or worker process (nginx):
# CPU time, and voluntary (it slept: nothing left to do) and involuntary (it was
# preempted) context switches per 1,000 requests, from /proc before and after the run.
#
#   [PERFKIT=BINARY] bash bench/cache-worker-switches.sh [ROUNDS] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
DURATION=${2:-4s}
THREADS=1
CONNECTIONS=64

source bench/setup.sh
need wrk curl
need_nginx
release_perfkit
echo "load average at start: $(load_average)"

mkdir -p "$WORK/www"
head -c 1024 /dev/zero | tr '\0' 'a' > "$WORK/www/1k"
ORIGIN_PORT=$(free_port)
start_static_origin "$ORIGIN_PORT"
NGINX_PORT=$(free_port); PERFKIT_PORT=$(free_port); ADMIN_PORT=$(free_port)
nginx_cache_proxy proxy 2 "$NGINX_PORT" "$ORIGIN_PORT"
perfkit_conf "$PERFKIT_PORT" "$ADMIN_PORT" 2 "$ORIGIN_PORT" "" "    name: origin
    cache: {}" "cache:
  max_memory: 256MiB
  max_object_size: 1MiB" > "$WORK/perfkit.yml"
run_nginx proxy & PIDS+=($!)
NGINX_MASTER=$!
"$PERFKIT" serve -c "$WORK/perfkit.yml" 2>"$WORK/perfkit.err" & PIDS+=($!)
PERFKIT_PID=$!
wait_up "$NGINX_PORT"; wait_up "$PERFKIT_PORT"
for port in "$NGINX_PORT" "$PERFKIT_PORT"; do curl -sf -o /dev/null "http://127.0.0.1:$port/1k"; done

# The /proc directories of each cache's workers.
PERFKIT_WORKERS=$(grep -l perfkit-worker /proc/"$PERFKIT_PID"/task/*/comm | xargs -n1 dirname)
NGINX_WORKERS=$(for child in $(pgrep -P "$NGINX_MASTER"); do
    grep -q 'worker process' "/proc/$child/cmdline" 2>/dev/null && echo "/proc/$child"; done; true)

# counters DIR...: per worker, CPU ticks (user + system), voluntary and involuntary switches.
counters() {
    local dir
    for dir in "$@"; do
        echo "$(awk '{print $14 + $15}' "$dir/stat") $(awk '/^(voluntary|nonvoluntary)_ctxt_switches/ {printf "%s ", $2}' "$dir/status")"
    done
}

# measure NAME PORT DIR...: one wrk run and the workers' counters over it.
measure() {
    local name=$1 port=$2 rps p99 requests
    shift 2
    counters "$@" > "$WORK/before.txt"
    rps=$(wrk_run "$port" /1k); p99=$(wrk_p99_ms)
    counters "$@" > "$WORK/after.txt"
    requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
    printf '| %s | %s | %s |' "$name" "$rps" "$p99"
    paste "$WORK/before.txt" "$WORK/after.txt" | awk -v n="$requests" \
        '{printf " %.2f s, %.1f, %.1f |", ($4 - $1) / 100, ($5 - $2) * 1000 / n, ($6 - $3) * 1000 / n}'
    echo
}

echo "| cache | req/s | p99 ms | worker 1: CPU, voluntary / 1k req, involuntary / 1k req | worker 2: same |"
echo "|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
    # shellcheck disable=SC2086
    measure perfkit "$PERFKIT_PORT" $PERFKIT_WORKERS
    # shellcheck disable=SC2086
    measure nginx "$NGINX_PORT" $NGINX_WORKERS
done
echo "load average at end: $(load_average)"
