"""Shared pieces of the terraform-level fault suites (crash sweep, fault
cycles, throttling at scale): an in-process fault proxy in front of moto, a
working directory of N functions in one VPC, and boto3 inventories that
check "no duplicate" and "nothing left" against moto itself (never through
the proxy, never from Terraform's state).
"""
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import e2e_lib as L  # noqa: E402
from proxy import FaultProxy  # noqa: E402

OWNER = L.OWNER_TAG
SHARED = L.SHARED_TAG
DEAD = ("deleted", "deleting", "failed", "rejected")

# A for_each of functions in one VPC; each function's CIDRs and services
# come from the "functions" variable (name -> {cidrs, services, memory}).
MAIN_TF = '''
terraform {
  required_providers {
    lambdavpc = { source = "lambdavpc/lambdavpc", version = "0.1.0" }
  }
}
variable "aws_endpoint" { type = string }
variable "vpc_id" { type = string }
variable "functions" {
  type = map(object({ cidrs = list(string), services = list(string), memory = number }))
}
provider "lambdavpc" {
  region                      = "us-east-2"
  skip_credentials_validation = true
  endpoints {
    ec2    = var.aws_endpoint
    iam    = var.aws_endpoint
    lambda = var.aws_endpoint
    sts    = var.aws_endpoint
  }
}
resource "lambdavpc_secure_function" "f" {
  for_each           = var.functions
  function_name      = each.key
  vpc_id             = var.vpc_id
  subnet_cidr_blocks = each.value.cidrs
  endpoint_services  = each.value.services
  runtime            = "python3.12"
  handler            = "handler.lambda_handler"
  filename           = "${path.module}/lambda.zip"
  source_code_hash   = filebase64sha256("${path.module}/lambda.zip")
  memory_size        = each.value.memory
  timeout            = 10
}
'''

MUTATING = ("Create", "Delete", "Modify", "Authorize", "Revoke", "Associate", "Disassociate", "Attach",
            "Detach", "Put", "Update", "Tag", "Untag", "Publish", "Replace", "Add", "Remove", "Set")


def is_mutating(action):
    return bool(action) and action.startswith(MUTATING)


def start_proxy():
    """An in-process proxy in front of moto; FAULT_AWS_RULES=real (or a JSON
    object, aws_rules.py) turns the real-AWS rules on for the whole suite."""
    p = FaultProxy(L.moto_url()).start()
    rules = os.environ.get("FAULT_AWS_RULES")
    if rules:
        p.set_aws_rules("real" if rules == "real" else json.loads(rules))
    return p


def functions_map(prefix, n, services_of, memory=256, cidr_of=None):
    """{name: {cidrs, services, memory}} for n functions in a /16 VPC:
    function i gets 10.X.i.0/28 and 10.X.i.16/28 (or cidr_of(i))."""
    out = {}
    for i in range(n):
        cidrs = cidr_of(i) if cidr_of else ["10.60.%d.0/28" % (i + 1), "10.60.%d.16/28" % (i + 1)]
        out["%s-%02d" % (prefix, i)] = {"cidrs": cidrs, "services": list(services_of(i)), "memory": memory}
    return out


class Scenario:
    """One working directory (initialised once) applied against a proxy; the
    VPC and the function set can be replaced between runs."""

    def __init__(self, proxy_url, prefix="fault"):
        self.wd = L.Workdir(prefix)
        self.wd.write("main.tf", MAIN_TF)
        L.make_zip(self.wd.path)
        self.proxy_url = proxy_url
        self.functions = {}
        self.vpc = None

    def init(self):
        r = self.wd.tf("init")
        if r.rc != 0:
            raise AssertionError("terraform init failed:\n%s" % r)

    def configure(self, vpc, functions):
        self.vpc, self.functions = vpc, functions
        self.wd.set_vars(aws_endpoint=self.proxy_url, vpc_id=vpc, functions=functions)

    def forget_state(self):
        for f in ("terraform.tfstate", "terraform.tfstate.backup"):
            try:
                os.unlink(os.path.join(self.wd.path, f))
            except FileNotFoundError:
                pass

    def tf(self, *args, timeout=900):
        return self.wd.tf(*args, env={"TF_CLI_ARGS_apply": "-auto-approve", "TF_CLI_ARGS_destroy": "-auto-approve"},
                          timeout=timeout)

    def apply(self):
        return self.tf("apply")

    def destroy(self):
        return self.tf("destroy")

    def plan_rc(self):
        return self.tf("plan", "-detailed-exitcode").rc

    def state_names(self):
        p = os.path.join(self.wd.path, "terraform.tfstate")
        if not os.path.exists(p):
            return []
        with open(p) as f:
            doc = json.load(f)
        return sorted(i.get("index_key") for r in doc.get("resources", []) for i in r.get("instances", []))

    def cleanup(self):
        self.wd.cleanup()


# ---------------------------------------------------------------- inventories


def inventory(vpc, names):
    """What exists in moto for these functions in this VPC:
    {"subnets": {fn: n}, "sgs": {fn: n}, "route_tables": {fn: n},
     "endpoints": {service: n}, "functions": {fn: n}, "roles": {fn: n},
     "shared_sgs": [...], "untagged": [...]} -- objects are attributed by the
    ownership tag; the VPC's shared SGs carry lambdavpc:shared instead."""
    ec2, lam, iam = L.client("ec2"), L.client("lambda"), L.client("iam")
    f = [{"Name": "vpc-id", "Values": [vpc]}]
    inv = {"subnets": {}, "sgs": {}, "route_tables": {}, "endpoints": {}, "functions": {}, "roles": {},
           "shared_sgs": [], "untagged": []}

    def count(kind, tags, what):
        if kind == "sgs" and L.tags_of(tags).get(SHARED) == vpc:
            inv["shared_sgs"].append(what)
            return
        owner = L.tags_of(tags).get(OWNER)
        if owner is None:
            inv["untagged"].append(what)
            return
        inv[kind][owner] = inv[kind].get(owner, 0) + 1
    for s in ec2.describe_subnets(Filters=f)["Subnets"]:
        count("subnets", s.get("Tags"), s["SubnetId"])
    for g in ec2.describe_security_groups(Filters=f)["SecurityGroups"]:
        if g["GroupName"] != "default":
            count("sgs", g.get("Tags"), g["GroupId"])
    for t in ec2.describe_route_tables(Filters=f)["RouteTables"]:
        if not any(a.get("Main") for a in t.get("Associations", [])):
            count("route_tables", t.get("Tags"), t["RouteTableId"])
    for e in ec2.describe_vpc_endpoints(Filters=f)["VpcEndpoints"]:
        if e.get("State", "").lower() not in DEAD:
            svc = e["ServiceName"].rsplit(".", 1)[-1]
            inv["endpoints"][svc] = inv["endpoints"].get(svc, 0) + 1
    want = set(names)
    for fn in paged(lam.list_functions, "Functions", "Marker", "NextMarker"):
        if fn["FunctionName"] in want:
            inv["functions"][fn["FunctionName"]] = inv["functions"].get(fn["FunctionName"], 0) + 1
    for n in want:
        try:
            iam.get_role(RoleName=L.role_name(n))
            inv["roles"][n] = 1
        except iam.exceptions.NoSuchEntityException:
            pass
    return inv


def paged(call, key, in_tok, out_tok):
    kw = {}
    while True:
        page = call(**kw)
        for x in page.get(key, []):
            yield x
        tok = page.get(out_tok) if (out_tok != "Marker" or page.get("IsTruncated")) else None
        if not tok:
            return
        kw[in_tok] = tok


def duplicates(inv, functions):
    """Problems in inv for the configured functions: more than one of a part
    that must be single, more subnets than CIDRs, or more than one endpoint
    per service in the VPC. [] when none."""
    bad = []
    for fn, spec in functions.items():
        for kind, most in (("sgs", 1), ("route_tables", 1), ("functions", 1), ("roles", 1),
                           ("subnets", len(spec["cidrs"]))):
            if inv[kind].get(fn, 0) > most:
                bad.append("%s: %d %s (at most %d)" % (fn, inv[kind][fn], kind, most))
    if len(inv["shared_sgs"]) > 2:
        bad.append("%d shared SGs in the VPC (at most 2)" % len(inv["shared_sgs"]))
    for svc, n in inv["endpoints"].items():
        if n > 1:
            bad.append("%d endpoints for %s in the VPC" % (n, svc))
    return bad


def complete(inv, functions):
    """Parts missing after a converged apply ([] when every function has all)."""
    miss = []
    for fn, spec in functions.items():
        for kind, n in (("sgs", 1), ("route_tables", 1), ("functions", 1), ("roles", 1),
                        ("subnets", len(spec["cidrs"]))):
            if inv[kind].get(fn, 0) != n:
                miss.append("%s: %d %s (want %d)" % (fn, inv[kind].get(fn, 0), kind, n))
    services = {s for spec in functions.values() for s in spec["services"]}
    interface = services - {"s3", "dynamodb"}
    if len(inv["shared_sgs"]) != (2 if interface else 0):
        miss.append("%d shared SGs (want %d)" % (len(inv["shared_sgs"]), 2 if interface else 0))
    for s in services:
        if inv["endpoints"].get(s, 0) != 1:
            miss.append("%d endpoints for %s (want 1)" % (inv["endpoints"].get(s, 0), s))
    return miss


def leftovers(inv):
    """Everything still present ([] when nothing is left)."""
    out = []
    for kind in ("subnets", "sgs", "route_tables", "functions", "roles"):
        out += ["%s %s x%d" % (kind, fn, n) for fn, n in sorted(inv[kind].items()) if n]
    out += ["endpoint %s x%d" % (s, n) for s, n in sorted(inv["endpoints"].items()) if n]
    out += ["shared SG %s" % g for g in inv["shared_sgs"]]
    out += ["untagged %s" % u for u in inv["untagged"]]
    return out


class ScenarioCase(unittest.TestCase):
    """A test with its own proxy and an initialised Scenario; tearDown turns
    the faults off and destroys whatever the state still holds."""
    maxDiff = None
    prefix = "fault"

    def setUp(self):
        self.proxy = start_proxy()
        self.sc = Scenario(self.proxy.url, self.prefix)
        self.sc.init()

    def tearDown(self):
        self.proxy.set_chaos(None)
        self.proxy.set_rate_limit(None)
        if self.sc.state_names():
            self.sc.destroy()
        self.proxy.stop()
        self.sc.cleanup()
