/*
 * aws_iam.c - IAM roles, managed and inline policies, tags.
 */
#include "aws/aws_iam.h"

#include <stdio.h>
#include <string.h>

#include "base/base_buf.h"
#include "aws/aws_proto_int.h"
#include "aws/aws_query.h"
#include "aws/aws_xml.h"

#define V AWS_IAM_API_VERSION

/* IAM returns policy documents URL-encoded (RFC 3986); a text that does not
 * decode is returned unchanged. */
static const char *decode_policy(base_arena *a, const char *s)
{
	base_buf b;
	const char *out = s;
	if (!s)
		return NULL;
	base_buf_init(&b, 0);
	if (aws_query_decode(&b, s, strlen(s), false) == BASE_OK)
		out = base_arena_strndup(a, base_buf_cstr(&b), b.len);
	base_buf_dispose(&b);
	return out;
}

static int call(aws_client *c, base_arena *a, const char *op, aws_query *q, bool not_idempotent,
                const aws_xml_node **result_out, aws_error *err)
{
	const aws_xml_node *root = NULL;
	char result[96];
	int rc = aws__query_call(c, a, AWS_SVC_IAM, op, q, not_idempotent, result_out ? &root : NULL, err);
	aws_query_dispose(q);
	if (rc != BASE_OK || !result_out)
		return rc;
	snprintf(result, sizeof result, "%sResult", op);
	*result_out = aws_xml_child(root, result);
	if (!*result_out)
		return aws__invalid_response(err, op, "result element missing");
	return BASE_OK;
}

/* Runs a List* call page by page (Marker/IsTruncated), collecting the
 * `member` children of <list_name> of every page. `add` appends the call's
 * own parameters. */
static int list_all(aws_client *c, base_arena *a, const char *op, const char *role_name,
                    const char *list_name, const aws_xml_node ***items_out, size_t *n_out, aws_error *err)
{
	const aws_xml_node **items = NULL;
	size_t n = 0, cap = 0;
	const char *marker = NULL;
	int rc = BASE_OK, pages = 0;
	bool truncated;

	*items_out = NULL;
	*n_out = 0;
	do {
		aws_query q;
		const aws_xml_node *res = NULL;
		aws_query_init(&q, op, V);
		aws_query_add(&q, "RoleName", role_name);
		aws_query_add(&q, "Marker", marker);
		if ((rc = call(c, a, op, &q, false, &res, err)) != BASE_OK)
			return rc;
		aws__xml_collect(a, aws_xml_child(res, list_name), "member", &items, &n, &cap);
		(void)aws_xml_path_bool(res, "IsTruncated", false, &truncated);
		marker = aws_xml_path_text(res, "Marker");
		if (truncated && (!marker || !*marker))
			return aws__invalid_response(err, op, "IsTruncated without Marker");
		if (++pages > 10000)
			return aws__invalid_response(err, op, "too many pages");
	} while (truncated);
	*items_out = items;
	*n_out = n;
	return rc;
}

/* ---- roles ------------------------------------------------------------ */

static void parse_role(base_arena *a, const aws_xml_node *r, aws_iam_role *out)
{
	out->role_name = aws_xml_path_text(r, "RoleName");
	out->role_id = aws_xml_path_text(r, "RoleId");
	out->arn = aws_xml_path_text(r, "Arn");
	out->path = aws_xml_path_text(r, "Path");
	out->create_date = aws_xml_path_text(r, "CreateDate");
	out->assume_role_policy = decode_policy(a, aws_xml_path_text(r, "AssumeRolePolicyDocument"));
	out->description = aws_xml_path_text(r, "Description");
	out->permissions_boundary_arn = aws_xml_path_text(r, "PermissionsBoundary/PermissionsBoundaryArn");
	(void)aws_xml_path_int(r, "MaxSessionDuration", 0, &out->max_session_duration);
	out->tags = aws__xml_tags(a, aws_xml_child(r, "Tags"), "member", "Key", "Value");
}

int aws_iam_parse_role_response(base_arena *a, const char *body, size_t len, aws_iam_role *out)
{
	const aws_xml_node *root = NULL, *role;
	memset(out, 0, sizeof *out);
	if (aws_xml_parse(a, body, len, &root) != BASE_OK)
		return BASE_EINVALID;
	role = aws_xml_find(root, "Role");
	if (!aws_xml_path_text(role, "RoleName"))
		return BASE_EINVALID;
	parse_role(a, role, out);
	return BASE_OK;
}

int aws_iam_create_role(aws_client *c, base_arena *a, const aws_iam_role_spec *spec, aws_iam_role *out,
                        aws_error *err)
{
	aws_query q;
	const aws_xml_node *res = NULL, *role;
	int rc;

	memset(out, 0, sizeof *out);
	aws_query_init(&q, "CreateRole", V);
	aws_query_add(&q, "RoleName", spec->role_name);
	aws_query_add(&q, "AssumeRolePolicyDocument", spec->assume_role_policy);
	aws_query_add(&q, "Path", spec->path);
	aws_query_add(&q, "Description", spec->description);
	if (spec->max_session_duration > 0)
		aws_query_add_int(&q, "MaxSessionDuration", spec->max_session_duration);
	aws_query_add(&q, "PermissionsBoundary", spec->permissions_boundary);
	aws_query_add_tags(&q, "Tags.member", spec->tags);
	if ((rc = call(c, a, "CreateRole", &q, true, &res, err)) != BASE_OK)
		return rc;
	role = aws_xml_child(res, "Role");
	if (!aws_xml_path_text(role, "Arn"))
		return aws__invalid_response(err, "CreateRole", "Role/Arn missing");
	parse_role(a, role, out);
	return BASE_OK;
}

int aws_iam_get_role(aws_client *c, base_arena *a, const char *role_name, aws_iam_role *out, aws_error *err)
{
	aws_query q;
	const aws_xml_node *res = NULL, *role;
	int rc;

	memset(out, 0, sizeof *out);
	aws_query_init(&q, "GetRole", V);
	aws_query_add(&q, "RoleName", role_name);
	if ((rc = call(c, a, "GetRole", &q, false, &res, err)) != BASE_OK)
		return rc;
	role = aws_xml_child(res, "Role");
	if (!aws_xml_path_text(role, "Arn"))
		return aws__invalid_response(err, "GetRole", "Role/Arn missing");
	parse_role(a, role, out);
	return BASE_OK;
}

int aws_iam_delete_role(aws_client *c, base_arena *a, const char *role_name, aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "DeleteRole", V);
	aws_query_add(&q, "RoleName", role_name);
	return call(c, a, "DeleteRole", &q, false, NULL, err);
}

int aws_iam_update_role(aws_client *c, base_arena *a, const char *role_name, const char *description,
                        int64_t max_session_duration, aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "UpdateRole", V);
	aws_query_add(&q, "RoleName", role_name);
	aws_query_add(&q, "Description", description);
	if (max_session_duration > 0)
		aws_query_add_int(&q, "MaxSessionDuration", max_session_duration);
	return call(c, a, "UpdateRole", &q, false, NULL, err);
}

int aws_iam_update_assume_role_policy(aws_client *c, base_arena *a, const char *role_name,
                                      const char *policy_document, aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "UpdateAssumeRolePolicy", V);
	aws_query_add(&q, "RoleName", role_name);
	aws_query_add(&q, "PolicyDocument", policy_document);
	return call(c, a, "UpdateAssumeRolePolicy", &q, false, NULL, err);
}

int aws_iam_set_role_permissions_boundary(aws_client *c, base_arena *a, const char *role_name,
                                          const char *boundary_arn, aws_error *err)
{
	aws_query q;
	const char *op = boundary_arn ? "PutRolePermissionsBoundary" : "DeleteRolePermissionsBoundary";
	aws_query_init(&q, op, V);
	aws_query_add(&q, "RoleName", role_name);
	aws_query_add(&q, "PermissionsBoundary", boundary_arn);
	return call(c, a, op, &q, false, NULL, err);
}

/* ---- managed policies ------------------------------------------------- */

int aws_iam_attach_role_policy(aws_client *c, base_arena *a, const char *role_name, const char *policy_arn,
                               aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "AttachRolePolicy", V);
	aws_query_add(&q, "RoleName", role_name);
	aws_query_add(&q, "PolicyArn", policy_arn);
	return call(c, a, "AttachRolePolicy", &q, false, NULL, err);
}

int aws_iam_detach_role_policy(aws_client *c, base_arena *a, const char *role_name, const char *policy_arn,
                               aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "DetachRolePolicy", V);
	aws_query_add(&q, "RoleName", role_name);
	aws_query_add(&q, "PolicyArn", policy_arn);
	return call(c, a, "DetachRolePolicy", &q, false, NULL, err);
}

int aws_iam_list_attached_role_policies(aws_client *c, base_arena *a, const char *role_name,
                                        aws_iam_attached_policies *out, aws_error *err)
{
	const aws_xml_node **items;
	size_t n;
	int rc;

	memset(out, 0, sizeof *out);
	rc = list_all(c, a, "ListAttachedRolePolicies", role_name, "AttachedPolicies", &items, &n, err);
	if (rc != BASE_OK)
		return rc;
	out->v = base_arena_calloc(a, n ? n : 1, sizeof *out->v);
	for (size_t i = 0; i < n; i++) {
		out->v[i].policy_name = aws_xml_path_text(items[i], "PolicyName");
		out->v[i].policy_arn = aws_xml_path_text(items[i], "PolicyArn");
	}
	out->n = n;
	return BASE_OK;
}

/* ---- inline policies -------------------------------------------------- */

int aws_iam_put_role_policy(aws_client *c, base_arena *a, const char *role_name, const char *policy_name,
                            const char *policy_document, aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "PutRolePolicy", V);
	aws_query_add(&q, "RoleName", role_name);
	aws_query_add(&q, "PolicyName", policy_name);
	aws_query_add(&q, "PolicyDocument", policy_document);
	return call(c, a, "PutRolePolicy", &q, false, NULL, err);
}

int aws_iam_get_role_policy(aws_client *c, base_arena *a, const char *role_name, const char *policy_name,
                            const char **document_out, aws_error *err)
{
	aws_query q;
	const aws_xml_node *res = NULL;
	int rc;

	*document_out = NULL;
	aws_query_init(&q, "GetRolePolicy", V);
	aws_query_add(&q, "RoleName", role_name);
	aws_query_add(&q, "PolicyName", policy_name);
	if ((rc = call(c, a, "GetRolePolicy", &q, false, &res, err)) != BASE_OK)
		return rc;
	*document_out = decode_policy(a, aws_xml_path_text(res, "PolicyDocument"));
	if (!*document_out)
		return aws__invalid_response(err, "GetRolePolicy", "PolicyDocument missing");
	return BASE_OK;
}

int aws_iam_delete_role_policy(aws_client *c, base_arena *a, const char *role_name, const char *policy_name,
                               aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "DeleteRolePolicy", V);
	aws_query_add(&q, "RoleName", role_name);
	aws_query_add(&q, "PolicyName", policy_name);
	return call(c, a, "DeleteRolePolicy", &q, false, NULL, err);
}

int aws_iam_list_role_policies(aws_client *c, base_arena *a, const char *role_name, aws_strs *names_out,
                               aws_error *err)
{
	const aws_xml_node **items;
	size_t n;
	const char **v;
	int rc;

	memset(names_out, 0, sizeof *names_out);
	rc = list_all(c, a, "ListRolePolicies", role_name, "PolicyNames", &items, &n, err);
	if (rc != BASE_OK)
		return rc;
	v = base_arena_calloc(a, n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = aws_xml_text(items[i]);
	*names_out = (aws_strs){v, n};
	return BASE_OK;
}

/* ---- tags ------------------------------------------------------------- */

int aws_iam_tag_role(aws_client *c, base_arena *a, const char *role_name, aws_tags tags, aws_error *err)
{
	aws_query q;
	aws_error_clear(err);
	if (tags.n == 0)
		return BASE_OK;
	aws_query_init(&q, "TagRole", V);
	aws_query_add(&q, "RoleName", role_name);
	aws_query_add_tags(&q, "Tags.member", tags);
	return call(c, a, "TagRole", &q, false, NULL, err);
}

int aws_iam_untag_role(aws_client *c, base_arena *a, const char *role_name, aws_strs keys, aws_error *err)
{
	aws_query q;
	aws_error_clear(err);
	if (keys.n == 0)
		return BASE_OK;
	aws_query_init(&q, "UntagRole", V);
	aws_query_add(&q, "RoleName", role_name);
	aws_query_add_list(&q, "TagKeys.member", keys);
	return call(c, a, "UntagRole", &q, false, NULL, err);
}

int aws_iam_list_role_tags(aws_client *c, base_arena *a, const char *role_name, aws_tags *out, aws_error *err)
{
	const aws_xml_node **items;
	size_t n, k = 0;
	aws_tag *v;
	int rc;

	memset(out, 0, sizeof *out);
	rc = list_all(c, a, "ListRoleTags", role_name, "Tags", &items, &n, err);
	if (rc != BASE_OK)
		return rc;
	v = base_arena_calloc(a, n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const char *key = aws_xml_path_text(items[i], "Key"),
		           *val = aws_xml_path_text(items[i], "Value");
		if (!key)
			continue;
		v[k].key = key;
		v[k].value = val ? val : "";
		k++;
	}
	*out = (aws_tags){v, k};
	return BASE_OK;
}
