#!/usr/bin/env bash
# End-to-end suite against the ASan+UBSan build of the plugin: the same tests
# as tests/e2e/run.sh (provider-level + resource scenarios), but terraform
# runs build/san/terraform-provider-lambdavpc from its own mirror, and every
# sanitizer report the plugin writes fails the test that caused it.
#
#   bash tests/e2e/run_asan.sh [PATTERN...]   (PATTERN: substring of test ids)
#   E2E_ASAN_BIN=path bash tests/e2e/run_asan.sh
#                  installs that (sanitizer) binary instead of building one
#
# Layout (build/san-e2e, never the default build/mirror + build/terraformrc):
#   mirror/, terraformrc   tools/mirror.sh with MIRROR_OUT=build/san-e2e
#   san-logs/asan.PID, san-logs/ubsan.PID   reports (ASAN_OPTIONS/UBSAN_OPTIONS
#                  log_path, set by e2e_lib.py); san-logs/reported/ keeps the
#                  ones already turned into failures
#   moto.log
# Last line: e2e-asan: N passed, N failed, N skipped (exit 1 on any failure).
set -uo pipefail
cd "$(dirname "$0")/../.."

name=e2e-asan
out=build/san-e2e
san_logs=$out/san-logs
summary_fail() { echo "$name: 0 passed, 1 failed, 0 skipped"; exit 1; }

# The build `make unit` uses (build/san), so most objects already exist.
SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
bin=${E2E_ASAN_BIN:-}
if [ -z "$bin" ]; then
  bin=build/san/terraform-provider-lambdavpc
  if ! make --no-print-directory B=build/san SAN="$SANFLAGS" OPT=-O1 "$bin" >&2; then
    echo "$name: could not build the sanitizer plugin" >&2
    summary_fail
  fi
fi
# A sanitizer build links libasan: refuse to "pass" with a plain binary.
syms=$(nm -D "$bin" 2>/dev/null)
if ! grep -q ' __asan_init' <<<"$syms"; then
  echo "$name: $bin is not an AddressSanitizer build" >&2
  summary_fail
fi
# The sanitizer build needs libasan and the shared gRPC stack: a package for
# this machine only.
if ! PACKAGE_FOR_THIS_HOST=1 MIRROR_OUT=$out sh tools/mirror.sh "$bin" "$(cat VERSION)" >&2; then
  echo "$name: could not install $bin into $out/mirror" >&2
  summary_fail
fi

rm -rf "$san_logs"
mkdir -p "$san_logs"
moto_env=$(bash tools/moto.sh start "$out/moto.log") || { echo "$name: moto did not start" >&2; summary_fail; }
eval "$moto_env"
trap 'bash tools/moto.sh stop "$MOTO_PID"' EXIT
trap 'exit 143' TERM INT
echo "$name: moto at $MOTO_URL (pid $MOTO_PID, log $out/moto.log); plugin $bin"
echo "$name: sanitizer reports go to $san_logs"

E2E_MOTO_URL=$MOTO_URL E2E_REQUIRE_PLUGIN=1 E2E_MIRROR_DIR=$out E2E_SAN_LOG_DIR=$san_logs \
  E2E_SUITE_NAME=$name python3 tests/e2e/runner.py "$@"
