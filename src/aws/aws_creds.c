/*
 * aws_creds.c - credentials and the AWS SDK credential chain.
 *
 * The chain is resolved once (first get) into a small tree of sources:
 * a leaf (static keys, credential_process, web identity, ECS, IMDS) or an
 * AssumeRole node over another source. Every non-static node caches its
 * credentials and refreshes them AWS_CREDS_REFRESH_WINDOW_S before they
 * expire. One mutex per provider serialises resolution and refresh, so
 * concurrent callers never trigger duplicate STS/IMDS calls.
 */
#include "aws/aws_creds.h"
#include "aws/aws_url.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>

#include "aws/aws_int.h"
#include "aws/aws_json.h"
#include "aws/aws_query.h"
#include "aws/aws_xml.h"
#include "base/base_alloc.h"
#include "base/base_arena.h"
#include "base/base_log.h"
#include "base/base_str.h"

#define MAX_FILE_BYTES (1024u * 1024u)
#define MAX_PROCESS_OUTPUT (64u * 1024u)
#define MAX_PROFILE_DEPTH 8
#define STS_VERSION "2011-06-15"
/* Appends to unbounded buffers cannot fail (allocation aborts). */
#define IGNORE_RC(expr)                                                                                      \
	do {                                                                                                 \
		if ((expr) != BASE_OK) { /* cannot happen */                                                 \
		}                                                                                            \
	} while (0)
#define IMDS_DEFAULT "http://169.254.169.254"
#define ECS_HOST "http://169.254.170.2"

/* ------------------------------------------------------------------ */
/* aws_creds                                                            */

static void wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		base_free(s);
	}
}

void aws_creds_init(aws_creds *c)
{
	memset(c, 0, sizeof *c);
}

void aws_creds_dispose(aws_creds *c)
{
	if (!c)
		return;
	wipe_free(c->access_key);
	wipe_free(c->secret_key);
	wipe_free(c->token);
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

static void creds_set(aws_creds *c, const char *ak, const char *sk, const char *tok, int64_t exp,
                      const char *source)
{
	aws_creds_dispose(c);
	c->access_key = base_xstrdup(ak);
	c->secret_key = base_xstrdup(sk);
	c->token = tok && *tok ? base_xstrdup(tok) : NULL;
	c->expiration = exp;
	snprintf(c->source, sizeof c->source, "%s", source);
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
/* shared config / credentials files                                    */

struct ini_ent {
	char *section; /* profile name */
	char *key;     /* lowercase */
	char *val;
};

struct ini {
	struct ini_ent *e;
	size_t n, cap;
	base_buf files; /* "path1, path2" for messages */
	bool any_file;
};

static void ini_dispose(struct ini *ini)
{
	size_t i;
	for (i = 0; i < ini->n; i++) {
		base_free(ini->e[i].section);
		base_free(ini->e[i].key);
		wipe_free(ini->e[i].val);
	}
	base_free(ini->e);
	base_buf_dispose(&ini->files);
	memset(ini, 0, sizeof *ini);
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return base_xstrndup(s, n);
}

/* Parses one file. is_config: sections are "[default]" / "[profile x]"
 * (other kinds such as "[sso-session x]" are skipped). */
static void ini_parse(struct ini *ini, const char *txt, size_t len, bool is_config)
{
	const char *p = txt, *end = txt + len;
	char *section = NULL;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q, *eq;
		size_t n;
		if (!eol)
			eol = end;
		n = (size_t)(eol - p);
		q = p;
		if (n && (*q == ' ' || *q == '\t')) {
			/* indented: a nested sub-property (e.g. "s3 =\n  x = y") */
			p = eol + 1;
			continue;
		}
		while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q == eol || *q == '#' || *q == ';') {
			p = eol + 1;
			continue;
		}
		if (*q == '[') {
			const char *rb = memchr(q, ']', (size_t)(eol - q));
			char *name;
			base_free(section);
			section = NULL;
			if (rb) {
				name = trim_dup(q + 1, (size_t)(rb - q - 1));
				if (!is_config) {
					section = name;
				} else if (strcmp(name, "default") == 0) {
					section = name;
				} else if (strncmp(name, "profile", 7) == 0 &&
				           (name[7] == ' ' || name[7] == '\t')) {
					section = trim_dup(name + 8, strlen(name + 8));
					base_free(name);
				} else {
					base_free(name);
				}
			}
			p = eol + 1;
			continue;
		}
		eq = memchr(q, '=', (size_t)(eol - q));
		if (section && eq) {
			struct ini_ent *e;
			char *k;
			if (ini->n == ini->cap) {
				ini->cap = ini->cap ? 2 * ini->cap : 32;
				ini->e = base_xrealloc(ini->e, ini->cap * sizeof *ini->e);
			}
			e = &ini->e[ini->n++];
			e->section = base_xstrdup(section);
			k = trim_dup(q, (size_t)(eq - q));
			for (char *c = k; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			e->key = k;
			e->val = trim_dup(eq + 1, (size_t)(eol - eq - 1));
		}
		p = eol + 1;
	}
	base_free(section);
}

static char *expand_home(const char *path)
{
	const char *home = getenv("HOME");
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && home)
		return base_xasprintf("%s%s", home, path + 1);
	return base_xstrdup(path);
}

static void ini_load_file(struct ini *ini, const char *path, bool is_config)
{
	char *full = expand_home(path);
	FILE *f = fopen(full, "rb");
	if (ini->files.len)
		IGNORE_RC(base_buf_puts(&ini->files, ", "));
	IGNORE_RC(base_buf_puts(&ini->files, full));
	if (f) {
		base_buf b;
		char chunk[4096];
		size_t n;
		base_buf_init(&b, MAX_FILE_BYTES);
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			if (base_buf_append(&b, chunk, n) != BASE_OK)
				break;
		fclose(f);
		ini->any_file = true;
		ini_parse(ini, base_buf_cstr(&b), b.len, is_config);
		if (b.data)
			memset(b.data, 0, b.len);
		base_buf_dispose(&b);
	} else {
		IGNORE_RC(base_buf_puts(&ini->files, " (missing)"));
	}
	base_free(full);
}

/* Loads one kind of file: the configured ones, else the one named by the
 * environment variable env_name, else ~/.aws/<home_name>. */
static void ini_load_kind(struct ini *ini, const char *const *files, size_t n_files, const char *env_name,
                          const char *home, const char *home_name, bool is_config)
{
	const char *env;
	if (n_files) {
		for (size_t i = 0; i < n_files; i++)
			ini_load_file(ini, files[i], is_config);
	} else if ((env = getenv(env_name)) && *env) {
		ini_load_file(ini, env, is_config);
	} else if (home) {
		char *p = base_xasprintf("%s/.aws/%s", home, home_name);
		ini_load_file(ini, p, is_config);
		base_free(p);
	}
}

/* Loads config files first, then credentials files: lookups take the last
 * match, so the credentials file wins and later files win over earlier. */
static void ini_load(struct ini *ini, const aws_creds_config *cfg)
{
	const char *home = getenv("HOME");
	memset(ini, 0, sizeof *ini);
	base_buf_init(&ini->files, 0);
	ini_load_kind(ini, cfg->config_files, cfg->n_config_files, "AWS_CONFIG_FILE", home, "config", true);
	ini_load_kind(ini, cfg->credentials_files, cfg->n_credentials_files, "AWS_SHARED_CREDENTIALS_FILE",
	              home, "credentials", false);
}

static const char *ini_get(const struct ini *ini, const char *profile, const char *key)
{
	size_t i = ini->n;
	while (i-- > 0)
		if (strcmp(ini->e[i].section, profile) == 0 && strcmp(ini->e[i].key, key) == 0)
			return ini->e[i].val[0] ? ini->e[i].val : NULL;
	return NULL;
}

static bool ini_has_profile(const struct ini *ini, const char *profile)
{
	size_t i;
	for (i = 0; i < ini->n; i++)
		if (strcmp(ini->e[i].section, profile) == 0)
			return true;
	return false;
}

static const char *profile_name(const aws_creds_config *cfg, bool *explicit_out)
{
	const char *n = cfg->profile;
	bool ex = true;
	if (!n || !*n)
		n = getenv("AWS_PROFILE");
	if (!n || !*n)
		n = getenv("AWS_DEFAULT_PROFILE");
	if (!n || !*n) {
		n = "default";
		ex = false;
	}
	if (explicit_out)
		*explicit_out = ex;
	return n;
}

int aws_creds_profile_region(const aws_creds_config *cfg, char **out, aws_error *err)
{
	struct ini ini;
	const char *r;
	(void)err;
	*out = NULL;
	ini_load(&ini, cfg);
	r = ini_get(&ini, profile_name(cfg, NULL), "region");
	if (r)
		*out = base_xstrdup(r);
	ini_dispose(&ini);
	return BASE_OK;
}

/* ------------------------------------------------------------------ */
/* chain nodes                                                          */

enum node_kind { N_STATIC, N_PROCESS, N_ASSUME, N_WEBID, N_ECS, N_IMDS };

struct node {
	enum node_kind kind;
	char *desc; /* safe to log: names the source */
	aws_creds cached;
	bool have, stale;
	char *cmd;                                   /* N_PROCESS */
	char *role_arn, *session_name, *external_id; /* N_ASSUME, N_WEBID */
	int duration;                                /* N_ASSUME: DurationSeconds, 0 = default */
	char *token_file;                            /* N_WEBID */
	char *url;                                   /* N_ECS full URL, N_IMDS endpoint */
	char *auth_token, *auth_token_file;          /* N_ECS */
	struct node *parent;                         /* N_ASSUME */
	struct node *next_alloc;
};

struct aws_creds_provider {
	pthread_mutex_t mu;
	aws_creds_hooks hooks;
	/* config copies */
	char *profile, *ak, *sk, *token;
	char **config_files, **credentials_files;
	size_t n_config_files, n_credentials_files;
	char *ar_arn, *ar_session, *ar_external_id;
	char *ca_bundle;
	/* resolved chain */
	bool resolved;
	struct node *root;
	struct node *nodes; /* every allocated node */
	bool fallback;      /* root came from the ECS/IMDS fallback */
	char *tried;        /* what was tried before the root */
};

static struct node *node_new(aws_creds_provider *p, enum node_kind k, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static struct node *node_new(aws_creds_provider *p, enum node_kind k, const char *fmt, ...)
{
	struct node *n = base_xcalloc(1, sizeof *n);
	va_list ap;
	base_buf d;
	base_buf_init(&d, 0);
	va_start(ap, fmt);
	IGNORE_RC(base_buf_vprintf(&d, fmt, ap));
	va_end(ap);
	n->kind = k;
	n->desc = base_buf_detach(&d, NULL);
	aws_creds_init(&n->cached);
	n->next_alloc = p->nodes;
	p->nodes = n;
	return n;
}

static void node_free(struct node *n)
{
	aws_creds_dispose(&n->cached);
	base_free(n->desc);
	base_free(n->cmd);
	base_free(n->role_arn);
	base_free(n->session_name);
	base_free(n->external_id);
	base_free(n->token_file);
	base_free(n->url);
	wipe_free(n->auth_token);
	base_free(n->auth_token_file);
	base_free(n);
}

static char **dup_list(const char *const *v, size_t n)
{
	char **o;
	size_t i;
	if (!n)
		return NULL;
	o = base_xcalloc(n, sizeof *o);
	for (i = 0; i < n; i++)
		o[i] = base_xstrdup(v[i]);
	return o;
}

static void free_list(char **v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		base_free(v[i]);
	base_free(v);
}

static bool set(const char *s)
{
	return s && *s;
}

int aws_creds_provider_new(aws_creds_provider **out, const aws_creds_config *cfg,
                           const aws_creds_hooks *hooks, aws_error *err)
{
	aws_creds_provider *p;
	*out = NULL;
	if (set(cfg->access_key) != set(cfg->secret_key)) {
		aws_error_setf(err, 0, "InvalidConfiguration",
		               "provider block: access_key and secret_key must be set together");
		return BASE_EINVALID;
	}
	if (set(cfg->token) && !set(cfg->access_key)) {
		aws_error_setf(err, 0, "InvalidConfiguration",
		               "provider block: token requires access_key and secret_key");
		return BASE_EINVALID;
	}
	p = base_xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	p->hooks = *hooks;
	p->profile = base_xstrdup(set(cfg->profile) ? cfg->profile : NULL);
	p->ak = base_xstrdup(set(cfg->access_key) ? cfg->access_key : NULL);
	p->sk = base_xstrdup(set(cfg->secret_key) ? cfg->secret_key : NULL);
	p->token = base_xstrdup(set(cfg->token) ? cfg->token : NULL);
	p->config_files = dup_list(cfg->config_files, cfg->n_config_files);
	p->n_config_files = cfg->n_config_files;
	p->credentials_files = dup_list(cfg->credentials_files, cfg->n_credentials_files);
	p->n_credentials_files = cfg->n_credentials_files;
	p->ar_arn = base_xstrdup(set(cfg->assume_role_arn) ? cfg->assume_role_arn : NULL);
	p->ar_session =
	        base_xstrdup(set(cfg->assume_role_session_name) ? cfg->assume_role_session_name : NULL);
	p->ar_external_id =
	        base_xstrdup(set(cfg->assume_role_external_id) ? cfg->assume_role_external_id : NULL);
	p->ca_bundle = base_xstrdup(cfg->ca_bundle);
	*out = p;
	return BASE_OK;
}

void aws_creds_provider_free(aws_creds_provider *p)
{
	struct node *n, *nx;
	if (!p)
		return;
	for (n = p->nodes; n; n = nx) {
		nx = n->next_alloc;
		node_free(n);
	}
	base_free(p->profile);
	wipe_free(p->ak);
	wipe_free(p->sk);
	wipe_free(p->token);
	free_list(p->config_files, p->n_config_files);
	free_list(p->credentials_files, p->n_credentials_files);
	base_free(p->ar_arn);
	base_free(p->ar_session);
	base_free(p->ar_external_id);
	base_free(p->ca_bundle);
	base_free(p->tried);
	pthread_mutex_destroy(&p->mu);
	base_free(p);
}

static int64_t now_s(const aws_creds_provider *p)
{
	return p->hooks.now ? p->hooks.now(p->hooks.ctx) : (int64_t)time(NULL);
}

/* Prepends "prefix: " to err->message. */
static void err_prefix(aws_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void err_prefix(aws_error *err, const char *fmt, ...)
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

/* ------------------------------------------------------------------ */
/* chain resolution                                                     */

static struct node *static_node(aws_creds_provider *p, const char *ak, const char *sk, const char *tok,
                                const char *desc)
{
	struct node *n = node_new(p, N_STATIC, "%s", desc);
	creds_set(&n->cached, ak, sk, tok, 0, desc);
	n->have = true;
	return n;
}

static struct node *ecs_node_from_env(aws_creds_provider *p, aws_error *err, int *rc)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct node *n;
	*rc = BASE_OK;
	if (set(rel)) {
		n = node_new(p, N_ECS, "ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)");
		n->url = base_xasprintf("%s%s%s", ECS_HOST, rel[0] == '/' ? "" : "/", rel);
	} else if (set(full)) {
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
		n = node_new(p, N_ECS, "ECS container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)");
		n->url = base_xstrdup(full);
	} else {
		return NULL;
	}
	n->auth_token_file = base_xstrdup(set(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
	                                          ? getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
	                                          : NULL);
	n->auth_token = base_xstrdup(set(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
	                                     ? getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	                                     : NULL);
	return n;
}

static struct node *imds_node(aws_creds_provider *p)
{
	const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	struct node *n;
	size_t l;
	n = node_new(p, N_IMDS, "EC2 instance metadata (IMDSv2 %s)", set(ep) ? ep : IMDS_DEFAULT);
	n->url = base_xstrdup(set(ep) ? ep : IMDS_DEFAULT);
	l = strlen(n->url);
	while (l > 0 && n->url[l - 1] == '/')
		n->url[--l] = '\0';
	return n;
}

static bool imds_disabled(void)
{
	const char *v = getenv("AWS_EC2_METADATA_DISABLED");
	return v && strcasecmp(v, "true") == 0;
}

static int int_of(const char *s, int dflt)
{
	int64_t v;
	if (s && base_str_to_i64(s, &v) == BASE_OK && v > 0 && v < 86400 * 2)
		return (int)v;
	return dflt;
}

/*
 * The source for a profile. BASE_ENOTFOUND when the profile holds no
 * credential settings (*exists tells whether the section exists at all).
 */
static int profile_node(aws_creds_provider *p, const struct ini *ini, const char *name, int depth,
                        struct node **out, bool *exists, aws_error *err)
{
	const char *role_arn = ini_get(ini, name, "role_arn");
	const char *ak = ini_get(ini, name, "aws_access_key_id");
	const char *sk = ini_get(ini, name, "aws_secret_access_key");
	const char *proc = ini_get(ini, name, "credential_process");
	struct node *n = NULL, *parent = NULL;
	int rc;

	*out = NULL;
	*exists = ini_has_profile(ini, name);
	if (depth > MAX_PROFILE_DEPTH) {
		aws_error_setf(err, 0, "InvalidConfiguration",
		               "profile \"%s\": source_profile chain is too deep or loops", name);
		return BASE_EINVALID;
	}
	if (role_arn) {
		const char *src = ini_get(ini, name, "source_profile");
		const char *cs = ini_get(ini, name, "credential_source");
		const char *wif = ini_get(ini, name, "web_identity_token_file");
		const char *rsn = ini_get(ini, name, "role_session_name");
		if (wif) {
			n = node_new(p, N_WEBID, "profile \"%s\" (web_identity_token_file, role %s)", name,
			             role_arn);
			n->token_file = expand_home(wif);
			n->role_arn = base_xstrdup(role_arn);
			n->session_name = base_xstrdup(rsn);
			*out = n;
			return BASE_OK;
		}
		if (src) {
			if (strcmp(src, name) == 0) {
				if (!ak || !sk) {
					aws_error_setf(
					        err, 0, "InvalidConfiguration",
					        "profile \"%s\": source_profile is itself but it has no "
					        "aws_access_key_id/aws_secret_access_key",
					        name);
					return BASE_EINVALID;
				}
				parent = static_node(p, ak, sk, ini_get(ini, name, "aws_session_token"), "");
				snprintf(parent->cached.source, sizeof parent->cached.source,
				         "shared profile \"%s\" (static keys)", name);
			} else {
				bool sub_exists;
				rc = profile_node(p, ini, src, depth + 1, &parent, &sub_exists, err);
				if (rc == BASE_ENOTFOUND) {
					aws_error_setf(err, 0, "InvalidConfiguration",
					               "profile \"%s\": source_profile \"%s\" %s", name, src,
					               sub_exists ? "has no credentials" : "does not exist");
					return BASE_EINVALID;
				}
				if (rc != BASE_OK) {
					err_prefix(err, "profile \"%s\"", name);
					return rc;
				}
			}
		} else if (cs) {
			if (strcasecmp(cs, "Environment") == 0) {
				const char *eak = getenv("AWS_ACCESS_KEY_ID"),
				           *esk = getenv("AWS_SECRET_ACCESS_KEY");
				if (!set(eak) || !set(esk)) {
					aws_error_setf(err, 0, "InvalidConfiguration",
					               "profile \"%s\": credential_source Environment but "
					               "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set",
					               name);
					return BASE_EINVALID;
				}
				parent = static_node(p, eak, esk, getenv("AWS_SESSION_TOKEN"),
				                     "environment variables");
			} else if (strcasecmp(cs, "Ec2InstanceMetadata") == 0) {
				parent = imds_node(p);
			} else if (strcasecmp(cs, "EcsContainer") == 0) {
				parent = ecs_node_from_env(p, err, &rc);
				if (rc != BASE_OK)
					return rc;
				if (!parent) {
					aws_error_setf(
					        err, 0, "InvalidConfiguration",
					        "profile \"%s\": credential_source EcsContainer but no "
					        "AWS_CONTAINER_CREDENTIALS_* variable is set",
					        name);
					return BASE_EINVALID;
				}
			} else {
				aws_error_setf(err, 0, "InvalidConfiguration",
				               "profile \"%s\": unsupported credential_source \"%s\"", name,
				               cs);
				return BASE_EINVALID;
			}
		} else {
			aws_error_setf(err, 0, "InvalidConfiguration",
			               "profile \"%s\": role_arn needs source_profile, credential_source or "
			               "web_identity_token_file",
			               name);
			return BASE_EINVALID;
		}
		n = node_new(p, N_ASSUME, "profile \"%s\" (role_arn %s)", name, role_arn);
		n->parent = parent;
		n->role_arn = base_xstrdup(role_arn);
		n->session_name = base_xstrdup(rsn);
		n->external_id = base_xstrdup(ini_get(ini, name, "external_id"));
		n->duration = int_of(ini_get(ini, name, "duration_seconds"), 0);
		*out = n;
		return BASE_OK;
	}
	if (ak || sk) {
		if (!ak || !sk) {
			aws_error_setf(err, 0, "InvalidConfiguration",
			               "profile \"%s\": aws_access_key_id and aws_secret_access_key must be "
			               "set together",
			               name);
			return BASE_EINVALID;
		}
		n = static_node(p, ak, sk, ini_get(ini, name, "aws_session_token"), "");
		snprintf(n->cached.source, sizeof n->cached.source, "shared profile \"%s\" (static keys)",
		         name);
		base_free(n->desc);
		n->desc = base_xasprintf("shared profile \"%s\"", name);
		*out = n;
		return BASE_OK;
	}
	if (proc) {
		n = node_new(p, N_PROCESS, "profile \"%s\" (credential_process)", name);
		n->cmd = base_xstrdup(proc);
		*out = n;
		return BASE_OK;
	}
	if (ini_get(ini, name, "sso_start_url") || ini_get(ini, name, "sso_session")) {
		aws_error_setf(
		        err, 0, "InvalidConfiguration",
		        "profile \"%s\" uses AWS IAM Identity Center (SSO), which this provider does not "
		        "support; use credential_process or export credentials",
		        name);
		return BASE_EINVALID;
	}
	return BASE_ENOTFOUND;
}

static void tried_add(base_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tried_add(base_buf *t, const char *fmt, ...)
{
	va_list ap;
	if (t->len)
		IGNORE_RC(base_buf_puts(t, "; "));
	va_start(ap, fmt);
	IGNORE_RC(base_buf_vprintf(t, fmt, ap));
	va_end(ap);
}

/* Builds p->root. Called with p->mu held. */
static int resolve_chain(aws_creds_provider *p, aws_error *err)
{
	base_buf tried;
	struct ini ini;
	struct node *root = NULL;
	const char *eak, *esk, *name;
	bool explicit_profile, exists;
	int rc = BASE_OK;

	base_buf_init(&tried, 0);
	memset(&ini, 0, sizeof ini);
	base_buf_init(&ini.files, 0);

	/* 1. provider block */
	if (p->ak) {
		root = static_node(p, p->ak, p->sk, p->token, "provider block (access_key/secret_key)");
		goto found;
	}
	tried_add(&tried, "provider block: access_key/secret_key not set");

	/* 2. environment */
	eak = getenv("AWS_ACCESS_KEY_ID");
	esk = getenv("AWS_SECRET_ACCESS_KEY");
	if (set(eak) && set(esk)) {
		root = static_node(p, eak, esk, getenv("AWS_SESSION_TOKEN"), "environment variables");
		goto found;
	}
	if (set(eak) || set(esk))
		tried_add(&tried, "environment: only one of AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY is set");
	else
		tried_add(&tried, "environment: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY not set");

	/* 3. shared files */
	{
		aws_creds_config cc;
		memset(&cc, 0, sizeof cc);
		cc.profile = p->profile;
		cc.config_files = (const char *const *)p->config_files;
		cc.n_config_files = p->n_config_files;
		cc.credentials_files = (const char *const *)p->credentials_files;
		cc.n_credentials_files = p->n_credentials_files;
		ini_dispose(&ini);
		ini_load(&ini, &cc);
		name = profile_name(&cc, &explicit_profile);
	}
	rc = profile_node(p, &ini, name, 0, &root, &exists, err);
	if (rc == BASE_OK)
		goto found;
	if (rc != BASE_ENOTFOUND)
		goto done;
	rc = BASE_OK;
	if (explicit_profile && !exists) {
		aws_error_setf(err, 0, "NoCredentialProviders",
		               "profile \"%s\" not found in the shared files (%s)", name,
		               base_buf_cstr(&ini.files));
		rc = BASE_EINVALID;
		goto done;
	}
	tried_add(&tried, "shared files (%s): profile \"%s\" %s", base_buf_cstr(&ini.files), name,
	          exists ? "has no credentials" : "not found");

	/* 4. web identity from the environment */
	{
		const char *tf = getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), *ra = getenv("AWS_ROLE_ARN");
		if (set(tf) && set(ra)) {
			root = node_new(p, N_WEBID, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, role %s)",
			                ra);
			root->token_file = base_xstrdup(tf);
			root->role_arn = base_xstrdup(ra);
			root->session_name = base_xstrdup(set(getenv("AWS_ROLE_SESSION_NAME"))
			                                          ? getenv("AWS_ROLE_SESSION_NAME")
			                                          : NULL);
			goto found;
		}
		tried_add(&tried, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN not set");
	}

	/* 5. ECS */
	root = ecs_node_from_env(p, err, &rc);
	if (rc != BASE_OK)
		goto done;
	if (root) {
		p->fallback = true;
		goto found;
	}
	tried_add(&tried, "ECS container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI not set");

	/* 6. IMDS */
	if (!imds_disabled() && p->hooks.transport) {
		root = imds_node(p);
		p->fallback = true;
		goto found;
	}
	tried_add(&tried, "EC2 instance metadata: %s",
	          imds_disabled() ? "disabled by AWS_EC2_METADATA_DISABLED" : "no transport");
	aws_error_setf(err, 0, "NoCredentialProviders", "no valid AWS credentials found. Tried: %s",
	               base_buf_cstr(&tried));
	rc = BASE_EINVALID;
	goto done;

found:
	/* the provider block's assume_role wraps whatever was found */
	if (p->ar_arn) {
		struct node *a = node_new(p, N_ASSUME, "assume_role %s", p->ar_arn);
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
	ini_dispose(&ini);
	base_buf_dispose(&tried);
	return rc;
}

/* ------------------------------------------------------------------ */
/* fetchers                                                             */

/* Reads the JSON credential shapes of credential_process, ECS and IMDS. */
static int creds_from_json(const char *body, size_t len, const char *who, bool process, aws_creds *out,
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
	if (!set(ak) || !set(sk)) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: AccessKeyId/SecretAccessKey missing", who);
		rc = BASE_EINVALID;
		goto done;
	}
	if (exp && !aws__parse_iso8601(exp, &t)) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: unreadable Expiration \"%s\"", who, exp);
		rc = BASE_EINVALID;
		goto done;
	}
	creds_set(out, ak, sk, tok, t, who);
done:
	base_arena_free(a);
	return rc;
}

static int fetch_process(struct node *n, aws_creds *out, aws_error *err)
{
	FILE *f;
	base_buf b;
	char chunk[4096];
	size_t k;
	int st, rc = BASE_OK;

	base_buf_init(&b, MAX_PROCESS_OUTPUT);
	fflush(NULL);
	f = popen(n->cmd, "re");
	if (!f) {
		aws_error_setf(err, 0, "CredentialProcessError", "%s: cannot start the command", n->desc);
		base_buf_dispose(&b);
		return BASE_EINVALID;
	}
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (base_buf_append(&b, chunk, k) != BASE_OK) {
			rc = BASE_ETOOBIG;
			break;
		}
	st = pclose(f);
	if (rc != BASE_OK) {
		aws_error_setf(err, 0, "CredentialProcessError", "%s: output larger than %u bytes", n->desc,
		               MAX_PROCESS_OUTPUT);
		rc = BASE_EINVALID;
	} else if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		aws_error_setf(err, 0, "CredentialProcessError", "%s: command failed (exit status %d)",
		               n->desc, st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		rc = BASE_EINVALID;
	} else {
		rc = creds_from_json(base_buf_cstr(&b), b.len, n->desc, true, out, err);
	}
	if (b.data)
		memset(b.data, 0, b.len);
	base_buf_dispose(&b);
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
	base_buf_init(&b, MAX_FILE_BYTES);
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
	if (!set(ak) || !set(sk)) {
		aws_error_setf(err, 0, "InvalidCredentials", "%s: STS reply has no credentials", who);
		rc = BASE_EINVALID;
		goto done;
	}
	if (exp && !aws__parse_iso8601(exp, &t))
		t = 0;
	creds_set(out, ak, sk, tok, t, who);
done:
	base_arena_free(a);
	return rc;
}

static int node_get(aws_creds_provider *p, struct node *n, aws_creds *out, aws_error *err);

static int fetch_sts(aws_creds_provider *p, struct node *n, aws_creds *out, aws_error *err)
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
	aws_query_init(&q, op, STS_VERSION);
	if (!p->hooks.sts) {
		aws_error_setf(err, 0, "InvalidConfiguration", "%s: no STS client", n->desc);
		rc = BASE_EINVALID;
		goto done;
	}
	if (n->kind == N_ASSUME) {
		rc = node_get(p, n->parent, &parent, err);
		if (rc != BASE_OK) {
			err_prefix(err, "%s", n->desc);
			goto done;
		}
	} else {
		rc = read_token_file(n->token_file, n->desc, &token, err);
		if (rc != BASE_OK)
			goto done;
	}
	session = n->session_name ? base_xstrdup(n->session_name)
	                          : base_xasprintf("terraform-provider-lambdavpc-%lld", (long long)now_s(p));
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
	rc = p->hooks.sts(p->hooks.ctx, n->kind == N_ASSUME ? &parent : NULL, op, body, len, &xml, err);
	if (rc != BASE_OK) {
		err_prefix(err, "%s: STS %s", n->desc, op);
		goto done;
	}
	rc = creds_from_sts_xml(&xml, n->desc, out, err);
done:
	aws_query_dispose(&q);
	aws_creds_dispose(&parent);
	base_buf_dispose(&xml);
	wipe_free(token);
	base_free(session);
	return rc;
}

/* One plain HTTP exchange for IMDS/ECS; 2xx -> BASE_OK with the body. */
static int plain_http(aws_creds_provider *p, const char *who, const char *method, const char *url,
                      const aws_http_header *h, size_t nh, unsigned connect_ms, unsigned total_ms,
                      aws_http_response *resp, aws_error *err)
{
	aws_http_request r;
	int rc;
	memset(&r, 0, sizeof r);
	r.method = method;
	r.url = url;
	r.headers = h;
	r.n_headers = nh;
	if (strcmp(method, "PUT") == 0) {
		r.body = "";
		r.body_len = 0;
	}
	r.connect_timeout_ms = connect_ms;
	r.timeout_ms = total_ms;
	r.idle_timeout_ms = total_ms;
	r.max_response = 64 * 1024;
	r.ca_bundle = p->ca_bundle;
	r.is_cancelled = p->hooks.is_cancelled;
	r.cancel_ctx = p->hooks.ctx;
	rc = p->hooks.transport->send(p->hooks.transport_ctx, &r, resp);
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

static int fetch_ecs(aws_creds_provider *p, struct node *n, aws_creds *out, aws_error *err)
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
	rc = plain_http(p, n->desc, "GET", n->url, h, nh, 2000, 5000, &resp, err);
	if (rc == BASE_OK)
		rc = creds_from_json(base_buf_cstr(&resp.body), resp.body.len, n->desc, false, out, err);
done:
	wipe_free(tok);
	if (resp.body.data)
		memset(resp.body.data, 0, resp.body.len);
	aws_http_response_dispose(&resp);
	return rc;
}

static int fetch_imds(aws_creds_provider *p, struct node *n, aws_creds *out, aws_error *err)
{
	aws_http_response resp;
	aws_http_header h[1];
	char *url = NULL, *token = NULL, *role = NULL;
	size_t l;
	int rc;

	aws_http_response_init(&resp);
	url = base_xasprintf("%s/latest/api/token", n->url);
	h[0] = (aws_http_header){"X-aws-ec2-metadata-token-ttl-seconds", "21600"};
	rc = plain_http(p, n->desc, "PUT", url, h, 1, 1000, 2000, &resp, err);
	if (rc != BASE_OK)
		goto done;
	token = base_xstrdup(base_buf_cstr(&resp.body));
	h[0] = (aws_http_header){"X-aws-ec2-metadata-token", token};
	base_free(url);
	url = base_xasprintf("%s/latest/meta-data/iam/security-credentials/", n->url);
	rc = plain_http(p, n->desc, "GET", url, h, 1, 1000, 2000, &resp, err);
	if (rc != BASE_OK)
		goto done;
	l = strcspn(base_buf_cstr(&resp.body), "\r\n");
	if (l == 0) {
		aws_error_setf(err, 0, "CredentialsEndpointError", "%s: no IAM role attached to the instance",
		               n->desc);
		rc = BASE_EINVALID;
		goto done;
	}
	role = base_xstrndup(base_buf_cstr(&resp.body), l);
	base_free(url);
	url = base_xasprintf("%s/latest/meta-data/iam/security-credentials/%s", n->url, role);
	rc = plain_http(p, n->desc, "GET", url, h, 1, 1000, 2000, &resp, err);
	if (rc != BASE_OK)
		goto done;
	rc = creds_from_json(base_buf_cstr(&resp.body), resp.body.len, n->desc, false, out, err);
done:
	if (resp.body.data)
		memset(resp.body.data, 0, resp.body.len);
	aws_http_response_dispose(&resp);
	base_free(url);
	wipe_free(token);
	base_free(role);
	return rc;
}

static int node_fetch(aws_creds_provider *p, struct node *n, aws_creds *out, aws_error *err)
{
	if (!p->hooks.transport && (n->kind == N_ECS || n->kind == N_IMDS)) {
		aws_error_setf(err, 0, "InvalidConfiguration", "%s: no HTTP transport", n->desc);
		return BASE_EINVALID;
	}
	switch (n->kind) {
	case N_STATIC:
		aws_creds_copy(out, &n->cached);
		return BASE_OK;
	case N_PROCESS:
		return fetch_process(n, out, err);
	case N_ASSUME:
	case N_WEBID:
		return fetch_sts(p, n, out, err);
	case N_ECS:
		return fetch_ecs(p, n, out, err);
	case N_IMDS:
		return fetch_imds(p, n, out, err);
	}
	return BASE_ERR;
}

static int node_get(aws_creds_provider *p, struct node *n, aws_creds *out, aws_error *err)
{
	int64_t now = now_s(p);
	aws_creds fresh;
	int rc;

	if (n->kind == N_STATIC) {
		aws_creds_copy(out, &n->cached);
		return BASE_OK;
	}
	if (n->have && !n->stale &&
	    (n->cached.expiration == 0 || n->cached.expiration - now > AWS_CREDS_REFRESH_WINDOW_S)) {
		aws_creds_copy(out, &n->cached);
		return BASE_OK;
	}
	aws_creds_init(&fresh);
	rc = node_fetch(p, n, &fresh, err);
	if (rc == BASE_OK) {
		char exp_s[24];
		if (!fresh.source[0])
			snprintf(fresh.source, sizeof fresh.source, "%s", n->desc);
		aws_creds_copy(&n->cached, &fresh);
		n->have = true;
		n->stale = false;
		aws_creds_copy(out, &fresh);
		snprintf(exp_s, sizeof exp_s, "%lld", (long long)fresh.expiration);
		base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws credentials fetched", "source", n->desc,
		            "expiration", exp_s, NULL);
	} else if (n->have && (n->cached.expiration == 0 || n->cached.expiration > now) &&
	           rc != BASE_ECANCELLED) {
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

int aws_creds_provider_get(aws_creds_provider *p, aws_creds *out, aws_error *err)
{
	int rc = BASE_OK;
	pthread_mutex_lock(&p->mu);
	if (!p->resolved) {
		rc = resolve_chain(p, err);
		if (rc != BASE_OK)
			goto done;
	}
	rc = node_get(p, p->root, out, err);
	if (rc != BASE_OK && p->fallback && rc != BASE_ECANCELLED) {
		/* the last-resort source failed: say what else was tried */
		char msg[sizeof err->message];
		memcpy(msg, err->message, sizeof msg);
		aws_error_setf(err, err->http_status, "NoCredentialProviders",
		               "no valid AWS credentials found. Tried: %s; %s", p->tried ? p->tried : "",
		               msg);
		rc = BASE_EINVALID;
	}
done:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void aws_creds_provider_invalidate(aws_creds_provider *p)
{
	struct node *n;
	pthread_mutex_lock(&p->mu);
	for (n = p->nodes; n; n = n->next_alloc)
		if (n->kind != N_STATIC)
			n->stale = true;
	pthread_mutex_unlock(&p->mu);
}
