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
exec bash tests/pyunit.sh tests/integration/aws/test_ops.py
