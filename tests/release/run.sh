#!/usr/bin/env bash
# Release suite: builds the package (`make package`), then installs and runs
# it the ways users do, inside a root directory that holds only glibc's files
# and terraform (chroot; needs root), against a private moto on 127.0.0.1;
# also checks every link in README.md and docs/.
#
#   bash tests/release/run.sh [PATTERN...]   (PATTERN: substring of test ids)
#
# Last line: release: N passed, N failed, N skipped (tests/e2e/runner.py)
set -uo pipefail
cd "$(dirname "$0")/../.."

summary_fail() { echo "release: 0 passed, 1 failed"; exit 1; }

if ! make --no-print-directory package >&2; then
  echo "release: make package failed" >&2
  summary_fail
fi
[ "$(id -u)" -eq 0 ] || { echo "release: chroot needs root" >&2; summary_fail; }

log_dir=build/release
mkdir -p "$log_dir"
moto_env=$(bash tools/moto.sh start "$log_dir/moto.log") || { echo "release: moto did not start" >&2; summary_fail; }
eval "$moto_env"
# The tests mount /proc in the root and unmount it when they end; if they
# are killed, a lazy unmount here still releases it.
root_proc=$PWD/build/release/root/proc
trap 'bash tools/moto.sh stop "$MOTO_PID"; mountpoint -q "$root_proc" && umount -l "$root_proc"' EXIT
trap 'exit 143' TERM INT
echo "release: moto at $MOTO_URL (pid $MOTO_PID)"

RELEASE_MOTO_URL=$MOTO_URL E2E_SUITE_NAME=release E2E_TEST_DIR=tests/release python3 tests/e2e/runner.py "$@"
