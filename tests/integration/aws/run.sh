#!/usr/bin/env bash
# Runs the aws integration tests (moto + boto3, tests/integration/aws/test_ops.py)
# through build/tools/aws_probe and ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/../../.."
if ! make -s build/tools/aws_probe >/dev/null; then echo "0 passed, 1 failed"; exit 1; fi
export AWS_PROBE=${AWS_PROBE:-$PWD/build/tools/aws_probe}
exec bash tests/pyunit.sh tests/integration/aws/test_ops.py
