#!/usr/bin/env bash
# SQLite backend cost per job, in numbers a busy machine does not move: instructions
# (valgrind callgrind, all threads) and fsyncs (strace) per job, for each scenario.
#
#   bash bench/queue-instructions.sh [JOBS] [BINARY...]
#   bash bench/queue-instructions.sh 4000 /tmp/queue_bench.before /tmp/queue_bench.after
#
# Each figure is marginal: (cost of a run with 2×JOBS − cost with JOBS) ÷ JOBS, so
# start-up, schema creation and the runtime's fixed costs cancel. The process-cN
# scenarios pre-fill their queue with add-bulk-1000 inside the run, so their line
# also gives "processing only" = process-cN − add-bulk-1000. Needs valgrind and
# strace (apt); BINARY defaults to the release build of the queue_bench example.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-4000}
shift || true
for tool in valgrind strace; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
    fi
done
if [ "$#" -eq 0 ]; then
    cargo build --release -q -p perfkit-queue --example queue_bench
    set -- target/release/examples/queue_bench
fi
SCENARIOS=${SCENARIOS:-"add-bulk-1000 add-bulk-100 add-concurrent-64 process-c10 process-c64"}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

instructions() { # BINARY SCENARIO N -> instructions of the whole run
    rm -f "$WORK"/q.db*
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$1" "$WORK/q.db" "$2" "$3" \
        >/dev/null 2>"$WORK/cg.err"
    awk '/^summary:/ {print $2}' "$WORK/cg.out"
}
fsyncs() { # BINARY SCENARIO N -> fsync + fdatasync calls of the whole run
    rm -f "$WORK"/q.db*
    strace -f -c -e trace=fsync,fdatasync -o "$WORK/st.out" "$1" "$WORK/q.db" "$2" "$3" >/dev/null
    awk '$NF ~ /^f(data)?sync$/ {n += $4} END {print n + 0}' "$WORK/st.out"
}

printf '%-40s %-18s %14s %12s\n' binary scenario instr/job fsyncs/job
for binary in "$@"; do
    for scenario in $SCENARIOS; do
        one=$(instructions "$binary" "$scenario" "$JOBS")
        two=$(instructions "$binary" "$scenario" $((2 * JOBS)))
        f1=$(fsyncs "$binary" "$scenario" "$JOBS")
        f2=$(fsyncs "$binary" "$scenario" $((2 * JOBS)))
        printf '%-40s %-18s %14.0f %12.4f\n' "$binary" "$scenario" \
            "$(python3 -c "print(($two - $one) / $JOBS)")" \
            "$(python3 -c "print(($f2 - $f1) / $JOBS)")"
    done
done
