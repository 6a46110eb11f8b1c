#!/usr/bin/env bash
# End-to-end suite: the real terraform drives the plugin installed from the
# filesystem mirror, against one private moto server; boto3 checks the cloud.
#
#   bash tests/e2e/run.sh [PATTERN...]     (PATTERN: substring of test ids)
#   E2E_RESOURCE=0 bash tests/e2e/run.sh   skips the resource scenarios
#
# Builds the plugin and the mirror first (incremental). Last line:
#   e2e: N passed, N failed, N skipped
set -uo pipefail
cd "$(dirname "$0")/../.."

summary_fail() { echo "e2e: 0 passed, 1 failed, 0 skipped"; exit 1; }

if ! make --no-print-directory mirror >&2; then
  echo "e2e: could not build/install the plugin (make mirror failed)" >&2
  summary_fail
fi

log_dir=build/e2e
mkdir -p "$log_dir"
moto_env=$(bash tools/moto.sh start "$log_dir/moto.log") || { echo "e2e: moto did not start" >&2; summary_fail; }
eval "$moto_env"
trap 'bash tools/moto.sh stop "$MOTO_PID"' EXIT
trap 'exit 143' TERM INT
echo "e2e: moto at $MOTO_URL (pid $MOTO_PID, log $log_dir/moto.log)"

E2E_MOTO_URL=$MOTO_URL E2E_REQUIRE_PLUGIN=1 python3 tests/e2e/runner.py "$@"
