/* Typed EC2 operations: request bodies byte-exact, recorded moto replies
 * parsed, pagination followed, errors mapped. Uses the scripted transport. */
#include <string.h>

#include "t.h"
#include "aws_ops_fake.h"
#include "aws/aws_ec2.h"
#include "base/base_arena.h"

#define D "tests/data/aws/ec2/"

static const char *const ids2[] = { "subnet-1", "subnet-2" };

void test_aws_ec2__describe_subnets_paginates(void)
{
	static const char page1[] =
		"<DescribeSubnetsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><subnetSet><item>"
		"<subnetId>subnet-1</subnetId><state>available</state><vpcId>vpc-1</vpcId></item></subnetSet>"
		"<nextToken>tok/1+=</nextToken></DescribeSubnetsResponse>";
	static const char page2[] =
		"<DescribeSubnetsResponse><subnetSet><item><subnetId>subnet-2</subnetId><state>pending</state>"
		"<mapPublicIpOnLaunch>true</mapPublicIpOnLaunch><availableIpAddressCount>27</availableIpAddressCount>"
		"</item></subnetSet><nextToken/></DescribeSubnetsResponse>";
	static const char *const fn[] = { "fx" };
	static const aws_filter flt[] = { { "tag:lambdavpc:function", { fn, 1 } } };
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_ec2_subnets out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, NULL, page1);
	ops_fake_reply_add(&f, 200, NULL, page2);
	T_OK(aws_ec2_describe_subnets(f.client, a, AWS_STRS(ids2), AWS_FILTERS(flt), &out, &err));
	T_ASSERT_INT(f.n_req, 2);
	T_ASSERT_STR(f.method[0], "POST");
	T_ASSERT_STR(f.url[0], "http://127.0.0.1:9/");
	T_ASSERT_STR(f.body[0], "Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-1&SubnetId.2=subnet-2"
				"&Filter.1.Name=tag%3Alambdavpc%3Afunction&Filter.1.Value.1=fx");
	T_ASSERT_STR(f.body[1], "Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-1&SubnetId.2=subnet-2"
				"&Filter.1.Name=tag%3Alambdavpc%3Afunction&Filter.1.Value.1=fx&NextToken=tok%2F1%2B%3D");
	T_ASSERT_INT(out.n, 2);
	T_ASSERT_STR(out.v[0].subnet_id, "subnet-1");
	T_ASSERT_STR(out.v[0].vpc_id, "vpc-1");
	T_ASSERT(!out.v[0].map_public_ip_on_launch);
	T_ASSERT_STR(out.v[1].state, "pending");
	T_ASSERT(out.v[1].map_public_ip_on_launch);
	T_ASSERT_INT(out.v[1].available_ip_count, 27);
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__describe_subnets_recorded(void)
{
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_ec2_subnets out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "DescribeSubnets.xml", NULL);
	T_OK(aws_ec2_describe_subnets(f.client, a, (aws_strs){ 0 }, (aws_filters){ 0 }, &out, &err));
	T_ASSERT_STR(f.body[0], "Action=DescribeSubnets&Version=2016-11-15");
	T_ASSERT_INT(out.n, 2);
	T_ASSERT_STR(out.v[0].cidr_block, "10.7.1.0/24");
	T_ASSERT_STR(out.v[0].availability_zone, "us-east-1b");
	T_ASSERT(out.v[0].availability_zone_id != NULL);
	T_ASSERT_STR(aws_tags_get(out.v[0].tags, "lambdavpc:function"), "fx");
	T_ASSERT_STR(aws_tags_get(out.v[0].tags, "Team"), "a&b <c>");
	T_ASSERT_STR(out.v[1].cidr_block, "10.7.2.0/24");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__create_subnet_body(void)
{
	static const aws_tag tags[] = { { "lambdavpc:function", "fx" }, { "Team", "a&b <c>" } };
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_ec2_subnet_spec spec = { "vpc-bb0774e8ea7961bf3", "10.7.1.0/24", "us-east-1b", NULL, AWS_TAGS(tags) };
	aws_ec2_subnet out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "CreateSubnet.xml", NULL);
	T_OK(aws_ec2_create_subnet(f.client, a, &spec, &out, &err));
	T_ASSERT_STR(f.body[0], "Action=CreateSubnet&Version=2016-11-15&VpcId=vpc-bb0774e8ea7961bf3"
				"&CidrBlock=10.7.1.0%2F24&AvailabilityZone=us-east-1b"
				"&TagSpecification.1.ResourceType=subnet"
				"&TagSpecification.1.Tag.1.Key=lambdavpc%3Afunction&TagSpecification.1.Tag.1.Value=fx"
				"&TagSpecification.1.Tag.2.Key=Team&TagSpecification.1.Tag.2.Value=a%26b%20%3Cc%3E");
	T_ASSERT(strncmp(out.subnet_id, "subnet-", 7) == 0);
	T_ASSERT_STR(out.vpc_id, "vpc-bb0774e8ea7961bf3");
	T_ASSERT_STR(out.cidr_block, "10.7.1.0/24");
	T_ASSERT_INT(out.tags.n, 2);
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__not_found_maps(void)
{
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_ec2_subnets out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 400, "tests/data/aws/errors/ec2_subnet_not_found.xml", NULL);
	T_ASSERT_INT(aws_ec2_describe_subnets(f.client, a, AWS_STRS(ids2), (aws_filters){ 0 }, &out, &err),
		     BASE_ENOTFOUND);
	T_ASSERT_STR(err.code, "InvalidSubnetID.NotFound");
	T_ASSERT_INT(err.http_status, 400);
	T_ASSERT_INT(out.n, 0);
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__other_errors_and_html(void)
{
	static const aws_ec2_sg_spec spec = { "fx-lambda", "fx lambda", "vpc-1", { NULL, 0 } };
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	const char *id = "x";
	aws_ec2_enis enis;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 400, "tests/data/aws/errors/ec2_group_duplicate.xml", NULL);
	ops_fake_reply_add(&f, 200, NULL, "not xml at all");
	T_ASSERT_INT(aws_ec2_create_security_group(f.client, a, &spec, &id, &err), BASE_EAWS);
	T_ASSERT(id == NULL);
	T_ASSERT_STR(err.code, "InvalidGroup.Duplicate");
	T_ASSERT_STR(f.body[0], "Action=CreateSecurityGroup&Version=2016-11-15&GroupName=fx-lambda"
				"&GroupDescription=fx%20lambda&VpcId=vpc-1");
	T_ASSERT_INT(aws_ec2_describe_network_interfaces(f.client, a, (aws_strs){ 0 }, (aws_filters){ 0 }, &enis, &err),
		     BASE_EINVALID);
	T_ASSERT_STR(err.code, "InvalidResponse");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__authorize_body_and_rules(void)
{
	static const char *const groups[] = { "sg-2eef00e2528a5cbc2" };
	static const char *const cidrs[] = { "10.7.0.0/16", "10.8.0.0/16" };
	static const char *const pls[] = { "pl-1" };
	aws_ec2_ip_perm perms[2];
	static const aws_tag rtags[] = { { "lambdavpc:function", "fx" } };
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_ec2_sg_rules rules;
	aws_error err;

	memset(perms, 0, sizeof perms);
	perms[0].ip_protocol = "tcp";
	perms[0].from_port = 443;
	perms[0].to_port = 443;
	perms[0].group_ids = (aws_strs)AWS_STRS(groups);
	perms[0].description = "to vpce";
	perms[1].ip_protocol = "-1";
	perms[1].omit_ports = true;
	perms[1].cidr_ipv4 = (aws_strs)AWS_STRS(cidrs);
	perms[1].prefix_list_ids = (aws_strs)AWS_STRS(pls);
	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "AuthorizeSecurityGroupEgress.xml", NULL);
	T_OK(aws_ec2_authorize_security_group(f.client, a, "sg-16bb14110d5aa25fa", true, perms, 2, AWS_TAGS(rtags),
					      &rules, &err));
	T_ASSERT_STR(f.body[0],
		     "Action=AuthorizeSecurityGroupEgress&Version=2016-11-15&GroupId=sg-16bb14110d5aa25fa"
		     "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443"
		     "&IpPermissions.1.Groups.1.GroupId=sg-2eef00e2528a5cbc2"
		     "&IpPermissions.1.Groups.1.Description=to%20vpce"
		     "&IpPermissions.2.IpProtocol=-1"
		     "&IpPermissions.2.IpRanges.1.CidrIp=10.7.0.0%2F16&IpPermissions.2.IpRanges.2.CidrIp=10.8.0.0%2F16"
		     "&IpPermissions.2.PrefixListIds.1.PrefixListId=pl-1"
		     "&TagSpecification.1.ResourceType=security-group-rule"
		     "&TagSpecification.1.Tag.1.Key=lambdavpc%3Afunction&TagSpecification.1.Tag.1.Value=fx");
	T_ASSERT_INT(rules.n, 1);
	T_ASSERT_STR(rules.v[0].rule_id, "sgr-d9b647a70df015898");
	T_ASSERT(rules.v[0].is_egress);
	T_ASSERT_INT(rules.v[0].from_port, 443);
	T_ASSERT_STR(rules.v[0].referenced_group_id, "sg-2eef00e2528a5cbc2");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__revoke_bodies(void)
{
	static const char *const any4[] = { "0.0.0.0/0" };
	static const char *const rid[] = { "sgr-1", "sgr-2" };
	aws_ec2_ip_perm p;
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_error err;

	memset(&p, 0, sizeof p);
	p.ip_protocol = "-1";
	p.from_port = 0;
	p.to_port = 0;
	p.cidr_ipv4 = (aws_strs)AWS_STRS(any4);
	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "RevokeSecurityGroupEgress.xml", NULL);
	ops_fake_reply_add(&f, 200, D "RevokeSecurityGroupEgress.xml", NULL);
	T_OK(aws_ec2_revoke_security_group(f.client, a, "sg-1", true, &p, 1, &err));
	T_OK(aws_ec2_revoke_security_group_rules(f.client, a, "sg-1", false, AWS_STRS(rid), &err));
	T_ASSERT_STR(f.body[0], "Action=RevokeSecurityGroupEgress&Version=2016-11-15&GroupId=sg-1"
				"&IpPermissions.1.IpProtocol=-1&IpPermissions.1.FromPort=0&IpPermissions.1.ToPort=0"
				"&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0");
	T_ASSERT_STR(f.body[1], "Action=RevokeSecurityGroupIngress&Version=2016-11-15&GroupId=sg-1"
				"&SecurityGroupRuleId.1=sgr-1&SecurityGroupRuleId.2=sgr-2");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__describe_security_groups_recorded(void)
{
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_ec2_sgs out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "DescribeSecurityGroups.xml", NULL);
	T_OK(aws_ec2_describe_security_groups(f.client, a, (aws_strs){ 0 }, (aws_filters){ 0 }, &out, &err));
	T_ASSERT_INT(out.n, 2);
	T_ASSERT_STR(out.v[0].group_name, "fx-lambda");
	T_ASSERT_STR(out.v[0].description, "fx lambda");
	T_ASSERT_INT(out.v[0].n_ingress, 0);
	T_ASSERT_INT(out.v[0].n_egress, 1);
	T_ASSERT_STR(out.v[0].egress[0].ip_protocol, "tcp");
	T_ASSERT_INT(out.v[0].egress[0].from_port, 443);
	T_ASSERT_INT(out.v[0].egress[0].group_ids.n, 1);
	T_ASSERT_STR(out.v[0].egress[0].group_ids.v[0], "sg-2eef00e2528a5cbc2");
	T_ASSERT_STR(out.v[0].egress[0].description, "to vpce");
	T_ASSERT_STR(out.v[1].egress[0].ip_protocol, "-1");
	T_ASSERT(out.v[1].egress[0].omit_ports);
	T_ASSERT_INT(out.v[1].egress[0].from_port, -1);
	T_ASSERT_STR(out.v[1].egress[0].cidr_ipv4.v[0], "0.0.0.0/0");
	T_ASSERT_INT(out.v[1].n_ingress, 1);
	T_ASSERT_STR(out.v[1].ingress[0].cidr_ipv4.v[0], "10.7.0.0/16");
	T_ASSERT_STR(out.v[1].ingress[0].description, "vpc");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__describe_rules_recorded(void)
{
	static const char *const g[] = { "sg-a", "sg-b" };
	static const aws_filter flt[] = { { "group-id", { g, 2 } } };
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_ec2_sg_rules out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "DescribeSecurityGroupRules.xml", NULL);
	T_OK(aws_ec2_describe_security_group_rules(f.client, a, (aws_strs){ 0 }, AWS_FILTERS(flt), &out, &err));
	T_ASSERT_STR(f.body[0], "Action=DescribeSecurityGroupRules&Version=2016-11-15"
				"&Filter.1.Name=group-id&Filter.1.Value.1=sg-a&Filter.1.Value.2=sg-b");
	T_ASSERT_INT(out.n, 4);
	T_ASSERT_STR(out.v[1].ip_protocol, "-1");
	T_ASSERT_INT(out.v[1].from_port, -1);
	T_ASSERT_STR(out.v[1].cidr_ipv4, "0.0.0.0/0");
	T_ASSERT(out.v[1].referenced_group_id == NULL);
	T_ASSERT(!out.v[2].is_egress);
	T_ASSERT_STR(out.v[2].description, "vpc");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__vpc_endpoint_create_describe_modify_delete(void)
{
	static const char *const sns[] = { "subnet-a", "subnet-b" };
	static const char *const sgs[] = { "sg-e" };
	static const char *const rm[] = { "subnet-b" };
	static const char *const eps[] = { "vpce-1", "vpce-0" };
	static const char del[] =
		"<DeleteVpcEndpointsResponse><unsuccessful><item><error><code>InvalidVpcEndpoint.NotFound</code>"
		"<message>gone</message></error><resourceId>vpce-0</resourceId></item></unsuccessful>"
		"</DeleteVpcEndpointsResponse>";
	aws_ec2_vpce_spec spec;
	aws_ec2_vpce_mod mod;
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_ec2_vpce ep;
	aws_ec2_vpces list;
	aws_ec2_failed_items failed;
	aws_error err;

	memset(&spec, 0, sizeof spec);
	spec.vpc_id = "vpc-1";
	spec.service_name = "com.amazonaws.us-east-1.logs";
	spec.type = "Interface";
	spec.subnet_ids = (aws_strs)AWS_STRS(sns);
	spec.security_group_ids = (aws_strs)AWS_STRS(sgs);
	spec.private_dns_enabled = AWS_BOOL_TRUE;
	spec.client_token = "lambdavpc-fx-logs-1";
	memset(&mod, 0, sizeof mod);
	mod.vpc_endpoint_id = "vpce-1";
	mod.remove_subnet_ids = (aws_strs)AWS_STRS(rm);
	mod.add_security_group_ids = (aws_strs)AWS_STRS(sgs);
	mod.private_dns_enabled = AWS_BOOL_FALSE;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "CreateVpcEndpoint.xml", NULL);
	ops_fake_reply_add(&f, 200, D "DescribeVpcEndpoints.xml", NULL);
	ops_fake_reply_add(&f, 200, D "ModifyVpcEndpoint.xml", NULL);
	ops_fake_reply_add(&f, 200, NULL, del);
	T_OK(aws_ec2_create_vpc_endpoint(f.client, a, &spec, &ep, &err));
	T_ASSERT_STR(f.body[0], "Action=CreateVpcEndpoint&Version=2016-11-15&VpcId=vpc-1"
				"&ServiceName=com.amazonaws.us-east-1.logs&VpcEndpointType=Interface"
				"&SubnetId.1=subnet-a&SubnetId.2=subnet-b&SecurityGroupId.1=sg-e"
				"&PrivateDnsEnabled=true&ClientToken=lambdavpc-fx-logs-1");
	T_ASSERT_STR(ep.vpc_endpoint_id, "vpce-0760dea41b63d98f3");
	T_ASSERT_STR(ep.state, "available");
	T_ASSERT(ep.private_dns_enabled);
	T_ASSERT_INT(ep.subnet_ids.n, 2);
	T_ASSERT_STR(ep.security_group_ids.v[0], "sg-2eef00e2528a5cbc2");
	T_ASSERT_INT(ep.network_interface_ids.n, 2);
	T_ASSERT_INT(ep.dns_names.n, 1);
	T_ASSERT_STR(aws_tags_get(ep.tags, "lambdavpc:function"), "fx");

	T_OK(aws_ec2_describe_vpc_endpoints(f.client, a, (aws_strs){ 0 }, (aws_filters){ 0 }, &list, &err));
	T_ASSERT_INT(list.n, 2);
	T_ASSERT_STR(list.v[1].type, "Gateway");
	T_ASSERT_INT(list.v[1].route_table_ids.n, 1);

	T_OK(aws_ec2_modify_vpc_endpoint(f.client, a, &mod, &err));
	T_ASSERT_STR(f.body[2], "Action=ModifyVpcEndpoint&Version=2016-11-15&VpcEndpointId=vpce-1"
				"&RemoveSubnetId.1=subnet-b&AddSecurityGroupId.1=sg-e&PrivateDnsEnabled=false");

	T_OK(aws_ec2_delete_vpc_endpoints(f.client, a, AWS_STRS(eps), &failed, &err));
	T_ASSERT_STR(f.body[3], "Action=DeleteVpcEndpoints&Version=2016-11-15&VpcEndpointId.1=vpce-1"
				"&VpcEndpointId.2=vpce-0");
	T_ASSERT_INT(failed.n, 1);
	T_ASSERT_STR(failed.v[0].resource_id, "vpce-0");
	T_ASSERT_STR(failed.v[0].code, "InvalidVpcEndpoint.NotFound");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__route_tables(void)
{
	static const aws_tag tags[] = { { "lambdavpc:function", "fx" } };
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_ec2_route_table rt;
	aws_ec2_route_tables list;
	const char *assoc = NULL;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "CreateRouteTable.xml", NULL);
	ops_fake_reply_add(&f, 200, D "AssociateRouteTable.xml", NULL);
	ops_fake_reply_add(&f, 200, D "DescribeRouteTables.xml", NULL);
	T_OK(aws_ec2_create_route_table(f.client, a, "vpc-1", AWS_TAGS(tags), "tok", &rt, &err));
	T_ASSERT_STR(f.body[0], "Action=CreateRouteTable&Version=2016-11-15&VpcId=vpc-1"
				"&TagSpecification.1.ResourceType=route-table"
				"&TagSpecification.1.Tag.1.Key=lambdavpc%3Afunction&TagSpecification.1.Tag.1.Value=fx"
				"&ClientToken=tok");
	T_ASSERT(strncmp(rt.route_table_id, "rtb-", 4) == 0);
	T_ASSERT_INT(rt.n_routes, 1);
	T_ASSERT_STR(rt.routes[0].gateway_id, "local");
	T_OK(aws_ec2_associate_route_table(f.client, a, "rtb-1", "subnet-1", &assoc, &err));
	T_ASSERT_STR(assoc, "rtbassoc-7f90c0d1d883d5e48");
	T_OK(aws_ec2_describe_route_tables(f.client, a, (aws_strs){ 0 }, (aws_filters){ 0 }, &list, &err));
	T_ASSERT_INT(list.n, 2);
	T_ASSERT(list.v[0].assocs[0].main);
	T_ASSERT_STR(list.v[1].assocs[0].subnet_id, "subnet-bf4ab181758904e23");
	T_ASSERT_STR(list.v[1].assocs[0].state, "associated");
	T_ASSERT_STR(list.v[1].routes[1].destination_prefix_list_id, "pl-b2ea39deb88321525");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__vpcs_azs_attr_prefix_enis_tags(void)
{
	static const aws_tag tags[] = { { "k", "v" }, { "gone", NULL } };
	static const char *const res[] = { "subnet-1" };
	ops_fake f = { 0 };
	base_arena *a = base_arena_new();
	aws_ec2_vpcs vpcs;
	aws_ec2_azs azs;
	aws_ec2_prefix_lists pls;
	aws_ec2_enis enis;
	bool dns = true;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "DescribeVpcs.xml", NULL);
	ops_fake_reply_add(&f, 200, D "DescribeAvailabilityZones.xml", NULL);
	ops_fake_reply_add(&f, 200, D "DescribeVpcAttribute.xml", NULL);
	ops_fake_reply_add(&f, 200, D "DescribeManagedPrefixLists.xml", NULL);
	ops_fake_reply_add(&f, 200, D "DescribeNetworkInterfaces.xml", NULL);
	ops_fake_reply_add(&f, 200, D "CreateTags.xml", NULL);
	ops_fake_reply_add(&f, 200, D "CreateTags.xml", NULL);
	T_OK(aws_ec2_describe_vpcs(f.client, a, (aws_strs){ 0 }, (aws_filters){ 0 }, &vpcs, &err));
	T_ASSERT_INT(vpcs.n, 1);
	T_ASSERT_STR(vpcs.v[0].cidr_block, "10.7.0.0/16");
	T_ASSERT(!vpcs.v[0].is_default);
	T_ASSERT_STR(aws_tags_get(vpcs.v[0].tags, "Name"), "fixture");
	T_OK(aws_ec2_describe_availability_zones(f.client, a, (aws_strs){ 0 }, (aws_filters){ 0 }, &azs, &err));
	T_ASSERT(azs.n >= 3);
	T_ASSERT_STR(azs.v[0].zone_name, "us-east-1a");
	T_ASSERT_STR(azs.v[0].state, "available");
	T_ASSERT(azs.v[0].zone_id != NULL);
	T_OK(aws_ec2_describe_vpc_attribute(f.client, a, "vpc-1", "enableDnsSupport", &dns, &err));
	T_ASSERT_STR(f.body[2], "Action=DescribeVpcAttribute&Version=2016-11-15&VpcId=vpc-1&Attribute=enableDnsSupport");
	T_ASSERT(dns);
	T_OK(aws_ec2_describe_managed_prefix_lists(f.client, a, (aws_strs){ 0 }, (aws_filters){ 0 }, &pls, &err));
	T_ASSERT_INT(pls.n, 1);
	T_ASSERT_STR(pls.v[0].prefix_list_name, "com.amazonaws.us-east-1.s3");
	T_ASSERT_STR(pls.v[0].state, "create-complete");
	T_OK(aws_ec2_describe_network_interfaces(f.client, a, (aws_strs){ 0 }, (aws_filters){ 0 }, &enis, &err));
	T_ASSERT(enis.n >= 1);
	bool seen = false;
	for (size_t i = 0; i < enis.n; i++)
		if (enis.v[i].description && strcmp(enis.v[i].description, "AWS Lambda VPC ENI-fx-1234") == 0)
			seen = enis.v[i].security_group_ids.n == 1 && enis.v[i].status != NULL;
	T_ASSERT(seen);
	T_OK(aws_ec2_create_tags(f.client, a, AWS_STRS(res), AWS_TAGS(tags), &err));
	T_OK(aws_ec2_delete_tags(f.client, a, AWS_STRS(res), AWS_TAGS(tags), &err));
	T_ASSERT_STR(f.body[5], "Action=CreateTags&Version=2016-11-15&ResourceId.1=subnet-1"
				"&Tag.1.Key=k&Tag.1.Value=v&Tag.2.Key=gone&Tag.2.Value=");
	T_ASSERT_STR(f.body[6], "Action=DeleteTags&Version=2016-11-15&ResourceId.1=subnet-1"
				"&Tag.1.Key=k&Tag.1.Value=v&Tag.2.Key=gone");
	ops_fake_dispose(&f);
	base_arena_free(a);
}
