#!/usr/bin/env bash
# tests/fuzz/run.sh MODE TARGET... - runs the libFuzzer targets built in
# build/fuzz/fuzzers (by `make fuzz` / `make fuzz-replay`).
#   replay  every file of tests/fuzz/<t>/ once (a crash or sanitizer report
#           fails), then a fresh run of FUZZ_SECONDS (default 15) from it
#   fuzz    a run of FUZZ_SECONDS (default 60) from the corpus
# New inputs go to a temp dir, never into the committed corpus; crashes are
# kept as build/fuzz/artifacts/<t>-crash-* to replay and commit as regression
# inputs. Prints per target its executions and crashes, ends with
# `N passed, N failed`.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
mode=${1:?usage: run.sh replay|fuzz TARGET...}
shift
case $mode in
replay) secs=${FUZZ_SECONDS:-15} ;;
fuzz) secs=${FUZZ_SECONDS:-60} ;;
*) echo "usage: run.sh replay|fuzz TARGET..." >&2; exit 2 ;;
esac
BIN=build/fuzz/fuzzers
ART=build/fuzz/artifacts
mkdir -p "$ART"
export AWS_EC2_METADATA_DISABLED=true
# the sanitizers' own options: every report is fatal, leaks included
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0
fail=0
total=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for t in "$@"; do
	bin=$BIN/$t corpus=tests/fuzz/$t
	if [ ! -x "$bin" ] || [ ! -d "$corpus" ]; then
		echo "not ok - $t: missing $bin or $corpus"
		fail=$((fail + 1))
		continue
	fi
	opts=(-rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10
		-artifact_prefix="$ART/$t-" -print_final_stats=1)
	if [ "$mode" = replay ]; then
		n=$(find "$corpus" -type f | wc -l)
		if ! "$bin" "${opts[@]}" -max_len=1048576 -runs=0 "$corpus" > "$T/$t.replay" 2>&1; then
			echo "not ok - $t: replaying the $n corpus inputs crashed"
			grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$T/$t.replay" | head -8 | sed 's/^/#   /'
			fail=$((fail + 1))
			continue
		fi
		echo "ok - $t: $n corpus inputs replayed, no sanitizer report"
		pass=$((pass + 1))
	fi
	mkdir -p "$T/new-$t"
	# fresh inputs stay small (mutating the 200 kB regression inputs would
	# spend the run on a few executions); the replay above covers them whole
	"$bin" "${opts[@]}" -max_len=8192 -max_total_time="$secs" "$T/new-$t" "$corpus" > "$T/$t.run" 2>&1
	rc=$?
	execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$T/$t.run" | tail -n1)
	execs=${execs:-0}
	crashes=$(find "$ART" -maxdepth 1 -name "$t-*" -newer "$T" | wc -l)
	total=$((total + execs))
	if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]; then
		echo "ok - $t: $execs executions in ${secs} s, 0 crashes"
		pass=$((pass + 1))
	else
		echo "not ok - $t: $execs executions in ${secs} s, exit $rc, $crashes crash inputs in $ART"
		grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$T/$t.run" | head -8 | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
done
echo "# $total executions in all"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
