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

# An nginx origin on loopback port $1 answering every request `200 hello from origin`
# (one worker, unlimited keep-alive), stopped by cleanup. Uses $NGINX when set.
start_hello_origin() {
    cat > "$WORK/origin.conf" <<CONF
daemon off; worker_processes 1; pid $WORK/origin.pid; error_log $WORK/origin.err warn;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$1; location / { return 200 "hello from origin\n"; } } }
CONF
    "${NGINX:-nginx}" -c "$WORK/origin.conf" -e "$WORK/origin.err" &
    PIDS+=($!)
    wait_up "$1"
}
