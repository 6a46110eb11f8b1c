/*
 * sf_import.c - ImportResourceState by function name or ARN.
 *
 * The ID is the function name or its ARN (the state holds the name either
 * way). The function is found by name, its VPC through the subnets of its
 * VpcConfig, and every other part through the ownership tag
 * lambdavpc:function=<name> in that VPC (recon_observe with no VPC given).
 * The state built from that (sf__model_from_observed) holds the inputs as
 * a configuration would write them (CIDRs sorted by address, services by
 * name, AWS defaults left unset) so that the plan after the import is
 * empty for a configuration matching what exists. A function that this
 * provider did not create (no lambdavpc:function=<name> tag) is refused:
 * its bundle is not ours, so any state built for it would plan a
 * replacement or delete objects someone else manages.
 */
#include "secure_function/sf_ops_int.h"

#include <string.h>

#include "base/base_str.h"

const char *sf__import_name(base_arena *a, const char *id)
{
	/* arn : partition : lambda : region : account : function : name [: qualifier] */
	const char *f[9];
	size_t len[9], n = 0;
	const char *p = id;
	if (!base_str_has_prefix(id, "arn:"))
		return id;
	while (n < 9) {
		const char *e = strchr(p, ':');
		f[n] = p;
		len[n] = e ? (size_t)(e - p) : strlen(p);
		n++;
		if (!e)
			break;
		p = e + 1;
	}
	if ((n != 7 && n != 8) || len[2] != 6 || strncmp(f[2], "lambda", 6) != 0 || len[5] != 8 ||
	    strncmp(f[5], "function", 8) != 0 || len[6] == 0)
		return NULL;
	return base_arena_strndup(a, f[6], len[6]);
}

static void diag_foreign(base_diags *diags, const char *name)
{
	base_diags_addf(diags, BASE_SEV_ERROR, NULL, "Cannot import a function lambdavpc did not create",
	                "The Lambda function %s has no %s=%s tag: it was not created by a "
	                "lambdavpc_secure_function, so its subnets, security groups, endpoints and role "
	                "are not a bundle this provider owns, and importing it would plan to replace or "
	                "delete objects managed elsewhere. Keep managing it with the tool that created it, "
	                "or create a new lambdavpc_secure_function (another function_name) and move to it.",
	                name, RECON_OWNER_TAG, name);
}

int sf__import(void *ctx, tf6_call *call, const tf6_import_req *req, tf6_import_resp *resp)
{
	prov *pv = ctx;
	base_arena *a = call->arena;
	const tf6_schema *s = sf__schema(pv, call->diags);
	aws_client *c = NULL;
	sf_config q, m;
	recon_state st;
	int rc;

	memset(resp, 0, sizeof *resp);
	if (!s)
		return BASE_EINVALID;
	if (!req->id || !*req->id) {
		base_diags_add(call->diags, BASE_SEV_ERROR, NULL, "Missing import ID",
		               "Import a lambdavpc_secure_function by its function name: terraform import "
		               "ADDR <name>.");
		return BASE_EINVALID;
	}
	rc = prov_require_client(pv, call->diags, &c);
	if (rc != BASE_OK)
		return rc;
	memset(&q, 0, sizeof q);
	q.function_name = sf__import_name(a, req->id);
	if (!q.function_name) {
		base_diags_addf(
		        call->diags, BASE_SEV_ERROR, NULL, "Invalid import ID",
		        "%s is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME). "
		        "Import by the function name or its ARN.",
		        req->id);
		return BASE_EINVALID;
	}
	q.present = SF_BIT(SF_A_FUNCTION_NAME);
	{
		/* gateway services whose prefix lists matter for the SG rules */
		static const char *const gw[] = {"s3", "dynamodb"};
		q.endpoint_services.v = (const char **)gw;
		q.endpoint_services.n = 2;
		q.present |= SF_BIT(SF_A_ENDPOINT_SERVICES);
	}
	{
		base_diags *scratch = base_diags_new(a);
		rc = sf__observe(c, a, &q, NULL, false, false, NULL, &st, scratch);
		if (rc == BASE_ENOTFOUND) {
			base_diags_addf(
			        call->diags, BASE_SEV_ERROR, NULL, "Cannot import non-existent function",
			        "No Lambda function named %s attached to a VPC was found in this account and "
			        "region. The import ID is the function name or its ARN.",
			        q.function_name);
			return rc;
		}
		if (rc != BASE_OK) {
			const base_diag *dg = base_diags_first(scratch);
			base_diags_add(call->diags, BASE_SEV_ERROR, NULL, "Cannot import the function",
			               dg ? dg->detail : base_err_str(rc));
			return rc;
		}
	}
	if (!st.fn.owned) {
		diag_foreign(call->diags, q.function_name);
		return BASE_EINVALID;
	}
	sf__model_from_observed(a, &m, &st, aws_client_region(c), prov_default_tags(pv));
	return sf_model_to_value(a, s, &m, &resp->state, call->diags);
}
