/*
 * aws_sts.c - STS GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity.
 */
#include "aws/aws_sts.h"

#include <string.h>

#include "aws/aws_proto_int.h"
#include "aws/aws_xml.h"

#define V AWS_STS_API_VERSION

void aws_sts_encode_assume_role(aws_query *q, const aws_sts_assume_role_in *in)
{
	aws_query_init(q, "AssumeRole", V);
	aws_query_add(q, "RoleArn", in->role_arn);
	aws_query_add(q, "RoleSessionName", in->session_name);
	aws_query_add(q, "ExternalId", in->external_id);
	aws_query_add(q, "Policy", in->policy);
	if (in->duration_seconds > 0)
		aws_query_add_int(q, "DurationSeconds", in->duration_seconds);
	aws_query_add_tags(q, "Tags.member", in->tags);
}

void aws_sts_encode_assume_role_with_web_identity(aws_query *q, const aws_sts_web_identity_in *in)
{
	aws_query_init(q, "AssumeRoleWithWebIdentity", V);
	aws_query_add(q, "RoleArn", in->role_arn);
	aws_query_add(q, "RoleSessionName", in->session_name);
	aws_query_add(q, "WebIdentityToken", in->web_identity_token);
	if (in->duration_seconds > 0)
		aws_query_add_int(q, "DurationSeconds", in->duration_seconds);
}

static int parse_credentials(const aws_xml_node *root, aws_sts_credentials *out)
{
	const aws_xml_node *cr = aws_xml_find(root, "Credentials");
	const aws_xml_node *user = aws_xml_find(root, "AssumedRoleUser");

	memset(out, 0, sizeof *out);
	out->access_key_id = aws_xml_path_text(cr, "AccessKeyId");
	out->secret_access_key = aws_xml_path_text(cr, "SecretAccessKey");
	out->session_token = aws_xml_path_text(cr, "SessionToken");
	out->expiration = aws_xml_path_text(cr, "Expiration");
	out->assumed_role_arn = aws_xml_path_text(user, "Arn");
	out->assumed_role_id = aws_xml_path_text(user, "AssumedRoleId");
	if (!out->access_key_id || !out->secret_access_key || !out->session_token) {
		memset(out, 0, sizeof *out);
		return BASE_EINVALID;
	}
	return BASE_OK;
}

static int parse_identity(const aws_xml_node *root, aws_sts_identity *out)
{
	const aws_xml_node *r = aws_xml_find(root, "GetCallerIdentityResult");
	memset(out, 0, sizeof *out);
	out->account = aws_xml_path_text(r, "Account");
	out->arn = aws_xml_path_text(r, "Arn");
	out->user_id = aws_xml_path_text(r, "UserId");
	if (!out->account || !out->arn) {
		memset(out, 0, sizeof *out);
		return BASE_EINVALID;
	}
	return BASE_OK;
}

int aws_sts_parse_credentials(base_arena *a, const char *body, size_t len, aws_sts_credentials *out)
{
	const aws_xml_node *root = NULL;
	memset(out, 0, sizeof *out);
	if (aws_xml_parse(a, body, len, &root) != BASE_OK)
		return BASE_EINVALID;
	return parse_credentials(root, out);
}

int aws_sts_parse_identity(base_arena *a, const char *body, size_t len, aws_sts_identity *out)
{
	const aws_xml_node *root = NULL;
	memset(out, 0, sizeof *out);
	if (aws_xml_parse(a, body, len, &root) != BASE_OK)
		return BASE_EINVALID;
	return parse_identity(root, out);
}

int aws_sts_get_caller_identity(aws_client *c, base_arena *a, aws_sts_identity *out, aws_error *err)
{
	aws_query q;
	const aws_xml_node *root = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	aws_query_init(&q, "GetCallerIdentity", V);
	rc = aws__query_call(c, a, AWS_SVC_STS, "GetCallerIdentity", &q, false, &root, err);
	aws_query_dispose(&q);
	if (rc != BASE_OK)
		return rc;
	if (parse_identity(root, out) != BASE_OK)
		return aws__invalid_response(err, "GetCallerIdentity", "Account/Arn missing");
	return BASE_OK;
}

static int assume(aws_client *c, base_arena *a, const char *op, aws_query *q, aws_sts_credentials *out,
                  aws_error *err)
{
	const aws_xml_node *root = NULL;
	int rc = aws__query_call(c, a, AWS_SVC_STS, op, q, false, &root, err);
	aws_query_dispose(q);
	if (rc != BASE_OK)
		return rc;
	if (parse_credentials(root, out) != BASE_OK)
		return aws__invalid_response(err, op, "Credentials missing");
	return BASE_OK;
}

int aws_sts_assume_role(aws_client *c, base_arena *a, const aws_sts_assume_role_in *in,
                        aws_sts_credentials *out, aws_error *err)
{
	aws_query q;
	memset(out, 0, sizeof *out);
	aws_sts_encode_assume_role(&q, in);
	return assume(c, a, "AssumeRole", &q, out, err);
}

int aws_sts_assume_role_with_web_identity(aws_client *c, base_arena *a, const aws_sts_web_identity_in *in,
                                          aws_sts_credentials *out, aws_error *err)
{
	aws_query q;
	memset(out, 0, sizeof *out);
	aws_sts_encode_assume_role_with_web_identity(&q, in);
	return assume(c, a, "AssumeRoleWithWebIdentity", &q, out, err);
}
