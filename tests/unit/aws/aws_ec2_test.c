/* Typed EC2 operations: request bodies byte-exact, recorded moto replies
 * parsed, pagination followed, errors mapped. Uses the scripted transport. */
#include <string.h>

#include "t.h"
#include "aws_ops_fake.h"
#include "aws/aws_ec2.h"
#include "base/base_arena.h"

#define D "tests/data/aws/ec2/"

static const char *const ids2[] = {"subnet-1", "subnet-2"};

void test_aws_ec2__describe_subnets_paginates(void)
{
	static const char page1[] =
	        "<DescribeSubnetsResponse "
	        "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><subnetSet><item>"
	        "<subnetId>subnet-1</subnetId><state>available</state><vpcId>vpc-1</vpcId></item></subnetSet>"
	        "<nextToken>tok/1+=</nextToken></DescribeSubnetsResponse>";
	static const char page2[] =
	        "<DescribeSubnetsResponse><subnetSet><item><subnetId>subnet-2</subnetId><state>pending</"
	        "state>"
	        "<mapPublicIpOnLaunch>true</mapPublicIpOnLaunch><availableIpAddressCount>27</"
	        "availableIpAddressCount>"
	        "</item></subnetSet><nextToken/></DescribeSubnetsResponse>";
	static const char *const fn[] = {"fx"};
	static const aws_filter flt[] = {{"tag:lambdavpc:function", {fn, 1}}};
	ops_fake f = {0};
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
	T_ASSERT_STR(f.body[0],
	             "Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-1&SubnetId.2=subnet-2"
	             "&Filter.1.Name=tag%3Alambdavpc%3Afunction&Filter.1.Value.1=fx");
	T_ASSERT_STR(f.body[1],
	             "Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-1&SubnetId.2=subnet-2"
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
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_ec2_subnets out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "DescribeSubnets.xml", NULL);
	T_OK(aws_ec2_describe_subnets(f.client, a, (aws_strs){0}, (aws_filters){0}, &out, &err));
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
	static const aws_tag tags[] = {{"lambdavpc:function", "fx"}, {"Team", "a&b <c>"}};
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_ec2_subnet_spec spec = {"vpc-bb0774e8ea7961bf3", "10.7.1.0/24", "us-east-1b", NULL,
	                            AWS_TAGS(tags)};
	aws_ec2_subnet out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "CreateSubnet.xml", NULL);
	T_OK(aws_ec2_create_subnet(f.client, a, &spec, &out, &err));
	T_ASSERT_STR(f.body[0],
	             "Action=CreateSubnet&Version=2016-11-15&VpcId=vpc-bb0774e8ea7961bf3"
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
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_ec2_subnets out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 400, "tests/data/aws/errors/ec2_subnet_not_found.xml", NULL);
	T_ASSERT_INT(aws_ec2_describe_subnets(f.client, a, AWS_STRS(ids2), (aws_filters){0}, &out, &err),
	             BASE_ENOTFOUND);
	T_ASSERT_STR(err.code, "InvalidSubnetID.NotFound");
	T_ASSERT_INT(err.http_status, 400);
	T_ASSERT_INT(out.n, 0);
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__other_errors_and_html(void)
{
	static const aws_ec2_sg_spec spec = {"fx-lambda", "fx lambda", "vpc-1", {NULL, 0}};
	ops_fake f = {0};
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
	T_ASSERT_INT(aws_ec2_describe_network_interfaces(f.client, a, (aws_strs){0}, (aws_filters){0}, &enis,
	                                                 &err),
	             BASE_EINVALID);
	T_ASSERT_STR(err.code, "InvalidResponse");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2__route_tables(void)
{
	static const aws_tag tags[] = {{"lambdavpc:function", "fx"}};
	ops_fake f = {0};
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
	T_ASSERT_STR(f.body[0],
	             "Action=CreateRouteTable&Version=2016-11-15&VpcId=vpc-1"
	             "&TagSpecification.1.ResourceType=route-table"
	             "&TagSpecification.1.Tag.1.Key=lambdavpc%3Afunction&TagSpecification.1.Tag.1.Value=fx"
	             "&ClientToken=tok");
	T_ASSERT(strncmp(rt.route_table_id, "rtb-", 4) == 0);
	T_ASSERT_INT(rt.n_routes, 1);
	T_ASSERT_STR(rt.routes[0].gateway_id, "local");
	T_OK(aws_ec2_associate_route_table(f.client, a, "rtb-1", "subnet-1", &assoc, &err));
	T_ASSERT_STR(assoc, "rtbassoc-7f90c0d1d883d5e48");
	T_OK(aws_ec2_describe_route_tables(f.client, a, (aws_strs){0}, (aws_filters){0}, &list, &err));
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
	static const aws_tag tags[] = {{"k", "v"}, {"gone", NULL}};
	static const char *const res[] = {"subnet-1"};
	ops_fake f = {0};
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
	T_OK(aws_ec2_describe_vpcs(f.client, a, (aws_strs){0}, (aws_filters){0}, &vpcs, &err));
	T_ASSERT_INT(vpcs.n, 1);
	T_ASSERT_STR(vpcs.v[0].cidr_block, "10.7.0.0/16");
	T_ASSERT(!vpcs.v[0].is_default);
	T_ASSERT_STR(aws_tags_get(vpcs.v[0].tags, "Name"), "fixture");
	T_OK(aws_ec2_describe_availability_zones(f.client, a, (aws_strs){0}, (aws_filters){0}, &azs, &err));
	T_ASSERT(azs.n >= 3);
	T_ASSERT_STR(azs.v[0].zone_name, "us-east-1a");
	T_ASSERT_STR(azs.v[0].state, "available");
	T_ASSERT(azs.v[0].zone_id != NULL);
	T_OK(aws_ec2_describe_vpc_attribute(f.client, a, "vpc-1", "enableDnsSupport", &dns, &err));
	T_ASSERT_STR(f.body[2],
	             "Action=DescribeVpcAttribute&Version=2016-11-15&VpcId=vpc-1&Attribute=enableDnsSupport");
	T_ASSERT(dns);
	T_OK(aws_ec2_describe_managed_prefix_lists(f.client, a, (aws_strs){0}, (aws_filters){0}, &pls, &err));
	T_ASSERT_INT(pls.n, 1);
	T_ASSERT_STR(pls.v[0].prefix_list_name, "com.amazonaws.us-east-1.s3");
	T_ASSERT_STR(pls.v[0].state, "create-complete");
	T_OK(aws_ec2_describe_network_interfaces(f.client, a, (aws_strs){0}, (aws_filters){0}, &enis, &err));
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

void test_aws_ec2__simple_mutation_bodies(void)
{
	static const char ok_body[] = "<R><return>true</return></R>";
	static const char repl[] = "<R><newAssociationId>rtbassoc-2</newAssociationId></R>";
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	const char *nid = NULL;
	aws_error err;

	T_OK(ops_fake_init(&f));
	for (int i = 0; i < 6; i++)
		ops_fake_reply_add(&f, 200, NULL, i == 1 ? repl : ok_body);
	T_OK(aws_ec2_disassociate_route_table(f.client, a, "rtbassoc-1", &err));
	T_OK(aws_ec2_replace_route_table_association(f.client, a, "rtbassoc-1", "rtb-2", &nid, &err));
	T_ASSERT_STR(nid, "rtbassoc-2");
	T_OK(aws_ec2_delete_route_table(f.client, a, "rtb-2", &err));
	T_OK(aws_ec2_delete_subnet(f.client, a, "subnet-1", &err));
	T_OK(aws_ec2_detach_network_interface(f.client, a, "eni-attach-1", true, &err));
	T_OK(aws_ec2_delete_network_interface(f.client, a, "eni-1", &err));
	T_ASSERT_STR(f.body[0], "Action=DisassociateRouteTable&Version=2016-11-15&AssociationId=rtbassoc-1");
	T_ASSERT_STR(f.body[1],
	             "Action=ReplaceRouteTableAssociation&Version=2016-11-15&AssociationId=rtbassoc-1"
	             "&RouteTableId=rtb-2");
	T_ASSERT_STR(f.body[2], "Action=DeleteRouteTable&Version=2016-11-15&RouteTableId=rtb-2");
	T_ASSERT_STR(f.body[3], "Action=DeleteSubnet&Version=2016-11-15&SubnetId=subnet-1");
	T_ASSERT_STR(f.body[4],
	             "Action=DetachNetworkInterface&Version=2016-11-15&AttachmentId=eni-attach-1&Force=true");
	T_ASSERT_STR(f.body[5], "Action=DeleteNetworkInterface&Version=2016-11-15&NetworkInterfaceId=eni-1");
	ops_fake_dispose(&f);
	base_arena_free(a);
}
