#!/usr/bin/env bash
# Runs a command with Kafka, FerretDB and Dex available: starts those that are not running
# and stops afterwards only what it started itself.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

started=0
if ! before="$(bash "$here/infra.sh" status 2>/dev/null)"; then
  started=1
  bash "$here/infra.sh" start || exit 1
fi
"$@"
rc=$?
if [ "$started" = 1 ]; then
  for name in dex kafka ferretdb; do
    [[ "$before" == *"$name: running"* ]] || bash "$here/infra.sh" stop "$name" >/dev/null 2>&1 || true
  done
fi
exit $rc
