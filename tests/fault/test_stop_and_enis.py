#!/usr/bin/env python3
"""Two promises of DESIGN.md that moto alone cannot show, checked with the
real terraform + the plugin from build/mirror behind tests/fault/proxy.py:

  * "StopProvider cancels in-flight waits and retries promptly" (PROTOCOL.md
    1.12: the first Ctrl-C makes terraform call StopProvider; the plugin
    ignores SIGINT). An apply is held in a wait -- Lambda GetFunction
    rewritten to State=Pending for ever, or a GetFunction request the proxy
    holds for 120 s -- then terraform gets SIGINT (alone, or with the whole
    process group like a terminal Ctrl-C). terraform must exit well before
    the wait would end, say the operation was cancelled, leave no plugin
    process, record the partial state (ids that exist in moto), and the
    next apply + destroy must converge.
  * Destroy order "... wait until no Lambda hyperplane ENI uses the
    SGs/subnets -> SGs -> subnets ...; no DependencyViolation reaches the
    user unless the delete timeout expires". The proxy invents a Lambda ENI
    (interfaceType lambda, in our first subnet and the Lambda SG) in its
    DescribeNetworkInterfaces answers and refuses DeleteSecurityGroup /
    DeleteSubnet with DependencyViolation while the ENI "exists":
      - in-use, then available (the provider deletes it): destroy succeeds,
        SG/subnet deletes come after the ENI is gone;
      - in-use, then gone by itself: the same;
      - in-use for ever with timeouts { delete = "10s" }: destroy fails in
        bounded time naming the network interfaces, the state keeps the
        resource, and a destroy without faults then succeeds.

Gated like test_resource_faults.py (skipped when E2E_RESOURCE=0); needs
`make mirror` (tests/fault/run.sh runs it).
Run: E2E_RESOURCE=1 python3 tests/fault/test_stop_and_enis.py [-k eni]
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import e2e_lib as L  # noqa: E402
import test_resource_faults as R  # noqa: E402  (proxy process + control helpers)

# Hang checks, not benchmarks: the waits we interrupt would last minutes.
STOP_BOUND_S = 30        # SIGINT -> terraform exited
WAIT_START_S = 300       # apply start -> the wait is visible in the proxy log
PENDING = {"State": "Pending", "StateReasonCode": "Creating", "StateReason": "The function is being created."}
HOLD_S = 120             # how long the proxy holds a request in the delay variant
TIMEOUT_FAIL_BOUND_S = 120  # destroy with delete = "10s" must fail within this

FAKE_ENI = "eni-0fa4e1c0ffee5eed1"
CANCEL_TEXT = "cancelled"


def setUpModule():
    R.setUpModule()


def tearDownModule():
    R.tearDownModule()


def eni_xml(eni_id, subnet_id, sg_id, vpc_id, fn, status):
    """A DescribeNetworkInterfaces reply (moto's shape, AWS's field values
    for a Lambda hyperplane ENI, AWS.md 3.6) listing one ENI."""
    attachment = ""
    if status == "in-use":
        attachment = ("<attachment><attachmentId>ela-attach-0a1b2c3d4e5f60718</attachmentId>"
                      "<deleteOnTermination>false</deleteOnTermination><deviceIndex>1</deviceIndex>"
                      "<instanceOwnerId>amazon-aws</instanceOwnerId><status>attached</status>"
                      "</attachment>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15">'
            '<requestId>5e1f0000-0000-4000-8000-00000000e0e1</requestId><networkInterfaceSet><item>'
            '%s<availabilityZone>us-east-2a</availabilityZone>'
            '<description>AWS Lambda VPC ENI-%s-2f1e4a8c-9d1b-4c3e-8f7a-6b5d4c3b2a19</description>'
            '<groupSet><item><groupId>%s</groupId><groupName>lambda</groupName></item></groupSet>'
            '<interfaceType>lambda</interfaceType><ipv6AddressesSet/><macAddress>02:00:00:aa:bb:cc</macAddress>'
            '<networkInterfaceId>%s</networkInterfaceId><ownerId>123456789012</ownerId>'
            '<privateIpAddress>12.25.15.10</privateIpAddress><privateIpAddressesSet><item><primary>true</primary>'
            '<privateIpAddress>12.25.15.10</privateIpAddress></item></privateIpAddressesSet>'
            '<requesterId>AROAEXAMPLEEXAMPLE1:%s</requesterId><requesterManaged>true</requesterManaged>'
            '<sourceDestCheck>true</sourceDestCheck><status>%s</status><subnetId>%s</subnetId><tagSet/>'
            '<vpcId>%s</vpcId></item></networkInterfaceSet></DescribeNetworkInterfacesResponse>'
            % (attachment, fn, sg_id, eni_id, fn, status, subnet_id, vpc_id))


def ok_reply(op):
    return {"status": 200, "content_type": "text/xml;charset=UTF-8",
            "body": '<?xml version="1.0" encoding="utf-8"?>\n<%sResponse xmlns="http://ec2.amazonaws.com/doc/'
                    '2016-11-15"><requestId>5e1f0000-0000-4000-8000-00000000e0e2</requestId><return>true'
                    '</return></%sResponse>' % (op, op)}


def dependency_violation(what):
    return {"status": 400, "code": "DependencyViolation",
            "message": "%s has a dependent object (injected: %s is in use)" % (what, FAKE_ENI)}


@unittest.skipUnless(L.RESOURCE_ENABLED, L.RESOURCE_SKIP_REASON)
class StopAndEniTest(unittest.TestCase):
    maxDiff = None

    # the setup / teardown / assertion helpers of test_resource_faults.py
    setUp = R.ResourceFaultTest.setUp
    tearDown = R.ResourceFaultTest.tearDown
    deploy_dir = R.ResourceFaultTest.deploy_dir
    ok = R.ResourceFaultTest.ok
    apply = R.ResourceFaultTest.apply
    destroy = R.ResourceFaultTest.destroy
    plan_rc = R.ResourceFaultTest.plan_rc
    assert_nothing_left = R.ResourceFaultTest.assert_nothing_left

    # ------------------------------------------------------------ helpers

    def wait_for_log(self, pred, timeout, what, proc=None):
        """Polls the proxy log until pred(log) is true; fails after timeout
        (or when proc ended first)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred(R.log()):
                return
            if proc is not None and proc.poll() is not None:
                self.fail("terraform ended (rc %s) before %s:\n%s" % (proc.returncode, what, self.read_out()))
            time.sleep(0.25)
        self.fail("timed out after %ss waiting for %s; proxy log: %s" % (timeout, what, R.log()[-20:]))

    def start_tf(self, cmd):
        """terraform CMD -auto-approve in its own session/process group,
        output to a file."""
        self.out_path = os.path.join(self.wd.path, cmd + ".out")
        self.out_fp = open(self.out_path, "w")
        self.addCleanup(self.out_fp.close)
        self.wd.applied = True
        proc = subprocess.Popen(["terraform", cmd, "-input=false", "-no-color", "-auto-approve"],
                                cwd=self.wd.path, env=L.terraform_env(), stdin=subprocess.DEVNULL,
                                stdout=self.out_fp, stderr=subprocess.STDOUT, start_new_session=True)
        self.addCleanup(self.kill_group, proc)
        return proc

    def kill_group(self, proc):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()

    @staticmethod
    def sig_info(pid):
        """(ignored-signal mask, process group) of a process, from /proc."""
        with open("/proc/%d/status" % pid) as f:
            ign = int(re.search(r"^SigIgn:\s*([0-9a-f]+)", f.read(), re.M).group(1), 16)
        return ign, os.getpgid(pid)

    def read_out(self):
        with open(self.out_path) as f:
            return f.read()

    def state_attrs(self):
        with open(os.path.join(self.wd.path, "terraform.tfstate")) as f:
            st = json.load(f)
        res = [r for r in st.get("resources", []) if r["type"] == "lambdavpc_secure_function"]
        self.assertEqual(len(res), 1, "state resources: %s" % st.get("resources"))
        self.assertEqual(len(res[0]["instances"]), 1, res[0])
        return res[0]["instances"][0]

    def assert_state_matches_moto(self, inst):
        """Every id the partial state records exists in moto, and what the
        apply created before the interrupt is recorded."""
        a = inst["attributes"]
        ec2, lam, iam = self.ec2, self.lam, self.iam
        f = [{"Name": "vpc-id", "Values": [self.vpc]}]
        subnets = sorted(s["SubnetId"] for s in ec2.describe_subnets(Filters=f)["Subnets"])
        sgs = ec2.describe_security_groups(Filters=f)["SecurityGroups"]
        # the VPC's shared clients SG has no attribute of its own
        groups = sorted(g["GroupId"] for g in sgs
                        if g["GroupName"] not in ("default", "lambdavpc-clients-" + self.vpc))
        self.assertEqual(sorted(a.get("subnet_ids") or []), subnets, "subnet ids in state vs moto")
        self.assertEqual(sorted(x for x in (a.get("lambda_security_group_id"), a.get("endpoint_security_group_id"))
                                if x), groups, "security group ids in state vs moto")
        self.assertEqual(len(groups), 2, groups)
        self.assertEqual(len(sgs), 4, [g["GroupName"] for g in sgs])  # default, lambda, endpoints, clients
        rts = [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=f)["RouteTables"]
               if not any(x.get("Main") for x in t.get("Associations", []))]
        self.assertEqual([a.get("route_table_id")], rts, "route table in state vs moto")
        eps = sorted(e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(Filters=f)["VpcEndpoints"]
                     if e.get("State", "").lower() not in ("deleted", "deleting"))
        self.assertEqual(sorted((a.get("vpc_endpoint_ids") or {}).values()) if isinstance(
            a.get("vpc_endpoint_ids"), dict) else sorted(a.get("vpc_endpoint_ids") or []), eps,
            "vpc endpoint ids in state vs moto")
        self.assertTrue(a.get("role_name"), "role_name missing from the partial state: %s" % a)
        iam.get_role(RoleName=a["role_name"])
        # the function was created before the wait began: the state names it
        # (its arn is checked at the end of the test, so the recovery runs too)
        cfg = lam.get_function(FunctionName=self.name)["Configuration"]
        self.assertEqual(inst["attributes"].get("id"), self.name, "function not in the partial state")
        if a.get("arn") != cfg["FunctionArn"]:
            self.late.append("the partial state does not record the created function: arn %r (moto: %r), "
                             "id %r, status %r" % (a.get("arn"), cfg["FunctionArn"], a.get("id"), inst.get("status")))

    def assert_no_plugin_left(self):
        end = time.monotonic() + 5
        while L.provider_pids(self.wd.path) and time.monotonic() < end:
            time.sleep(0.2)
        self.assertEqual(L.provider_pids(self.wd.path), [], "plugin processes left running")

    def assert_no_late_failures(self):
        self.assertEqual(self.late, [])

    def converge_and_destroy(self):
        R.control("POST", "/reset", {})
        self.apply()
        self.assertEqual(self.plan_rc(), 0, "plan not empty after the recovering apply")
        f = [{"Name": "vpc-id", "Values": [self.vpc]}]
        self.assertEqual(len(self.ec2.describe_subnets(Filters=f)["Subnets"]), 3, "duplicate subnets")
        self.destroy()
        self.assert_nothing_left()
        self.assert_no_late_failures()

    # ------------------------------------------------------------ Ctrl-C

    def interrupt_during_wait(self, rules, started, whole_group, cmd="apply", state=None):
        """Holds terraform CMD in a wait (rules), sends SIGINT when
        started(log) holds, and checks the interrupted run (the caller
        prepared the working directory)."""
        R.control("POST", "/reset", {})
        R.control("POST", "", {"rules": list(rules), "state": state or {}})
        proc = self.start_tf(cmd)
        self.wait_for_log(started, WAIT_START_S, "the %s's wait to begin" % cmd, proc)
        time.sleep(1)
        plugins = L.provider_pids(self.wd.path)
        self.assertTrue(plugins, "no plugin process while terraform waits on it")
        for pid in plugins:
            ign, pgid = self.sig_info(pid)
            self.assertTrue(ign & (1 << (signal.SIGINT - 1)), "plugin %d does not ignore SIGINT" % pid)
            if whole_group:   # the signal below really reaches the plugin too
                self.assertEqual(pgid, proc.pid, "plugin %d not in terraform's process group" % pid)
        t0 = time.monotonic()
        if whole_group:
            os.killpg(proc.pid, signal.SIGINT)     # a terminal's Ctrl-C: terraform and its plugins
        else:
            os.kill(proc.pid, signal.SIGINT)       # terraform only
        try:
            rc = proc.wait(timeout=STOP_BOUND_S)
        except subprocess.TimeoutExpired:
            self.kill_group(proc)
            self.fail("terraform still running %ss after SIGINT (StopProvider did not cancel the wait):\n%s"
                      % (STOP_BOUND_S, self.read_out()[-6000:]))
        elapsed = time.monotonic() - t0
        out = self.read_out()
        sys.stderr.write("[%s: terraform exited %.1fs after SIGINT] " % (cmd, elapsed))
        self.assertNotEqual(rc, 0, "an interrupted %s must fail:\n%s" % (cmd, out))
        self.assertLess(elapsed, STOP_BOUND_S, out)
        for m in L.CRASH_MARKERS:
            self.assertNotIn(m, out, "plugin crashed or died (SIGINT must be ignored):\n%s" % out)
        self.assertIn("Interrupt received", out, out)
        self.assertIn(CANCEL_TEXT, out.lower(), "no cancellation diagnostic from the provider:\n%s" % out)
        self.assert_no_plugin_left()
        return self.state_attrs(), elapsed

    def test_sigint_cancels_pending_wait(self):
        pending = {"Configuration.State": "Pending", "Configuration.StateReasonCode": "Creating",
                   "Configuration.StateReason": "The function is being created.",
                   "State": "Pending", "StateReasonCode": "Creating",
                   "StateReason": "The function is being created."}
        rules = [{"match": {"service": "lambda", "action_regex": "^GetFunction(Configuration)?$"}, "times": -1,
                  "fault": {"rewrite_json": pending}},
                 # AWS answers a create in a VPC Pending too (moto: Active)
                 {"match": {"service": "lambda", "action": "CreateFunction"}, "times": -1,
                  "fault": {"rewrite_json": pending}}]
        started = lambda lg: sum(1 for r in lg if (r["fault"] or "").startswith("rewrite:")) >= 2
        self.late = []
        self.deploy_dir()
        inst, _ = self.interrupt_during_wait(rules, started, whole_group=False)
        self.assert_state_matches_moto(inst)
        self.assertEqual(inst.get("status"), "tainted", "an interrupted create is tainted: %s" % inst)
        self.converge_and_destroy()

    def test_group_sigint_cancels_held_request(self):
        # The whole process group gets SIGINT (a terminal Ctrl-C): the plugin
        # ignores it; terraform's StopProvider cancels the HTTP request the
        # proxy holds (a GetFunction after CreateFunction, held HOLD_S s).
        # CreateFunction answers Pending, as AWS does for a function in a VPC
        # (moto: Active, which the provider takes as settled and does not poll)
        rules = [{"match": {"service": "lambda", "action": "CreateFunction"}, "times": -1,
                  "fault": {"set_state": {"function": "created"}, "rewrite_json": PENDING}},
                 {"match": {"service": "lambda", "action_regex": "^GetFunction(Configuration)?$",
                            "state": {"function": "created"}}, "times": -1,
                  "fault": {"delay": HOLD_S}}]

        def started(lg):
            held = [r for r in lg if r["rule"] == 1]
            return bool(held) and time.monotonic() - held[0]["mono"] > 1
        self.late = []
        self.deploy_dir()
        inst, _ = self.interrupt_during_wait(rules, started, whole_group=True)
        self.assert_state_matches_moto(inst)
        held = [r for r in R.log() if r["rule"] == 1]
        self.assertEqual(len(held), 1, "the provider retried a cancelled request: %s" % held)
        self.converge_and_destroy()

    def test_sigint_cancels_destroy_eni_wait(self):
        # destroy stuck on a Lambda ENI (default delete timeout: 45 min); Ctrl-C ends it
        self.eni_setup()
        rules = self.eni_rules([{"match": dict(self.describe, state={"eni": "in-use"}), "times": -1,
                                 "fault": self.eni_reply("in-use")}])
        started = lambda lg: sum(1 for r in lg if r["action"] == "DescribeNetworkInterfaces"
                                 and (r["fault"] or "").startswith("reply")) >= 2
        self.interrupt_during_wait(rules, started, whole_group=True, cmd="destroy", state={"eni": "in-use"})
        ls = self.wd.tf("state", "list")
        self.assertIn("lambdavpc_secure_function.app", ls.stdout, "an interrupted destroy dropped the resource")
        R.control("POST", "/reset", {})
        r = self.destroy()
        self.assertNotIn("Resources: 0 destroyed", r.output,
                         "the second destroy dropped the resource without deleting its remaining parts")
        self.assert_nothing_left()

    # ------------------------------------------------------------ lingering ENIs

    def eni_setup(self, timeouts=None):
        self.deploy_dir()
        if timeouts:
            main = os.path.join(self.wd.path, "main.tf")
            with open(main) as f:
                text = f.read()
            anchor = 'tags             = { Team = "payments" }'
            self.assertIn(anchor, text)
            with open(main, "w") as f:
                f.write(text.replace(anchor, anchor + "\n  timeouts {\n    delete = \"%s\"\n  }" % timeouts))
        self.apply()
        outs = self.wd.outputs()
        self.subnet = outs["subnet_ids"][0]
        self.sg = outs["lambda_security_group_id"]
        self.all_subnets = list(outs["subnet_ids"])
        self.all_sgs = [outs["lambda_security_group_id"], outs["endpoint_security_group_id"]]
        xml = lambda status: eni_xml(FAKE_ENI, self.subnet, self.sg, self.vpc, self.name, status)
        # requests whose filter covers our ENI (by its SG, its subnet or its VPC)
        self.describe = {"action": "DescribeNetworkInterfaces",
                         "body_regex": "(%s|%s|%s)(&|$)" % (re.escape(self.sg), re.escape(self.subnet),
                                                             re.escape(self.vpc))}
        self.eni_reply = lambda status: {"reply": {"status": 200, "body": xml(status)}}
        R.control("POST", "/reset", {})

    def eni_rules(self, describe_rules):
        """describe_rules (the ENI's life, indices 0..k-1) + the ENI's effects:
        DeleteNetworkInterface of it succeeds and ends it; SG deletes and the
        delete of its subnet get DependencyViolation while it exists."""
        alive = {"eni": ["in-use", "available"]}
        return describe_rules + [
            {"match": {"action": "DeleteNetworkInterface", "body_regex": re.escape(FAKE_ENI),
                       "state": {"eni": "available"}}, "times": -1,
             "fault": {"reply": ok_reply("DeleteNetworkInterface"), "set_state": {"eni": "gone"}}},
            {"match": {"action": "DeleteSecurityGroup", "state": alive}, "times": -1,
             "fault": dependency_violation("resource %s" % self.sg)},
            {"match": {"action": "DeleteSubnet", "body_regex": re.escape(self.subnet), "state": alive},
             "times": -1, "fault": dependency_violation("The subnet '%s'" % self.subnet)}]

    def set_eni_rules(self, describe_rules):
        R.control("POST", "", {"rules": self.eni_rules(describe_rules), "state": {"eni": "in-use"}})

    def check_deletes_after_eni(self, gone_seq):
        """SG/subnet deletes all came after the ENI ended (seq gone_seq)."""
        lg = R.log()
        deletes = [r for r in lg if r["action"] in ("DeleteSecurityGroup", "DeleteSubnet")]
        early = [r for r in deletes if r["seq"] < gone_seq]
        self.assertEqual(early, [], "SG/subnet deletes sent while the Lambda ENI still used them "
                                    "(DESIGN.md: wait for the ENIs first)")
        ok = [r for r in deletes if r["status"] == 200 and r["forwarded"]]
        self.assertGreaterEqual(len([r for r in ok if r["action"] == "DeleteSecurityGroup"]), 2, deletes)
        self.assertGreaterEqual(len([r for r in ok if r["action"] == "DeleteSubnet"]), 3, deletes)

    def test_destroy_waits_for_eni_in_use_then_available(self):
        self.eni_setup()
        inuse, avail = 4, -1
        self.set_eni_rules([
            {"match": dict(self.describe, state={"eni": "in-use"}), "times": inuse,
             "fault": self.eni_reply("in-use")},
            {"match": dict(self.describe, state={"eni": ["in-use", "available"]}), "skip": inuse, "times": avail,
             "fault": dict(self.eni_reply("available"), set_state={"eni": "available"})}])
        r = self.destroy()
        self.assertNotIn("DependencyViolation", r.output)
        rules = R.control("GET", "")
        self.assertEqual(rules["state"].get("eni"), "gone",
                         "the provider never deleted the available Lambda ENI: %s" % R.log("DeleteNetworkInterface"))
        self.assertEqual(rules["rules"][0]["injected"], inuse, rules["rules"][0])
        gone = [e for e in R.log("DeleteNetworkInterface") if e["fault"] == "state" or
                (e["fault"] or "").startswith("reply")]
        self.assertTrue(gone, R.log("DeleteNetworkInterface"))
        self.check_deletes_after_eni(gone[0]["seq"])
        self.assert_nothing_left()

    def test_destroy_waits_for_eni_to_vanish(self):
        # Lambda removes the ENI itself: in-use for a while, then no longer listed
        self.eni_setup()
        inuse = 5
        self.set_eni_rules([
            {"match": dict(self.describe, state={"eni": "in-use"}), "times": inuse,
             "fault": self.eni_reply("in-use")},
            {"match": dict(self.describe, state={"eni": "in-use"}), "skip": inuse, "times": 1,
             "fault": {"set_state": {"eni": "gone"}}}])   # forwarded: moto lists no ENI
        t0 = time.monotonic()
        r = self.destroy()
        self.assertNotIn("DependencyViolation", r.output)
        self.assertLess(time.monotonic() - t0, 300, "destroy took too long")
        rules = R.control("GET", "")
        self.assertEqual(rules["rules"][0]["injected"], inuse,
                         "destroy did not poll the ENI until it was gone: %s" % rules["rules"][:2])
        self.assertEqual(rules["state"].get("eni"), "gone")
        gone = [e for e in R.log("DescribeNetworkInterfaces") if e["rule"] == 1]
        self.assertEqual(len(gone), 1, R.log("DescribeNetworkInterfaces"))
        self.assertEqual(R.log("DeleteNetworkInterface"), [], "deleted an in-use ENI")
        self.check_deletes_after_eni(gone[0]["seq"])
        self.assert_nothing_left()

    def test_destroy_times_out_on_eni_that_never_goes(self):
        self.eni_setup(timeouts="10s")
        self.set_eni_rules([{"match": dict(self.describe, state={"eni": "in-use"}), "times": -1,
                             "fault": self.eni_reply("in-use")}])
        t0 = time.monotonic()
        r = self.wd.tf("destroy", "-auto-approve", timeout=TIMEOUT_FAIL_BOUND_S + 60)
        elapsed = time.monotonic() - t0
        self.assertIsNone(r.crashed(), str(r))
        self.assertNotEqual(r.rc, 0, "destroy succeeded although a Lambda ENI still uses the SG/subnet:\n%s" % r)
        self.assertLess(elapsed, TIMEOUT_FAIL_BOUND_S, "destroy with delete = 10s hung:\n%s" % r)
        self.assertIn("network interface", r.output.lower(), "the error does not name the lingering ENIs:\n%s" % r)
        self.assertGreaterEqual(len(R.log("DescribeNetworkInterfaces")), 2, "no ENI polling")
        # the state keeps the resource (with what still exists)
        ls = self.wd.tf("state", "list")
        self.assertIn("lambdavpc_secure_function.app", ls.stdout, str(ls))
        a = self.state_attrs()["attributes"]
        f = [{"Name": "vpc-id", "Values": [self.vpc]}]
        subnets = sorted(s["SubnetId"] for s in self.ec2.describe_subnets(Filters=f)["Subnets"])
        self.assertEqual(sorted(a.get("subnet_ids") or []), subnets, "subnet ids in state vs moto")
        self.assertIn(self.subnet, subnets)
        # "Every part that exists was saved in the state": the parts the
        # failed destroy did delete (function, endpoints) should not be
        # recorded as existing (checked last, after the recovery)
        late = []
        fns = [x["FunctionArn"] for x in self.lam.list_functions()["Functions"] if x["FunctionName"] == self.name]
        if a.get("arn") and not fns:
            late.append("state still records the deleted function %s" % a["arn"])
        eps = {e["VpcEndpointId"] for e in self.ec2.describe_vpc_endpoints(Filters=f)["VpcEndpoints"]
               if e.get("State", "").lower() not in ("deleted", "deleting")}
        stale = sorted(set((a.get("vpc_endpoint_ids") or {}).values()) - eps)
        if stale:
            late.append("state still records the deleted endpoints %s" % stale)
        # without the ENI, destroy finishes the job: removes what is left
        # (subnets, SGs, route table, role), not just the state entry
        R.control("POST", "/reset", {})
        r = self.destroy()
        self.assertNotIn("Resources: 0 destroyed", r.output,
                         "the second destroy dropped the resource without deleting its remaining parts")
        self.assert_nothing_left()
        self.assertEqual(late, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
