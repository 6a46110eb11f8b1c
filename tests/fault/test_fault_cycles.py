#!/usr/bin/env python3
"""Fault cycles (issue 12 item 4): with a share of all AWS calls failing --
the proxy's seeded chaos mode: the service's throttling error, a 5xx, a TCP
reset before the request reaches moto, or one after moto answered it --
repeated apply -> plan -> destroy cycles converge:

  * the seed scenario (one function, 3 CIDRs, logs + ssm): FAULT_CYCLES_SEED
    cycles (default 20);
  * 10 functions in one VPC, all with logs + ssm (the VPC's shared
    endpoints and shared SGs, under faults and Terraform's parallelism):
    FAULT_CYCLES_MULTI cycles (default 5).

"Converge" means: an apply (re-run while it fails, at most FAULT_CYCLES_TRIES
times: a create whose reply was lost fails the run with RequestOutcomeUnknown
by design, and the next run adopts the object) ends with every part present
and the plan empty; a destroy (re-run the same way) leaves nothing; and after
every single run -- failed or not -- no part exists twice. The plan runs
under faults too. FAULT_RATE (default 0.10) and FAULT_SEED (default 12) set
the faults. The summary line prints the counts.
"""
import os
import sys
import unittest

import fault_e2e as F

L = F.L
RATE = float(os.environ.get("FAULT_RATE", "0.10"))
SEED = int(os.environ.get("FAULT_SEED", "12"))
TRIES = int(os.environ.get("FAULT_CYCLES_TRIES", "8"))
N_SEED = int(os.environ.get("FAULT_CYCLES_SEED", "20"))
N_MULTI = int(os.environ.get("FAULT_CYCLES_MULTI", "5"))
SUMMARY = []


class FaultCyclesTest(F.ScenarioCase):
    prefix = "cycles"

    def setUp(self):
        super().setUp()
        self.runs = {"apply": 0, "destroy": 0, "plan": 0, "failed runs": 0}

    def no_duplicates(self, when):
        inv = F.inventory(self.sc.vpc, list(self.sc.functions))
        self.assertEqual(F.duplicates(inv, self.sc.functions), [], "duplicates after %s" % when)
        return inv

    def until_ok(self, verb, cycle):
        """Runs apply/destroy until it succeeds (<= TRIES runs), checking for
        duplicates after every run."""
        last = None
        for attempt in range(1, TRIES + 1):
            r = self.sc.apply() if verb == "apply" else self.sc.destroy()
            self.runs[verb] += 1
            self.assertIsNone(r.crashed(), str(r))
            self.no_duplicates("%s run %d of cycle %d" % (verb, attempt, cycle))
            if r.rc == 0:
                return attempt
            self.runs["failed runs"] += 1
            last = r
        self.fail("%s of cycle %d did not converge in %d runs; last:\n%s" % (verb, cycle, TRIES, str(last)[-3000:]))

    def cycles(self, label, functions, n):
        self.sc.configure(L.create_vpc("10.60.0.0/16"), functions)
        self.proxy.set_chaos({"seed": SEED, "rate": RATE})
        for cycle in range(1, n + 1):
            self.until_ok("apply", cycle)
            inv = F.inventory(self.sc.vpc, list(functions))
            self.assertEqual(F.complete(inv, functions), [], "cycle %d: parts missing after apply" % cycle)
            rc = self.sc.plan_rc()
            self.runs["plan"] += 1
            self.assertEqual(rc, 0, "cycle %d: plan after apply not empty (rc %d)" % (cycle, rc))
            self.until_ok("destroy", cycle)
            self.assertEqual(F.leftovers(F.inventory(self.sc.vpc, list(functions))), [],
                             "cycle %d: left after destroy" % cycle)
        d = self.proxy.describe()
        calls = len(self.proxy.get_log())
        line = ("fault cycles %s: %d cycles converged; %d AWS calls, %d faults injected %s (rate %.2f, seed %d); "
                "runs: %d apply, %d plan, %d destroy, %d failed and re-run" % (
                    label, n, calls, sum(d["chaos_counts"].values()), d["chaos_counts"], RATE, SEED,
                    self.runs["apply"], self.runs["plan"], self.runs["destroy"], self.runs["failed runs"]))
        SUMMARY.append(line)
        sys.stderr.write(line + "\n")

    def test_seed_scenario_cycles(self):
        fns = {L.unique("cyc"): {"cidrs": ["10.60.1.0/27", "10.60.1.32/27", "10.60.1.64/27"],
                                 "services": ["logs", "ssm"], "memory": 256}}
        self.cycles("seed scenario", fns, N_SEED)

    def test_ten_functions_one_vpc_cycles(self):
        prefix = L.unique("cyc")
        fns = F.functions_map(prefix, 10, lambda i: ["logs", "ssm"])
        self.cycles("10 functions in one VPC (shared logs + ssm endpoints)", fns, N_MULTI)


def tearDownModule():
    if SUMMARY:
        sys.stderr.write("\n".join(["", "fault cycles summary:"] + SUMMARY) + "\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
