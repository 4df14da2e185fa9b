#!/usr/bin/env bash
# Builds the egov image with podman (what `make image` runs):
#
#   deploy/image/build.sh [--tag NAME] [--debian-base]
#
# --debian-base builds on a Debian base made with debootstrap (debian-base.sh) instead of
# the official python:3.11-slim, for machines that cannot pull images. Layers are cached by
# podman, so a build with unchanged dependencies only copies the sources again. A custom CA
# bundle for pip (PIP_CERT) and a package index (PIP_INDEX_URL) of this machine are passed
# to the build stage only; they never reach the image.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
podman=(bash "$here/podman.sh")

version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/pyproject.toml" | head -n 1)"
tag="egov:$version"
base=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --debian-base) base="$(bash "$here/debian-base.sh")"; shift ;;
    *) echo "usage: $0 [--tag NAME] [--debian-base]" >&2; exit 2 ;;
  esac
done

args=(build --layers --network=host -f "$repo/deploy/Dockerfile" -t "$tag")
[ -n "$base" ] && args+=(--build-arg "BASE_IMAGE=$base")
if [ -n "${PIP_CERT:-}" ] && [ -f "$PIP_CERT" ]; then
  args+=(-v "$PIP_CERT:/run/egov-build/ca.crt:ro" --build-arg PIP_CERT=/run/egov-build/ca.crt)
fi
[ -n "${PIP_INDEX_URL:-}" ] && args+=(--build-arg "PIP_INDEX_URL=$PIP_INDEX_URL")
printf '[image] building %s\n' "$tag" >&2
"${podman[@]}" "${args[@]}" "$repo"
