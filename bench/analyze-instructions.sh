#!/usr/bin/env bash
# Instructions per file, `perfkit analyze` vs `ruff check --select ASYNC,PERF`, on the
# same Python tree, one thread each, counted by callgrind: deterministic, so it can be
# compared across commits on a busy machine where wall time cannot.
#
#   bash bench/analyze-instructions.sh [TREE] [ANALYZE_TREE_BIN]
#
# TREE defaults to `django/db` of the Django sdist that bench/analyze-vs-ruff.sh
# downloads (122 files, no test code, so both tools read the same files).
# ANALYZE_TREE_BIN defaults to target/release/examples/analyze_tree (built here unless
# given). Needs valgrind and ruff. Prints total and per-file instructions of each tool
# and the ratio perfkit/ruff.
set -euo pipefail
cd "$(dirname "$0")/.."
TREE=${1:-target/bench-analyze/django-5.2.19/django/db}
BIN=${2:-}
if [ -z "$BIN" ]; then
    CARGO_INCREMENTAL=0 cargo build --release -q -p perfkit-analyze --example analyze_tree
    BIN=target/release/examples/analyze_tree
fi
[ -d "$TREE" ] || { echo "no tree at $TREE: run bench/analyze-vs-ruff.sh once to download it" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install -y valgrind)" >&2; exit 1; }
# The real ruff binary: valgrind would otherwise count a pyenv shim's bash.
RUFF=${RUFF:-$( (command -v pyenv >/dev/null 2>&1 && pyenv which ruff 2>/dev/null) || command -v ruff)}

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
count() { # prints the instruction total of one callgrind run of "$@"
    valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$@" >/dev/null 2>"$OUT/log" || true
    grep -o 'refs: *[0-9,]*' "$OUT/log" | tr -dc '0-9'
}
FILES=$("$BIN" "$TREE" 1 | cut -d' ' -f1)
RUFF_FILES=$(find "$TREE" -name '*.py' -o -name '*.pyi' | wc -l)
P=$(count "$BIN" "$TREE" 1)
R=$(RAYON_NUM_THREADS=1 count "$RUFF" check --select ASYNC,PERF --no-cache --exit-zero -q "$TREE")
python3 - "$P" "$FILES" "$R" "$RUFF_FILES" "$TREE" <<'PY'
import sys
p, pf, r, rf, tree = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
print(f"tree {tree}")
print(f"perfkit: {p:,} instructions, {pf} files, {p / pf / 1e6:.2f} M per file")
print(f"ruff:    {r:,} instructions, {rf} files, {r / rf / 1e6:.2f} M per file")
print(f"per-file ratio perfkit/ruff: {(p / pf) / (r / rf):.2f}")
PY
