#!/usr/bin/env bash
# Adaptive concurrency shedding on an origin whose latency rises with concurrency:
# perfkit with an `adaptive:` block vs the same perfkit without one, same origin,
# same closed-loop load, alternating pairs. Prints admitted and shed requests/s, the
# p50/p99 latency of admitted requests, and the limit the gateway settled on (read
# from its /metrics during each run) against the origin's knee.
#
#   [PERFKIT=BINARY] [KNEE_ORIGIN=BINARY] bash bench/adaptive.sh [PAIRS] [SECONDS] [CONNECTIONS]
#
# The origin is `knee_origin` (perfkit-testkit's KneeUpstream): WORKERS requests at
# once, SERVICE_MS each, the rest queue, so its knee is WORKERS in flight and, without
# shedding, CONNECTIONS clients wait about CONNECTIONS / WORKERS × SERVICE_MS.
# Clients pause BACKOFF_MS after a 503 (Retry-After, scaled down).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-4}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-128}
WORKERS=${ORIGIN_WORKERS:-8}
SERVICE_MS=${SERVICE_MS:-10}
BACKOFF_MS=${BACKOFF_MS:-20}

source bench/setup.sh
# Pinning: the gateways on one core, the origin and the load on the other.
pin_cores
need curl python3

# PERFKIT=BINARY and KNEE_ORIGIN=BINARY measure those binaries instead of building the
# release ones.
release_perfkit
if [ -z "${KNEE_ORIGIN:-}" ]; then
    CARGO_INCREMENTAL=0 cargo build --release -q -p perfkit-testkit --example knee_origin
    KNEE_ORIGIN=target/release/examples/knee_origin
fi

ORIGIN_PORT=$(free_port)
PLAIN_PORT=$(free_port); PLAIN_ADMIN=$(free_port)
SHED_PORT=$(free_port); SHED_ADMIN=$(free_port)

# The one origin is neither retried against nor ejected.
UPSTREAM="    retries: { attempts: 0 }
    outlier_detection: { enabled: false }"
perfkit_conf "$PLAIN_PORT" "$PLAIN_ADMIN" 1 "$ORIGIN_PORT" "$UPSTREAM" > "$WORK/plain.yml"
perfkit_conf "$SHED_PORT" "$SHED_ADMIN" 1 "$ORIGIN_PORT" "$UPSTREAM
    adaptive: { initial_limit: 20, max_limit: 500, window_samples: 20 }" > "$WORK/shed.yml"

$LOAD "$KNEE_ORIGIN" "127.0.0.1:$ORIGIN_PORT" "$WORKERS" "$SERVICE_MS" > "$WORK/origin.out" & PIDS+=($!)
$SUT "$PERFKIT" serve -c "$WORK/plain.yml" 2>"$WORK/plain.err" & PIDS+=($!)
$SUT "$PERFKIT" serve -c "$WORK/shed.yml" 2>"$WORK/shed.err" & PIDS+=($!)
wait_up "$ORIGIN_PORT"; wait_up "$PLAIN_PORT"; wait_up "$SHED_PORT"
# Light traffic first: the limiter learns the origin's unloaded latency.
for _ in $(seq 1 40); do curl -sf -o /dev/null "http://127.0.0.1:$SHED_PORT/"; done

limit() { curl -sf "http://127.0.0.1:$SHED_ADMIN/metrics" | awk '/^perfkit_adaptive_limit\{/ {print $2}'; }

# run PORT: one closed-loop run; with the shed gateway, samples its limit each second.
run() {
    local samples=()
    $LOAD python3 bench/closed-loop.py 127.0.0.1 "$1" / "$CONNECTIONS" "$SECONDS_PER_RUN" "$BACKOFF_MS" > "$WORK/run.json" &
    local loader=$!
    if [ "$1" = "$SHED_PORT" ]; then
        sleep 2 # settle
        while kill -0 "$loader" 2>/dev/null; do samples+=("$(limit)"); sleep 1; done
    fi
    wait "$loader"
    python3 - "$WORK/run.json" "${samples[@]}" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
limits = [float(x) for x in sys.argv[2:] if x]
l = f"{statistics.median(limits):.0f} ({min(limits):.0f}-{max(limits):.0f})" if limits else "-"
print(f"{r['admitted_rps']} | {r['shed_rps']} | {r['p50_ms']} | {r['p99_ms']} | {l}")
PY
}

echo "| pair | gateway | admitted req/s | shed req/s | admitted p50 ms | admitted p99 ms | limit median (range) |"
echo "|---|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then order="$PLAIN_PORT $SHED_PORT"; else order="$SHED_PORT $PLAIN_PORT"; fi
    for port in $order; do
        if [ "$port" = "$PLAIN_PORT" ]; then name="no limiter"; else name="adaptive"; fi
        echo "| $round | $name | $(run "$port") |"
    done
done
echo
echo "origin knee: $WORKERS in flight ($SERVICE_MS ms each; capacity $((WORKERS * 1000 / SERVICE_MS)) req/s); $CONNECTIONS connections, ${SECONDS_PER_RUN}s runs, backoff ${BACKOFF_MS}ms after 503, 1 gateway worker, $(nproc) cores, pinned: ${PIN:-1}, load average $(load_average)"
