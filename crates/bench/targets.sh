#!/usr/bin/env bash
# Measures the performance targets (issues 6, 11 and 16) against release builds, RUNS times each
# (a fresh server and data directory per run), and prints the median of each figure next to its
# target. docs/performance.md explains them.
#
#   cargo build --release -p capital-server -p capital-bench
#   crates/bench/targets.sh [RUNS]            # default 3 (issue 16 quotes 5)
#
# Environment: CAPITAL (server binary, default target/release/capital), BENCH (default
# target/release/capital-bench), OUT (directory for the JSON of every run, default a new one
# under /tmp), PORT (default 18080), ONLY (names of the scenarios to run, e.g. "chat_w1 idle";
# default all: startup idle chat_w1 chat_w16 chat_r2 chat_w8 play realtime), PIN (default 1 on a
# machine of 2 cores or more: the server runs under `taskset -c 0` and the load generator under
# `taskset -c 1`, so the CPU figures are the server's own; 0: not pinned), BENCH_ARGS (added to
# every chat run, e.g. "--no-echo"), STORE (a postgres:// URL: the server keeps its state in
# that PostgreSQL database instead of SQLite, emptied before every run with psql, which must be
# on PATH; the database's CPU is not in the server's figures). Needs curl and jq. Only 127.0.0.1 is contacted. The commit
# printed is this checkout's HEAD: give it binaries built from that commit.
set -euo pipefail

RUNS=${1:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CAPITAL=${CAPITAL:-$ROOT/target/release/capital}
BENCH=${BENCH:-$ROOT/target/release/capital-bench}
OUT=${OUT:-$(mktemp -d /tmp/capital-targets.XXXXXX)}
PORT=${PORT:-18080}
ONLY=${ONLY:-}
if [ -z "${PIN:-}" ]; then
    if [ "$(nproc)" -ge 2 ]; then PIN=1; else PIN=0; fi
fi
SERVER_CPU=()
BENCH_CPU=()
if [ "$PIN" = 1 ]; then
    SERVER_CPU=(taskset -c 0)
    BENCH_CPU=(taskset -c 1)
fi
read -r -a CHAT_EXTRA <<<"${BENCH_ARGS:-}"
URL="ws://127.0.0.1:$PORT/ws"
# The server's abuse limits would refuse a load generator (every player comes from 127.0.0.1
# and sends faster than a person): lift them for the measurement.
LIMITS=(--rate-per-second 100000 --rate-burst 100000 --max-connections-per-ip 100000
        --max-connections 1000000 --new-guests-per-minute 100000 --new-rooms-per-minute 100000
        --max-rooms 80000 --failed-lookups-per-minute 100000)
ulimit -n "$(ulimit -Hn)"
mkdir -p "$OUT"

STORE_ARGS=()
if [ -n "${STORE:-}" ]; then STORE_ARGS=(--store "$STORE"); fi

start_server() { # $1: data directory
    if [ -n "${STORE:-}" ]; then
        psql -q -d "$STORE" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
    fi
    "${SERVER_CPU[@]}" "$CAPITAL" serve --bind "127.0.0.1:$PORT" --data "$1" --mdns false \
        "${STORE_ARGS[@]}" "${LIMITS[@]}" >>"$OUT/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 400); do
        if curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; then return; fi
        sleep 0.05
    done
    echo "the server did not start; see $OUT/server.log" >&2
    exit 1
}

stop_server() {
    kill -TERM "$SERVER"
    wait "$SERVER" || true
}

# run NAME SUBCOMMAND ARGS...: RUNS runs, each against a fresh server.
run() {
    local name=$1
    shift
    if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]]; then return; fi
    local extra=()
    if [ "$1" = chat ]; then extra=("${CHAT_EXTRA[@]}"); fi
    for i in $(seq "$RUNS"); do
        local data
        data=$(mktemp -d /tmp/capital-data.XXXXXX)
        start_server "$data"
        echo "== $name, run $i: capital-bench $* --url $URL --pid $SERVER" >&2
        "${BENCH_CPU[@]}" "$BENCH" --json "$@" "${extra[@]}" --url "$URL" --pid "$SERVER" >"$OUT/$name-$i.json"
        stop_server
        rm -rf "$data"
        sleep 2
    done
}

# median NAME JQ-PATH: the median of a figure over the runs of NAME.
median() {
    jq -s "[.[] | $2 | select(. != null)] | sort | if length == 0 then null
           elif length % 2 == 1 then .[length / 2 | floor]
           else (.[length / 2 - 1] + .[length / 2]) / 2 end" "$OUT/$1"-*.json
}

echo "results in $OUT (pinned: $PIN)" >&2
wanted() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }
if wanted startup; then
    "$BENCH" --json startup --exe "$CAPITAL" --runs 5 >"$OUT/startup_empty-1.json"
fi
run idle idle --players 10000 --duration 5
run chat_w1 chat --players 400 --room-size 2 --bytes 64 --duration 10 --window 1
run chat_w16 chat --players 400 --room-size 2 --bytes 64 --duration 10 --window 16
run chat_r2 chat --players 5000 --room-size 2 --bytes 64 --duration 10 --rate 2
run chat_w8 chat --players 1000 --room-size 2 --bytes 64 --duration 10 --window 8
run play play --players 1000 --rate 1 --duration 20
run realtime realtime --rooms 100 --room-size 4 --duration 10
if wanted startup; then
    "$BENCH" --json seed --data "$OUT/seeded" --games 1000 --chat 100000 >"$OUT/seed-1.json"
    "$BENCH" --json startup --exe "$CAPITAL" --data "$OUT/seeded" --runs 5 \
        >"$OUT/startup_seeded-1.json"
fi

# figure NAME JQ-PATH: the median, or "-" when NAME was not run.
figure() {
    if compgen -G "$OUT/$1-*.json" >/dev/null; then median "$1" "$2"; else echo "-"; fi
}
# writer NAME COUNT-PATH: the median of the store writer thread's CPU per delivered message
# (or move) in the window, in µs.
writer() {
    if ! compgen -G "$OUT/$1-*.json" >/dev/null; then echo "-"; return; fi
    jq -s "[.[] | select($2 > 0)
            | (.server.cpu_by_thread[\"capital-store-w\"] // 0) * 1e6 / $2] | sort
           | if length == 0 then null else .[length / 2 | floor] end" "$OUT/$1"-*.json
}

cat <<EOF
commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%Y-%m-%dT%H:%MZ), $RUNS runs each (startup: median of 5), pinned: $PIN
figure (median)                                       now        target
RSS after start, empty data dir (MiB)                 $(figure startup_empty .rss_ready_mib_median)    under 15 MB
start on 1,000 games + 100,000 chat: ready (ms)       $(figure startup_seeded .ready_ms_median)    under 1,000
10,000 idle players: server RSS (MiB)                 $(figure idle .server_rss_mib)    under 120 MB
  per player (KiB)                                    $(figure idle .server_rss_per_player_kib)    under 6
chat 400 in rooms of 2, window 1: delivered msg/s     $(figure chat_w1 .delivered_per_second)
  server CPU per delivered message (us)               $(figure chat_w1 .server_cpu_us_per_delivered)    at most 18
  of which the store writer (us)                      $(writer chat_w1 .delivered_in_window)
chat 400, window 16: delivered msg/s                  $(figure chat_w16 .delivered_per_second)
  server CPU per delivered message (us)               $(figure chat_w16 .server_cpu_us_per_delivered)    at most 6
  of which the store writer (us)                      $(writer chat_w16 .delivered_in_window)
chat 5,000 at 2 msg/s each: delivered msg/s           $(figure chat_r2 .delivered_per_second)    10,000 offered
  server CPU per delivered message (us)               $(figure chat_r2 .server_cpu_us_per_delivered)    at most 25
  p50 / p99 send -> receive (ms)                      $(figure chat_r2 .latency.p50_ms) / $(figure chat_r2 .latency.p99_ms)    p99 under 20
chat 1,000, window 8: delivered msg/s                 $(figure chat_w8 .delivered_per_second)    at least 50,000
  p99 send -> receive (ms)                            $(figure chat_w8 .latency.p99_ms)
  server CPU per delivered message (us)               $(figure chat_w8 .server_cpu_us_per_delivered)
play 1,000 in 500 games, 1 move/s: moves/s            $(figure play .moves_per_second)
  p50 / p99 move round trip (ms)                      $(figure play .round_trip.p50_ms) / $(figure play .round_trip.p99_ms)    p99 under 2
  server CPU per move (us)                            $(figure play .server_cpu_us_per_move)    at most 60
  of which the store writer (us)                      $(writer play .moves)
realtime 100 rooms of 4 at 30 Hz: frames/player/s     $(figure realtime .frames_per_player_per_second)    30
  p99 tick -> frame (ms)                              $(figure realtime .delivery.p99_ms)    under 33
  server CPU per room-tick (us)                       $(figure realtime .server_cpu_us_per_room_tick)    no worse than before
EOF
