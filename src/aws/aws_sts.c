/*
 * aws_sts.c - STS GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity.
 */
#include "aws/aws_sts.h"

#include <string.h>

#include "aws/aws_creds_int.h"
#include "aws/aws_int.h"
#include "aws/aws_proto_int.h"
#include "base/base_log.h"
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
	if (aws__client_identity(c, a, &out->account, &out->arn, &out->user_id))
		return BASE_OK; /* asked at configure already: the answer cannot change */
	aws_query_init(&q, "GetCallerIdentity", V);
	rc = aws__query_call(c, a, AWS_SVC_STS, "GetCallerIdentity", &q, false, &root, err);
	aws_query_dispose(&q);
	if (rc != BASE_OK)
		return rc;
	if (parse_identity(root, out) != BASE_OK)
		return aws__invalid_response(err, "GetCallerIdentity", "Account/Arn missing");
	aws__client_set_identity(c, out->account, out->arn, out->user_id);
	return BASE_OK;
}

static bool listed(const char *id, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && strcmp(v[i], id) == 0)
			return true;
	return false;
}

int aws__client_check_identity(aws_client *c, const aws_client_config *cfg, aws_error *err)
{
	base_arena *a = base_arena_new();
	aws_sts_identity id;
	aws_creds cr;
	int rc;
	aws_creds_init(&cr);
	rc = aws__client_credentials(c, &cr, err);
	if (rc == BASE_OK) {
		rc = aws_sts_get_caller_identity(c, a, &id, err);
		if (rc != BASE_OK)
			aws__err_prefix(err, "the credentials from %s were refused by STS GetCallerIdentity",
			                cr.source);
	}
	if (rc == BASE_OK && (listed(id.account, cfg->forbidden_account_ids, cfg->n_forbidden_account_ids) ||
	                      (cfg->n_allowed_account_ids &&
	                       !listed(id.account, cfg->allowed_account_ids, cfg->n_allowed_account_ids)))) {
		aws_error_setf(err, 0, "AccountNotAllowed", "AWS account ID not allowed: %s", id.account);
		rc = BASE_EINVALID;
	}
	if (rc == BASE_OK)
		base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws credentials checked", "source", cr.source,
		            "account", id.account, NULL);
	aws_creds_dispose(&cr);
	base_arena_free(a);
	return rc;
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
