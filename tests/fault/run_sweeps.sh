#!/usr/bin/env bash
# The long terraform-level fault suites (tests/fault/README.md), each its own
# line in tests/run_all.sh:
#   bash tests/fault/run_sweeps.sh crash    crash sweep (test_crash_sweep.py)
#   bash tests/fault/run_sweeps.sh cycles   fault cycles + throttling at scale
#                                           (test_fault_cycles.py, test_throttle_scale.py)
# [unittest args] may follow. Their knobs (CRASH_SWEEP_STRIDE, FAULT_CYCLES_SEED,
# THROTTLE_SCALE_N, ...) are in each module's docstring. Prints the modules'
# count lines again just before the last line `N passed, N failed, N skipped`.
set -u
cd "$(dirname "$0")/../.."
case "${1:-}" in
  crash) mods="tests/fault/test_crash_sweep.py" ;;
  cycles) mods="tests/fault/test_fault_cycles.py tests/fault/test_throttle_scale.py" ;;
  *) echo "usage: run_sweeps.sh crash|cycles [unittest args]" >&2; echo "0 passed, 1 failed"; exit 64 ;;
esac
shift
if ! make -s mirror >/dev/null; then echo "run_sweeps.sh: make mirror failed"; echo "0 passed, 1 failed"; exit 1; fi
out=$(mktemp)
# shellcheck disable=SC2086
bash tests/pyunit.sh $mods -- "$@" > "$out" 2>&1
rc=$?
head -n -1 "$out"
echo "=== counts"
grep -E '^(crash sweep|fault cycles|throttle scale)' "$out" | sort -u
tail -n 1 "$out"
rm -f "$out"
exit $rc
