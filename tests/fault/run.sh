#!/usr/bin/env bash
# Runs the fault-injection tests (tests/fault/README.md) and ends with
# "N passed, N failed"; exit status non-zero on any failure.
# Usage: tests/fault/run.sh [unittest args, e.g. -k retry_after]   (from anywhere)
#   FAULT_SKIP_SLOW=1   skip the ~60 s timeout-after-send test
#   E2E_RESOURCE=1      also run test_resource_faults.py (terraform + plugin)
set -u
cd "$(dirname "$0")/../.."
mkdir -p build/fault
# aws_probe (tests/tools/aws_probe.c) is built through the Makefile; it calls
# base_log_init, so TF_LOG turns on the debug log that is checked for secrets.
if ! make -s build/tools/aws_probe >/dev/null; then echo "0 passed, 1 failed"; exit 1; fi
export AWS_PROBE=${AWS_PROBE:-$PWD/build/tools/aws_probe}

mods="tests/fault/test_client_faults.py"
passed=0; failed=0
if [ "${E2E_RESOURCE:-}" = "1" ]; then
  # the resource tests run the plugin installed in build/mirror
  if make -s mirror >/dev/null; then
    mods="$mods tests/fault/test_resource_faults.py"
  else
    echo "run.sh: make mirror failed; resource fault tests not run"; failed=1
  fi
fi
for m in $mods; do
  out=$(python3 "$m" "$@" 2>&1)
  status=$?
  echo "$out"
  ran=$(printf '%s\n' "$out" | sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' | tail -1)
  ran=${ran:-0}
  f=$(printf '%s\n' "$out" | sed -n 's/^FAILED (.*failures=\([0-9]*\).*/\1/p' | tail -1)
  e=$(printf '%s\n' "$out" | sed -n 's/^FAILED (.*errors=\([0-9]*\).*/\1/p' | tail -1)
  s=$(printf '%s\n' "$out" | sed -n 's/^\(OK\|FAILED\) (.*skipped=\([0-9]*\).*/\2/p' | tail -1)
  bad=$(( ${f:-0} + ${e:-0} ))
  if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
  good=$(( ran - ${f:-0} - ${e:-0} - ${s:-0} ))
  [ "$good" -lt 0 ] && good=0
  passed=$(( passed + good )); failed=$(( failed + bad ))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
