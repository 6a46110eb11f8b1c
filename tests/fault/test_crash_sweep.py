#!/usr/bin/env python3
"""Crash sweep (issue 12 item 3): the provider is killed (SIGKILL) right
after the k-th mutating AWS call of a create, of an in-place update (memory
+ a CIDR + a service) and of a destroy, for every k. The in-process fault
proxy counts the mutating calls; after moto has answered the k-th one it
kills the provider and resets the connection (so the provider never sees
the answer), and drops every later request of that run. Then the next apply
(or destroy) must converge: empty plan, no duplicate (boto3 against moto),
and after a final destroy nothing is left.

Knobs: CRASH_SWEEP_STRIDE=N (every N-th kill point; default 1 = all),
CRASH_SWEEP_PHASES=create,update,destroy (default all three).

Every kill point must converge; there is no expected-failure list. (A
destroy killed after DeleteFunction used to leak the other parts because
refresh dropped the resource once the function was gone: issue 8 item 3,
fixed by keeping the resource while any owned part exists.)
"""
import os
import signal
import sys
import threading
import traceback
import unittest

import fault_e2e as F

L = F.L
STRIDE = max(1, int(os.environ.get("CRASH_SWEEP_STRIDE", "1")))
PHASES = [p for p in os.environ.get("CRASH_SWEEP_PHASES", "create,update,destroy").split(",") if p]

BASE = {"cidrs": ["10.60.1.0/27", "10.60.1.32/27", "10.60.1.64/27"], "services": ["logs", "ssm"], "memory": 256}
UPDATED = {"cidrs": BASE["cidrs"] + ["10.60.1.96/27"], "services": ["logs", "ssm", "kms"], "memory": 512}
SUMMARY = []


class Killer:
    """Proxy hooks: count mutating calls answered by moto; at the k-th,
    SIGKILL the provider working in `cwd` and cut everything after it."""

    def __init__(self, proxy, cwd):
        self.proxy, self.cwd = proxy, cwd
        self.lock = threading.Lock()
        proxy.on_answered = self.answered
        proxy.on_request = self.request
        self.arm(None)

    def arm(self, k):
        with self.lock:
            self.k, self.count, self.killed, self.calls = k, 0, None, []

    def request(self, req):
        with self.lock:
            return self.killed is not None

    def answered(self, entry, req):
        if not F.is_mutating(req["action"]):
            return False
        with self.lock:
            if self.killed is not None:
                return True
            self.count += 1
            self.calls.append(req["action"])
            if self.k is None or self.count != self.k:
                return False
            pids = L.provider_pids(self.cwd)
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.killed = (req["action"], pids)
            return True


class CrashSweepTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.proxy = F.start_proxy()
        cls.sc = F.Scenario(cls.proxy.url, "crash")
        cls.sc.init()
        cls.killer = Killer(cls.proxy, cls.sc.wd.path)

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.sc.cleanup()

    def fresh(self, spec):
        self.sc.forget_state()
        self.name = L.unique("crash")
        self.sc.configure(L.create_vpc("10.60.0.0/16"), {self.name: dict(spec)})

    def ok(self, r, what):
        if r.rc != 0 or r.crashed():
            raise AssertionError("%s failed (rc %d):\n%s" % (what, r.rc, str(r)[-3000:]))

    def converge(self, spec):
        """The next apply converges; returns problems ([] = fine)."""
        self.sc.configure(self.sc.vpc, {self.name: dict(spec)})
        r = self.sc.apply()
        if r.rc != 0:
            return ["recovery apply failed: %s" % str(r)[-1500:]]
        if self.sc.plan_rc() != 0:
            return ["plan after the recovery apply is not empty"]
        inv = F.inventory(self.sc.vpc, [self.name])
        return F.duplicates(inv, self.sc.functions) + F.complete(inv, self.sc.functions)

    def destroyed(self):
        r = self.sc.destroy()
        if r.rc != 0:
            return ["final destroy failed: %s" % str(r)[-1500:]]
        return F.leftovers(F.inventory(self.sc.vpc, [self.name]))

    # -- one kill point per phase --
    def point(self, phase, k):
        """(killed call or None, calls counted, problems) of kill point k."""
        self.fresh(BASE)
        if phase in ("update", "destroy"):
            self.ok(self.sc.apply(), "setup apply")
        if phase == "update":
            self.sc.configure(self.sc.vpc, {self.name: dict(UPDATED)})
        self.killer.arm(k)
        r = self.sc.destroy() if phase == "destroy" else self.sc.apply()
        killed, calls = self.killer.killed, list(self.killer.calls)
        self.killer.arm(None)
        if killed is None and r.rc != 0:
            return None, calls, ["run without a kill failed: %s" % str(r)[-1500:]]
        if killed is not None and r.rc == 0:
            return killed, calls, ["terraform reported success although the provider was killed"]
        problems = []
        if phase != "destroy":
            problems = self.converge(UPDATED if phase == "update" else BASE)
        problems += self.destroyed()
        return killed, calls, problems

    def sweep(self, phase):
        if phase not in PHASES:
            self.skipTest("phase %s not in CRASH_SWEEP_PHASES" % phase)
        _, calls, problems = self.point(phase, None)
        self.assertEqual(problems, [], "the %s without a kill does not converge" % phase)
        n = len(calls)
        self.assertGreater(n, 0)
        failed, points, after_delete = [], 0, 0
        for k in range(1, n + 1, STRIDE):
            points += 1
            try:
                killed, seen, problems = self.point(phase, k)
            except Exception:  # noqa: BLE001 - one broken point must not hide the others
                self.killer.arm(None)
                killed, seen, problems = None, [], ["exception: " + traceback.format_exc()[-1500:]]
            after_delete += "DeleteFunction" in seen
            tag = "k=%d/%d (%s)" % (k, n, killed[0] if killed else "not reached")
            sys.stderr.write("  %s %s: %s\n" % (phase, tag, "; ".join(problems)[:300] or "converged"))
            if problems:
                failed.append("%s: %s" % (tag, "; ".join(problems)[:2000]))
        line = "crash sweep %s: %d mutating calls, %d kill points, %d failed" % (phase, n, points, len(failed))
        if phase == "destroy":
            line += " (%d of them after DeleteFunction)" % after_delete
        SUMMARY.append(line)
        sys.stderr.write(line + "\n")
        self.assertEqual(failed, [], "kill points that did not converge:\n" + "\n".join(failed))

    def test_1_create(self):
        self.sweep("create")

    def test_2_update(self):
        self.sweep("update")

    def test_3_destroy(self):
        self.sweep("destroy")


def tearDownModule():
    if SUMMARY:
        sys.stderr.write("\n".join(["", "crash sweep summary (stride %d):" % STRIDE] + SUMMARY) + "\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
