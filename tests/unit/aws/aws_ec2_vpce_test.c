/* Typed EC2 VPC-endpoint operations: request bodies byte-exact, recorded moto replies
 * parsed, pagination followed, errors mapped. Uses the scripted transport. */
#include <string.h>

#include "t.h"
#include "aws_ops_fake.h"
#include "aws/aws_ec2.h"
#include "base/base_arena.h"

#define D "tests/data/aws/ec2/"

void test_aws_ec2_vpce__vpc_endpoint_create_describe_modify_delete(void)
{
	static const char *const sns[] = {"subnet-a", "subnet-b"};
	static const char *const sgs[] = {"sg-e"};
	static const char *const rm[] = {"subnet-b"};
	static const char *const eps[] = {"vpce-1", "vpce-0"};
	static const char del[] =
	        "<DeleteVpcEndpointsResponse><unsuccessful><item><error><code>InvalidVpcEndpoint.NotFound</"
	        "code>"
	        "<message>gone</message></error><resourceId>vpce-0</resourceId></item></unsuccessful>"
	        "</DeleteVpcEndpointsResponse>";
	aws_ec2_vpce_spec spec;
	aws_ec2_vpce_mod mod;
	ops_fake f = {0};
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

	T_OK(aws_ec2_describe_vpc_endpoints(f.client, a, (aws_strs){0}, (aws_filters){0}, &list, &err));
	T_ASSERT_INT(list.n, 2);
	T_ASSERT_STR(list.v[1].type, "Gateway");
	T_ASSERT_INT(list.v[1].route_table_ids.n, 1);

	T_OK(aws_ec2_modify_vpc_endpoint(f.client, a, &mod, &err));
	T_ASSERT_STR(f.body[2],
	             "Action=ModifyVpcEndpoint&Version=2016-11-15&VpcEndpointId=vpce-1"
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

void test_aws_ec2_vpce__gateway_body_and_empty_delete(void)
{
	static const char *const rtbs[] = {"rtb-1", "rtb-2"};
	static const aws_tag tags[] = {{"lambdavpc:function", "fx"}};
	aws_ec2_vpce_spec spec;
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_ec2_vpce ep;
	aws_ec2_failed_items failed;
	aws_error err;

	memset(&spec, 0, sizeof spec);
	spec.vpc_id = "vpc-1";
	spec.service_name = "com.amazonaws.us-east-1.s3";
	spec.type = "Gateway";
	spec.route_table_ids = (aws_strs)AWS_STRS(rtbs);
	spec.policy_document = "{\"Statement\":[]}";
	spec.tags = (aws_tags)AWS_TAGS(tags);
	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "CreateVpcEndpoint.xml", NULL);
	T_OK(aws_ec2_create_vpc_endpoint(f.client, a, &spec, &ep, &err));
	T_ASSERT_STR(f.body[0],
	             "Action=CreateVpcEndpoint&Version=2016-11-15&VpcId=vpc-1"
	             "&ServiceName=com.amazonaws.us-east-1.s3&VpcEndpointType=Gateway"
	             "&RouteTableId.1=rtb-1&RouteTableId.2=rtb-2"
	             "&PolicyDocument=%7B%22Statement%22%3A%5B%5D%7D"
	             "&TagSpecification.1.ResourceType=vpc-endpoint"
	             "&TagSpecification.1.Tag.1.Key=lambdavpc%3Afunction&TagSpecification.1.Tag.1.Value=fx");
	T_OK(aws_ec2_delete_vpc_endpoints(f.client, a, (aws_strs){NULL, 0}, &failed, &err));
	T_ASSERT_INT(f.n_req, 1);
	T_ASSERT_INT(failed.n, 0);
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2_vpce__endpoint_service_names_all_pages(void)
{
	static const char p1[] =
	        "<DescribeVpcEndpointServicesResponse><serviceNameSet>"
	        "<item>com.amazonaws.us-east-2.logs</item><item>com.amazonaws.us-east-2.s3</item>"
	        "</serviceNameSet><nextToken>t1</nextToken></DescribeVpcEndpointServicesResponse>";
	static const char p2[] = "<DescribeVpcEndpointServicesResponse><serviceNameSet>"
	                         "<item>com.amazonaws.us-east-2.ssm</item></serviceNameSet>"
	                         "</DescribeVpcEndpointServicesResponse>";
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_strs names;
	aws_error err;
	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, NULL, p1);
	ops_fake_reply_add(&f, 200, NULL, p2);
	T_OK(aws_ec2_describe_vpc_endpoint_service_names(f.client, a, &names, &err));
	T_ASSERT_STR(f.body[0], "Action=DescribeVpcEndpointServices&Version=2016-11-15");
	T_ASSERT_STR(f.body[1], "Action=DescribeVpcEndpointServices&Version=2016-11-15&NextToken=t1");
	T_ASSERT_INT(names.n, 3);
	T_ASSERT_STR(names.v[0], "com.amazonaws.us-east-2.logs");
	T_ASSERT_STR(names.v[2], "com.amazonaws.us-east-2.ssm");
	ops_fake_dispose(&f);
	base_arena_free(a);
}
