/*
 * sf_upgrade.c - UpgradeResourceState for lambdavpc_secure_function.
 *
 * Schema version 0 is the only one so far: the stored JSON is read with the
 * current schema, attributes the schema no longer has are dropped and new
 * ones are null (tf6_upgrade_json_default). When the schema version is
 * raised, the per-version migrations go here, before that final step.
 */
#include "secure_function/sf_int.h"

int sf__upgrade(void *ctx, tf6_call *call, const tf6_upgrade_req *req, tf6_upgrade_resp *resp)
{
	const tf6_schema *s = sf__schema(ctx, call->diags);
	resp->upgraded = NULL;
	if (!s)
		return BASE_EINVALID;
	if (req->version < 0 || req->version > s->version) {
		base_diags_addf(
		        call->diags, BASE_SEV_ERROR, NULL, "Unsupported state version",
		        "The stored state has schema version %lld; this provider reads versions 0 to %lld.",
		        (long long)req->version, (long long)s->version);
		return BASE_EINVALID;
	}
	return tf6_upgrade_json_default(call->arena, s, req->raw_json, req->raw_len, &resp->upgraded,
	                                call->diags);
}
