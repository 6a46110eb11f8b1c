#!/usr/bin/env bash
# make bench: our provider next to the preinstalled hashicorp/aws 5.100.0.
#   (a) exec -> handshake line, median of 21 starts (and the CPU time used)
#   (b) peak RSS (VmHWM) right after the handshake line
#   (c) wall time of `terraform providers schema -json` (median of 5)
#   (d) when the resource plans (probe; BENCH_RESOURCE=0 skips): plan / apply /
#       destroy wall time of the seed scenario vs the same 16 resources
#       written with hashicorp/aws (tools/bench/aws_peer, n = 1), one moto on 127.0.0.1
#   (e) scale rows (tools/bench/scale.py): N = 1, 20, 50 functions in one VPC
#       sharing endpoints, ours vs hashicorp/aws, apply / no-op plan / destroy:
#       wall time, AWS requests per function (beside the issue-13 budget),
#       provider peak RSS, and rows with 100 ms added to every AWS call.
#       BENCH_SCALES, BENCH_LATENCY_SCALES, BENCH_PEER_MAX_N choose the rows
#       (see scale.py); BENCH_SCALES=0 skips them.
# Prints a side-by-side table (also saved to build/bench/results.txt).
# Never run by the tests. Needs build/terraformrc (make mirror).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/bench
rm -rf "$OUT"
mkdir -p "$OUT"

VERSION=$(cat VERSION)
# The released binary as Terraform runs it: unpacked from the zip (make mirror).
OURS=$ROOT/build/package/terraform-provider-lambdavpc_v$VERSION
[ -x "$OURS" ] || { echo "bench: $OURS missing: run make mirror" >&2; exit 1; }
AWS_DIR=$(find /opt/tf-plugins / -path /proc -prune -o -path '*registry.terraform.io/hashicorp/aws' -print -quit 2>/dev/null || true)
AWS_BIN=$(ls "$AWS_DIR"/*/linux_amd64/terraform-provider-aws* 2>/dev/null | sort | tail -n 1)
[ -x "$AWS_BIN" ] || { echo "bench: no hashicorp/aws binary found" >&2; exit 1; }

export TF_CLI_CONFIG_FILE=$ROOT/build/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-2
export AWS_EC2_METADATA_DISABLED=true
unset TF_LOG TF_LOG_PROVIDER TF_LOG_CORE TF_LOG_PATH

# --- client certificate as Terraform makes it (P-521, CN=localhost, SAN) ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -sha512 -nodes \
  -keyout "$OUT/client.key" -out "$OUT/client.pem" -days 2 \
  -subj "/O=HashiCorp/CN=localhost" -addext "subjectAltName=DNS:localhost" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "extendedKeyUsage=clientAuth,serverAuth" 2>/dev/null

# --- (a) + (b): start -> handshake, VmHWM, CPU (tools/bench/handshake.py) ---
echo "bench: handshake timing (21 runs each)..." >&2
read -r ours_hs ours_hs_min ours_hs_max ours_rss ours_proto ours_cpu < <(python3 tools/bench/handshake.py "$OURS" "$OUT/client.pem" 21)
read -r aws_hs aws_hs_min aws_hs_max aws_rss aws_proto aws_cpu < <(python3 tools/bench/handshake.py "$AWS_BIN" "$OUT/client.pem" 21)
ours_libs=$(ldd "$OURS" | wc -l)
aws_libs=$(ldd "$AWS_BIN" 2>/dev/null | grep -c '=>' || true)
read -r tree_hs _ < <(python3 tools/bench/handshake.py "$ROOT/build/terraform-provider-lambdavpc" "$OUT/client.pem" 21)

# --- (c) providers schema -json ---
median_of() { # N command... : prints the median wall seconds of N runs
  local n=$1; shift
  python3 - "$n" "$@" <<'PY'
import statistics, subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
ts = []
for _ in range(n):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ts.append(time.perf_counter() - t0)
print("%.2f" % statistics.median(ts))
PY
}

mk_schema_dir() { # DIR SOURCE VERSION
  mkdir -p "$1"
  cat > "$1/main.tf" <<EOF
terraform {
  required_providers {
    p = {
      source  = "$2"
      version = "$3"
    }
  }
}
EOF
  (cd "$1" && terraform init -input=false -no-color >/dev/null)
}
echo "bench: providers schema -json (5 runs each)..." >&2
mk_schema_dir "$OUT/schema_ours" lambdavpc/lambdavpc "$VERSION"
AWS_VERSION=$(basename "$(dirname "$(dirname "$AWS_BIN")")")
mk_schema_dir "$OUT/schema_aws" hashicorp/aws "$AWS_VERSION"
ours_schema=$(median_of 5 terraform -chdir="$OUT/schema_ours" providers schema -json)
aws_schema=$(median_of 5 terraform -chdir="$OUT/schema_aws" providers schema -json)

# --- (d) plan/apply of the seed scenario, only if the resource works ---
# BENCH_RESOURCE=0 skips it; otherwise a plan of examples/basic is the probe.
ours_plan=-; ours_apply=-; ours_destroy=-; aws_plan=-; aws_apply=-; aws_destroy=-
scenario_note="(d) skipped (BENCH_RESOURCE=0)"
if [ "${BENCH_RESOURCE:-auto}" != 0 ]; then
  moto_env=$(bash tools/moto.sh start "$OUT/moto.log")
  eval "$moto_env"
  trap 'bash tools/moto.sh stop "$MOTO_PID"' EXIT
  mkvpc() { # [CIDR]
    python3 - "$MOTO_URL" "${1:-12.25.15.0/25}" <<'PY'
import sys, boto3
ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name="us-east-2",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
v = ec2.create_vpc(CidrBlock=sys.argv[2])["Vpc"]["VpcId"]
ec2.modify_vpc_attribute(VpcId=v, EnableDnsSupport={"Value": True})
ec2.modify_vpc_attribute(VpcId=v, EnableDnsHostnames={"Value": True})
print(v)
PY
  }
  timed() { # prints wall seconds of a command that must succeed
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >"$OUT/last.log" 2>&1 || { echo "bench: failed: $*" >&2; tail -n 30 "$OUT/last.log" >&2; return 1; }
    t1=$(date +%s.%N)
    python3 -c "print('%.2f' % ($t1 - $t0))"
  }
  prepare() { # DIR SOURCE_TF_DIR
    mkdir -p "$1" && cp "$2"/*.tf "$1/"
    python3 examples/basic/make_zip.py "$1" >/dev/null
    (cd "$1" && terraform init -input=false -no-color >/dev/null)
  }
  run_scenario() { # DIR VARS... -> REPLY_PLAN / REPLY_APPLY / REPLY_DESTROY (seconds)
    local dir=$1; shift
    REPLY_PLAN=$(timed terraform -chdir="$dir" plan -input=false -no-color "$@")
    REPLY_APPLY=$(timed terraform -chdir="$dir" apply -input=false -no-color -auto-approve "$@")
    REPLY_DESTROY=$(timed terraform -chdir="$dir" destroy -input=false -no-color -auto-approve "$@")
  }
  prepare "$OUT/seed_ours" examples/basic
  ours_vars=(-var "aws_endpoint=$MOTO_URL" -var "vpc_id=$(mkvpc)" -var function_name=bench-ours)
  if terraform -chdir="$OUT/seed_ours" plan -input=false -no-color "${ours_vars[@]}" >"$OUT/probe.log" 2>&1; then
    echo "bench: seed scenario with lambdavpc..." >&2
    run_scenario "$OUT/seed_ours" "${ours_vars[@]}"
    ours_plan=$REPLY_PLAN; ours_apply=$REPLY_APPLY; ours_destroy=$REPLY_DESTROY
    echo "bench: seed scenario with 16 hashicorp/aws resources..." >&2
    prepare "$OUT/seed_aws" tools/bench/aws_peer
    run_scenario "$OUT/seed_aws" -var "aws_endpoint=$MOTO_URL" -var "vpc_id=$(mkvpc 10.77.0.0/16)" -var n=1 -var prefix=bench-aws
    aws_plan=$REPLY_PLAN; aws_apply=$REPLY_APPLY; aws_destroy=$REPLY_DESTROY
    scenario_note="(d) seed scenario: 1 lambdavpc_secure_function vs 16 hashicorp/aws resources, moto on 127.0.0.1"
  else
    scenario_note="(d) skipped: lambdavpc_secure_function does not plan yet ($OUT/probe.log)"
  fi
fi

ours_size=$(du -k "$OURS" | cut -f1)
aws_size=$(du -k "$AWS_BIN" | cut -f1)
{
  printf '%-44s %18s %18s\n' "measure" "lambdavpc $VERSION" "hashicorp/aws $AWS_VERSION"
  printf '%-44s %18s %18s\n' "--------------------------------------------" "------------------" "------------------"
  printf '%-44s %18s %18s\n' "(a) exec -> handshake, median of 21 (ms)" "$ours_hs" "$aws_hs"
  printf '%-44s %18s %18s\n' "    min / max (ms)" "$ours_hs_min / $ours_hs_max" "$aws_hs_min / $aws_hs_max"
  printf '%-44s %18s %18s\n' "    build-tree binary, not packaged (ms)" "$tree_hs" "-"
  printf '%-44s %18s %18s\n' "    CPU used until then, median (ms)" "$ours_cpu" "$aws_cpu"
  printf '%-44s %18s %18s\n' "    shared libraries loaded at exec" "$ours_libs" "$aws_libs"
  printf '%-44s %18s %18s\n' "    protocol chosen from 5,6" "$ours_proto" "$aws_proto"
  printf '%-44s %18s %18s\n' "(b) peak RSS at handshake (MiB, VmHWM)" "$ours_rss" "$aws_rss"
  printf '%-44s %18s %18s\n' "    binary size (MiB)" "$(python3 -c "print('%.1f' % ($ours_size/1024))")" "$(python3 -c "print('%.1f' % ($aws_size/1024))")"
  printf '%-44s %18s %18s\n' "(c) providers schema -json, median of 5 (s)" "$ours_schema" "$aws_schema"
  printf '%-44s %18s %18s\n' "(d) plan, seed scenario (s)" "$ours_plan" "$aws_plan"
  printf '%-44s %18s %18s\n' "    apply (s)" "$ours_apply" "$aws_apply"
  printf '%-44s %18s %18s\n' "    destroy (s)" "$ours_destroy" "$aws_destroy"
  echo
  echo "$scenario_note"
  echo "machine: $(nproc) cores, $(uname -sr), terraform $(terraform version | head -n 1 | cut -d' ' -f2)"
} | tee "$OUT/results.txt"

# --- (e) scale rows, on the same moto ---
if [ "${BENCH_RESOURCE:-auto}" != 0 ] && [ "${BENCH_SCALES:-1,20,50}" != 0 ] && [ -n "${MOTO_URL:-}" ]; then
  echo "bench: scale rows (BENCH_SCALES=${BENCH_SCALES:-1,20,50})..." >&2
  { echo; python3 tools/bench/scale.py "$OUT/scale" "$MOTO_URL"; } | tee -a "$OUT/results.txt"
fi
echo "bench took ${SECONDS} s (logs and scale.json in $OUT)" | tee -a "$OUT/results.txt"
