# Sourced by bench/loadgen-*.sh: installs nginx and wrk when missing, builds perfkit
# (release), and starts an nginx `return 200` target with one worker on a free
# loopback port, pinned to CPU $TARGET_CPU (default 0). Sets NGINX, PERFKIT, PORT,
# WORK (a temporary directory) and PIDS; everything is stopped and removed on exit.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
for tool in nginx wrk; do
    if ! command -v "$tool" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$tool" ]; then
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$tool" >/dev/null
    fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release -q -p perfkit
PERFKIT=$PWD/target/release/perfkit

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $WORK/nginx.pid; error_log $WORK/nginx.err warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$PORT; location / { return 200 "hello\n"; } }
}
CONF
taskset -c "${TARGET_CPU:-0}" "$NGINX" -c "$WORK/nginx.conf" &
PIDS+=($!)
for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break
    sleep 0.1
done
