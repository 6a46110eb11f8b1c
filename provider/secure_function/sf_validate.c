/*
 * sf_validate.c - ValidateResourceConfig: everything that can be checked
 * without AWS. Per-attribute rules (CIDR syntax and prefix, counts, ranges,
 * name patterns, environment keys, ...) come from the schema JSON through
 * prov_validate; the rules that involve several attributes are here, on the
 * C model. Checks that need the account (CIDR inside the VPC, AZ exists,
 * VPC DNS attributes) belong to planning.
 */
#include "secure_function/sf_int.h"

#include <string.h>

#include "prov/prov_validate.h"

static void err(prov_vctx *v, base_path p, const char *summary, const char *detail)
{
	prov_vctx_error(v, &p, summary, detail);
}

static void err_root(prov_vctx *v, const char *summary, const char *detail)
{
	prov_vctx_error(v, NULL, summary, detail);
}

/* Known to be null (not set and not unknown). */
static bool is_null(const sf_config *c, sf_attr a)
{
	return !sf_has(c, a) && !sf_unknown(c, a);
}

/* ---- function code -------------------------------------------------------- */

static void check_code(prov_vctx *v, const sf_config *c)
{
	const char *fn = sf_attr_name(SF_A_FILENAME), *bk = sf_attr_name(SF_A_S3_BUCKET),
	           *key = sf_attr_name(SF_A_S3_KEY), *img = sf_attr_name(SF_A_IMAGE_URI);

	/* s3_bucket and s3_key go together; s3_object_version needs them. */
	if (sf_has(c, SF_A_S3_BUCKET) && is_null(c, SF_A_S3_KEY))
		err(v, sf_path(v->a, SF_A_S3_KEY), "Missing S3 key",
		    base_arena_sprintf(v->a, "%s is set, so %s must name the zip object in that bucket.", bk,
		                       key));
	if (sf_has(c, SF_A_S3_KEY) && is_null(c, SF_A_S3_BUCKET))
		err(v, sf_path(v->a, SF_A_S3_BUCKET), "Missing S3 bucket",
		    base_arena_sprintf(v->a, "%s is set, so %s must name the bucket holding it.", key, bk));
	if (sf_has(c, SF_A_S3_OBJECT_VERSION) && is_null(c, SF_A_S3_BUCKET) && is_null(c, SF_A_S3_KEY))
		err(v, sf_path(v->a, SF_A_S3_OBJECT_VERSION), "S3 object version without S3 object",
		    base_arena_sprintf(v->a, "%s only applies to code in S3 (%s and %s).",
		                       sf_attr_name(SF_A_S3_OBJECT_VERSION), bk, key));

	/* Exactly one code source (skipped while any is unknown). */
	if (sf_unknown(c, SF_A_FILENAME) || sf_unknown(c, SF_A_S3_BUCKET) || sf_unknown(c, SF_A_S3_KEY) ||
	    sf_unknown(c, SF_A_IMAGE_URI))
		return;
	sf_attr src[3];
	int n = 0;
	if (sf_has(c, SF_A_FILENAME))
		src[n++] = SF_A_FILENAME;
	if (sf_has(c, SF_A_S3_BUCKET) || sf_has(c, SF_A_S3_KEY))
		src[n++] = sf_has(c, SF_A_S3_BUCKET) ? SF_A_S3_BUCKET : SF_A_S3_KEY;
	if (sf_has(c, SF_A_IMAGE_URI))
		src[n++] = SF_A_IMAGE_URI;
	bool image = sf_has(c, SF_A_PACKAGE_TYPE) && strcmp(c->package_type, "Image") == 0;
	if (n == 0 && !image) /* for images check_package names image_uri */
		err_root(v, "Missing function code",
		         base_arena_sprintf(
		                 v->a,
		                 "Set exactly one of %s (a local zip), %s with %s (a zip in S3) or %s "
		                 "(a container image).",
		                 fn, bk, key, img));
	for (int i = 1; i < n; i++)
		err(v, sf_path(v->a, src[i]), "Conflicting function code sources",
		    base_arena_sprintf(v->a,
		                       "%s and %s are both set; set exactly one of %s, %s (with %s) or %s.",
		                       sf_attr_name(src[0]), sf_attr_name(src[i]), fn, bk, key, img));
}

static void check_package(prov_vctx *v, const sf_config *c)
{
	if (sf_unknown(c, SF_A_PACKAGE_TYPE))
		return;
	const char *pt = sf_has(c, SF_A_PACKAGE_TYPE) ? c->package_type : "Zip";
	const char *ptn = sf_attr_name(SF_A_PACKAGE_TYPE);
	if (strcmp(pt, "Image") == 0) {
		if (is_null(c, SF_A_IMAGE_URI))
			err(v, sf_path(v->a, SF_A_IMAGE_URI), "Missing image URI",
			    base_arena_sprintf(v->a, "%s = \"Image\" needs %s, the ECR image to run.", ptn,
			                       sf_attr_name(SF_A_IMAGE_URI)));
		static const sf_attr zip_only[] = {SF_A_RUNTIME, SF_A_HANDLER, SF_A_LAYERS, SF_A_FILENAME,
		                                   SF_A_S3_BUCKET};
		for (size_t i = 0; i < sizeof(zip_only) / sizeof(zip_only[0]); i++)
			if (sf_has(c, zip_only[i]))
				err(v, sf_path(v->a, zip_only[i]), "Argument not used with container images",
				    base_arena_sprintf(
				            v->a,
				            "%s applies to zip packages only; remove it or set %s = \"Zip\".",
				            sf_attr_name(zip_only[i]), ptn));
		return;
	}
	if (strcmp(pt, "Zip") != 0)
		return; /* reported by the one_of validator */
	if (sf_has(c, SF_A_IMAGE_URI))
		err(v, sf_path(v->a, SF_A_IMAGE_URI), "Image URI with a zip package",
		    base_arena_sprintf(v->a, "%s needs %s = \"Image\".", sf_attr_name(SF_A_IMAGE_URI), ptn));
	else if (is_null(c, SF_A_RUNTIME) || is_null(c, SF_A_HANDLER)) {
		/* Only when the code is a zip (an image config gets the error above). */
		if (is_null(c, SF_A_RUNTIME))
			err(v, sf_path(v->a, SF_A_RUNTIME), "Missing runtime",
			    base_arena_sprintf(v->a, "Zip packages need %s (e.g. \"python3.12\") and %s.",
			                       sf_attr_name(SF_A_RUNTIME), sf_attr_name(SF_A_HANDLER)));
		if (is_null(c, SF_A_HANDLER))
			err(v, sf_path(v->a, SF_A_HANDLER), "Missing handler",
			    base_arena_sprintf(
			            v->a, "Zip packages need %s (e.g. \"handler.lambda_handler\") and %s.",
			            sf_attr_name(SF_A_HANDLER), sf_attr_name(SF_A_RUNTIME)));
	}
}

/* ---- logging, endpoint services -------------------------------------------- */

static void check_logging(prov_vctx *v, const sf_config *c)
{
	const sf_logging *l = &c->logging;
	if (!sf_has(c, SF_A_LOGGING) || (l->unknown & SF_BIT(SF_LOG_LOG_FORMAT)))
		return;
	bool json = (l->present & SF_BIT(SF_LOG_LOG_FORMAT)) && strcmp(l->log_format, "JSON") == 0;
	static const sf_logging_field levels[2] = {SF_LOG_APPLICATION_LOG_LEVEL, SF_LOG_SYSTEM_LOG_LEVEL};
	for (int k = 0; k < 2; k++)
		if (!json && (l->present & SF_BIT(levels[k])))
			err(v, sf_path_logging(v->a, levels[k]), "Log level needs JSON logs",
			    base_arena_sprintf(v->a, "%s only applies when %s = \"JSON\".",
			                       sf_logging_field_name(levels[k]),
			                       sf_logging_field_name(SF_LOG_LOG_FORMAT)));
}

/* "com.amazonaws.us-east-2.logs" -> "logs"; short names unchanged. */
static const char *service_short(const char *s)
{
	if (strncmp(s, "com.amazonaws.", 14) != 0)
		return s;
	const char *dot = strchr(s + 14, '.');
	return dot ? dot + 1 : s;
}

static void check_services(prov_vctx *v, const sf_config *c)
{
	if (!sf_has(c, SF_A_ENDPOINT_SERVICES))
		return;
	const sf_strlist *l = &c->endpoint_services;
	for (size_t i = 0; i < l->n; i++) {
		if (!l->v[i])
			continue;
		for (size_t j = 0; j < i; j++) {
			if (!l->v[j] || strcmp(l->v[i], l->v[j]) == 0)
				continue; /* exact duplicates: reported by the unique validator */
			if (strcmp(service_short(l->v[i]), service_short(l->v[j])) == 0) {
				err(v, sf_path_index(v->a, SF_A_ENDPOINT_SERVICES, (int64_t)i),
				    "Duplicate endpoint service",
				    base_arena_sprintf(v->a,
				                       "\"%s\" and \"%s\" (index %zu) name the same service.",
				                       l->v[i], l->v[j], j));
				break;
			}
		}
	}
}

int sf__validate_model(base_arena *a, const sf_config *c, base_diags *diags)
{
	prov_vctx v = {a, diags, BASE_OK}; /* shared with prov_validate */
	check_code(&v, c);
	check_package(&v, c);
	sf__check_egress(&v, c);
	check_logging(&v, c);
	check_services(&v, c);
	return v.rc;
}

int sf__validate(void *ctx, tf6_call *call, const tf6_validate_req *req)
{
	const tf6_schema *s = sf__schema(ctx, call->diags);
	if (!s)
		return BASE_EINVALID;
	if (!req->config || cty_value_is_null(req->config) || cty_value_is_unknown(req->config))
		return BASE_OK;
	int rc = prov_validate_block(call->arena, &s->block, req->config, base_path_root(), call->diags);
	sf_config c;
	if (sf_model_from_value(call->arena, req->config, &c, call->diags) != BASE_OK)
		return BASE_EINVALID;
	if (sf__validate_model(call->arena, &c, call->diags) != BASE_OK)
		rc = BASE_EINVALID;
	/* the checks that read the clock or the disk */
	prov_vctx v = {call->arena, call->diags, BASE_OK};
	char today[11];
	sf__today(today);
	sf__check_runtime(&v, &c, today);
	sf__check_code_file(&v, &c);
	return v.rc != BASE_OK ? v.rc : rc;
}
