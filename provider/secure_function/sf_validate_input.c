/*
 * sf_validate_input.c - input checks of ValidateResourceConfig beyond the
 * schema validators (see sf_int.h): the runtime against the runtime table,
 * the local zip of `filename`, and each egress rule as a whole. Every
 * problem is reported once, at the attribute it is about
 * (`runtime`, `filename`, `egress_rules[i].field`).
 */
#include "secure_function/sf_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "prov/prov_validate.h"

/* ---- runtime ----------------------------------------------------------------- */

void sf__check_runtime(prov_vctx *v, const sf_config *c, const char *today)
{
	if (!sf_has(c, SF_A_RUNTIME))
		return;
	const char *rt = c->runtime, *name = sf_attr_name(SF_A_RUNTIME);
	const sf_runtime_info *r = sf__runtime_find(rt);
	base_path p = sf_path(v->a, SF_A_RUNTIME);
	switch (sf__runtime_status(r, today)) {
	case SF_RT_UNKNOWN:
		prov_vctx_error(v, &p, "Unsupported runtime",
		                base_arena_sprintf(v->a, "%s: \"%s\" is not a Lambda runtime. Use one of %s.",
		                                   name, rt, sf__runtime_supported_list(v->a, today)));
		break;
	case SF_RT_RETIRED:
		/* A warning here: an existing function may keep its runtime while
		 * other settings change. The plan refuses it for a new function or
		 * a change of runtime (sf__check_retired_runtime). */
		base_diags_add(v->d, BASE_SEV_WARNING, &p, "Retired runtime",
		               base_arena_sprintf(v->a,
		                                  "%s: Lambda stopped accepting new functions on \"%s\" on "
		                                  "%s (deprecated since %s); an existing function keeps "
		                                  "running on it, but creating one or changing to it is "
		                                  "refused. Use one of %s.",
		                                  name, rt, r->block_create, r->deprecated,
		                                  sf__runtime_supported_list(v->a, today)));
		break;
	case SF_RT_DEPRECATED:
		base_diags_add(v->d, BASE_SEV_WARNING, &p, "Deprecated runtime",
		               base_arena_sprintf(v->a,
		                                  "%s: \"%s\" has been deprecated since %s: Lambda no longer "
		                                  "patches it%s%s. Move to a supported runtime (%s).",
		                                  name, rt, r->deprecated,
		                                  r->block_create ? ", and refuses new functions from " : "",
		                                  r->block_create ? r->block_create : "",
		                                  sf__runtime_supported_list(v->a, today)));
		break;
	case SF_RT_SUPPORTED:
		break;
	}
}

/* ---- filename ------------------------------------------------------------------ */

/* A zip starts with a local file header, or is empty (end of central directory). */
static bool zip_signature(const unsigned char *b, size_t n)
{
	return n >= 4 && b[0] == 'P' && b[1] == 'K' &&
	       ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6) || (b[2] == 7 && b[3] == 8));
}

void sf__check_code_file(prov_vctx *v, const sf_config *c)
{
	if (!sf_has(c, SF_A_FILENAME))
		return;
	const char *fn = c->filename, *name = sf_attr_name(SF_A_FILENAME);
	base_path p = sf_path(v->a, SF_A_FILENAME);
	struct stat st;
	bool found = stat(fn, &st) == 0;
	if (!found || !S_ISREG(st.st_mode)) {
		prov_vctx_error(v, &p, "Function code file not found",
		                base_arena_sprintf(v->a, "%s: cannot read \"%s\": %s.", name, fn,
		                                   found ? "not a regular file" : strerror(errno)));
		return;
	}
	if ((int64_t)st.st_size > SF_ZIP_DIRECT_MAX) {
		prov_vctx_error(
		        v, &p, "Function code too large for a direct upload",
		        base_arena_sprintf(v->a,
		                           "%s: \"%s\" is %.1f MB; Lambda accepts at most %lld MB uploaded "
		                           "directly. Upload the zip to S3 and set %s and %s instead.",
		                           name, fn, (double)st.st_size / (1024.0 * 1024.0),
		                           (long long)(SF_ZIP_DIRECT_MAX / (1024 * 1024)),
		                           sf_attr_name(SF_A_S3_BUCKET), sf_attr_name(SF_A_S3_KEY)));
		return;
	}
	unsigned char head[4] = {0};
	size_t n = 0;
	FILE *f = fopen(fn, "rb");
	if (f) {
		n = fread(head, 1, sizeof head, f);
		fclose(f);
	}
	if (!f || !zip_signature(head, n))
		prov_vctx_error(v, &p, "Function code is not a zip file",
		                base_arena_sprintf(
		                        v->a, "%s: \"%s\" %s; Lambda needs a .zip archive of the code.", name,
		                        fn, f ? "does not start with a zip signature" : "cannot be opened"));
}
