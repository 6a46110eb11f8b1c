#!/usr/bin/env bash
# make demo: install the built provider from the filesystem mirror, show its
# schema, then deploy examples/basic into a VPC on a local moto server.
#
#   1. build/demo/ = examples/basic + lambda.zip; terraform init / validate
#   2. a summary of `terraform providers schema -json` (jq)
#   3. moto on 127.0.0.1, a VPC 12.25.15.0/25 with DNS support + hostnames
#      (boto3), `terraform plan` as a probe; when the resource plans, apply it,
#      print the outputs and what exists in moto, and leave moto running so
#      you can look around and destroy. If the resource does not plan yet,
#      say so and stop moto.
# DEMO_APPLY=0 stops after step 2.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO=$ROOT/build/demo
RC=$ROOT/build/terraformrc
[ -f "$RC" ] || { echo "demo: $RC missing: run make mirror" >&2; exit 1; }

export TF_CLI_CONFIG_FILE=$RC CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-2
export AWS_EC2_METADATA_DISABLED=true
unset TF_LOG TF_LOG_PROVIDER TF_LOG_CORE

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# A previous demo may still have moto running: stop it, start clean.
if [ -f "$DEMO/moto.pid" ]; then
  bash tools/moto.sh stop "$(cat "$DEMO/moto.pid")" 2>/dev/null || true
fi
rm -rf "$DEMO"
mkdir -p "$DEMO"
cp examples/basic/main.tf examples/basic/handler.py "$DEMO/"
python3 examples/basic/make_zip.py "$DEMO" >/dev/null

say "terraform init (provider from $ROOT/build/mirror)"
terraform -chdir="$DEMO" init -input=false -no-color | grep -E 'Installing|Installed|successfully' || true
grep -A4 'lambdavpc/lambdavpc' "$DEMO/.terraform.lock.hcl"

say "terraform validate"
terraform -chdir="$DEMO" validate -no-color

say "terraform providers schema -json | jq (resource lambdavpc_secure_function)"
terraform -chdir="$DEMO" providers schema -json > "$DEMO/schema.json"
P='.provider_schemas["registry.terraform.io/lambdavpc/lambdavpc"]'
jq -r "$P"' | "provider block: " + ([.provider.block.attributes | keys[]]
    + [(.provider.block.block_types // {}) | keys[] | . + " {}"] | join(", "))' "$DEMO/schema.json"
echo
jq -r "$P"'.resource_schemas.lambdavpc_secure_function.block as $b
  | ( $b.attributes | to_entries[]
      | [ .key,
          (if .value.required then "required"
           elif .value.optional and .value.computed then "optional+computed"
           elif .value.optional then "optional" else "computed" end),
          ((.value.type // ("nested " + (.value.nested_type.nesting_mode // "?"))) | tostring),
          (if .value.sensitive then "sensitive" else "" end) ]
      | @tsv ),
    ( ($b.block_types // {}) | to_entries[]
      | [ .key, "block (" + .value.nesting_mode + ")", ([.value.block.attributes | keys[]] | join(",")), "" ]
      | @tsv )' "$DEMO/schema.json" | column -t -s $'\t'

if [ "${DEMO_APPLY:-1}" = 0 ]; then
  echo; echo "demo: DEMO_APPLY=0: stopping before the moto deployment."
  exit 0
fi

say "moto on 127.0.0.1 + a VPC 12.25.15.0/25 with DNS support and hostnames"
moto_env=$(bash tools/moto.sh start "$DEMO/moto.log")
eval "$moto_env"
echo "$MOTO_PID" > "$DEMO/moto.pid"
keep_moto=0
trap '[ "$keep_moto" = 1 ] || { bash tools/moto.sh stop "$MOTO_PID"; rm -f "$DEMO/moto.pid"; }' EXIT
VPC_ID=$(python3 - "$MOTO_URL" <<'PY'
import sys, boto3
ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name="us-east-2",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
v = ec2.create_vpc(CidrBlock="12.25.15.0/25")["Vpc"]["VpcId"]
ec2.modify_vpc_attribute(VpcId=v, EnableDnsSupport={"Value": True})
ec2.modify_vpc_attribute(VpcId=v, EnableDnsHostnames={"Value": True})
print(v)
PY
)
echo "moto $MOTO_URL (pid $MOTO_PID), VPC $VPC_ID"
cat > "$DEMO/terraform.auto.tfvars.json" <<EOF
{ "aws_endpoint": "$MOTO_URL", "vpc_id": "$VPC_ID", "function_name": "demo-app" }
EOF

say "terraform plan"
if ! terraform -chdir="$DEMO" plan -input=false -no-color -out=demo.tfplan > "$DEMO/plan.log" 2>&1 \
   || ! grep -q 'Plan: 1 to add' "$DEMO/plan.log"; then
  tail -n 25 "$DEMO/plan.log"
  echo
  echo "demo: the resource does not plan against moto yet (full log: $DEMO/plan.log)."
  echo "demo: install, validate and schema above are what works today; moto stopped."
  exit 0
fi
sed -n '/will perform the following actions/,/^Plan:/p' "$DEMO/plan.log"

say "terraform apply"
terraform -chdir="$DEMO" apply -input=false -no-color demo.tfplan > "$DEMO/apply.log" 2>&1 \
  || { tail -n 30 "$DEMO/apply.log"; echo "demo: apply failed (log: $DEMO/apply.log)"; exit 1; }
grep -E "Creating|Creation complete|Apply complete" "$DEMO/apply.log"

say "terraform output"
terraform -chdir="$DEMO" output -no-color

say "what exists in moto now (boto3)"
python3 - "$MOTO_URL" "$VPC_ID" <<'PY'
import sys, boto3
url, vpc = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=url, region_name="us-east-2",
          aws_access_key_id="testing", aws_secret_access_key="testing")
ec2, lam = boto3.client("ec2", **kw), boto3.client("lambda", **kw)
f = [{"Name": "vpc-id", "Values": [vpc]}]
for s in ec2.describe_subnets(Filters=f)["Subnets"]:
    print("subnet   %s %s %s" % (s["SubnetId"], s["CidrBlock"], s["AvailabilityZone"]))
for g in ec2.describe_security_groups(Filters=f)["SecurityGroups"]:
    eg = ["%s %s-%s -> %s" % (p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"),
          ",".join([x["GroupId"] for x in p.get("UserIdGroupPairs", [])] +
                   [x["CidrIp"] for x in p.get("IpRanges", [])])) for p in g.get("IpPermissionsEgress", [])]
    print("sg       %s %-28s egress: %s" % (g["GroupId"], g["GroupName"], "; ".join(eg) or "none"))
for e in ec2.describe_vpc_endpoints(Filters=f)["VpcEndpoints"]:
    print("endpoint %s %s private_dns=%s" % (e["VpcEndpointId"], e["ServiceName"], e.get("PrivateDnsEnabled")))
c = lam.get_function_configuration(FunctionName="demo-app")
print("function %s %s vpc subnets=%s sgs=%s" % (c["FunctionName"], c["Runtime"],
      c["VpcConfig"]["SubnetIds"], c["VpcConfig"]["SecurityGroupIds"]))
PY

keep_moto=1
cat <<EOF

demo: deployed. moto keeps running (pid $MOTO_PID) so you can look around:
  export TF_CLI_CONFIG_FILE=$RC CHECKPOINT_DISABLE=1
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  cd $DEMO
  terraform plan                   # no changes
  terraform destroy -auto-approve  # removes everything it created
  bash tools/moto.sh stop $MOTO_PID  # (from $ROOT) when done
EOF
