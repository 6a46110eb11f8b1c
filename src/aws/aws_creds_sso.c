/*
 * aws_creds_sso.c - AWS IAM Identity Center (SSO) profiles.
 *
 * A profile names an SSO session (sso_session = s, with sso_start_url and
 * sso_region in [sso-session s]) or carries the legacy keys (sso_start_url,
 * sso_region), plus sso_account_id and sso_role_name. `aws sso login`
 * leaves an access token in ~/.aws/sso/cache/<sha1 hex of the session name,
 * or of the start URL for legacy profiles>.json:
 *   {"startUrl","region","accessToken","expiresAt":"ISO 8601",
 *    "clientId","clientSecret","registrationExpiresAt","refreshToken"}
 * When the token is within the refresh window and the cache holds a refresh
 * token with a client registration, SSO OIDC CreateToken (POST <oidc>/token,
 * JSON {"clientId","clientSecret","grantType":"refresh_token","refreshToken"}
 * -> {"accessToken","expiresIn","refreshToken"}) renews it and the cache file
 * is rewritten. Role credentials come from the portal's GetRoleCredentials
 * (GET <portal>/federation/credentials?account_id=&role_name= with header
 * x-amz-sso_bearer_token -> {"roleCredentials":{"accessKeyId",
 * "secretAccessKey","sessionToken","expiration": ms}}). Neither call is
 * SigV4-signed. A missing, expired or refused token ends in an error that
 * tells the user to run `aws sso login --profile <name>`.
 */
#include "aws/aws_creds_int.h"
#include "aws/aws_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws_crypto.h"
#include "aws/aws_endpoint.h"
#include "aws/aws_json.h"
#include "base/base_alloc.h"
#include "base/base_arena.h"

#define SSO_CONNECT_MS 5000u
#define SSO_TOTAL_MS 30000u

/* ------------------------------------------------------------------ */
/* pure parts                                                           */

void aws__sso_cache_name(const char *key, char out[46])
{
	char hex[2 * AWS_SHA1_LEN + 1];
	aws_crypto_sha1_hex(key, strlen(key), hex);
	snprintf(out, 46, "%s.json", hex);
}

aws__sso_action aws__sso_decide(int64_t now, int64_t expires_at, bool can_refresh)
{
	if (expires_at - now > AWS_CREDS_REFRESH_WINDOW_S)
		return AWS__SSO_USE;
	if (can_refresh)
		return AWS__SSO_REFRESH;
	return expires_at > now ? AWS__SSO_USE : AWS__SSO_LOGIN;
}

static int login_error(const aws__node *n, aws_error *err, const char *why)
{
	aws_error_setf(err, 0, "SSOTokenError", "%s: %s; run `aws sso login --profile %s` and try again",
	               n->desc, why, n->sso.profile);
	return BASE_EINVALID;
}

/* ------------------------------------------------------------------ */
/* the node                                                             */

static int sso_bad(aws_error *err, const char *profile, const char *what)
{
	aws_error_setf(err, 0, "InvalidConfiguration", "profile \"%s\": %s", profile, what);
	return BASE_EINVALID;
}

static char *resolve_url(const aws__ini *ini, const char *profile, const char *key, const char *dflt_fmt,
                         const char *region, aws_error *err, int *rc)
{
	aws_profile_settings ps;
	aws_endpoint_query q = {key, NULL, &ps};
	char origin[128];
	const char *u;
	char *out = NULL;
	aws__profile_settings_from_ini(ini, profile, &ps);
	u = aws_endpoint_configured(&q, origin);
	*rc = BASE_OK;
	if (u && !aws_endpoint_url_ok(u)) {
		aws_error_setf(err, 0, "InvalidEndpoint",
		               "%s: endpoint URL for %s must be http(s)://host[:port][/path], got \"%s\"",
		               origin, key, u);
		*rc = BASE_EINVALID;
	} else if (u) {
		size_t l = strlen(u);
		while (l > 0 && u[l - 1] == '/')
			l--;
		out = base_xstrndup(u, l);
	} else {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		out = base_xasprintf(dflt_fmt, region);
#pragma GCC diagnostic pop
	}
	aws_profile_settings_dispose(&ps);
	return out;
}

int aws__sso_node(aws__chain *ch, const aws__ini *ini, const char *name, aws__node **out, aws_error *err)
{
	const char *sess = aws__ini_get(ini, AWS__INI_PROFILE, name, "sso_session");
	const char *url = aws__ini_get(ini, AWS__INI_PROFILE, name, "sso_start_url");
	const char *region = aws__ini_get(ini, AWS__INI_PROFILE, name, "sso_region");
	const char *acct = aws__ini_get(ini, AWS__INI_PROFILE, name, "sso_account_id");
	const char *role = aws__ini_get(ini, AWS__INI_PROFILE, name, "sso_role_name");
	const char *home = getenv("HOME");
	aws__node *n;
	int rc;

	if (sess) {
		if (!aws__ini_has(ini, AWS__INI_SSO_SESSION, sess)) {
			aws_error_setf(err, 0, "InvalidConfiguration",
			               "profile \"%s\": sso_session \"%s\" has no [sso-session %s] section",
			               name, sess, sess);
			return BASE_EINVALID;
		}
		url = aws__ini_get(ini, AWS__INI_SSO_SESSION, sess, "sso_start_url");
		region = aws__ini_get(ini, AWS__INI_SSO_SESSION, sess, "sso_region");
	}
	if (!url || !region)
		return sso_bad(err, name,
		               sess ? "the sso-session section needs sso_start_url and sso_region"
		                    : "sso_start_url needs sso_region");
	if (!acct || !role)
		return sso_bad(err, name, "an SSO profile needs sso_account_id and sso_role_name");
	n = aws__node_new(ch, N_SSO, "profile \"%s\" (SSO%s%s, account %s, role %s)", name,
	                  sess ? " session " : " ", sess ? sess : url, acct, role);
	n->sso.profile = base_xstrdup(name);
	n->sso.session = base_xstrdup(sess);
	n->sso.start_url = base_xstrdup(url);
	n->sso.region = base_xstrdup(region);
	n->sso.account_id = base_xstrdup(acct);
	n->sso.role_name = base_xstrdup(role);
	n->sso.cache_dir = base_xasprintf("%s/.aws/sso/cache", home ? home : "");
	n->sso.portal_url =
	        resolve_url(ini, name, "sso", "https://portal.sso.%s.amazonaws.com", region, err, &rc);
	if (rc == BASE_OK)
		n->sso.oidc_url =
		        resolve_url(ini, name, "sso_oidc", "https://oidc.%s.amazonaws.com", region, err, &rc);
	if (rc == BASE_OK)
		*out = n;
	return rc;
}

/* ------------------------------------------------------------------ */
/* the token cache                                                      */

struct token {
	base_arena *a;
	const aws_json *doc; /* the whole cache file */
	char *path;
	const char *access, *refresh, *client_id, *client_secret;
	int64_t expires_at, reg_expires_at;
};

static void token_dispose(struct token *t)
{
	base_arena_free(t->a);
	base_free(t->path);
	memset(t, 0, sizeof *t);
}

static int token_load(const aws__node *n, struct token *t, aws_error *err)
{
	char name[46];
	base_buf b;
	const char *exp, *rexp;
	int rc;
	memset(t, 0, sizeof *t);
	t->a = base_arena_new();
	aws__sso_cache_name(n->sso.session ? n->sso.session : n->sso.start_url, name);
	t->path = base_xasprintf("%s/%s", n->sso.cache_dir, name);
	base_buf_init(&b, 0);
	rc = aws__read_file(t->path, AWS__MAX_FILE_BYTES, &b);
	if (rc == BASE_OK && (aws_json_parse(t->a, base_buf_cstr(&b), b.len, &t->doc) != BASE_OK ||
	                      aws_json_kind_of(t->doc) != AWS_JSON_OBJECT))
		rc = BASE_EINVALID;
	if (b.data)
		memset(b.data, 0, b.len);
	base_buf_dispose(&b);
	if (rc != BASE_OK) {
		char why[512];
		snprintf(why, sizeof why, "no usable cached SSO token (%s %s)", t->path,
		         rc == BASE_ENOTFOUND ? "does not exist" : "is not valid JSON");
		return login_error(n, err, why);
	}
	t->access = aws_json_str(aws_json_get(t->doc, "accessToken"));
	t->refresh = aws_json_str(aws_json_get(t->doc, "refreshToken"));
	t->client_id = aws_json_str(aws_json_get(t->doc, "clientId"));
	t->client_secret = aws_json_str(aws_json_get(t->doc, "clientSecret"));
	exp = aws_json_str(aws_json_get(t->doc, "expiresAt"));
	rexp = aws_json_str(aws_json_get(t->doc, "registrationExpiresAt"));
	if (!aws__set(t->access) || !exp || !aws__parse_iso8601(exp, &t->expires_at))
		return login_error(n, err, "the cached SSO token has no accessToken/expiresAt");
	if (!rexp || !aws__parse_iso8601(rexp, &t->reg_expires_at))
		t->reg_expires_at = 0;
	return BASE_OK;
}

static bool can_refresh(const struct token *t, int64_t now)
{
	return aws__set(t->refresh) && aws__set(t->client_id) && aws__set(t->client_secret) &&
	       (t->reg_expires_at == 0 || t->reg_expires_at > now);
}

static void iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Rewrites the cache file with the renewed token (other fields kept). */
static void token_save(struct token *t, const char *access, const char *refresh, int64_t expires_at)
{
	aws_json *o = aws_json_new_object(t->a);
	base_buf b;
	char exp[32], *tmp;
	int fd;
	for (size_t i = 0; i < aws_json_len(t->doc); i++) {
		const char *k = aws_json_key_at(t->doc, i);
		const char *v = aws_json_str(aws_json_at(t->doc, i));
		if (v && strcmp(k, "accessToken") != 0 && strcmp(k, "expiresAt") != 0 &&
		    strcmp(k, "refreshToken") != 0)
			aws_json_set_str(o, k, v);
	}
	iso(expires_at, exp);
	aws_json_set_str(o, "accessToken", access);
	aws_json_set_str(o, "expiresAt", exp);
	aws_json_set_str(o, "refreshToken", refresh);
	base_buf_init(&b, 0);
	tmp = base_xasprintf("%s.tmp%ld", t->path, (long)getpid());
	fd = aws_json_encode(o, &b) == BASE_OK ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
	                                       : -1;
	if (fd >= 0) {
		bool ok = write(fd, b.data, b.len) == (ssize_t)b.len;
		ok = close(fd) == 0 && ok;
		if (!ok || rename(tmp, t->path) != 0)
			unlink(tmp);
	}
	if (b.data)
		memset(b.data, 0, b.len);
	base_buf_dispose(&b);
	base_free(tmp);
}

/* OIDC CreateToken with the refresh grant. On success the token is renewed
 * in t (strings in t->a) and in the cache file. */
static int token_refresh(const aws__chain *ch, const aws__node *n, struct token *t, aws_error *err)
{
	aws_json *req = aws_json_new_object(t->a);
	const aws_json *j = NULL;
	aws_http_header h = {"Content-Type", "application/json"};
	aws_http_response resp;
	base_buf body;
	char *url = base_xasprintf("%s/token", n->sso.oidc_url);
	const char *acc, *ref;
	int64_t in = 0;
	int rc;
	aws_json_set_str(req, "clientId", t->client_id);
	aws_json_set_str(req, "clientSecret", t->client_secret);
	aws_json_set_str(req, "grantType", "refresh_token");
	aws_json_set_str(req, "refreshToken", t->refresh);
	base_buf_init(&body, 0);
	aws_http_response_init(&resp);
	rc = aws_json_encode(req, &body);
	if (rc == BASE_OK)
		rc = aws__plain_http(ch, "SSO OIDC CreateToken", "POST", url, &h, 1, base_buf_cstr(&body),
		                     SSO_CONNECT_MS, SSO_TOTAL_MS, &resp, err);
	if (rc == BASE_OK && (aws_json_parse(t->a, base_buf_cstr(&resp.body), resp.body.len, &j) != BASE_OK ||
	                      !aws__set(acc = aws_json_str(aws_json_get(j, "accessToken"))) ||
	                      !aws_json_int(aws_json_get(j, "expiresIn"), &in) || in <= 0)) {
		aws_error_setf(err, 0, "SSOTokenError", "SSO OIDC CreateToken: unexpected reply");
		rc = BASE_EINVALID;
	}
	if (rc == BASE_OK) {
		ref = aws_json_str(aws_json_get(j, "refreshToken"));
		t->access = acc;
		t->refresh = aws__set(ref) ? ref : t->refresh;
		t->expires_at = aws__now(ch) + in;
		token_save(t, t->access, t->refresh, t->expires_at);
	}
	if (resp.body.data)
		memset(resp.body.data, 0, resp.body.len);
	if (body.data)
		memset(body.data, 0, body.len);
	aws_http_response_dispose(&resp);
	base_buf_dispose(&body);
	base_free(url);
	return rc;
}

/* A token the portal should accept, refreshing it when due. */
static int usable_token(const aws__chain *ch, const aws__node *n, struct token *t, aws_error *err)
{
	int64_t now = aws__now(ch);
	char why[1400], exp[32];
	int rc = token_load(n, t, err);
	if (rc != BASE_OK)
		return rc;
	switch (aws__sso_decide(now, t->expires_at, can_refresh(t, now))) {
	case AWS__SSO_USE:
		return BASE_OK;
	case AWS__SSO_REFRESH:
		rc = token_refresh(ch, n, t, err);
		if (rc == BASE_ECANCELLED)
			return rc;
		if (rc == BASE_OK || t->expires_at > now) {
			aws_error_clear(err); /* an unexpired token still works */
			return BASE_OK;
		}
		snprintf(why, sizeof why, "the SSO token expired and refreshing it failed (%s)",
		         err->message);
		return login_error(n, err, why);
	case AWS__SSO_LOGIN:
		break;
	}
	iso(t->expires_at, exp);
	snprintf(why, sizeof why, "the cached SSO token expired at %s", exp);
	return login_error(n, err, why);
}

/* ------------------------------------------------------------------ */
/* GetRoleCredentials                                                   */

static void pct(base_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c))
			AWS__IGNORE_RC(base_buf_append(b, s, 1));
		else
			AWS__IGNORE_RC(base_buf_printf(b, "%%%02X", c));
	}
}

static int role_creds_from_json(const aws__node *n, base_arena *a, const base_buf *body, aws_creds *out,
                                aws_error *err)
{
	const aws_json *j = NULL, *rc;
	const char *ak, *sk, *tok;
	int64_t ms = 0;
	if (aws_json_parse(a, base_buf_cstr(body), body->len, &j) != BASE_OK) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: GetRoleCredentials reply is not JSON",
		               n->desc);
		return BASE_EINVALID;
	}
	rc = aws_json_get(j, "roleCredentials");
	ak = aws_json_str(aws_json_get(rc, "accessKeyId"));
	sk = aws_json_str(aws_json_get(rc, "secretAccessKey"));
	tok = aws_json_str(aws_json_get(rc, "sessionToken"));
	if (!aws__set(ak) || !aws__set(sk) || !aws_json_int(aws_json_get(rc, "expiration"), &ms)) {
		aws_error_setf(err, 0, "InvalidCredentials",
		               "%s: GetRoleCredentials reply has no roleCredentials", n->desc);
		return BASE_EINVALID;
	}
	aws__creds_set(out, ak, sk, tok, ms / 1000, n->desc);
	return BASE_OK;
}

int aws__fetch_sso(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err)
{
	struct token t;
	aws_http_response resp;
	aws_http_header h;
	base_buf url;
	int rc;
	aws_http_response_init(&resp);
	base_buf_init(&url, 0);
	rc = usable_token(ch, n, &t, err);
	if (rc != BASE_OK)
		goto done;
	AWS__IGNORE_RC(base_buf_printf(&url, "%s/federation/credentials?account_id=", n->sso.portal_url));
	pct(&url, n->sso.account_id);
	AWS__IGNORE_RC(base_buf_puts(&url, "&role_name="));
	pct(&url, n->sso.role_name);
	h = (aws_http_header){"x-amz-sso_bearer_token", t.access};
	rc = aws__plain_http(ch, n->desc, "GET", base_buf_cstr(&url), &h, 1, NULL, SSO_CONNECT_MS,
	                     SSO_TOTAL_MS, &resp, err);
	if (rc == BASE_EIO && (resp.status == 401 || resp.status == 403)) {
		char why[64];
		snprintf(why, sizeof why, "the SSO portal refused the cached token (HTTP %d)", resp.status);
		rc = login_error(n, err, why);
	}
	if (rc == BASE_OK)
		rc = role_creds_from_json(n, t.a, &resp.body, out, err);
done:
	if (resp.body.data)
		memset(resp.body.data, 0, resp.body.len);
	aws_http_response_dispose(&resp);
	base_buf_dispose(&url);
	token_dispose(&t);
	return rc;
}
