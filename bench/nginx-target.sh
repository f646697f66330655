# Sourced by bench/loadgen-*.sh: installs nginx and wrk when missing, builds perfkit
# (release), and starts an nginx `return 200` target with one worker on a free
# loopback port, pinned to CPU $TARGET_CPU (default 0). Sets NGINX, PERFKIT, PORT,
# WORK (a temporary directory) and PIDS; everything is stopped and removed on exit.

source bench/setup.sh
need wrk
need_nginx

cargo build --release -q -p perfkit
PERFKIT=$PWD/target/release/perfkit

PORT=$(free_port)

nginx_conf nginx 1 "    server { listen 127.0.0.1:$PORT; location / { return 200 \"hello\\n\"; } }"
run_nginx nginx taskset -c "${TARGET_CPU:-0}" & PIDS+=($!)
wait_up "$PORT"
