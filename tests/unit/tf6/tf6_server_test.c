/* tf6_server_test.c - whole RPCs through tf6_server_handle, responses
 * decoded with protobuf-c and checked field by field. */
#include <string.h>

#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_diag.h"
#include "cty/cty_json.h"
#include "cty/cty_msgpack.h"
#include "tf6/tf6_int.h"
#include "tf6/tf6_server.h"
#include "t.h"

/* ---- a small fake provider ------------------------------------------------ */

struct fp {
	base_arena *a;
	tf6_schema prov, res;
	tf6_resource r;
	int configured;
	bool fail_schema;
};

static int r_validate(void *ctx, tf6_call *call, const tf6_validate_req *req)
{
	(void)ctx;
	const cty_value *name = cty_value_get_attr(req->config, "name");
	if (cty_value_as_string(name) && strcmp(cty_value_as_string(name), "bad") == 0) {
		base_path p = base_path_key(
		        call->arena,
		        base_path_index(call->arena, base_path_attr(call->arena, base_path_root(), "rules"),
		                        1),
		        "k");
		base_diags_add(call->diags, BASE_SEV_ERROR, &p, "Bad name", "detail here");
		base_diags_add(call->diags, BASE_SEV_WARNING, NULL, "Just a warning", "");
		return BASE_EINVALID;
	}
	return BASE_OK;
}

static const tf6_resource_ops R_OPS = {.validate = r_validate};

static int p_schema(void *ctx, tf6_provider_schema *out, base_diags *diags)
{
	struct fp *f = ctx;
	if (f->fail_schema) {
		base_diags_add(diags, BASE_SEV_ERROR, NULL, "Invalid provider schema", "broken on purpose");
		return BASE_EINVALID;
	}
	out->provider = &f->prov;
	out->resources = &f->r;
	out->n_resources = 1;
	return BASE_OK;
}

static int p_configure(void *ctx, tf6_call *call, const tf6_configure_req *req)
{
	struct fp *f = ctx;
	(void)call;
	if (strcmp(req->terraform_version, "1.11.4") == 0 &&
	    cty_value_as_string(cty_value_get_attr(req->config, "region")))
		f->configured++;
	return BASE_OK;
}

static const char *p_stop(void *ctx, tf6_call *call)
{
	(void)ctx;
	return base_arena_strdup(call->arena, "stopping");
}

static const tf6_provider_ops P_OPS = {.schema = p_schema, .configure = p_configure, .stop = p_stop};

static bool fp_init(struct fp *f)
{
	memset(f, 0, sizeof(*f));
	f->a = base_arena_new();
	tf6_attribute *pa = base_arena_calloc(f->a, 1, sizeof(*pa));
	*pa = (tf6_attribute){
	        .name = "region", .type_json = "\"string\"", .optional = true, .description = "Region."};
	f->prov.block.attrs = pa;
	f->prov.block.n_attrs = 1;
	tf6_attribute *ra = base_arena_calloc(f->a, 3, sizeof(*ra));
	ra[0] = (tf6_attribute){
	        .name = "name", .type_json = "\"string\"", .required = true, .description = "Name."};
	ra[1] = (tf6_attribute){
	        .name = "id", .type_json = "\"string\"", .computed = true, .description = "ID."};
	ra[2] = (tf6_attribute){
	        .name = "secret", .type_json = "\"string\"", .optional = true, .sensitive = true};
	tf6_attribute *ba = base_arena_calloc(f->a, 1, sizeof(*ba));
	*ba = (tf6_attribute){.name = "create", .type_json = "\"string\"", .optional = true};
	tf6_nested_block *nb = base_arena_calloc(f->a, 1, sizeof(*nb));
	*nb = (tf6_nested_block){
	        .type_name = "timeouts", .nesting = TF6_NEST_SINGLE, .block = {.attrs = ba, .n_attrs = 1}};
	f->res = (tf6_schema){
	        .version = 3,
	        .block = {.attrs = ra, .n_attrs = 3, .blocks = nb, .n_blocks = 1, .description = "A thing."}};
	f->r = (tf6_resource){"fake_thing", &f->res, &R_OPS, f};
	base_diags *d = base_diags_new(f->a);
	return tf6_schema_finish(f->a, &f->prov, d) == BASE_OK &&
	       tf6_schema_finish(f->a, &f->res, d) == BASE_OK;
}

/* Calls method with a packed request message (NULL = empty). */
static int call(tf6_server *t, const char *method, const ProtobufCMessage *req, base_buf *out)
{
	uint8_t buf[4096];
	size_t n = 0;
	if (req) {
		n = protobuf_c_message_get_packed_size(req);
		if (n > sizeof(buf))
			return -1;
		protobuf_c_message_pack(req, buf);
	}
	base_buf_reset(out);
	return tf6_server_handle(t, method, n ? buf : NULL, n, out);
}

static void *unpack(const ProtobufCMessageDescriptor *d, base_arena *a, const base_buf *b)
{
	ProtobufCAllocator al;
	tf6__allocator_init(&al, a);
	return protobuf_c_message_unpack(d, &al, b->len, (const uint8_t *)b->data);
}

/* msgpack DynamicValue of a JSON object in type t. */
static Tfplugin6__DynamicValue *dv(base_arena *a, const cty_type *t, const char *json)
{
	const cty_value *v;
	if (cty_json_decode(a, t, json, strlen(json), 0, &v, NULL) != BASE_OK)
		return NULL;
	Tfplugin6__DynamicValue *out;
	if (tf6__encode_dv(a, t, v, &out, base_diags_new(a)) != BASE_OK)
		return NULL;
	return out;
}

/* A fake provider behind a server, and a response buffer. */
struct env {
	struct fp f;
	tf6_server *t;
	base_buf b;
};

/* Builds the fake (fail_schema set before the server exists) and the server:
 * -1 when the fake's schemas do not finish, else tf6_server_new's code. */
static int env_open(struct env *e, const tf6_provider_ops *ops, bool fail_schema)
{
	e->t = NULL;
	base_buf_init(&e->b, 0);
	if (!fp_init(&e->f))
		return -1;
	e->f.fail_schema = fail_schema;
	return tf6_server_new(&e->t, ops, &e->f);
}

static void env_close(struct env *e)
{
	base_buf_dispose(&e->b);
	tf6_server_free(e->t);
	base_arena_free(e->f.a);
}

/* One RPC: the decoded response, or NULL unless the status is OK and it unpacks. */
static void *rpc(struct env *e, const char *method, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *d)
{
	if (call(e->t, method, req, &e->b) != PLUGIN_STATUS_OK)
		return NULL;
	return unpack(d, e->f.a, &e->b);
}

/* ---- tests -------------------------------------------------------------- */

void test_tf6_tf6_server__get_provider_schema(void)
{
	struct env e;
	T_OK(env_open(&e, &P_OPS, false));
	Tfplugin6__GetProviderSchema__Response *m =
	        rpc(&e, "GetProviderSchema", NULL, &tfplugin6__get_provider_schema__response__descriptor);
	T_ASSERT(m);
	T_ASSERT(m->server_capabilities);
	T_ASSERT(m->server_capabilities->plan_destroy);
	T_ASSERT(m->server_capabilities->get_provider_schema_optional);
	T_ASSERT(!m->server_capabilities->move_resource_state);
	T_ASSERT_INT(m->n_diagnostics, 0);
	T_ASSERT(m->provider && m->provider->block);
	T_ASSERT_INT(m->provider->block->n_attributes, 1);
	T_ASSERT_STR(m->provider->block->attributes[0]->name, "region");
	T_ASSERT_MEM(m->provider->block->attributes[0]->type.data,
	             m->provider->block->attributes[0]->type.len, "\"string\"", 8);
	T_ASSERT(m->provider_meta == NULL);
	T_ASSERT_INT(m->n_resource_schemas, 1);
	T_ASSERT_STR(m->resource_schemas[0]->key, "fake_thing");
	Tfplugin6__Schema *rs = m->resource_schemas[0]->value;
	T_ASSERT_INT(rs->version, 3);
	T_ASSERT(rs->block);
	T_ASSERT_STR(rs->block->description, "A thing.");
	T_ASSERT_INT(rs->block->n_attributes, 3);
	T_ASSERT_STR(rs->block->attributes[0]->name, "id");
	T_ASSERT(rs->block->attributes[0]->computed && !rs->block->attributes[0]->optional);
	T_ASSERT_STR(rs->block->attributes[2]->name, "secret");
	T_ASSERT(rs->block->attributes[2]->sensitive);
	T_ASSERT_INT(rs->block->n_block_types, 1);
	T_ASSERT_STR(rs->block->block_types[0]->type_name, "timeouts");
	T_ASSERT_INT(rs->block->block_types[0]->nesting,
	             TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__SINGLE);
	T_ASSERT(rs->block->block_types[0]->block != NULL);
	/* cached: identical bytes */
	base_buf b2;
	base_buf_init(&b2, 0);
	T_ASSERT_INT(call(e.t, "GetProviderSchema", NULL, &b2), PLUGIN_STATUS_OK);
	T_ASSERT_MEM(e.b.data, e.b.len, b2.data, b2.len);
	base_buf_dispose(&b2);
	env_close(&e);
}

static const ProtobufCMessageDescriptor *const VALIDATE_RESP =
        &tfplugin6__validate_resource_config__response__descriptor;

void test_tf6_tf6_server__schema_failure_is_a_diagnostic(void)
{
	struct env e;
	T_OK(env_open(&e, &P_OPS, true));
	Tfplugin6__GetProviderSchema__Response *m =
	        rpc(&e, "GetProviderSchema", NULL, &tfplugin6__get_provider_schema__response__descriptor);
	T_ASSERT(m && m->provider && m->provider->block); /* never a nil block */
	T_ASSERT_INT(m->n_diagnostics, 1);
	T_ASSERT_STR(m->diagnostics[0]->detail, "broken on purpose");
	/* and every other RPC gets the same error */
	Tfplugin6__ValidateResourceConfig__Request q = TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
	q.type_name = "fake_thing";
	Tfplugin6__ValidateResourceConfig__Response *v = rpc(&e, "ValidateResourceConfig", &q.base, VALIDATE_RESP);
	T_ASSERT(v && v->n_diagnostics == 1);
	T_ASSERT_STR(v->diagnostics[0]->summary, "Invalid provider schema");
	env_close(&e);
}

void test_tf6_tf6_server__validate_resource_paths(void)
{
	struct env e;
	T_OK(env_open(&e, &P_OPS, false));
	Tfplugin6__ValidateResourceConfig__Request q = TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
	q.type_name = "fake_thing";
	q.config = dv(e.f.a, tf6_schema_type(&e.f.res), "{\"name\":\"bad\"}");
	T_ASSERT(q.config);
	Tfplugin6__ValidateResourceConfig__Response *m = rpc(&e, "ValidateResourceConfig", &q.base, VALIDATE_RESP);
	T_ASSERT(m);
	T_ASSERT_INT(m->n_diagnostics, 2);
	Tfplugin6__Diagnostic *d = m->diagnostics[0];
	T_ASSERT_INT(d->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
	T_ASSERT_STR(d->summary, "Bad name");
	T_ASSERT_STR(d->detail, "detail here");
	T_ASSERT(d->attribute);
	T_ASSERT_INT(d->attribute->n_steps, 3);
	T_ASSERT_INT(d->attribute->steps[0]->selector_case,
	             TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME);
	T_ASSERT_STR(d->attribute->steps[0]->attribute_name, "rules");
	T_ASSERT_INT(d->attribute->steps[1]->selector_case,
	             TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT);
	T_ASSERT_INT(d->attribute->steps[1]->element_key_int, 1);
	T_ASSERT_INT(d->attribute->steps[2]->selector_case,
	             TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING);
	T_ASSERT_STR(d->attribute->steps[2]->element_key_string, "k");
	T_ASSERT_INT(m->diagnostics[1]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING);
	T_ASSERT(m->diagnostics[1]->attribute == NULL);
	/* a good config, and an unknown type */
	q.config = dv(e.f.a, tf6_schema_type(&e.f.res), "{\"name\":\"good\"}");
	m = rpc(&e, "ValidateResourceConfig", &q.base, VALIDATE_RESP);
	T_ASSERT(m && m->n_diagnostics == 0);
	q.type_name = "fake_other";
	m = rpc(&e, "ValidateResourceConfig", &q.base, VALIDATE_RESP);
	T_ASSERT(m && m->n_diagnostics == 1);
	T_ASSERT_STR(m->diagnostics[0]->summary, "Unknown resource type");
	/* msgpack that does not match the schema: a diagnostic, not a crash */
	Tfplugin6__DynamicValue bad = TFPLUGIN6__DYNAMIC_VALUE__INIT;
	bad.msgpack.data = (uint8_t *)"\x81\xa3zzz\xc0";
	bad.msgpack.len = 6;
	q.type_name = "fake_thing";
	q.config = &bad;
	m = rpc(&e, "ValidateResourceConfig", &q.base, VALIDATE_RESP);
	T_ASSERT(m && m->n_diagnostics == 1);
	env_close(&e);
}

void test_tf6_tf6_server__plan_not_implemented(void)
{
	struct env e;
	T_OK(env_open(&e, &P_OPS, false));
	const cty_type *ty = tf6_schema_type(&e.f.res);
	Tfplugin6__PlanResourceChange__Request q = TFPLUGIN6__PLAN_RESOURCE_CHANGE__REQUEST__INIT;
	q.type_name = "fake_thing";
	q.proposed_new_state = dv(e.f.a, ty, "{\"name\":\"x\"}");
	q.config = q.proposed_new_state;
	Tfplugin6__PlanResourceChange__Response *m =
	        rpc(&e, "PlanResourceChange", &q.base, &tfplugin6__plan_resource_change__response__descriptor);
	T_ASSERT(m && m->n_diagnostics == 1);
	T_ASSERT_STR(m->diagnostics[0]->summary, "Not implemented yet");
	T_ASSERT(m->planned_state == NULL);
	/* destroy plan: answered null (an empty msgpack nil) without the handler */
	q.prior_state = q.proposed_new_state;
	q.proposed_new_state = NULL;
	q.config = NULL;
	m = rpc(&e, "PlanResourceChange", &q.base, &tfplugin6__plan_resource_change__response__descriptor);
	T_ASSERT(m && m->n_diagnostics == 0);
	T_ASSERT(m->planned_state);
	T_ASSERT_MEM(m->planned_state->msgpack.data, m->planned_state->msgpack.len, "\xc0", 1);
	/* apply / read / import: diagnostics too */
	Tfplugin6__ApplyResourceChange__Request aq = TFPLUGIN6__APPLY_RESOURCE_CHANGE__REQUEST__INIT;
	aq.type_name = "fake_thing";
	aq.planned_state = dv(e.f.a, ty, "{\"name\":\"x\"}");
	Tfplugin6__ApplyResourceChange__Response *am =
	        rpc(&e, "ApplyResourceChange", &aq.base, &tfplugin6__apply_resource_change__response__descriptor);
	T_ASSERT(am && am->n_diagnostics == 1 && am->new_state == NULL);
	Tfplugin6__ImportResourceState__Request iq = TFPLUGIN6__IMPORT_RESOURCE_STATE__REQUEST__INIT;
	iq.type_name = "fake_thing";
	iq.id = "x";
	Tfplugin6__ImportResourceState__Response *im =
	        rpc(&e, "ImportResourceState", &iq.base, &tfplugin6__import_resource_state__response__descriptor);
	T_ASSERT(im && im->n_diagnostics == 1 && im->n_imported_resources == 0);
	env_close(&e);
}

void test_tf6_tf6_server__upgrade_configure_stop(void)
{
	struct env e;
	T_OK(env_open(&e, &P_OPS, false));
	Tfplugin6__UpgradeResourceState__Request q = TFPLUGIN6__UPGRADE_RESOURCE_STATE__REQUEST__INIT;
	Tfplugin6__RawState raw = TFPLUGIN6__RAW_STATE__INIT;
	const char *json = "{\"id\":\"i-1\",\"name\":\"n\",\"old\":true}";
	raw.json.data = (uint8_t *)json;
	raw.json.len = strlen(json);
	q.type_name = "fake_thing";
	q.version = 3;
	q.raw_state = &raw;
	Tfplugin6__UpgradeResourceState__Response *m =
	        rpc(&e, "UpgradeResourceState", &q.base, &tfplugin6__upgrade_resource_state__response__descriptor);
	T_ASSERT(m && m->n_diagnostics == 0 && m->upgraded_state);
	const cty_value *v;
	T_OK(cty_msgpack_decode(e.f.a, tf6_schema_type(&e.f.res), m->upgraded_state->msgpack.data,
	                        m->upgraded_state->msgpack.len, &v, NULL));
	base_buf j;
	base_buf_init(&j, 0);
	T_OK(cty_json_encode(v, &j));
	T_ASSERT_STR(base_buf_cstr(&j), "{\"id\":\"i-1\",\"name\":\"n\",\"secret\":null,\"timeouts\":null}");
	base_buf_dispose(&j);

	Tfplugin6__ConfigureProvider__Request cq = TFPLUGIN6__CONFIGURE_PROVIDER__REQUEST__INIT;
	cq.terraform_version = "1.11.4";
	cq.config = dv(e.f.a, tf6_schema_type(&e.f.prov), "{\"region\":\"us-east-2\"}");
	T_ASSERT_INT(call(e.t, "ConfigureProvider", &cq.base, &e.b), PLUGIN_STATUS_OK);
	T_ASSERT_INT(e.f.configured, 1);

	Tfplugin6__StopProvider__Response *sm =
	        rpc(&e, "StopProvider", NULL, &tfplugin6__stop_provider__response__descriptor);
	T_ASSERT(sm);
	T_ASSERT_STR(sm->error, "stopping");

	/* unregistered and undecodable */
	T_ASSERT_INT(call(e.t, "GetResourceIdentitySchemas", NULL, &e.b), PLUGIN_STATUS_UNIMPLEMENTED);
	T_ASSERT_INT(call(e.t, "ReadDataSource", NULL, &e.b), PLUGIN_STATUS_UNIMPLEMENTED);
	base_buf_reset(&e.b);
	T_ASSERT_INT(tf6_server_handle(e.t, "ValidateResourceConfig", (const uint8_t *)"\xff\xff\xff", 3, &e.b),
	             PLUGIN_STATUS_INVALID_ARGUMENT);
	env_close(&e);
}

/* ---- concurrency: the schema is loaded once, whoever asks first ---------- */

#include <pthread.h>
#include <stdatomic.h>

static atomic_int schema_calls;

static int p_schema_counting(void *ctx, tf6_provider_schema *out, base_diags *diags)
{
	atomic_fetch_add(&schema_calls, 1);
	return p_schema(ctx, out, diags);
}

static const tf6_provider_ops P_OPS_COUNTING = {.schema = p_schema_counting};

struct thr {
	tf6_server *t;
	const char *method;
	size_t len;
	int status;
};

static void *thr_main(void *arg)
{
	struct thr *th = arg;
	base_buf b;
	base_buf_init(&b, 0);
	th->status = tf6_server_handle(th->t, th->method, NULL, 0, &b);
	th->len = b.len;
	base_buf_dispose(&b);
	return NULL;
}

void test_tf6_tf6_server__schema_loaded_once_concurrently(void)
{
	struct env e;
	T_OK(env_open(&e, &P_OPS_COUNTING, false));
	tf6_server *t = e.t;
	atomic_store(&schema_calls, 0);
	enum { N = 8 };
	pthread_t tid[N];
	struct thr th[N];
	for (int i = 0; i < N; i++) {
		th[i] = (struct thr){t, i % 2 ? "GetProviderSchema" : "GetMetadata", 0, -1};
		T_ASSERT(pthread_create(&tid[i], NULL, thr_main, &th[i]) == 0);
	}
	for (int i = 0; i < N; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < N; i++) {
		T_ASSERT_INT(th[i].status, PLUGIN_STATUS_OK);
		T_ASSERT(th[i].len > 0);
	}
	T_ASSERT_INT(atomic_load(&schema_calls), 1);
	env_close(&e);
}
