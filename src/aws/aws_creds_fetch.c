/*
 * aws_creds_fetch.c - credential sources reached over STS or plain HTTP:
 * AssumeRole / AssumeRoleWithWebIdentity through the owner's STS hook, the
 * ECS container endpoint, and the JSON/XML shapes they answer with.
 */
#include "aws/aws_creds_int.h"
#include "aws/aws_int.h"

#include <stdio.h>
#include <string.h>

#include "aws/aws_json.h"
#include "aws/aws_query.h"
#include "aws/aws_sts.h"
#include "aws/aws_xml.h"
#include "base/base_alloc.h"
#include "base/base_arena.h"

int aws__creds_from_json(const char *body, size_t len, const char *who, bool process, aws_creds *out,
                         aws_error *err)
{
	base_arena *a = base_arena_new();
	const aws_json *j = NULL;
	const char *ak, *sk, *tok, *exp;
	int64_t t = 0, ver;
	int rc = BASE_OK;

	if (aws_json_parse(a, body, len, &j) != BASE_OK || aws_json_kind_of(j) != AWS_JSON_OBJECT) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: output is not a JSON object", who);
		rc = BASE_EINVALID;
		goto done;
	}
	if (process && (!aws_json_int(aws_json_get(j, "Version"), &ver) || ver != 1)) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: output must have \"Version\": 1", who);
		rc = BASE_EINVALID;
		goto done;
	}
	if (!process && aws_json_str(aws_json_get(j, "Code")) &&
	    strcmp(aws_json_str(aws_json_get(j, "Code")), "Success") != 0) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: Code is \"%s\"", who,
		               aws_json_str(aws_json_get(j, "Code")));
		rc = BASE_EINVALID;
		goto done;
	}
	ak = aws_json_str(aws_json_get(j, "AccessKeyId"));
	sk = aws_json_str(aws_json_get(j, "SecretAccessKey"));
	tok = aws_json_str(aws_json_get(j, process ? "SessionToken" : "Token"));
	exp = aws_json_str(aws_json_get(j, "Expiration"));
	if (!aws__set(ak) || !aws__set(sk)) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: AccessKeyId/SecretAccessKey missing", who);
		rc = BASE_EINVALID;
		goto done;
	}
	if (exp && !aws__parse_iso8601(exp, &t)) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: unreadable Expiration \"%s\"", who, exp);
		rc = BASE_EINVALID;
		goto done;
	}
	aws__creds_set(out, ak, sk, tok, t, who);
done:
	base_arena_free(a);
	return rc;
}

static int read_token_file(const char *path, const char *who, char **out, aws_error *err)
{
	FILE *f = fopen(path, "rb");
	base_buf b;
	char chunk[4096];
	size_t k;
	if (!f) {
		aws_error_setf(err, 0, "InvalidConfiguration", "%s: cannot read token file %s", who, path);
		return BASE_EINVALID;
	}
	base_buf_init(&b, AWS__MAX_FILE_BYTES);
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (base_buf_append(&b, chunk, k) != BASE_OK)
			break;
	fclose(f);
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r' || b.data[b.len - 1] == ' '))
		b.data[--b.len] = '\0';
	if (!b.len) {
		base_buf_dispose(&b);
		aws_error_setf(err, 0, "InvalidConfiguration", "%s: token file %s is empty", who, path);
		return BASE_EINVALID;
	}
	*out = base_buf_detach(&b, NULL);
	return BASE_OK;
}

/* Reads <Credentials> of an AssumeRole[WithWebIdentity] response. */
static int creds_from_sts_xml(const base_buf *xml, const char *who, aws_creds *out, aws_error *err)
{
	base_arena *a = base_arena_new();
	const aws_xml_node *root = NULL, *cr;
	const char *ak, *sk, *tok, *exp;
	int64_t t = 0;
	int rc = BASE_OK;
	if (aws_xml_parse(a, base_buf_cstr(xml), xml->len, &root) != BASE_OK) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: STS reply is not XML", who);
		rc = BASE_EINVALID;
		goto done;
	}
	cr = aws_xml_find(root, "Credentials");
	ak = aws_xml_path_text(cr, "AccessKeyId");
	sk = aws_xml_path_text(cr, "SecretAccessKey");
	tok = aws_xml_path_text(cr, "SessionToken");
	exp = aws_xml_path_text(cr, "Expiration");
	if (!aws__set(ak) || !aws__set(sk)) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: STS reply has no credentials", who);
		rc = BASE_EINVALID;
		goto done;
	}
	if (exp && !aws__parse_iso8601(exp, &t))
		t = 0;
	aws__creds_set(out, ak, sk, tok, t, who);
done:
	base_arena_free(a);
	return rc;
}

int aws__fetch_sts(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err)
{
	aws_query q;
	aws_creds parent;
	base_buf xml;
	char *token = NULL, *session = NULL;
	const char *op = n->kind == N_WEBID ? "AssumeRoleWithWebIdentity" : "AssumeRole";
	const char *body;
	size_t len;
	int rc;

	aws_creds_init(&parent);
	base_buf_init(&xml, 0);
	aws_query_init(&q, op, AWS_STS_API_VERSION);
	if (!ch->hooks.sts) {
		aws_error_setf(err, 0, "InvalidConfiguration", "%s: no STS client", n->desc);
		rc = BASE_EINVALID;
		goto done;
	}
	if (n->kind == N_ASSUME) {
		rc = aws__node_get(ch, n->parent, &parent, err);
		if (rc != BASE_OK) {
			aws__err_prefix(err, "%s", n->desc);
			goto done;
		}
	} else {
		rc = read_token_file(n->token_file, n->desc, &token, err);
		if (rc != BASE_OK)
			goto done;
	}
	session = n->session_name
	                  ? base_xstrdup(n->session_name)
	                  : base_xasprintf("terraform-provider-lambdavpc-%lld", (long long)aws__now(ch));
	aws_query_add(&q, "RoleArn", n->role_arn);
	aws_query_add(&q, "RoleSessionName", session);
	if (n->external_id)
		aws_query_add(&q, "ExternalId", n->external_id);
	if (n->duration)
		aws_query_add_int(&q, "DurationSeconds", n->duration);
	if (token)
		aws_query_add(&q, "WebIdentityToken", token);
	rc = aws_query_done(&q);
	if (rc != BASE_OK) {
		aws_error_setf(err, 0, "InvalidConfiguration", "%s: request too large", n->desc);
		goto done;
	}
	body = aws_query_body(&q, &len);
	rc = ch->hooks.sts(ch->hooks.ctx, n->kind == N_ASSUME ? &parent : NULL, op, body, len, &xml, err);
	if (rc != BASE_OK) {
		aws__err_prefix(err, "%s: STS %s", n->desc, op);
		goto done;
	}
	rc = creds_from_sts_xml(&xml, n->desc, out, err);
done:
	aws_query_dispose(&q);
	aws_creds_dispose(&parent);
	base_buf_dispose(&xml);
	aws__wipe_free(token);
	base_free(session);
	return rc;
}

int aws__plain_http(const aws__chain *ch, const char *who, const char *method, const char *url,
                    const aws_http_header *h, size_t nh, const char *body, unsigned connect_ms,
                    unsigned total_ms, aws_http_response *resp, aws_error *err)
{
	aws_http_request r;
	int rc;
	memset(&r, 0, sizeof r);
	r.method = method;
	r.url = url;
	r.headers = h;
	r.n_headers = nh;
	if (body || strcmp(method, "GET") != 0) {
		r.body = body ? body : "";
		r.body_len = body ? strlen(body) : 0;
	}
	r.connect_timeout_ms = connect_ms;
	r.timeout_ms = total_ms;
	r.idle_timeout_ms = total_ms;
	r.max_response = 64 * 1024;
	r.ca_bundle = ch->ca_bundle;
	r.is_cancelled = ch->hooks.is_cancelled;
	r.cancel_ctx = ch->hooks.ctx;
	rc = ch->hooks.transport->send(ch->hooks.transport_ctx, &r, resp);
	if (rc != BASE_OK) {
		aws_error_setf(err, 0, rc == BASE_ECANCELLED ? "RequestCanceled" : "CredentialsEndpointError",
		               "%s: %s %s: %s", who, method, url, resp->errmsg);
		return rc;
	}
	if (resp->status < 200 || resp->status > 299) {
		aws_error_setf(err, resp->status, "CredentialsEndpointError", "%s: %s %s: HTTP %d", who,
		               method, url, resp->status);
		return BASE_EIO;
	}
	return BASE_OK;
}

int aws__fetch_ecs(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err)
{
	aws_http_response resp;
	aws_http_header h[2];
	size_t nh = 0;
	char *tok = NULL;
	int rc = BASE_OK;
	aws_http_response_init(&resp);
	if (n->auth_token_file) {
		rc = read_token_file(n->auth_token_file, n->desc, &tok, err);
		if (rc != BASE_OK)
			goto done;
	} else if (n->auth_token) {
		tok = base_xstrdup(n->auth_token);
	}
	if (tok)
		h[nh++] = (aws_http_header){"Authorization", tok};
	h[nh++] = (aws_http_header){"Accept", "application/json"};
	rc = aws__plain_http(ch, n->desc, "GET", n->url, h, nh, NULL, 2000, 5000, &resp, err);
	if (rc == BASE_OK)
		rc = aws__creds_from_json(base_buf_cstr(&resp.body), resp.body.len, n->desc, false, out, err);
done:
	aws__wipe_free(tok);
	if (resp.body.data)
		memset(resp.body.data, 0, resp.body.len);
	aws_http_response_dispose(&resp);
	return rc;
}
