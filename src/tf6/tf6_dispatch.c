/*
 * tf6_dispatch.c - chooses create / update / delete and enforces the
 * protocol's contracts on handler results (PROTOCOL.md 2.8), so resource
 * handlers never branch on protocol details.
 */
#include "tf6/tf6_int.h"

#include <string.h>

#include "cty/cty_json.h"

void tf6__not_implemented(tf6_call *call, const char *what)
{
	base_diags_addf(call->diags, BASE_SEV_ERROR, NULL, "Not implemented yet",
	                "The %s resource does not support %s yet in this build of the lambdavpc provider.",
	                call->type_name && *call->type_name ? call->type_name : "requested", what);
}

/* A handler failed (rc) without explaining itself: add a generic error. */
static int settle(tf6_call *call, int rc, const char *what)
{
	if (rc != BASE_OK && !base_diags_has_error(call->diags))
		base_diags_addf(call->diags, BASE_SEV_ERROR, NULL, "Provider error",
		                "%s failed (%s) without further detail. This is a bug in the provider.", what,
		                base_err_str(rc));
	if (rc == BASE_OK && base_diags_has_error(call->diags))
		rc = BASE_EINVALID;
	return rc;
}

static bool present(const cty_value *v)
{
	return v && !cty_value_is_null(v);
}

static bool conforms(const tf6_resource *r, const cty_value *v)
{
	return cty_type_conforms(cty_value_type(v), tf6_schema_type(r->schema));
}

static void bug(tf6_call *call, const char *summary, const char *detail)
{
	base_diags_addf(call->diags, BASE_SEV_ERROR, NULL, summary, "%s This is a bug in the provider.",
	                detail);
}

/* ---- write-only attributes ------------------------------------------------ */

int tf6__check_write_only(const tf6_resource *r, tf6_call *call, const cty_value *config, bool allowed)
{
	int rc = BASE_OK;
	if (allowed || !present(config) || cty_value_is_unknown(config))
		return BASE_OK;
	const tf6_block *b = &r->schema->block;
	for (size_t i = 0; i < b->n_attrs; i++) {
		if (!b->attrs[i].write_only)
			continue;
		const cty_value *v = cty_value_get_attr(config, b->attrs[i].name);
		if (!v || cty_value_is_null(v))
			continue;
		base_path p = base_path_attr(call->arena, base_path_root(), b->attrs[i].name);
		base_diags_addf(call->diags, BASE_SEV_ERROR, &p, "Write-only attribute not supported",
		                "%s is write-only, which needs Terraform 1.11 or later. Upgrade Terraform or "
		                "use another "
		                "way to provide this value.",
		                b->attrs[i].name);
		rc = BASE_EINVALID;
	}
	return rc;
}

const cty_value *tf6__strip_write_only(base_arena *a, const tf6_schema *s, const cty_value *v)
{
	if (!present(v) || cty_value_is_unknown(v))
		return v;
	const tf6_block *b = &s->block;
	for (size_t i = 0; i < b->n_attrs; i++) {
		if (!b->attrs[i].write_only)
			continue;
		const cty_value *av = cty_value_get_attr(v, b->attrs[i].name);
		if (av && !cty_value_is_null(av)) {
			const cty_value *n = cty_value_with_attr(a, v, b->attrs[i].name, NULL);
			if (n)
				v = n;
		}
	}
	return v;
}

int tf6__dispatch_validate(const tf6_resource *r, tf6_call *call, const tf6_validate_req *req)
{
	if (!r->ops->validate)
		return BASE_OK;
	return settle(call, r->ops->validate(r->ctx, call, req), "Validation");
}

int tf6__dispatch_plan(const tf6_resource *r, tf6_call *call, const tf6_plan_req *req, tf6_plan_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	const cty_type *t = tf6_schema_type(r->schema);
	if (!present(req->proposed)) {
		/* Destroy plan (plan_destroy capability): planned state must be
		 * null. The private bytes go on to the destroy's apply unchanged
		 * (what the refresh recorded there, e.g. its view of the parts). */
		resp->planned = cty_value_null(t);
		resp->planned_private = req->prior_private;
		return BASE_OK;
	}
	if (!r->ops->plan) {
		tf6__not_implemented(call, "planning");
		return BASE_EINVALID;
	}
	int rc = settle(call, r->ops->plan(r->ctx, call, req, resp), "Planning");
	if (rc != BASE_OK) {
		/* A plan with errors is never used: send no planned state. */
		resp->planned = NULL;
		resp->n_requires_replace = 0;
		resp->requires_replace = NULL;
		return rc;
	}
	if (!present(resp->planned)) {
		bug(call, "Provider produced no plan",
		    "The resource planned a null object for a non-null configuration.");
		resp->planned = NULL;
		return BASE_EINVALID;
	}
	if (!conforms(r, resp->planned)) {
		bug(call, "Provider produced an invalid plan",
		    "The planned object does not match the resource schema.");
		resp->planned = NULL;
		return BASE_EINVALID;
	}
	resp->planned = tf6__strip_write_only(call->arena, r->schema, resp->planned);
	if (!present(req->prior)) {
		/* Terraform ignores requires_replace on create. */
		resp->n_requires_replace = 0;
		resp->requires_replace = NULL;
	}
	return BASE_OK;
}

int tf6__dispatch_apply(const tf6_resource *r, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	const cty_type *t = tf6_schema_type(r->schema);
	int rc;
	if (!present(req->planned)) {
		if (!r->ops->apply_delete) {
			tf6__not_implemented(call, "destroying");
			return BASE_EINVALID;
		}
		rc = settle(call, r->ops->apply_delete(r->ctx, call, req, resp), "Destroy");
		if (rc == BASE_OK || !present(resp->new_state) || !conforms(r, resp->new_state) ||
		    !cty_value_is_known(resp->new_state)) {
			/* A completed delete is always null; a failed one without a
			 * (usable) partial state answers null and Terraform keeps the
			 * prior state and its private bytes. */
			resp->new_state = cty_value_null(t);
			resp->private_data = (tf6_bytes){NULL, 0};
			return rc;
		}
		/* A failed delete with a partial state (what still exists):
		 * Terraform stores it with the handler's private bytes. */
		resp->new_state = tf6__strip_write_only(call->arena, r->schema, resp->new_state);
		return rc;
	}
	bool create = !present(req->prior);
	int (*fn)(void *, tf6_call *, const tf6_apply_req *, tf6_apply_resp *) =
	        create ? r->ops->apply_create : r->ops->apply_update;
	if (!fn) {
		tf6__not_implemented(call, create ? "creating" : "updating");
		return BASE_EINVALID;
	}
	rc = settle(call, fn(r->ctx, call, req, resp), create ? "Create" : "Update");
	if (rc != BASE_OK) {
		/* Keep a partial state (Terraform stores it; tainted on create). */
		if (!present(resp->new_state) || !conforms(r, resp->new_state) ||
		    !cty_value_is_known(resp->new_state))
			resp->new_state = create ? NULL : req->prior;
		resp->new_state = tf6__strip_write_only(call->arena, r->schema, resp->new_state);
		return rc;
	}
	if (!present(resp->new_state)) {
		bug(call, "Provider returned no state after apply",
		    "The resource returned a null object after apply.");
		resp->new_state = create ? NULL : req->prior;
		return BASE_EINVALID;
	}
	if (!conforms(r, resp->new_state) || !cty_value_is_known(resp->new_state)) {
		bug(call, "Provider returned an invalid state after apply",
		    "The new object does not match the resource schema or still has unknown values.");
		resp->new_state = create ? NULL : req->prior;
		return BASE_EINVALID;
	}
	resp->new_state = tf6__strip_write_only(call->arena, r->schema, resp->new_state);
	return BASE_OK;
}

int tf6__dispatch_read(const tf6_resource *r, tf6_call *call, const tf6_read_req *req, tf6_read_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (!r->ops->read) {
		tf6__not_implemented(call, "reading");
		resp->new_state = req->current;
		resp->private_data = req->private_data;
		return BASE_EINVALID;
	}
	int rc = settle(call, r->ops->read(r->ctx, call, req, resp), "Read");
	if (rc != BASE_OK || !resp->new_state || !conforms(r, resp->new_state) ||
	    !cty_value_is_known(resp->new_state)) {
		if (rc == BASE_OK) {
			bug(call, "Provider returned an invalid state after read",
			    "The refreshed object is missing, does not match the resource schema or has "
			    "unknown values.");
			rc = BASE_EINVALID;
		}
		/* On errors the state is left as it was. */
		resp->new_state = req->current;
		resp->private_data = req->private_data;
	}
	resp->new_state = tf6__strip_write_only(call->arena, r->schema, resp->new_state);
	return rc;
}

int tf6__dispatch_import(const tf6_resource *r, tf6_call *call, const tf6_import_req *req,
                         tf6_import_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (!r->ops->import) {
		tf6__not_implemented(call, "import");
		return BASE_EINVALID;
	}
	int rc = settle(call, r->ops->import(r->ctx, call, req, resp), "Import");
	if (rc == BASE_OK && (!present(resp->state) || !conforms(r, resp->state))) {
		bug(call, "Provider returned no object for import",
		    "The imported object is null or does not match the schema.");
		rc = BASE_EINVALID;
	}
	if (rc != BASE_OK)
		resp->state = NULL;
	resp->state = tf6__strip_write_only(call->arena, r->schema, resp->state);
	return rc;
}

int tf6__dispatch_upgrade(const tf6_resource *r, tf6_call *call, const tf6_upgrade_req *req,
                          tf6_upgrade_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (req->version > r->schema->version) {
		base_diags_addf(call->diags, BASE_SEV_ERROR, NULL,
		                "Resource state written by a newer provider",
		                "The state of this %s has schema version %lld, but this provider only knows "
		                "versions up "
		                "to %lld. Upgrade the lambdavpc provider.",
		                r->type_name, (long long)req->version, (long long)r->schema->version);
		return BASE_EINVALID;
	}
	int rc;
	if (r->ops->upgrade)
		rc = settle(call, r->ops->upgrade(r->ctx, call, req, resp), "State upgrade");
	else
		rc = tf6_upgrade_json_default(call->arena, r->schema, req->raw_json, req->raw_len,
		                              &resp->upgraded, call->diags);
	if (rc == BASE_OK && (!resp->upgraded || !conforms(r, resp->upgraded))) {
		bug(call, "Invalid resource state upgrade",
		    "The upgraded state does not match the current schema.");
		rc = BASE_EINVALID;
	}
	if (rc != BASE_OK)
		resp->upgraded = NULL;
	resp->upgraded = tf6__strip_write_only(call->arena, r->schema, resp->upgraded);
	return rc;
}

int tf6_upgrade_json_default(base_arena *a, const tf6_schema *s, const char *json, size_t len,
                             const cty_value **out, base_diags *diags)
{
	*out = NULL;
	const cty_type *t = tf6_schema_type(s);
	if (!json || len == 0) {
		base_diags_add(
		        diags, BASE_SEV_ERROR, NULL, "Invalid resource state",
		        "The state has no JSON attributes (pre-0.12 flatmap states are not supported).");
		return BASE_EINVALID;
	}
	const cty_value *v = NULL;
	base_diags *tmp = base_diags_new(a);
	if (cty_json_decode(a, t, json, len, CTY_JSON_ALLOW_EXTRA, &v, tmp) != BASE_OK) {
		const base_diag *d = base_diags_first(tmp);
		base_diags_addf(diags, BASE_SEV_ERROR, d && d->has_path ? &d->path : NULL,
		                "Invalid resource state",
		                "The stored state cannot be read with the current schema: %s",
		                d ? (d->detail && *d->detail ? d->detail : d->summary) : "malformed JSON");
		return BASE_EINVALID;
	}
	*out = tf6_block_normalize(a, &s->block, v);
	return BASE_OK;
}
