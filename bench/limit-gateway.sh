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

source bench/setup.sh
# Pinning: the gateway under test on one core, wrk and the origin on the other.
pin_cores
need wrk
need_nginx
# PERFKIT=BINARY measures that binary instead of building the release one.
release_perfkit

ORIGIN_PORT=$(free_port)
PLAIN_PORT=$(free_port); PLAIN_ADMIN=$(free_port)
LIMIT_PORT=$(free_port); LIMIT_ADMIN=$(free_port)

POOL="    pool: {max_idle: 256}"
perfkit_conf "$PLAIN_PORT" "$PLAIN_ADMIN" 1 "$ORIGIN_PORT" "$POOL" > "$WORK/plain.yml"
perfkit_conf "$LIMIT_PORT" "$LIMIT_ADMIN" 1 "$ORIGIN_PORT" "$POOL" "" "rate_limits:
  rules:
    - name: per-ip
      limit: { rate: 1000000000, period: 1s }" > "$WORK/limit.yml"

start_hello_origin "$ORIGIN_PORT" $LOAD
$SUT "$PERFKIT" serve -c "$WORK/plain.yml" 2>"$WORK/plain.err" & PIDS+=($!)
$SUT "$PERFKIT" serve -c "$WORK/limit.yml" 2>"$WORK/limit.err" & PIDS+=($!)
wait_up "$PLAIN_PORT"; wait_up "$LIMIT_PORT"
curl -sfi "http://127.0.0.1:$LIMIT_PORT/" | grep -qi "^ratelimit:"

wrk_warm "$PLAIN_PORT" "$LIMIT_PORT"

echo "| pair | pass-through req/s | per-IP rule req/s | ratio |"
echo "|---|---|---|---|"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
    wrk_pair "$round" "$PLAIN_PORT" "$LIMIT_PORT"
    p=$RPS_A; l=$RPS_B
    r=$(ratio "$l" "$p")
    ratios+=("$r")
    echo "| $round | $p | $l | $r |"
done
summary=$(ratio_summary --at-least 0.95 "${ratios[@]}")
echo
echo "ratio per-IP rule / pass-through: $summary  (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, 1 gateway worker, $(nproc) cores, pinned: ${PIN:-1}, load average $(load_average))"
