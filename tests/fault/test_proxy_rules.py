#!/usr/bin/env python3
"""The fault proxy's own behaviour, with boto3 through it against moto:
the real-AWS rules of aws_rules.py (each on and off), the seeded chaos mode
and the in-process hooks the crash sweep uses.

Run: python3 tests/fault/test_proxy_rules.py   (starts its own moto unless E2E_MOTO_URL)
"""
import http.client
import os
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import e2e_lib as L  # noqa: E402
from proxy import FaultProxy  # noqa: E402

REGION = L.REGION


def boto(service, url):
    import boto3
    from botocore.config import Config
    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
                        aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def error_of(fn, *a, **kw):
    """(code, message) of the botocore ClientError fn raises, or None."""
    from botocore.exceptions import ClientError
    try:
        fn(*a, **kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    return None


class ProxyCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.proxy = FaultProxy(L.moto_url()).start()
        self.ec2 = boto("ec2", self.proxy.url)
        self.moto_ec2 = L.client("ec2")
        self.vpc = L.create_vpc("10.%d.0.0/16" % (os.getpid() % 200))
        self.subnet = self.moto_ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.%d.1.0/24" % (os.getpid() % 200),
                                                  AvailabilityZone=REGION + "a")["Subnet"]["SubnetId"]

    def tearDown(self):
        self.proxy.stop()

    def rules(self, **kw):
        self.proxy.set_aws_rules(kw)

    def endpoint(self, service="logs", private_dns=True, sgs=None, client=None):
        kw = {"VpcId": self.vpc, "ServiceName": "com.amazonaws.%s.%s" % (REGION, service),
              "VpcEndpointType": "Interface", "SubnetIds": [self.subnet], "PrivateDnsEnabled": private_dns}
        if sgs:
            kw["SecurityGroupIds"] = sgs
        return (client or self.ec2).create_vpc_endpoint(**kw)["VpcEndpoint"]["VpcEndpointId"]

    def listed(self, client, ep):
        eps = client.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [self.vpc]}])["VpcEndpoints"]
        return ep in [e["VpcEndpointId"] for e in eps]


class DnsConflictTest(ProxyCase):
    def test_second_private_dns_endpoint_refused(self):
        self.rules(dns_conflict=True)
        first = self.endpoint("logs")
        err = error_of(self.endpoint, "logs")
        self.assertEqual(err, ("InvalidParameter",
                               "private-dns-enabled cannot be set because there is already a conflicting DNS "
                               "domain for logs.%s.amazonaws.com in the VPC %s" % (REGION, self.vpc)))
        # not refused: another service, private DNS off, a Gateway endpoint
        self.endpoint("ssm")
        self.endpoint("logs", private_dns=False)
        # once the first is deleted, a new one may take the name
        self.ec2.delete_vpc_endpoints(VpcEndpointIds=[first])
        self.endpoint("logs")
        refused = [e for e in self.proxy.get_log("CreateVpcEndpoint") if e["fault"] == "aws:InvalidParameter"]
        self.assertEqual(len(refused), 1, refused)
        self.assertEqual(refused[0]["status"], 400)

    def test_modify_turning_private_dns_on_refused(self):
        self.rules(dns_conflict=True)
        self.endpoint("logs")
        off = self.endpoint("logs", private_dns=False)
        err = error_of(self.ec2.modify_vpc_endpoint, VpcEndpointId=off, PrivateDnsEnabled=True)
        self.assertEqual(err[0], "InvalidParameter")
        self.assertIn("conflicting DNS domain", err[1])

    def test_concurrent_creates_one_wins(self):
        self.rules(dns_conflict=True)
        results = []

        def create():
            try:
                results.append(("ok", self.endpoint("kms", client=boto("ec2", self.proxy.url))))
            except Exception as e:  # noqa: BLE001 - the error is what we count
                results.append(("err", e.response["Error"]["Code"]))
        threads = [threading.Thread(target=create) for _ in range(6)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        self.assertEqual(sorted(r[0] for r in results), ["err"] * 5 + ["ok"], results)
        self.assertEqual({r[1] for r in results if r[0] == "err"}, {"InvalidParameter"})

    def test_rule_off_moto_accepts_duplicates(self):
        self.rules()
        self.endpoint("logs")
        self.endpoint("logs")          # moto's own behaviour: no conflict
        self.assertEqual(self.proxy.describe()["aws_rules"], {})


class EndpointDelayTest(ProxyCase):
    def test_new_endpoint_listed_only_after_delay(self):
        self.rules(endpoint_delay=1.5)
        ep = self.endpoint("logs")
        self.assertFalse(self.listed(self.ec2, ep), "listed at once through the proxy")
        self.assertTrue(self.listed(self.moto_ec2, ep), "moto itself has it")
        err = error_of(self.ec2.describe_vpc_endpoints, VpcEndpointIds=[ep])
        self.assertEqual(err[0], "InvalidVpcEndpointId.NotFound")
        self.assertIn(ep, err[1])
        # the rest of the reply is untouched: an older endpoint still listed
        time.sleep(1.6)
        self.assertTrue(self.listed(self.ec2, ep), "still hidden after the delay")
        second = self.endpoint("ssm")
        self.assertTrue(self.listed(self.ec2, ep))
        self.assertFalse(self.listed(self.ec2, second))

    def test_no_delay_when_off(self):
        self.rules()
        ep = self.endpoint("logs")
        self.assertTrue(self.listed(self.ec2, ep))


class SgDependencyTest(ProxyCase):
    def sg(self, name):
        return self.moto_ec2.create_security_group(VpcId=self.vpc, GroupName=L.unique(name),
                                                   Description="t")["GroupId"]

    def assert_dependency(self, sg):
        err = error_of(self.ec2.delete_security_group, GroupId=sg)
        self.assertEqual(err, ("DependencyViolation", "resource %s has a dependent object" % sg))

    def test_endpoint_holds_sg(self):
        self.rules(sg_dependency=True)
        sg = self.sg("ep")
        ep = self.endpoint("logs", sgs=[sg])
        self.assert_dependency(sg)
        self.ec2.delete_vpc_endpoints(VpcEndpointIds=[ep])
        self.ec2.delete_security_group(GroupId=sg)

    def test_eni_holds_sg(self):
        self.rules(sg_dependency=True)
        sg = self.sg("eni")
        eni = self.moto_ec2.create_network_interface(SubnetId=self.subnet, Groups=[sg])
        eni_id = eni["NetworkInterface"]["NetworkInterfaceId"]
        self.assert_dependency(sg)
        self.moto_ec2.delete_network_interface(NetworkInterfaceId=eni_id)
        self.ec2.delete_security_group(GroupId=sg)

    def test_lambda_function_holds_sg(self):
        self.rules(sg_dependency=True)
        sg = self.sg("fn")
        iam = L.client("iam")
        role = iam.create_role(RoleName=L.unique("proxyrole"), AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = L.client("lambda")
        wd = L.Workdir("proxyzip")
        try:
            L.make_zip(wd.path)
            with open(os.path.join(wd.path, "lambda.zip"), "rb") as f:
                code = f.read()
        finally:
            wd.cleanup()
        name = L.unique("proxyfn")
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
                            Code={"ZipFile": code}, VpcConfig={"SubnetIds": [self.subnet], "SecurityGroupIds": [sg]})
        self.assert_dependency(sg)
        lam.delete_function(FunctionName=name)
        self.ec2.delete_security_group(GroupId=sg)

    def test_rule_off_moto_deletes(self):
        self.rules()
        sg = self.sg("off")
        self.endpoint("logs", sgs=[sg])
        self.ec2.delete_security_group(GroupId=sg)


class SubnetDependencyTest(ProxyCase):
    def assert_dependency(self, subnet):
        err = error_of(self.ec2.delete_subnet, SubnetId=subnet)
        self.assertEqual(err, ("DependencyViolation",
                               "The subnet '%s' has dependencies and cannot be deleted." % subnet))

    def test_endpoint_holds_subnet(self):
        self.rules(subnet_dependency=True)
        ep = self.endpoint("logs")
        self.assert_dependency(self.subnet)
        self.ec2.delete_vpc_endpoints(VpcEndpointIds=[ep])
        self.ec2.delete_subnet(SubnetId=self.subnet)

    def test_endpoint_moved_off_frees_subnet(self):
        self.rules(subnet_dependency=True)
        other = self.moto_ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.%d.2.0/24" % (os.getpid() % 200),
                                            AvailabilityZone=REGION + "a")["Subnet"]["SubnetId"]
        ep = self.endpoint("logs")
        self.assert_dependency(self.subnet)
        self.ec2.modify_vpc_endpoint(VpcEndpointId=ep, AddSubnetIds=[other], RemoveSubnetIds=[self.subnet])
        self.ec2.delete_subnet(SubnetId=self.subnet)
        self.assert_dependency(other)

    def test_eni_holds_subnet(self):
        self.rules(subnet_dependency=True)
        eni = self.moto_ec2.create_network_interface(SubnetId=self.subnet)["NetworkInterface"]
        self.assert_dependency(self.subnet)
        self.moto_ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
        self.ec2.delete_subnet(SubnetId=self.subnet)

    def test_rule_off_moto_deletes(self):
        self.rules()
        self.endpoint("logs")
        self.ec2.delete_subnet(SubnetId=self.subnet)


def raw_call(url, action):
    """One signed-looking EC2 query call straight through the proxy: (status or
    'reset', body)."""
    host, port = url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    body = "Action=%s&Version=2016-11-15" % action
    try:
        conn.request("POST", "/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/%s/ec2/aws4_request, "
                             "SignedHeaders=host, Signature=0" % REGION})
        r = conn.getresponse()
        return r.status, r.read().decode()
    except (ConnectionError, http.client.HTTPException, OSError):
        return "reset", ""
    finally:
        conn.close()


class ChaosAndHooksTest(ProxyCase):
    def run_chaos(self, seed, n=60):
        self.proxy.reset()
        self.proxy.set_chaos({"seed": seed, "rate": 0.4})
        return [raw_call(self.proxy.url, "DescribeVpcs")[0] for _ in range(n)], \
            [e["fault"] for e in self.proxy.get_log()]

    def test_chaos_is_seeded_and_shaped(self):
        a_status, a_faults = self.run_chaos(11)
        b_status, b_faults = self.run_chaos(11)
        self.assertEqual(a_faults, b_faults, "same seed, same faults")
        self.assertEqual(a_status, b_status)
        kinds = {f for f in a_faults if f}
        self.assertEqual(kinds, {"chaos:throttle", "chaos:5xx", "chaos:reset_before", "chaos:reset_after"})
        for st, f in zip(a_status, a_faults):
            want = {None: 200, "chaos:throttle": 503, "chaos:5xx": 503}.get(f, "reset")
            self.assertEqual(st, want, (st, f))
        counts = self.proxy.describe()["chaos_counts"]
        self.assertEqual(sum(counts.values()), sum(1 for f in a_faults if f))
        self.assertTrue(0.2 * 60 < sum(counts.values()) < 0.6 * 60, counts)
        c_status, c_faults = self.run_chaos(12)
        self.assertNotEqual(a_faults, c_faults, "another seed, other faults")
        # reset_after reaches moto, reset_before does not
        fwd = {e["fault"]: e["forwarded"] for e in self.proxy.get_log() if e["fault"]}
        self.assertTrue(fwd["chaos:reset_after"])
        self.assertFalse(fwd["chaos:reset_before"])
        self.proxy.set_chaos(None)
        self.assertEqual(raw_call(self.proxy.url, "DescribeVpcs")[0], 200)

    def test_rate_limit_throttles_only_above_the_rate(self):
        self.proxy.set_rate_limit({"rps": 2, "burst": 3})
        burst = [raw_call(self.proxy.url, "DescribeVpcs")[0] for _ in range(6)]
        # 3 tokens, then (well under 0.5 s later) throttled in the EC2 shape
        self.assertEqual(burst[:3], [200] * 3)
        self.assertIn(503, burst[3:])
        faults = [e["fault"] for e in self.proxy.get_log()][3:]
        self.assertIn("ratelimit:throttle", faults)
        # a client below the rate is never throttled
        self.proxy.set_rate_limit({"rps": 2, "burst": 1})
        slow = []
        for _ in range(3):
            time.sleep(0.6)
            slow.append(raw_call(self.proxy.url, "DescribeVpcs")[0])
        self.assertEqual(slow, [200] * 3)
        self.assertEqual(self.proxy.describe()["rate_limited"], 0)
        self.proxy.set_rate_limit(None)

    def test_on_answered_sees_moto_effect_before_reply(self):
        seen = []

        def hook(entry, req):
            if req["action"] != "CreateSecurityGroup":
                return False
            groups = self.moto_ec2.describe_security_groups(
                Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"]
            seen.append(len(groups))
            return True
        name = L.unique("hooked")
        self.proxy.on_answered = hook
        from botocore.exceptions import ConnectionClosedError, EndpointConnectionError
        with self.assertRaises((ConnectionClosedError, EndpointConnectionError, ConnectionError)):
            self.ec2.create_security_group(VpcId=self.vpc, GroupName=name, Description="t")
        # botocore may resend once on a reset connection; every time, the group existed
        self.assertTrue(seen and set(seen) == {1}, "the hook ran after moto created the group: %s" % seen)
        self.assertEqual(self.proxy.get_log("CreateSecurityGroup")[0]["fault"], "hook-drop")


if __name__ == "__main__":
    unittest.main(verbosity=2)
