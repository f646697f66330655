# Sourced by bench/loadgen-*.sh: installs nginx and wrk when missing, builds perfkit
# (release), and starts an nginx `return 200` target with one worker on a free
# loopback port, pinned to CPU $TARGET_CPU (default 0). Sets NGINX, PERFKIT, PORT,
# WORK (a temporary directory) and PIDS; everything is stopped and removed on exit.

source bench/setup.sh
need nginx wrk
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release -q -p perfkit
PERFKIT=$PWD/target/release/perfkit

PORT=$(free_port)

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
wait_up "$PORT"
