/*
 * aws_creds_profile.c - the shared config and credentials files: INI
 * parsing (profiles, [sso-session x], [services x] with nested
 * sub-properties), which files are read, the profile's non-credential
 * settings, and the credential source a profile describes.
 */
#include "aws/aws_creds_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/aws_int.h"
#include "base/base_alloc.h"
#include "base/base_str.h"

#define MAX_PROFILE_DEPTH 8

/* ------------------------------------------------------------------ */
/* parsing                                                              */

void aws__ini_dispose(aws__ini *ini)
{
	for (size_t i = 0; i < ini->n; i++) {
		base_free(ini->e[i].section);
		base_free(ini->e[i].key);
		aws__wipe_free(ini->e[i].val);
	}
	base_free(ini->e);
	base_free(ini->missing_named);
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

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* "[name]" -> (kind, section name) or NULL when the section is ignored. */
static char *section_of(const char *name, bool is_config, aws__ini_kind *kind)
{
	static const struct {
		const char *prefix;
		aws__ini_kind kind;
	} kinds[] = {{"profile", AWS__INI_PROFILE},
	             {"sso-session", AWS__INI_SSO_SESSION},
	             {"services", AWS__INI_SERVICES}};
	*kind = AWS__INI_PROFILE;
	if (!is_config || strcmp(name, "default") == 0)
		return base_xstrdup(name);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t l = strlen(kinds[i].prefix);
		if (strncmp(name, kinds[i].prefix, l) == 0 && (name[l] == ' ' || name[l] == '\t')) {
			*kind = kinds[i].kind;
			return trim_dup(name + l + 1, strlen(name + l + 1));
		}
	}
	return NULL;
}

static void ini_add(aws__ini *ini, aws__ini_kind kind, const char *section, char *key, char *val)
{
	aws__ini_ent *e;
	if (ini->n == ini->cap) {
		ini->cap = ini->cap ? 2 * ini->cap : 32;
		ini->e = base_xrealloc(ini->e, ini->cap * sizeof *ini->e);
	}
	e = &ini->e[ini->n++];
	e->kind = kind;
	e->section = base_xstrdup(section);
	lower(key);
	e->key = key;
	e->val = val;
}

/* Parser state across lines of one file. */
struct pstate {
	char *section;
	aws__ini_kind kind;
	char *parent; /* last top-level key with an empty value ("ec2 ="), for nesting */
};

static void parse_line(aws__ini *ini, struct pstate *st, const char *p, const char *eol, bool is_config)
{
	bool indented = p < eol && (*p == ' ' || *p == '\t');
	const char *q = p, *eq;
	while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
		q++;
	if (q == eol || *q == '#' || *q == ';')
		return;
	if (*q == '[' && !indented) {
		const char *rb = memchr(q, ']', (size_t)(eol - q));
		base_free(st->section);
		base_free(st->parent);
		st->section = st->parent = NULL;
		if (rb) {
			char *name = trim_dup(q + 1, (size_t)(rb - q - 1));
			st->section = section_of(name, is_config, &st->kind);
			base_free(name);
			/* a marker entry: an empty section still exists */
			if (st->section)
				ini_add(ini, st->kind, st->section, base_xstrdup(""), base_xstrdup(""));
		}
		return;
	}
	eq = memchr(q, '=', (size_t)(eol - q));
	if (!st->section || !eq)
		return;
	char *key = trim_dup(q, (size_t)(eq - q));
	char *val = trim_dup(eq + 1, (size_t)(eol - eq - 1));
	if (indented) {
		/* a nested sub-property: "ec2 =\n  endpoint_url = x" */
		if (st->parent) {
			char *full = base_xasprintf("%s.%s", st->parent, key);
			ini_add(ini, st->kind, st->section, full, val);
		} else {
			base_free(val);
		}
		base_free(key);
		return;
	}
	base_free(st->parent);
	st->parent = val[0] ? NULL : base_xstrdup(key);
	ini_add(ini, st->kind, st->section, key, val);
}

void aws__ini_parse(aws__ini *ini, const char *txt, size_t len, bool is_config)
{
	const char *p = txt, *end = txt + len;
	struct pstate st = {NULL, AWS__INI_PROFILE, NULL};
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		parse_line(ini, &st, p, eol, is_config);
		p = eol + 1;
	}
	base_free(st.section);
	base_free(st.parent);
}

/* ------------------------------------------------------------------ */
/* loading                                                              */

/* named_attr: the provider-block attribute that named this file, or NULL
 * (environment / default path: a missing file is normal there). */
static void ini_load_file(aws__ini *ini, const char *path, bool is_config, const char *named_attr)
{
	char *full = aws__expand_home(path);
	base_buf b;
	int rc;
	if (ini->files.len)
		AWS__IGNORE_RC(base_buf_puts(&ini->files, ", "));
	AWS__IGNORE_RC(base_buf_puts(&ini->files, full));
	base_buf_init(&b, 0);
	rc = aws__read_file(full, AWS__MAX_FILE_BYTES, &b);
	if (rc == BASE_OK || rc == BASE_ETOOBIG) {
		aws__ini_parse(ini, base_buf_cstr(&b), b.len, is_config);
	} else {
		AWS__IGNORE_RC(base_buf_puts(&ini->files, " (missing)"));
		if (named_attr && !ini->missing_named) {
			ini->missing_named = base_xstrdup(full);
			ini->missing_attr = named_attr;
		}
	}
	if (b.data)
		memset(b.data, 0, b.len);
	base_buf_dispose(&b);
	base_free(full);
}

/* One kind of file: the configured ones, else the one named by env_name,
 * else ~/.aws/<home_name>. */
static void ini_load_kind(aws__ini *ini, const char *const *files, size_t n_files, const char *env_name,
                          const char *home_name, bool is_config, const char *attr)
{
	const char *env, *home = getenv("HOME");
	if (n_files) {
		for (size_t i = 0; i < n_files; i++)
			ini_load_file(ini, files[i], is_config, attr);
	} else if ((env = getenv(env_name)) && *env) {
		ini_load_file(ini, env, is_config, NULL);
	} else if (home) {
		char *p = base_xasprintf("%s/.aws/%s", home, home_name);
		ini_load_file(ini, p, is_config, NULL);
		base_free(p);
	}
}

/* Config files first, then credentials files: lookups take the last match,
 * so the credentials file wins and later files win over earlier ones. */
void aws__ini_load(aws__ini *ini, const aws_creds_config *cfg)
{
	memset(ini, 0, sizeof *ini);
	base_buf_init(&ini->files, 0);
	ini_load_kind(ini, cfg->config_files, cfg->n_config_files, "AWS_CONFIG_FILE", "config", true,
	              "shared_config_files");
	ini_load_kind(ini, cfg->credentials_files, cfg->n_credentials_files, "AWS_SHARED_CREDENTIALS_FILE",
	              "credentials", false, "shared_credentials_files");
}

const char *aws__ini_get(const aws__ini *ini, aws__ini_kind kind, const char *section, const char *key)
{
	size_t i = ini->n;
	while (i-- > 0) {
		const aws__ini_ent *e = &ini->e[i];
		if (e->kind == kind && strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0)
			return e->val[0] ? e->val : NULL;
	}
	return NULL;
}

bool aws__ini_has(const aws__ini *ini, aws__ini_kind kind, const char *section)
{
	for (size_t i = 0; i < ini->n; i++)
		if (ini->e[i].kind == kind && strcmp(ini->e[i].section, section) == 0)
			return true;
	return false;
}

const char *aws__profile_name(const aws_creds_config *cfg, bool *explicit_out)
{
	const char *n = cfg->profile;
	bool ex = true;
	if (!aws__set(n))
		n = getenv("AWS_PROFILE");
	if (!aws__set(n))
		n = getenv("AWS_DEFAULT_PROFILE");
	if (!aws__set(n)) {
		n = "default";
		ex = false;
	}
	if (explicit_out)
		*explicit_out = ex;
	return n;
}

/* ------------------------------------------------------------------ */
/* profile settings                                                     */

static char *dup_or_null(const char *s)
{
	return s ? base_xstrdup(s) : NULL;
}

void aws__profile_settings_from_ini(const aws__ini *ini, const char *name, aws_profile_settings *s)
{
	const char *ign;
	memset(s, 0, sizeof *s);
	s->ignore_configured_endpoint_urls = -1;
	s->name = base_xstrdup(name);
	s->region = dup_or_null(aws__ini_get(ini, AWS__INI_PROFILE, name, "region"));
	s->endpoint_url = dup_or_null(aws__ini_get(ini, AWS__INI_PROFILE, name, "endpoint_url"));
	s->services = dup_or_null(aws__ini_get(ini, AWS__INI_PROFILE, name, "services"));
	ign = aws__ini_get(ini, AWS__INI_PROFILE, name, "ignore_configured_endpoint_urls");
	if (ign)
		s->ignore_configured_endpoint_urls = strcasecmp(ign, "true") == 0;
	if (!s->services)
		return;
	for (size_t i = 0; i < ini->n && s->n_services < AWS_PROFILE_MAX_SERVICES; i++) {
		const aws__ini_ent *e = &ini->e[i];
		const char *dot = strchr(e->key, '.');
		if (e->kind != AWS__INI_SERVICES || strcmp(e->section, s->services) != 0 || !dot ||
		    strcmp(dot + 1, "endpoint_url") != 0 || !e->val[0])
			continue;
		s->service_key[s->n_services] = base_xstrndup(e->key, (size_t)(dot - e->key));
		s->service_url[s->n_services] = base_xstrdup(e->val);
		s->n_services++;
	}
}

void aws_profile_settings_dispose(aws_profile_settings *s)
{
	if (!s)
		return;
	base_free(s->name);
	base_free(s->region);
	base_free(s->endpoint_url);
	base_free(s->services);
	for (size_t i = 0; i < s->n_services; i++) {
		base_free(s->service_key[i]);
		base_free(s->service_url[i]);
	}
	memset(s, 0, sizeof *s);
}

int aws_creds_profile_settings(const aws_creds_config *cfg, aws_profile_settings *out, aws_error *err)
{
	aws__ini ini;
	bool explicit_profile;
	const char *name = aws__profile_name(cfg, &explicit_profile);
	int rc = BASE_OK;
	memset(out, 0, sizeof *out);
	aws__ini_load(&ini, cfg);
	if (ini.missing_named) {
		aws_error_setf(err, 0, "InvalidConfiguration", "%s: the file %s does not exist",
		               ini.missing_attr, ini.missing_named);
		rc = BASE_EINVALID;
	} else if (explicit_profile && !aws__ini_has(&ini, AWS__INI_PROFILE, name)) {
		aws_error_setf(err, 0, "InvalidConfiguration", "profile \"%s\" not found in %s", name,
		               base_buf_cstr(&ini.files));
		rc = BASE_EINVALID;
	}
	aws__profile_settings_from_ini(&ini, name, out);
	aws__ini_dispose(&ini);
	return rc;
}

/* ------------------------------------------------------------------ */
/* profile -> credential source                                         */

static int int_of(const char *s, int dflt)
{
	int64_t v;
	if (s && base_str_to_i64(s, &v) == BASE_OK && v > 0 && v < 86400 * 2)
		return (int)v;
	return dflt;
}

static int bad(aws_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets an InvalidConfiguration error; returns BASE_EINVALID. */
static int bad(aws_error *err, const char *fmt, ...)
{
	char msg[sizeof err->message];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	aws_error_setf(err, 0, "InvalidConfiguration", "%s", msg);
	return BASE_EINVALID;
}

/* The source of credential_source = Environment | Ec2InstanceMetadata | EcsContainer. */
static int credential_source_node(aws__chain *ch, const char *name, const char *cs, aws__node **out,
                                  aws_error *err)
{
	int rc = BASE_OK;
	if (strcasecmp(cs, "Environment") == 0) {
		const char *eak = getenv("AWS_ACCESS_KEY_ID"), *esk = getenv("AWS_SECRET_ACCESS_KEY");
		if (!aws__set(eak) || !aws__set(esk))
			return bad(err,
			           "profile \"%s\": credential_source Environment but "
			           "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set",
			           name);
		*out = aws__static_node(ch, eak, esk, getenv("AWS_SESSION_TOKEN"), "environment variables");
	} else if (strcasecmp(cs, "Ec2InstanceMetadata") == 0) {
		*out = aws__imds_node(ch);
	} else if (strcasecmp(cs, "EcsContainer") == 0) {
		*out = aws__ecs_node_from_env(ch, err, &rc);
		if (rc != BASE_OK)
			return rc;
		if (!*out)
			return bad(err,
			           "profile \"%s\": credential_source EcsContainer but no "
			           "AWS_CONTAINER_CREDENTIALS_* variable is set",
			           name);
	} else {
		return bad(err, "profile \"%s\": unsupported credential_source \"%s\"", name, cs);
	}
	return BASE_OK;
}

static aws__node *static_profile_node(aws__chain *ch, const aws__ini *ini, const char *name)
{
	aws__node *n = aws__static_node(ch, aws__ini_get(ini, AWS__INI_PROFILE, name, "aws_access_key_id"),
	                                aws__ini_get(ini, AWS__INI_PROFILE, name, "aws_secret_access_key"),
	                                aws__ini_get(ini, AWS__INI_PROFILE, name, "aws_session_token"), "");
	snprintf(n->cached.source, sizeof n->cached.source, "shared profile \"%s\" (static keys)", name);
	base_free(n->desc);
	n->desc = base_xasprintf("shared profile \"%s\"", name);
	return n;
}

/* The credentials a role_arn profile assumes the role with. */
static int role_parent(aws__chain *ch, const aws__ini *ini, const char *name, int depth, aws__node **parent,
                       aws_error *err)
{
	const char *src = aws__ini_get(ini, AWS__INI_PROFILE, name, "source_profile");
	const char *cs = aws__ini_get(ini, AWS__INI_PROFILE, name, "credential_source");
	bool has_keys = aws__ini_get(ini, AWS__INI_PROFILE, name, "aws_access_key_id") &&
	                aws__ini_get(ini, AWS__INI_PROFILE, name, "aws_secret_access_key");
	bool sub_exists;
	int rc;
	if (cs)
		return credential_source_node(ch, name, cs, parent, err);
	if (!src)
		return bad(err,
		           "profile \"%s\": role_arn needs source_profile, credential_source or "
		           "web_identity_token_file",
		           name);
	if (strcmp(src, name) == 0) {
		if (!has_keys)
			return bad(err,
			           "profile \"%s\": source_profile is itself but it has no "
			           "aws_access_key_id/aws_secret_access_key",
			           name);
		*parent = static_profile_node(ch, ini, name);
		return BASE_OK;
	}
	rc = aws__profile_node(ch, ini, src, depth + 1, parent, &sub_exists, err);
	if (rc == BASE_ENOTFOUND)
		return bad(err,
		           sub_exists ? "profile \"%s\": source_profile \"%s\" has no credentials"
		                      : "profile \"%s\": source_profile \"%s\" does not exist",
		           name, src);
	if (rc != BASE_OK)
		aws__err_prefix(err, "profile \"%s\"", name);
	return rc;
}

static int role_node(aws__chain *ch, const aws__ini *ini, const char *name, const char *role_arn, int depth,
                     aws__node **out, aws_error *err)
{
	const char *wif = aws__ini_get(ini, AWS__INI_PROFILE, name, "web_identity_token_file");
	const char *rsn = aws__ini_get(ini, AWS__INI_PROFILE, name, "role_session_name");
	aws__node *n, *parent = NULL;
	int rc;
	if (wif) {
		n = aws__node_new(ch, N_WEBID, "profile \"%s\" (web_identity_token_file, role %s)", name,
		                  role_arn);
		n->token_file = aws__expand_home(wif);
		n->role_arn = base_xstrdup(role_arn);
		n->session_name = base_xstrdup(rsn);
		*out = n;
		return BASE_OK;
	}
	rc = role_parent(ch, ini, name, depth, &parent, err);
	if (rc != BASE_OK)
		return rc;
	n = aws__node_new(ch, N_ASSUME, "profile \"%s\" (role_arn %s)", name, role_arn);
	n->parent = parent;
	n->role_arn = base_xstrdup(role_arn);
	n->session_name = base_xstrdup(rsn);
	n->external_id = base_xstrdup(aws__ini_get(ini, AWS__INI_PROFILE, name, "external_id"));
	n->duration = int_of(aws__ini_get(ini, AWS__INI_PROFILE, name, "duration_seconds"), 0);
	*out = n;
	return BASE_OK;
}

int aws__profile_node(aws__chain *ch, const aws__ini *ini, const char *name, int depth, aws__node **out,
                      bool *exists, aws_error *err)
{
	const char *role_arn = aws__ini_get(ini, AWS__INI_PROFILE, name, "role_arn");
	const char *ak = aws__ini_get(ini, AWS__INI_PROFILE, name, "aws_access_key_id");
	const char *sk = aws__ini_get(ini, AWS__INI_PROFILE, name, "aws_secret_access_key");
	const char *proc = aws__ini_get(ini, AWS__INI_PROFILE, name, "credential_process");

	*out = NULL;
	*exists = aws__ini_has(ini, AWS__INI_PROFILE, name);
	if (depth > MAX_PROFILE_DEPTH)
		return bad(err, "profile \"%s\": source_profile chain is too deep or loops", name);
	if (role_arn)
		return role_node(ch, ini, name, role_arn, depth, out, err);
	if (ak || sk) {
		if (!ak || !sk)
			return bad(err,
			           "profile \"%s\": aws_access_key_id and aws_secret_access_key must be "
			           "set together",
			           name);
		*out = static_profile_node(ch, ini, name);
		return BASE_OK;
	}
	if (aws__ini_get(ini, AWS__INI_PROFILE, name, "sso_session") ||
	    aws__ini_get(ini, AWS__INI_PROFILE, name, "sso_start_url"))
		return aws__sso_node(ch, ini, name, out, err);
	if (proc) {
		aws__node *n = aws__node_new(ch, N_PROCESS, "profile \"%s\" (credential_process)", name);
		n->cmd = base_xstrdup(proc);
		*out = n;
		return BASE_OK;
	}
	return BASE_ENOTFOUND;
}
