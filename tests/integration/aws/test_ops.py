#!/usr/bin/env python3
"""Integration tests of the typed AWS operations (src/aws/aws_{ec2,iam,sts,lambda}.h).

Each test runs build/tools/aws_probe (our client: query/JSON encoding, SigV4,
libcurl, XML/JSON parsing) against a moto_server started here on 127.0.0.1,
then checks the effect with boto3 -- never with our own parser.
Run from the repository root: python3 tests/integration/aws/test_ops.py
"""
import hashlib, base64, io, json, os, socket, subprocess, sys, time, unittest, urllib.request, zipfile

import boto3
import botocore

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PROBE = os.environ.get("AWS_PROBE", os.path.join(ROOT, "build", "tools", "aws_probe"))
REGION = "us-east-1"
MOTO = {}
LAMBDA_VPC_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def setUpModule():
    port = free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    MOTO["proc"] = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    MOTO["url"] = "http://127.0.0.1:%d" % port
    for _ in range(300):
        try:
            urllib.request.urlopen(MOTO["url"] + "/moto-api/", timeout=1).read()
            break
        except Exception:
            time.sleep(0.1)
    else:
        raise RuntimeError("moto_server did not start")


def tearDownModule():
    p = MOTO.get("proc")
    if p:
        p.kill()
        p.wait()


def probe_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=MOTO["url"], AWS_REGION=REGION, AWS_ACCESS_KEY_ID="AKIDPROBE",
               AWS_SECRET_ACCESS_KEY="secret", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
               # the ops, not the retry budget, are under test: a moto 500 for an
               # unsupported filter fails after 3 attempts, not the default 25
               AWS_MAX_ATTEMPTS="3")
    return env


def probe(op, *args):
    """Runs aws_probe; returns (exit code, parsed JSON)."""
    p = subprocess.run([PROBE, op] + list(args), env=probe_env(), capture_output=True, text=True, timeout=60)
    if p.returncode == 64 or not p.stdout.strip():
        raise AssertionError("aws_probe %s %s: rc=%d stderr=%s" % (op, args, p.returncode, p.stderr))
    return p.returncode, json.loads(p.stdout)


def ok(op, *args):
    rc, out = probe(op, *args)
    if rc != 0 or not out["ok"]:
        raise AssertionError("aws_probe %s failed: %s" % (op, out))
    return out["result"]


def fails(op, *args):
    rc, out = probe(op, *args)
    if rc == 0:
        raise AssertionError("aws_probe %s unexpectedly succeeded: %s" % (op, out))
    return rc, out["error"]


def client(svc):
    return boto3.client(svc, endpoint_url=MOTO["url"], region_name=REGION, aws_access_key_id="AKIDPROBE",
                        aws_secret_access_key="secret")


def tags_of(lst):
    return {t["Key"]: t["Value"] for t in (lst or [])}


def make_zip(text):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", text)
    return buf.getvalue()


class EC2Base(unittest.TestCase):
    def setUp(self):
        self.ec2 = client("ec2")
        self.vpc = self.ec2.create_vpc(CidrBlock="10.%d.0.0/16" % (hash(self.id()) % 200 + 20))["Vpc"]
        self.vpc_id = self.vpc["VpcId"]
        self.cidr = self.vpc["CidrBlock"]
        self.prefix = self.cidr.rsplit(".", 2)[0]


class TestVpcAzTags(EC2Base):
    def test_describe_vpcs_by_id_and_tag_filter(self):
        self.ec2.create_tags(Resources=[self.vpc_id], Tags=[{"Key": "lambdavpc:function", "Value": "fv"}])
        got = ok("describe-vpcs", "id=" + self.vpc_id)
        self.assertEqual([v["vpc_id"] for v in got], [self.vpc_id])
        self.assertEqual(got[0]["cidr_block"], self.cidr)
        self.assertFalse(got[0]["is_default"])
        got = ok("describe-vpcs", "filter=tag:lambdavpc:function=fv")
        want = self.ec2.describe_vpcs(Filters=[{"Name": "tag:lambdavpc:function", "Values": ["fv"]}])["Vpcs"]
        self.assertEqual(sorted(v["vpc_id"] for v in got), sorted(v["VpcId"] for v in want))
        self.assertEqual(got[0]["tags"], {"lambdavpc:function": "fv"})
        rc, err = fails("describe-vpcs", "id=vpc-00000000000000000")
        self.assertEqual(rc, 2)
        self.assertEqual(err["code"], "InvalidVpcID.NotFound")

    def test_vpc_attribute(self):
        self.ec2.modify_vpc_attribute(VpcId=self.vpc_id, EnableDnsHostnames={"Value": True})
        for attr, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
            want = self.ec2.describe_vpc_attribute(VpcId=self.vpc_id, Attribute=attr)[key]["Value"]
            self.assertEqual(ok("describe-vpc-attribute", "vpc=" + self.vpc_id, "attribute=" + attr), want)
        self.ec2.modify_vpc_attribute(VpcId=self.vpc_id, EnableDnsHostnames={"Value": False})
        self.assertFalse(ok("describe-vpc-attribute", "vpc=" + self.vpc_id, "attribute=enableDnsHostnames"))

    def test_availability_zones(self):
        got = ok("describe-azs")
        want = self.ec2.describe_availability_zones()["AvailabilityZones"]
        self.assertEqual([z["zone_name"] for z in got], [z["ZoneName"] for z in want])
        self.assertEqual([z["zone_id"] for z in got], [z["ZoneId"] for z in want])
        got = ok("describe-azs", "name=us-east-1b")
        self.assertEqual([z["zone_name"] for z in got], ["us-east-1b"])

    def test_create_and_delete_tags(self):
        sn = self.ec2.create_subnet(VpcId=self.vpc_id, CidrBlock=self.prefix + ".9.0/24",
                                    AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        ok("create-tags", "id=" + sn, "id=" + self.vpc_id, "tag=a=1", "tag=b=two words", "tag=c=")
        for rid in (sn, self.vpc_id):
            tags = self.ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [rid]}])["Tags"]
            self.assertEqual({t["Key"]: t["Value"] for t in tags}, {"a": "1", "b": "two words", "c": ""})
        ok("delete-tags", "id=" + sn, "tag=a", "tag=b=wrong-value", "tag=c=")
        tags = self.ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [sn]}])["Tags"]
        self.assertEqual({t["Key"]: t["Value"] for t in tags}, {"b": "two words"})
        rc, err = fails("create-tags", "id=subnet-00000000000000000", "tag=a=1")
        self.assertEqual(err["code"], "InvalidSubnetID.NotFound")


class TestSubnetsRouteTables(EC2Base):
    def test_subnet_lifecycle(self):
        got = ok("create-subnet", "vpc=" + self.vpc_id, "cidr=" + self.prefix + ".1.0/24", "az=us-east-1b",
                 "tag=lambdavpc:function=fs", "tag=Team=a&b <c>")
        sid = got["subnet_id"]
        want = self.ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]
        self.assertEqual(want["CidrBlock"], self.prefix + ".1.0/24")
        self.assertEqual(want["AvailabilityZone"], "us-east-1b")
        self.assertEqual(want["VpcId"], self.vpc_id)
        self.assertEqual(tags_of(want["Tags"]), {"lambdavpc:function": "fs", "Team": "a&b <c>"})
        self.assertEqual(got["availability_zone_id"], want["AvailabilityZoneId"])
        sid2 = self.ec2.create_subnet(VpcId=self.vpc_id, CidrBlock=self.prefix + ".2.0/24",
                                      AvailabilityZone="us-east-1c")["Subnet"]["SubnetId"]
        listed = ok("describe-subnets", "id=" + sid, "id=" + sid2)
        self.assertEqual(sorted(s["subnet_id"] for s in listed), sorted([sid, sid2]))
        listed = ok("describe-subnets", "filter=vpc-id=" + self.vpc_id, "filter=tag:lambdavpc:function=fs,other")
        self.assertEqual([s["subnet_id"] for s in listed], [sid])
        # ids as a filter: missing ids are simply absent
        listed = ok("describe-subnets", "filter=subnet-id=%s,subnet-0123456789abcdef0" % sid2)
        self.assertEqual([s["subnet_id"] for s in listed], [sid2])
        rc, err = fails("create-subnet", "vpc=" + self.vpc_id, "cidr=" + self.prefix + ".1.0/24", "az=us-east-1b")
        self.assertEqual(err["code"], "InvalidSubnet.Conflict")
        ok("delete-subnet", "id=" + sid)
        with self.assertRaises(botocore.exceptions.ClientError):
            self.ec2.describe_subnets(SubnetIds=[sid])
        rc, err = fails("delete-subnet", "id=" + sid)
        self.assertEqual(rc, 2)
        self.assertEqual(err["code"], "InvalidSubnetID.NotFound")
        self.assertEqual(err["status"], 400)

    def test_route_table_lifecycle(self):
        sn = self.ec2.create_subnet(VpcId=self.vpc_id, CidrBlock=self.prefix + ".3.0/24",
                                    AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        rt = ok("create-route-table", "vpc=" + self.vpc_id, "tag=lambdavpc:function=fr", "token=tok-rt-1")
        rtb = rt["route_table_id"]
        want = self.ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
        self.assertEqual(want["VpcId"], self.vpc_id)
        self.assertEqual(tags_of(want["Tags"]), {"lambdavpc:function": "fr"})
        assoc = ok("associate-route-table", "rtb=" + rtb, "subnet=" + sn)
        want = self.ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
        self.assertEqual([(a["RouteTableAssociationId"], a["SubnetId"]) for a in want["Associations"]], [(assoc, sn)])
        listed = ok("describe-route-tables", "filter=vpc-id=" + self.vpc_id)
        want_all = self.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}])["RouteTables"]
        self.assertEqual(sorted(r["route_table_id"] for r in listed), sorted(r["RouteTableId"] for r in want_all))
        mine = [r for r in listed if r["route_table_id"] == rtb][0]
        self.assertEqual(mine["associations"][0]["subnet_id"], sn)
        self.assertEqual(mine["routes"][0]["gateway_id"], "local")
        main = ok("describe-route-tables", "filter=vpc-id=" + self.vpc_id, "filter=association.main=true")
        self.assertEqual(len(main), 1)
        self.assertTrue(main[0]["associations"][0]["main"])
        # move the subnet to a second table, then back out
        rt2 = self.ec2.create_route_table(VpcId=self.vpc_id)["RouteTable"]["RouteTableId"]
        new_assoc = ok("replace-route-table-association", "assoc=" + assoc, "rtb=" + rt2)
        want = self.ec2.describe_route_tables(RouteTableIds=[rt2])["RouteTables"][0]
        self.assertEqual([(a["RouteTableAssociationId"], a["SubnetId"]) for a in want["Associations"]],
                         [(new_assoc, sn)])
        ok("disassociate-route-table", "assoc=" + new_assoc)
        want = self.ec2.describe_route_tables(RouteTableIds=[rt2])["RouteTables"][0]
        self.assertEqual(want["Associations"], [])
        ok("delete-route-table", "id=" + rtb)
        self.assertEqual(self.ec2.describe_route_tables(Filters=[{"Name": "route-table-id", "Values": [rtb]}])
                         ["RouteTables"], [])
        rc, err = fails("delete-route-table", "id=" + rtb)
        self.assertEqual(rc, 2)
        self.assertEqual(err["code"], "InvalidRouteTableID.NotFound")


class TestSecurityGroups(EC2Base):
    def test_security_group_rules(self):
        sg = ok("create-sg", "name=fx-lambda", "desc=fx lambda sg", "vpc=" + self.vpc_id,
                "tag=lambdavpc:function=fg")
        sg2 = ok("create-sg", "name=fx-vpce", "desc=fx vpce", "vpc=" + self.vpc_id)
        want = self.ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]
        self.assertEqual((want["GroupName"], want["Description"], want["VpcId"]),
                         ("fx-lambda", "fx lambda sg", self.vpc_id))
        self.assertEqual(tags_of(want["Tags"]), {"lambdavpc:function": "fg"})
        rc, err = fails("create-sg", "name=fx-lambda", "desc=x", "vpc=" + self.vpc_id)
        self.assertEqual(err["code"], "InvalidGroup.Duplicate")

        # revoke the default allow-all egress by permission
        ok("revoke", "id=" + sg, "egress=1", "proto=-1", "cidr=0.0.0.0/0")
        self.assertEqual(self.ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissionsEgress"], [])
        rc, err = fails("revoke", "id=" + sg, "egress=1", "proto=-1", "cidr=0.0.0.0/0")
        self.assertEqual(rc, 2)
        self.assertEqual(err["code"], "InvalidPermission.NotFound")

        rules = ok("authorize", "id=" + sg, "egress=1", "proto=tcp", "from=443", "to=443", "group=" + sg2,
                   "desc=to vpce", "tag=lambdavpc:function=fg")
        self.assertEqual(len(rules), 1)
        eg = self.ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissionsEgress"]
        self.assertEqual(len(eg), 1)
        self.assertEqual((eg[0]["IpProtocol"], eg[0]["FromPort"], eg[0]["ToPort"]), ("tcp", 443, 443))
        self.assertEqual([(p["GroupId"], p.get("Description")) for p in eg[0]["UserIdGroupPairs"]], [(sg2, "to vpce")])
        brules = self.ec2.describe_security_group_rules(
            Filters=[{"Name": "security-group-rule-id", "Values": [rules[0]["rule_id"]]}])["SecurityGroupRules"]
        self.assertEqual(len(brules), 1)
        self.assertTrue(brules[0]["IsEgress"])
        # (moto counts the description as part of the rule, so repeat it exactly)
        rc, err = fails("authorize", "id=" + sg, "egress=1", "proto=tcp", "from=443", "to=443", "group=" + sg2,
                        "desc=to vpce")
        self.assertEqual(err["code"], "InvalidPermission.Duplicate")

        pl = self.ec2.describe_prefix_lists()["PrefixLists"][0]["PrefixListId"]
        ok("authorize", "id=" + sg2, "proto=tcp", "from=443", "to=443", "group=" + sg,
           "cidr=" + self.cidr, "cidr=192.168.0.0/24", "pl=" + pl, "desc=https in")
        ing = self.ec2.describe_security_groups(GroupIds=[sg2])["SecurityGroups"][0]["IpPermissions"]
        self.assertEqual(len(ing), 1)
        self.assertEqual(sorted(r["CidrIp"] for r in ing[0]["IpRanges"]), sorted([self.cidr, "192.168.0.0/24"]))
        self.assertEqual([p["GroupId"] for p in ing[0]["UserIdGroupPairs"]], [sg])
        self.assertEqual([p["PrefixListId"] for p in ing[0]["PrefixListIds"]], [pl])
        self.assertTrue(all(r.get("Description") == "https in" for r in ing[0]["IpRanges"]))

        # describe-sgs / describe-sg-rules agree with boto3
        got = ok("describe-sgs", "id=" + sg, "id=" + sg2)
        self.assertEqual(sorted(g["group_id"] for g in got), sorted([sg, sg2]))
        g2 = [g for g in got if g["group_id"] == sg2][0]
        self.assertEqual(g2["ingress"][0]["group_ids"], [sg])
        self.assertEqual(sorted(g2["ingress"][0]["cidr_ipv4"]), sorted([self.cidr, "192.168.0.0/24"]))
        got = ok("describe-sgs", "filter=vpc-id=" + self.vpc_id, "filter=group-name=fx-vpce")
        self.assertEqual([g["group_id"] for g in got], [sg2])
        got = ok("describe-sg-rules", "filter=group-id=%s,%s" % (sg, sg2))
        want = self.ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [sg, sg2]}])
        self.assertEqual(sorted(r["rule_id"] for r in got),
                         sorted(r["SecurityGroupRuleId"] for r in want["SecurityGroupRules"]))
        # revoke sg2's ingress rules by id
        ids = [r["rule_id"] for r in got if r["group_id"] == sg2 and not r["is_egress"]]
        self.assertTrue(ids)
        ok("revoke-rules", "id=" + sg2, *["rule=" + i for i in ids])
        self.assertEqual(self.ec2.describe_security_groups(GroupIds=[sg2])["SecurityGroups"][0]["IpPermissions"], [])

        ok("delete-sg", "id=" + sg2)
        self.assertEqual(self.ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": [sg2]}])
                         ["SecurityGroups"], [])
        rc, err = fails("describe-sgs", "id=" + sg2)
        self.assertEqual(rc, 2)
        self.assertEqual(err["code"], "InvalidGroup.NotFound")


class TestVpcEndpointsPrefixListsEnis(EC2Base):
    def test_vpc_endpoints(self):
        sn1 = self.ec2.create_subnet(VpcId=self.vpc_id, CidrBlock=self.prefix + ".4.0/24",
                                     AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        sn2 = self.ec2.create_subnet(VpcId=self.vpc_id, CidrBlock=self.prefix + ".5.0/24",
                                     AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
        sg = self.ec2.create_security_group(GroupName="e", Description="e", VpcId=self.vpc_id)["GroupId"]
        sg2 = self.ec2.create_security_group(GroupName="e2", Description="e2", VpcId=self.vpc_id)["GroupId"]
        rtb = self.ec2.create_route_table(VpcId=self.vpc_id)["RouteTable"]["RouteTableId"]
        svc = "com.amazonaws.%s.logs" % REGION
        ep = ok("create-vpce", "vpc=" + self.vpc_id, "service=" + svc, "type=Interface", "subnet=" + sn1,
                "subnet=" + sn2, "sg=" + sg, "private_dns=true", "token=lambdavpc-fx-logs-0",
                "tag=lambdavpc:function=fe")
        eid = ep["vpc_endpoint_id"]
        want = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[eid])["VpcEndpoints"][0]
        self.assertEqual(want["VpcEndpointType"], "Interface")
        self.assertEqual(want["ServiceName"], svc)
        self.assertEqual(sorted(want["SubnetIds"]), sorted([sn1, sn2]))
        self.assertEqual([g["GroupId"] for g in want["Groups"]], [sg])
        self.assertTrue(want["PrivateDnsEnabled"])
        self.assertEqual(tags_of(want["Tags"]), {"lambdavpc:function": "fe"})
        self.assertEqual(sorted(ep["network_interface_ids"]), sorted(want["NetworkInterfaceIds"]))

        gw = ok("create-vpce", "vpc=" + self.vpc_id, "service=com.amazonaws.%s.s3" % REGION, "type=Gateway",
                "rtb=" + rtb)
        routes = self.ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
        self.assertIn(gw["vpc_endpoint_id"], [r.get("GatewayId") for r in routes])

        got = ok("describe-vpces", "filter=vpc-id=" + self.vpc_id, "filter=service-name=" + svc)
        self.assertEqual([e["vpc_endpoint_id"] for e in got], [eid])
        got = ok("describe-vpces", "id=" + eid, "id=" + gw["vpc_endpoint_id"])
        self.assertEqual(sorted(e["vpc_endpoint_id"] for e in got), sorted([eid, gw["vpc_endpoint_id"]]))
        got = ok("describe-vpces", "filter=tag:lambdavpc:function=fe")
        self.assertEqual([e["vpc_endpoint_id"] for e in got], [eid])

        ok("modify-vpce", "id=" + eid, "remove_subnet=" + sn2, "add_sg=" + sg2, "remove_sg=" + sg)
        want = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[eid])["VpcEndpoints"][0]
        self.assertEqual(want["SubnetIds"], [sn1])
        self.assertEqual([g["GroupId"] for g in want["Groups"]], [sg2])
        failed = ok("delete-vpces", "id=" + eid, "id=" + gw["vpc_endpoint_id"], "id=vpce-0123456789abcdef0")
        self.assertEqual([f for f in failed if f["resource_id"] != "vpce-0123456789abcdef0"], [])
        for e in self.ec2.describe_vpc_endpoints(VpcEndpointIds=[eid, gw["vpc_endpoint_id"]])["VpcEndpoints"]:
            self.assertEqual(e["State"].lower(), "deleted")
        self.assertNotIn(gw["vpc_endpoint_id"], [r.get("GatewayId") for r in self.ec2.describe_route_tables(
            RouteTableIds=[rtb])["RouteTables"][0]["Routes"]])

        # gateway route tables (moto then cannot delete that endpoint: its bug, so we stop here)
        gw2 = ok("create-vpce", "vpc=" + self.vpc_id, "service=com.amazonaws.%s.dynamodb" % REGION,
                 "type=Gateway", "rtb=" + rtb)
        rtb2 = self.ec2.create_route_table(VpcId=self.vpc_id)["RouteTable"]["RouteTableId"]
        ok("modify-vpce", "id=" + gw2["vpc_endpoint_id"], "add_rtb=" + rtb2, "remove_rtb=" + rtb)
        want = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[gw2["vpc_endpoint_id"]])["VpcEndpoints"][0]
        self.assertEqual(want["RouteTableIds"], [rtb2])
        rc, err = fails("describe-vpces", "id=vpce-0123456789abcdef0")
        self.assertEqual(rc, 2)
        self.assertEqual(err["code"], "InvalidVpcEndpointId.NotFound")

    def test_prefix_lists(self):
        name = "com.amazonaws.%s.s3" % REGION
        got = ok("describe-prefix-lists", "filter=prefix-list-name=" + name)
        want = self.ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [name]}])["PrefixLists"]
        self.assertEqual([p["prefix_list_id"] for p in got], [p["PrefixListId"] for p in want])
        got = ok("describe-managed-prefix-lists", "filter=prefix-list-name=" + name)
        want = self.ec2.describe_managed_prefix_lists(
            Filters=[{"Name": "prefix-list-name", "Values": [name]}])["PrefixLists"]
        self.assertEqual([p["prefix_list_id"] for p in got], [p["PrefixListId"] for p in want])
        self.assertEqual(got[0]["state"], want[0]["State"])

    def test_network_interfaces(self):
        sn = self.ec2.create_subnet(VpcId=self.vpc_id, CidrBlock=self.prefix + ".6.0/24",
                                    AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        sg = self.ec2.create_security_group(GroupName="l", Description="l", VpcId=self.vpc_id)["GroupId"]
        eni = self.ec2.create_network_interface(SubnetId=sn, Groups=[sg],
                                                Description="AWS Lambda VPC ENI-fx-1234")["NetworkInterface"]
        other = self.ec2.create_network_interface(SubnetId=sn, Description="other")["NetworkInterface"]
        got = ok("describe-enis", "filter=group-id=" + sg)
        self.assertEqual([e["network_interface_id"] for e in got], [eni["NetworkInterfaceId"]])
        self.assertEqual(got[0]["description"], "AWS Lambda VPC ENI-fx-1234")
        self.assertEqual(got[0]["security_group_ids"], [sg])
        self.assertEqual(got[0]["status"], eni["Status"])
        got = ok("describe-enis", "filter=subnet-id=" + sn)
        self.assertEqual(sorted(e["network_interface_id"] for e in got),
                         sorted([eni["NetworkInterfaceId"], other["NetworkInterfaceId"]]))
        got = ok("describe-enis", "filter=description=AWS Lambda VPC ENI*", "filter=vpc-id=" + self.vpc_id)
        self.assertEqual([e["network_interface_id"] for e in got], [eni["NetworkInterfaceId"]])
        ok("delete-eni", "id=" + eni["NetworkInterfaceId"])
        left = self.ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [sn]}])
        self.assertEqual([e["NetworkInterfaceId"] for e in left["NetworkInterfaces"]], [other["NetworkInterfaceId"]])
        rc, err = fails("delete-eni", "id=" + eni["NetworkInterfaceId"])
        self.assertEqual(rc, 2)
        self.assertEqual(err["code"], "InvalidNetworkInterfaceID.NotFound")
        rc, err = fails("detach-eni", "attachment=eni-attach-0123456789abcdef0", "force=1")
        self.assertNotEqual(err["code"], "")
        # moto answers unimplemented filters with a werkzeug HTML 500 page
        # (only when there is an ENI to filter: `other` still exists here)
        rc, err = fails("describe-enis", "filter=attachment.status=attached", "filter=vpc-id=" + self.vpc_id)
        self.assertEqual((rc, err["code"], err["status"]), (1, "InternalError", 500))
        self.assertIn("Internal Server Error", err["message"])


class TestIam(unittest.TestCase):
    def setUp(self):
        self.iam = client("iam")

    def test_role_lifecycle(self):
        name = "lvpc-role-1"
        got = ok("create-role", "name=" + name, "desc=exec role", "path=/lambdavpc/",
                 "tag=lambdavpc:function=fi", "tag=Team=x y", "boundary=" + LAMBDA_VPC_POLICY)
        role = self.iam.get_role(RoleName=name)["Role"]
        self.assertEqual(got["arn"], role["Arn"])
        self.assertEqual(got["role_id"], role["RoleId"])
        self.assertEqual(role["Path"], "/lambdavpc/")
        self.assertEqual(role["Description"], "exec role")
        self.assertEqual(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
                         {"Service": "lambda.amazonaws.com"})
        self.assertEqual(role["PermissionsBoundary"]["PermissionsBoundaryArn"], LAMBDA_VPC_POLICY)
        self.assertEqual(tags_of(role["Tags"]), {"lambdavpc:function": "fi", "Team": "x y"})
        rc, err = fails("create-role", "name=" + name)
        self.assertEqual(err["code"], "EntityAlreadyExists")

        got = ok("get-role", "name=" + name)
        self.assertEqual(json.loads(got["assume_role_policy"]), role["AssumeRolePolicyDocument"])
        self.assertEqual(got["tags"], {"lambdavpc:function": "fi", "Team": "x y"})

        ok("update-role", "name=" + name, "desc=new desc", "max_session=7200")
        role = self.iam.get_role(RoleName=name)["Role"]
        self.assertEqual((role["Description"], role["MaxSessionDuration"]), ("new desc", 7200))
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}
        ok("update-assume-role-policy", "name=" + name, "policy=" + json.dumps(trust))
        self.assertEqual(self.iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"], trust)
        ok("set-permissions-boundary", "name=" + name)
        self.assertNotIn("PermissionsBoundary", self.iam.get_role(RoleName=name)["Role"])
        ok("set-permissions-boundary", "name=" + name, "boundary=" + LAMBDA_VPC_POLICY)
        self.assertEqual(self.iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"],
                         LAMBDA_VPC_POLICY)

        ok("attach-role-policy", "name=" + name, "arn=" + LAMBDA_VPC_POLICY)
        want = self.iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        self.assertEqual([p["PolicyArn"] for p in want], [LAMBDA_VPC_POLICY])
        got = ok("list-attached-role-policies", "name=" + name)
        self.assertEqual(got, [{"policy_name": "AWSLambdaVPCAccessExecutionRole", "policy_arn": LAMBDA_VPC_POLICY}])

        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"],
                                                       "Resource": "arn:aws:s3:::b/*"}]}
        ok("put-role-policy", "name=" + name, "policy_name=inline-1", "policy=" + json.dumps(doc))
        self.assertEqual(self.iam.get_role_policy(RoleName=name, PolicyName="inline-1")["PolicyDocument"], doc)
        self.assertEqual(json.loads(ok("get-role-policy", "name=" + name, "policy_name=inline-1")), doc)
        self.assertEqual(ok("list-role-policies", "name=" + name), ["inline-1"])

        ok("tag-role", "name=" + name, "tag=extra=1")
        self.assertEqual(tags_of(self.iam.list_role_tags(RoleName=name)["Tags"]),
                         {"lambdavpc:function": "fi", "Team": "x y", "extra": "1"})
        ok("untag-role", "name=" + name, "key=Team", "key=extra")
        self.assertEqual(tags_of(self.iam.list_role_tags(RoleName=name)["Tags"]), {"lambdavpc:function": "fi"})
        self.assertEqual(ok("list-role-tags", "name=" + name), {"lambdavpc:function": "fi"})

        rc, err = fails("delete-role", "name=" + name)
        self.assertEqual(err["code"], "DeleteConflict")
        self.assertEqual(err["status"], 409)
        ok("detach-role-policy", "name=" + name, "arn=" + LAMBDA_VPC_POLICY)
        self.assertEqual(self.iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"], [])
        rc, err = fails("detach-role-policy", "name=" + name, "arn=" + LAMBDA_VPC_POLICY)
        self.assertEqual((rc, err["code"]), (2, "NoSuchEntity"))
        ok("delete-role-policy", "name=" + name, "policy_name=inline-1")
        self.assertEqual(self.iam.list_role_policies(RoleName=name)["PolicyNames"], [])
        ok("delete-role", "name=" + name)
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.get_role(RoleName=name)
        rc, err = fails("get-role", "name=" + name)
        self.assertEqual((rc, err["code"], err["status"]), (2, "NoSuchEntity", 404))

    def test_malformed_policy(self):
        self.iam.create_role(RoleName="lvpc-role-2", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}))
        rc, err = fails("put-role-policy", "name=lvpc-role-2", "policy_name=p",
                        "policy=" + json.dumps({"Version": "2012-10-17",
                                                "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}))
        self.assertEqual(err["code"], "MalformedPolicyDocument")


class TestSts(unittest.TestCase):
    def setUp(self):
        self.sts = client("sts")
        self.iam = client("iam")

    def test_get_caller_identity(self):
        got = ok("get-caller-identity")
        want = self.sts.get_caller_identity()
        self.assertEqual((got["account"], got["arn"], got["user_id"]), (want["Account"], want["Arn"], want["UserId"]))

    def test_assume_role(self):
        arn = self.iam.create_role(RoleName="lvpc-assume", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        got = ok("assume-role", "arn=" + arn, "session=probe-session", "duration=900", "external_id=ext")
        self.assertTrue(got["has_secret"] and got["has_session_token"])
        self.assertEqual(got["assumed_role_arn"], "arn:aws:sts::123456789012:assumed-role/lvpc-assume/probe-session")
        # boto3, with the returned key id, is seen by moto as that session
        sts2 = boto3.client("sts", endpoint_url=MOTO["url"], region_name=REGION,
                            aws_access_key_id=got["access_key_id"], aws_secret_access_key="x",
                            aws_session_token="x")
        self.assertEqual(sts2.get_caller_identity()["Arn"], got["assumed_role_arn"])
        got = ok("assume-role-web-identity", "arn=" + arn, "session=wi", "token=eyJhbGciOi.token.sig")
        self.assertTrue(got["assumed_role_arn"].endswith(":assumed-role/lvpc-assume/wi"))
        self.assertTrue(got["access_key_id"])


class TestLambda(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.iam = client("iam")
        cls.lam = client("lambda")
        cls.ec2 = client("ec2")
        cls.role = cls.iam.create_role(RoleName="lvpc-fn-role", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        cls.tmp = os.path.join(ROOT, "build", "tmp-aws-it")
        os.makedirs(cls.tmp, exist_ok=True)

    def write_zip(self, name, text):
        path = os.path.join(self.tmp, name)
        data = make_zip(text)
        with open(path, "wb") as f:
            f.write(data)
        return path, base64.b64encode(hashlib.sha256(data).digest()).decode()

    def test_function_lifecycle(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.250.0.0/16")["Vpc"]["VpcId"]
        sn = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.250.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        sg = self.ec2.create_security_group(GroupName="fnsg", Description="d", VpcId=vpc)["GroupId"]
        z1, sha1 = self.write_zip("f1.zip", "def lambda_handler(e, c):\n    return 1\n")
        got = ok("create-function", "name=lvpc-fn", "role=" + self.role, "runtime=python3.12",
                 "handler=handler.lambda_handler", "zip=" + z1, "memory=256", "timeout=10", "env=STAGE=prod",
                 "env=QUOTE=a\"b", "desc=first", "arch=arm64", "tracing=Active", "ephemeral=1024",
                 "log_format=JSON", "subnet=" + sn, "sg=" + sg, "tag=lambdavpc:function=lvpc-fn", "tag=Team=t")
        fn = self.lam.get_function(FunctionName="lvpc-fn")
        cfg = fn["Configuration"]
        self.assertEqual(got["function_arn"], cfg["FunctionArn"])
        self.assertEqual(cfg["CodeSha256"], sha1)
        self.assertEqual(got["code_sha256"], sha1)
        self.assertEqual((cfg["Runtime"], cfg["Handler"], cfg["Role"]), ("python3.12", "handler.lambda_handler", self.role))
        self.assertEqual((cfg["MemorySize"], cfg["Timeout"], cfg["Description"]), (256, 10, "first"))
        self.assertEqual(cfg["Environment"]["Variables"], {"STAGE": "prod", "QUOTE": "a\"b"})
        self.assertEqual(cfg["Architectures"], ["arm64"])
        self.assertEqual(cfg["TracingConfig"]["Mode"], "Active")
        self.assertEqual(cfg["EphemeralStorage"]["Size"], 1024)
        self.assertEqual(cfg["VpcConfig"]["SubnetIds"], [sn])
        self.assertEqual(cfg["VpcConfig"]["SecurityGroupIds"], [sg])
        self.assertEqual(fn["Tags"], {"lambdavpc:function": "lvpc-fn", "Team": "t"})
        rc, err = fails("create-function", "name=lvpc-fn", "role=" + self.role, "runtime=python3.12",
                        "handler=h.h", "zip=" + z1)
        self.assertEqual((err["code"], err["status"]), ("ResourceConflictException", 409))

        got = ok("get-function", "name=lvpc-fn")
        self.assertEqual(got["function_arn"], cfg["FunctionArn"])
        self.assertEqual(got["state"], cfg["State"])
        self.assertEqual(got["tags"], fn["Tags"])
        self.assertEqual(got["environment"], cfg["Environment"]["Variables"])
        got = ok("get-function-config", "name=" + cfg["FunctionArn"])
        self.assertEqual(got["function_name"], "lvpc-fn")
        self.assertEqual(got["last_modified"], self.lam.get_function_configuration(FunctionName="lvpc-fn")["LastModified"])

        ok("update-function-config", "name=lvpc-fn", "role=" + self.role, "runtime=python3.12",
           "handler=handler.lambda_handler", "memory=512", "timeout=30", "env=NEW=1", "tracing=PassThrough")
        cfg = self.lam.get_function_configuration(FunctionName="lvpc-fn")
        self.assertEqual((cfg["MemorySize"], cfg["Timeout"]), (512, 30))
        self.assertEqual(cfg["Environment"]["Variables"], {"NEW": "1"})
        self.assertEqual(cfg.get("Description", ""), "")
        self.assertEqual(cfg["VpcConfig"].get("SubnetIds", []), [])
        # (moto ignores TracingConfig in UpdateFunctionConfiguration: not checked)

        z2, sha2 = self.write_zip("f2.zip", "def lambda_handler(e, c):\n    return 2\n")
        got = ok("update-function-code", "name=lvpc-fn", "zip=" + z2, "publish=true")
        self.assertEqual(self.lam.get_function_configuration(FunctionName="lvpc-fn")["CodeSha256"], sha2)
        versions = [v["Version"] for v in self.lam.list_versions_by_function(FunctionName="lvpc-fn")["Versions"]]
        self.assertIn(got["version"], versions)
        self.assertNotEqual(got["version"], "$LATEST")

        arn = cfg["FunctionArn"]
        ok("tag-function", "arn=" + arn, "tag=extra=1", "tag=sp ace=v w")
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"],
                         {"lambdavpc:function": "lvpc-fn", "Team": "t", "extra": "1", "sp ace": "v w"})
        ok("untag-function", "arn=" + arn, "key=Team", "key=sp ace")
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"lambdavpc:function": "lvpc-fn", "extra": "1"})
        self.assertEqual(ok("list-function-tags", "arn=" + arn), {"lambdavpc:function": "lvpc-fn", "extra": "1"})

        self.assertEqual(ok("get-concurrency", "name=lvpc-fn"), {"has": False, "reserved": 0})
        ok("put-concurrency", "name=lvpc-fn", "n=5")
        self.assertEqual(self.lam.get_function_concurrency(FunctionName="lvpc-fn")["ReservedConcurrentExecutions"], 5)
        self.assertEqual(ok("get-concurrency", "name=lvpc-fn"), {"has": True, "reserved": 5})
        got = ok("get-function", "name=lvpc-fn")
        self.assertTrue(got["has_reserved_concurrency"])
        ok("delete-concurrency", "name=lvpc-fn")
        self.assertNotIn("ReservedConcurrentExecutions", self.lam.get_function_concurrency(FunctionName="lvpc-fn"))

        ok("delete-function", "name=lvpc-fn")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_function(FunctionName="lvpc-fn")
        rc, err = fails("get-function", "name=lvpc-fn")
        self.assertEqual((rc, err["code"], err["status"]), (2, "ResourceNotFoundException", 404))
        self.assertTrue(err["request_id"])
        rc, err = fails("delete-function", "name=lvpc-fn")
        self.assertEqual(rc, 2)

    def test_publish_version_and_role_validation(self):
        z, sha = self.write_zip("f3.zip", "def lambda_handler(e, c):\n    return 3\n")
        ok("create-function", "name=lvpc-fn2", "role=" + self.role, "runtime=python3.12", "handler=handler.lambda_handler",
           "zip=" + z)
        got = ok("publish-version", "name=lvpc-fn2")
        versions = [v["Version"] for v in self.lam.list_versions_by_function(FunctionName="lvpc-fn2")["Versions"]]
        self.assertIn(got["version"], versions)
        rc, err = fails("create-function", "name=lvpc-fn3", "role=arn:aws:iam::123456789012:role/missing",
                        "runtime=python3.12", "handler=h.h", "zip=" + z)
        self.assertEqual(err["code"], "InvalidParameterValueException")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_function(FunctionName="lvpc-fn3")


if __name__ == "__main__":
    unittest.main(verbosity=2)
