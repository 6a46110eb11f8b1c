#!/usr/bin/env bash
# Runs python stdlib-unittest modules and turns their verdicts into the
# project's summary line `N passed, N failed, N skipped` (last line).
#   tests/pyunit.sh MODULE.py [MODULE.py ...] [-- unittest args]
# A module that exits non-zero without reporting a failure (it crashed, or
# could not start its server) counts as one failure: nothing is hidden.
set -u
mods=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do mods+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
passed=0; failed=0; skipped=0
for m in "${mods[@]}"; do
  out=$(python3 "$m" "$@" 2>&1)
  status=$?
  printf '%s\n' "$out"
  ran=$(printf '%s\n' "$out" | sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' | tail -1)
  f=$(printf '%s\n' "$out" | sed -n 's/^FAILED (.*failures=\([0-9]*\).*/\1/p' | tail -1)
  e=$(printf '%s\n' "$out" | sed -n 's/^FAILED (.*errors=\([0-9]*\).*/\1/p' | tail -1)
  s=$(printf '%s\n' "$out" | sed -n 's/^\(OK\|FAILED\) (.*skipped=\([0-9]*\).*/\2/p' | tail -1)
  bad=$(( ${f:-0} + ${e:-0} ))
  if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
  good=$(( ${ran:-0} - ${f:-0} - ${e:-0} - ${s:-0} ))
  [ "$good" -lt 0 ] && good=0
  passed=$((passed + good)); failed=$((failed + bad)); skipped=$((skipped + ${s:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
