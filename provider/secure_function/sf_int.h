/*
 * sf_int.h - shared between the files of provider/secure_function (and its
 * unit tests). Never included from another folder.
 */
#ifndef SF_INT_H
#define SF_INT_H

#include "base/base_arena.h"
#include "base/base_diag.h"
#include "prov/prov.h"
#include "secure_function/sf.h"
#include "secure_function/sf_model.h"
#include "tf6/tf6_provider.h"

/* The resource's finished schema (loads the provider's schemas on first
 * use); NULL with an error diagnostic if they cannot be loaded. */
const tf6_schema *sf__schema(prov *p, base_diags *diags);

/* ---- sf_validate.c ----------------------------------------------------- */

/* ValidateResourceConfig: schema validators + sf__validate_model. */
BASE_MUST_USE int sf__validate(void *ctx, tf6_call *call, const tf6_validate_req *req);

/*
 * The cross-attribute checks on a config model: exactly one code source,
 * s3_bucket with s3_key, runtime + handler for zip packages and image_uri
 * for images, egress rule ports and destinations, log levels with JSON
 * logs, duplicate endpoint services. Unknown values skip the checks that
 * need them. Returns BASE_OK or BASE_EINVALID with pathed diagnostics.
 */
BASE_MUST_USE int sf__validate_model(base_arena *a, const sf_config *c, base_diags *diags);

/* ---- sf_runtime.c ------------------------------------------------------ */

/* One Lambda runtime and AWS's dates for it (ISO YYYY-MM-DD, NULL = none). */
typedef struct sf_runtime_info {
	const char *id;
	const char *deprecated;   /* from this date: a plan warning */
	const char *block_create; /* from this date: retired, a plan error */
} sf_runtime_info;

typedef enum sf_runtime_status {
	SF_RT_UNKNOWN,
	SF_RT_SUPPORTED,
	SF_RT_DEPRECATED,
	SF_RT_RETIRED
} sf_runtime_status;

/* The table entry of a runtime identifier, or NULL. */
const sf_runtime_info *sf__runtime_find(const char *id);
/* r's status on today (ISO date); r NULL -> SF_RT_UNKNOWN. Pure. */
sf_runtime_status sf__runtime_status(const sf_runtime_info *r, const char *today);
/* "nodejs24.x, nodejs22.x, ..." - the runtimes supported on today. */
const char *sf__runtime_supported_list(base_arena *a, const char *today);
/* Today's UTC date as YYYY-MM-DD. */
void sf__today(char out[11]);

/* ---- sf_validate_input.c ------------------------------------------------ */

/*
 * The input checks that go beyond one attribute's schema validators and
 * may read the local disk: runtime against the table (on `today`), the
 * `filename` zip (exists, zip signature, <= SF_ZIP_DIRECT_MAX), egress rule
 * ports / ICMP type-code / duplicates. Errors go to v (pathed); runtime
 * deprecation is a warning.
 */
#define SF_ZIP_DIRECT_MAX ((int64_t)50 * 1024 * 1024)
struct prov_vctx;
void sf__check_runtime(struct prov_vctx *v, const sf_config *c, const char *today);
void sf__check_code_file(struct prov_vctx *v, const sf_config *c);
void sf__check_egress(struct prov_vctx *v, const sf_config *c);

/* ---- sf_upgrade.c ------------------------------------------------------ */

/* UpgradeResourceState: state JSON of any known version -> current schema. */
BASE_MUST_USE int sf__upgrade(void *ctx, tf6_call *call, const tf6_upgrade_req *req, tf6_upgrade_resp *resp);

#endif
