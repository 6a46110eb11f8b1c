/* Typed EC2 security-group operations: request bodies byte-exact, recorded moto replies
 * parsed, pagination followed, errors mapped. Uses the scripted transport. */
#include <string.h>

#include "t.h"
#include "aws_ops_fake.h"
#include "aws/aws_ec2.h"
#include "base/base_arena.h"

#define D "tests/data/aws/ec2/"

void test_aws_ec2_sg__authorize_body_and_rules(void)
{
	static const char *const groups[] = {"sg-2eef00e2528a5cbc2"};
	static const char *const cidrs[] = {"10.7.0.0/16", "10.8.0.0/16"};
	static const char *const pls[] = {"pl-1"};
	aws_ec2_ip_perm perms[2];
	static const aws_tag rtags[] = {{"lambdavpc:function", "fx"}};
	ops_fake f = {0};
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
	T_OK(aws_ec2_authorize_security_group(f.client, a, "sg-16bb14110d5aa25fa", true, perms, 2,
	                                      AWS_TAGS(rtags), &rules, &err));
	T_ASSERT_STR(f.body[0],
	             "Action=AuthorizeSecurityGroupEgress&Version=2016-11-15&GroupId=sg-16bb14110d5aa25fa"
	             "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443"
	             "&IpPermissions.1.Groups.1.GroupId=sg-2eef00e2528a5cbc2"
	             "&IpPermissions.1.Groups.1.Description=to%20vpce"
	             "&IpPermissions.2.IpProtocol=-1"
	             "&IpPermissions.2.IpRanges.1.CidrIp=10.7.0.0%2F16&IpPermissions.2.IpRanges.2.CidrIp=10."
	             "8.0.0%2F16"
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

void test_aws_ec2_sg__revoke_bodies(void)
{
	static const char *const any4[] = {"0.0.0.0/0"};
	static const char *const rid[] = {"sgr-1", "sgr-2"};
	aws_ec2_ip_perm p;
	ops_fake f = {0};
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
	T_ASSERT_STR(f.body[0],
	             "Action=RevokeSecurityGroupEgress&Version=2016-11-15&GroupId=sg-1"
	             "&IpPermissions.1.IpProtocol=-1&IpPermissions.1.FromPort=0&IpPermissions.1.ToPort=0"
	             "&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0");
	T_ASSERT_STR(f.body[1], "Action=RevokeSecurityGroupIngress&Version=2016-11-15&GroupId=sg-1"
	                        "&SecurityGroupRuleId.1=sgr-1&SecurityGroupRuleId.2=sgr-2");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2_sg__describe_security_groups_recorded(void)
{
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_ec2_sgs out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "DescribeSecurityGroups.xml", NULL);
	T_OK(aws_ec2_describe_security_groups(f.client, a, (aws_strs){0}, (aws_filters){0}, &out, &err));
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

void test_aws_ec2_sg__describe_rules_recorded(void)
{
	static const char *const g[] = {"sg-a", "sg-b"};
	static const aws_filter flt[] = {{"group-id", {g, 2}}};
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_ec2_sg_rules out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "DescribeSecurityGroupRules.xml", NULL);
	T_OK(aws_ec2_describe_security_group_rules(f.client, a, (aws_strs){0}, AWS_FILTERS(flt), &out, &err));
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

void test_aws_ec2_sg__empty_lists_send_nothing(void)
{
	static const char *const res[] = {"sg-1"};
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_error err;

	T_OK(ops_fake_init(&f));
	T_OK(aws_ec2_revoke_security_group_rules(f.client, a, "sg-1", true, (aws_strs){NULL, 0}, &err));
	/* DeleteTags with no Tag.N would wipe every tag: must not be sent */
	T_OK(aws_ec2_delete_tags(f.client, a, AWS_STRS(res), (aws_tags){NULL, 0}, &err));
	T_OK(aws_ec2_create_tags(f.client, a, AWS_STRS(res), (aws_tags){NULL, 0}, &err));
	T_ASSERT_INT(f.n_req, 0);
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_ec2_sg__create_delete_and_not_found(void)
{
	static const aws_tag tags[] = {{"lambdavpc:function", "fx"}};
	aws_ec2_sg_spec spec = {"fx-lambda", "fx lambda", "vpc-1", AWS_TAGS(tags)};
	static const char nf[] =
	        "<Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>The security group "
	        "'sg-9' does not exist</Message></Error></Errors><RequestID>r-1</RequestID></Response>";
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	const char *id = NULL;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "CreateSecurityGroup.xml", NULL);
	ops_fake_reply_add(&f, 400, NULL, nf);
	T_OK(aws_ec2_create_security_group(f.client, a, &spec, &id, &err));
	T_ASSERT_STR(id, "sg-16bb14110d5aa25fa");
	T_ASSERT_STR(
	        f.body[0],
	        "Action=CreateSecurityGroup&Version=2016-11-15&GroupName=fx-lambda"
	        "&GroupDescription=fx%20lambda&VpcId=vpc-1&TagSpecification.1.ResourceType=security-group"
	        "&TagSpecification.1.Tag.1.Key=lambdavpc%3Afunction&TagSpecification.1.Tag.1.Value=fx");
	T_ASSERT_INT(aws_ec2_delete_security_group(f.client, a, "sg-9", &err), BASE_ENOTFOUND);
	T_ASSERT_STR(f.body[1], "Action=DeleteSecurityGroup&Version=2016-11-15&GroupId=sg-9");
	T_ASSERT_STR(err.code, "InvalidGroup.NotFound");
	T_ASSERT_STR(err.request_id, "r-1");
	ops_fake_dispose(&f);
	base_arena_free(a);
}
