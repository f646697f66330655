#!/usr/bin/env bash
# In-memory keyed GCRA decisions per second on one thread, perfkit-limit vs governor,
# pinned to one core; criterion alternates the two per workload. Repeat with ROUNDS.
#
#   bash bench/limit-memory.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
cargo bench -q -p perfkit-limit --bench memory --no-run
for round in $(seq "$ROUNDS"); do
    echo "== round $round"
    taskset -c 1 cargo bench -q -p perfkit-limit --bench memory -- --noplot 2>&1 \
        | grep -E '^keyed_gcra|time:|thrpt:'
done
