#!/usr/bin/env bash
# The cost of rate limiting in the gateway: perfkit with one per-IP rule deciding
# every request (in-memory GCRA, a quota no client reaches, RateLimit headers on every
# response) vs the same binary passing through, same origin, same wrk settings.
# Prints requests/s for each and the ratio limited/pass-through (target >= 0.95).
#
#   [PERFKIT=BINARY] bash bench/limit-gateway.sh [PAIRS] [DURATION] [CONNECTIONS]
#
# Each pair runs both gateways back to back (alternating which goes first) and yields
# one ratio; the summary is the median and geometric mean of the pair ratios.
# Needs nginx (the origin) and wrk; installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-10}
DURATION=${2:-5s}
CONNECTIONS=${3:-64}
THREADS=${WRK_THREADS:-1}
# Pinning: the gateway under test on one core, wrk and the origin on the other.
if [ "${PIN:-1}" = 1 ]; then SUT="taskset -c 0"; LOAD="taskset -c 1"; else SUT=""; LOAD=""; fi

source bench/setup.sh
need nginx wrk
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# PERFKIT=BINARY measures that binary instead of building the release one.
if [ -z "${PERFKIT:-}" ]; then
    CARGO_INCREMENTAL=0 cargo build --release -q -p perfkit
    PERFKIT=target/release/perfkit
fi

ORIGIN_PORT=$(free_port)
PLAIN_PORT=$(free_port); PLAIN_ADMIN=$(free_port)
LIMIT_PORT=$(free_port); LIMIT_ADMIN=$(free_port)

cat > "$WORK/origin.conf" <<CONF
daemon off; worker_processes 1; pid $WORK/origin.pid; error_log $WORK/origin.err warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$ORIGIN_PORT; location / { return 200 "hello from origin\n"; } }
}
CONF

config() { # PORT ADMIN_PORT EXTRA
    cat <<CONF
server:
  listen: 127.0.0.1:$1
  workers: 1
admin:
  listen: 127.0.0.1:$2
log:
  level: warn
upstreams:
  origin:
    servers:
      - address: 127.0.0.1:$ORIGIN_PORT
    pool: {max_idle: 256}
routes:
  - path_prefix: /
    upstream: origin
$3
CONF
}
config "$PLAIN_PORT" "$PLAIN_ADMIN" "" > "$WORK/plain.yml"
config "$LIMIT_PORT" "$LIMIT_ADMIN" "rate_limits:
  rules:
    - name: per-ip
      limit: { rate: 1000000000, period: 1s }" > "$WORK/limit.yml"

$LOAD "$NGINX" -c "$WORK/origin.conf" -e "$WORK/origin.err" & PIDS+=($!)
$SUT "$PERFKIT" serve -c "$WORK/plain.yml" 2>"$WORK/plain.err" & PIDS+=($!)
$SUT "$PERFKIT" serve -c "$WORK/limit.yml" 2>"$WORK/limit.err" & PIDS+=($!)
wait_up "$ORIGIN_PORT"; wait_up "$PLAIN_PORT"; wait_up "$LIMIT_PORT"
curl -sfi "http://127.0.0.1:$LIMIT_PORT/" | grep -qi "^ratelimit:"

rps() { $LOAD wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$1/" > "$WORK/wrk.out";
        awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out";
        awk '/Non-2xx|Socket errors/ {print "  warning: " $0 > "/dev/stderr"}' "$WORK/wrk.out"; }

$LOAD wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PLAIN_PORT/" >/dev/null
$LOAD wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$LIMIT_PORT/" >/dev/null

echo "| pair | pass-through req/s | per-IP rule req/s | ratio |"
echo "|---|---|---|---|"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then
        p=$(rps "$PLAIN_PORT"); l=$(rps "$LIMIT_PORT")
    else
        l=$(rps "$LIMIT_PORT"); p=$(rps "$PLAIN_PORT")
    fi
    r=$(python3 -c "print(f'{$l/$p:.3f}')")
    ratios+=("$r")
    echo "| $round | $p | $l | $r |"
done
summary=$(printf '%s\n' "${ratios[@]}" | python3 -c '
import sys, statistics, math
r = [float(x) for x in sys.stdin.read().split()]
print(f"median {statistics.median(r):.3f}, geometric mean {math.exp(sum(map(math.log, r)) / len(r)):.3f}, min {min(r):.3f}, max {max(r):.3f}, {sum(x >= 0.95 for x in r)}/{len(r)} pairs >= 0.95")')
echo
echo "ratio per-IP rule / pass-through: $summary  (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, 1 gateway worker, $(nproc) cores, pinned: ${PIN:-1}, load average $(cut -d' ' -f1-3 /proc/loadavg))"
