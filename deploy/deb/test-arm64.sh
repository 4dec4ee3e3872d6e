#!/usr/bin/env bash
# End-to-end test of the arm64 Debian package, as a Raspberry Pi would run it, on an amd64 PC:
# builds it (deploy/deb/build.sh arm64), installs it with dpkg into a minimal Debian arm64 root
# whose programs run under qemu-user (and again, as an upgrade), starts `capital serve` there on
# 127.0.0.1 as the package's `capital` user, waits for /healthz, lets two copies of the Python
# example client (examples/python, run on this machine: the root shares its network) play a
# game of tic-tac-toe against it to the end, stops it with SIGTERM (it must exit 0), and purges
# the package. Any failed step fails the script. .ci/run runs it.
#
#   deploy/deb/test-arm64.sh             builds the package, then tests it (as CI does)
#   deploy/deb/test-arm64.sh FILE.deb    tests a package built before (say, by you, not root)
#
# Needs root (chroot), the one-time setup of build.sh for arm64, debootstrap, qemu-user-static,
# curl, and python3 with websockets (examples/python/requirements.txt):
#   sudo apt-get install debootstrap qemu-user-static curl
# qemu-user-static's handler for arm64 programs must be registered with the kernel's
# binfmt_misc (systemd does it at boot); if it is not, this script registers it from
# /usr/lib/binfmt.d/qemu-aarch64.conf, whose F flag makes the kernel keep the emulator open, so
# the root needs no copy of it.
#
# The root (Debian $CAPITAL_DEB_SUITE, default bookworm, the base of Raspberry Pi OS 12 and the
# release whose cross toolchain built the binary) is made once with debootstrap and kept in
# $CAPITAL_DEB_TEST_DIR (default: ${TMPDIR:-/tmp}/capital-deb-test) for later runs; a run that
# is stopped while making it leaves no ready-mark, and the next run starts it over.
set -euo pipefail
cd "$(dirname "$0")/../.."

suite=${CAPITAL_DEB_SUITE:-bookworm}
mirror=${CAPITAL_DEB_MIRROR:-http://deb.debian.org/debian}
work=${CAPITAL_DEB_TEST_DIR:-${TMPDIR:-/tmp}/capital-deb-test}
root=$work/$suite-arm64
out=$work/deb
# How long the server under emulation gets to answer /healthz, and the clients to play a game
# (natively they need well under a second each; emulated, a few).
start_timeout=60
game_timeout=60

say() { echo "deb-test: $*" >&2; }
die() { echo "deb-test: FAILED: $*" >&2; exit 1; }

# Each step's duration, printed at the end (and when a step fails).
steps=()
step_name=
step_start=0
step() {
  step_end
  step_name=$1
  step_start=$EPOCHREALTIME
  say "== $step_name"
}
step_end() {
  [ -n "$step_name" ] || return 0
  steps+=("$(awk -v a="$step_start" -v b="$EPOCHREALTIME" -v n="$step_name" \
    'BEGIN { printf "%7.1f s  %s", b - a, n }')")
  step_name=
}
report() {
  step_end
  say "step times:"
  printf 'deb-test: %s\n' "${steps[@]}" >&2
}

# Whether a child process still runs (kill -0 is true for an exited child not yet waited for).
running() { [ -e "/proc/$1" ] && ! grep -q '^State:.*zombie' "/proc/$1/status" 2>/dev/null; }

server_pid=
host_pid=
run_dir=
cleanup() {
  local status=$?
  [ -z "$host_pid" ] || kill "$host_pid" 2>/dev/null || true
  [ -z "$server_pid" ] || kill -KILL "$server_pid" 2>/dev/null || true
  [ -z "$run_dir" ] || rm -rf "$run_dir"
  report
  if [ $status -eq 0 ]; then say "PASSED"; fi
  exit $status
}
trap cleanup EXIT

step "check what the test needs"
[ "$(id -u)" -eq 0 ] || die "run as root (chroot and dpkg in the root need it)"
for tool in debootstrap chroot curl python3 readelf; do
  command -v "$tool" >/dev/null || die "the command $tool is missing (see the top of $0)"
done
[ -x /usr/bin/qemu-aarch64-static ] ||
  die "qemu-user-static is missing (apt-get install qemu-user-static)"
python3 -c 'import websockets.asyncio.client' 2>/dev/null ||
  die "python3 lacks websockets (pip install -r examples/python/requirements.txt)"
binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/register" ]; then
  mount -t binfmt_misc binfmt_misc "$binfmt" || die "cannot mount binfmt_misc at $binfmt"
fi
if [ ! -e "$binfmt/qemu-aarch64" ]; then
  say "registering qemu-aarch64-static for arm64 programs (binfmt_misc)"
  cat /usr/lib/binfmt.d/qemu-aarch64.conf >"$binfmt/register"
fi
grep -qx enabled "$binfmt/qemu-aarch64" || die "the binfmt_misc handler qemu-aarch64 is disabled"
grep -q '^flags: .*F' "$binfmt/qemu-aarch64" ||
  die "the binfmt_misc handler qemu-aarch64 lacks the F flag, so it would not work in a chroot"

if [ $# -gt 0 ]; then
  deb=$1
  [ -f "$deb" ] || die "no package $deb"
  [ "$(dpkg-deb --field "$deb" Architecture)" = arm64 ] || die "$deb is not an arm64 package"
else
  step "build the arm64 package (deploy/deb/build.sh arm64)"
  rm -rf "$out"
  CAPITAL_DEB_OUT=$out deploy/deb/build.sh arm64
  debs=("$out"/capital_*_arm64.deb)
  if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
    die "build.sh made no single arm64 package in $out"
  fi
  deb=${debs[0]}
fi

if [ -e "$root/.capital-root-ready" ]; then
  step "reuse the Debian $suite arm64 root in $root"
else
  step "make a Debian $suite arm64 root (debootstrap) in $root"
  rm -rf "$root"
  mkdir -p "$root"
  debootstrap --arch=arm64 --variant=minbase --foreign "$suite" "$root" "$mirror" \
    >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap (first stage) failed"; }
  chroot "$root" /debootstrap/debootstrap --second-stage >>"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap (second stage, emulated) failed"; }
  touch "$root/.capital-root-ready"
fi
[ "$(chroot "$root" dpkg --print-architecture)" = arm64 ] || die "the root is not arm64"
# What an earlier run left (the package, if it failed half-way; the user and the data
# directory, which a purge keeps): each run installs on a root that never had Capital.
chroot "$root" dpkg --purge capital >/dev/null 2>&1 || true
chroot "$root" userdel capital 2>/dev/null || true
chroot "$root" groupdel capital 2>/dev/null || true
rm -rf "$root/var/lib/capital"

step "install the package with dpkg in the root"
cp "$deb" "$root/var/cache/capital.deb"
chroot "$root" dpkg -i /var/cache/capital.deb || die "dpkg -i failed"
# shellcheck disable=SC2016 # ${Status} is dpkg-query's, not the shell's
chroot "$root" dpkg-query -W -f='${Status}\n' capital | grep -qx 'install ok installed' ||
  die "dpkg does not list capital as installed"
readelf -h "$root/usr/bin/capital" | grep -q 'Machine: *AArch64$' ||
  die "/usr/bin/capital is not arm64"
uid=$(chroot "$root" id -u capital) || die "the package made no capital user"
gid=$(chroot "$root" id -g capital)
[ "$uid" -lt 1000 ] || die "the capital user ($uid) is not a system user"
owner() { stat -c '%u:%g %a' "$root/var/lib/capital"; }
[ "$(owner)" = "$uid:$gid 700" ] || die "/var/lib/capital is not the capital user's, 700: $(owner)"
grep -qx 'User=capital' "$root/usr/lib/systemd/system/capital.service" ||
  die "the unit does not run as the capital user"
# Enabled: deb-systemd-helper links it by the first of /lib and /usr/lib that has it (the same
# directory, on a merged /usr).
case $(readlink "$root/etc/systemd/system/multi-user.target.wants/capital.service") in
  /lib/systemd/system/capital.service | /usr/lib/systemd/system/capital.service) ;;
  *) die "the service was not enabled (no link in multi-user.target.wants)" ;;
esac
chroot "$root" capital --version | grep -q "^capital " || die "capital --version failed"

step "install it again (an upgrade to the same version)"
chroot "$root" dpkg -i /var/cache/capital.deb || die "dpkg -i over the installed package failed"
rm -f "$root/var/cache/capital.deb"
[ "$(chroot "$root" id -u capital)" = "$uid" ] || die "the upgrade changed the capital user"
[ "$(owner)" = "$uid:$gid 700" ] || die "the upgrade changed /var/lib/capital: $(owner)"

step "start capital serve in the root (qemu-aarch64) and wait for /healthz"
# A free port: the kernel picks one for a socket that is closed at once.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
run_dir=$(mktemp -d "$root/tmp/capital-test.XXXXXX")
chown "$uid:$gid" "$run_dir"
data=/tmp/${run_dir##*/}/data
log=$work/server.log
chroot --userspec="$uid:$gid" "$root" /usr/bin/capital serve --bind "127.0.0.1:$port" \
  --data "$data" --mdns false >"$log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + start_timeout))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ]; do
  if ! running "$server_pid"; then
    cat "$log" >&2
    die "the server exited before /healthz answered"
  fi
  if [ $SECONDS -ge $deadline ]; then
    cat "$log" >&2
    die "/healthz on port $port did not answer 200 within $start_timeout s"
  fi
  sleep 0.2
done
# It is the arm64 binary, emulated: the process is qemu's, running /usr/bin/capital.
[ "$(readlink "/proc/$server_pid/exe")" = /usr/bin/qemu-aarch64-static ] ||
  die "the server is not running under qemu-aarch64-static: $(readlink "/proc/$server_pid/exe")"

step "play a game of tic-tac-toe with two Python example clients"
client=examples/python/capital_client.py
url=ws://127.0.0.1:$port/ws
timeout "$game_timeout" python3 "$client" --url "$url" --name PyHost --create tictactoe \
  >"$work/host.out" 2>"$work/host.err" &
host_pid=$!
deadline=$((SECONDS + game_timeout))
until code=$(sed -n 's/^CODE //p' "$work/host.out") && [ -n "$code" ]; do
  if ! running "$host_pid"; then
    cat "$work/host.err" >&2
    die "the host client ended without a CODE line"
  fi
  [ $SECONDS -lt $deadline ] || die "the host client printed no CODE line within $game_timeout s"
  sleep 0.1
done
timeout "$game_timeout" python3 "$client" --url "$url" --name PyGuest --join "$code" \
  >"$work/guest.out" 2>"$work/guest.err" ||
  { cat "$work/guest.out" "$work/guest.err" >&2; die "the guest client failed"; }
status=0
wait "$host_pid" || status=$?
host_pid=
[ $status -eq 0 ] || { cat "$work/host.out" "$work/host.err" >&2; die "the host client failed"; }
results="$(sed -n 's/^RESULT //p' "$work/host.out") $(sed -n 's/^RESULT //p' "$work/guest.out")"
case $results in
  "win loss" | "loss win" | "draw draw") say "room $code: host and guest: $results" ;;
  *) die "the results do not match up (host, guest): '$results'" ;;
esac

step "stop the server (SIGTERM) and check it exits 0"
kill -TERM "$server_pid"
# It has 10 s, as under systemd (TimeoutStopSec=10); then it is killed, and fails.
deadline=$((SECONDS + 10))
while running "$server_pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
if running "$server_pid"; then kill -KILL "$server_pid"; fi
status=0
wait "$server_pid" || status=$?
server_pid=
[ $status -eq 0 ] || { cat "$log" >&2; die "the server exited with status $status after SIGTERM"; }
grep -q 'stopped' "$log" || { cat "$log" >&2; die "the server did not log that it stopped"; }
[ -s "$run_dir/data/capital.db" ] || die "the server left no database in its data directory"

step "purge the package"
chroot "$root" dpkg --purge capital || die "dpkg --purge failed"
[ ! -e "$root/usr/bin/capital" ] || die "/usr/bin/capital is still there after purge"
[ ! -e "$root/usr/lib/systemd/system/capital.service" ] || die "the unit is still there after purge"
[ ! -e "$root/etc/systemd/system/multi-user.target.wants/capital.service" ] ||
  die "the service is still enabled after purge"
[ -d "$root/var/lib/capital" ] || die "purge removed /var/lib/capital (the data is to be kept)"
