#!/usr/bin/env bash
# Runs a test command with the provider's AWS calls going through the fault
# proxy in real-AWS mode (tests/fault/aws_rules.py: private-DNS conflict,
# endpoint visibility delay, SG DependencyViolation) in front of one moto.
#
#   bash tests/fault/behind_proxy.sh [--aws-rules JSON|real] CMD [ARGS...]
#   e.g. bash tests/fault/behind_proxy.sh python3 tests/e2e/runner.py concurrency
#
# Exports E2E_MOTO_URL (moto itself: boto3 checks, never delayed) and
# E2E_AWS_URL (the proxy: what tests pass to terraform via e2e_lib.aws_url()),
# runs CMD, stops both and exits with CMD's status. Default rules: real.
set -uo pipefail
cd "$(dirname "$0")/../.."
rules=real
if [ "${1:-}" = "--aws-rules" ]; then rules=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: behind_proxy.sh [--aws-rules JSON|real] CMD..." >&2; exit 64; }
mkdir -p build/fault
moto_env=$(bash tools/moto.sh start build/fault/behind_proxy_moto.log) || { echo "behind_proxy: moto did not start" >&2; exit 1; }
eval "$moto_env"
python3 tests/fault/proxy.py --target "$MOTO_URL" --aws-rules "$rules" > build/fault/behind_proxy.url &
proxy_pid=$!
trap 'kill $proxy_pid 2>/dev/null; bash tools/moto.sh stop "$MOTO_PID"' EXIT
for _ in $(seq 100); do grep -q '^PROXY_URL=' build/fault/behind_proxy.url 2>/dev/null && break; sleep 0.1; done
proxy_url=$(sed -n 's/^PROXY_URL=//p' build/fault/behind_proxy.url)
[ -n "$proxy_url" ] || { echo "behind_proxy: the proxy did not start" >&2; exit 1; }
echo "behind_proxy: moto $MOTO_URL, proxy $proxy_url (aws rules: $rules)" >&2
E2E_MOTO_URL=$MOTO_URL E2E_AWS_URL=$proxy_url "$@"
