#!/usr/bin/env bash
# The cluster's load run (issue 17, docs/performance.md): the chat scenario against one node on
# PostgreSQL, then against three nodes on the same PostgreSQL and one NATS, with every room's
# two players on different nodes (capital-bench connects player N to node N mod 3), so every
# message crosses NATS twice (the request to the room's node, the echo back). RUNS times each;
# prints each run's throughput and the nodes' CPU per delivered message (all nodes summed).
#
#   cargo build --release -p capital-server -p capital-bench
#   STORE=postgres://capital@127.0.0.1:5432/bench crates/bench/cluster.sh [RUNS]
#
# Environment: STORE (required: a PostgreSQL database, emptied before every run with psql, which
# must be on PATH), CAPITAL, BENCH (binaries, default target/release/), WINDOW (default 1),
# PORT (first of four ports, default 18180: NATS, then the nodes). Needs nats-server, curl and jq.
# The nodes run under `taskset -c 0`, the load generator under `taskset -c 1` (PostgreSQL and
# NATS are not pinned and not in the figures). Only 127.0.0.1 is contacted.
set -euo pipefail

RUNS=${1:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CAPITAL=${CAPITAL:-$ROOT/target/release/capital}
BENCH=${BENCH:-$ROOT/target/release/capital-bench}
STORE=${STORE:?give STORE=postgres://...}
WINDOW=${WINDOW:-1}
PORT=${PORT:-18180}
OUT=$(mktemp -d /tmp/capital-cluster.XXXXXX)
LIMITS=(--rate-per-second 100000 --rate-burst 100000 --max-connections-per-ip 100000
        --max-connections 1000000 --new-guests-per-minute 100000 --new-rooms-per-minute 100000
        --max-rooms 80000 --failed-lookups-per-minute 100000)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

nats-server -a 127.0.0.1 -p "$PORT" >"$OUT/nats.log" 2>&1 &
PIDS+=($!)

start_nodes() { # $1: how many; $2: cluster or not
    psql -q -d "$STORE" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
    NODES=() URLS=()
    for i in $(seq 1 "$1"); do
        local port=$((PORT + i)) extra=()
        if [ "$2" = cluster ]; then extra=(--cluster "nats://127.0.0.1:$PORT" --node-name "n$i"); fi
        taskset -c 0 "$CAPITAL" serve --bind "127.0.0.1:$port" --data "$OUT/data$i" --mdns false \
            --store "$STORE" "${extra[@]}" "${LIMITS[@]}" >>"$OUT/node$i.log" 2>&1 &
        NODES+=($!) URLS+=("ws://127.0.0.1:$port/ws")
        PIDS+=($!)
        for _ in $(seq 400); do
            if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then break; fi
            sleep 0.05
        done
    done
}

stop_nodes() {
    for pid in "${NODES[@]}"; do kill "$pid"; done
    for pid in "${NODES[@]}"; do wait "$pid" 2>/dev/null || true; done
}

run() { # $1: label; $2: nodes; $3: cluster or single
    for r in $(seq 1 "$RUNS"); do
        start_nodes "$2" "$3"
        local urls pids
        urls=$(IFS=,; echo "${URLS[*]}")
        pids=$(IFS=,; echo "${NODES[*]}")
        taskset -c 1 "$BENCH" --json chat --url "$urls" --pid "$pids" --players 400 \
            --room-size 2 --bytes 64 --duration 10 --window "$WINDOW" >"$OUT/$1-$r.json"
        stop_nodes
        printf '%-28s run %s: %8.0f delivered msg/s, %6.1f us node CPU per delivered message\n' \
            "$1" "$r" "$(jq .delivered_per_second "$OUT/$1-$r.json")" \
            "$(jq .server_cpu_us_per_delivered "$OUT/$1-$r.json")"
    done
}

echo "window $WINDOW, $RUNS runs each; JSON in $OUT"
run one-node 1 single
run three-nodes 3 cluster
