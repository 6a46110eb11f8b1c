#!/usr/bin/env bash
# Integration tests of provider/recon against a private moto server, checked
# with boto3 (tests/integration/recon/test_recon.py). Last line: N passed, N failed.
set -u
cd "$(dirname "$0")/../../.."
if ! make -s build/tools/recon_probe >/dev/null; then echo "0 passed, 1 failed"; exit 1; fi
exec bash tests/pyunit.sh tests/integration/recon/test_recon.py
