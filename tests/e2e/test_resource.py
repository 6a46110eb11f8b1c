"""Resource end-to-end tests: the seed scenario applied with the real terraform
against moto, checked with boto3; updates, drift repair, import, the module
example with for_each, and "nothing left" after every destroy.

On by default; E2E_RESOURCE=0 skips them (with the reason)."""

import json
import os
import unittest

import e2e_lib as L
from botocore.exceptions import ClientError

VPC_ACCESS_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
SEED_CIDRS = ["12.25.15.0/27", "12.25.15.32/27", "12.25.15.64/27"]


def _err_code(ex):
    return ex.response.get("Error", {}).get("Code", "")


@unittest.skipUnless(L.RESOURCE_ENABLED, L.RESOURCE_SKIP_REASON)
class ResourceTestCase(unittest.TestCase):
    """Helpers shared by the resource scenarios."""

    def setUp(self):
        self.ec2 = L.client("ec2")
        self.iam = L.client("iam")
        self.lam = L.client("lambda")
        self.dirs = []

    def tearDown(self):
        # Best effort: never leave a deployment behind in the shared moto.
        for wd in self.dirs:
            if getattr(wd, "applied", False):
                wd.tf("destroy", "-auto-approve")
            wd.cleanup()

    # ------------------------------------------------------------- terraform

    def workdir(self, example, **tfvars):
        wd = L.Workdir(example)
        wd.copy_example(example)
        wd.set_vars(aws_endpoint=L.moto_url(), **tfvars)
        self.dirs.append(wd)
        r = wd.tf("init")
        self.assertEqual(r.rc, 0, str(r))
        return wd

    def ok(self, r):
        marker = r.crashed()
        self.assertIsNone(marker, "crash marker %r:\n%s" % (marker, r))
        self.assertEqual(r.rc, 0, str(r))
        return r

    def apply(self, wd):
        wd.applied = True
        return self.ok(wd.tf("apply", "-auto-approve"))

    def plan_exitcode(self, wd):
        r = wd.tf("plan", "-detailed-exitcode")
        self.assertIsNone(r.crashed(), str(r))
        self.assertIn(r.rc, (0, 2), str(r))
        return r

    def assertNoChanges(self, wd, why="second plan"):
        r = self.plan_exitcode(wd)
        self.assertEqual(r.rc, 0, "%s should be empty:\n%s" % (why, r))

    def assertChanges(self, wd, why):
        r = self.plan_exitcode(wd)
        self.assertEqual(r.rc, 2, "%s: plan should show changes:\n%s" % (why, r))
        return r

    def destroy_and_check_clean(self, wd, name, outputs):
        self.ok(wd.tf("destroy", "-auto-approve"))
        wd.applied = False
        self.assertNothingLeft(name, outputs)

    # ------------------------------------------------------------- cloud checks

    def endpoints_by_id(self, ids):
        eps = self.ec2.describe_vpc_endpoints(VpcEndpointIds=list(ids))["VpcEndpoints"]
        return {e["VpcEndpointId"]: e for e in eps}

    def live_endpoints(self, vpc_id):
        eps = self.ec2.describe_vpc_endpoints(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
        return [e for e in eps if e.get("State", "").lower() not in ("deleted", "deleting")]

    def assertSeedDeployed(self, name, vpc_id, out, cidrs, services, memory, env):
        ec2 = self.ec2
        region = L.REGION
        # --- subnets: ours, in the VPC, the configured CIDRs, on our route table
        subnet_ids = out["subnet_ids"]
        self.assertEqual(len(subnet_ids), len(cidrs))
        subnets = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"]
        self.assertEqual(sorted(s["CidrBlock"] for s in subnets), sorted(cidrs))
        for s in subnets:
            self.assertEqual(s["VpcId"], vpc_id)
            self.assertEqual(L.tags_of(s.get("Tags")).get(L.OWNER_TAG), name, s)
        rt = ec2.describe_route_tables(RouteTableIds=[out["route_table_id"]])["RouteTables"][0]
        self.assertEqual(rt["VpcId"], vpc_id)
        assoc = {a.get("SubnetId") for a in rt.get("Associations", [])}
        self.assertTrue(set(subnet_ids) <= assoc, "subnets not on our route table: %s" % assoc)
        for route in rt.get("Routes", []):
            self.assertNotEqual(route.get("DestinationCidrBlock"), "0.0.0.0/0", route)
            self.assertFalse(route.get("GatewayId", "").startswith("igw-"), route)
            self.assertFalse(route.get("NatGatewayId"), route)
        self.assertEqual(L.tags_of(rt.get("Tags")).get(L.OWNER_TAG), name)

        # --- security groups: the function's own, and the VPC's two shared
        # ones (endpoints + clients), one rule each, never a per-function rule
        gateway_only = all(s in ("s3", "dynamodb") for s in services)
        lsg_id, esg_id = out["lambda_security_group_id"], out["endpoint_security_group_id"]
        lsg = ec2.describe_security_groups(GroupIds=[lsg_id])["SecurityGroups"][0]
        self.assertEqual(lsg["VpcId"], vpc_id)
        self.assertEqual(L.tags_of(lsg.get("Tags")).get(L.OWNER_TAG), name)
        for perm in lsg.get("IpPermissionsEgress", []):
            # only tcp/443 to gateway prefix lists: no CIDR, no other group
            self.assertEqual(perm.get("IpRanges", []), [], "lambda SG egress to CIDRs: %s" % perm)
            self.assertEqual(perm.get("Ipv6Ranges", []), [], "lambda SG egress to CIDRs: %s" % perm)
            self.assertEqual(perm.get("UserIdGroupPairs", []), [], "lambda SG egress to groups: %s" % perm)
            self.assertEqual(perm.get("IpProtocol"), "tcp", perm)
            self.assertEqual((perm.get("FromPort"), perm.get("ToPort")), (443, 443), perm)
        self.assertEqual(lsg.get("IpPermissions", []), [], "lambda SG admits something")
        clients_id = None
        if not gateway_only:
            shared = {g["GroupName"]: g for g in ec2.describe_security_groups(Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "group-name", "Values": ["lambdavpc-endpoints-" + vpc_id,
                                                  "lambdavpc-clients-" + vpc_id]}])["SecurityGroups"]}
            esg, csg = shared["lambdavpc-endpoints-" + vpc_id], shared["lambdavpc-clients-" + vpc_id]
            self.assertEqual(esg["GroupId"], esg_id)
            clients_id = csg["GroupId"]
            for g in (esg, csg):
                self.assertEqual(L.tags_of(g.get("Tags")).get(L.SHARED_TAG), vpc_id, g)
                self.assertIsNone(L.tags_of(g.get("Tags")).get(L.OWNER_TAG), g)
            https = [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}]

            def only_rule(perms, peer, what):
                self.assertEqual(len(perms), 1, "%s: %s" % (what, perms))
                p = perms[0]
                self.assertEqual({k: p.get(k) for k in ("IpProtocol", "FromPort", "ToPort")}, https[0], what)
                self.assertEqual(p.get("IpRanges", []) + p.get("Ipv6Ranges", []) + p.get("PrefixListIds", []),
                                 [], what)
                self.assertEqual([u["GroupId"] for u in p.get("UserIdGroupPairs", [])], [peer], what)
            only_rule(esg.get("IpPermissions", []), clients_id, "endpoint SG ingress")
            self.assertEqual(esg.get("IpPermissionsEgress", []), [], "endpoint SG egress")
            only_rule(csg.get("IpPermissionsEgress", []), esg_id, "clients SG egress")
            self.assertEqual(csg.get("IpPermissions", []), [], "clients SG ingress")

        # --- endpoints: interface ones shared by the VPC, gateway ones ours
        ep_ids = out["vpc_endpoint_ids"]
        self.assertEqual(sorted(ep_ids), sorted(services))
        eps = self.endpoints_by_id(ep_ids.values())
        for svc, eid in ep_ids.items():
            e = eps[eid]
            self.assertEqual(e["VpcId"], vpc_id)
            self.assertEqual(e["ServiceName"], "com.amazonaws.%s.%s" % (region, svc))
            self.assertNotIn(e.get("State", "").lower(), ("deleted", "deleting", "failed"))
            if svc in ("s3", "dynamodb"):
                self.assertEqual(e["VpcEndpointType"], "Gateway")
                self.assertIn(out["route_table_id"], e.get("RouteTableIds", []))
                self.assertEqual(L.tags_of(e.get("Tags")).get(L.OWNER_TAG), name)
            else:
                self.assertEqual(e["VpcEndpointType"], "Interface")
                self.assertTrue(e.get("PrivateDnsEnabled"), "%s: private DNS off" % svc)
                # moto lets a subnet holding endpoint ENIs be deleted (AWS
                # refuses: DependencyViolation) and keeps its id in the
                # endpoint: only subnets that exist are compared.
                live = [x["SubnetId"] for x in ec2.describe_subnets(
                    Filters=[{"Name": "subnet-id", "Values": e.get("SubnetIds", []) or ["none"]}])["Subnets"]]
                self.assertTrue(set(live) <= set(subnet_ids), e.get("SubnetIds"))
                self.assertTrue(live, "%s: in no subnet" % svc)
                self.assertEqual([g["GroupId"] for g in e.get("Groups", [])], [esg_id])
                self.assertEqual(L.tags_of(e.get("Tags")).get(L.SHARED_TAG), vpc_id)

        # --- role
        role = self.iam.get_role(RoleName=out["role_name"])["Role"]
        self.assertEqual(role["Arn"], out["role_arn"])
        trust = role["AssumeRolePolicyDocument"]
        if isinstance(trust, str):
            from urllib.parse import unquote
            trust = json.loads(unquote(trust))
        self.assertIn("lambda.amazonaws.com", json.dumps(trust))
        attached = [p["PolicyArn"] for p in
                    self.iam.list_attached_role_policies(RoleName=out["role_name"])["AttachedPolicies"]]
        self.assertIn(VPC_ACCESS_POLICY, attached)
        rtags = {t["Key"]: t["Value"] for t in self.iam.list_role_tags(RoleName=out["role_name"])["Tags"]}
        self.assertEqual(rtags.get(L.OWNER_TAG), name)

        # --- function
        fn = self.lam.get_function_configuration(FunctionName=name)
        self.assertEqual(fn["FunctionArn"], out["arn"])
        self.assertEqual(fn["Role"], out["role_arn"])
        self.assertEqual(fn["Runtime"], "python3.12")
        self.assertEqual(fn["Handler"], "handler.lambda_handler")
        self.assertEqual(fn["MemorySize"], memory)
        self.assertEqual(fn.get("Environment", {}).get("Variables", {}), env)
        vpc = fn.get("VpcConfig") or {}
        self.assertEqual(sorted(vpc.get("SubnetIds", [])), sorted(subnet_ids))
        self.assertEqual(sorted(vpc.get("SecurityGroupIds", [])),
                         sorted([lsg_id] + ([clients_id] if clients_id else [])))
        ftags = self.lam.list_tags(Resource=out["arn"])["Tags"]
        self.assertEqual(ftags.get(L.OWNER_TAG), name)

    def assertNothingLeft(self, name, out, vpc_id=None):
        owner = [{"Name": "tag:" + L.OWNER_TAG, "Values": [name]}]
        ec2 = self.ec2
        self.assertEqual(ec2.describe_subnets(Filters=owner)["Subnets"], [], "subnets left")
        self.assertEqual(ec2.describe_route_tables(Filters=owner)["RouteTables"], [], "route tables left")
        self.assertEqual(ec2.describe_security_groups(Filters=owner)["SecurityGroups"], [], "SGs left")
        eps = [e for e in ec2.describe_vpc_endpoints(Filters=owner)["VpcEndpoints"]
               if e.get("State", "").lower() not in ("deleted", "deleting")]
        self.assertEqual(eps, [], "endpoints left")
        if vpc_id:
            left = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
            self.assertEqual(left, [], "subnets left in the VPC")
            sgs = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
            self.assertEqual([g["GroupName"] for g in sgs], ["default"], "SGs left in the VPC")
            rts = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
            extra = [t["RouteTableId"] for t in rts
                     if not any(a.get("Main") for a in t.get("Associations", []))]
            self.assertEqual(extra, [], "route tables left in the VPC")
            self.assertEqual(self.live_endpoints(vpc_id), [], "endpoints left in the VPC")
        with self.assertRaises(ClientError, msg="role %s left" % out.get("role_name")) as cm:
            self.iam.get_role(RoleName=out["role_name"])
        self.assertEqual(_err_code(cm.exception), "NoSuchEntity")
        with self.assertRaises(ClientError, msg="function %s left" % name) as cm:
            self.lam.get_function(FunctionName=name)
        self.assertEqual(_err_code(cm.exception), "ResourceNotFoundException")


class SeedScenarioTest(ResourceTestCase):
    def deploy(self, prefix):
        name = L.unique(prefix)
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.workdir("basic", vpc_id=vpc_id, function_name=name)
        self.apply(wd)
        return name, vpc_id, wd, wd.outputs()

    def test_apply_check_replan_destroy(self):
        name, vpc_id, wd, out = self.deploy("e2e-seed")
        self.assertEqual(out["id"], name)
        self.assertSeedDeployed(name, vpc_id, out, SEED_CIDRS, ["logs", "ssm"], 256, {"STAGE": "dev"})
        self.assertEqual(out["tags_all"].get("Team"), "payments")
        self.assertNoChanges(wd)
        self.ok(wd.tf("destroy", "-auto-approve"))
        wd.applied = False
        self.assertNothingLeft(name, out, vpc_id)

    def test_update_in_place(self):
        name, vpc_id, wd, out = self.deploy("e2e-upd")
        cidrs = ["12.25.15.0/27", "12.25.15.32/27", "12.25.15.96/27"]
        wd.set_vars(aws_endpoint=L.moto_url(), vpc_id=vpc_id, function_name=name,
                    memory_size=512, environment={"STAGE": "prod", "MODE": "x"},
                    subnet_cidr_blocks=cidrs, endpoint_services=["logs", "sqs"])
        r = self.assertChanges(wd, "update")
        self.assertIn("Plan: 0 to add, 1 to change, 0 to destroy.", r.output)
        self.assertNotIn("must be replaced", r.output)
        self.apply(wd)
        out2 = wd.outputs()
        self.assertEqual(out2["arn"], out["arn"])
        self.assertEqual(out2["role_name"], out["role_name"])
        self.assertSeedDeployed(name, vpc_id, out2, cidrs, ["logs", "sqs"], 512,
                                {"STAGE": "prod", "MODE": "x"})
        # The ssm endpoint and the 12.25.15.64/27 subnet are gone from AWS.
        self.assertEqual(
            [e for e in self.live_endpoints(vpc_id) if e["ServiceName"].endswith(".ssm")], [])
        left = self.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
        self.assertEqual(sorted(s["CidrBlock"] for s in left), sorted(cidrs))
        self.assertNoChanges(wd, "plan after update")
        self.destroy_and_check_clean(wd, name, out2)

    def test_drift_detected_and_repaired(self):
        name, vpc_id, wd, out = self.deploy("e2e-drift")
        lsg = out["lambda_security_group_id"]

        def delete_endpoint():
            self.ec2.delete_vpc_endpoints(VpcEndpointIds=[wd.outputs()["vpc_endpoint_ids"]["ssm"]])

        def open_egress():
            self.ec2.authorize_security_group_egress(
                GroupId=lsg, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])

        def detach_policy():
            self.iam.detach_role_policy(RoleName=out["role_name"], PolicyArn=VPC_ACCESS_POLICY)

        def change_memory():
            self.lam.update_function_configuration(FunctionName=name, MemorySize=1024)

        def delete_subnet():
            self.ec2.delete_subnet(SubnetId=wd.outputs()["subnet_ids"][0])

        for kind, drift in [("endpoint deleted", delete_endpoint), ("0.0.0.0/0 egress", open_egress),
                            ("policy detached", detach_policy), ("memory changed", change_memory),
                            ("subnet deleted", delete_subnet)]:
            with self.subTest(drift=kind):
                drift()
                self.assertChanges(wd, kind)
                self.apply(wd)
                self.assertNoChanges(wd, "plan after repairing " + kind)
                self.assertSeedDeployed(name, vpc_id, wd.outputs(), SEED_CIDRS, ["logs", "ssm"], 256,
                                        {"STAGE": "dev"})
        out = wd.outputs()
        self.destroy_and_check_clean(wd, name, out)

    def test_import_round_trip(self):
        name, vpc_id, wd, out = self.deploy("e2e-imp")
        wd2 = self.workdir("basic", vpc_id=vpc_id, function_name=name)
        self.ok(wd2.tf("import", "lambdavpc_secure_function.app", name))
        self.assertNoChanges(wd2, "plan after import")
        self.assertEqual(wd2.tf("state", "show", "-no-color", "lambdavpc_secure_function.app").rc, 0)
        # Destroy from the importing directory: it owns everything now.
        wd2.applied = True
        self.ok(wd2.tf("destroy", "-auto-approve"))
        wd2.applied = False
        wd.applied = False
        self.assertNothingLeft(name, out, vpc_id)


class OwnershipTest(ResourceTestCase):
    """DESIGN.md "State, ownership, crash safety"."""

    def owned(self, name, vpc_id):
        """Objects of the function (ownership tag) and the VPC's shared ones."""
        owner = [{"Name": "tag:" + L.OWNER_TAG, "Values": [name]}]
        shared = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "tag:" + L.SHARED_TAG, "Values": [vpc_id]}]
        eps = [e for e in self.ec2.describe_vpc_endpoints(Filters=shared)["VpcEndpoints"]
               if e.get("State", "").lower() not in ("deleted", "deleting")]
        return {
            "subnets": len(self.ec2.describe_subnets(Filters=owner)["Subnets"]),
            "route_tables": len(self.ec2.describe_route_tables(Filters=owner)["RouteTables"]),
            "security_groups": len(self.ec2.describe_security_groups(Filters=owner)["SecurityGroups"]),
            "shared_security_groups": len(self.ec2.describe_security_groups(Filters=shared)["SecurityGroups"]),
            "endpoints": len(eps),
        }

    def deploy_seed(self, prefix):
        """Applies examples/basic in a fresh VPC; returns (name, vpc_id,
        workdir, outputs, owned-object counts) after checking the counts."""
        name = L.unique(prefix)
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.workdir("basic", vpc_id=vpc_id, function_name=name)
        self.apply(wd)
        first = wd.outputs()
        before = self.owned(name, vpc_id)
        self.assertEqual(before, {"subnets": 3, "route_tables": 1, "security_groups": 1,
                                  "shared_security_groups": 2, "endpoints": 2})
        return name, vpc_id, wd, first, before

    def test_lost_state_is_adopted_not_duplicated(self):
        name, vpc_id, wd, first, before = self.deploy_seed("e2e-adopt")
        os.remove(os.path.join(wd.path, "terraform.tfstate"))
        self.apply(wd)
        second = wd.outputs()
        self.assertEqual(self.owned(name, vpc_id), before, "a second apply without state duplicated objects")
        for k in ("arn", "role_name", "route_table_id", "lambda_security_group_id",
                  "endpoint_security_group_id", "vpc_endpoint_ids"):
            self.assertEqual(second[k], first[k], k)
        self.assertEqual(sorted(second["subnet_ids"]), sorted(first["subnet_ids"]))
        self.assertNoChanges(wd, "plan after adoption")
        self.destroy_and_check_clean(wd, name, second)

    def owned_roles(self, name):
        """Names of the IAM roles tagged as ours for function NAME."""
        roles = [r["RoleName"] for page in self.iam.get_paginator("list_roles").paginate()
                 for r in page["Roles"]]
        return sorted(r for r in roles if L.OWNER_TAG + "=" + name in
                      ("%s=%s" % (t["Key"], t["Value"])
                       for t in self.iam.list_role_tags(RoleName=r)["Tags"]))

    def test_function_deleted_out_of_band_is_recreated_in_place(self):
        name, vpc_id, wd, first, before = self.deploy_seed("e2e-fngone")
        self.assertEqual(self.owned_roles(name), [first["role_name"]])
        role_id = self.iam.get_role(RoleName=first["role_name"])["Role"]["RoleId"]

        # The function is gone but the bundle's other parts exist: the
        # resource stays in the state, the missing function is a difference.
        self.lam.delete_function(FunctionName=name)
        r = self.assertChanges(wd, "function deleted out of band")
        self.assertIn("will be updated in-place", r.output)
        self.ok(wd.tf("apply", "-refresh-only", "-auto-approve"))
        listed = self.ok(wd.tf("state", "list")).stdout
        self.assertIn("lambdavpc_secure_function.app", listed)

        # Apply recreates the function and keeps every other part.
        self.apply(wd)
        second = wd.outputs()
        self.assertEqual(self.owned(name, vpc_id), before, "apply after the function was lost duplicated objects")
        self.assertEqual(self.owned_roles(name), [first["role_name"]], "role duplicated")
        for k in ("role_name", "role_arn", "route_table_id", "lambda_security_group_id",
                  "endpoint_security_group_id", "vpc_endpoint_ids"):
            self.assertEqual(second[k], first[k], k)
        self.assertEqual(sorted(second["subnet_ids"]), sorted(first["subnet_ids"]))
        self.assertEqual(self.iam.get_role(RoleName=first["role_name"])["Role"]["RoleId"], role_id,
                         "the role was recreated, not kept")
        # A new function, in the same subnets (with the full seed checks).
        self.assertSeedDeployed(name, vpc_id, second, SEED_CIDRS, ["logs", "ssm"], 256, {"STAGE": "dev"})
        self.assertNoChanges(wd, "plan after adoption")
        self.destroy_and_check_clean(wd, name, second)

    def test_existing_endpoint_reused_and_kept(self):
        name = L.unique("e2e-reuse")
        vpc_id = L.create_vpc("12.25.15.0/25")
        # The user's own logs endpoint, in a subnet of their own.
        sub = self.ec2.create_subnet(VpcId=vpc_id, CidrBlock="12.25.15.96/27",
                                     AvailabilityZone="us-east-2a")["Subnet"]["SubnetId"]
        theirs = self.ec2.create_vpc_endpoint(
            VpcId=vpc_id, ServiceName="com.amazonaws.%s.logs" % L.REGION,
            VpcEndpointType="Interface", SubnetIds=[sub],
            PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
        wd = self.workdir("basic", vpc_id=vpc_id, function_name=name)
        self.apply(wd)
        out = wd.outputs()
        self.assertEqual(out["vpc_endpoint_ids"]["logs"], theirs, "the existing logs endpoint is reused")
        self.assertNotEqual(out["vpc_endpoint_ids"]["ssm"], theirs)
        self.assertNoChanges(wd)
        self.ok(wd.tf("destroy", "-auto-approve"))
        wd.applied = False
        live = {e["VpcEndpointId"] for e in self.live_endpoints(vpc_id)}
        self.assertEqual(live, {theirs}, "ours deleted, the user's endpoint kept")
        self.assertEqual(len(self.ec2.describe_subnets(SubnetIds=[sub])["Subnets"]), 1)
        with self.assertRaises(ClientError):
            self.lam.get_function(FunctionName=name)

    def test_function_name_change_replaces_and_cleans_up(self):
        name = L.unique("e2e-repl")
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.workdir("basic", vpc_id=vpc_id, function_name=name)
        self.apply(wd)
        old = wd.outputs()
        new_name = name + "-b"
        wd.set_vars(aws_endpoint=L.moto_url(), vpc_id=vpc_id, function_name=new_name)
        r = self.assertChanges(wd, "rename")
        self.assertIn("must be replaced", r.output)
        self.apply(wd)
        new = wd.outputs()
        self.assertEqual(new["id"], new_name)
        self.assertSeedDeployed(new_name, vpc_id, new, SEED_CIDRS, ["logs", "ssm"], 256, {"STAGE": "dev"})
        self.assertNothingLeft(name, old)
        self.destroy_and_check_clean(wd, new_name, new)


class OptionsTest(ResourceTestCase):
    def test_default_tags_egress_rules_policies(self):
        name = L.unique("e2e-opt")
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.workdir("basic", vpc_id=vpc_id, function_name=name,
                          endpoint_services=["logs", "s3"])
        with open(os.path.join(wd.path, "main.tf")) as f:
            tf = f.read()
        tf = tf.replace("  endpoints {", '  default_tags {\n    tags = { Env = "e2e" }\n  }\n\n  endpoints {', 1)
        tf = tf.replace('  tags             = { Team = "payments" }',
                        '  tags             = { Team = "payments" }\n'
                        '  egress_rules = [{\n'
                        '    description = "postgres"\n'
                        '    protocol    = "tcp"\n'
                        '    from_port   = 5432\n'
                        '    to_port     = 5432\n'
                        '    cidr_blocks = ["10.20.0.0/16"]\n'
                        '  }]\n'
                        '  policy_arns = ["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"]\n'
                        '  inline_policy = jsonencode({\n'
                        '    Version = "2012-10-17"\n'
                        '    Statement = [{ Effect = "Allow", Action = ["ssm:GetParameter"], Resource = "*" }]\n'
                        '  })', 1)
        wd.write("main.tf", tf)
        self.apply(wd)
        out = wd.outputs()
        self.assertEqual(out["tags_all"], {"Team": "payments", "Env": "e2e"})
        # default tags reach the AWS objects
        sn = self.ec2.describe_subnets(SubnetIds=out["subnet_ids"][:1])["Subnets"][0]
        self.assertEqual(L.tags_of(sn["Tags"]).get("Env"), "e2e")
        self.assertEqual(self.lam.list_tags(Resource=out["arn"])["Tags"].get("Env"), "e2e")
        # user egress rule on the lambda SG, next to the endpoint rule; s3 prefix list
        lsg = self.ec2.describe_security_groups(
            GroupIds=[out["lambda_security_group_id"]])["SecurityGroups"][0]
        eg = lsg["IpPermissionsEgress"]
        pg = [p for p in eg if p.get("FromPort") == 5432]
        self.assertEqual(len(pg), 1, eg)
        self.assertEqual([r["CidrIp"] for r in pg[0]["IpRanges"]], ["10.20.0.0/16"])
        self.assertEqual([r for p in eg for r in p.get("IpRanges", []) if r["CidrIp"] == "0.0.0.0/0"], [])
        s3 = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[out["vpc_endpoint_ids"]["s3"]])["VpcEndpoints"][0]
        self.assertEqual(s3["VpcEndpointType"], "Gateway")
        self.assertIn(out["route_table_id"], s3["RouteTableIds"])
        # role: managed VPC policy + the user's policy + the inline policy
        attached = {p["PolicyArn"] for p in self.iam.list_attached_role_policies(
            RoleName=out["role_name"])["AttachedPolicies"]}
        self.assertEqual(attached, {VPC_ACCESS_POLICY, "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"})
        self.assertEqual(self.iam.list_role_policies(RoleName=out["role_name"])["PolicyNames"],
                         ["lambdavpc-inline"])
        self.assertNoChanges(wd)
        # the inline policy deleted behind our back is drift: planned, put back
        self.iam.delete_role_policy(RoleName=out["role_name"], PolicyName="lambdavpc-inline")
        r = wd.tf("plan", "-detailed-exitcode")
        self.assertEqual(r.rc, 2, "the deleted inline policy should plan a change:\n%s" % r)
        self.apply(wd)
        self.assertEqual(self.iam.list_role_policies(RoleName=out["role_name"])["PolicyNames"],
                         ["lambdavpc-inline"])
        self.assertNoChanges(wd, "plan after the inline policy was put back")
        # inline_policy dropped from the config: the policy leaves the role
        start = tf.index("  inline_policy = jsonencode({")
        wd.write("main.tf", tf[:start] + tf[tf.index("  })", start) + len("  })"):])
        self.apply(wd)
        self.assertEqual(self.iam.list_role_policies(RoleName=out["role_name"])["PolicyNames"], [])
        self.assertNoChanges(wd, "plan without inline_policy")
        self.destroy_and_check_clean(wd, name, out)


class PlanTimeChecksTest(ResourceTestCase):
    """Inputs that need the account: certain failures fail the plan; what the same
    apply could fix warns at plan and fails the apply; nothing is created."""

    def plan_fails_naming(self, wd, attrs, why):
        r = wd.tf("plan")
        self.assertIsNone(r.crashed(), str(r))
        self.assertNotEqual(r.rc, 0, "%s: plan should fail:\n%s" % (why, r))
        self.assertTrue(any(a in r.output for a in attrs), "%s: none of %s named:\n%s" % (why, attrs, r))
        self.assertNotIn("Not implemented", r.output)

    def plan_warns_apply_fails(self, wd, attrs, why):
        """What another resource of the same apply could fix: a plan warning
        naming the attribute, then an apply error before anything is created."""
        r = wd.tf("plan")
        self.assertIsNone(r.crashed(), str(r))
        self.assertEqual(r.rc, 0, "%s: plan should only warn:\n%s" % (why, r))
        self.assertIn("Warning:", r.output)
        self.assertTrue(any(a in r.output for a in attrs), "%s: none of %s named:\n%s" % (why, attrs, r))
        r = wd.tf("apply", "-auto-approve")
        self.assertIsNone(r.crashed(), str(r))
        self.assertNotEqual(r.rc, 0, "%s: apply should fail:\n%s" % (why, r))
        self.assertTrue(any(a in r.output for a in attrs), "%s: none of %s named:\n%s" % (why, attrs, r))

    def test_account_dependent_inputs(self):
        name = L.unique("e2e-plan")
        vpc_id = L.create_vpc("12.25.15.0/25")
        # A subnet the user already has in the VPC.
        self.ec2.create_subnet(VpcId=vpc_id, CidrBlock="12.25.15.96/27", AvailabilityZone="us-east-2a")
        wd = self.workdir("basic", vpc_id=vpc_id, function_name=name)
        with self.subTest(case="CIDR already used in the VPC"):
            wd.set_vars(aws_endpoint=L.moto_url(), vpc_id=vpc_id, function_name=name,
                        subnet_cidr_blocks=["12.25.15.0/27", "12.25.15.96/27"])
            self.plan_fails_naming(wd, ["subnet_cidr_blocks"], "CIDR in use")
        # A secondary CIDR block or the VPC's DNS attributes may be set by another
        # resource of the same apply: plan warns, apply fails before creating.
        with self.subTest(case="CIDR outside the VPC"):
            wd.set_vars(aws_endpoint=L.moto_url(), vpc_id=vpc_id, function_name=name,
                        subnet_cidr_blocks=["12.25.15.0/27", "12.25.16.0/27"])
            self.plan_warns_apply_fails(wd, ["subnet_cidr_blocks"], "CIDR outside")
        no_dns = L.create_vpc("12.25.15.0/25", dns=False)
        with self.subTest(case="VPC without DNS hostnames, private DNS on"):
            wd.set_vars(aws_endpoint=L.moto_url(), vpc_id=no_dns, function_name=name)
            self.plan_warns_apply_fails(wd, ["private_dns_enabled"], "no DNS")
        with self.subTest(case="VPC that does not exist"):
            wd.set_vars(aws_endpoint=L.moto_url(), vpc_id="vpc-0000000000000dead", function_name=name)
            self.plan_fails_naming(wd, ["vpc_id"], "missing VPC")
        # Failed plans create nothing.
        self.assertEqual(self.ec2.describe_subnets(
            Filters=[{"Name": "tag:" + L.OWNER_TAG, "Values": [name]}])["Subnets"], [])
        with self.assertRaises(ClientError):
            self.lam.get_function(FunctionName=name)


class ModuleForEachTest(ResourceTestCase):
    def test_three_functions_one_vpc(self):
        prefix = L.unique("e2e-mod")
        vpc_id = L.create_vpc("10.77.0.0/16")
        wd = self.workdir("module", vpc_id=vpc_id, name_prefix=prefix)
        self.apply(wd)
        funcs = wd.outputs()["functions"]
        self.assertEqual(sorted(funcs), ["api", "report", "worker"])
        sgs = set()
        clients = "lambdavpc-clients-" + vpc_id
        clients_id = self.ec2.describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": [clients]}])["SecurityGroups"][0]["GroupId"]
        for key, f in funcs.items():
            name = "%s-%s" % (prefix, key)
            cfg = self.lam.get_function_configuration(FunctionName=name)
            self.assertEqual(sorted(cfg["VpcConfig"]["SubnetIds"]), sorted(f["subnet_ids"]))
            # its own SG + the VPC's shared clients SG
            self.assertEqual(sorted(cfg["VpcConfig"]["SecurityGroupIds"]),
                             sorted([f["lambda_security_group_id"], clients_id]))
            subnets = self.ec2.describe_subnets(SubnetIds=f["subnet_ids"])["Subnets"]
            self.assertTrue(all(s["VpcId"] == vpc_id for s in subnets))
            sgs.add(f["lambda_security_group_id"])
        self.assertEqual(len(sgs), 3, "each function has its own lambda SG")
        # the same services for every function: one shared endpoint per service
        ids = {k: f["vpc_endpoint_ids"] for k, f in funcs.items()}
        self.assertEqual(ids["api"], ids["worker"])
        self.assertEqual(ids["api"], ids["report"])
        self.assertEqual(sorted(ids["api"]), ["logs", "ssm"])
        self.assertEqual(len({f["endpoint_security_group_id"] for f in funcs.values()}), 1)
        api_tags = self.lam.list_tags(Resource=funcs["api"]["arn"])["Tags"]
        self.assertEqual((api_tags.get("Function"), api_tags.get("ManagedBy")), ("api", "examples/module"))
        self.assertNoChanges(wd)
        self.ok(wd.tf("destroy", "-auto-approve"))
        wd.applied = False
        for key, f in funcs.items():
            self.assertNothingLeft("%s-%s" % (prefix, key), f)
        self.assertNothingLeft("%s-api" % prefix, funcs["api"], vpc_id)


class _ForwardProxy:
    """A plain-http forward proxy on 127.0.0.1 that records each request's
    line and Proxy-Authorization header and relays it to the origin."""

    def __init__(self):
        import http.client
        import http.server
        import threading

        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def relay(self):
                from urllib.parse import urlsplit
                seen.append((self.command, self.path, self.headers.get("Proxy-Authorization")))
                u = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hdrs = {k: v for k, v in self.headers.items()
                        if k.lower() not in ("proxy-authorization", "proxy-connection", "connection")}
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
                conn.request(self.command, (u.path or "/") + ("?" + u.query if u.query else ""),
                             body=body or None, headers=hdrs)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = relay

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class ProxyTest(ResourceTestCase):
    """The provider reaches AWS through the http proxy the environment names
    (our own HTTP client reads http_proxy / no_proxy as curl did)."""

    def test_apply_plan_destroy_through_http_proxy(self):
        proxy = _ForwardProxy()
        self.addCleanup(proxy.close)
        user_pass = "http://u:p%40ss@" + proxy.url[len("http://"):]
        via = {"http_proxy": user_pass, "no_proxy": "", "NO_PROXY": "", "all_proxy": "",
               "ALL_PROXY": "", "https_proxy": "", "HTTPS_PROXY": ""}
        name = L.unique("e2e-proxy")
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.workdir("basic", vpc_id=vpc_id, function_name=name)
        wd.applied = True
        self.ok(wd.tf("apply", "-auto-approve", env=via))
        out = wd.outputs()
        self.assertSeedDeployed(name, vpc_id, out, SEED_CIDRS, ["logs", "ssm"], 256, {"STAGE": "dev"})
        # every AWS call went through the proxy, in absolute form, with the
        # credentials of the URL ("u:p@ss")
        origin = L.moto_url().rstrip("/")
        self.assertGreater(len(proxy.seen), 10)
        for method, target, auth in proxy.seen:
            self.assertTrue(target.startswith(origin + "/"), target)
            self.assertEqual(auth, "Basic dTpwQHNz")
        self.assertIn("POST", {m for m, _, _ in proxy.seen})
        # no_proxy naming the endpoint's host: direct, the proxy sees nothing
        before = len(proxy.seen)
        direct = dict(via, no_proxy="127.0.0.1")
        r = self.plan_exitcode_env(wd, direct)
        self.assertEqual(r.rc, 0, "plan after apply should be empty:\n%s" % r)
        self.assertEqual(len(proxy.seen), before)
        self.ok(wd.tf("destroy", "-auto-approve", env=via))
        wd.applied = False
        self.assertGreater(len(proxy.seen), before)
        self.assertNothingLeft(name, out, vpc_id)

    def plan_exitcode_env(self, wd, env):
        r = wd.tf("plan", "-detailed-exitcode", env=env)
        self.assertIsNone(r.crashed(), str(r))
        return r


if __name__ == "__main__":
    unittest.main()
