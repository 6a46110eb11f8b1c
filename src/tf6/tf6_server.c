/*
 * tf6_server.c - the tfplugin6 Provider service on top of plugin_server
 * (see tf6_server.h). One function per RPC: unpack the request into the
 * call's arena, convert, dispatch, pack the response.
 */
#include "tf6/tf6_server.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "base/base_alloc.h"
#include "base/base_log.h"
#include "tf6/tf6_int.h"

struct tf6_server {
	const tf6_provider_ops *ops;
	void *ctx;

	pthread_mutex_t mu; /* guards the lazily built schema cache */
	bool loaded;
	int schema_rc;
	tf6_provider_schema sch;
	base_arena *load_arena; /* load_diags */
	base_diags *load_diags;
	uint8_t *schema_resp; /* packed GetProviderSchema.Response (heap) */
	size_t schema_resp_len;
};

int tf6_server_new(tf6_server **out, const tf6_provider_ops *ops, void *ctx)
{
	tf6_server *t = base_xcalloc(1, sizeof(*t));
	t->ops = ops;
	t->ctx = ctx;
	pthread_mutex_init(&t->mu, NULL);
	*out = t;
	return BASE_OK;
}

void tf6_server_free(tf6_server *t)
{
	if (!t)
		return;
	base_free(t->schema_resp);
	base_arena_free(t->load_arena);
	pthread_mutex_destroy(&t->mu);
	base_free(t);
}

/* ------------------------------------------------------------------ */
/* per-call plumbing                                                    */

struct rpc {
	tf6_server *t;
	base_arena *a;
	ProtobufCAllocator al;
	tf6_call call;
};

static void rpc_begin(struct rpc *r, tf6_server *t)
{
	r->t = t;
	r->a = base_arena_new();
	tf6__allocator_init(&r->al, r->a);
	r->call.arena = r->a;
	r->call.diags = base_diags_new(r->a);
	r->call.type_name = "";
}

/* Packs msg into out, frees the call's arena. Returns a gRPC status. */
static int rpc_end(struct rpc *r, const ProtobufCMessage *msg, base_buf *out)
{
	int status = PLUGIN_STATUS_OK;
	if (msg) {
		size_t n = protobuf_c_message_get_packed_size(msg);
		uint8_t *buf = base_arena_alloc(r->a, n + 1);
		size_t got = protobuf_c_message_pack(msg, buf);
		if (got != n || base_buf_append(out, buf, n) != BASE_OK)
			status = PLUGIN_STATUS_INTERNAL;
	}
	base_arena_free(r->a);
	r->a = NULL;
	return status;
}

static int rpc_bad_request(struct rpc *r, const char *method)
{
	BASE_ERROR("tf6", "%s: undecodable request", method);
	base_arena_free(r->a);
	r->a = NULL;
	return PLUGIN_STATUS_INVALID_ARGUMENT;
}

static void replay(const base_diags *from, base_diags *to)
{
	for (const base_diag *d = base_diags_first(from); d; d = d->next)
		base_diags_add(to, d->severity, d->has_path ? &d->path : NULL, d->summary, d->detail);
}

/* ------------------------------------------------------------------ */
/* schema cache                                                         */

static void build_schema_resp(tf6_server *t)
{
	base_arena *a = base_arena_new();
	Tfplugin6__GetProviderSchema__Response m = TFPLUGIN6__GET_PROVIDER_SCHEMA__RESPONSE__INIT;
	Tfplugin6__ServerCapabilities caps = TFPLUGIN6__SERVER_CAPABILITIES__INIT;
	caps.plan_destroy = true;
	caps.get_provider_schema_optional = true;
	m.server_capabilities = &caps;
	if (t->schema_rc == BASE_OK) {
		m.provider = tf6__encode_schema(a, t->sch.provider);
		m.n_resource_schemas = t->sch.n_resources;
		m.resource_schemas =
		        base_arena_calloc(a, t->sch.n_resources + 1, sizeof(*m.resource_schemas));
		for (size_t i = 0; i < t->sch.n_resources; i++) {
			Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry *e =
			        base_arena_calloc(a, 1, sizeof(*e));
			tfplugin6__get_provider_schema__response__resource_schemas_entry__init(e);
			e->key = (char *)t->sch.resources[i].type_name;
			e->value = tf6__encode_schema(a, t->sch.resources[i].schema);
			m.resource_schemas[i] = e;
		}
	} else {
		/* Terraform dereferences provider.block: always send one. */
		m.provider = tf6__encode_schema(a, NULL);
		m.diagnostics = tf6__encode_diags(a, t->load_diags, &m.n_diagnostics);
	}
	size_t n = protobuf_c_message_get_packed_size(&m.base);
	t->schema_resp = base_xmalloc(n + 1);
	t->schema_resp_len = protobuf_c_message_pack(&m.base, t->schema_resp);
	base_arena_free(a);
}

/* Loads the provider's schema once. Returns BASE_OK or the load error. */
static int ensure_schema(tf6_server *t)
{
	pthread_mutex_lock(&t->mu);
	if (!t->loaded) {
		t->load_arena = base_arena_new();
		t->load_diags = base_diags_new(t->load_arena);
		t->schema_rc = t->ops->schema(t->ctx, &t->sch, t->load_diags);
		if (t->schema_rc == BASE_OK && !t->sch.provider) {
			base_diags_add(
			        t->load_diags, BASE_SEV_ERROR, NULL, "Invalid provider schema",
			        "The provider returned no provider schema. This is a bug in the provider.");
			t->schema_rc = BASE_EINVALID;
		}
		build_schema_resp(t);
		t->loaded = true;
	}
	pthread_mutex_unlock(&t->mu);
	return t->schema_rc;
}

/* Schema ready? Otherwise its errors go to the call. */
static bool schema_ok(struct rpc *r)
{
	if (ensure_schema(r->t) == BASE_OK)
		return true;
	replay(r->t->load_diags, r->call.diags);
	return false;
}

static const tf6_resource *find_resource(struct rpc *r, const char *type_name)
{
	r->call.type_name = type_name ? base_arena_strdup(r->a, type_name) : "";
	for (size_t i = 0; i < r->t->sch.n_resources; i++)
		if (type_name && strcmp(r->t->sch.resources[i].type_name, type_name) == 0)
			return &r->t->sch.resources[i];
	base_diags_addf(r->call.diags, BASE_SEV_ERROR, NULL, "Unknown resource type",
	                "The lambdavpc provider has no resource type \"%s\".", type_name ? type_name : "");
	return NULL;
}

static tf6_bytes bytes_of(ProtobufCBinaryData b)
{
	return (tf6_bytes){b.data, b.len};
}

static ProtobufCBinaryData bin_of(tf6_bytes b)
{
	return (ProtobufCBinaryData){b.len, (uint8_t *)b.data};
}

/* ------------------------------------------------------------------ */
/* handlers                                                             */

static int h_get_provider_schema(void *ctx, const uint8_t *req, size_t len, base_buf *resp)
{
	tf6_server *t = ctx;
	(void)req;
	(void)len;
	(void)ensure_schema(t);
	return base_buf_append(resp, t->schema_resp, t->schema_resp_len) == BASE_OK ? PLUGIN_STATUS_OK
	                                                                            : PLUGIN_STATUS_INTERNAL;
}

static int h_get_metadata(void *ctx, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	rpc_begin(&r, ctx);
	(void)req;
	(void)len;
	Tfplugin6__GetMetadata__Response m = TFPLUGIN6__GET_METADATA__RESPONSE__INIT;
	Tfplugin6__ServerCapabilities caps = TFPLUGIN6__SERVER_CAPABILITIES__INIT;
	caps.plan_destroy = true;
	caps.get_provider_schema_optional = true;
	m.server_capabilities = &caps;
	if (schema_ok(&r)) {
		m.n_resources = r.t->sch.n_resources;
		m.resources = base_arena_calloc(r.a, m.n_resources + 1, sizeof(*m.resources));
		for (size_t i = 0; i < m.n_resources; i++) {
			Tfplugin6__GetMetadata__ResourceMetadata *rm = base_arena_calloc(r.a, 1, sizeof(*rm));
			tfplugin6__get_metadata__resource_metadata__init(rm);
			rm->type_name = (char *)r.t->sch.resources[i].type_name;
			m.resources[i] = rm;
		}
	}
	m.diagnostics = tf6__encode_diags(r.a, r.call.diags, &m.n_diagnostics);
	return rpc_end(&r, &m.base, out);
}

static int h_validate_provider_config(void *ctx, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	rpc_begin(&r, ctx);
	Tfplugin6__ValidateProviderConfig__Request *q = (void *)protobuf_c_message_unpack(
	        &tfplugin6__validate_provider_config__request__descriptor, &r.al, len, req);
	if (!q)
		return rpc_bad_request(&r, "ValidateProviderConfig");
	Tfplugin6__ValidateProviderConfig__Response m = TFPLUGIN6__VALIDATE_PROVIDER_CONFIG__RESPONSE__INIT;
	const cty_value *cfg;
	if (schema_ok(&r) &&
	    tf6__decode_dv(r.a, tf6_schema_type(r.t->sch.provider), q->config, &cfg, r.call.diags) ==
	            BASE_OK &&
	    r.t->ops->validate) {
		tf6_validate_req vr = {cfg};
		int rc = r.t->ops->validate(r.t->ctx, &r.call, &vr);
		if (rc != BASE_OK && !base_diags_has_error(r.call.diags))
			base_diags_add(
			        r.call.diags, BASE_SEV_ERROR, NULL, "Invalid provider configuration",
			        "Validation failed without further detail. This is a bug in the provider.");
	}
	m.diagnostics = tf6__encode_diags(r.a, r.call.diags, &m.n_diagnostics);
	return rpc_end(&r, &m.base, out);
}

static int h_configure_provider(void *ctx, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	rpc_begin(&r, ctx);
	Tfplugin6__ConfigureProvider__Request *q = (void *)protobuf_c_message_unpack(
	        &tfplugin6__configure_provider__request__descriptor, &r.al, len, req);
	if (!q)
		return rpc_bad_request(&r, "ConfigureProvider");
	Tfplugin6__ConfigureProvider__Response m = TFPLUGIN6__CONFIGURE_PROVIDER__RESPONSE__INIT;
	const cty_value *cfg;
	if (schema_ok(&r) &&
	    tf6__decode_dv(r.a, tf6_schema_type(r.t->sch.provider), q->config, &cfg, r.call.diags) ==
	            BASE_OK &&
	    r.t->ops->configure) {
		tf6_configure_req cr = {q->terraform_version ? q->terraform_version : "", cfg};
		int rc = r.t->ops->configure(r.t->ctx, &r.call, &cr);
		if (rc != BASE_OK && !base_diags_has_error(r.call.diags))
			base_diags_add(r.call.diags, BASE_SEV_ERROR, NULL, "Cannot configure the provider",
			               "Configuration failed without further detail. This is a bug in the "
			               "provider.");
	}
	m.diagnostics = tf6__encode_diags(r.a, r.call.diags, &m.n_diagnostics);
	return rpc_end(&r, &m.base, out);
}

static int h_validate_resource_config(void *ctx, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	rpc_begin(&r, ctx);
	Tfplugin6__ValidateResourceConfig__Request *q = (void *)protobuf_c_message_unpack(
	        &tfplugin6__validate_resource_config__request__descriptor, &r.al, len, req);
	if (!q)
		return rpc_bad_request(&r, "ValidateResourceConfig");
	Tfplugin6__ValidateResourceConfig__Response m = TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__RESPONSE__INIT;
	const tf6_resource *res;
	const cty_value *cfg;
	if (schema_ok(&r) && (res = find_resource(&r, q->type_name)) &&
	    tf6__decode_dv(r.a, tf6_schema_type(res->schema), q->config, &cfg, r.call.diags) == BASE_OK) {
		tf6_validate_req vr = {cfg};
		if (tf6__check_write_only(res, &r.call, cfg,
		                          q->client_capabilities &&
		                                  q->client_capabilities->write_only_attributes_allowed) ==
		    BASE_OK)
			(void)tf6__dispatch_validate(res, &r.call, &vr);
	}
	m.diagnostics = tf6__encode_diags(r.a, r.call.diags, &m.n_diagnostics);
	return rpc_end(&r, &m.base, out);
}

static int h_upgrade_resource_state(void *ctx, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	rpc_begin(&r, ctx);
	Tfplugin6__UpgradeResourceState__Request *q = (void *)protobuf_c_message_unpack(
	        &tfplugin6__upgrade_resource_state__request__descriptor, &r.al, len, req);
	if (!q)
		return rpc_bad_request(&r, "UpgradeResourceState");
	Tfplugin6__UpgradeResourceState__Response m = TFPLUGIN6__UPGRADE_RESOURCE_STATE__RESPONSE__INIT;
	const tf6_resource *res;
	if (schema_ok(&r) && (res = find_resource(&r, q->type_name))) {
		tf6_upgrade_req ur = {q->version, "", 0};
		if (q->raw_state && q->raw_state->json.len > 0) {
			ur.raw_json = base_arena_strndup(r.a, (const char *)q->raw_state->json.data,
			                                 q->raw_state->json.len);
			ur.raw_len = q->raw_state->json.len;
		}
		tf6_upgrade_resp up;
		if (tf6__dispatch_upgrade(res, &r.call, &ur, &up) == BASE_OK)
			(void)tf6__encode_dv(r.a, tf6_schema_type(res->schema), up.upgraded,
			                     &m.upgraded_state, r.call.diags);
	}
	m.diagnostics = tf6__encode_diags(r.a, r.call.diags, &m.n_diagnostics);
	return rpc_end(&r, &m.base, out);
}

static int h_read_resource(void *ctx, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	rpc_begin(&r, ctx);
	Tfplugin6__ReadResource__Request *q = (void *)protobuf_c_message_unpack(
	        &tfplugin6__read_resource__request__descriptor, &r.al, len, req);
	if (!q)
		return rpc_bad_request(&r, "ReadResource");
	Tfplugin6__ReadResource__Response m = TFPLUGIN6__READ_RESOURCE__RESPONSE__INIT;
	const tf6_resource *res;
	const cty_value *cur;
	if (schema_ok(&r) && (res = find_resource(&r, q->type_name)) &&
	    tf6__decode_dv(r.a, tf6_schema_type(res->schema), q->current_state, &cur, r.call.diags) ==
	            BASE_OK) {
		tf6_read_req rr = {cur, bytes_of(q->private_)};
		tf6_read_resp rs;
		(void)tf6__dispatch_read(res, &r.call, &rr, &rs);
		(void)tf6__encode_dv(r.a, tf6_schema_type(res->schema), rs.new_state, &m.new_state,
		                     r.call.diags);
		m.private_ = bin_of(rs.private_data);
	}
	m.diagnostics = tf6__encode_diags(r.a, r.call.diags, &m.n_diagnostics);
	return rpc_end(&r, &m.base, out);
}

static int h_plan_resource_change(void *ctx, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	rpc_begin(&r, ctx);
	Tfplugin6__PlanResourceChange__Request *q = (void *)protobuf_c_message_unpack(
	        &tfplugin6__plan_resource_change__request__descriptor, &r.al, len, req);
	if (!q)
		return rpc_bad_request(&r, "PlanResourceChange");
	Tfplugin6__PlanResourceChange__Response m = TFPLUGIN6__PLAN_RESOURCE_CHANGE__RESPONSE__INIT;
	const tf6_resource *res;
	const cty_value *prior, *proposed, *config;
	if (schema_ok(&r) && (res = find_resource(&r, q->type_name))) {
		const cty_type *t = tf6_schema_type(res->schema);
		if (tf6__decode_dv(r.a, t, q->prior_state, &prior, r.call.diags) == BASE_OK &&
		    tf6__decode_dv(r.a, t, q->proposed_new_state, &proposed, r.call.diags) == BASE_OK &&
		    tf6__decode_dv(r.a, t, q->config, &config, r.call.diags) == BASE_OK) {
			tf6_plan_req pr = {prior, proposed, config, bytes_of(q->prior_private)};
			tf6_plan_resp ps;
			(void)tf6__dispatch_plan(res, &r.call, &pr, &ps);
			(void)tf6__encode_dv(r.a, t, ps.planned, &m.planned_state, r.call.diags);
			m.planned_private = bin_of(ps.planned_private);
			m.n_requires_replace = ps.n_requires_replace;
			m.requires_replace = base_arena_calloc(r.a, ps.n_requires_replace + 1,
			                                       sizeof(*m.requires_replace));
			for (size_t i = 0; i < ps.n_requires_replace; i++)
				m.requires_replace[i] = tf6__encode_path(r.a, &ps.requires_replace[i]);
		}
	}
	m.diagnostics = tf6__encode_diags(r.a, r.call.diags, &m.n_diagnostics);
	return rpc_end(&r, &m.base, out);
}

static int h_apply_resource_change(void *ctx, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	rpc_begin(&r, ctx);
	Tfplugin6__ApplyResourceChange__Request *q = (void *)protobuf_c_message_unpack(
	        &tfplugin6__apply_resource_change__request__descriptor, &r.al, len, req);
	if (!q)
		return rpc_bad_request(&r, "ApplyResourceChange");
	Tfplugin6__ApplyResourceChange__Response m = TFPLUGIN6__APPLY_RESOURCE_CHANGE__RESPONSE__INIT;
	const tf6_resource *res;
	const cty_value *prior, *planned, *config;
	if (schema_ok(&r) && (res = find_resource(&r, q->type_name))) {
		const cty_type *t = tf6_schema_type(res->schema);
		if (tf6__decode_dv(r.a, t, q->prior_state, &prior, r.call.diags) == BASE_OK &&
		    tf6__decode_dv(r.a, t, q->planned_state, &planned, r.call.diags) == BASE_OK &&
		    tf6__decode_dv(r.a, t, q->config, &config, r.call.diags) == BASE_OK) {
			tf6_apply_req ar = {prior, planned, config, bytes_of(q->planned_private)};
			tf6_apply_resp as;
			(void)tf6__dispatch_apply(res, &r.call, &ar, &as);
			(void)tf6__encode_dv(r.a, t, as.new_state, &m.new_state, r.call.diags);
			m.private_ = bin_of(as.private_data);
		}
	}
	m.diagnostics = tf6__encode_diags(r.a, r.call.diags, &m.n_diagnostics);
	return rpc_end(&r, &m.base, out);
}

static int h_import_resource_state(void *ctx, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	rpc_begin(&r, ctx);
	Tfplugin6__ImportResourceState__Request *q = (void *)protobuf_c_message_unpack(
	        &tfplugin6__import_resource_state__request__descriptor, &r.al, len, req);
	if (!q)
		return rpc_bad_request(&r, "ImportResourceState");
	Tfplugin6__ImportResourceState__Response m = TFPLUGIN6__IMPORT_RESOURCE_STATE__RESPONSE__INIT;
	const tf6_resource *res;
	if (schema_ok(&r) && (res = find_resource(&r, q->type_name))) {
		tf6_import_req ir = {q->id ? q->id : ""};
		tf6_import_resp is;
		if (tf6__dispatch_import(res, &r.call, &ir, &is) == BASE_OK) {
			Tfplugin6__ImportResourceState__ImportedResource *ires =
			        base_arena_calloc(r.a, 1, sizeof(*ires));
			tfplugin6__import_resource_state__imported_resource__init(ires);
			ires->type_name = (char *)res->type_name;
			ires->private_ = bin_of(is.private_data);
			if (tf6__encode_dv(r.a, tf6_schema_type(res->schema), is.state, &ires->state,
			                   r.call.diags) == BASE_OK) {
				m.n_imported_resources = 1;
				m.imported_resources =
				        base_arena_calloc(r.a, 2, sizeof(*m.imported_resources));
				m.imported_resources[0] = ires;
			}
		}
	}
	m.diagnostics = tf6__encode_diags(r.a, r.call.diags, &m.n_diagnostics);
	return rpc_end(&r, &m.base, out);
}

static int h_stop_provider(void *ctx, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	rpc_begin(&r, ctx);
	(void)req;
	(void)len;
	Tfplugin6__StopProvider__Response m = TFPLUGIN6__STOP_PROVIDER__RESPONSE__INIT;
	if (r.t->ops->stop) {
		const char *err = r.t->ops->stop(r.t->ctx, &r.call);
		if (err)
			m.error = (char *)err;
	}
	return rpc_end(&r, &m.base, out);
}

/* ------------------------------------------------------------------ */

static const struct method {
	const char *name;
	plugin_unary_fn fn;
} METHODS[] = {
        {"GetMetadata", h_get_metadata},
        {"GetProviderSchema", h_get_provider_schema},
        {"ValidateProviderConfig", h_validate_provider_config},
        {"ValidateResourceConfig", h_validate_resource_config},
        {"UpgradeResourceState", h_upgrade_resource_state},
        {"ConfigureProvider", h_configure_provider},
        {"ReadResource", h_read_resource},
        {"PlanResourceChange", h_plan_resource_change},
        {"ApplyResourceChange", h_apply_resource_change},
        {"ImportResourceState", h_import_resource_state},
        {"StopProvider", h_stop_provider},
};

int tf6_server_register(tf6_server *t, plugin_server *s)
{
	for (size_t i = 0; i < sizeof(METHODS) / sizeof(METHODS[0]); i++) {
		char *path = base_xasprintf("/tfplugin6.Provider/%s", METHODS[i].name);
		int rc = plugin_server_register(s, path, METHODS[i].fn, t); /* copies path */
		base_free(path);
		if (rc != BASE_OK)
			return rc;
	}
	return BASE_OK;
}

int tf6_server_handle(tf6_server *t, const char *method, const uint8_t *req, size_t len, base_buf *resp)
{
	for (size_t i = 0; i < sizeof(METHODS) / sizeof(METHODS[0]); i++)
		if (strcmp(METHODS[i].name, method) == 0)
			return METHODS[i].fn(t, req, len, resp);
	return PLUGIN_STATUS_UNIMPLEMENTED;
}
