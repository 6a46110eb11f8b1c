/*
 * sf_read.c - ReadResource: observe the whole bundle (batched, concurrent
 * Describe/Get calls through recon_observe) and merge it into the state.
 *
 * The function is the resource: when Lambda says it is gone the state is
 * dropped (null) and the next plan creates everything again (adopting the
 * parts that still exist by their ownership tag). Otherwise drift shows on
 * the attribute it affects (see README.md): function settings and user
 * egress rules take their observed values; missing subnets / endpoints
 * drop out of subnet_ids / vpc_endpoint_ids; for everything else a
 * reconcile diff of the merged state against AWS is computed (pure) and
 * the parts it would repair are recorded as drift flags in the private
 * bytes, which PlanResourceChange turns into unknown computed attributes.
 */
#include "secure_function/sf_ops_int.h"

#include <string.h>

#include "base/base_buf.h"
#include "base/base_log.h"
#include "recon/recon_diff.h"

int sf__read(void *ctx, tf6_call *call, const tf6_read_req *req, tf6_read_resp *resp)
{
	prov *pv = ctx;
	base_arena *a = call->arena;
	const tf6_schema *s = sf__schema(pv, call->diags);
	aws_client *c = NULL;
	sf_config m;
	recon_state pst, st;
	recon_desired d;
	recon_plan plan;
	const char *region;
	prov_tags dt;
	unsigned drift = 0;
	int rc;

	memset(resp, 0, sizeof *resp);
	if (!s)
		return BASE_EINVALID;
	resp->new_state = req->current;
	resp->private_data = req->private_data;
	if (!req->current || cty_value_is_null(req->current))
		return BASE_OK;
	rc = sf_model_from_value(a, req->current, &m, call->diags);
	if (rc != BASE_OK)
		return rc;
	if (!sf_has(&m, SF_A_FUNCTION_NAME) || !sf_has(&m, SF_A_VPC_ID))
		return BASE_OK;
	rc = prov_require_client(pv, call->diags, &c);
	if (rc != BASE_OK)
		return rc;
	region = aws_client_region(c);
	dt = prov_default_tags(pv);

	sf__prior_state(a, &m, region, &pst);
	rc = sf__observe(c, a, &m, &pst, &st, call->diags);
	if (rc != BASE_OK)
		return rc;
	if (!st.fn.name) {
		resp->new_state = cty_value_null(tf6_schema_type(s));
		resp->private_data = (tf6_bytes){NULL, 0};
		return BASE_OK;
	}
	sf__merge_observed(a, &m, &st, region, dt);

	/* What would a reconcile of the merged state still repair? */
	{
		base_diags *scratch = base_diags_new(a);
		if (sf__desired_build(a, &m, region, dt, false, &d, scratch) == BASE_OK &&
		    recon_diff_apply(a, &d, &st, &plan) == BASE_OK) {
			drift = sf__drift_of_plan(&plan);
			if (drift && base_log_enabled(BASE_LOG_DEBUG)) {
				base_buf b;
				base_buf_init(&b, 1 << 16);
				if (recon_plan_format(&plan, &b) == BASE_OK)
					base_log(BASE_LOG_DEBUG, "secure_function", "drift of %s: %s",
					         m.function_name, base_buf_cstr(&b));
				base_buf_dispose(&b);
			}
		}
	}
	rc = sf_model_to_value(a, s, &m, &resp->new_state, call->diags);
	if (rc != BASE_OK)
		return rc;
	resp->private_data = sf__drift_encode(a, drift);
	return BASE_OK;
}
