/*
 * sf_diag.c - AWS errors and failed reconcile steps -> diagnostics, with the
 * attribute path of the input at fault where one is (STYLE C5).
 */
#include "secure_function/sf_ops_int.h"

#include <string.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"

void sf__diag_aws(base_diags *d, const base_path *path, const char *summary, int code, const aws_error *e)
{
	if (!e || (!e->code[0] && !e->message[0])) {
		base_diags_addf(d, BASE_SEV_ERROR, path, summary, "%s.", base_err_str(code));
		return;
	}
	base_diags_addf(d, BASE_SEV_ERROR, path, summary, "AWS error %s: %s%s%s%s",
	                e->code[0] ? e->code : "?", e->message, e->request_id[0] ? " (request id " : "",
	                e->request_id, e->request_id[0] ? ")" : "");
}

/* Index of s in l, -1 if absent. */
static long index_of(const sf_strlist *l, const char *s)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (base_str_eq(l->v[i], s))
			return (long)i;
	return -1;
}

static bool path_of_step(base_arena *a, const sf_config *m, const recon_failure *f, base_path *out)
{
	long i;
	size_t k;
	switch (f->kind) {
	case RECON_STEP_SUBNET_CREATE:
	case RECON_STEP_RT_ASSOCIATE:
		if (sf_has(m, SF_A_SUBNET_CIDR_BLOCKS) &&
		    (i = index_of(&m->subnet_cidr_blocks, f->key)) >= 0) {
			*out = sf_path_index(a, SF_A_SUBNET_CIDR_BLOCKS, i);
			return true;
		}
		return false;
	case RECON_STEP_ROLE_ATTACH:
	case RECON_STEP_ROLE_DETACH:
		if (sf_has(m, SF_A_POLICY_ARNS) && (i = index_of(&m->policy_arns, f->key)) >= 0) {
			*out = sf_path_index(a, SF_A_POLICY_ARNS, i);
			return true;
		}
		return false;
	case RECON_STEP_ROLE_PUT_INLINE:
		*out = sf_path(a, SF_A_INLINE_POLICY);
		return true;
	case RECON_STEP_ROLE_BOUNDARY:
		*out = sf_path(a, SF_A_PERMISSIONS_BOUNDARY);
		return true;
	case RECON_STEP_EP_CREATE:
	case RECON_STEP_EP_SYNC:
		if (!sf_has(m, SF_A_ENDPOINT_SERVICES) || !f->key)
			return false;
		for (k = 0; k < m->endpoint_services.n; k++) {
			const char *s = m->endpoint_services.v[k];
			if (s && (base_str_eq(s, f->key) ||
			          (base_str_has_suffix(f->key, s) && strlen(f->key) > strlen(s) &&
			           f->key[strlen(f->key) - strlen(s) - 1] == '.'))) {
				*out = sf_path_index(a, SF_A_ENDPOINT_SERVICES, (int64_t)k);
				return true;
			}
		}
		return false;
	case RECON_STEP_FN_CODE:
		if (sf_has(m, SF_A_FILENAME))
			*out = sf_path(a, SF_A_FILENAME);
		else if (sf_has(m, SF_A_IMAGE_URI))
			*out = sf_path(a, SF_A_IMAGE_URI);
		else if (sf_has(m, SF_A_S3_KEY))
			*out = sf_path(a, SF_A_S3_KEY);
		else
			return false;
		return true;
	default:
		return false;
	}
}

void sf__diag_failure(base_arena *a, base_diags *d, const sf_config *m, const char *what,
                      const recon_failure *f)
{
	base_path p;
	bool has_path = path_of_step(a, m, f, &p);
	const char *summary, *detail;

	if (f->kind)
		summary = base_arena_sprintf(a, "%s: step %s %s failed", what, recon_step_kind_name(f->kind),
		                             f->key ? f->key : "");
	else
		summary = base_arena_strdup(a, what);
	if (f->detail[0])
		detail = f->detail;
	else if (f->err.message[0])
		detail = f->err.message;
	else
		detail = base_err_str(f->code);
	if (f->err.code[0] || f->err.request_id[0])
		detail = base_arena_sprintf(a, "%s (AWS error %s%s%s)", detail,
		                            f->err.code[0] ? f->err.code : "?",
		                            f->err.request_id[0] ? ", request id " : "", f->err.request_id);
	detail = base_arena_sprintf(
	        a,
	        "%s\nEvery part that exists was saved in the state; the next apply continues from "
	        "there (or destroy removes it).",
	        detail);
	base_diags_add(d, BASE_SEV_ERROR, has_path ? &p : NULL, summary, detail);
}
