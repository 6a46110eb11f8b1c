/*
 * sf_import.c - ImportResourceState by function name.
 *
 * The function is found by name, its VPC through the subnets of its
 * VpcConfig, and every other part through the ownership tag
 * lambdavpc:function=<name> in that VPC (recon_observe with no VPC given).
 * The state built from that (sf__model_from_observed) holds the inputs as
 * a configuration would write them (CIDRs sorted by address, services by
 * name, AWS defaults left unset) so that the plan after the import is
 * empty for a configuration matching what exists.
 */
#include "secure_function/sf_ops_int.h"

#include <string.h>

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
	q.function_name = req->id;
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
		rc = sf__observe(c, a, &q, NULL, &st, scratch);
		if (rc == BASE_ENOTFOUND) {
			base_diags_addf(
			        call->diags, BASE_SEV_ERROR, NULL, "Cannot import non-existent function",
			        "No Lambda function named %s attached to a VPC was found in this account and "
			        "region. The import ID is the function name.",
			        req->id);
			return rc;
		}
		if (rc != BASE_OK) {
			const base_diag *dg = base_diags_first(scratch);
			base_diags_add(call->diags, BASE_SEV_ERROR, NULL, "Cannot import the function",
			               dg ? dg->detail : base_err_str(rc));
			return rc;
		}
	}
	sf__model_from_observed(a, &m, &st, aws_client_region(c), prov_default_tags(pv));
	return sf_model_to_value(a, s, &m, &resp->state, call->diags);
}
