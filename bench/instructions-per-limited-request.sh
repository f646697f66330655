#!/usr/bin/env bash
# User-space instructions per proxied request with the rate-limit phase deciding
# every request, against the same binary passing through, counted by valgrind's
# callgrind in one run (the count does not move with the machine's load).
#
#   bash bench/instructions-per-limited-request.sh [PERFKIT_BINARY] [REQUESTS]
#
# Three configurations of `perfkit serve` (1 worker, nginx origin), each run twice
# under callgrind with REQUESTS and 2 x REQUESTS sequential keep-alive GETs (curl URL
# globbing, one connection); the figure is (Ir(2N) - Ir(N)) / N, which cancels
# start-up and shutdown:
#   pass-through   no rate_limits section
#   per-IP rule    the rule of bench/limit-gateway.sh (in-memory GCRA, a quota no
#                  client reaches; RateLimit headers on every admitted response)
#   no headers     the same rule with `response.headers_on_allowed: false`
#   per-user JWT   a rule keyed by the user of an RS256 token (the test fixture key),
#                  every request carrying the same token
# CONFIGS="plain jwt" (any of plain rule quiet jwt) counts only those; the others
# print 0. With ANNOTATE=DIR it also keeps each 2N run's callgrind file and writes
# `callgrind_annotate --inclusive=yes` of it to DIR. Needs valgrind, nginx, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=${1:-target/release/perfkit}
N=${2:-2000}

source bench/setup.sh
need valgrind nginx curl openssl
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$BINARY" ] || CARGO_INCREMENTAL=0 cargo build --release -q -p perfkit

ORIGIN=$(free_port)
start_hello_origin "$ORIGIN"

RULE="rate_limits:
  rules:
    - name: per-ip
      limit: { rate: 1000000000, period: 1s }"

# An RS256 token for user "bench", valid for a day, signed with the test fixture key.
FIXTURES=crates/perfkit-gateway/tests/fixtures/jwt
b64url() { basenc --base64url -w0 | tr -d '='; }
JWT_HEAD=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
JWT_BODY=$(printf '{"sub":"bench","exp":%d}' $(( $(date +%s) + 86400 )) | b64url)
JWT_SIG=$(printf '%s.%s' "$JWT_HEAD" "$JWT_BODY" | openssl dgst -sha256 -sign "$FIXTURES/rsa-private.pem" | b64url)
TOKEN="$JWT_HEAD.$JWT_BODY.$JWT_SIG"
JWT_RULE="rate_limits:
  jwt:
    keys:
      - { algorithm: RS256, public_key_file: $PWD/$FIXTURES/rsa-public.pem }
  rules:
    - name: per-user
      key: [user]
      limit: { rate: 1000000000, period: 1s }"
CURL_HEADERS=()

count() { # NAME REQUESTS EXTRA_CONFIG -> total instructions of the run
    local port admin out
    port=$(free_port); admin=$(free_port); out="$WORK/$1-$2.cg"
    cat > "$WORK/perfkit.yml" <<CONF
server: {listen: 127.0.0.1:$port, workers: 1}
admin: {listen: 127.0.0.1:$admin}
log: {level: error}
upstreams: {origin: {servers: [{address: 127.0.0.1:$ORIGIN}], pool: {max_idle: 256}}}
routes: [{path_prefix: /, upstream: origin}]
$3
CONF
    valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$out" "$BINARY" serve -c "$WORK/perfkit.yml" 2>"$WORK/vg.err" &
    local pid=$!
    for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    curl -sf -o /dev/null "${CURL_HEADERS[@]}" "http://127.0.0.1:$port/[1-$2]"
    kill -TERM "$pid"; wait "$pid" || true
    if [ -n "${ANNOTATE:-}" ] && [ "$2" = $((2 * N)) ]; then
        mkdir -p "$ANNOTATE"
        cp "$out" "$ANNOTATE/$1.cg"
        callgrind_annotate --inclusive=yes "$out" > "$ANNOTATE/$1.inclusive.txt" 2>/dev/null || true
    fi
    awk '/^summary:/ {print $2}' "$out"
}

per_request() { # NAME EXTRA_CONFIG -> instructions per request
    local one two
    case " ${CONFIGS:-plain rule quiet jwt} " in *" $1 "*) ;; *) echo 0; return ;; esac
    one=$(count "$1" "$N" "$2"); two=$(count "$1" $((2 * N)) "$2")
    python3 -c "print(round(($two - $one) / $N))"
}

plain=$(per_request plain "")
rule=$(per_request rule "$RULE")
quiet=$(per_request quiet "$RULE
  response: {headers_on_allowed: false}")
CURL_HEADERS=(-H "Authorization: Bearer $TOKEN")
jwt=$(per_request jwt "$JWT_RULE")
python3 - "$plain" "$rule" "$quiet" "$jwt" "$BINARY" "$N" <<'PY'
import sys
plain, rule, quiet, jwt = map(int, sys.argv[1:5])
print(f"pass-through:                  {plain:>7} instructions/request")
print(f"per-IP rule, headers:          {rule:>7} ({rule - plain:+}, {100 * (rule - plain) / plain:+.1f}%)")
print(f"per-IP rule, no allow headers: {quiet:>7} ({quiet - plain:+}, {100 * (quiet - plain) / plain:+.1f}%)")
print(f"per-user rule, RS256 token:    {jwt:>7} ({jwt - plain:+}, {100 * (jwt - plain) / plain:+.1f}%)")
print(f"(binary {sys.argv[5]}, {sys.argv[6]} and {2 * int(sys.argv[6])} requests per configuration)")
PY
