"""Scale rows of `make bench`: N functions in one VPC, ours vs hashicorp/aws.

usage: python3 scale.py OUT_DIR MOTO_URL
env:   BENCH_SCALES=1,20,50          the N to run (default all three)
       BENCH_LATENCY_SCALES=1,20     N to run again with 100 ms added to
                                     every AWS call ("" skips the rows)
       BENCH_PROVIDERS=ours,peer     which side(s) to run
       BENCH_PEER_MAX_N=20           skip hashicorp/aws rows above this N
                                     (its N=50 rows take many minutes)
Needs TF_CLI_CONFIG_FILE etc. in the environment (tools/bench.sh sets them).

For each N and provider: terraform apply, a no-op plan (-detailed-exitcode
must say "no changes"), destroy. Each phase reports wall time, the AWS
requests the provider made (through count_proxy.py; per function beside the
issue-13 budget), the requests answered with an error status, and the peak
RSS (VmHWM) of the largest provider process Terraform started (sampled every
20 ms; Terraform starts several). After apply it counts the interface endpoints per service
in the VPC (more than one = duplicates); after destroy, what was left. Then
boto3 removes everything in the VPC, so each row starts clean.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import count_proxy  # noqa: E402

REGION = "us-east-2"
BUDGET = {"apply": 30, "plan": 8, "destroy": 25}
SIDES = {
    "ours": ("scale_ours", "terraform-provider-lambdavpc"),
    "peer": ("aws_peer", "terraform-provider-aws"),
}


def client(moto, svc):
    return boto3.client(svc, endpoint_url=moto, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


class RssSampler(threading.Thread):
    """Max VmHWM (KiB) over the live children of process `parent` whose
    executable's name starts with prefix (the provider processes Terraform
    starts; other provider processes on the machine are ignored), sampled
    every 20 ms until stop()."""

    def __init__(self, parent, prefix):
        super().__init__(daemon=True)
        self.parent, self.prefix, self.peak, self.pids = str(parent), prefix, 0, set()
        self.done = threading.Event()

    def sample(self):
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % pid) as f:
                    ppid = f.read().rsplit(")", 1)[1].split()[1]
                if ppid != self.parent:
                    continue
                if not os.path.basename(os.readlink("/proc/%s/exe" % pid)).startswith(self.prefix):
                    continue
                with open("/proc/%s/status" % pid) as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            self.peak = max(self.peak, int(line.split()[1]))
                            self.pids.add(pid)
            except (OSError, IndexError):
                continue

    def run(self):
        while not self.done.is_set():
            self.sample()
            self.done.wait(0.02)

    def stop(self):
        self.done.set()
        self.join()
        return self.peak / 1024.0


def make_vpc(ec2):
    v = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=v, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=v, EnableDnsHostnames={"Value": True})
    return v


def endpoints_per_service(ec2, vpc):
    out = {}
    for e in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]:
        if e.get("State", "").lower() in ("deleted", "deleting"):
            continue
        svc = e["ServiceName"].rsplit(".", 1)[-1]
        out[svc] = out.get(svc, 0) + 1
    return out


def leftovers(moto, vpc, prefix):
    ec2, iam, lam = client(moto, "ec2"), client(moto, "iam"), client(moto, "lambda")
    f = [{"Name": "vpc-id", "Values": [vpc]}]
    left = {
        "endpoints": sum(endpoints_per_service(ec2, vpc).values()),
        "subnets": len(ec2.describe_subnets(Filters=f)["Subnets"]),
        "security_groups": len([g for g in ec2.describe_security_groups(Filters=f)["SecurityGroups"]
                                if g["GroupName"] != "default"]),
        "roles": len([r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)]),
        "functions": len([x for x in lam.list_functions()["Functions"]
                          if x["FunctionName"].startswith(prefix)]),
    }
    return {k: v for k, v in left.items() if v}


def cleanup(moto, vpc, prefix):
    """Deletes whatever a run left in the VPC (and its roles/functions)."""
    ec2, iam, lam = client(moto, "ec2"), client(moto, "iam"), client(moto, "lambda")
    f = [{"Name": "vpc-id", "Values": [vpc]}]
    for x in lam.list_functions()["Functions"]:
        if x["FunctionName"].startswith(prefix):
            lam.delete_function(FunctionName=x["FunctionName"])
    ids = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(Filters=f)["VpcEndpoints"]]
    if ids:
        ec2.delete_vpc_endpoints(VpcEndpointIds=ids)
    for eni in ec2.describe_network_interfaces(Filters=f)["NetworkInterfaces"]:
        try:
            ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
        except Exception:  # noqa: BLE001 (best effort: moto may have removed it)
            pass
    for rt in ec2.describe_route_tables(Filters=f)["RouteTables"]:
        if any(a.get("Main") for a in rt.get("Associations", [])):
            continue
        for a in rt.get("Associations", []):
            ec2.disassociate_route_table(AssociationId=a["RouteTableAssociationId"])
        ec2.delete_route_table(RouteTableId=rt["RouteTableId"])
    for s in ec2.describe_subnets(Filters=f)["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    groups = [g for g in ec2.describe_security_groups(Filters=f)["SecurityGroups"] if g["GroupName"] != "default"]
    for g in groups:  # rules referencing each other first
        if g.get("IpPermissions"):
            ec2.revoke_security_group_ingress(GroupId=g["GroupId"], IpPermissions=g["IpPermissions"])
        if g.get("IpPermissionsEgress"):
            ec2.revoke_security_group_egress(GroupId=g["GroupId"], IpPermissions=g["IpPermissionsEgress"])
    for g in groups:
        ec2.delete_security_group(GroupId=g["GroupId"])
    for r in iam.list_roles()["Roles"]:
        if not r["RoleName"].startswith(prefix):
            continue
        for p in iam.list_attached_role_policies(RoleName=r["RoleName"])["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=r["RoleName"], PolicyArn=p["PolicyArn"])
        for p in iam.list_role_policies(RoleName=r["RoleName"])["PolicyNames"]:
            iam.delete_role_policy(RoleName=r["RoleName"], PolicyName=p)
        iam.delete_role(RoleName=r["RoleName"])
    ec2.delete_vpc(VpcId=vpc)


def tf(workdir, args, log, sampler_prefix=None):
    """Runs terraform; returns rc, wall seconds, output and the peak RSS in
    MiB of its provider children (0 without sampler_prefix) and their pids."""
    t0 = time.perf_counter()
    p = subprocess.Popen(["terraform", "-chdir=" + workdir] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    sampler = None
    if sampler_prefix:
        sampler = RssSampler(p.pid, sampler_prefix)
        sampler.start()
    out, _ = p.communicate()
    wall = time.perf_counter() - t0
    rss = sampler.stop() if sampler else 0.0
    with open(log, "a") as f:
        f.write("$ terraform %s\n%s\n" % (" ".join(args), out))
    return p.returncode, wall, out, rss, (sampler.pids if sampler else set())


def run_phase(ctx, name, args, ok_codes=(0,)):
    ctx["proxy"].reset()
    rc, wall, out, rss, pids = tf(ctx["dir"], args, ctx["log"], ctx["bin_prefix"])
    st = ctx["proxy"].stats()
    res = {"wall_s": round(wall, 2), "requests": st["total"], "errors": st["errors"],
           "per_fn": round(st["total"] / ctx["n"], 1), "rss_mib": round(rss, 1),
           "providers_seen": len(pids), "rc": rc, "actions": st["actions"],
           "error_actions": st["error_actions"]}
    if name == "plan":
        res["output"] = out
    if rc not in ok_codes:
        tail = "\n".join(out.strip().splitlines()[-6:])
        res["failed"] = tail
    return res


def run_side(side, n, moto, proxy_url, state, out_dir, latency_ms):
    tf_dir, bin_prefix = SIDES[side]
    tag = "%s_n%d%s" % (side, n, "_lat" if latency_ms else "")
    wd = os.path.join(out_dir, tag)
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    shutil.copy(os.path.join(HERE, tf_dir, "main.tf"), wd)
    subprocess.run([sys.executable, os.path.join(ROOT, "examples/basic/make_zip.py"), wd],
                   check=True, stdout=subprocess.DEVNULL)
    log = os.path.join(out_dir, tag + ".log")
    rc, _, out, _, _ = tf(wd, ["init", "-input=false", "-no-color"], log)
    if rc != 0:
        return {"error": "terraform init failed (see %s)" % log}
    ec2 = client(moto, "ec2")
    vpc = make_vpc(ec2)
    prefix = "bench-%s-%d-%d" % (side, n, int(time.time()) % 100000)
    v = ["-input=false", "-no-color", "-var", "aws_endpoint=" + proxy_url, "-var", "vpc_id=" + vpc,
         "-var", "n=%d" % n, "-var", "prefix=" + prefix]
    ctx = {"dir": wd, "log": log, "proxy": state, "bin_prefix": bin_prefix, "n": n}
    state.delay_s = latency_ms / 1000.0
    row = {"side": side, "n": n, "latency_ms": latency_ms}
    try:
        row["apply"] = run_phase(ctx, "apply", ["apply", "-auto-approve"] + v)
        row["endpoints_after_apply"] = endpoints_per_service(ec2, vpc)
        row["plan"] = run_phase(ctx, "plan", ["plan", "-detailed-exitcode"] + v, ok_codes=(0, 2))
        if row["plan"]["rc"] == 2:
            changing = re.findall(r"# (\S+) (?:will|must) be", row["plan"].pop("output"))
            row["plan"]["failed"] = "the plan after apply is not empty: %s" % ", ".join(changing[:6])
        row["plan"].pop("output", None)
        row["destroy"] = run_phase(ctx, "destroy", ["destroy", "-auto-approve"] + v)
        row["left_after_destroy"] = leftovers(moto, vpc, prefix)
    finally:
        state.delay_s = 0
        cleanup(moto, vpc, prefix)
    return row


def fmt_row(r):
    if "error" in r:
        return "%-4s %-5s %s" % (r.get("n", "?"), r.get("side", "?"), r["error"])
    cells = []
    for ph in ("apply", "plan", "destroy"):
        p = r.get(ph)
        cells.append("%7s" % ("-" if not p else ("%.2f%s" % (p["wall_s"], "!" if "failed" in p else ""))))
    reqs = []
    for ph in ("apply", "plan", "destroy"):
        p = r.get(ph)
        reqs.append("-" if not p else "%g/%d" % (p["per_fn"], BUDGET[ph]))
    errs = "/".join(str(r[ph]["errors"]) if r.get(ph) else "-" for ph in ("apply", "plan", "destroy"))
    rss = max((r[ph]["rss_mib"] for ph in ("apply", "plan", "destroy") if r.get(ph)), default=0)
    return "%-4d %-5s %s | %-27s | %-11s | %7.1f | %5.0f" % (r["n"], r["side"], " ".join(cells), "  ".join(reqs), errs,
                                                          rss, r.get("took_s", 0))


def notes(r):
    out = []
    for ph in ("apply", "plan", "destroy"):
        p = r.get(ph)
        if p and "failed" in p:
            out.append("%s failed (rc %d): %s" % (ph, p["rc"], p["failed"].replace("\n", " | ")[:300]))
    dup = {k: v for k, v in r.get("endpoints_after_apply", {}).items() if v > 1}
    if dup:
        out.append("duplicate interface endpoints after apply: %s" % dup)
    if r.get("left_after_destroy"):
        out.append("left after destroy (removed by boto3): %s" % r["left_after_destroy"])
    return out


def main():
    out_dir, moto = sys.argv[1], sys.argv[2]
    scales = [int(x) for x in os.environ.get("BENCH_SCALES", "1,20,50").split(",") if x.strip()]
    lat = [int(x) for x in os.environ.get("BENCH_LATENCY_SCALES", "1,20").split(",") if x.strip()]
    sides = [s for s in os.environ.get("BENCH_PROVIDERS", "ours,peer").split(",") if s in SIDES]
    peer_max = int(os.environ.get("BENCH_PEER_MAX_N", "0") or 0)  # 0: no limit
    os.makedirs(out_dir, exist_ok=True)
    proxy_url, state, srv = count_proxy.serve(moto)
    t_start = time.perf_counter()
    rows = []
    plan = [(n, 0) for n in scales] + [(n, 100) for n in lat]
    for n, ms in plan:
        for side in sides:
            if side == "peer" and peer_max and n > peer_max:
                continue
            t0 = time.perf_counter()
            print("bench: scale N=%d %s%s..." % (n, side, " +100 ms/call" if ms else ""), file=sys.stderr, flush=True)
            r = run_side(side, n, moto, proxy_url, state, out_dir, ms)
            r.setdefault("side", side)
            r.setdefault("n", n)
            r["latency_ms"] = ms
            r["took_s"] = round(time.perf_counter() - t0, 1)
            rows.append(r)
            with open(os.path.join(out_dir, "scale.json"), "w") as f:
                json.dump(rows, f, indent=1)
    srv.shutdown()
    total = time.perf_counter() - t_start
    print_table(rows, total)


def ratio(rows, n, ms, ph, key):
    a = [r for r in rows if r["n"] == n and r["latency_ms"] == ms and r["side"] == "ours" and r.get(ph)]
    b = [r for r in rows if r["n"] == n and r["latency_ms"] == ms and r["side"] == "peer" and r.get(ph)]
    if not a or not b or not a[0][ph][key]:
        return "-"
    return "%.1fx" % (b[0][ph][key] / a[0][ph][key])


def peak_ratio(rows, n, ms):
    """peer/ours of the largest provider RSS over the three phases."""
    def peak(side):
        rs = [r for r in rows if r["n"] == n and r["latency_ms"] == ms and r["side"] == side]
        vals = [r[ph]["rss_mib"] for r in rs[:1] for ph in ("apply", "plan", "destroy") if r.get(ph)]
        return max(vals) if vals else 0
    ours, peer = peak("ours"), peak("peer")
    return "%.1fx" % (peer / ours) if ours and peer else "-"


def print_table(rows, total):
    print("Scale: N functions in one VPC sharing the logs+ssm endpoints (ours: for_each over")
    print("lambdavpc_secure_function; peer: 13 hashicorp/aws resources per function + 3 shared).")
    print("wall s: apply plan destroy ('!' = the phase failed or the plan was not empty);")
    print("req/fn: AWS requests per function / issue-13 budget; err: requests answered 4xx/5xx.")
    for ms in sorted({r["latency_ms"] for r in rows}):
        print()
        print("%s" % ("+100 ms per AWS call (proxy delay)" if ms else "no added latency"))
        print("%-4s %-5s %7s %7s %7s | %-27s | %-11s | %7s | %5s" % ("N", "side", "apply", "plan", "destroy",
                                                                  "req/fn apply plan destroy", "err a/p/d",
                                                                  "RSS MiB", "row s"))
        for r in rows:
            if r["latency_ms"] == ms:
                print(fmt_row(r))
        for n in sorted({r["n"] for r in rows if r["latency_ms"] == ms}):
            rs = [ratio(rows, n, ms, ph, "wall_s") for ph in ("apply", "plan", "destroy")]
            rss = [ratio(rows, n, ms, ph, "rss_mib") for ph in ("apply", "plan", "destroy")]
            print("     N=%d peer/ours wall time: apply %s, plan %s, destroy %s" % (n, rs[0], rs[1], rs[2]))
            print("     N=%d peer/ours provider peak RSS: apply %s, plan %s, destroy %s; largest of the three %s"
                  % (n, rss[0], rss[1], rss[2], peak_ratio(rows, n, ms)))
    print()
    for r in rows:
        for line in notes(r):
            print("note: N=%d %s%s: %s" % (r["n"], r["side"], " +100ms" if r["latency_ms"] else "", line))
    print("scale rows took %.0f s" % total)


if __name__ == "__main__":
    main()
