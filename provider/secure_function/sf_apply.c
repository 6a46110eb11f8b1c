/*
 * sf_apply.c - ApplyResourceChange: create, update and delete through the
 * reconcile engine (provider/recon).
 *
 * Every apply first observes what exists (by the ownership tag and the ids
 * the state knows), so objects left by an interrupted apply are adopted,
 * then runs recon_apply / recon_destroy. The new state is the planned
 * state with its unknown (computed) values filled from what exists, so it
 * equals every known planned value. On failure the state returned holds
 * every ID that exists (partial state) with the error diagnostic:
 *  - create: planned values + what exists (Terraform taints it);
 *  - update: the prior configuration + the ids that exist now, so the next
 *    plan proposes the same change again;
 *  - delete: the prior configuration + what still exists (the deleted
 *    function's attributes null), marked "destroy in progress" in the
 *    private bytes so ReadResource keeps it although the function is gone
 *    and the next destroy deletes the rest (see sf_read.c).
 */
#include "secure_function/sf_ops_int.h"

#include <string.h>
#include <time.h>

#include "base/base_log.h"
#include "recon/recon_observe.h"

/* Full names of the gateway services among the model's endpoint_services. */
static aws_strs gateway_services(base_arena *a, const sf_config *m, const char *region)
{
	const char **v;
	size_t i, n = 0;
	if (!sf_has(m, SF_A_ENDPOINT_SERVICES))
		return (aws_strs){NULL, 0};
	v = base_arena_calloc(a, m->endpoint_services.n + 1, sizeof *v);
	for (i = 0; i < m->endpoint_services.n; i++)
		if (m->endpoint_services.v[i] && sf__service_is_gateway(m->endpoint_services.v[i]))
			v[n++] = sf__service_full(a, region, m->endpoint_services.v[i]);
	return (aws_strs){v, n};
}

/*
 * Observes the bundle of m (function_name, vpc_id) using the ids of prior
 * (may be NULL). Adds an error diagnostic on failure.
 */
int sf__observe(aws_client *c, base_arena *a, const sf_config *m, const recon_state *prior, bool for_destroy,
                bool for_create, const recon_destroy_view *view, recon_state *out, base_diags *diags)
{
	recon_observe_in in;
	aws_error err;
	int rc;
	memset(&in, 0, sizeof in);
	in.function_name = m->function_name;
	in.vpc_id = m->vpc_id;
	in.prior = prior;
	in.for_destroy = for_destroy;
	in.view = for_destroy ? view : NULL;
	in.for_create = for_create && !for_destroy;
	in.gateway_services = gateway_services(a, m, aws_client_region(c));
	rc = recon_observe(c, a, &in, out, &err);
	if (rc != BASE_OK)
		sf__diag_aws(diags, NULL, "Cannot read the function's AWS objects", rc, &err);
	return rc;
}

int sf__begin_client(prov *pv, tf6_call *call, sf_handler *h)
{
	int rc;
	memset(h, 0, sizeof *h);
	rc = prov_require_client(pv, call->diags, &h->c);
	if (rc != BASE_OK)
		return rc;
	h->region = aws_client_region(h->c);
	h->dt = prov_default_tags(pv);
	h->ig = prov_ignored_tags(pv);
	return BASE_OK;
}

int sf__begin_observe(base_arena *a, sf_handler *h, const sf_config *m, const sf_config *saved,
                      base_diags *diags)
{
	memset(&h->prior, 0, sizeof h->prior);
	if (saved)
		sf__prior_state(a, saved, h->region, &h->prior);
	int rc = sf__observe(h->c, a, m, saved ? &h->prior : NULL, h->for_destroy, h->for_create, h->view,
	                     &h->st, diags);
	if (rc == BASE_OK)
		sf__ignore_observed_tags(a, &h->st, &h->ig);
	return rc;
}

static int to_state(base_arena *a, const tf6_schema *s, const sf_config *m, const cty_value **out,
                    base_diags *diags)
{
	return sf_model_to_value(a, s, m, out, diags);
}

/* Shared by create and update. */
/* pm = the planned model with the write-only filename of the configuration;
 * the desired bundle built from it (the package is read). */
static int apply_desired(base_arena *a, const tf6_apply_req *req, const sf_handler *h, sf_config *pm,
                         recon_desired *d, base_diags *diags)
{
	sf_config cm;
	int rc = sf_model_from_value(a, req->config, &cm, diags);
	if (rc != BASE_OK)
		return rc;
	pm->filename = cm.filename;
	pm->present = (pm->present & ~SF_BIT(SF_A_FILENAME)) | (cm.present & SF_BIT(SF_A_FILENAME));
	rc = sf__desired_build(a, pm, h->region, h->dt, true, d, diags);
	/* what the plan read of the VPC (a create's planned private) */
	if (sf__drift_decode(req->planned_private) & SF_PLAN_VPC_IPV6)
		d->vpc_ipv6 = RECON_VPC_IPV6_SOME;
	else if (sf__drift_decode(req->planned_private) & SF_PLAN_VPC_IPV4_ONLY)
		d->vpc_ipv6 = RECON_VPC_IPV6_NONE;
	pm->filename = NULL;
	pm->present &= ~SF_BIT(SF_A_FILENAME);
	return rc;
}

/* Shared by create and update. */
static int apply(prov *pv, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp, bool create)
{
	base_arena *a = call->arena;
	const tf6_schema *s = sf__schema(pv, call->diags);
	sf_handler h;
	sf_config pm, prior;
	recon_desired d;
	recon_failure fail;
	int rc;

	memset(resp, 0, sizeof *resp);
	memset(&fail, 0, sizeof fail);
	if (!s)
		return BASE_EINVALID;
	rc = sf__begin_client(pv, call, &h);
	if (rc == BASE_OK)
		rc = sf_model_from_value(a, req->planned, &pm, call->diags);
	if (rc == BASE_OK) {
		sf__deadline_begin(a, &pm, create ? SF_TO_CREATE : SF_TO_UPDATE);
		rc = sf_model_from_value(a, create ? NULL : req->prior, &prior, call->diags);
	}
	/* what the plan could not settle, before anything is created */
	if (rc == BASE_OK && (sf__drift_decode(req->planned_private) & SF_PLAN_RECHECK))
		rc = sf__account_checks(h.c, a, &pm, &prior, create, true, NULL, call->diags);
	if (rc == BASE_OK)
		rc = apply_desired(a, req, &h, &pm, &d, call->diags);
	h.for_create = create;
	if (rc == BASE_OK) /* on failure nothing was changed: keep the prior state */
		rc = sf__begin_observe(a, &h, &pm, create ? NULL : &prior, call->diags);
	if (rc != BASE_OK)
		return rc;
	rc = recon_apply(h.c, a, &d, &h.st, NULL, &fail);
	if (rc == BASE_OK) {
		sf_config nm = pm;
		sf__fill_computed(a, &nm, &h.st, h.region, h.dt, true);
		return to_state(a, s, &nm, &resp->new_state, call->diags);
	}

	/* Partial state: every ID that exists. */
	{
		sf_config nm = create ? pm : prior;
		const cty_value *v = NULL;
		sf__fill_computed(a, &nm, &h.st, h.region, h.dt, create);
		if (create) {
			/* anything still unknown (nothing to fill it from) becomes null */
			nm.unknown = 0;
		}
		if (to_state(a, s, &nm, &v, call->diags) == BASE_OK)
			resp->new_state = v;
		sf__diag_failure(a, call->diags, &pm,
		                 create ? "Creating the secure function failed"
		                        : "Updating the secure function failed",
		                 &fail);
	}
	return rc;
}

int sf__apply_create(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp)
{
	int rc = apply(ctx, call, req, resp, true);
	sf__deadline_end();
	return rc;
}

int sf__apply_update(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp)
{
	int rc = apply(ctx, call, req, resp, false);
	sf__deadline_end();
	return rc;
}

static int apply_delete(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp);

int sf__apply_delete(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp)
{
	int rc = apply_delete(ctx, call, req, resp);
	sf__deadline_end();
	return rc;
}

static int apply_delete(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp)
{
	prov *pv = ctx;
	base_arena *a = call->arena;
	const tf6_schema *s = sf__schema(pv, call->diags);
	sf_handler h;
	sf_config prior;
	recon_destroy_view view;
	recon_options opts;
	recon_failure fail;
	int rc;

	memset(resp, 0, sizeof *resp);
	memset(&opts, 0, sizeof opts);
	memset(&fail, 0, sizeof fail);
	if (!s)
		return BASE_EINVALID;
	rc = sf__begin_client(pv, call, &h);
	if (rc != BASE_OK)
		return rc;
	rc = sf_model_from_value(a, req->prior, &prior, call->diags);
	if (rc != BASE_OK)
		return rc;
	if (!sf_has(&prior, SF_A_FUNCTION_NAME))
		return BASE_OK; /* nothing we could find */
	sf__deadline_begin(a, &prior, SF_TO_DELETE);
	h.for_destroy = true;
	/* The refresh of this destroy just read the parts the view names. */
	if (sf__private_view(a, req->planned_private, (int64_t)time(NULL), &view))
		h.view = &view;
	BASE_DEBUG("secure_function", "%s: destroy %s", prior.function_name,
	           h.view ? "takes the function, role, route table and SGs from the refresh"
	                  : "reads every part (no recent refresh)");
	rc = sf__begin_observe(a, &h, &prior, &prior, call->diags);
	if (rc != BASE_OK)
		return rc;
	if (sf_has(&prior, SF_A_TIMEOUTS) && (prior.timeouts.present & SF_BIT(SF_TO_DELETE)))
		if (sf__duration_ms(prior.timeouts.delete_, &opts.timeout_ms) != BASE_OK)
			opts.timeout_ms = 0; /* validation reports bad durations */
	rc = recon_destroy(h.c, a, &h.st, &opts, &fail);
	if (rc != BASE_OK) {
		/* Partial state: what still exists, marked destroy-in-progress. */
		sf_config nm = prior;
		const cty_value *v = NULL;
		sf__remaining_model(a, &nm, &h.st, h.region, h.dt);
		if (to_state(a, s, &nm, &v, call->diags) == BASE_OK) {
			resp->new_state = v;
			resp->private_data = sf__private_encode(a, 0, true);
		}
		sf__diag_failure(a, call->diags, &prior, "Destroying the secure function failed", &fail);
	}
	return rc;
}
