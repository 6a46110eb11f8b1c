/*
 * tf6_server.c - the tfplugin6 Provider service on top of plugin_server
 * (see tf6_server.h). Every RPC takes one path (serve): unpack the request
 * into the call's arena, check the schema and resource type, decode the
 * request's DynamicValues, run the method's body (dispatch to the provider,
 * fill the response), encode the diagnostics, pack the response. A method
 * is one METHODS row plus its body function.
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
	struct tf6_binding *bind; /* one per METHODS row: the registered handlers' ctx */
};

struct tf6_binding;
static void bind_methods(tf6_server *t);

int tf6_server_new(tf6_server **out, const tf6_provider_ops *ops, void *ctx)
{
	tf6_server *t = base_xcalloc(1, sizeof(*t));
	t->ops = ops;
	t->ctx = ctx;
	pthread_mutex_init(&t->mu, NULL);
	bind_methods(t);
	*out = t;
	return BASE_OK;
}

void tf6_server_free(tf6_server *t)
{
	if (!t)
		return;
	base_free(t->schema_resp);
	base_free(t->bind);
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

/* The capabilities both GetMetadata and GetProviderSchema announce. */
static Tfplugin6__ServerCapabilities *server_caps(base_arena *a)
{
	Tfplugin6__ServerCapabilities *caps = base_arena_calloc(a, 1, sizeof(*caps));
	tfplugin6__server_capabilities__init(caps);
	caps->plan_destroy = true;
	caps->get_provider_schema_optional = true;
	return caps;
}

static void build_schema_resp(tf6_server *t)
{
	base_arena *a = base_arena_new();
	Tfplugin6__GetProviderSchema__Response m = TFPLUGIN6__GET_PROVIDER_SCHEMA__RESPONSE__INIT;
	m.server_capabilities = server_caps(a);
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

/* ---- method bodies: what is left once the common path (unpack ->
 * check schema and resource -> decode the DynamicValues) has run; each
 * dispatches to the provider and fills its response message m. ---- */

typedef void (*body_fn)(struct rpc *r, const tf6_resource *res, const void *q, const cty_value *const *dv,
                        void *m);

static void b_get_metadata(struct rpc *r, const tf6_resource *res, const void *q, const cty_value *const *dv,
                           void *mv)
{
	Tfplugin6__GetMetadata__Response *m = mv;
	(void)res, (void)q, (void)dv;
	m->n_resources = r->t->sch.n_resources;
	m->resources = base_arena_calloc(r->a, m->n_resources + 1, sizeof(*m->resources));
	for (size_t i = 0; i < m->n_resources; i++) {
		Tfplugin6__GetMetadata__ResourceMetadata *rm = base_arena_calloc(r->a, 1, sizeof(*rm));
		tfplugin6__get_metadata__resource_metadata__init(rm);
		rm->type_name = (char *)r->t->sch.resources[i].type_name;
		m->resources[i] = rm;
	}
}

static void b_validate_provider_config(struct rpc *r, const tf6_resource *res, const void *q,
                                       const cty_value *const *dv, void *m)
{
	(void)res, (void)q, (void)m;
	if (!r->t->ops->validate)
		return;
	tf6_validate_req vr = {dv[0]};
	if (r->t->ops->validate(r->t->ctx, &r->call, &vr) != BASE_OK && !base_diags_has_error(r->call.diags))
		base_diags_add(r->call.diags, BASE_SEV_ERROR, NULL, "Invalid provider configuration",
		               "Validation failed without further detail. This is a bug in the provider.");
}

static void b_configure_provider(struct rpc *r, const tf6_resource *res, const void *qv,
                                 const cty_value *const *dv, void *m)
{
	const Tfplugin6__ConfigureProvider__Request *q = qv;
	(void)res, (void)m;
	if (!r->t->ops->configure)
		return;
	tf6_configure_req cr = {q->terraform_version ? q->terraform_version : "", dv[0]};
	if (r->t->ops->configure(r->t->ctx, &r->call, &cr) != BASE_OK && !base_diags_has_error(r->call.diags))
		base_diags_add(r->call.diags, BASE_SEV_ERROR, NULL, "Cannot configure the provider",
		               "Configuration failed without further detail. This is a bug in the provider.");
}

static void b_validate_resource_config(struct rpc *r, const tf6_resource *res, const void *qv,
                                       const cty_value *const *dv, void *m)
{
	const Tfplugin6__ValidateResourceConfig__Request *q = qv;
	(void)m;
	tf6_validate_req vr = {dv[0]};
	bool wo = q->client_capabilities && q->client_capabilities->write_only_attributes_allowed;
	if (tf6__check_write_only(res, &r->call, dv[0], wo) == BASE_OK)
		(void)tf6__dispatch_validate(res, &r->call, &vr);
}

static void b_upgrade_resource_state(struct rpc *r, const tf6_resource *res, const void *qv,
                                     const cty_value *const *dv, void *mv)
{
	const Tfplugin6__UpgradeResourceState__Request *q = qv;
	Tfplugin6__UpgradeResourceState__Response *m = mv;
	(void)dv;
	tf6_upgrade_req ur = {q->version, "", 0};
	if (q->raw_state && q->raw_state->json.len > 0) {
		ur.raw_json = base_arena_strndup(r->a, (const char *)q->raw_state->json.data,
		                                 q->raw_state->json.len);
		ur.raw_len = q->raw_state->json.len;
	}
	tf6_upgrade_resp up;
	if (tf6__dispatch_upgrade(res, &r->call, &ur, &up) == BASE_OK)
		(void)tf6__encode_dv(r->a, tf6_schema_type(res->schema), up.upgraded, &m->upgraded_state,
		                     r->call.diags);
}

static void b_read_resource(struct rpc *r, const tf6_resource *res, const void *qv,
                            const cty_value *const *dv, void *mv)
{
	const Tfplugin6__ReadResource__Request *q = qv;
	Tfplugin6__ReadResource__Response *m = mv;
	tf6_read_req rr = {dv[0], bytes_of(q->private_)};
	tf6_read_resp rs;
	(void)tf6__dispatch_read(res, &r->call, &rr, &rs);
	(void)tf6__encode_dv(r->a, tf6_schema_type(res->schema), rs.new_state, &m->new_state, r->call.diags);
	m->private_ = bin_of(rs.private_data);
}

static void b_plan_resource_change(struct rpc *r, const tf6_resource *res, const void *qv,
                                   const cty_value *const *dv, void *mv)
{
	const Tfplugin6__PlanResourceChange__Request *q = qv;
	Tfplugin6__PlanResourceChange__Response *m = mv;
	tf6_plan_req pr = {dv[0], dv[1], dv[2], bytes_of(q->prior_private)};
	tf6_plan_resp ps;
	(void)tf6__dispatch_plan(res, &r->call, &pr, &ps);
	(void)tf6__encode_dv(r->a, tf6_schema_type(res->schema), ps.planned, &m->planned_state,
	                     r->call.diags);
	m->planned_private = bin_of(ps.planned_private);
	m->n_requires_replace = ps.n_requires_replace;
	m->requires_replace =
	        base_arena_calloc(r->a, ps.n_requires_replace + 1, sizeof(*m->requires_replace));
	for (size_t i = 0; i < ps.n_requires_replace; i++)
		m->requires_replace[i] = tf6__encode_path(r->a, &ps.requires_replace[i]);
}

static void b_apply_resource_change(struct rpc *r, const tf6_resource *res, const void *qv,
                                    const cty_value *const *dv, void *mv)
{
	const Tfplugin6__ApplyResourceChange__Request *q = qv;
	Tfplugin6__ApplyResourceChange__Response *m = mv;
	tf6_apply_req ar = {dv[0], dv[1], dv[2], bytes_of(q->planned_private)};
	tf6_apply_resp as;
	(void)tf6__dispatch_apply(res, &r->call, &ar, &as);
	(void)tf6__encode_dv(r->a, tf6_schema_type(res->schema), as.new_state, &m->new_state, r->call.diags);
	m->private_ = bin_of(as.private_data);
}

static void b_import_resource_state(struct rpc *r, const tf6_resource *res, const void *qv,
                                    const cty_value *const *dv, void *mv)
{
	const Tfplugin6__ImportResourceState__Request *q = qv;
	Tfplugin6__ImportResourceState__Response *m = mv;
	(void)dv;
	tf6_import_req ir = {q->id ? q->id : ""};
	tf6_import_resp is;
	if (tf6__dispatch_import(res, &r->call, &ir, &is) != BASE_OK)
		return;
	Tfplugin6__ImportResourceState__ImportedResource *ires = base_arena_calloc(r->a, 1, sizeof(*ires));
	tfplugin6__import_resource_state__imported_resource__init(ires);
	ires->type_name = (char *)res->type_name;
	ires->private_ = bin_of(is.private_data);
	if (tf6__encode_dv(r->a, tf6_schema_type(res->schema), is.state, &ires->state, r->call.diags) ==
	    BASE_OK) {
		m->n_imported_resources = 1;
		m->imported_resources = base_arena_calloc(r->a, 2, sizeof(*m->imported_resources));
		m->imported_resources[0] = ires;
	}
}

static void b_stop_provider(struct rpc *r, const tf6_resource *res, const void *q, const cty_value *const *dv,
                            void *mv)
{
	Tfplugin6__StopProvider__Response *m = mv;
	(void)res, (void)q, (void)dv;
	if (r->t->ops->stop) {
		const char *err = r->t->ops->stop(r->t->ctx, &r->call);
		if (err)
			m->error = (char *)err;
	}
}

/* ---- the common path ---- */

enum { NO_CHECK, NEED_SCHEMA, NEED_RESOURCE };

static const struct method {
	const char *name;
	const ProtobufCMessageDescriptor *req; /* NULL: the request is not read */
	const ProtobufCMessageDescriptor *resp;
	int check;         /* NO_CHECK / NEED_SCHEMA / NEED_RESOURCE (field type_name) */
	const char *dv[3]; /* DynamicValue request fields decoded into the body's dv[] */
	body_fn body;
} METHODS[] = {
        {"GetMetadata",
         NULL,
         &tfplugin6__get_metadata__response__descriptor,
         NEED_SCHEMA,
         {0},
         b_get_metadata},
        {"GetProviderSchema", NULL, NULL, NO_CHECK, {0}, NULL}, /* cached bytes */
        {"ValidateProviderConfig",
         &tfplugin6__validate_provider_config__request__descriptor,
         &tfplugin6__validate_provider_config__response__descriptor,
         NEED_SCHEMA,
         {"config"},
         b_validate_provider_config},
        {"ValidateResourceConfig",
         &tfplugin6__validate_resource_config__request__descriptor,
         &tfplugin6__validate_resource_config__response__descriptor,
         NEED_RESOURCE,
         {"config"},
         b_validate_resource_config},
        {"UpgradeResourceState",
         &tfplugin6__upgrade_resource_state__request__descriptor,
         &tfplugin6__upgrade_resource_state__response__descriptor,
         NEED_RESOURCE,
         {0},
         b_upgrade_resource_state},
        {"ConfigureProvider",
         &tfplugin6__configure_provider__request__descriptor,
         &tfplugin6__configure_provider__response__descriptor,
         NEED_SCHEMA,
         {"config"},
         b_configure_provider},
        {"ReadResource",
         &tfplugin6__read_resource__request__descriptor,
         &tfplugin6__read_resource__response__descriptor,
         NEED_RESOURCE,
         {"current_state"},
         b_read_resource},
        {"PlanResourceChange",
         &tfplugin6__plan_resource_change__request__descriptor,
         &tfplugin6__plan_resource_change__response__descriptor,
         NEED_RESOURCE,
         {"prior_state", "proposed_new_state", "config"},
         b_plan_resource_change},
        {"ApplyResourceChange",
         &tfplugin6__apply_resource_change__request__descriptor,
         &tfplugin6__apply_resource_change__response__descriptor,
         NEED_RESOURCE,
         {"prior_state", "planned_state", "config"},
         b_apply_resource_change},
        {"ImportResourceState",
         &tfplugin6__import_resource_state__request__descriptor,
         &tfplugin6__import_resource_state__response__descriptor,
         NEED_RESOURCE,
         {0},
         b_import_resource_state},
        {"StopProvider",
         NULL,
         &tfplugin6__stop_provider__response__descriptor,
         NO_CHECK,
         {0},
         b_stop_provider},
};
#define N_METHODS (sizeof(METHODS) / sizeof(METHODS[0]))

/* The address of message field `name` (a generated struct member). */
static void *field_at(const ProtobufCMessage *msg, const char *name, const ProtobufCFieldDescriptor **fd)
{
	*fd = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
	return *fd ? (char *)msg + (*fd)->offset : NULL;
}

/* Schema loaded, and (for resource calls) the request's type_name known. */
static bool check(struct rpc *r, const struct method *mt, const ProtobufCMessage *q, const tf6_resource **res)
{
	const ProtobufCFieldDescriptor *fd;
	if (mt->check == NO_CHECK)
		return true;
	if (!schema_ok(r))
		return false;
	if (mt->check == NEED_SCHEMA)
		return true;
	char **type_name = field_at(q, "type_name", &fd);
	*res = find_resource(r, type_name ? *type_name : NULL);
	return *res != NULL;
}

/* The request's DynamicValues, typed by the resource's (or the provider's) schema. */
static bool decode(struct rpc *r, const struct method *mt, const ProtobufCMessage *q, const tf6_resource *res,
                   const cty_value **dv)
{
	const ProtobufCFieldDescriptor *fd;
	const cty_type *t = tf6_schema_type(res ? res->schema : r->t->sch.provider);
	for (size_t i = 0; i < 3 && mt->dv[i]; i++) {
		Tfplugin6__DynamicValue **v = field_at(q, mt->dv[i], &fd);
		if (!v || tf6__decode_dv(r->a, t, *v, &dv[i], r->call.diags) != BASE_OK)
			return false;
	}
	return true;
}

/* unpack -> check -> decode -> body (dispatch) -> diagnostics -> encode */
static int serve(const struct method *mt, tf6_server *t, const uint8_t *req, size_t len, base_buf *out)
{
	struct rpc r;
	const ProtobufCFieldDescriptor *fd;
	rpc_begin(&r, t);
	ProtobufCMessage *q = NULL;
	if (mt->req && !(q = protobuf_c_message_unpack(mt->req, &r.al, len, req)))
		return rpc_bad_request(&r, mt->name);
	ProtobufCMessage *m = base_arena_alloc(r.a, mt->resp->sizeof_message);
	protobuf_c_message_init(mt->resp, m);
	if (mt->resp == &tfplugin6__get_metadata__response__descriptor)
		((Tfplugin6__GetMetadata__Response *)m)->server_capabilities = server_caps(r.a);
	const tf6_resource *res = NULL;
	const cty_value *dv[3] = {NULL, NULL, NULL};
	if (check(&r, mt, q, &res) && decode(&r, mt, q, res, dv))
		mt->body(&r, res, q, dv, m);
	Tfplugin6__Diagnostic ***diags = field_at(m, "diagnostics", &fd);
	if (diags)
		*diags = tf6__encode_diags(r.a, r.call.diags, (size_t *)((char *)m + fd->quantifier_offset));
	return rpc_end(&r, m, out);
}

/* Registered handlers: ctx is the server's binding of one METHODS row. */
struct tf6_binding {
	tf6_server *t;
	const struct method *mt;
};

static int h_method(void *ctx, const uint8_t *req, size_t len, base_buf *resp)
{
	const struct tf6_binding *b = ctx;
	if (!b->mt->body)
		return h_get_provider_schema(b->t, req, len, resp);
	return serve(b->mt, b->t, req, len, resp);
}

static void bind_methods(tf6_server *t)
{
	t->bind = base_xcalloc(N_METHODS, sizeof(*t->bind));
	for (size_t i = 0; i < N_METHODS; i++)
		t->bind[i] = (struct tf6_binding){t, &METHODS[i]};
}

/* ------------------------------------------------------------------ */

int tf6_server_register(tf6_server *t, plugin_server *s)
{
	for (size_t i = 0; i < N_METHODS; i++) {
		char *path = base_xasprintf("/tfplugin6.Provider/%s", METHODS[i].name);
		int rc = plugin_server_register(s, path, h_method, &t->bind[i]); /* copies path */
		base_free(path);
		if (rc != BASE_OK)
			return rc;
	}
	return BASE_OK;
}

int tf6_server_handle(tf6_server *t, const char *method, const uint8_t *req, size_t len, base_buf *resp)
{
	for (size_t i = 0; i < N_METHODS; i++)
		if (strcmp(METHODS[i].name, method) == 0)
			return h_method(&t->bind[i], req, len, resp);
	return PLUGIN_STATUS_UNIMPLEMENTED;
}
