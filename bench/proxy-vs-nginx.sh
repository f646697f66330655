#!/usr/bin/env bash
# Pass-through proxying: perfkit vs nginx proxy_pass (keepalive upstream), same
# machine, same run, same origin, same wrk settings. Prints requests/s for each and
# the ratio perfkit/nginx (>= 1.0 means perfkit is at least as fast).
#
#   bash bench/proxy-vs-nginx.sh [PAIRS] [DURATION] [CONNECTIONS]
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
# Pinning: the proxy under test on one core, wrk and the origin on the other, so the
# two proxies see the same CPU and neither competes with its own load generator.
# PIN=0 turns it off (e.g. WORKERS=2 on a 2-core machine).
if [ "${PIN:-1}" = 1 ]; then SUT="taskset -c 0"; LOAD="taskset -c 1"; else SUT=""; LOAD=""; fi

source bench/setup.sh
need nginx wrk
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release -q -p perfkit
PERFKIT=target/release/perfkit

ORIGIN_PORT=$(free_port); NGINX_PORT=$(free_port); PERFKIT_PORT=$(free_port); ADMIN_PORT=$(free_port)

# The origin: one nginx worker answering a small fixed body.
cat > "$WORK/origin.conf" <<CONF
daemon off; worker_processes 1; pid $WORK/origin.pid; error_log $WORK/origin.err warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$ORIGIN_PORT; location / { return 200 "hello from origin\n"; } }
}
CONF

# The peer proxy: nginx proxy_pass with a keepalive upstream pool, sending the origin
# the same forwarding headers perfkit sends by default (Host kept as the client sent
# it, X-Forwarded-For/-Proto/-Host, Forwarded), so both do the same work and the
# origin parses the same request.
cat > "$WORK/proxy.conf" <<CONF
daemon off; worker_processes $WORKERS; pid $WORK/proxy.pid; error_log $WORK/proxy.err warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 256; keepalive_requests 1000000; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$http_host;
            proxy_set_header Forwarded "for=\$remote_addr;proto=\$scheme";
            proxy_buffering on;
        }
    }
}
CONF

cat > "$WORK/perfkit.yml" <<CONF
server:
  listen: 127.0.0.1:$PERFKIT_PORT
  workers: $WORKERS
admin:
  listen: 127.0.0.1:$ADMIN_PORT
log:
  level: warn
upstreams:
  origin:
    servers:
      - address: 127.0.0.1:$ORIGIN_PORT
    pool: {max_idle: 256}
routes:
  - path_prefix: /
    upstream: origin
CONF

$LOAD "$NGINX" -c "$WORK/origin.conf" -e "$WORK/origin.err" & PIDS+=($!)
$SUT "$NGINX" -c "$WORK/proxy.conf" -e "$WORK/proxy.err" & PIDS+=($!)
$SUT "$PERFKIT" serve -c "$WORK/perfkit.yml" 2>"$WORK/perfkit.err" & PIDS+=($!)

wait_up "$ORIGIN_PORT"; wait_up "$NGINX_PORT"; wait_up "$PERFKIT_PORT"
curl -sf "http://127.0.0.1:$PERFKIT_PORT/" | grep -q "hello from origin"

rps() { $LOAD wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$1/" > "$WORK/wrk.out"; 
        awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out"; 
        awk '/Non-2xx|Socket errors/ {print "  warning: " $0 > "/dev/stderr"}' "$WORK/wrk.out"; }
p99() { awk '$1=="99%" {print $2}' "$WORK/wrk.out"; }

# Warm both up (connection pools, caches), then alternate so drift hits both alike.
$LOAD wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$NGINX_PORT/" >/dev/null
$LOAD wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PERFKIT_PORT/" >/dev/null

echo "| pair | nginx req/s | nginx p99 | perfkit req/s | perfkit p99 | ratio |"
echo "|---|---|---|---|---|---|"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then
        n=$(rps "$NGINX_PORT"); np=$(p99)
        p=$(rps "$PERFKIT_PORT"); pp=$(p99)
    else
        p=$(rps "$PERFKIT_PORT"); pp=$(p99)
        n=$(rps "$NGINX_PORT"); np=$(p99)
    fi
    r=$(python3 -c "print(f'{$p/$n:.3f}')")
    ratios+=("$r")
    echo "| $round | $n | $np | $p | $pp | $r |"
done
summary=$(printf '%s\n' "${ratios[@]}" | python3 -c '
import sys, statistics, math
r = [float(x) for x in sys.stdin.read().split()]
print(f"median {statistics.median(r):.3f}, geometric mean {math.exp(sum(map(math.log, r)) / len(r)):.3f}, {sum(x >= 1 for x in r)}/{len(r)} pairs >= 1.0")')
echo
echo "ratio perfkit/nginx: $summary  (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $WORKERS workers each, $(nproc) cores, pinned: ${PIN:-1})"
