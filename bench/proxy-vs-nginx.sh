#!/usr/bin/env bash
# Pass-through proxying: perfkit vs nginx proxy_pass (keepalive upstream), same
# machine, same run, same origin, same wrk settings. Prints requests/s for each and
# the ratio perfkit/nginx (>= 1.0 means perfkit is at least as fast).
#
#   [PERFKIT=BINARY] bash bench/proxy-vs-nginx.sh [PAIRS] [DURATION] [CONNECTIONS]
#
# Each pair runs both proxies back to back (alternating which goes first, so drift
# and noisy neighbours hit both alike) and yields one ratio; the summary is the
# median and geometric mean of the pair ratios.
#
# Needs nginx and wrk (Debian packages); installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-12}
DURATION=${2:-5s}
CONNECTIONS=${3:-64}
THREADS=${WRK_THREADS:-1}
WORKERS=${WORKERS:-1}   # nginx worker processes and perfkit proxy workers, kept equal

source bench/setup.sh
# Pinning: the proxy under test on one core, wrk and the origin on the other, so the
# two proxies see the same CPU and neither competes with its own load generator.
# PIN=0 turns it off (e.g. WORKERS=2 on a 2-core machine).
pin_cores
need wrk
need_nginx
# PERFKIT=BINARY measures that binary instead of building the release one.
release_perfkit

ORIGIN_PORT=$(free_port); NGINX_PORT=$(free_port); PERFKIT_PORT=$(free_port); ADMIN_PORT=$(free_port)

# The peer proxy: nginx proxy_pass, the same forwarding headers as perfkit.
nginx_forwarding_proxy proxy "$WORKERS" "$NGINX_PORT" "$ORIGIN_PORT"
perfkit_conf "$PERFKIT_PORT" "$ADMIN_PORT" "$WORKERS" "$ORIGIN_PORT" "    pool: {max_idle: 256}" > "$WORK/perfkit.yml"

# The origin: one nginx worker answering a small fixed body.
start_hello_origin "$ORIGIN_PORT" $LOAD
run_nginx proxy $SUT & PIDS+=($!)
$SUT "$PERFKIT" serve -c "$WORK/perfkit.yml" 2>"$WORK/perfkit.err" & PIDS+=($!)

wait_up "$NGINX_PORT"; wait_up "$PERFKIT_PORT"
curl -sf "http://127.0.0.1:$PERFKIT_PORT/" | grep -q "hello from origin"

# Warm both up (connection pools, caches), then alternate so drift hits both alike.
wrk_warm "$NGINX_PORT" "$PERFKIT_PORT"

echo "| pair | nginx req/s | nginx p99 | perfkit req/s | perfkit p99 | ratio |"
echo "|---|---|---|---|---|---|"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
    wrk_pair "$round" "$NGINX_PORT" "$PERFKIT_PORT"
    n=$RPS_A; np=$P99_A; p=$RPS_B; pp=$P99_B
    r=$(ratio "$p" "$n")
    ratios+=("$r")
    echo "| $round | $n | $np | $p | $pp | $r |"
done
summary=$(ratio_summary --at-least 1.0 "${ratios[@]}")
echo
echo "ratio perfkit/nginx: $summary  (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $WORKERS workers each, $(nproc) cores, pinned: ${PIN:-1}, load average $(load_average))"
