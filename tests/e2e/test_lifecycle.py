"""Lifecycle end-to-end tests (issue 8 items 3-5): a create that fails
part-way never loses track of a part (destroy removes everything, a fixed
config converges with no duplicate); import by name or ARN plans nothing and
a foreign function is refused with no state; long function names get
distinct roles. Real terraform + moto, checked with boto3; the endpoint
failure is injected by the fault proxy (tests/fault/proxy.py)."""

import json
import os
import sys
import unittest

import e2e_lib as L
from test_resource import ResourceTestCase

sys.path.insert(0, os.path.join(L.ROOT, "tests", "fault"))
from proxy import FaultProxy  # noqa: E402

CIDRS = ["12.25.15.0/27", "12.25.15.32/27"]
MISSING_POLICY = "arn:aws:iam::123456789012:policy/lambdavpc-e2e-does-not-exist"
MISSING_LAYER = "arn:aws:lambda:us-east-2:123456789012:layer:lambdavpc-e2e-missing:1"

CONFIG = """
terraform {
  required_providers {
    lambdavpc = { source = "lambdavpc/lambdavpc", version = "0.1.0" }
  }
}
variable "aws_endpoint" { type = string }
variable "vpc_id" { type = string }
variable "names" { type = list(string) }
variable "policy_arns" {
  type    = list(string)
  default = null
}
variable "layers" {
  type    = list(string)
  default = null
}
variable "cidrs" { type = map(list(string)) }
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
resource "lambdavpc_secure_function" "app" {
  for_each           = toset(var.names)
  function_name      = each.value
  vpc_id             = var.vpc_id
  subnet_cidr_blocks = var.cidrs[each.value]
  endpoint_services  = ["logs"]
  runtime            = "python3.12"
  handler            = "handler.lambda_handler"
  filename           = "${path.module}/lambda.zip"
  source_code_hash   = filebase64sha256("${path.module}/lambda.zip")
  policy_arns        = var.policy_arns
  layers             = var.layers
}
"""


class LifecycleTest(ResourceTestCase):
    def config(self, vpc_id, names, endpoint=None, **extra):
        wd = L.Workdir("lifecycle")
        self.dirs.append(wd)
        wd.write("main.tf", CONFIG)
        L.make_zip(wd.path)
        if "cidrs" not in extra:
            extra["cidrs"] = {n: ["12.25.15.%d/27" % (64 * i), "12.25.15.%d/27" % (64 * i + 32)]
                              for i, n in enumerate(names)}
        self.set(wd, vpc_id, names, endpoint, **extra)
        self.ok(wd.tf("init"))
        return wd

    def set(self, wd, vpc_id, names, endpoint=None, **extra):
        wd.vars = dict(aws_endpoint=endpoint or L.moto_url(), vpc_id=vpc_id, names=names, **extra)
        wd.set_vars(**wd.vars)

    def owned_counts(self, name, vpc_id):
        owner = [{"Name": "tag:" + L.OWNER_TAG, "Values": [name]}]
        roles = [r["RoleName"] for p in self.iam.get_paginator("list_roles").paginate() for r in p["Roles"]
                 if r["RoleName"] == L.role_name(name)]
        shared = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "tag:" + L.SHARED_TAG, "Values": [vpc_id]}]
        return {
            "subnets": len(self.ec2.describe_subnets(Filters=owner)["Subnets"]),
            "route_tables": len(self.ec2.describe_route_tables(Filters=owner)["RouteTables"]),
            "security_groups": len(self.ec2.describe_security_groups(Filters=owner)["SecurityGroups"]),
            # the VPC's shared objects: the interface endpoints and two SGs
            "shared_security_groups": len(self.ec2.describe_security_groups(Filters=shared)["SecurityGroups"]),
            "endpoints": len([e for e in self.live_endpoints(vpc_id)
                              if L.tags_of(e.get("Tags")).get(L.OWNER_TAG) == name or
                              L.tags_of(e.get("Tags")).get(L.SHARED_TAG) == vpc_id]),
            "roles": len(roles),
        }

    def assertClean(self, name, vpc_id):
        self.assertNothingLeft(name, {"role_name": L.role_name(name)}, vpc_id)

    # ------------------------------------------------------ failed creates

    def failed_create(self, prefix, endpoint=None, **bad):
        """Apply fails part-way; refresh keeps the resource; destroy leaves
        nothing; then the fixed config applies and converges."""
        name = L.unique(prefix)
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.config(vpc_id, [name], endpoint, **bad)
        wd.applied = True
        r = wd.tf("apply", "-auto-approve")
        self.assertIsNone(r.crashed(), str(r))
        self.assertNotEqual(r.rc, 0, "the apply should fail:\n%s" % r)
        left = self.owned_counts(name, vpc_id)
        self.assertGreater(sum(left.values()), 0, "the failure left nothing to track: %s" % left)
        # Refresh keeps it (the function missing is a difference, not "gone").
        self.ok(wd.tf("apply", "-refresh-only", "-auto-approve"))
        self.assertIn('lambdavpc_secure_function.app["%s"]' % name, self.ok(wd.tf("state", "list")).stdout)
        # Destroy removes every part.
        self.set(wd, vpc_id, [name], endpoint, cidrs={name: CIDRS})
        self.ok(wd.tf("destroy", "-auto-approve"))
        self.assertClean(name, vpc_id)
        return name, vpc_id, wd

    def fixed_converges(self, prefix, **bad):
        name = L.unique(prefix)
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.config(vpc_id, [name], **bad)
        wd.applied = True
        r = wd.tf("apply", "-auto-approve")
        self.assertNotEqual(r.rc, 0, str(r))
        self.set(wd, vpc_id, [name], cidrs={name: CIDRS})
        self.apply(wd)
        self.assertNoChanges(wd, "plan after the fixed apply")
        self.assertEqual(self.owned_counts(name, vpc_id),
                         {"subnets": 2, "route_tables": 1, "security_groups": 1, "shared_security_groups": 2,
                          "endpoints": 1, "roles": 1})
        self.ok(wd.tf("destroy", "-auto-approve"))
        wd.applied = False
        self.assertClean(name, vpc_id)

    def test_failed_create_at_policy_attachment(self):
        self.failed_create("lc-pol", policy_arns=[MISSING_POLICY])
        self.fixed_converges("lc-polfix", policy_arns=[MISSING_POLICY])

    def test_failed_create_at_function(self):
        self.failed_create("lc-fn", layers=[MISSING_LAYER])
        self.fixed_converges("lc-fnfix", layers=[MISSING_LAYER])

    def test_failed_create_at_endpoint(self):
        proxy = FaultProxy(L.moto_url()).start()
        try:
            proxy.set_rules([{"match": {"action": "CreateVpcEndpoint"}, "times": -1,
                              "fault": {"status": 400, "code": "InvalidParameter",
                                        "message": "injected: endpoint refused"}}])
            name, vpc_id, wd = self.failed_create("lc-ep", endpoint=proxy.url)
            self.assertTrue(proxy.get_log("CreateVpcEndpoint"), "the fault was never hit")
            # The fixed world (no fault) applied afterwards converges.
            proxy.set_rules([])
            self.set(wd, vpc_id, [name], cidrs={name: CIDRS})
            self.apply(wd)
            self.assertNoChanges(wd, "plan after the apply without the fault")
            self.assertEqual(self.owned_counts(name, vpc_id)["endpoints"], 1)
            self.ok(wd.tf("destroy", "-auto-approve"))
            wd.applied = False
            self.assertClean(name, vpc_id)
        finally:
            proxy.stop()

    # ------------------------------------------------------------- import

    def test_import_by_name_and_arn_then_foreign_refused(self):
        name = L.unique("lc-imp")
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.config(vpc_id, [name], cidrs={name: CIDRS})
        self.apply(wd)
        arn = self.lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        addr = 'lambdavpc_secure_function.app["%s"]' % name
        for ident in (name, arn):
            wd2 = self.config(vpc_id, [name], cidrs={name: CIDRS})
            self.ok(wd2.tf("import", addr, ident))
            self.assertNoChanges(wd2, "plan after import by %s" % ident)
            shown = self.ok(wd2.tf("state", "show", "-no-color", addr)).stdout
            self.assertRegex(shown, r'\n\s*function_name\s+= "%s"\n' % name)
            self.assertRegex(shown, r'\n\s*id\s+= "%s"\n' % name)
        self.ok(wd.tf("destroy", "-auto-approve"))
        wd.applied = False
        self.assertClean(name, vpc_id)

        # A VPC function lambdavpc did not create: refused, nothing in state.
        sub = self.ec2.create_subnet(VpcId=vpc_id, CidrBlock="12.25.15.96/27")["Subnet"]["SubnetId"]
        sg = self.ec2.create_security_group(GroupName="foreign", Description="x", VpcId=vpc_id)["GroupId"]
        role = self.iam.create_role(RoleName=L.unique("foreign-role"), AssumeRolePolicyDocument="{}")
        foreign = L.unique("lc-foreign")
        with open(os.path.join(wd.path, "lambda.zip"), "rb") as f:
            self.lam.create_function(FunctionName=foreign, Runtime="python3.12", Handler="h.h",
                                     Role=role["Role"]["Arn"], Code={"ZipFile": f.read()},
                                     VpcConfig={"SubnetIds": [sub], "SecurityGroupIds": [sg]})
        try:
            wd3 = self.config(vpc_id, [foreign], cidrs={foreign: CIDRS})
            r = wd3.tf("import", 'lambdavpc_secure_function.app["%s"]' % foreign, foreign)
            self.assertIsNone(r.crashed(), str(r))
            self.assertNotEqual(r.rc, 0, str(r))
            self.assertIn("Cannot import a function lambdavpc did not create", str(r))
            self.assertIn("lambdavpc:function", str(r))
            listed = wd3.tf("state", "list")
            self.assertNotIn("lambdavpc_secure_function", listed.stdout)
        finally:
            self.lam.delete_function(FunctionName=foreign)
            self.ec2.delete_security_group(GroupId=sg)
            self.ec2.delete_subnet(SubnetId=sub)

    # --------------------------------------------------------- long names

    def test_long_names_get_two_roles(self):
        prefix = L.unique("lc-long")
        prefix = (prefix + "-" + "x" * 64)[:60]
        names = [prefix + "AAAA", prefix + "BBBB"]
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.config(vpc_id, names)
        self.apply(wd)
        fns = {r["values"]["function_name"]: r["values"] for r in
               json.loads(self.ok(wd.tf("show", "-json")).stdout)["values"]["root_module"]["resources"]}
        roles = [fns[n]["role_name"] for n in names]
        self.assertNotEqual(roles[0], roles[1])
        for n, role in zip(names, roles):
            self.assertEqual(role, L.role_name(n))
            self.assertLessEqual(len(role), 64)
            cfg = self.lam.get_function_configuration(FunctionName=n)
            self.assertEqual(cfg["Role"], self.iam.get_role(RoleName=role)["Role"]["Arn"])
        self.assertNoChanges(wd, "second plan")
        # Destroy the first: the second keeps its role and plans nothing.
        self.ok(wd.tf("destroy", "-auto-approve", "-target", 'lambdavpc_secure_function.app["%s"]' % names[0]))
        self.assertClean(names[0], None)
        self.set(wd, vpc_id, [names[1]], cidrs={names[1]: fns[names[1]]["subnet_cidr_blocks"]})
        self.assertNoChanges(wd, "plan of the survivor")
        self.iam.get_role(RoleName=roles[1])
        self.ok(wd.tf("destroy", "-auto-approve"))
        wd.applied = False
        self.assertClean(names[1], vpc_id)

    def test_saved_destroy_empties_a_role_changed_after_its_refresh(self):
        # The destroy plan's refresh saw the role bare (only the VPC policy,
        # no inline one), so the destroy detaches that one and lists nothing.
        # A policy attached and an inline one put after the plan make
        # DeleteRole answer DeleteConflict; the destroy must list both, empty
        # the role and finish.
        name = L.unique("lc-bare")
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.config(vpc_id, [name])
        self.apply(wd)
        role = L.role_name(name)
        self.ok(wd.tf("plan", "-destroy", "-out=destroy.tfplan"))
        pol = self.iam.create_policy(PolicyName=name + "-theirs", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))["Policy"]["Arn"]
        self.iam.attach_role_policy(RoleName=role, PolicyArn=pol)
        self.iam.put_role_policy(RoleName=role, PolicyName="theirs-inline", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
        self.ok(wd.tf("apply", "destroy.tfplan"))
        wd.applied = False
        self.assertClean(name, vpc_id)
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.get_role(RoleName=role)
        self.iam.get_policy(PolicyArn=pol)  # detached, not deleted: it is not ours

    def test_destroy_deletes_an_inline_policy_put_by_hand(self):
        # The state has no inline policy, so the destroy neither lists nor
        # deletes one before DeleteRole; the one put by hand makes DeleteRole
        # answer DeleteConflict, and the destroy lists, deletes it, finishes.
        name = L.unique("lc-inl")
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.config(vpc_id, [name])
        self.apply(wd)
        role = L.role_name(name)
        self.iam.put_role_policy(RoleName=role, PolicyName="theirs-inline", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
        self.ok(wd.tf("destroy", "-auto-approve"))
        wd.applied = False
        self.assertClean(name, vpc_id)
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.get_role(RoleName=role)


if __name__ == "__main__":
    unittest.main(verbosity=2)
