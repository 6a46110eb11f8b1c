#!/usr/bin/env bash
# THE test command (`make test`). Runs every suite in order, shows each
# suite's own output, then one result line per suite and, last, exactly one
#   N passed, N failed
# line summing them all. Exit status non-zero when anything failed.
#
# Every suite ends its output with `[word: ]N passed, N failed[, N skipped]`.
# A suite that ends without such a line, or exits non-zero while claiming
# 0 failures, is counted as one failure: nothing is ever hidden.
# Under CI (CI=true) each suite gets SUITE_TIMEOUT seconds (default 3600), so
# a hang ends as a counted failure instead of a stuck job.
set -uo pipefail
cd "$(dirname "$0")/.."

total_pass=0
total_fail=0
total_skip=0
results=()
log_dir=build/test-logs
mkdir -p "$log_dir"

run_suite() {
  local name=$1; shift
  local log="$log_dir/$name.log"
  echo "=== $name: $*"
  local rc t0=$SECONDS
  if [ "${CI:-}" = true ] || [ -n "${SUITE_TIMEOUT:-}" ]; then
    timeout -k 30 "${SUITE_TIMEOUT:-3600}" "$@" 2>&1 | tee "$log"
  else
    "$@" 2>&1 | tee "$log"
  fi
  rc=${PIPESTATUS[0]}
  local took=$((SECONDS - t0))
  [ "$rc" -eq 124 ] && echo "$name: timed out after ${SUITE_TIMEOUT:-3600} s" | tee -a "$log"
  local line p f s
  line=$(grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    p=0; f=1; s=0
    results+=("$name: no summary line (exit $rc) - counted as 1 failure; see $log")
  else
    p=$(sed -E 's/^([A-Za-z0-9_-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
    f=$(sed -E 's/^.* ([0-9]+) failed.*/\1/' <<<"$line")
    s=$(sed -nE 's/^.* ([0-9]+) skipped.*/\1/p' <<<"$line"); s=${s:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      f=1
      results+=("$name: $p passed, 0 failed but exit status $rc - counted as 1 failure")
    else
      local sk=""; [ "$s" -gt 0 ] && sk=", $s skipped"
      results+=("$name: $p passed, $f failed$sk (exit $rc, ${took} s)")
    fi
  fi
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
}

# The only network target is moto on 127.0.0.1: a client that finds no
# credentials must not fall back to the EC2 instance metadata address.
export AWS_EC2_METADATA_DISABLED=true

run_suite unit make --no-print-directory unit
run_suite valgrind make --no-print-directory test-valgrind
run_suite fuzz-replay make --no-print-directory fuzz-replay
# The plugin binary and test helper programs (build/, not build/san) that the
# suites below use. Not a suite: if this fails, those suites fail visibly.
echo "=== build: plugin + tests/tools helpers"
make --no-print-directory build/terraform-provider-lambdavpc tools-build \
  || echo "run_all: build of the plugin/test helpers failed; the suites below will show it"
run_suite plugin bash tests/plugin/run.sh
run_suite integration-aws bash tests/integration/aws/run.sh
run_suite integration-recon bash tests/integration/recon/run.sh
run_suite fault bash tests/fault/run.sh
run_suite fault-crash bash tests/fault/run_sweeps.sh crash
run_suite fault-cycles bash tests/fault/run_sweeps.sh cycles
# The shared-endpoint tests at issue 8's size: a for_each of 20 functions in
# one VPC, apply -> plan -> destroy 5 times (e2e-asan runs them at 10 x 2).
run_suite e2e env E2E_SHARED_N=20 E2E_SHARED_CYCLES=5 bash tests/e2e/run.sh
# The shared-endpoint concurrency tests again, behind the fault proxy in real-AWS mode.
run_suite e2e-shared-proxy env E2E_SUITE_NAME=e2e-shared-proxy E2E_SHARED_N=20 E2E_SHARED_CYCLES=5 \
  bash tests/fault/behind_proxy.sh python3 tests/e2e/runner.py test_shared_endpoints
run_suite e2e-asan bash tests/e2e/run_asan.sh
run_suite release bash tests/release/run.sh

echo
echo "=== results"
for r in "${results[@]}"; do echo "$r"; done
[ "$total_skip" -gt 0 ] && echo "($total_skip skipped, not counted)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
