/*
 * prov_config.c - provider block -> aws_client_config (see prov_config.h).
 *
 * This file and secure_function/sf_model.c are the only C files that name
 * attributes; the names here are those of schemas/provider.json.
 */
#include "prov/prov_config.h"

#include <string.h>

/* ------------------------------------------------------------------ */

static bool is_set(const cty_value *v)
{
	return v && !cty_value_is_null(v);
}

static bool is_unknown(const cty_value *v)
{
	return v && !cty_value_is_null(v) && !cty_value_is_known(v);
}

/* A known string or NULL; *unknown set when the value is unknown. */
static const char *str_of(base_arena *a, const cty_value *obj, const char *name, bool *unknown)
{
	const cty_value *v = obj ? cty_value_get_attr(obj, name) : NULL;
	if (!v || cty_value_is_null(v))
		return NULL;
	if (cty_value_is_unknown(v)) {
		*unknown = true;
		return NULL;
	}
	const char *s = cty_value_as_string(v);
	return s && *s ? base_arena_strdup(a, s) : NULL;
}

static const char *const *strlist_of(base_arena *a, const cty_value *obj, const char *name, size_t *n,
                                     bool *unknown)
{
	const cty_value *v = obj ? cty_value_get_attr(obj, name) : NULL;
	*n = 0;
	if (!v || cty_value_is_null(v))
		return NULL;
	if (!cty_value_is_known(v)) {
		*unknown = true;
		return NULL;
	}
	size_t len = cty_value_len(v);
	const char **out = base_arena_calloc(a, len + 1, sizeof(*out));
	for (size_t i = 0; i < len; i++) {
		const char *s = cty_value_as_string(cty_value_index(v, i));
		if (s)
			out[(*n)++] = base_arena_strdup(a, s);
	}
	return out;
}

static const cty_value *block_of(const cty_value *cfg, const char *name)
{
	const cty_value *b = cfg ? cty_value_get_attr(cfg, name) : NULL;
	return is_set(b) ? b : NULL;
}

/* Cross-attribute rules; unknowns skip. */
static int check(base_arena *a, const cty_value *cfg, base_diags *d)
{
	int rc = BASE_OK;
	if (!cfg || cty_value_is_null(cfg) || cty_value_is_unknown(cfg))
		return BASE_OK;
	const cty_value *ak = cty_value_get_attr(cfg, "access_key");
	const cty_value *sk = cty_value_get_attr(cfg, "secret_key");
	const cty_value *tk = cty_value_get_attr(cfg, "token");
	base_path root = base_path_root();
	if (!is_unknown(ak) && !is_unknown(sk)) {
		if (is_set(ak) && !is_set(sk)) {
			base_path p = base_path_attr(a, root, "secret_key");
			base_diags_add(d, BASE_SEV_ERROR, &p, "Missing secret_key",
			               "access_key is set, so secret_key must be set too (static credentials "
			               "need both).");
			rc = BASE_EINVALID;
		} else if (is_set(sk) && !is_set(ak)) {
			base_path p = base_path_attr(a, root, "access_key");
			base_diags_add(d, BASE_SEV_ERROR, &p, "Missing access_key",
			               "secret_key is set, so access_key must be set too (static credentials "
			               "need both).");
			rc = BASE_EINVALID;
		}
		if (is_set(tk) && !is_unknown(tk) && !is_set(ak) && !is_set(sk)) {
			base_path p = base_path_attr(a, root, "token");
			base_diags_add(d, BASE_SEV_ERROR, &p, "Session token without keys",
			               "token is only used together with access_key and secret_key.");
			rc = BASE_EINVALID;
		}
	}
	const cty_value *allowed = cty_value_get_attr(cfg, "allowed_account_ids");
	const cty_value *forbidden = cty_value_get_attr(cfg, "forbidden_account_ids");
	if (is_set(allowed) && is_set(forbidden)) {
		base_path p = base_path_attr(a, root, "forbidden_account_ids");
		base_diags_add(
		        d, BASE_SEV_ERROR, &p, "Conflicting account guards",
		        "allowed_account_ids and forbidden_account_ids cannot both be set: list the accounts "
		        "the provider may use, or the ones it must not.");
		rc = BASE_EINVALID;
	}
	const cty_value *ar = block_of(cfg, "assume_role");
	if (ar && cty_value_is_known(ar) == false && cty_value_is_unknown(ar))
		return rc;
	if (ar) {
		const cty_value *arn = cty_value_get_attr(ar, "role_arn");
		if (!is_set(arn)) {
			base_path p = base_path_attr(a, base_path_attr(a, root, "assume_role"), "role_arn");
			base_diags_add(d, BASE_SEV_ERROR, &p, "Missing role_arn",
			               "An assume_role block needs role_arn, the ARN of the role to assume.");
			rc = BASE_EINVALID;
		}
	}
	return rc;
}

int prov_config_check(base_arena *a, const cty_value *cfg, base_diags *diags)
{
	return check(a, cfg, diags);
}

/* max_retries and skip_credentials_validation. */
static void scalars_of(const cty_value *cfg, aws_client_config *out, bool *unknown)
{
	const cty_value *mr = cty_value_get_attr(cfg, "max_retries");
	const cty_value *scv = cty_value_get_attr(cfg, "skip_credentials_validation");
	if (is_unknown(mr)) {
		*unknown = true;
	} else if (is_set(mr)) {
		int64_t n = 0;
		if (cty_value_as_int64(mr, &n) == BASE_OK && n >= 0 && n <= 1000)
			out->max_retries = (int)n;
	}
	if (is_unknown(scv))
		*unknown = true;
	else if (is_set(scv))
		out->skip_credentials_validation = cty_value_as_bool(scv);
}

/* The assume_role and endpoints blocks. */
static void blocks_of(base_arena *a, const cty_value *cfg, aws_client_config *out, bool *unknown)
{
	const cty_value *ar = cty_value_get_attr(cfg, "assume_role");
	const cty_value *ep = cty_value_get_attr(cfg, "endpoints");
	if (is_unknown(ar)) {
		*unknown = true;
	} else if (is_set(ar)) {
		out->assume_role_arn = str_of(a, ar, "role_arn", unknown);
		out->assume_role_session_name = str_of(a, ar, "session_name", unknown);
		out->assume_role_external_id = str_of(a, ar, "external_id", unknown);
	}
	if (is_unknown(ep)) {
		*unknown = true;
	} else if (is_set(ep)) {
		out->endpoints[AWS_SVC_EC2] = str_of(a, ep, "ec2", unknown);
		out->endpoints[AWS_SVC_IAM] = str_of(a, ep, "iam", unknown);
		out->endpoints[AWS_SVC_STS] = str_of(a, ep, "sts", unknown);
		out->endpoints[AWS_SVC_LAMBDA] = str_of(a, ep, "lambda", unknown);
	}
}

/* The default_tags block (null tag values are dropped, as in hashicorp/aws). */
static void tags_of(base_arena *a, const cty_value *cfg, prov_tags *tags, bool *unknown)
{
	const cty_value *dt = cty_value_get_attr(cfg, "default_tags");
	const cty_value *m = is_set(dt) && !is_unknown(dt) ? cty_value_get_attr(dt, "tags") : NULL;
	if (is_unknown(dt) || (is_set(m) && !cty_value_is_known(m))) {
		*unknown = true;
		return;
	}
	if (!is_set(m))
		return;
	size_t n = cty_value_len(m), j = 0;
	const char **k = base_arena_calloc(a, n + 1, sizeof(*k));
	const char **v = base_arena_calloc(a, n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const char *val = cty_value_as_string(cty_value_index(m, i));
		if (!val)
			continue;
		k[j] = base_arena_strdup(a, cty_value_map_key(m, i));
		v[j] = base_arena_strdup(a, val);
		j++;
	}
	tags->keys = k;
	tags->values = v;
	tags->n = j;
}

int prov_config_ignore_tags(base_arena *a, const cty_value *cfg, prov_ignore_tags *out)
{
	const cty_value *b = cfg && !cty_value_is_null(cfg) ? cty_value_get_attr(cfg, "ignore_tags") : NULL;
	bool unknown = is_unknown(b);
	memset(out, 0, sizeof(*out));
	if (!unknown && is_set(b)) {
		out->keys = strlist_of(a, b, "keys", &out->n_keys, &unknown);
		out->prefixes = strlist_of(a, b, "key_prefixes", &out->n_prefixes, &unknown);
	}
	return unknown ? BASE_EUNKNOWN : BASE_OK;
}

int prov_config_from_value(base_arena *a, const cty_value *cfg, aws_client_config *out, prov_tags *tags,
                           base_diags *diags)
{
	bool unknown = false;
	memset(out, 0, sizeof(*out));
	memset(tags, 0, sizeof(*tags));
	out->max_retries = -1;
	if (cfg && cty_value_is_unknown(cfg))
		return BASE_EUNKNOWN;
	int rc = check(a, cfg, diags);
	if (rc != BASE_OK)
		return rc;
	if (!cfg || cty_value_is_null(cfg))
		return BASE_OK;

	out->region = str_of(a, cfg, "region", &unknown);
	out->profile = str_of(a, cfg, "profile", &unknown);
	out->access_key = str_of(a, cfg, "access_key", &unknown);
	out->secret_key = str_of(a, cfg, "secret_key", &unknown);
	out->token = str_of(a, cfg, "token", &unknown);
	out->shared_config_files =
	        strlist_of(a, cfg, "shared_config_files", &out->n_shared_config_files, &unknown);
	out->shared_credentials_files =
	        strlist_of(a, cfg, "shared_credentials_files", &out->n_shared_credentials_files, &unknown);
	out->allowed_account_ids =
	        strlist_of(a, cfg, "allowed_account_ids", &out->n_allowed_account_ids, &unknown);
	out->forbidden_account_ids =
	        strlist_of(a, cfg, "forbidden_account_ids", &out->n_forbidden_account_ids, &unknown);
	scalars_of(cfg, out, &unknown);
	blocks_of(a, cfg, out, &unknown);
	tags_of(a, cfg, tags, &unknown);
	return unknown ? BASE_EUNKNOWN : BASE_OK;
}
