#!/usr/bin/env bash
# `make test`: the whole suite (unit, integration, end-to-end) on real servers.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
bash "$here/with-infra.sh" .venv/bin/pytest -q -p no:cacheprovider "${@:-tests}"
rc=$?
# pytest exits 5 when it collected no test: that is a failure, not a pass.
if [ "$rc" = 5 ]; then echo "no test was collected" >&2; exit 1; fi
exit $rc
