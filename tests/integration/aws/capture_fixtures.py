#!/usr/bin/env python3
"""Records real moto responses (raw bodies) into tests/data/aws/<svc>/.

Usage: capture_fixtures.py  (starts its own moto_server on 127.0.0.1)
The recorded bodies are the fixtures of the parser unit tests
(tests/unit/aws/*_test.c). Run from the repository root.
"""
import base64, io, os, socket, subprocess, sys, time, urllib.request, zipfile

import boto3, botocore

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
DATA = os.path.join(ROOT, "tests", "data", "aws")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start_moto(extra_env=None):
    port = free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    env.update(extra_env or {})
    proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1).read()
            return proc, url
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto_server did not start")


captured = {}


def hook(http_response, model, **kw):
    captured[model.name] = (http_response.status_code, http_response.content)


def client(svc, url):
    c = boto3.client(svc, endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                     aws_secret_access_key="secret",
                     config=botocore.config.Config(retries={"max_attempts": 1}))
    c.meta.events.register("after-call", hook)
    c.meta.events.register("after-call-error", lambda **kw: None)
    return c


def save(svc, name, op=None):
    status, body = captured[op or name]
    path = os.path.join(DATA, svc, name + (".json" if svc == "lambda" and body[:1] in b"{[" else ".xml"))
    with open(path, "wb") as f:
        f.write(body)
    print("%-40s %d %d bytes" % (os.path.relpath(path, ROOT), status, len(body)))


def save_raw(svc, name, status, body, ext):
    path = os.path.join(DATA, svc, name + ext)
    with open(path, "wb") as f:
        f.write(body)
    print("%-40s %d %d bytes" % (os.path.relpath(path, ROOT), status, len(body)))


def expect_error(fn, *a, **kw):
    try:
        fn(*a, **kw)
    except Exception as e:  # ClientError, or ResponseParserError for HTML
        return e
    raise AssertionError("expected an error")


def main():
    proc, url = start_moto()
    try:
        ec2, iam, sts, lam = (client(s, url) for s in ("ec2", "iam", "sts", "lambda"))
        # errors are captured through a second hook on the raw response
        errs = {}

        def on_before_parse(operation_model, response_dict, **kw):
            errs[operation_model.name] = (response_dict["status_code"], response_dict["body"],
                                          dict(response_dict["headers"]))
        for c in (ec2, iam, sts, lam):
            c.meta.events.register("before-parse", on_before_parse)

        vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16", TagSpecifications=[{"ResourceType": "vpc",
                             "Tags": [{"Key": "Name", "Value": "fixture"}]}])["Vpc"]["VpcId"]
        ec2.describe_vpcs(VpcIds=[vpc]); save("ec2", "DescribeVpcs")
        ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsSupport")
        save("ec2", "DescribeVpcAttribute")
        ec2.describe_availability_zones(); save("ec2", "DescribeAvailabilityZones")
        tags = [{"Key": "lambdavpc:function", "Value": "fx"}, {"Key": "Team", "Value": "a&b <c>"}]
        sn = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24", AvailabilityZone="us-east-1b",
                               TagSpecifications=[{"ResourceType": "subnet", "Tags": tags}])["Subnet"]["SubnetId"]
        save("ec2", "CreateSubnet")
        sn2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.2.0/24", AvailabilityZone="us-east-1c")["Subnet"]["SubnetId"]
        ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}]); save("ec2", "DescribeSubnets")
        sg = ec2.create_security_group(GroupName="fx-lambda", Description="fx lambda", VpcId=vpc,
                                       TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}])["GroupId"]
        save("ec2", "CreateSecurityGroup")
        sg2 = ec2.create_security_group(GroupName="fx-vpce", Description="fx vpce", VpcId=vpc)["GroupId"]
        ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=[{"IpProtocol": "-1",
                                         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        save("ec2", "RevokeSecurityGroupEgress")
        ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443,
            "ToPort": 443, "UserIdGroupPairs": [{"GroupId": sg2, "Description": "to vpce"}]}])
        save("ec2", "AuthorizeSecurityGroupEgress")
        ec2.authorize_security_group_ingress(GroupId=sg2, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443,
            "ToPort": 443, "UserIdGroupPairs": [{"GroupId": sg}], "IpRanges": [{"CidrIp": "10.7.0.0/16",
            "Description": "vpc"}]}])
        save("ec2", "AuthorizeSecurityGroupIngress")
        ec2.describe_security_groups(GroupIds=[sg, sg2]); save("ec2", "DescribeSecurityGroups")
        ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [sg, sg2]}])
        save("ec2", "DescribeSecurityGroupRules")
        rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=[{"ResourceType": "route-table", "Tags": tags}])
        save("ec2", "CreateRouteTable")
        rt = rt["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rt, SubnetId=sn); save("ec2", "AssociateRouteTable")
        ep = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.logs",
                                     VpcEndpointType="Interface", SubnetIds=[sn, sn2], SecurityGroupIds=[sg2],
                                     PrivateDnsEnabled=True, ClientToken="tok-1",
                                     TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": tags}])
        save("ec2", "CreateVpcEndpoint")
        ep = ep["VpcEndpoint"]["VpcEndpointId"]
        gw = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                                     VpcEndpointType="Gateway", RouteTableIds=[rt])["VpcEndpoint"]["VpcEndpointId"]
        ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}]); save("ec2", "DescribeVpcEndpoints")
        ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}]); save("ec2", "DescribeRouteTables")
        ec2.modify_vpc_endpoint(VpcEndpointId=ep, RemoveSubnetIds=[sn2]); save("ec2", "ModifyVpcEndpoint")
        ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}])
        save("ec2", "DescribePrefixLists")
        ec2.describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name",
                                                    "Values": ["com.amazonaws.us-east-1.s3"]}])
        save("ec2", "DescribeManagedPrefixLists")
        ec2.create_network_interface(SubnetId=sn, Description="AWS Lambda VPC ENI-fx-1234", Groups=[sg])
        ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
        save("ec2", "DescribeNetworkInterfaces")
        ec2.create_tags(Resources=[sn], Tags=[{"Key": "x", "Value": "y"}]); save("ec2", "CreateTags")
        ec2.delete_vpc_endpoints(VpcEndpointIds=[gw, "vpce-00000000000000000"]); save("ec2", "DeleteVpcEndpoints")
        # EC2 errors
        expect_error(ec2.describe_subnets, SubnetIds=["subnet-00000000"])
        st, body, hdr = errs["DescribeSubnets"]; save_raw("errors", "ec2_subnet_not_found", st, body, ".xml")
        expect_error(ec2.create_security_group, GroupName="fx-lambda", Description="d", VpcId=vpc)
        st, body, hdr = errs["CreateSecurityGroup"]; save_raw("errors", "ec2_group_duplicate", st, body, ".xml")
        expect_error(ec2.describe_network_interfaces, Filters=[{"Name": "attachment.status", "Values": ["x"]}])
        st, body, hdr = errs["DescribeNetworkInterfaces"]; save_raw("errors", "moto_html_500", st, body, ".html")
        print("  html content-type:", hdr.get("Content-Type"))

        # IAM
        trust = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
                 '{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
        iam.create_role(RoleName="fx-role", AssumeRolePolicyDocument=trust, Description="fixture role",
                        Tags=[{"Key": "lambdavpc:function", "Value": "fx"}])
        save("iam", "CreateRole")
        iam.get_role(RoleName="fx-role"); save("iam", "GetRole")
        iam.attach_role_policy(RoleName="fx-role",
                               PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
        iam.list_attached_role_policies(RoleName="fx-role"); save("iam", "ListAttachedRolePolicies")
        pol = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
        iam.put_role_policy(RoleName="fx-role", PolicyName="inline", PolicyDocument=pol)
        iam.get_role_policy(RoleName="fx-role", PolicyName="inline"); save("iam", "GetRolePolicy")
        iam.list_role_policies(RoleName="fx-role"); save("iam", "ListRolePolicies")
        iam.list_role_tags(RoleName="fx-role"); save("iam", "ListRoleTags")
        expect_error(iam.get_role, RoleName="nope")
        st, body, hdr = errs["GetRole"]; save_raw("errors", "iam_no_such_entity", st, body, ".xml")
        expect_error(iam.delete_role, RoleName="fx-role")
        st, body, hdr = errs["DeleteRole"]; save_raw("errors", "iam_delete_conflict", st, body, ".xml")

        # STS
        sts.get_caller_identity(); save("sts", "GetCallerIdentity")
        sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/fx-role", RoleSessionName="s1")
        save("sts", "AssumeRole")
        sts.assume_role_with_web_identity(RoleArn="arn:aws:iam::123456789012:role/fx-role",
                                          RoleSessionName="s2", WebIdentityToken="token-abc")
        save("sts", "AssumeRoleWithWebIdentity")

        # Lambda
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("handler.py", "def lambda_handler(e, c):\n    return 1\n")
        arn = iam.get_role(RoleName="fx-role")["Role"]["Arn"]
        lam.create_function(FunctionName="fx", Runtime="python3.12", Role=arn, Handler="handler.lambda_handler",
                            Code={"ZipFile": buf.getvalue()}, Timeout=10, MemorySize=256,
                            Environment={"Variables": {"STAGE": "prod"}},
                            VpcConfig={"SubnetIds": [sn], "SecurityGroupIds": [sg]}, Tags={"Team": "x"})
        save("lambda", "CreateFunction")
        lam.put_function_concurrency(FunctionName="fx", ReservedConcurrentExecutions=5)
        save("lambda", "PutFunctionConcurrency")
        lam.get_function(FunctionName="fx"); save("lambda", "GetFunction")
        lam.get_function_configuration(FunctionName="fx"); save("lambda", "GetFunctionConfiguration")
        lam.get_function_concurrency(FunctionName="fx"); save("lambda", "GetFunctionConcurrency")
        fa = lam.get_function(FunctionName="fx")["Configuration"]["FunctionArn"]
        lam.list_tags(Resource=fa); save("lambda", "ListTags")
        lam.update_function_configuration(FunctionName="fx", VpcConfig={"SubnetIds": [], "SecurityGroupIds": []})
        save("lambda", "UpdateFunctionConfiguration")
        expect_error(lam.get_function, FunctionName="nope")
        st, body, hdr = errs["GetFunction"]; save_raw("errors", "lambda_not_found", st, body, ".json")
        print("  lambda 404 headers:", {k: v for k, v in hdr.items() if k.lower().startswith("x-amz")})
        expect_error(lam.create_function, FunctionName="fx", Runtime="python3.12", Role=arn,
                     Handler="h.h", Code={"ZipFile": buf.getvalue()})
        st, body, hdr = errs["CreateFunction"]; save_raw("errors", "lambda_conflict", st, body, ".json")
        print("  lambda 409 headers:", {k: v for k, v in hdr.items() if k.lower().startswith("x-amz")})
    finally:
        proc.kill()
        proc.wait()

    # moto auth failure (signature checking on from the first request)
    proc, url = start_moto({"INITIAL_NO_AUTH_ACTION_COUNT": "0"})
    try:
        errs2 = {}

        def on_nr(operation_model, response_dict, **kw):
            errs2[operation_model.name] = (response_dict["status_code"], response_dict["body"],
                                           dict(response_dict["headers"]))
        ec2 = client("ec2", url)
        ec2.meta.events.register("before-parse", on_nr)
        expect_error(ec2.describe_vpcs)
        st, body, hdr = errs2["DescribeVpcs"]; save_raw("errors", "moto_auth_failure_ec2", st, body, ".xml")
        iam = client("iam", url)
        iam.meta.events.register("before-parse", on_nr)
        expect_error(iam.get_role, RoleName="x")
        st, body, hdr = errs2["GetRole"]; save_raw("errors", "moto_auth_failure_iam", st, body, ".xml")
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
