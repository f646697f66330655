#!/usr/bin/env bash
# User-space instructions per cache hit, counted by valgrind's callgrind (a figure
# the machine's noise cannot move), the cache-hit twin of instructions-per-request.sh,
# for `perfkit serve` and for nginx `proxy_cache` as the peer.
#
#   bash bench/instructions-per-hit.sh [PERFKIT_BINARY] [REQUESTS] [BODY_BYTES]
#
# Runs the cache (1 worker, a caching route) under callgrind in front of an nginx
# origin whose answer is fresh for an hour, fills the cache with one request, then
# sends REQUESTS and, in a second run, 2 x REQUESTS sequential keep-alive GETs of that
# one URL (one curl, one connection): every one a hit. Reports
# (Ir(2N) - Ir(N)) / N, which cancels start-up, the fill and shutdown. nginx runs
# as one process (`master_process off`); its cache files are read through the page
# cache, whose kernel work callgrind does not count (nor perfkit's socket calls).
# With CALLGRIND_OUT=FILE the perfkit 2N run's profile is kept for
# `callgrind_annotate --inclusive=yes FILE`. NGINX_PEER=0 skips nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=${1:-target/release/perfkit}
N=${2:-2000}
BODY=${3:-1024}

source bench/setup.sh
need valgrind nginx curl
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$BINARY" ] || cargo build --release -q -p perfkit

mkdir -p "$WORK/www"
head -c "$BODY" /dev/zero | tr '\0' 'a' > "$WORK/www/body"
ORIGIN=$(free_port)
start_static_origin "$ORIGIN"

# hits PORT REQUESTS: fills, checks that a repeat is a hit, then sends REQUESTS GETs
# of the same URL on one connection.
hits() {
    local port=$1
    for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    curl -sf -o /dev/null "http://127.0.0.1:$port/body"
    curl -sfI "http://127.0.0.1:$port/body" | grep -qi '^cache-status: [a-z]*; hit' \
        || { echo "the second request to port $port was not a hit" >&2; exit 1; }
    : > "$WORK/curl.cfg"
    for _ in $(seq 1 "$2"); do printf 'url = "http://127.0.0.1:%s/body"\noutput = "/dev/null"\n' "$port" >> "$WORK/curl.cfg"; done
    curl -sf -K "$WORK/curl.cfg"
}

count() { # REQUESTS -> total instructions of the run
    local port admin
    port=$(free_port); admin=$(free_port)
    cat > "$WORK/perfkit.yml" <<CONF
server: {listen: 127.0.0.1:$port, workers: 1}
admin: {listen: 127.0.0.1:$admin}
log: {level: error}
upstreams: {origin: {servers: [{address: 127.0.0.1:$ORIGIN}]}}
routes: [{name: origin, path_prefix: /, upstream: origin, cache: {}}]
cache: {max_memory: 64MiB, max_object_size: 1MiB}
CONF
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$BINARY" serve -c "$WORK/perfkit.yml" 2>"$WORK/vg.err" &
    local pid=$!
    hits "$port" "$1"
    kill -TERM "$pid"; wait "$pid" || true
    if [ -n "${CALLGRIND_OUT:-}" ]; then cp "$WORK/cg.out" "$CALLGRIND_OUT"; fi
    awk '/^summary:/ {print $2}' "$WORK/cg.out"
}
count_nginx() { # REQUESTS -> total instructions of the run
    local port
    port=$(free_port)
    nginx_cache_proxy proxy 1 "$port" "$ORIGIN" "master_process off; "
    valgrind --tool=callgrind --callgrind-out-file="$WORK/ng.out" "$NGINX" -c "$WORK/proxy.conf" -e "$WORK/proxy.err" 2>"$WORK/vg.err" &
    local pid=$!
    hits "$port" "$1"
    kill -QUIT "$pid"; wait "$pid" || true
    awk '/^summary:/ {print $2}' "$WORK/ng.out"
}
one=$(count "$N"); two=$(count $((2 * N)))
python3 -c "print(f'perfkit instructions per hit ({$BODY}-byte body): {($two - $one) / $N:.0f}  (Ir {$one} for {$N} hits, {$two} for {2 * $N}; binary $BINARY)')"
if [ "${NGINX_PEER:-1}" = 1 ]; then
    one=$(count_nginx "$N"); two=$(count_nginx $((2 * N)))
    python3 -c "print(f'nginx proxy_cache instructions per hit ({$BODY}-byte body): {($two - $one) / $N:.0f}  (Ir {$one} for {$N} hits, {$two} for {2 * $N})')"
fi
