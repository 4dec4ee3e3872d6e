#!/usr/bin/env bash
# Builds every fuzz target and runs each for a bounded time, one after another; fails if any
# crashed (a panic, a failed assertion, a hang past -timeout, or running out of memory).
#
#   fuzz/run.sh [SECONDS] [TARGET...]     default: 60 seconds each, every target
#
# Each target first runs every input of its committed corpus (fuzz/corpus/TARGET, only read:
# that is how earlier crashes stay fixed), then mutates. What it finds goes to a scratch corpus,
# fuzz/target/corpus/TARGET, kept between runs and never committed. A crashing input is written
# to fuzz/artifacts/TARGET/, and the whole log to fuzz/target/logs/TARGET.log. One line per
# target is printed: runs (and per second), coverage (libFuzzer's `cov`: edges reached; `ft`:
# features), the corpus size, and crashes. fuzz/README.md says more.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: fuzz/run.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz/run.sh: cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
  exit 1
fi

# Stable Rust, so no sanitizer (fuzz/README.md says why that is enough here).
sanitizer=(--sanitizer none)

# The longest input each target is given: room for the biggest seed (config.example.toml; a
# request head past the 16 KiB limit), not much more, so that runs stay fast.
max_len() {
  case "$1" in
    http_head) echo 20480 ;;
    config_file) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

# From libFuzzer's log: a final statistic (-print_final_stats), and a field of the last
# progress line ("#1234 DONE cov: 950 ft: 2400 corp: 600/30Kb ...").
final_stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }
progress() { grep -E '^#[0-9]+.* cov: ' "$1" | tail -n 1 | sed -n "s/.* $2: \([^ ]*\).*/\1/p"; }

# Not --locked: fuzz/Cargo.lock is this workspace's own, and a dependency added to a crate of the
# main workspace must not fail the fuzzing; cargo adds it to the lock (commit the change).
cargo fuzz build "${sanitizer[@]}"

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

mkdir -p target/logs
failed=()
for target in "${targets[@]}"; do
  log="target/logs/$target.log"
  mkdir -p "target/corpus/$target" "corpus/$target" "artifacts/$target"
  before=$(find "artifacts/$target" -type f | wc -l)
  status=0
  cargo fuzz run "${sanitizer[@]}" "$target" "target/corpus/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
  crashes=$(($(find "artifacts/$target" -type f | wc -l) - before))

  printf '%-13s runs %9s (%6s/s)  cov %5s  ft %6s  corpus %5s  crashes %s\n' "$target" \
    "$(final_stat "$log" number_of_executed_units)" "$(final_stat "$log" average_exec_per_sec)" \
    "$(progress "$log" cov)" "$(progress "$log" ft)" "$(progress "$log" corp | cut -d/ -f1)" \
    "$crashes"

  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed+=("$target")
    echo "  $target failed (exit $status); from $log:"
    grep -E -A6 "panicked at|ERROR: libFuzzer|SUMMARY|Test unit written" "$log" | head -n 30 |
      sed 's/^/    /'
  fi
done

echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz/run.sh: ${failed[*]} failed; inputs in fuzz/artifacts/ (fuzz/README.md: what next)"
  exit 1
fi
