# Sourced by the bench/ scripts (from the repository root): installs what a script
# needs, finds free loopback ports, and gives it a work directory ($WORK) and a list
# of background processes ($PIDS) that are stopped and removed when it exits.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# need TOOL[:PACKAGE]...: installs the Debian package (default: the tool's name) of
# each tool that is missing.
need() {
    local spec tool package
    for spec in "$@"; do
        tool=${spec%%:*}
        package=${spec#*:}
        if ! command -v "$tool" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$tool" ]; then
            as_root apt-get update -qq
            DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$package" >/dev/null
        fi
    done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_up PORT: waits until http://127.0.0.1:PORT/ answers, or exits after 10 s.
wait_up() {
    for _ in $(seq 1 200); do curl -sf -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.05; done
    echo "port $1 never answered" >&2
    exit 1
}

WORK=$(mktemp -d)
PIDS=()
# Scripts may define `on_exit` for extra clean-up; it runs first.
cleanup() {
    if declare -F on_exit >/dev/null; then on_exit; fi
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# pin_cores: sets SUT and LOAD, the command prefixes that pin the server under test to
# core 0 and the load (wrk, the origin) to core 1, so the servers compared see the same
# CPU and none competes with its own load generator; both empty with PIN=0.
pin_cores() {
    if [ "${PIN:-1}" = 1 ]; then SUT="taskset -c 0"; LOAD="taskset -c 1"; else SUT=""; LOAD=""; fi
}

# need_nginx: installs nginx when missing and sets NGINX to its binary.
need_nginx() {
    need nginx
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# release_perfkit: sets PERFKIT to the binary to measure: $PERFKIT when set, else the
# release build (built here).
release_perfkit() {
    if [ -z "${PERFKIT:-}" ]; then
        CARGO_INCREMENTAL=0 cargo build --release -q -p perfkit
        PERFKIT=target/release/perfkit
    fi
}

# nginx_conf NAME WORKERS HTTP [MAIN]: writes $WORK/NAME.conf, nginx in the foreground
# with WORKERS worker processes, no access log, unlimited keep-alive and HTTP (server,
# upstream, cache lines) inside its http block; MAIN adds main-context directives
# (e.g. `master_process off;`, one process for callgrind).
nginx_conf() {
    cat > "$WORK/$1.conf" <<CONF
daemon off; ${4:-}worker_processes $2; pid $WORK/$1.pid; error_log $WORK/$1.err warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
$3
}
CONF
}

# run_nginx NAME [PREFIX...]: runs nginx with $WORK/NAME.conf under PREFIX (e.g.
# $LOAD); run it in the background (`run_nginx origin $LOAD & PIDS+=($!)`): it execs,
# so $! is nginx's pid. Uses $NGINX when set.
run_nginx() {
    local name=$1; shift
    exec "$@" "${NGINX:-nginx}" -c "$WORK/$name.conf" -e "$WORK/$name.err"
}

# start_hello_origin PORT [PREFIX...]: an nginx origin on loopback port PORT answering
# every request `200 hello from origin` (one worker), run under PREFIX, stopped by
# cleanup; returns once it answers.
start_hello_origin() {
    local port=$1; shift
    nginx_conf origin 1 "    server { listen 127.0.0.1:$port; location / { return 200 \"hello from origin\\n\"; } }"
    run_nginx origin "$@" & PIDS+=($!)
    wait_up "$port"
}

# nginx_proxy_block PORT ORIGIN_PORT UPSTREAM LOCATION: http-block lines of a proxy on
# loopback port PORT passing every request to 127.0.0.1:ORIGIN_PORT over a pool of 256
# keep-alive HTTP/1.1 connections; UPSTREAM is added to the upstream block, the lines
# LOCATION to `location /`.
nginx_proxy_block() {
    cat <<CONF
    upstream origin { server 127.0.0.1:$2; keepalive 256;$3 }
    server {
        listen 127.0.0.1:$1;
        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
$4
        }
    }
CONF
}

# nginx_forwarding_proxy NAME WORKERS PORT ORIGIN_PORT [MAIN]: writes $WORK/NAME.conf,
# the peer proxy: proxy_pass with a keepalive upstream pool, sending the origin the
# same forwarding headers perfkit sends by default (Host kept as the client sent it,
# X-Forwarded-For/-Proto/-Host, Forwarded), so both do the same work and the origin
# parses the same request. MAIN as for nginx_conf.
nginx_forwarding_proxy() {
    nginx_conf "$1" "$2" "$(nginx_proxy_block "$3" "$4" " keepalive_requests 1000000;" \
"            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$http_host;
            proxy_set_header Forwarded \"for=\$remote_addr;proto=\$scheme\";
            proxy_buffering on;")" "${5:-}"
}

# nginx_cache_proxy NAME WORKERS PORT ORIGIN_PORT [MAIN]: writes $WORK/NAME.conf, the
# peer cache: proxy_cache (256 MiB, an empty $WORK/nginx-cache) in front of the origin,
# with `Cache-Status: nginx; HIT|MISS|...` on its answers. MAIN as for nginx_conf.
nginx_cache_proxy() {
    rm -rf "$WORK/nginx-cache"
    nginx_conf "$1" "$2" "    proxy_cache_path $WORK/nginx-cache levels=1:2 keys_zone=hits:16m max_size=256m inactive=1h use_temp_path=off;
$(nginx_proxy_block "$3" "$4" "" \
"            proxy_cache hits;
            proxy_cache_lock on;
            add_header Cache-Status \"nginx; \$upstream_cache_status\";")" "${5:-}"
}

# start_static_origin PORT [PREFIX...]: an nginx origin (one worker, under PREFIX) on
# loopback port PORT serving the files of $WORK/www, each fresh for an hour
# (`Cache-Control: public, max-age=3600`); returns once it answers. Callers put their
# files in $WORK/www.
start_static_origin() {
    local port=$1; shift
    # nginx workers run as nobody: they must be able to read the files it serves.
    chmod 755 "$WORK"
    mkdir -p "$WORK/www"
    echo ok > "$WORK/www/index.html"   # for wait_up
    nginx_conf origin 1 "    server {
        listen 127.0.0.1:$port;
        root $WORK/www;
        location / { add_header Cache-Control \"public, max-age=3600\"; }
    }"
    run_nginx origin "$@" & PIDS+=($!)
    wait_up "$port"
}

# perfkit_conf PORT ADMIN_PORT WORKERS ORIGIN_PORT [UPSTREAM] [ROUTE] [EXTRA]: prints a
# perfkit config with WORKERS proxy workers, warn-level logs, one upstream `origin` at
# 127.0.0.1:ORIGIN_PORT and one route `/` to it; UPSTREAM and ROUTE are lines added to
# the upstream and the route (indented to fit), EXTRA top-level sections.
perfkit_conf() {
    cat <<CONF
server:
  listen: 127.0.0.1:$1
  workers: $3
admin:
  listen: 127.0.0.1:$2
log:
  level: warn
upstreams:
  origin:
    servers:
      - address: 127.0.0.1:$4
${5:-}
routes:
  - path_prefix: /
    upstream: origin
${6:-}
${7:-}
CONF
}

# wrk_run PORT [PATH]: one wrk run (-t$THREADS -c$CONNECTIONS -d$DURATION, under
# $LOAD) against http://127.0.0.1:PORT/PATH into $WORK/wrk.out; prints its requests/s
# and warns on stderr about non-2xx answers and socket errors.
wrk_run() {
    ${LOAD:-} wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$1${2:-/}" > "$WORK/wrk.out"
    awk '/Non-2xx|Socket errors/ {print "  warning: " $0 > "/dev/stderr"}' "$WORK/wrk.out"
    awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out"
}

# wrk_warm PORT...: a 2 s wrk run against each port, output discarded.
wrk_warm() {
    local port
    for port in "$@"; do
        ${LOAD:-} wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$port/" >/dev/null
    done
}

# wrk_p99: the p99 latency of the last wrk_run as wrk prints it (e.g. 1.23ms).
wrk_p99() { awk '$1=="99%" {print $2}' "$WORK/wrk.out"; }

# wrk_p99_ms: the same in milliseconds, without the unit.
wrk_p99_ms() {
    awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' "$WORK/wrk.out"
}

# wrk_pair ROUND PORT_A PORT_B: one wrk_run against each port, A first in odd rounds
# and B first in even ones, so drift and noisy neighbours hit both alike; sets RPS_A,
# P99_A, RPS_B and P99_B (p99 as wrk prints it).
wrk_pair() {
    if [ $(($1 % 2)) -eq 1 ]; then
        RPS_A=$(wrk_run "$2"); P99_A=$(wrk_p99)
        RPS_B=$(wrk_run "$3"); P99_B=$(wrk_p99)
    else
        RPS_B=$(wrk_run "$3"); P99_B=$(wrk_p99)
        RPS_A=$(wrk_run "$2"); P99_A=$(wrk_p99)
    fi
}

# ratio A B: A/B to three decimals.
ratio() { python3 -c "print(f'{$1/$2:.3f}')"; }

# ratio_summary [--at-least T] RATIO...: the median, geometric mean, min and max of the
# pair ratios, and with --at-least how many of them reach T.
ratio_summary() {
    local at_least=""
    if [ "$1" = --at-least ]; then at_least=$2; shift 2; fi
    printf '%s\n' "$@" | python3 -c "
import sys, statistics, math
r = [float(x) for x in sys.stdin.read().split()]
line = f'median {statistics.median(r):.3f}, geometric mean {math.exp(sum(map(math.log, r)) / len(r)):.3f}, min {min(r):.3f}, max {max(r):.3f}'
t = '$at_least'
print(line + (f', {sum(x >= float(t) for x in r)}/{len(r)} pairs >= {t}' if t else f' over {len(r)} pairs'))"
}

# load_average: the 1, 5 and 15 minute load averages.
load_average() { cut -d' ' -f1-3 /proc/loadavg; }
