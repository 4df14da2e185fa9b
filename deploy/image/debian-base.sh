#!/usr/bin/env bash
# A Debian bookworm base image with Python 3.11, made from Debian's packages with
# debootstrap, for machines that cannot pull the official python image. Prints its name.
#
# The root filesystem is built once into $EGOV_CACHE_DIR (outside the clone) and imported
# into podman's storage once; later calls only print the name.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
podman=(bash "$here/podman.sh")

name="${EGOV_DEBIAN_BASE:-localhost/egov-debian-base:bookworm-py311}"
cache="${EGOV_CACHE_DIR:-$HOME/.cache/egov}"
# The mirror this machine's apt already uses (deb822 .sources or one-line .list files),
# unless EGOV_DEBIAN_MIRROR names another.
machine_mirror() {
  local found
  found=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | head -n1)
  [ -n "$found" ] || found=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    | awk '{print ($2 ~ /^\[/) ? $3 : $2}' | head -n1)
  echo "$found"
}
mirror="${EGOV_DEBIAN_MIRROR:-$(machine_mirror)}"
tarball="$cache/debian-bookworm-py311.tar"

say() { printf '[image] %s\n' "$*" >&2; }

if "${podman[@]}" image exists "$name"; then
  echo "$name"
  exit 0
fi
if [ ! -f "$tarball" ]; then
  [ -n "$mirror" ] || { say "no Debian mirror found in /etc/apt: set EGOV_DEBIAN_MIRROR"; exit 1; }
  command -v debootstrap >/dev/null 2>&1 || {
    say "debootstrap is missing: install it (e.g. apt-get install debootstrap)"
    exit 1
  }
  mkdir -p "$cache"
  root="$cache/debian-rootfs.$$"
  trap 'rm -rf "$root" "$tarball.tmp"' EXIT
  say "building a Debian bookworm root filesystem with Python 3.11 into $cache (once)"
  debootstrap --variant=minbase --include=python3,python3-venv bookworm "$root" "$mirror" \
    >"$cache/debootstrap.log" 2>&1 || { say "debootstrap failed; see $cache/debootstrap.log"; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
fi
say "importing $tarball as $name"
"${podman[@]}" import --quiet "$tarball" "$name" >/dev/null
echo "$name"
