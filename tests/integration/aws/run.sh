#!/usr/bin/env bash
# Runs the aws integration tests (moto + boto3) and ends with "N passed, N failed".
# Usage: tests/integration/aws/run.sh   (from anywhere; builds build/tools/aws_probe)
set -u
cd "$(dirname "$0")/../../.."
# aws_probe needs only src/base and src/aws: build those objects through the
# Makefile (incremental) and link here, so unfinished code in other modules
# cannot block these tests.
objs=$(ls src/base/*.c src/aws/*.c tests/tools/aws_probe.c | sed 's|^\(.*\)\.c$|build/obj/\1.o|')
if ! make -s $objs >/dev/null; then echo "0 passed, 1 failed"; exit 1; fi
mkdir -p build/aws_it
libs=$(pkg-config --libs openssl jansson libcurl libxml-2.0)
if ! gcc -o build/aws_it/aws_probe $objs $libs -lpthread -lm; then echo "0 passed, 1 failed"; exit 1; fi
export AWS_PROBE=${AWS_PROBE:-$PWD/build/aws_it/aws_probe}
out=$(python3 tests/integration/aws/test_ops.py 2>&1)
status=$?
echo "$out"
ran=$(printf '%s\n' "$out" | sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' | tail -1)
ran=${ran:-0}
failures=$(printf '%s\n' "$out" | sed -n 's/^FAILED (.*failures=\([0-9]*\).*/\1/p' | tail -1)
errors=$(printf '%s\n' "$out" | sed -n 's/^FAILED (.*errors=\([0-9]*\).*/\1/p' | tail -1)
failed=$(( ${failures:-0} + ${errors:-0} ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
passed=$(( ran - ${failures:-0} - ${errors:-0} ))
[ "$passed" -lt 0 ] && passed=0
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
