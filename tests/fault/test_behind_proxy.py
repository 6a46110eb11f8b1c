#!/usr/bin/env python3
"""The seed scenario with the real terraform behind the fault proxy in
real-AWS mode (aws_rules.py: private-DNS conflict, endpoints listed only
2 s after their create, SG DependencyViolation while in use): apply, an empty
plan, destroy, nothing left -- and the rules really acted (the proxy log
shows the new endpoints hidden from the provider's first reads). The same
mode runs any suite: tests/fault/behind_proxy.sh, or FAULT_AWS_RULES=real for
the terraform-level fault suites (README.md).
"""
import unittest

import fault_e2e as F

L = F.L


class BehindProxyTest(F.ScenarioCase):
    prefix = "behind"

    def setUp(self):
        super().setUp()
        self.proxy.set_aws_rules("real")

    def test_seed_scenario_converges_with_real_rules(self):
        name = L.unique("behind")
        fns = {name: {"cidrs": ["10.60.1.0/27", "10.60.1.32/27", "10.60.1.64/27"], "services": ["logs", "ssm"],
                      "memory": 256}}
        self.sc.configure(L.create_vpc("10.60.0.0/16"), fns)
        r = self.sc.apply()
        self.assertEqual(r.rc, 0, str(r)[-3000:])
        inv = F.inventory(self.sc.vpc, [name])
        self.assertEqual(F.duplicates(inv, fns) + F.complete(inv, fns), [])
        self.assertEqual(self.sc.plan_rc(), 0)
        hidden = [e for e in self.proxy.get_log("DescribeVpcEndpoints")
                  if e["fault"] == "aws:InvalidVpcEndpointId.NotFound"]
        self.assertTrue(hidden, "the endpoint delay never acted: %s" % self.proxy.get_log("DescribeVpcEndpoints"))
        r = self.sc.destroy()
        self.assertEqual(r.rc, 0, str(r)[-3000:])
        self.assertEqual(F.leftovers(F.inventory(self.sc.vpc, [name])), [])


    def test_endpoint_handed_to_a_leaving_function_is_moved_off(self):
        """A hand-over that raced a destroy left a shared endpoint in the
        leaving function's subnet (here: A's sqs endpoint, which B does not
        use, given B's AZ-c subnet by hand). AWS refuses that subnet's delete
        (DependencyViolation, the proxy's subnet_dependency rule); the destroy
        then moves the endpoint off (A has no subnet in that AZ: the endpoint
        keeps A's two) and finishes. Checked in moto: B is gone, the sqs
        endpoint still serves A from A's subnets only."""
        a, b = L.unique("evaca"), L.unique("evacb")
        fns = {a: {"cidrs": ["10.61.1.0/27", "10.61.1.32/27"], "services": ["logs", "sqs"], "memory": 256},
               b: {"cidrs": ["10.61.2.0/27", "10.61.2.32/27", "10.61.2.64/27"], "services": ["logs"],
                   "memory": 256}}
        self.sc.configure(L.create_vpc("10.61.0.0/16"), fns)
        r = self.sc.apply()
        self.assertEqual(r.rc, 0, str(r)[-3000:])
        ec2 = L.client("ec2")
        vf = [{"Name": "vpc-id", "Values": [self.sc.vpc]}]
        subnets = ec2.describe_subnets(Filters=vf)["Subnets"]
        owned = {fn: {s["SubnetId"]: s["AvailabilityZone"] for s in subnets
                      if L.tags_of(s.get("Tags")).get(F.OWNER) == fn} for fn in (a, b)}
        spare_az = sorted(set(owned[b].values()) - set(owned[a].values()))
        self.assertTrue(spare_az, "B has no subnet in an AZ A lacks: %s" % owned)
        b_subnet = [s for s, z in owned[b].items() if z == spare_az[0]][0]

        def sqs_endpoint():
            eps = [e for e in ec2.describe_vpc_endpoints(Filters=vf)["VpcEndpoints"]
                   if e["ServiceName"].endswith(".sqs") and e.get("State", "").lower() not in F.DEAD]
            self.assertEqual(len(eps), 1, eps)
            return eps[0]
        ep = sqs_endpoint()
        ec2.modify_vpc_endpoint(VpcEndpointId=ep["VpcEndpointId"], AddSubnetIds=[b_subnet])

        del fns[b]
        self.sc.configure(self.sc.vpc, fns)
        since = max([e["seq"] for e in self.proxy.get_log()] or [0])
        r = self.sc.apply()
        self.assertEqual(r.rc, 0, str(r)[-3000:])
        refused = [e for e in self.proxy.get_log("DeleteSubnet")
                   if e["seq"] > since and e["fault"] == "aws:DependencyViolation"]
        self.assertTrue(refused, "the subnet rule never acted: %s" % self.proxy.get_log("DeleteSubnet"))
        left = [s["SubnetId"] for s in ec2.describe_subnets(Filters=vf)["Subnets"]]
        self.assertEqual([s for s in owned[b] if s in left], [])
        self.assertEqual(sorted(sqs_endpoint()["SubnetIds"]), sorted(owned[a]))
        inv = F.inventory(self.sc.vpc, [a, b])
        self.assertEqual([k for k in ("subnets", "sgs", "route_tables", "functions", "roles") if inv[k].get(b)], [])
        self.assertEqual(F.duplicates(inv, fns) + F.complete(inv, fns), [])
        self.assertEqual(self.sc.plan_rc(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
