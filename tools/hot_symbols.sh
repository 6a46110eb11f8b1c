#!/usr/bin/env bash
# tools/hot_symbols.sh: regenerates tools/link/hot-symbols.txt, the list of
# functions a provider process runs, which the release link places together
# (lld --symbol-ordering-file; see the Makefile).
#
# Why: the binary is ~5 MiB of code (gRPC core, abseil, libstdc++ linked
# statically) and a process touches a few hundred KiB of it, spread over the
# whole text. The kernel maps file pages 64 KiB around every page a process
# touches, so scattered hot code costs several MiB of RSS per process
# (issue 13: peak RSS at N=50). Grouped, the hot code is a few hundred
# 64 KiB windows fewer.
#
# How: the build-tree binary runs under valgrind's callgrind, started by
# Terraform itself (a dev_overrides wrapper) for `providers schema`, and for
# apply / no-op plan / destroy of 3 functions in one VPC on a private moto
# (tools/bench/scale.py, our side only). Every function that ran in any
# provider process is listed, those that ran in the most processes first
# (start-up and the RPC path, then what only some calls run), so a process
# that only answers the schema touches the front of the group. A symbol the
# linker does not find is ignored, so a stale list costs memory, never
# correctness.
#
# Run it after changes to the static libraries (a Debian update of gRPC) or
# to the code's hot paths, and commit the list. Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/hot
rm -rf "$OUT"
mkdir -p "$OUT/wrap" "$OUT/cg"
BIN=$ROOT/build/terraform-provider-lambdavpc
[ -x "$BIN" ] || { echo "hot_symbols: $BIN missing: run make" >&2; exit 1; }
[ -f "$ROOT/build/terraformrc" ] || { echo "hot_symbols: run make mirror first" >&2; exit 1; }

cat > "$OUT/wrap/terraform-provider-lambdavpc" <<WRAP
#!/bin/sh
exec valgrind --tool=callgrind --demangle=no --dump-line=no \\
  --callgrind-out-file=$OUT/cg/cg.%p "$BIN" "\$@" 2>>$OUT/valgrind.log
WRAP
chmod +x "$OUT/wrap/terraform-provider-lambdavpc"
{
  echo "provider_installation {"
  echo "  dev_overrides {"
  echo "    \"registry.terraform.io/lambdavpc/lambdavpc\" = \"$OUT/wrap\""
  echo "  }"
  sed -n '/^provider_installation {/,/^}/p' "$ROOT/build/terraformrc" | sed '1d;$d'
  echo "}"
} > "$OUT/terraformrc"

export TF_CLI_CONFIG_FILE=$OUT/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-2
export AWS_EC2_METADATA_DISABLED=true
eval "$(bash tools/moto.sh start "$OUT/moto.log")"
trap 'bash tools/moto.sh stop "$MOTO_PID"' EXIT

mkdir -p "$OUT/schema"
printf 'terraform {\n  required_providers {\n    lambdavpc = { source = "lambdavpc/lambdavpc" }\n  }\n}\n' \
  > "$OUT/schema/main.tf"
terraform -chdir="$OUT/schema" providers schema -json >/dev/null
BENCH_PROVIDERS=ours BENCH_SCALES=3 BENCH_LATENCY_SCALES= \
  python3 tools/bench/scale.py "$OUT/scale" "$MOTO_URL" | tee "$OUT/scale.txt"
if ! python3 - "$OUT/scale/scale.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
bad = [r for r in rows if "error" in r or any(
    "failed" in r.get(ph, {"failed": "missing"}) for ph in ("apply", "plan", "destroy"))]
sys.exit(1 if bad or not rows else 0)
PY
then
  echo "hot_symbols: the training run failed (see $OUT)" >&2
  exit 1
fi

LIST=tools/link/hot-symbols.txt
# Only code of the binary itself (not glibc's): the names it defines.
nm --defined-only "$BIN" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | LC_ALL=C sort -u > "$OUT/defined"
{
  echo "# Functions a provider process runs (tools/hot_symbols.sh, $(date -u +%Y-%m-%d));"
  echo "# the release link places them together. Regenerate, do not edit."
  for f in "$OUT"/cg/cg.*; do
    sed -nE 's/^c?fn=\([0-9]+\) (.+)$/\1/p' "$f" | grep -v '^0x' | LC_ALL=C sort -u
  done | LC_ALL=C sort | uniq -c | LC_ALL=C sort -k1,1nr -k2,2 | awk '{print $2}' \
    | grep -Fxf "$OUT/defined"
} > "$LIST.tmp"
mv "$LIST.tmp" "$LIST"
echo "hot_symbols: $(grep -vc '^#' "$LIST") functions from $(ls "$OUT"/cg | wc -l) processes in $LIST"
