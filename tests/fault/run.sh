#!/usr/bin/env bash
# Runs the fault-injection tests (tests/fault/README.md) and ends with
# "N passed, N failed"; exit status non-zero on any failure.
# Usage: tests/fault/run.sh [unittest args, e.g. -k retry_after]   (from anywhere)
#   FAULT_SKIP_SLOW=1   skip the ~60 s timeout-after-send test
#   E2E_RESOURCE=0      skip test_resource_faults.py and test_stop_and_enis.py (terraform + plugin)
set -u
cd "$(dirname "$0")/../.."
mkdir -p build/fault
# aws_probe (tests/tools/aws_probe.c) is built through the Makefile; it calls
# base_log_init, so TF_LOG turns on the debug log that is checked for secrets.
if ! make -s build/tools/aws_probe >/dev/null; then echo "0 passed, 1 failed"; exit 1; fi
export AWS_PROBE=${AWS_PROBE:-$PWD/build/tools/aws_probe}

mods="tests/fault/test_client_faults.py tests/fault/test_proxy_rules.py"
if [ "${E2E_RESOURCE:-1}" != "0" ]; then
  # the resource tests run the plugin installed in build/mirror
  if ! make -s mirror >/dev/null; then
    echo "run.sh: make mirror failed; resource fault tests not run"; echo "0 passed, 1 failed"; exit 1
  fi
  export E2E_RESOURCE=1
  mods="$mods tests/fault/test_resource_faults.py tests/fault/test_stop_and_enis.py tests/fault/test_behind_proxy.py"
  mods="$mods tests/fault/test_request_budget.py"
fi
exec bash tests/pyunit.sh $mods -- "$@"
