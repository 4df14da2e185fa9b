#!/usr/bin/env bash
# Runs a command with Kafka and FerretDB available: starts them if they are not running and
# stops afterwards only what it started itself.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

started=0
if ! bash "$here/infra.sh" status >/dev/null 2>&1; then
  started=1
  bash "$here/infra.sh" start || exit 1
fi
"$@"
rc=$?
if [ "$started" = 1 ]; then
  bash "$here/infra.sh" stop >/dev/null 2>&1 || true
fi
exit $rc
