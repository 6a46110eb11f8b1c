/*
 * prov.c - tf6_provider_ops for the lambdavpc provider (see prov.h).
 */
#include "prov/prov.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "aws/aws_crypto.h"
#include "base/base_alloc.h"
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_handover.h"
#include "base/base_log.h"
#include "cty/cty_msgpack.h"
#include "prov/prov_config.h"
#include "prov/prov_schema.h"
#include "prov/prov_validate.h"

struct prov {
	prov_resource_def *defs;
	size_t n_defs;

	pthread_mutex_t mu; /* guards loading and configuring */
	bool loaded;
	int load_rc;
	base_arena *schema_arena; /* schemas + their load diagnostics */
	base_diags *load_diags;
	tf6_schema *provider_schema;
	tf6_schema **resource_schemas; /* parallel to defs */
	tf6_resource *resources;

	base_arena *conf_arena; /* configured state (tags) */
	_Atomic(aws_client *) client;
	atomic_bool deferred;
	atomic_bool configured;
	prov_tags tags;          /* written once before `configured` is set */
	prov_ignore_tags ignore; /* idem */
	base_handover *handover; /* idem; NULL when marks are off */
	char config_digest[2 * AWS_SHA256_LEN + 1]; /* idem: of the provider block's value */
};

/* Marks are named per provider process tree; turned off by this variable. */
#define HANDOVER_APP "terraform-provider-lambdavpc"
#define HANDOVER_OFF_ENV "LAMBDAVPC_NO_HANDOVER"

/* ------------------------------------------------------------------ */

int prov_new(prov **out, const prov_resource_def *defs, size_t n)
{
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *j;
		size_t l;
		if (!defs[i].type_name || !defs[i].ops || !prov_schema_embedded(defs[i].type_name, &j, &l))
			return BASE_EINVALID;
	}
	prov *p = base_xcalloc(1, sizeof(*p));
	p->defs = base_xcalloc(n + 1, sizeof(*p->defs));
	if (n)
		memcpy(p->defs, defs, n * sizeof(*defs));
	p->n_defs = n;
	pthread_mutex_init(&p->mu, NULL);
	atomic_init(&p->client, NULL);
	atomic_init(&p->deferred, false);
	atomic_init(&p->configured, false);
	*out = p;
	return BASE_OK;
}

void prov_free(prov *p)
{
	if (!p)
		return;
	aws_client_free(atomic_load(&p->client));
	base_handover_close(p->handover);
	base_arena_free(p->conf_arena);
	base_arena_free(p->schema_arena);
	pthread_mutex_destroy(&p->mu);
	base_free(p->defs);
	base_free(p);
}

/* ------------------------------------------------------------------ */
/* schemas                                                              */

static int load_locked(prov *p)
{
	base_arena *a = base_arena_new();
	p->schema_arena = a;
	p->load_diags = base_diags_new(a);
	int rc = BASE_OK;
	const char *json;
	size_t len;
	if (!prov_schema_embedded("provider", &json, &len) ||
	    prov_schema_parse(a, "schemas/provider.json", json, len, &p->provider_schema, p->load_diags) !=
	            BASE_OK)
		rc = BASE_EINVALID;
	p->resource_schemas = base_arena_calloc(a, p->n_defs + 1, sizeof(*p->resource_schemas));
	p->resources = base_arena_calloc(a, p->n_defs + 1, sizeof(*p->resources));
	for (size_t i = 0; i < p->n_defs; i++) {
		const char *file = base_arena_sprintf(a, "schemas/%s.json", p->defs[i].type_name);
		if (!prov_schema_embedded(p->defs[i].type_name, &json, &len) ||
		    prov_schema_parse(a, file, json, len, &p->resource_schemas[i], p->load_diags) !=
		            BASE_OK) {
			rc = BASE_EINVALID;
			continue;
		}
		p->resources[i].type_name = p->defs[i].type_name;
		p->resources[i].schema = p->resource_schemas[i];
		p->resources[i].ops = p->defs[i].ops;
		p->resources[i].ctx = p;
	}
	if (rc != BASE_OK)
		BASE_ERROR("prov", "the embedded schemas are invalid (this is a bug in the provider)");
	return rc;
}

static void replay(const base_diags *from, base_diags *to)
{
	for (const base_diag *d = base_diags_first(from); d; d = d->next)
		base_diags_add(to, d->severity, d->has_path ? &d->path : NULL, d->summary, d->detail);
}

int prov_schemas(prov *p, tf6_provider_schema *out, base_diags *diags)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&p->mu);
	if (!p->loaded) {
		p->load_rc = load_locked(p);
		p->loaded = true;
	}
	pthread_mutex_unlock(&p->mu);
	if (p->load_rc != BASE_OK) {
		if (diags)
			replay(p->load_diags, diags);
		return p->load_rc;
	}
	out->provider = p->provider_schema;
	out->resources = p->resources;
	out->n_resources = p->n_defs;
	return BASE_OK;
}

const tf6_schema *prov_schema_of(prov *p, const char *type_name)
{
	tf6_provider_schema s;
	if (prov_schemas(p, &s, NULL) != BASE_OK)
		return NULL;
	if (strcmp(type_name, "provider") == 0)
		return s.provider;
	for (size_t i = 0; i < s.n_resources; i++)
		if (strcmp(s.resources[i].type_name, type_name) == 0)
			return s.resources[i].schema;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* configured state                                                     */

aws_client *prov_client(const prov *p)
{
	return atomic_load(&((prov *)p)->client);
}

bool prov_config_deferred(const prov *p)
{
	return atomic_load(&((prov *)p)->deferred);
}

prov_tags prov_default_tags(const prov *p)
{
	prov_tags none = {NULL, NULL, 0};
	if (!atomic_load(&((prov *)p)->configured))
		return none;
	return p->tags;
}

prov_ignore_tags prov_ignored_tags(const prov *p)
{
	prov_ignore_tags none = {NULL, 0, NULL, 0};
	if (!atomic_load(&((prov *)p)->configured))
		return none;
	return p->ignore;
}

/* The mark's name: kind, the provider block's digest and key, hashed. */
static void handover_name(const prov *p, const char *kind, const void *key, size_t len,
                          char name[2 * AWS_SHA256_LEN + 1])
{
	base_buf b;
	base_buf_init(&b, 0);
	if (base_buf_printf(&b, "%s\n%s\n", kind, p->config_digest) != BASE_OK ||
	    (len && base_buf_append(&b, key, len) != BASE_OK))
		name[0] = '\0'; /* an invalid name: never found, never marked */
	else
		aws_crypto_sha256_hex(b.data, b.len, name);
	base_buf_dispose(&b);
}

bool prov_handover_has(const prov *p, const char *kind, const void *key, size_t len, unsigned max_age_s)
{
	char name[2 * AWS_SHA256_LEN + 1];
	if (!atomic_load(&((prov *)p)->configured) || !p->handover)
		return false;
	handover_name(p, kind, key, len, name);
	return base_handover_has(p->handover, name, max_age_s);
}

void prov_handover_mark(const prov *p, const char *kind, const void *key, size_t len)
{
	char name[2 * AWS_SHA256_LEN + 1];
	if (!atomic_load(&((prov *)p)->configured) || !p->handover)
		return;
	handover_name(p, kind, key, len, name);
	base_handover_mark(p->handover, name);
}

bool prov_tag_ignored(const prov_ignore_tags *ig, const char *key)
{
	if (!ig || !key)
		return false;
	for (size_t i = 0; i < ig->n_keys; i++)
		if (strcmp(ig->keys[i], key) == 0)
			return true;
	for (size_t i = 0; i < ig->n_prefixes; i++)
		if (ig->prefixes[i][0] && strncmp(ig->prefixes[i], key, strlen(ig->prefixes[i])) == 0)
			return true;
	return false;
}

int prov_require_client(const prov *p, base_diags *diags, aws_client **out)
{
	*out = prov_client(p);
	if (*out)
		return BASE_OK;
	if (prov_config_deferred(p))
		base_diags_add(
		        diags, BASE_SEV_ERROR, NULL, "Provider configuration not known yet",
		        "The lambdavpc provider block uses values that are only known after apply, so the "
		        "provider cannot reach AWS yet. Apply the resources the provider configuration "
		        "depends "
		        "on first (terraform apply -target=...), or use values known at plan time.");
	else
		base_diags_add(
		        diags, BASE_SEV_ERROR, NULL, "Provider not configured",
		        "The lambdavpc provider was not configured before it was used. This is a bug in the "
		        "provider or in Terraform.");
	return BASE_EINVALID;
}

/* ------------------------------------------------------------------ */
/* tf6_provider_ops                                                     */

static int op_schema(void *ctx, tf6_provider_schema *out, base_diags *diags)
{
	return prov_schemas(ctx, out, diags);
}

static int op_validate(void *ctx, tf6_call *call, const tf6_validate_req *req)
{
	prov *p = ctx;
	const tf6_schema *s = prov_schema_of(p, "provider");
	if (!s)
		return prov_schemas(p, &(tf6_provider_schema){0}, call->diags);
	int rc = prov_validate_block(call->arena, &s->block, req->config, base_path_root(), call->diags);
	if (prov_config_check(call->arena, req->config, call->diags) != BASE_OK)
		rc = BASE_EINVALID;
	return rc;
}

static void copy_tags(prov *p, const prov_tags *t)
{
	base_arena *a = p->conf_arena;
	const char **k = base_arena_calloc(a, t->n + 1, sizeof(*k));
	const char **v = base_arena_calloc(a, t->n + 1, sizeof(*v));
	for (size_t i = 0; i < t->n; i++) {
		k[i] = base_arena_strdup(a, t->keys[i]);
		v[i] = base_arena_strdup(a, t->values[i]);
	}
	p->tags.keys = k;
	p->tags.values = v;
	p->tags.n = t->n;
}

static const char *const *copy_strs(base_arena *a, const char *const *v, size_t n)
{
	const char **out = base_arena_calloc(a, n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = base_arena_strdup(a, v[i]);
	return out;
}

static void copy_ignore(prov *p, const prov_ignore_tags *ig)
{
	p->ignore.keys = copy_strs(p->conf_arena, ig->keys, ig->n_keys);
	p->ignore.n_keys = ig->n_keys;
	p->ignore.prefixes = copy_strs(p->conf_arena, ig->prefixes, ig->n_prefixes);
	p->ignore.n_prefixes = ig->n_prefixes;
}

/* The marks of this command, named by a digest of the whole provider block:
 * two aliases (other credentials, region or endpoints) never share one. */
static void open_handover(prov *p, const cty_value *config)
{
	base_buf b;
	base_buf_init(&b, 0);
	if (cty_msgpack_encode(config, &b) == BASE_OK) {
		aws_crypto_sha256_hex(b.data, b.len, p->config_digest);
		p->handover = base_handover_open(HANDOVER_APP, HANDOVER_OFF_ENV);
	}
	base_buf_dispose(&b);
}

static int op_configure(void *ctx, tf6_call *call, const tf6_configure_req *req)
{
	prov *p = ctx;
	aws_client_config cfg;
	prov_tags tags;
	prov_ignore_tags ignore = {0};
	aws_error err;
	aws_client *client = NULL;
	int rc = BASE_OK;

	pthread_mutex_lock(&p->mu);
	if (atomic_load(&p->configured)) {
		base_diags_add(call->diags, BASE_SEV_ERROR, NULL, "Provider already configured",
		               "ConfigureProvider was called twice for one provider process. This is a bug "
		               "in Terraform.");
		rc = BASE_EINVALID;
		goto done;
	}
	rc = prov_config_from_value(call->arena, req->config, &cfg, &tags, call->diags);
	if (rc == BASE_OK && prov_config_ignore_tags(call->arena, req->config, &ignore) == BASE_EUNKNOWN)
		rc = BASE_EUNKNOWN;
	if (rc == BASE_EUNKNOWN) {
		BASE_DEBUG("prov", "provider configuration has unknown values; AWS access deferred");
		atomic_store(&p->deferred, true);
		rc = BASE_OK;
		goto done;
	}
	if (rc != BASE_OK)
		goto done;
	aws_error_clear(&err);
	rc = aws_client_new(&client, &cfg, &err);
	if (rc != BASE_OK && strcmp(err.code, "AccountNotAllowed") == 0) {
		/* hashicorp/aws's message, as the summary */
		base_diags_add(call->diags, BASE_SEV_ERROR, NULL, err.message,
		               "The credentials belong to an account that allowed_account_ids or "
		               "forbidden_account_ids excludes. Use credentials of an allowed account.");
		goto done;
	}
	if (rc != BASE_OK) {
		base_diags_addf(call->diags, BASE_SEV_ERROR, NULL, "Cannot configure the AWS client",
		                "%s%s%s%s%s", err.message[0] ? err.message : base_err_str(rc),
		                err.code[0] ? " (" : "", err.code, err.code[0] ? ")" : "",
		                err.request_id[0]
		                        ? base_arena_sprintf(call->arena, " Request ID: %s.", err.request_id)
		                        : "");
		goto done;
	}
	p->conf_arena = base_arena_new();
	copy_tags(p, &tags);
	copy_ignore(p, &ignore);
	open_handover(p, req->config);
	atomic_store(&p->client, client);
	atomic_store(&p->configured, true);
	BASE_DEBUG("prov", "provider configured (region %s)", aws_client_region(client));
done:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static const char *op_stop(void *ctx, tf6_call *call)
{
	prov *p = ctx;
	(void)call;
	aws_client *c = prov_client(p);
	if (c)
		aws_client_cancel(c);
	return NULL;
}

static const tf6_provider_ops PROV_OPS = {
        .schema = op_schema,
        .validate = op_validate,
        .configure = op_configure,
        .stop = op_stop,
};

const tf6_provider_ops *prov_ops(void)
{
	return &PROV_OPS;
}
