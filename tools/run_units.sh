#!/bin/sh
# Runs unit-test binaries (under valgrind when VALGRIND=1), prints the
# per-binary output and one total line `N passed, N failed`. Exit 1 on failure.
# Runs from the repository root (fixtures are addressed from there).
pass=0; fail=0
for bin in "$@"; do
  out=$(mktemp)
  if [ "${VALGRIND:-}" = 1 ]; then
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
      --suppressions=tools/valgrind.supp "$bin" > "$out" 2>&1
  else
    "$bin" > "$out" 2>&1
  fi
  rc=$?
  cat "$out"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
  p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
  p=${p:-0}; f=${f:-0}
  if [ $rc -ne 0 ] && [ "$f" = 0 ]; then
    echo "FAIL $bin exited with status $rc"; f=1
  fi
  pass=$((pass + p)); fail=$((fail + f))
  rm -f "$out"
done
echo "unit: $pass passed, $fail failed"
[ $fail -eq 0 ]
