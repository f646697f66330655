#!/usr/bin/env bash
# User-space instructions per proxied request, counted by valgrind's callgrind: a
# figure the machine's noise cannot move (the same binary and inputs give the same
# count even with the other core busy).
#
#   bash bench/instructions-per-request.sh [PERFKIT_BINARY] [REQUESTS]
#
# Runs `perfkit serve` (1 worker) under callgrind in front of an nginx origin, sends
# REQUESTS and then 2 x REQUESTS sequential keep-alive GETs (curl URL globbing, one
# connection) in two separate runs, and reports (Ir(2N) - Ir(N)) / N, which cancels
# start-up and shutdown. Does the same for nginx as the peer proxy (one process,
# `proxy_pass` with a keepalive upstream and the same forwarding headers: setup.sh's
# nginx_forwarding_proxy, as in bench/proxy-vs-nginx.sh). Needs valgrind, nginx and curl (installs what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=${1:-target/release/perfkit}
N=${2:-2000}

source bench/setup.sh
need valgrind nginx curl
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$BINARY" ] || cargo build --release -q -p perfkit

ORIGIN=$(free_port)
start_hello_origin "$ORIGIN"

count() { # REQUESTS -> total instructions of the run
    local port admin
    port=$(free_port); admin=$(free_port)
    cat > "$WORK/perfkit.yml" <<CONF
server: {listen: 127.0.0.1:$port, workers: 1}
admin: {listen: 127.0.0.1:$admin}
log: {level: error}
upstreams: {origin: {servers: [{address: 127.0.0.1:$ORIGIN}]}}
routes: [{path_prefix: /, upstream: origin}]
CONF
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$BINARY" serve -c "$WORK/perfkit.yml" 2>"$WORK/vg.err" &
    local pid=$!
    for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    curl -sf -o /dev/null "http://127.0.0.1:$port/[1-$1]"
    kill -TERM "$pid"; wait "$pid" || true
    awk '/^summary:/ {print $2}' "$WORK/cg.out"
}
count_nginx() { # REQUESTS -> total instructions of the run
    local port
    port=$(free_port)
    nginx_forwarding_proxy proxy 1 "$port" "$ORIGIN" "master_process off; "
    valgrind --tool=callgrind --callgrind-out-file="$WORK/ng.out" "$NGINX" -c "$WORK/proxy.conf" -e "$WORK/proxy.err" 2>"$WORK/vg.err" &
    local pid=$!
    for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    curl -sf -o /dev/null "http://127.0.0.1:$port/[1-$1]"
    kill -QUIT "$pid"; wait "$pid" || true
    awk '/^summary:/ {print $2}' "$WORK/ng.out"
}
one=$(count "$N"); two=$(count $((2 * N)))
python3 -c "print(f'perfkit instructions per request: {($two - $one) / $N:.0f}  (Ir {$one} for {1 + $N} requests, {$two} for {1 + 2 * $N}; binary $BINARY)')"
one=$(count_nginx "$N"); two=$(count_nginx $((2 * N)))
python3 -c "print(f'nginx instructions per request: {($two - $one) / $N:.0f}  (Ir {$one} for {1 + $N} requests, {$two} for {1 + 2 * $N})')"
