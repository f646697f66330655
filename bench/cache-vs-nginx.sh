#!/usr/bin/env bash
# Cache hits: perfkit's response cache vs nginx proxy_cache (and varnish, when its
# Debian package installs), same machine, same run, same origin, same load settings.
# Every request is a hit (the caches are filled first and the origin's answers are
# fresh for an hour). For each body size (1 KiB, 64 KiB) and worker count (1, 2):
# requests/s and p99 of each, in alternating pairs, and the ratios perfkit/nginx
# (and perfkit/varnish): requests/s above 1 and p99 below 1 favour perfkit.
#
#   [PERFKIT=BINARY] bash bench/cache-vs-nginx.sh [PAIRS] [DURATION] [CONNECTIONS]
#
# Pinning (PIN=1, the default): with 1 worker the cache under test runs on core 0 and
# wrk and the origin on core 1; with 2 workers each cache gets both cores and nothing
# is pinned (wrk shares the cores; the ratios stay comparable, not the absolutes).
# Load generator (LOADGEN): wrk by default; LOADGEN=perfkit drives the same pairs with
# `perfkit benchmark` (closed loop, same threads, connections and duration). wrk reads
# responses 8 KiB at a time (about 20 system calls per 64 KiB response), so at 64 KiB it
# costs about as much CPU per request as the caches and caps what the faster one can
# show on one core; perfkit's generator reads them in ~6 calls.
#
# CPU per request (PERF=1, the default, when `perf stat` works here): each cache's
# task-clock during its wrk run (all its processes and threads, user and kernel)
# divided by the requests wrk counted. The load generator shares the 2 cores, so at
# 64 KiB it, not the cache, can be what caps requests/s; the ratio of CPU per request
# (nginx/perfkit: above 1 favours perfkit) is each cache's own cost, the capacity it
# would have on a core of its own.
# Needs nginx, wrk and curl (Debian packages); installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${1:-6}
DURATION=${2:-5s}
CONNECTIONS=${3:-64}
THREADS=${WRK_THREADS:-1}
SIZES=${SIZES:-"1k 64k"}
WORKER_COUNTS=${WORKER_COUNTS:-"1 2"}

source bench/setup.sh
need wrk curl
need_nginx
VARNISHD=""
if [ "${VARNISH:-1}" = 1 ]; then
    if ! command -v varnishd >/dev/null 2>&1 && ! [ -x /usr/sbin/varnishd ]; then
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq varnish >/dev/null 2>&1 || true
    fi
    VARNISHD=$(command -v varnishd || { [ -x /usr/sbin/varnishd ] && echo /usr/sbin/varnishd; } || true)
fi

# PERFKIT=BINARY measures that binary instead of building the release one.
release_perfkit
PERFKIT_ABS=$(realpath "$PERFKIT")
echo "load average at start: $(load_average)"

# The origin: static files answered with an hour of freshness.
ORIGIN_PORT=$(free_port)
mkdir -p "$WORK/www"
head -c 1024 /dev/zero | tr '\0' 'a' > "$WORK/www/1k"
head -c 65536 /dev/zero | tr '\0' 'b' > "$WORK/www/64k"
start_static_origin "$ORIGIN_PORT" taskset -c 1

SERVERS=()   # PIDs of the caches of the current worker count
declare -A CACHE_PIDS=()   # cache name -> its main process id, for perf
PERF_CPU=0
if [ "${PERF:-1}" = 1 ] && perf stat -e task-clock -o /dev/null true 2>/dev/null; then PERF_CPU=1; fi
stop_caches() {
    for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${SERVERS[@]}"; do wait "$pid" 2>/dev/null || true; done
    SERVERS=()
}
on_exit() { stop_caches; }

# start_caches WORKERS: nginx proxy_cache, perfkit (and varnish) with that many workers.
start_caches() {
    local workers=$1 sut=""
    if [ "${PIN:-1}" = 1 ] && [ "$workers" = 1 ]; then sut="taskset -c 0"; fi
    NGINX_PORT=$(free_port); PERFKIT_PORT=$(free_port); ADMIN_PORT=$(free_port)
    nginx_cache_proxy proxy "$workers" "$NGINX_PORT" "$ORIGIN_PORT"
    perfkit_conf "$PERFKIT_PORT" "$ADMIN_PORT" "$workers" "$ORIGIN_PORT" "" "    name: origin
    cache: {}" "cache:
  max_memory: 256MiB
  max_object_size: 1MiB" > "$WORK/perfkit.yml"
    run_nginx proxy $sut & SERVERS+=($!)
    local nginx_master=$!
    $sut "$PERFKIT" serve -c "$WORK/perfkit.yml" 2>"$WORK/perfkit.err" & SERVERS+=($!)
    CACHE_PIDS[perfkit]=$!
    wait_up "$NGINX_PORT"; wait_up "$PERFKIT_PORT"
    CACHE_PIDS[nginx]=$nginx_master
    if [ -n "$VARNISHD" ]; then
        VARNISH_PORT=$(free_port)
        rm -rf "$WORK/varnish"; mkdir -p "$WORK/varnish"
        # -F: foreground; thread pools sized like the worker count.
        $sut "$VARNISHD" -F -n "$WORK/varnish" -a "127.0.0.1:$VARNISH_PORT" \
            -b "127.0.0.1:$ORIGIN_PORT" -s malloc,256m -p thread_pools="$workers" \
            >"$WORK/varnish.out" 2>&1 & SERVERS+=($!)
        wait_up "$VARNISH_PORT"
        CACHE_PIDS[varnish]=${SERVERS[-1]}
    fi
}

# family PID: PID and its children, comma-separated (nginx's master and workers).
family() { { echo "$1"; pgrep -P "$1" || true; } | paste -sd, -; }

run_wrk() { # PORT PATH WORKERS [CACHE]: requests/s, p99 (ms) and CACHE's CPU µs per
    # request (or - without perf) of one wrk run
    local LOAD="" rps perf_pid="" cpu=-
    if [ "${PIN:-1}" = 1 ] && [ "$3" = 1 ]; then LOAD="taskset -c 1"; fi
    if [ "$PERF_CPU" = 1 ] && [ -n "${4:-}" ]; then
        # The family now: nginx's cache loader exits a minute after start.
        perf stat -x, -e task-clock -p "$(family "${CACHE_PIDS[$4]}")" -o "$WORK/perf.out" 2>/dev/null &
        perf_pid=$!
    fi
    local p99 requests
    if [ "${LOADGEN:-wrk}" = perfkit ]; then
        read -r rps p99 requests < <(loadgen_run "$1" "$2")
    else
        rps=$(wrk_run "$1" "$2"); p99=$(wrk_p99_ms)
        requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
    fi
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" || true
        cpu=$(awk -F, -v r="$requests" \
            '$3 == "task-clock" && r > 0 {printf "%.2f", $1 * 1000 / r}' "$WORK/perf.out")
    fi
    echo "$rps $p99 ${cpu:--}"
}

# loadgen_run PORT PATH: one closed-loop `perfkit benchmark` run with wrk's settings;
# prints requests/s, p99 (ms) and the request count.
loadgen_run() {
    cat > "$WORK/loadgen.yml" <<YML
scenarios:
  hits:
    target: http://127.0.0.1:$1
    threads: $THREADS
    duration: $DURATION
    load: {model: closed, connections: $CONNECTIONS}
    endpoints: [{name: hit, path: $2}]
YML
    (cd "$WORK" && ${LOAD:-} "$PERFKIT_ABS" benchmark -f loadgen.yml --no-save --json 2>/dev/null) \
        | python3 -c '
import json, sys
t = json.load(sys.stdin)["scenarios"][0]["result"]["totals"]
if t["errors"]:
    print("  warning:", t["errors"], "errors", file=sys.stderr)
print("%.2f %.2f %d" % (t["rps"], t["latency"]["p99"] / 1000, t["requests"]))'
}

# fill PORT PATH: the first request stores, the second must be a hit.
fill() {
    curl -sf -o /dev/null "http://127.0.0.1:$1$2"
    curl -sf -o /dev/null "http://127.0.0.1:$1$2"
}

summarise() { # label, ratios...
    local label=$1; shift
    echo "$label: $(ratio_summary "$@")"
}

for workers in $WORKER_COUNTS; do
    start_caches "$workers"
    for size in $SIZES; do
        path="/$size"
        fill "$NGINX_PORT" "$path"; fill "$PERFKIT_PORT" "$path"
        curl -sfI "http://127.0.0.1:$PERFKIT_PORT$path" | grep -qi '^cache-status: perfkit; hit' \
            || { echo "perfkit did not answer $path from its cache" >&2; exit 1; }
        curl -sfI "http://127.0.0.1:$NGINX_PORT$path" | grep -qi 'nginx; HIT' \
            || { echo "nginx did not answer $path from its cache" >&2; exit 1; }
        targets=("nginx:$NGINX_PORT" "perfkit:$PERFKIT_PORT")
        if [ -n "$VARNISHD" ]; then
            fill "$VARNISH_PORT" "$path"
            # A hit carries two transaction ids in X-Varnish (this one, the fill's).
            curl -sfI "http://127.0.0.1:$VARNISH_PORT$path" | grep -qiE '^x-varnish: [0-9]+ [0-9]+' \
                || { echo "varnish did not answer $path from its cache" >&2; exit 1; }
            targets+=("varnish:$VARNISH_PORT")
        fi
        # Warm-up runs, then alternating pairs.
        for t in "${targets[@]}"; do run_wrk "${t#*:}" "$path" "$workers" >/dev/null; done
        echo
        echo "### $size bodies, $workers worker(s), ${LOADGEN:-wrk} -t$THREADS -c$CONNECTIONS -d$DURATION"
        header="| pair |"; line="|---|"
        for t in "${targets[@]}"; do header+=" ${t%%:*} req/s | ${t%%:*} p99 ms | ${t%%:*} CPU µs/req |"; line+="---|---|---|"; done
        header+=" rps perfkit/nginx | p99 perfkit/nginx | CPU/req nginx/perfkit |"; line+="---|---|---|"
        if [ -n "$VARNISHD" ]; then header+=" rps perfkit/varnish | p99 perfkit/varnish | CPU/req varnish/perfkit |"; line+="---|---|---|"; fi
        echo "$header"; echo "$line"
        rps_nginx=(); p99_nginx=(); cpu_nginx=(); rps_varnish=(); p99_varnish=(); cpu_varnish=()
        for pair in $(seq 1 "$PAIRS"); do
            order=("${targets[@]}")
            if [ $((pair % 2)) -eq 0 ]; then
                order=(); for ((i=${#targets[@]}-1; i>=0; i--)); do order+=("${targets[$i]}"); done
            fi
            declare -A rps=() p99=() cpu=()
            for t in "${order[@]}"; do
                read -r r p c < <(run_wrk "${t#*:}" "$path" "$workers" "${t%%:*}")
                rps[${t%%:*}]=$r; p99[${t%%:*}]=$p; cpu[${t%%:*}]=$c
            done
            row="| $pair |"
            for t in "${targets[@]}"; do row+=" ${rps[${t%%:*}]} | ${p99[${t%%:*}]} | ${cpu[${t%%:*}]} |"; done
            rn=$(ratio "${rps[perfkit]}" "${rps[nginx]}")
            pn=$(ratio "${p99[perfkit]}" "${p99[nginx]}")
            cn=-; if [ "${cpu[perfkit]}" != - ] && [ "${cpu[nginx]}" != - ]; then cn=$(ratio "${cpu[nginx]}" "${cpu[perfkit]}"); cpu_nginx+=("$cn"); fi
            rps_nginx+=("$rn"); p99_nginx+=("$pn"); row+=" $rn | $pn | $cn |"
            if [ -n "$VARNISHD" ]; then
                rv=$(ratio "${rps[perfkit]}" "${rps[varnish]}")
                pv=$(ratio "${p99[perfkit]}" "${p99[varnish]}")
                cv=-; if [ "${cpu[perfkit]}" != - ] && [ "${cpu[varnish]}" != - ]; then cv=$(ratio "${cpu[varnish]}" "${cpu[perfkit]}"); cpu_varnish+=("$cv"); fi
                rps_varnish+=("$rv"); p99_varnish+=("$pv"); row+=" $rv | $pv | $cv |"
            fi
            echo "$row"
            unset rps p99 cpu
        done
        echo
        summarise "requests/s perfkit/nginx ($size, $workers worker(s))" "${rps_nginx[@]}"
        summarise "p99 perfkit/nginx ($size, $workers worker(s))" "${p99_nginx[@]}"
        if [ ${#cpu_nginx[@]} -gt 0 ]; then summarise "CPU per request nginx/perfkit ($size, $workers worker(s))" "${cpu_nginx[@]}"; fi
        if [ -n "$VARNISHD" ]; then
            summarise "requests/s perfkit/varnish ($size, $workers worker(s))" "${rps_varnish[@]}"
            summarise "p99 perfkit/varnish ($size, $workers worker(s))" "${p99_varnish[@]}"
            if [ ${#cpu_varnish[@]} -gt 0 ]; then summarise "CPU per request varnish/perfkit ($size, $workers worker(s))" "${cpu_varnish[@]}"; fi
        fi
    done
    stop_caches
done
echo
echo "($(nproc) cores, pinned: ${PIN:-1}; varnish: ${VARNISHD:-not installed}; load average at end: $(load_average))"
