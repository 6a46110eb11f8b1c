/* aws_ec2_subnet_az_test.c - aws_ec2_subnet_azs answers from what earlier
 * replies said (a subnet's AZ never changes) and reads only the subnets no
 * reply named, by id. A scripted transport, no network. */
#include <string.h>

#include "t.h"
#include "aws_ops_fake.h"

#include "aws/aws_ec2.h"
#include "aws/aws_int.h"

#define D "tests/data/aws/ec2/"

/* The subnet and AZ of the CreateSubnet fixture. */
#define MADE "subnet-bf4ab181758904e23"
#define MADE_AZ "us-east-1b"

void test_aws_ec2_subnet_az__created_subnet_costs_no_call(void)
{
	static const aws_tag tags[] = {{"lambdavpc:function", "fx"}};
	static const char *const ids[] = {MADE};
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_ec2_subnet_spec spec = {"vpc-bb0774e8ea7961bf3", "10.7.1.0/24", "us-east-1b", NULL,
	                            AWS_TAGS(tags)};
	aws_ec2_subnet made;
	aws_ec2_subnets got;
	aws_error err;

	aws__ec2_subnet_seen_reset();
	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "CreateSubnet.xml", NULL);
	T_OK(aws_ec2_create_subnet(f.client, a, &spec, &made, &err));
	T_OK(aws_ec2_subnet_azs(f.client, a, (aws_strs){ids, 1}, &got, &err));
	T_ASSERT_INT(f.n_req, 1); /* the create only */
	T_ASSERT_INT(got.n, 1);
	T_ASSERT_STR(got.v[0].subnet_id, MADE);
	T_ASSERT_STR(got.v[0].availability_zone, MADE_AZ);
	ops_fake_dispose(&f);
	base_arena_free(a);
	aws__ec2_subnet_seen_reset();
}

void test_aws_ec2_subnet_az__unseen_ones_are_read_by_id_once(void)
{
	aws_ec2_subnets listed, got, again;
	const char *ids[2];
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_error err;

	aws__ec2_subnet_seen_reset();
	T_OK(ops_fake_init(&f));
	/* learn a subnet id from the fixture without noting it */
	ops_fake_reply_add(&f, 200, D "DescribeSubnets.xml", NULL);
	T_OK(aws_ec2_describe_subnets(f.client, a, (aws_strs){NULL, 0}, (aws_filters){NULL, 0}, &listed,
	                              &err));
	T_ASSERT(listed.n >= 1 && listed.v[0].availability_zone);
	aws__ec2_subnet_seen_reset();
	ids[0] = listed.v[0].subnet_id;
	ids[1] = NULL; /* ignored */
	ops_fake_reply_add(&f, 200, D "DescribeSubnets.xml", NULL);
	T_OK(aws_ec2_subnet_azs(f.client, a, (aws_strs){ids, 2}, &got, &err));
	T_ASSERT_INT(f.n_req, 2);
	T_ASSERT(strstr(f.body[1], "Action=DescribeSubnets") != NULL);
	T_ASSERT(strstr(f.body[1], "SubnetId.1=") != NULL && strstr(f.body[1], "SubnetId.2=") == NULL);
	T_ASSERT(got.n >= 1);
	T_ASSERT_STR(got.v[0].availability_zone, listed.v[0].availability_zone);
	/* now seen: no third call */
	T_OK(aws_ec2_subnet_azs(f.client, a, (aws_strs){ids, 1}, &again, &err));
	T_ASSERT_INT(f.n_req, 2);
	T_ASSERT_INT(again.n, 1);
	T_ASSERT_STR(again.v[0].availability_zone, listed.v[0].availability_zone);
	ops_fake_dispose(&f);
	base_arena_free(a);
	aws__ec2_subnet_seen_reset();
}
