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

/* ---- sf_upgrade.c ------------------------------------------------------ */

/* UpgradeResourceState: state JSON of any known version -> current schema. */
BASE_MUST_USE int sf__upgrade(void *ctx, tf6_call *call, const tf6_upgrade_req *req, tf6_upgrade_resp *resp);

#endif
