#!/usr/bin/env bash
# Soak test: mixed load against `perfkit serve` for a bounded time, recording the
# gateway's resident memory and open file descriptors every SAMPLE seconds, then
# comparing the last quarter of the run with the first (after warm-up).
#
#   bash bench/soak.sh [MINUTES] [SAMPLE_SECONDS]     # default 30 minutes, 10 s
#
# The load, all at once, all on loopback, all stopping by itself:
#   - keep-alive traffic: wrk -t1 -c32 in back-to-back 20 s runs;
#   - connection churn: wrk -c16 with `Connection: close` (a new connection per request);
#   - slow clients: uploads that trickle a byte every 200 ms, bodies that stop half way
#     (408 after client_body_timeout), and sockets that never send anything (closed
#     after header_read_timeout), 40 of them at a time;
#   - upstream restarts: one of the two origins (nginx) is stopped for 3 s every 30 s.
# Writes soak-RSS/fd samples to $OUT (default .perfkit/soak.csv) and prints a summary.
# Needs nginx and wrk (Debian packages); installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
SAMPLE=${2:-10}
OUT=${OUT:-.perfkit/soak.csv}

source bench/setup.sh
need wrk
need_nginx
cargo build --release -q -p perfkit
PERFKIT=target/release/perfkit

O1=$(free_port); O2=$(free_port); PORT=$(free_port); ADMIN=$(free_port)
# The restarted origin is not in $PIDS: stop it by its pid file.
on_exit() { [ -f "$WORK/o2.pid" ] && kill "$(cat "$WORK/o2.pid")" 2>/dev/null || true; }

origin_conf() { # NAME PORT
    nginx_conf "$1" 1 "    client_max_body_size 1m;
    server { listen 127.0.0.1:$2; location / { return 200 \"hello from $1\\n\"; } }"
}
origin_conf o1 "$O1"; origin_conf o2 "$O2"
cat > "$WORK/perfkit.yml" <<CONF
server:
  listen: 127.0.0.1:$PORT
  workers: 1
  header_read_timeout: 2s
  client_body_timeout: 2s
  idle_timeout: 5s
admin: {listen: 127.0.0.1:$ADMIN}
log: {level: error}
upstreams:
  origin:
    servers: [{address: 127.0.0.1:$O1}, {address: 127.0.0.1:$O2}]
    timeouts: {read: 2s}
    outlier_detection: {consecutive_failures: 3, base_ejection: 2s, max_ejection: 10s}
routes: [{path_prefix: /, upstream: origin}]
CONF

run_nginx o1 & PIDS+=($!)
run_nginx o2 &
taskset -c 0 "$PERFKIT" serve -c "$WORK/perfkit.yml" 2>"$WORK/perfkit.err" & GW=$!; PIDS+=($GW)
wait_up "$PORT"

END=$(( $(date +%s) + MINUTES * 60 ))
LOAD="taskset -c 1"

# Keep-alive and churning load, in bounded runs until the end.
( while [ "$(date +%s)" -lt "$END" ]; do $LOAD wrk -t1 -c32 -d20s "http://127.0.0.1:$PORT/ka" >/dev/null 2>&1 || true; done ) & PIDS+=($!)
( while [ "$(date +%s)" -lt "$END" ]; do $LOAD wrk -t1 -c16 -d20s -H "Connection: close" "http://127.0.0.1:$PORT/churn" >/dev/null 2>&1 || true; done ) & PIDS+=($!)

# Slow and silent clients.
$LOAD python3 - "$PORT" "$END" <<'PY' & PIDS+=($!)
import socket, sys, time, threading
port, end = int(sys.argv[1]), int(sys.argv[2])
def client(kind):
    while time.time() < end:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            if kind == "trickle":
                s.sendall(b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
                for _ in range(10):
                    time.sleep(0.2); s.sendall(b"x")
                s.recv(4096)
            elif kind == "stall":
                s.sendall(b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nxx")
                s.recv(4096)  # 408 after client_body_timeout
            else:  # silent: closed by the gateway after header_read_timeout
                s.recv(1)
            s.close()
        except OSError:
            time.sleep(0.1)
threads = [threading.Thread(target=client, args=(k,), daemon=True)
           for k in ["trickle"] * 10 + ["stall"] * 10 + ["silent"] * 20]
for t in threads: t.start()
while time.time() < end: time.sleep(1)
PY

# Upstream restarts: o2 goes away for 3 s every 30 s.
( while [ "$(date +%s)" -lt "$END" ]; do
    sleep 27; [ -f "$WORK/o2.pid" ] && kill "$(cat "$WORK/o2.pid")" 2>/dev/null || true
    sleep 3; run_nginx o2 &
  done ) & PIDS+=($!)

mkdir -p "$(dirname "$OUT")"
echo "seconds,rss_kib,open_fds,requests_2xx" > "$OUT"
START=$(date +%s)
while [ "$(date +%s)" -lt "$END" ]; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$GW/status")
    fds=$(ls "/proc/$GW/fd" | wc -l)
    ok=$(curl -s "http://127.0.0.1:$ADMIN/metrics" | awk '/^perfkit_request_duration_seconds_count/ && /status="2/ {s+=$2} END {print s+0}')
    echo "$(( $(date +%s) - START )),$rss,$fds,$ok" >> "$OUT"
    sleep "$SAMPLE"
done
kill -0 "$GW" || { echo "the gateway died" >&2; exit 1; }

python3 - "$OUT" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))]
n = len(rows); q = max(1, n // 4)
first, last = rows[q:2 * q], rows[-q:]  # skip the first quarter: warm-up
def med(rs, k): return statistics.median(float(r[k]) for r in rs)
for k in ("rss_kib", "open_fds"):
    a, b = med(first, k), med(last, k)
    print(f"{k}: second quarter median {a:.0f}, last quarter median {b:.0f}, change {100 * (b - a) / a:+.1f}%, max {max(float(r[k]) for r in rows):.0f}")
reqs = float(rows[-1]["requests_2xx"]) - float(rows[0]["requests_2xx"])
print(f"2xx responses: {reqs:.0f} over {rows[-1]['seconds']} s; samples: {n}")
PY
