/* Byte-exact tests of the EC2/AWS query form encoder. */
#include <string.h>

#include "t.h"
#include "aws/aws_query.h"
#include "base/base_buf.h"

#define T_BODY(q, want)                                                                                      \
	do {                                                                                                 \
		size_t qb__n;                                                                                \
		const char *qb__b = aws_query_body((q), &qb__n);                                             \
		T_OK(aws_query_done(q));                                                                     \
		T_ASSERT_STR(qb__b, (want));                                                                 \
		T_ASSERT_INT(qb__n, strlen(want));                                                           \
	} while (0)

void test_aws_query__action_version(void)
{
	aws_query q;
	aws_query_init(&q, "DescribeVpcs", "2016-11-15");
	T_BODY(&q, "Action=DescribeVpcs&Version=2016-11-15");
	aws_query_dispose(&q);
}

void test_aws_query__percent_encoding_rfc3986(void)
{
	aws_query q;
	aws_query_init(&q, "PutRolePolicy", "2010-05-08");
	aws_query_add(&q, "PolicyDocument", "{\"a\": \"b c/d+e=f&g~h_i.j-k*\"}");
	aws_query_add(&q, "Empty", "");
	aws_query_add(&q, "Absent", NULL);
	aws_query_add(&q, "Utf8", "\xc3\xa9");
	T_BODY(&q, "Action=PutRolePolicy&Version=2010-05-08"
	           "&PolicyDocument=%7B%22a%22%3A%20%22b%20c%2Fd%2Be%3Df%26g~h_i.j-k%2A%22%7D"
	           "&Empty=&Utf8=%C3%A9");
	aws_query_dispose(&q);
}

void test_aws_query__ints_bools(void)
{
	aws_query q;
	aws_query_init(&q, "X", "1");
	aws_query_add_int(&q, "FromPort", -1);
	aws_query_add_int(&q, "Big", 9007199254740993LL);
	aws_query_add_bool(&q, "PrivateDnsEnabled", true);
	aws_query_add_bool(&q, "Force", false);
	T_BODY(&q, "Action=X&Version=1&FromPort=-1&Big=9007199254740993&PrivateDnsEnabled=true&Force=false");
	aws_query_dispose(&q);
}

void test_aws_query__ec2_lists_filters_tags(void)
{
	static const char *const ids[] = {"subnet-1", "subnet-2"};
	static const char *const vpc[] = {"vpc-1"};
	static const char *const fns[] = {"fx", "fy"};
	static const aws_filter filters[] = {
	        {"vpc-id", {vpc, 1}},
	        {"tag:lambdavpc:function", {fns, 2}},
	};
	static const aws_tag tags[] = {{"lambdavpc:function", "fx"}, {"Team", "a&b"}};
	aws_query q;

	aws_query_init(&q, "DescribeSubnets", "2016-11-15");
	aws_query_add_list(&q, "SubnetId", AWS_STRS(ids));
	aws_query_add_filters(&q, AWS_FILTERS(filters));
	aws_query_add_tag_spec(&q, 1, "subnet", AWS_TAGS(tags));
	aws_query_add_tags(&q, "Tag", AWS_TAGS(tags));
	T_BODY(&q, "Action=DescribeSubnets&Version=2016-11-15"
	           "&SubnetId.1=subnet-1&SubnetId.2=subnet-2"
	           "&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1"
	           "&Filter.2.Name=tag%3Alambdavpc%3Afunction&Filter.2.Value.1=fx&Filter.2.Value.2=fy"
	           "&TagSpecification.1.ResourceType=subnet"
	           "&TagSpecification.1.Tag.1.Key=lambdavpc%3Afunction&TagSpecification.1.Tag.1.Value=fx"
	           "&TagSpecification.1.Tag.2.Key=Team&TagSpecification.1.Tag.2.Value=a%26b"
	           "&Tag.1.Key=lambdavpc%3Afunction&Tag.1.Value=fx&Tag.2.Key=Team&Tag.2.Value=a%26b");
	aws_query_dispose(&q);
}

void test_aws_query__query_protocol_members(void)
{
	static const char *const keys[] = {"a", "b"};
	static const aws_tag tags[] = {{"k", "v"}, {"only-key", NULL}};
	aws_query q;
	aws_query_init(&q, "UntagRole", "2010-05-08");
	aws_query_add_list(&q, "TagKeys.member", AWS_STRS(keys));
	aws_query_add_tags(&q, "Tags.member", AWS_TAGS(tags));
	T_BODY(&q, "Action=UntagRole&Version=2010-05-08&TagKeys.member.1=a&TagKeys.member.2=b"
	           "&Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.2.Key=only-key");
	aws_query_dispose(&q);
}

void test_aws_query__empty_tag_spec_is_omitted(void)
{
	aws_query q;
	aws_query_init(&q, "CreateSubnet", "2016-11-15");
	aws_query_add_tag_spec(&q, 1, "subnet", (aws_tags){NULL, 0});
	aws_query_add_list(&q, "SubnetId", (aws_strs){NULL, 0});
	T_BODY(&q, "Action=CreateSubnet&Version=2016-11-15");
	aws_query_dispose(&q);
}

void test_aws_query__cap_is_sticky(void)
{
	aws_query q;
	static char big[AWS_QUERY_MAX_BODY / 2];
	memset(big, ' ', sizeof big - 1);
	aws_query_init(&q, "X", "1");
	aws_query_add(&q, "Big", big); /* each space becomes %20: over the cap */
	T_ASSERT_INT(aws_query_done(&q), BASE_ETOOBIG);
	size_t n;
	T_ASSERT_STR(aws_query_body(&q, &n), "Action=X&Version=1");
	aws_query_add(&q, "After", "x");
	T_ASSERT_STR(aws_query_body(&q, &n), "Action=X&Version=1");
	aws_query_dispose(&q);
}

void test_aws_query__decode(void)
{
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(aws_query_decode(&b, "%7B%22a%22%3A+1%7d", 18, true));
	T_ASSERT_STR(base_buf_cstr(&b), "{\"a\": 1}");
	base_buf_reset(&b);
	T_OK(aws_query_decode(&b, "a+b", 3, false));
	T_ASSERT_STR(base_buf_cstr(&b), "a+b");
	base_buf_reset(&b);
	T_ASSERT_INT(aws_query_decode(&b, "%4", 2, false), BASE_EINVALID);
	T_ASSERT_INT(aws_query_decode(&b, "%zz", 3, false), BASE_EINVALID);
	base_buf_dispose(&b);
}
