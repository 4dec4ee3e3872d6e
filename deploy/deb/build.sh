#!/usr/bin/env bash
# Builds Debian packages of Capital, cross-compiled with Debian's cross toolchains:
#
#   deploy/deb/build.sh [ARCH...]        ARCH: arm64, armhf, amd64 (default: all three)
#
# Each package is capital_<version>_<arch>.deb in $CAPITAL_DEB_OUT (default:
# ${CARGO_TARGET_DIR:-target}/deb), with the version of crates/server/Cargo.toml. It holds
# /usr/bin/capital, the systemd unit (deploy/capital.service, adapted: see unit() below) and the
# maintainer scripts beside this file, which make a `capital` system user and enable and start
# the service. docs/deploy.md ("Debian packages") says what it installs; test-arm64.sh tests it.
#
# This script installs nothing. One-time setup on a Debian 12 or Ubuntu PC (amd64):
#   rustup target add aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf
#   sudo apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
#       gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
# The machine's own architecture needs no cross toolchain (its cc links it). dpkg-deb (from
# dpkg) and readelf (from binutils, which a Rust toolchain needs anyway) are all else it uses.
#
# The linker and the C compiler (the `cc` crate builds the bundled SQLite and ring's C and
# assembly with it) are chosen per target through CARGO_TARGET_<TRIPLE>_LINKER and
# CC_<triple>/AR_<triple> in this script's environment only, so no one else's builds change.
# The binary is stripped (CARGO_PROFILE_RELEASE_STRIP=symbols) as Debian packages are; a panic
# still names its file and line. Depends is read off the binary (readelf): the libraries it
# loads and the newest glibc symbol version it uses.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${CAPITAL_DEB_OUT:-${CARGO_TARGET_DIR:-target}/deb}
maintainer=${CAPITAL_DEB_MAINTAINER:-Capital developers <capital@example.invalid>}
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(arm64 armhf amd64)

say() { echo "deb: $*" >&2; }
die() { echo "deb: error: $*" >&2; exit 1; }

# Debian architecture -> Rust target triple and GNU triple (the cross tools' prefix).
triple() {
  case $1 in
    arm64) echo aarch64-unknown-linux-gnu ;;
    armhf) echo armv7-unknown-linux-gnueabihf ;;
    amd64) echo x86_64-unknown-linux-gnu ;;
    *) die "unknown architecture '$1' (arm64, armhf or amd64)" ;;
  esac
}
gnu_triple() {
  case $1 in
    arm64) echo aarch64-linux-gnu ;;
    armhf) echo arm-linux-gnueabihf ;;
    amd64) echo x86_64-linux-gnu ;;
  esac
}
# What `readelf -h` calls each architecture's machine.
elf_machine() {
  case $1 in
    arm64) echo AArch64 ;;
    armhf) echo ARM ;;
    amd64) echo 'Advanced Micro Devices X86-64' ;;
  esac
}
# The Debian packages of each cross toolchain (compiler and C library headers).
cross_packages() {
  case $1 in
    arm64) echo "gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
    armhf) echo "gcc-arm-linux-gnueabihf libc6-dev-armhf-cross" ;;
    amd64) echo "gcc-x86-64-linux-gnu libc6-dev-amd64-cross" ;;
  esac
}

host_arch=$(dpkg --print-architecture 2>/dev/null) ||
  die "dpkg is missing: this script runs on Debian or Ubuntu"

# Everything missing, for all requested architectures, before anything is built.
missing=()
for tool in dpkg-deb readelf cargo; do
  command -v "$tool" >/dev/null || missing+=("the command $tool")
done
installed_targets=$(rustup target list --installed 2>/dev/null || true)
for arch in "${archs[@]}"; do
  t=$(triple "$arch")
  if command -v rustup >/dev/null && ! grep -qx "$t" <<<"$installed_targets"; then
    missing+=("the Rust target $t (rustup target add $t)")
  fi
  if [ "$arch" != "$host_arch" ]; then
    g=$(gnu_triple "$arch")
    if ! command -v "$g-gcc" >/dev/null || [ ! -e "/usr/$g/include/stdio.h" ]; then
      missing+=("the $arch cross toolchain (apt-get install $(cross_packages "$arch"))")
    fi
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  printf 'deb: missing: %s\n' "${missing[@]}" >&2
  die "see the one-time setup at the top of $0"
fi

# The package version: crates/server's, in Debian's spelling (a pre-release 1.2.0-rc.1 sorts
# before 1.2.0 as 1.2.0~rc.1).
pkgid=$(cargo pkgid --quiet -p capital-server)
version=${pkgid##*[#@]}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "cannot read the version from '$pkgid'"
deb_version=${version/-/\~}

# The systemd unit for the package: deploy/capital.service with the binary in /usr/bin and the
# package's `capital` user instead of a dynamic one (a fixed owner for /var/lib/capital, which
# backups and `sudo -u capital sqlite3` can rely on). Every line replaced must be found exactly
# once, so a change to deploy/capital.service cannot silently leave the package's unit stale.
unit() {
  cat <<'EOF'
# systemd unit for Capital, installed by the capital Debian package (deploy/deb/build.sh makes
# it from deploy/capital.service). Settings: `sudo systemctl edit capital` and add
# Environment=CAPITAL_... lines, or point CAPITAL_CONFIG at a config file (see
# /usr/share/doc/capital/config.example.toml). docs/deploy.md explains each choice below.
EOF
  awk -v header=1 '
    header && /^#/ { next }
    { header = 0 }
    /^ExecStart=\/usr\/local\/bin\/capital / { sub("/usr/local/bin/", "/usr/bin/"); exec++ }
    /^# A throwaway user for the service;/ {
      print "# The capital system user, made by the package; its data lives in /var/lib/capital"
      print "# (kept across upgrades and removal)."
      comment++
      next
    }
    /^DynamicUser=yes$/ { print "User=capital"; print "Group=capital"; user++; next }
    { print }
    END {
      if (exec != 1 || comment != 1 || user != 1) {
        print "deploy/capital.service: expected one each of ExecStart=/usr/local/bin/capital," \
          " DynamicUser=yes and its comment; found " exec + 0 ", " user + 0 ", " comment + 0 \
          > "/dev/stderr"
        exit 1
      }
    }
  ' deploy/capital.service
}

# The changelog Debian asks every package for: which commit this one was built from, dated by
# that commit (the repository's history is the real changelog).
changelog() {
  local commit date
  commit=$(git describe --always --dirty 2>/dev/null) || commit="a source tree outside git"
  date=$(git log -1 --format=%aD 2>/dev/null) || date=$(date -R)
  printf 'capital (%s) unstable; urgency=medium\n\n' "$deb_version"
  printf '  * Built by deploy/deb/build.sh from %s.\n\n' "$commit"
  printf ' -- %s  %s\n' "$maintainer" "$date"
}

# Depends, read off the binary: each shared library it loads must be one we know the package of,
# and libc6 must be at least the newest GLIBC_ symbol version it asks for.
depends() {
  local binary=$1 lib glibc pkgs=()
  while read -r lib; do
    case $lib in
      libc.so.6 | libm.so.6 | libpthread.so.0 | libdl.so.2 | librt.so.1 | ld-linux*.so.*) ;;
      libgcc_s.so.1) pkgs+=("libgcc-s1") ;;
      *) die "$binary loads $lib, and this script does not know its Debian package" ;;
    esac
  done < <(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  glibc=$(readelf -V -W "$binary" | grep -o 'Name: GLIBC_[0-9.]*' | sed 's/Name: GLIBC_//' |
    sort -V | tail -n 1)
  [ -n "$glibc" ] || die "$binary has no GLIBC_ symbol versions: is it really a glibc binary?"
  local list="libc6 (>= $glibc)" p
  for p in "${pkgs[@]}"; do list+=", $p"; done
  echo "$list, passwd"
}

build() {
  local arch=$1 t g upper env=() root binary deb contents
  t=$(triple "$arch")
  upper=$(tr 'a-z-' 'A-Z_' <<<"$t")
  if [ "$arch" != "$host_arch" ]; then
    g=$(gnu_triple "$arch")
    env=("CARGO_TARGET_${upper}_LINKER=$g-gcc" "CC_${t//-/_}=$g-gcc" "AR_${t//-/_}=$g-ar")
  fi
  say "$arch: cargo build --release --target $t ${env[*]}"
  env "${env[@]}" CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo build --release --locked -p capital-server --target "$t"
  binary=${CARGO_TARGET_DIR:-target}/$t/release/capital
  readelf -h "$binary" | grep -q "Machine: *$(elf_machine "$arch")\$" ||
    die "$binary is not an $arch binary: $(readelf -h "$binary" | grep Machine)"

  root=$(mktemp -d "${TMPDIR:-/tmp}/capital-deb.XXXXXX")
  chmod 0755 "$root"
  # shellcheck disable=SC2064 # expand now: each architecture has its own tree
  trap "rm -rf '$root'" EXIT
  install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/lib/systemd/system" \
    "$root/usr/share/doc/capital"
  install -m 0755 "$binary" "$root/usr/bin/capital"
  unit >"$root/usr/lib/systemd/system/capital.service"
  chmod 0644 "$root/usr/lib/systemd/system/capital.service"
  install -m 0644 deploy/deb/copyright config.example.toml "$root/usr/share/doc/capital/"
  changelog | gzip -9n >"$root/usr/share/doc/capital/changelog.gz"
  chmod 0644 "$root/usr/share/doc/capital/changelog.gz"
  install -m 0755 deploy/deb/preinst deploy/deb/postinst deploy/deb/prerm deploy/deb/postrm \
    "$root/DEBIAN/"
  (cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
  chmod 0644 "$root/DEBIAN/md5sums"
  local deps size
  deps=$(depends "$binary")
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  cat >"$root/DEBIAN/control" <<EOF
Package: capital
Version: $deb_version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $deps
Section: net
Priority: optional
Description: self-hosted game and chat server for a classroom
 Capital serves board and card games with a chat to phones on the local
 network: players open a web page (no app to install), join a room with a
 four-letter code or a QR code, and play against each other. One binary
 with its web client inside, run by systemd as the capital service, with
 its data in /var/lib/capital.
EOF
  mkdir -p "$out"
  deb=$out/capital_${deb_version}_$arch.deb
  dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
  rm -rf "$root"
  trap - EXIT

  # The package as dpkg reads it back: the right architecture, and the binary and unit inside.
  [ "$(dpkg-deb --field "$deb" Architecture)" = "$arch" ] || die "$deb: wrong Architecture"
  contents=$(dpkg-deb --contents "$deb")
  for f in ./usr/bin/capital ./usr/lib/systemd/system/capital.service; do
    grep -q " $f\$" <<<"$contents" || die "$deb lacks $f"
  done
  say "$arch: $deb ($(du -k "$deb" | cut -f1) KiB; Depends: $(dpkg-deb --field "$deb" Depends))"
  if command -v lintian >/dev/null; then
    lintian --tag-display-limit 0 "$deb" >&2 || true
  fi
}

for arch in "${archs[@]}"; do
  build "$arch"
done
