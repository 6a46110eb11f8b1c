/*
 * sf_read.c - ReadResource: observe the whole bundle (batched, concurrent
 * Describe/Get calls through recon_observe) and merge it into the state.
 *
 * The resource is the whole bundle, not only the function: it leaves the
 * state (null) only when none of its parts exists any more. When the
 * function is gone but owned parts remain (a create that failed before the
 * function, a destroy that failed or was killed after deleting it, the
 * function deleted by hand) the resource stays with what remains (function
 * attributes null, sf__read_rule): the next plan proposes to recreate the
 * function in place, and the next destroy deletes the rest instead of
 * forgetting it. The destroy-in-progress mark in the private bytes is kept
 * until a create / update stores new private bytes or the resource leaves
 * the state. When the function exists, drift shows on
 * the attribute it affects (see README.md): function settings and user
 * egress rules take their observed values; missing subnets / endpoints
 * drop out of subnet_ids / vpc_endpoint_ids; for everything else a
 * reconcile diff of the merged state against AWS is computed (pure) and
 * the parts it would repair are recorded as drift flags in the private
 * bytes, which PlanResourceChange turns into unknown computed attributes.
 */
#include "secure_function/sf_ops_int.h"

#include <string.h>
#include <time.h>

#include "base/base_buf.h"
#include "base/base_log.h"
#include "base/base_str.h"
#include "recon/recon_diff.h"

sf_read_rule sf__read_rule(base_arena *a, const recon_state *st)
{
	recon_plan p = {0};
	size_t i;
	if (st->fn.name)
		return SF_READ_LIVE;
	if (recon_diff_destroy(a, st, &p) != BASE_OK)
		return SF_READ_GONE;
	/* the ENI wait and the VPC's shared SGs are not parts of the bundle */
	for (i = 0; i < p.n; i++)
		if (p.v[i].kind != RECON_STEP_ENI_WAIT &&
		    !(p.v[i].kind == RECON_STEP_SG_DELETE && base_str_eq(p.v[i].key, "endpoint")))
			return SF_READ_REMAINS;
	return SF_READ_GONE;
}

/*
 * Merges what exists (h->st) into m and returns the drift flags: what a
 * reconcile of the merged state would still repair, reported as plan
 * warnings. Drift is measured against the tags the state recorded
 * (tags_all), not the provider's current default_tags: a default_tags
 * change is a plan of its own (tags_all known in it), not drift.
 */
static unsigned read_drift(base_arena *a, base_diags *diags, const sf_handler *h, sf_config *m)
{
	prov_tags recorded = sf__recorded_tags(a, m, h->dt);
	base_diags *scratch = base_diags_new(a);
	recon_desired d;
	recon_plan plan;
	unsigned drift;
	sf__merge_observed(a, m, &h->st, h->region, h->dt);
	if (sf__desired_build(a, m, h->region, recorded, false, &d, scratch) != BASE_OK ||
	    recon_diff_apply(a, &d, &h->st, &plan) != BASE_OK)
		return 0;
	drift = sf__drift_of_plan(&plan);
	sf__drift_report(a, diags, &d, &h->st, h->region, &plan);
	if (drift && base_log_enabled(BASE_LOG_DEBUG)) {
		base_buf b;
		base_buf_init(&b, 1 << 16);
		if (recon_plan_format(&plan, &b) == BASE_OK)
			base_log(BASE_LOG_DEBUG, "secure_function", "drift of %s: %s", m->function_name,
			         base_buf_cstr(&b));
		base_buf_dispose(&b);
	}
	return drift;
}

int sf__read(void *ctx, tf6_call *call, const tf6_read_req *req, tf6_read_resp *resp)
{
	prov *pv = ctx;
	base_arena *a = call->arena;
	const tf6_schema *s = sf__schema(pv, call->diags);
	sf_handler h;
	sf_config m;
	unsigned drift;
	bool destroying = sf__private_destroying(req->private_data);
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
	rc = sf__begin_client(pv, call, &h);
	if (rc == BASE_OK) {
		/* A refresh: the resources read together share the VPC's listings
		 * (until this process writes, which a refresh never does). */
		aws_client_keep_listings(h.c);
		rc = sf__begin_observe(a, &h, &m, &m, call->diags);
	}
	if (rc != BASE_OK)
		return rc;
	switch (sf__read_rule(a, &h.st)) {
	case SF_READ_GONE:
		resp->new_state = cty_value_null(tf6_schema_type(s));
		resp->private_data = (tf6_bytes){NULL, 0};
		return BASE_OK;
	case SF_READ_REMAINS:
		base_log(BASE_LOG_DEBUG, "secure_function",
		         "%s: function gone, owned parts remain: keeping them%s", m.function_name,
		         destroying ? " (destroy in progress)" : "");
		sf__remaining_model(a, &m, &h.st, h.region, h.dt);
		rc = sf_model_to_value(a, s, &m, &resp->new_state, call->diags);
		if (rc != BASE_OK)
			return rc;
		resp->private_data = sf__private_with_view(a, sf__private_encode(a, 0, destroying), &h.st,
		                                           (int64_t)time(NULL));
		return BASE_OK;
	case SF_READ_LIVE:
		break;
	}
	drift = read_drift(a, call->diags, &h, &m);
	rc = sf_model_to_value(a, s, &m, &resp->new_state, call->diags);
	if (rc != BASE_OK)
		return rc;
	/* what a destroy right after this refresh need not read again */
	resp->private_data = sf__private_with_view(a, sf__private_encode(a, drift, destroying), &h.st,
	                                           (int64_t)time(NULL));
	return BASE_OK;
}
