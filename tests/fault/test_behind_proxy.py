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


if __name__ == "__main__":
    unittest.main(verbosity=2)
