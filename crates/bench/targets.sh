#!/usr/bin/env bash
# Measures issue 6's targets against release builds, RUNS times each (a fresh server and data
# directory per run), and prints the median of each figure. docs/performance.md explains them.
#
#   cargo build --release -p capital-server -p capital-bench
#   crates/bench/targets.sh [RUNS]            # default 3
#
# Environment: CAPITAL (server binary, default target/release/capital), BENCH (default
# target/release/capital-bench), OUT (directory for the JSON of every run, default a new one
# under /tmp), PORT (default 18080). Needs curl and jq. Only 127.0.0.1 is contacted. The commit
# printed is this checkout's HEAD: give it binaries built from that commit.
set -euo pipefail

RUNS=${1:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CAPITAL=${CAPITAL:-$ROOT/target/release/capital}
BENCH=${BENCH:-$ROOT/target/release/capital-bench}
OUT=${OUT:-$(mktemp -d /tmp/capital-targets.XXXXXX)}
PORT=${PORT:-18080}
URL="ws://127.0.0.1:$PORT/ws"
# The server's abuse limits would refuse a load generator (every player comes from 127.0.0.1
# and sends faster than a person): lift them for the measurement.
LIMITS=(--rate-per-second 100000 --rate-burst 100000 --max-connections-per-ip 100000
        --max-connections 1000000 --new-guests-per-minute 100000 --new-rooms-per-minute 100000
        --max-rooms 80000 --failed-lookups-per-minute 100000)
ulimit -n "$(ulimit -Hn)"
mkdir -p "$OUT"

start_server() { # $1: data directory
    "$CAPITAL" serve --bind "127.0.0.1:$PORT" --data "$1" --mdns false "${LIMITS[@]}" \
        >>"$OUT/server.log" 2>&1 &
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
    for i in $(seq "$RUNS"); do
        local data
        data=$(mktemp -d /tmp/capital-data.XXXXXX)
        start_server "$data"
        echo "== $name, run $i: capital-bench $* --url $URL --pid $SERVER" >&2
        "$BENCH" --json "$@" --url "$URL" --pid "$SERVER" >"$OUT/$name-$i.json"
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

echo "results in $OUT" >&2
"$BENCH" --json startup --exe "$CAPITAL" --runs 5 >"$OUT/startup_empty-1.json"
run idle idle --players 10000 --duration 5
run chat chat --players 1000 --room-size 2 --bytes 64 --duration 10 --window 8
run chat_w16 chat --players 1000 --room-size 2 --bytes 64 --duration 10 --window 16
run chat_r10 chat --players 1000 --room-size 2 --bytes 64 --duration 10 --rate 10
run play play --players 1000 --rate 1 --duration 20
"$BENCH" --json seed --data "$OUT/seeded" --games 1000 --chat 100000 >"$OUT/seed-1.json"
"$BENCH" --json startup --exe "$CAPITAL" --data "$OUT/seeded" --runs 5 >"$OUT/startup_seeded-1.json"

cat <<EOF
commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%Y-%m-%dT%H:%MZ), $RUNS runs each (startup: median of 5)
RSS after start, empty data dir (MiB)        $(median startup_empty .rss_ready_mib_median)
10,000 idle players: server RSS (MiB)          $(median idle .server_rss_mib)
idle: server RSS per player (KiB)              $(median idle .server_rss_per_player_kib)
chat 1,000 in rooms of 2, window 8: delivered msg/s   $(median chat .delivered_per_second)
  p50 / p99 send -> receive (ms)               $(median chat .latency.p50_ms) / $(median chat .latency.p99_ms)
  server CPU per delivered message (us)        $(median chat .server_cpu_us_per_delivered)
  other processes (cores)                      $(median chat .other_processes_cores)
chat, window 16: delivered msg/s               $(median chat_w16 .delivered_per_second)
  p50 / p99 send -> receive (ms)               $(median chat_w16 .latency.p50_ms) / $(median chat_w16 .latency.p99_ms)
chat, 10 msg/s per player: delivered msg/s     $(median chat_r10 .delivered_per_second)
  p50 / p99 send -> receive (ms)               $(median chat_r10 .latency.p50_ms) / $(median chat_r10 .latency.p99_ms)
play 1,000 in 500 games: moves/s               $(median play .moves_per_second)
  p50 / p99 move round trip (ms)               $(median play .round_trip.p50_ms) / $(median play .round_trip.p99_ms)
  p99 opponent notification (ms)               $(median play .notify.p99_ms)
  server CPU per move (us)                     $(median play .server_cpu_us_per_move)
start on 1,000 games + 100,000 chat: ready (ms)    $(median startup_seeded .ready_ms_median)
  RSS then (MiB)                               $(median startup_seeded .rss_ready_mib_median)
EOF
