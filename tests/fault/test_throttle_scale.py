#!/usr/bin/env python3
"""Throttling at scale (issue 12 item 5): THROTTLE_SCALE_N functions
(default 20; the issue's 50 with THROTTLE_SCALE_N=50) in one VPC, applied at
once (Terraform's default parallelism) while the proxy throttles like AWS:
above THROTTLE_RPS requests per second (default 8, bursts of 2x) a call gets
the service's throttling error -- EC2 RequestLimitExceeded (503), Lambda
TooManyRequestsException (429), IAM/STS Throttling (400). The provider's
default retries (25 attempts, adaptive client-side rate limiting shared by
the whole provider process) must absorb it: the apply succeeds in one run
with no failed resource, the plan is empty, no part is duplicated, and the
destroy (throttled too) leaves nothing.

Every function asks for logs + ssm: the VPC's shared endpoints and shared
SGs are joined by all of them at once, throttled.
"""
import os
import sys
import unittest

import fault_e2e as F

L = F.L
N = int(os.environ.get("THROTTLE_SCALE_N", "20"))
RPS = float(os.environ.get("THROTTLE_RPS", "8"))
SERVICES = ["logs", "ssm"]


class ThrottleScaleTest(F.ScenarioCase):
    prefix = "throttle"

    def test_many_functions_converge_under_throttling(self):
        fns = F.functions_map(L.unique("thr"), N, lambda i: list(SERVICES))
        self.sc.configure(L.create_vpc("10.60.0.0/16"), fns)
        self.proxy.set_rate_limit({"rps": RPS, "burst": 2 * RPS})
        r = self.sc.apply()
        self.assertIsNone(r.crashed(), str(r))
        self.assertEqual(r.rc, 0, "apply under throttling failed:\n%s" % str(r)[-4000:])
        self.assertEqual(self.sc.state_names(), sorted(fns))
        inv = F.inventory(self.sc.vpc, list(fns))
        self.assertEqual(F.duplicates(inv, fns), [])
        self.assertEqual(F.complete(inv, fns), [])
        throttled_apply = self.proxy.describe()["rate_limited"]
        calls_apply = len(self.proxy.get_log())
        self.assertGreater(throttled_apply, 0, "the provider was never throttled")
        self.assertEqual(self.sc.plan_rc(), 0, "plan after apply not empty")
        r = self.sc.destroy()
        self.assertEqual(r.rc, 0, "destroy under throttling failed:\n%s" % str(r)[-4000:])
        self.assertEqual(F.leftovers(F.inventory(self.sc.vpc, list(fns))), [])
        total = self.proxy.describe()["rate_limited"]
        line = ("throttle scale: %d functions applied at once: apply %d AWS calls, %d throttled; "
                "plan+destroy %d throttled more (above %g requests/s); converged, no failed resource" % (
                    N, calls_apply, throttled_apply, total - throttled_apply, RPS))
        sys.stderr.write(line + "\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
