#!/usr/bin/env bash
# Autobahn|Testsuite's fuzzingclient (cases 1.* to 10.*) against the server's WebSocket layer:
# the echo example (crates/server/examples/autobahn_echo.rs) serves /echo through the real
# accept loop with the real /ws settings. The results, one "case behavior behaviorClose" line
# per case, must match expected.txt beside this script, and no case may be FAILED.
#
#   .ci/autobahn/run.sh             # by hand: makes the virtualenv first if needed
#   .ci/autobahn/run.sh --update    # writes the results to expected.txt (keeps its comments)
#
# Work files and the HTML report: $CARGO_TARGET_DIR/autobahn/run (target/ by default).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=.ci/autobahn
target="${CARGO_TARGET_DIR:-target}"
out="$target/autobahn/run"
update=false
[ "${1:-}" = "--update" ] && update=true

bash "$here/venv.sh"
cargo build --locked --quiet -p capital-server --example autobahn_echo

rm -rf "$out"
mkdir -p "$out"
# Made here: the server's shell opens them only once it has started.
: >"$out/server.out"
: >"$out/server.log"
"$target/debug/examples/autobahn_echo" 0 >"$out/server.out" 2>"$out/server.log" &
server=$!
stop_server() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap stop_server EXIT

# The example prints "listening on 127.0.0.1:PORT" once it is bound (port 0: a free one).
addr=""
for _ in $(seq 100); do
  addr="$(sed -n 's/^listening on //p' "$out/server.out")"
  [ -n "$addr" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "autobahn: the echo server did not start:" >&2
    cat "$out/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
[ -n "$addr" ] || { echo "autobahn: the echo server did not say where it listens" >&2; exit 1; }

# 9.1.2-9.1.6, 9.2.2-9.2.6 and 9.3.* to 9.6.* send messages of 256 KiB to 16 MiB and expect
# them back. The server refuses any message over max_message_bytes (64 KiB) with close code
# 1009, by design (docs/security.md), so these would fail by construction; the other cases
# of 9.* (64 KiB, and 1000 messages in a row) stay. 12.* and 13.* (permessage-deflate) are
# not run: the server negotiates no compression.
cat >"$out/spec.json" <<EOF
{
  "outdir": "$out/reports/servers",
  "servers": [{"agent": "capital", "url": "ws://$addr/echo"}],
  "cases": ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "8.*", "9.*", "10.*"],
  "exclude-cases": ["9.1.2", "9.1.3", "9.1.4", "9.1.5", "9.1.6",
                    "9.2.2", "9.2.3", "9.2.4", "9.2.5", "9.2.6",
                    "9.3.*", "9.4.*", "9.5.*", "9.6.*"],
  "exclude-agent-cases": {}
}
EOF

echo "autobahn: fuzzingclient against ws://$addr/echo"
started=$SECONDS
# Bounded: a normal run takes under a minute, but a case that waits for an echo that never
# comes waits up to 480 s, so a broken server ends here.
PYTHONWARNINGS=ignore timeout 300 "$target/autobahn/venv/bin/wstest" \
  -m fuzzingclient -s "$out/spec.json" >"$out/wstest.log" 2>&1 || {
  code=$?
  [ "$code" -eq 124 ] && echo "autobahn: wstest did not finish in 300 s" >&2
  echo "autobahn: wstest failed (exit $code); the end of $out/wstest.log:" >&2
  tail -n 5 "$out/wstest.log" >&2
  exit 1
}
echo "autobahn: wstest took $((SECONDS - started)) s"

# One line per case, in case order: "case behavior behaviorClose" (a space inside a result, as
# in "WRONG CODE", becomes "_"). A case fails when its behavior is FAILED or its close anything
# but OK or INFORMATIONAL (UNCLEAN, WRONG CODE, FAILED BY CLIENT, FAILED), or when its line is
# not the one in expected.txt. --update first writes the results to expected.txt, below its
# comment lines.
python3 - "$out/reports/servers/index.json" "$here/expected.txt" "$update" <<'EOF'
import collections, difflib, json, sys

index, expected_file, update = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
cases = json.load(open(index))["capital"]
key = lambda case: [int(part) for part in case.split(".")]
results, bad = {}, set()
for case in sorted(cases, key=key):
    behavior, close = cases[case]["behavior"], cases[case]["behaviorClose"]
    results[case] = "%s %s %s" % (case, behavior.replace(" ", "_"), close.replace(" ", "_"))
    if behavior == "FAILED" or close not in ("OK", "INFORMATIONAL"):
        bad.add(case)
counts = collections.Counter(cases[case]["behavior"] for case in cases)
print("autobahn: %d cases run: %s" % (
    len(cases), ", ".join("%d %s" % (n, b) for b, n in sorted(counts.items()))))

try:
    lines = open(expected_file).read().splitlines()
except FileNotFoundError:
    lines = []
if update:
    header = [line for line in lines if line.startswith("#")]
    open(expected_file, "w").write("\n".join(header + list(results.values())) + "\n")
    print("autobahn: wrote %s" % expected_file)
    lines = open(expected_file).read().splitlines()
expected = {}
for line in lines:
    if line.strip() and not line.startswith("#"):
        expected[line.split()[0]] = line

if bad:
    print("autobahn: failed cases (see %s):" % index.replace("index.json", "capital_case_*.json"))
    for case in sorted(bad, key=key):
        print("  " + results[case])
differ = {case for case in set(results) | set(expected) if results.get(case) != expected.get(case)}
if differ:
    print("autobahn: results differ from %s:" % expected_file)
    old = [expected[case] for case in sorted(expected, key=key)]
    new = list(results.values())
    for line in difflib.unified_diff(old, new, "expected", "this run", lineterm=""):
        print(line)
failed = bad | differ
print("autobahn: %d passed, %d failed" % (len(set(results) - failed), len(failed)))
sys.exit(1 if failed else 0)
EOF
