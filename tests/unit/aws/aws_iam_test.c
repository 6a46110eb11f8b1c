/* Typed IAM operations against recorded moto replies. */
#include <string.h>

#include "t.h"
#include "aws_ops_fake.h"
#include "aws/aws_iam.h"
#include "base/base_arena.h"

#define D "tests/data/aws/iam/"

void test_aws_iam__create_role_body_and_decode(void)
{
	static const aws_tag tags[] = {{"lambdavpc:function", "fx"}};
	aws_iam_role_spec spec = {"fx-role",      AWS_IAM_LAMBDA_TRUST_POLICY,          NULL,
	                          "fixture role", "arn:aws:iam::123456789012:policy/b", 0,
	                          AWS_TAGS(tags)};
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_iam_role role;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "CreateRole.xml", NULL);
	T_OK(aws_iam_create_role(f.client, a, &spec, &role, &err));
	T_ASSERT_STR(
	        f.body[0],
	        "Action=CreateRole&Version=2010-05-08&RoleName=fx-role&AssumeRolePolicyDocument="
	        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C"
	        "%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts"
	        "%3AAssumeRole%22%7D%5D%7D&Description=fixture%20role"
	        "&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fb"
	        "&Tags.member.1.Key=lambdavpc%3Afunction&Tags.member.1.Value=fx");
	T_ASSERT_STR(role.role_name, "fx-role");
	T_ASSERT_STR(role.arn, "arn:aws:iam::123456789012:role/fx-role");
	T_ASSERT(strncmp(role.role_id, "AROA", 4) == 0);
	T_ASSERT_STR(role.assume_role_policy, AWS_IAM_LAMBDA_TRUST_POLICY);
	T_ASSERT_STR(role.description, "fixture role");
	T_ASSERT_INT(role.max_session_duration, 3600);
	T_ASSERT_STR(aws_tags_get(role.tags, "lambdavpc:function"), "fx");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_iam__get_role_not_found(void)
{
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_iam_role role;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 404, "tests/data/aws/errors/iam_no_such_entity.xml", NULL);
	ops_fake_reply_add(&f, 409, "tests/data/aws/errors/iam_delete_conflict.xml", NULL);
	T_ASSERT_INT(aws_iam_get_role(f.client, a, "nope", &role, &err), BASE_ENOTFOUND);
	T_ASSERT_STR(f.body[0], "Action=GetRole&Version=2010-05-08&RoleName=nope");
	T_ASSERT_STR(err.code, "NoSuchEntity");
	T_ASSERT(role.arn == NULL);
	T_ASSERT_INT(aws_iam_delete_role(f.client, a, "fx-role", &err), BASE_EAWS);
	T_ASSERT_STR(err.code, "DeleteConflict");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_iam__list_attached_paginates(void)
{
	static const char p1[] =
	        "<ListAttachedRolePoliciesResponse><ListAttachedRolePoliciesResult><AttachedPolicies><member>"
	        "<PolicyName>A</PolicyName><PolicyArn>arn:a</PolicyArn></member></AttachedPolicies>"
	        "<IsTruncated>true</IsTruncated><Marker>m+1/</Marker></ListAttachedRolePoliciesResult>"
	        "</ListAttachedRolePoliciesResponse>";
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_iam_attached_policies out;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, NULL, p1);
	ops_fake_reply_add(&f, 200, D "ListAttachedRolePolicies.xml", NULL);
	T_OK(aws_iam_list_attached_role_policies(f.client, a, "fx-role", &out, &err));
	T_ASSERT_INT(f.n_req, 2);
	T_ASSERT_STR(f.body[0], "Action=ListAttachedRolePolicies&Version=2010-05-08&RoleName=fx-role");
	T_ASSERT_STR(f.body[1],
	             "Action=ListAttachedRolePolicies&Version=2010-05-08&RoleName=fx-role&Marker=m%2B1%2F");
	T_ASSERT_INT(out.n, 2);
	T_ASSERT_STR(out.v[0].policy_arn, "arn:a");
	T_ASSERT_STR(out.v[1].policy_name, "AWSLambdaVPCAccessExecutionRole");
	T_ASSERT_STR(out.v[1].policy_arn,
	             "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_iam__inline_policies_and_tags(void)
{
	static const char *const keys[] = {"a", "b"};
	static const aws_tag tags[] = {{"k", "v"}};
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	const char *doc = NULL;
	aws_strs names;
	aws_tags got;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "GetRolePolicy.xml", NULL);
	ops_fake_reply_add(&f, 200, D "ListRolePolicies.xml", NULL);
	ops_fake_reply_add(&f, 200, D "ListRoleTags.xml", NULL);
	ops_fake_reply_add(&f, 200, NULL, "<TagRoleResponse/>");
	ops_fake_reply_add(&f, 200, NULL, "<UntagRoleResponse/>");
	ops_fake_reply_add(&f, 200, NULL, "<PutRolePolicyResponse/>");
	T_OK(aws_iam_get_role_policy(f.client, a, "fx-role", "inline", &doc, &err));
	T_ASSERT_STR(doc, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
	                  "\"s3:GetObject\",\"Resource\":\"*\"}]}");
	T_OK(aws_iam_list_role_policies(f.client, a, "fx-role", &names, &err));
	T_ASSERT_INT(names.n, 1);
	T_ASSERT_STR(names.v[0], "inline");
	T_OK(aws_iam_list_role_tags(f.client, a, "fx-role", &got, &err));
	T_ASSERT_INT(got.n, 1);
	T_ASSERT_STR(got.v[0].value, "fx");
	T_OK(aws_iam_tag_role(f.client, a, "r", AWS_TAGS(tags), &err));
	T_ASSERT_STR(
	        f.body[3],
	        "Action=TagRole&Version=2010-05-08&RoleName=r&Tags.member.1.Key=k&Tags.member.1.Value=v");
	T_OK(aws_iam_untag_role(f.client, a, "r", AWS_STRS(keys), &err));
	T_ASSERT_STR(f.body[4],
	             "Action=UntagRole&Version=2010-05-08&RoleName=r&TagKeys.member.1=a&TagKeys.member.2=b");
	T_OK(aws_iam_put_role_policy(f.client, a, "r", "p", "{\"a\":1}", &err));
	T_ASSERT_STR(f.body[5], "Action=PutRolePolicy&Version=2010-05-08&RoleName=r&PolicyName=p"
	                        "&PolicyDocument=%7B%22a%22%3A1%7D");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_iam__parse_role_response(void)
{
	size_t len;
	char *body = t_read_file(D "GetRole.xml", &len);
	base_arena *a = base_arena_new();
	aws_iam_role role;
	T_ASSERT(body);
	T_OK(aws_iam_parse_role_response(a, body, len, &role));
	T_ASSERT_STR(role.path, "/");
	T_ASSERT(role.create_date != NULL);
	T_ASSERT_INT(aws_iam_parse_role_response(a, "<x/>", 4, &role), BASE_EINVALID);
	base_arena_free(a);
	base_free(body);
}

void test_aws_iam__role_update_bodies(void)
{
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_error err;

	T_OK(ops_fake_init(&f));
	for (int i = 0; i < 6; i++)
		ops_fake_reply_add(&f, 200, NULL, "<R/>");
	T_OK(aws_iam_update_role(f.client, a, "r", "", 0, &err));
	T_OK(aws_iam_update_assume_role_policy(f.client, a, "r", "{}", &err));
	T_OK(aws_iam_set_role_permissions_boundary(f.client, a, "r", "arn:b", &err));
	T_OK(aws_iam_set_role_permissions_boundary(f.client, a, "r", NULL, &err));
	T_OK(aws_iam_attach_role_policy(f.client, a, "r", "arn:p", &err));
	T_OK(aws_iam_delete_role_policy(f.client, a, "r", "inline", &err));
	T_ASSERT_STR(f.body[0], "Action=UpdateRole&Version=2010-05-08&RoleName=r&Description=");
	T_ASSERT_STR(f.body[1],
	             "Action=UpdateAssumeRolePolicy&Version=2010-05-08&RoleName=r&PolicyDocument=%7B%7D");
	T_ASSERT_STR(f.body[2], "Action=PutRolePermissionsBoundary&Version=2010-05-08&RoleName=r&"
	                        "PermissionsBoundary=arn%3Ab");
	T_ASSERT_STR(f.body[3], "Action=DeleteRolePermissionsBoundary&Version=2010-05-08&RoleName=r");
	T_ASSERT_STR(f.body[4], "Action=AttachRolePolicy&Version=2010-05-08&RoleName=r&PolicyArn=arn%3Ap");
	T_ASSERT_STR(f.body[5], "Action=DeleteRolePolicy&Version=2010-05-08&RoleName=r&PolicyName=inline");
	ops_fake_dispose(&f);
	base_arena_free(a);
}
