#!/usr/bin/env bash
# podman as the image scripts and tests run it: `deploy/image/podman.sh <podman arguments>`.
# The runc runtime where it is installed (crun refuses hybrid cgroups on some machines) and
# containers.conf beside this script unless CONTAINERS_CONF names another one.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v podman >/dev/null 2>&1 || {
  echo "podman is missing: install it (e.g. apt-get install podman runc)" >&2
  exit 127
}
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
if command -v runc >/dev/null 2>&1; then
  exec podman --runtime "$(command -v runc)" "$@"
fi
exec podman "$@"
