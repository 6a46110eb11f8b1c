/*
 * aws_creds.c - credentials and the AWS SDK credential chain: the provider
 * (resolution order, caching, refresh, locking) and its leaf sources from
 * the environment. The other sources live in aws_creds_profile.c,
 * aws_creds_fetch.c, aws_creds_process.c, aws_creds_sso.c and aws_imds.c
 * (aws_creds_int.h).
 *
 * The chain is resolved once (first get) into a small tree of sources:
 * a leaf (static keys, credential_process, SSO, web identity, ECS, IMDS)
 * or an AssumeRole node over another source. Every non-static node caches
 * its credentials and refreshes them AWS_CREDS_REFRESH_WINDOW_S before
 * they expire.
 *
 * Locking: `refresh_mu` serialises resolution and refresh (one caller
 * fetches, so concurrent callers never trigger duplicate STS/IMDS/SSO
 * calls; the nodes are only touched under it). `mu` guards a snapshot of
 * the root's credentials: a caller whose snapshot is still valid gets it
 * without waiting for a slow refresh (e.g. a credential_process that
 * hangs until its timeout); only callers without valid credentials wait.
 */
#include "aws/aws_creds.h"
#include "aws/aws_url.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/aws_creds_int.h"
#include "aws/aws_int.h"
#include "base/base_alloc.h"
#include "base/base_log.h"

#define ECS_HOST "http://169.254.170.2"

/* ------------------------------------------------------------------ */
/* aws_creds and small helpers                                          */

void aws__wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		base_free(s);
	}
}

bool aws__set(const char *s)
{
	return s && *s;
}

void aws_creds_init(aws_creds *c)
{
	memset(c, 0, sizeof *c);
}

void aws_creds_dispose(aws_creds *c)
{
	if (!c)
		return;
	aws__wipe_free(c->access_key);
	aws__wipe_free(c->secret_key);
	aws__wipe_free(c->token);
	memset(c, 0, sizeof *c);
}

void aws_creds_copy(aws_creds *dst, const aws_creds *src)
{
	aws_creds tmp;
	tmp.access_key = base_xstrdup(src->access_key);
	tmp.secret_key = base_xstrdup(src->secret_key);
	tmp.token = base_xstrdup(src->token);
	tmp.expiration = src->expiration;
	memcpy(tmp.source, src->source, sizeof tmp.source);
	aws_creds_dispose(dst);
	*dst = tmp;
}

void aws__creds_set(aws_creds *c, const char *ak, const char *sk, const char *tok, int64_t exp,
                    const char *source)
{
	aws_creds_dispose(c);
	c->access_key = base_xstrdup(ak);
	c->secret_key = base_xstrdup(sk);
	c->token = tok && *tok ? base_xstrdup(tok) : NULL;
	c->expiration = exp;
	snprintf(c->source, sizeof c->source, "%s", source);
}

char *aws__expand_home(const char *path)
{
	const char *home = getenv("HOME");
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && home)
		return base_xasprintf("%s%s", home, path + 1);
	return base_xstrdup(path);
}

void aws__err_prefix(aws_error *err, const char *fmt, ...)
{
	char old[sizeof err->message];
	size_t used, rest, cap = sizeof err->message;
	va_list ap;
	memcpy(old, err->message, sizeof old);
	va_start(ap, fmt);
	vsnprintf(err->message, cap, fmt, ap);
	va_end(ap);
	used = strlen(err->message);
	if (used + 2 < cap) {
		memcpy(err->message + used, ": ", 2);
		used += 2;
		rest = strlen(old);
		if (rest > cap - 1 - used)
			rest = cap - 1 - used;
		memcpy(err->message + used, old, rest);
		err->message[used + rest] = '\0';
	}
}

int aws__read_file(const char *path, size_t max, base_buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;
	int rc = BASE_OK;
	if (!f)
		return BASE_ENOTFOUND;
	base_buf_reset(out);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (out->len + n > max) {
			rc = BASE_ETOOBIG;
			break;
		}
		AWS__IGNORE_RC(base_buf_append(out, chunk, n));
	}
	fclose(f);
	return rc;
}

/* ------------------------------------------------------------------ */
/* time                                                                 */

static bool digits(const char *s, int n, int *out)
{
	int i, v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool aws__parse_iso8601(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0;
	const char *p;
	int64_t t;
	if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':')
		return false;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
	    !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	p = s + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	t = aws__days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2, &oh))
			return false;
		p += 3;
		if (*p == ':')
			p++;
		if (!digits(p, 2, &om))
			return false;
		p += 2;
		t -= sign * (oh * 3600 + om * 60);
	}
	if (*p)
		return false;
	*out = t;
	return true;
}

/* ------------------------------------------------------------------ */
/* nodes                                                                */

aws__node *aws__node_new(aws__chain *ch, aws__node_kind k, const char *fmt, ...)
{
	aws__node *n = base_xcalloc(1, sizeof *n);
	va_list ap;
	base_buf d;
	base_buf_init(&d, 0);
	va_start(ap, fmt);
	AWS__IGNORE_RC(base_buf_vprintf(&d, fmt, ap));
	va_end(ap);
	n->kind = k;
	n->desc = base_buf_detach(&d, NULL);
	aws_creds_init(&n->cached);
	n->next_alloc = ch->nodes;
	ch->nodes = n;
	return n;
}

static void sso_cfg_free(aws__sso_cfg *s)
{
	base_free(s->profile);
	base_free(s->session);
	base_free(s->start_url);
	base_free(s->region);
	base_free(s->account_id);
	base_free(s->role_name);
	base_free(s->portal_url);
	base_free(s->oidc_url);
	base_free(s->cache_dir);
}

static void node_free(aws__node *n)
{
	aws_creds_dispose(&n->cached);
	base_free(n->desc);
	base_free(n->cmd);
	base_free(n->role_arn);
	base_free(n->session_name);
	base_free(n->external_id);
	base_free(n->token_file);
	base_free(n->url);
	aws__wipe_free(n->auth_token);
	base_free(n->auth_token_file);
	sso_cfg_free(&n->sso);
	base_free(n);
}

aws__node *aws__static_node(aws__chain *ch, const char *ak, const char *sk, const char *tok, const char *desc)
{
	aws__node *n = aws__node_new(ch, N_STATIC, "%s", desc);
	aws__creds_set(&n->cached, ak, sk, tok, 0, desc);
	n->have = true;
	return n;
}

aws__node *aws__ecs_node_from_env(aws__chain *ch, aws_error *err, int *rc)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	aws__node *n;
	*rc = BASE_OK;
	if (aws__set(rel)) {
		n = aws__node_new(ch, N_ECS,
		                  "ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)");
		n->url = base_xasprintf("%s%s%s", ECS_HOST, rel[0] == '/' ? "" : "/", rel);
	} else if (aws__set(full)) {
		const char *why = NULL;
		if (aws_url_check_container_endpoint(full, &why) != BASE_OK) {
			aws_error_setf(
			        err, 0, "InvalidConfiguration",
			        "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/ECS/EKS "
			        "address, got \"%s\": %s",
			        full, why);
			*rc = BASE_EINVALID;
			return NULL;
		}
		n = aws__node_new(ch, N_ECS,
		                  "ECS container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)");
		n->url = base_xstrdup(full);
	} else {
		return NULL;
	}
	n->auth_token_file = base_xstrdup(aws__set(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
	                                          ? getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
	                                          : NULL);
	n->auth_token = base_xstrdup(aws__set(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
	                                     ? getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	                                     : NULL);
	return n;
}

int64_t aws__now(const aws__chain *ch)
{
	return ch->hooks.now ? ch->hooks.now(ch->hooks.ctx) : (int64_t)time(NULL);
}

/* ------------------------------------------------------------------ */
/* the provider                                                         */

struct aws_creds_provider {
	aws__chain ch;
	/* config copies */
	char *profile, *ak, *sk, *token;
	char **config_files, **credentials_files;
	size_t n_config_files, n_credentials_files;
	char *ar_arn, *ar_session, *ar_external_id;
	/* resolved chain; touched only under refresh_mu */
	pthread_mutex_t refresh_mu;
	bool resolved;
	aws__node *root;
	bool fallback; /* root came from the ECS/IMDS fallback */
	char *tried;   /* what was tried before the root */
	/* snapshot of the root's credentials; under mu */
	pthread_mutex_t mu;
	aws_creds snap;
	bool have_snap, snap_stale, refreshing, invalidate_pending;
};

static char **dup_list(const char *const *v, size_t n)
{
	char **o;
	if (!n)
		return NULL;
	o = base_xcalloc(n, sizeof *o);
	for (size_t i = 0; i < n; i++)
		o[i] = base_xstrdup(v[i]);
	return o;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		base_free(v[i]);
	base_free(v);
}

static char *dup_set(const char *s)
{
	return base_xstrdup(aws__set(s) ? s : NULL);
}

int aws_creds_provider_new(aws_creds_provider **out, const aws_creds_config *cfg,
                           const aws_creds_hooks *hooks, aws_error *err)
{
	aws_creds_provider *p;
	*out = NULL;
	if (aws__set(cfg->access_key) != aws__set(cfg->secret_key)) {
		aws_error_setf(err, 0, "InvalidConfiguration",
		               "provider block: access_key and secret_key must be set together");
		return BASE_EINVALID;
	}
	if (aws__set(cfg->token) && !aws__set(cfg->access_key)) {
		aws_error_setf(err, 0, "InvalidConfiguration",
		               "provider block: token requires access_key and secret_key");
		return BASE_EINVALID;
	}
	p = base_xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->refresh_mu, NULL);
	p->ch.hooks = *hooks;
	p->ch.ca_bundle = base_xstrdup(cfg->ca_bundle);
	p->ch.process_timeout_ms =
	        cfg->process_timeout_ms ? cfg->process_timeout_ms : AWS__PROCESS_TIMEOUT_MS;
	p->profile = dup_set(cfg->profile);
	p->ak = dup_set(cfg->access_key);
	p->sk = dup_set(cfg->secret_key);
	p->token = dup_set(cfg->token);
	p->config_files = dup_list(cfg->config_files, cfg->n_config_files);
	p->n_config_files = cfg->n_config_files;
	p->credentials_files = dup_list(cfg->credentials_files, cfg->n_credentials_files);
	p->n_credentials_files = cfg->n_credentials_files;
	p->ar_arn = dup_set(cfg->assume_role_arn);
	p->ar_session = dup_set(cfg->assume_role_session_name);
	p->ar_external_id = dup_set(cfg->assume_role_external_id);
	aws_creds_init(&p->snap);
	*out = p;
	return BASE_OK;
}

void aws_creds_provider_free(aws_creds_provider *p)
{
	aws__node *n, *nx;
	if (!p)
		return;
	for (n = p->ch.nodes; n; n = nx) {
		nx = n->next_alloc;
		node_free(n);
	}
	base_free(p->profile);
	aws__wipe_free(p->ak);
	aws__wipe_free(p->sk);
	aws__wipe_free(p->token);
	free_list(p->config_files, p->n_config_files);
	free_list(p->credentials_files, p->n_credentials_files);
	base_free(p->ar_arn);
	base_free(p->ar_session);
	base_free(p->ar_external_id);
	base_free(p->ch.ca_bundle);
	base_free(p->tried);
	aws_creds_dispose(&p->snap);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->refresh_mu);
	base_free(p);
}

/* ------------------------------------------------------------------ */
/* chain resolution                                                     */

static void tried_add(base_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tried_add(base_buf *t, const char *fmt, ...)
{
	va_list ap;
	if (t->len)
		AWS__IGNORE_RC(base_buf_puts(t, "; "));
	va_start(ap, fmt);
	AWS__IGNORE_RC(base_buf_vprintf(t, fmt, ap));
	va_end(ap);
}

/* Steps 1-2: provider block keys, then the environment's. */
static aws__node *keys_node(aws_creds_provider *p, base_buf *tried)
{
	const char *eak = getenv("AWS_ACCESS_KEY_ID"), *esk = getenv("AWS_SECRET_ACCESS_KEY");
	if (p->ak)
		return aws__static_node(&p->ch, p->ak, p->sk, p->token,
		                        "provider block (access_key/secret_key)");
	tried_add(tried, "provider block: access_key/secret_key not set");
	if (aws__set(eak) && aws__set(esk))
		return aws__static_node(&p->ch, eak, esk, getenv("AWS_SESSION_TOKEN"),
		                        "environment variables");
	tried_add(tried, "environment: %s",
	          aws__set(eak) || aws__set(esk)
	                  ? "only one of AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY is set"
	                  : "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY not set");
	return NULL;
}

/* Step 3: the shared files. BASE_OK with *root or NULL (nothing there). */
static int shared_files_node(aws_creds_provider *p, base_buf *tried, aws__node **root, aws_error *err)
{
	aws_creds_config cc;
	aws__ini ini;
	const char *name;
	bool explicit_profile, exists;
	int rc;
	memset(&cc, 0, sizeof cc);
	cc.profile = p->profile;
	cc.config_files = (const char *const *)p->config_files;
	cc.n_config_files = p->n_config_files;
	cc.credentials_files = (const char *const *)p->credentials_files;
	cc.n_credentials_files = p->n_credentials_files;
	aws__ini_load(&ini, &cc);
	name = aws__profile_name(&cc, &explicit_profile);
	if (ini.missing_named) {
		aws_error_setf(err, 0, "InvalidConfiguration", "%s: the file %s does not exist",
		               ini.missing_attr, ini.missing_named);
		rc = BASE_EINVALID;
		goto done;
	}
	rc = aws__profile_node(&p->ch, &ini, name, 0, root, &exists, err);
	if (rc != BASE_ENOTFOUND)
		goto done;
	rc = BASE_OK;
	if (explicit_profile && !exists) {
		aws_error_setf(err, 0, "NoCredentialProviders", "profile \"%s\" not found in %s", name,
		               base_buf_cstr(&ini.files));
		rc = BASE_EINVALID;
		goto done;
	}
	tried_add(tried, "shared files (%s): profile \"%s\" %s", base_buf_cstr(&ini.files), name,
	          exists ? "has no credentials" : "not found");
done:
	aws__ini_dispose(&ini);
	return rc;
}

static bool imds_disabled(void)
{
	const char *v = getenv("AWS_EC2_METADATA_DISABLED");
	return v && strcasecmp(v, "true") == 0;
}

/* Steps 4-6: web identity, ECS, IMDS. BASE_OK with *root or an error. */
static int fallback_node(aws_creds_provider *p, base_buf *tried, aws__node **root, aws_error *err)
{
	const char *tf = getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), *ra = getenv("AWS_ROLE_ARN");
	const char *rsn = getenv("AWS_ROLE_SESSION_NAME");
	int rc;
	if (aws__set(tf) && aws__set(ra)) {
		aws__node *n = aws__node_new(&p->ch, N_WEBID,
		                             "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, role %s)", ra);
		n->token_file = base_xstrdup(tf);
		n->role_arn = base_xstrdup(ra);
		n->session_name = dup_set(rsn);
		*root = n;
		return BASE_OK;
	}
	tried_add(tried, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN not set");
	*root = aws__ecs_node_from_env(&p->ch, err, &rc);
	if (rc != BASE_OK || *root) {
		p->fallback = *root != NULL;
		return rc;
	}
	tried_add(tried, "ECS container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI not set");
	if (!imds_disabled() && p->ch.hooks.transport) {
		*root = aws__imds_node(&p->ch);
		p->fallback = true;
		return BASE_OK;
	}
	tried_add(tried, "EC2 instance metadata: %s",
	          imds_disabled() ? "disabled by AWS_EC2_METADATA_DISABLED" : "no transport");
	aws_error_setf(err, 0, "NoCredentialProviders", "no valid AWS credentials found. Tried: %s",
	               base_buf_cstr(tried));
	return BASE_EINVALID;
}

/* Builds p->root. Called with refresh_mu held. */
static int resolve_chain(aws_creds_provider *p, aws_error *err)
{
	base_buf tried;
	aws__node *root;
	int rc = BASE_OK;
	base_buf_init(&tried, 0);
	root = keys_node(p, &tried);
	if (!root)
		rc = shared_files_node(p, &tried, &root, err);
	if (rc == BASE_OK && !root)
		rc = fallback_node(p, &tried, &root, err);
	if (rc != BASE_OK)
		goto done;
	if (p->ar_arn) {
		/* the provider block's assume_role wraps whatever was found */
		aws__node *a = aws__node_new(&p->ch, N_ASSUME, "assume_role %s", p->ar_arn);
		a->parent = root;
		a->role_arn = base_xstrdup(p->ar_arn);
		a->session_name = base_xstrdup(p->ar_session);
		a->external_id = base_xstrdup(p->ar_external_id);
		root = a;
	}
	p->root = root;
	p->resolved = true;
	base_free(p->tried);
	p->tried = base_buf_detach(&tried, NULL);
done:
	base_buf_dispose(&tried);
	return rc;
}

/* ------------------------------------------------------------------ */
/* fetching and caching                                                 */

static int node_fetch(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err)
{
	if (!ch->hooks.transport && (n->kind == N_ECS || n->kind == N_IMDS || n->kind == N_SSO)) {
		aws_error_setf(err, 0, "InvalidConfiguration", "%s: no HTTP transport", n->desc);
		return BASE_EINVALID;
	}
	switch (n->kind) {
	case N_STATIC:
		aws_creds_copy(out, &n->cached);
		return BASE_OK;
	case N_PROCESS:
		return aws__fetch_process(ch, n, out, err);
	case N_ASSUME:
	case N_WEBID:
		return aws__fetch_sts(ch, n, out, err);
	case N_ECS:
		return aws__fetch_ecs(ch, n, out, err);
	case N_IMDS:
		return aws__fetch_imds(ch, n, out, err);
	case N_SSO:
		return aws__fetch_sso(ch, n, out, err);
	}
	return BASE_ERR;
}

static bool fresh_at(const aws_creds *c, int64_t now)
{
	return c->expiration == 0 || c->expiration - now > AWS_CREDS_REFRESH_WINDOW_S;
}

static bool valid_at(const aws_creds *c, int64_t now)
{
	return c->expiration == 0 || c->expiration > now;
}

int aws__node_get(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err)
{
	int64_t now = aws__now(ch);
	aws_creds fresh;
	char exp_s[24];
	int rc;

	if (n->kind == N_STATIC || (n->have && !n->stale && fresh_at(&n->cached, now))) {
		aws_creds_copy(out, &n->cached);
		return BASE_OK;
	}
	aws_creds_init(&fresh);
	rc = node_fetch(ch, n, &fresh, err);
	if (rc == BASE_OK) {
		if (!fresh.source[0])
			snprintf(fresh.source, sizeof fresh.source, "%s", n->desc);
		aws_creds_copy(&n->cached, &fresh);
		n->have = true;
		n->stale = false;
		aws_creds_copy(out, &fresh);
		snprintf(exp_s, sizeof exp_s, "%lld", (long long)fresh.expiration);
		base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws credentials fetched", "source", n->desc,
		            "expiration", exp_s, NULL);
	} else if (n->have && valid_at(&n->cached, now) && rc != BASE_ECANCELLED) {
		/* refresh failed but what we hold is still valid: use it, try again next time */
		base_log_kv(BASE_LOG_WARN, AWS_LOG_MODULE,
		            "aws credential refresh failed; using cached credentials", "source", n->desc,
		            "error", err->message, NULL);
		aws_error_clear(err);
		aws_creds_copy(out, &n->cached);
		rc = BASE_OK;
	}
	aws_creds_dispose(&fresh);
	return rc;
}

/* Resolves (first time) and refreshes the root. Called with refresh_mu held. */
static int refresh_root(aws_creds_provider *p, aws_creds *out, aws_error *err)
{
	int rc = BASE_OK;
	bool inval;
	pthread_mutex_lock(&p->mu);
	inval = p->invalidate_pending;
	p->invalidate_pending = false;
	pthread_mutex_unlock(&p->mu);
	if (inval)
		for (aws__node *n = p->ch.nodes; n; n = n->next_alloc)
			if (n->kind != N_STATIC)
				n->stale = true;
	if (!p->resolved)
		rc = resolve_chain(p, err);
	if (rc == BASE_OK)
		rc = aws__node_get(&p->ch, p->root, out, err);
	if (rc != BASE_OK && p->fallback && rc != BASE_ECANCELLED) {
		/* the last-resort source failed: say what else was tried */
		char msg[sizeof err->message];
		memcpy(msg, err->message, sizeof msg);
		aws_error_setf(err, err->http_status, "NoCredentialProviders",
		               "no valid AWS credentials found. Tried: %s; %s", p->tried ? p->tried : "",
		               msg);
		rc = BASE_EINVALID;
	}
	return rc;
}

/* The snapshot if the caller may use it without waiting (under mu). */
static bool snap_usable(aws_creds_provider *p, int64_t now)
{
	if (!p->have_snap)
		return false;
	if (!p->snap_stale && fresh_at(&p->snap, now))
		return true;
	/* due for refresh: while another caller refreshes, valid credentials do */
	return p->refreshing && !p->snap_stale && valid_at(&p->snap, now);
}

int aws_creds_provider_get(aws_creds_provider *p, aws_creds *out, aws_error *err)
{
	int rc;
	pthread_mutex_lock(&p->mu);
	if (snap_usable(p, aws__now(&p->ch))) {
		aws_creds_copy(out, &p->snap);
		pthread_mutex_unlock(&p->mu);
		return BASE_OK;
	}
	pthread_mutex_unlock(&p->mu);

	pthread_mutex_lock(&p->refresh_mu);
	pthread_mutex_lock(&p->mu);
	if (p->have_snap && !p->snap_stale && fresh_at(&p->snap, aws__now(&p->ch))) {
		/* refreshed by the caller we waited for */
		aws_creds_copy(out, &p->snap);
		pthread_mutex_unlock(&p->mu);
		pthread_mutex_unlock(&p->refresh_mu);
		return BASE_OK;
	}
	p->refreshing = true;
	pthread_mutex_unlock(&p->mu);

	rc = refresh_root(p, out, err);

	pthread_mutex_lock(&p->mu);
	p->refreshing = false;
	if (rc == BASE_OK) {
		aws_creds_copy(&p->snap, out);
		p->have_snap = true;
		p->snap_stale = p->invalidate_pending;
	}
	pthread_mutex_unlock(&p->mu);
	pthread_mutex_unlock(&p->refresh_mu);
	return rc;
}

void aws_creds_provider_invalidate(aws_creds_provider *p)
{
	pthread_mutex_lock(&p->mu);
	p->snap_stale = true;
	p->invalidate_pending = true;
	pthread_mutex_unlock(&p->mu);
}
