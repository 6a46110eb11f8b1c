/* STS: pure encoders/parsers (used by aws_creds) and the client calls. */
#include <string.h>

#include "t.h"
#include "aws_ops_fake.h"
#include "aws/aws_sts.h"
#include "base/base_arena.h"

#define D "tests/data/aws/sts/"

void test_aws_sts__encode_assume_role(void)
{
	static const aws_tag tags[] = {{"Project", "x y"}};
	aws_sts_assume_role_in in = {"arn:aws:iam::1:role/r", "tf session", "ext", NULL, 900, AWS_TAGS(tags)};
	aws_sts_web_identity_in wi = {"arn:aws:iam::1:role/r", "s", "eyJ.tok_en", 0};
	aws_query q;
	size_t n;

	aws_sts_encode_assume_role(&q, &in);
	T_OK(aws_query_done(&q));
	T_ASSERT_STR(aws_query_body(&q, &n),
	             "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
	             "&RoleSessionName=tf%20session&ExternalId=ext&DurationSeconds=900"
	             "&Tags.member.1.Key=Project&Tags.member.1.Value=x%20y");
	aws_query_dispose(&q);
	aws_sts_encode_assume_role_with_web_identity(&q, &wi);
	T_ASSERT_STR(aws_query_body(&q, &n), "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
	                                     "&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s"
	                                     "&WebIdentityToken=eyJ.tok_en");
	aws_query_dispose(&q);
}

void test_aws_sts__parse_recorded(void)
{
	size_t len;
	char *body = t_read_file(D "AssumeRole.xml", &len);
	char *wbody = NULL, *ibody = NULL;
	base_arena *a = base_arena_new();
	aws_sts_credentials cr;
	aws_sts_identity id;

	T_ASSERT(body);
	T_OK(aws_sts_parse_credentials(a, body, len, &cr));
	T_ASSERT_STR(cr.access_key_id, "ASIARZPUZDIKHRLWNYC7");
	T_ASSERT_STR(cr.secret_access_key, "pF8+94RwJJBh64IYJ1OkhlAU70Gxtla/X1csGQys");
	T_ASSERT(strncmp(cr.session_token, "FQoGZXIvYXdzEBYaDBJDs6VZ", 24) == 0);
	T_ASSERT_STR(cr.expiration, "2026-11-26T20:45:07.610729Z");
	T_ASSERT_STR(cr.assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/fx-role/s1");
	wbody = t_read_file(D "AssumeRoleWithWebIdentity.xml", &len);
	T_ASSERT(wbody);
	T_OK(aws_sts_parse_credentials(a, wbody, len, &cr));
	T_ASSERT_STR(cr.assumed_role_id, "ARO123EXAMPLE123:s2");
	ibody = t_read_file(D "GetCallerIdentity.xml", &len);
	T_ASSERT(ibody);
	T_OK(aws_sts_parse_identity(a, ibody, len, &id));
	T_ASSERT_STR(id.account, "123456789012");
	T_ASSERT_STR(id.arn, "arn:aws:sts::123456789012:user/moto");
	T_ASSERT_INT(aws_sts_parse_credentials(a, ibody, len, &cr), BASE_EINVALID);
	T_ASSERT(cr.access_key_id == NULL);
	T_ASSERT_INT(aws_sts_parse_identity(a, "garbage", 7, &id), BASE_EINVALID);
	base_arena_free(a);
	base_free(body);
	base_free(wbody);
	base_free(ibody);
}

void test_aws_sts__client_calls(void)
{
	aws_sts_assume_role_in in = {"arn:aws:iam::1:role/r", "s", NULL, NULL, 0, {NULL, 0}};
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_sts_identity id;
	aws_sts_credentials cr;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "GetCallerIdentity.xml", NULL);
	ops_fake_reply_add(&f, 200, D "AssumeRole.xml", NULL);
	ops_fake_reply_add(&f, 403, "tests/data/aws/errors/moto_auth_failure_iam.xml", NULL);
	T_OK(aws_sts_get_caller_identity(f.client, a, &id, &err));
	T_ASSERT_STR(f.body[0], "Action=GetCallerIdentity&Version=2011-06-15");
	T_ASSERT_STR(id.user_id, "AKIAIOSFODNN7EXAMPLE");
	T_OK(aws_sts_assume_role(f.client, a, &in, &cr, &err));
	T_ASSERT_STR(cr.access_key_id, "ASIARZPUZDIKHRLWNYC7");
	/* the identity is kept: a second GetCallerIdentity is not sent */
	T_OK(aws_sts_get_caller_identity(f.client, a, &id, &err));
	T_ASSERT_INT(f.n_req, 2);
	T_ASSERT_STR(id.user_id, "AKIAIOSFODNN7EXAMPLE");
	T_ASSERT_STR(aws_client_account_id(f.client), id.account);
	ops_fake_dispose(&f);

	/* an error reply is an error (and nothing is kept) */
	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 403, "tests/data/aws/errors/moto_auth_failure_iam.xml", NULL);
	T_ASSERT_INT(aws_sts_get_caller_identity(f.client, a, &id, &err), BASE_EAWS);
	T_ASSERT_STR(err.code, "InvalidClientTokenId");
	T_ASSERT_INT(err.http_status, 403);
	T_ASSERT(aws_client_account_id(f.client) == NULL);
	ops_fake_dispose(&f);
	base_arena_free(a);
}
