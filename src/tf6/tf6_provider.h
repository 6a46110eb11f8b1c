/*
 * tf6_provider.h - THE interface a provider implements, in cty terms.
 *
 * src/tf6 speaks tfplugin6 (protobuf, msgpack DynamicValues, attribute
 * paths); the provider only sees cty values, diagnostics and opaque private
 * bytes. Two const tables of function pointers (STYLE C9):
 *
 *   tf6_provider_ops   the provider itself: schema, provider config
 *                      validation, configure, stop
 *   tf6_resource_ops   one managed resource type: validate, plan, the three
 *                      apply flavours, read, import, upgrade
 *
 * A NULL slot means "not supported": src/tf6 then answers with an error
 * diagnostic "Not implemented yet" (never a crash) or, where the protocol
 * has a sensible default, applies it (see each slot).
 *
 * Every call gets a tf6_call: the RPC's arena (everything built for the
 * response is allocated there and released after the response is sent) and
 * its diagnostics list. Handlers return BASE_OK or a BASE_E* code; the code
 * says whether the call failed, the diagnostics say what and where. If a
 * handler fails without adding an error diagnostic, src/tf6 adds a generic
 * one. Values in requests are borrowed for the call and conform to the
 * schema's implied type; values in responses must be allocated in
 * call->arena (or be static) and conform to it too.
 *
 * src/tf6 enforces the protocol contracts so handlers need not
 * (tf6_dispatch.c): create vs update vs delete is chosen from null prior /
 * planned values; a planned state is ignored when the plan has errors;
 * apply results are kept with errors (partial state; a delete answers
 * null on success, and on failure its partial state - what still exists -
 * with its private bytes, or null when it has none, so Terraform keeps the
 * prior state); with plan_destroy a destroy plan
 * (null proposed state) is answered null without calling the handler.
 *
 * THREAD SAFETY: Terraform runs up to 10 RPCs at once (plus StopProvider);
 * every slot may be called concurrently with any other, so handlers must be
 * reentrant with respect to ctx.
 */
#ifndef TF6_PROVIDER_H
#define TF6_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "base/base_err.h"
#include "base/base_path.h"
#include "cty/cty_value.h"
#include "tf6/tf6_schema.h"

/* Opaque bytes (private state); data may be NULL when len is 0. */
typedef struct tf6_bytes {
	const uint8_t *data;
	size_t len;
} tf6_bytes;

/* Per-RPC context given to every handler. */
typedef struct tf6_call {
	base_arena *arena;     /* the RPC's arena: allocate responses here */
	base_diags *diags;     /* the RPC's diagnostics (in arena) */
	const char *type_name; /* resource type of the call, "" for provider calls */
} tf6_call;

/* ---- resource ---------------------------------------------------------- */

typedef struct tf6_validate_req {
	const cty_value *config; /* may contain unknowns (e.g. variables during validate) */
} tf6_validate_req;

typedef struct tf6_plan_req {
	const cty_value *prior;    /* null on create */
	const cty_value *proposed; /* never null here (destroy plans are answered by tf6) */
	const cty_value *config;
	tf6_bytes prior_private;
} tf6_plan_req;

typedef struct tf6_plan_resp {
	const cty_value *planned;          /* NULL/unset = error unless diags has errors */
	const base_path *requires_replace; /* array of n_requires_replace paths */
	size_t n_requires_replace;
	tf6_bytes planned_private;
} tf6_plan_resp;

typedef struct tf6_apply_req {
	const cty_value *prior;   /* null for create */
	const cty_value *planned; /* null for delete */
	const cty_value *config;  /* null for delete */
	tf6_bytes planned_private;
} tf6_apply_req;

typedef struct tf6_apply_resp {
	/* New state; on errors a non-NULL non-null value is kept as partial
	 * state (create: tainted). Ignored for delete (always null). */
	const cty_value *new_state;
	tf6_bytes private_data;
} tf6_apply_resp;

typedef struct tf6_read_req {
	const cty_value *current;
	tf6_bytes private_data;
} tf6_read_req;

typedef struct tf6_read_resp {
	const cty_value *new_state; /* null value = the object is gone */
	tf6_bytes private_data;
} tf6_read_resp;

typedef struct tf6_import_req {
	const char *id;
} tf6_import_req;

typedef struct tf6_import_resp {
	const cty_value *state; /* must be non-null unless diags has errors */
	tf6_bytes private_data;
} tf6_import_resp;

typedef struct tf6_upgrade_req {
	int64_t version;      /* schema version that wrote the state (<= current) */
	const char *raw_json; /* the state's attributes JSON, NUL-terminated */
	size_t raw_len;
} tf6_upgrade_req;

typedef struct tf6_upgrade_resp {
	const cty_value *upgraded; /* must conform to the current schema */
} tf6_upgrade_resp;

/*
 * A managed resource type. Every slot takes ctx (tf6_resource.ctx) first.
 *   validate      ValidateResourceConfig. NULL: accept everything.
 *   plan          PlanResourceChange for create/update (prior null = create).
 *   apply_create  ApplyResourceChange with a null prior.
 *   apply_update  ApplyResourceChange with non-null prior and planned.
 *   apply_delete  ApplyResourceChange with a null planned state.
 *   read          ReadResource.
 *   import        ImportResourceState (the state goes to a following read).
 *   upgrade       UpgradeResourceState. NULL: tf6_upgrade_json_default().
 */
typedef struct tf6_resource_ops {
	BASE_MUST_USE int (*validate)(void *ctx, tf6_call *call, const tf6_validate_req *req);
	BASE_MUST_USE int (*plan)(void *ctx, tf6_call *call, const tf6_plan_req *req, tf6_plan_resp *resp);
	BASE_MUST_USE int (*apply_create)(void *ctx, tf6_call *call, const tf6_apply_req *req,
	                                  tf6_apply_resp *resp);
	BASE_MUST_USE int (*apply_update)(void *ctx, tf6_call *call, const tf6_apply_req *req,
	                                  tf6_apply_resp *resp);
	BASE_MUST_USE int (*apply_delete)(void *ctx, tf6_call *call, const tf6_apply_req *req,
	                                  tf6_apply_resp *resp);
	BASE_MUST_USE int (*read)(void *ctx, tf6_call *call, const tf6_read_req *req, tf6_read_resp *resp);
	BASE_MUST_USE int (*import)(void *ctx, tf6_call *call, const tf6_import_req *req,
	                            tf6_import_resp *resp);
	BASE_MUST_USE int (*upgrade)(void *ctx, tf6_call *call, const tf6_upgrade_req *req,
	                             tf6_upgrade_resp *resp);
} tf6_resource_ops;

/* One resource type as the provider publishes it. All pointers borrowed for
 * the life of the server. */
typedef struct tf6_resource {
	const char *type_name;    /* e.g. "lambdavpc_secure_function" */
	const tf6_schema *schema; /* finished (tf6_schema_finish) */
	const tf6_resource_ops *ops;
	void *ctx;
} tf6_resource;

/* ---- provider ---------------------------------------------------------- */

/* What the provider publishes: its own schema and its resource types. */
typedef struct tf6_provider_schema {
	const tf6_schema *provider;    /* finished; never NULL on success */
	const tf6_resource *resources; /* array of n_resources */
	size_t n_resources;
} tf6_provider_schema;

typedef struct tf6_configure_req {
	const char *terraform_version; /* e.g. "1.11.4"; "" if not sent */
	const cty_value *config;       /* may contain unknowns */
} tf6_configure_req;

/*
 * The provider.
 *   schema      fills *out with borrowed pointers valid until the server is
 *               freed. Called once, lazily, by src/tf6 on the first RPC that
 *               needs it (under src/tf6's own once-lock). A failure (with
 *               error diagnostics) is answered to every RPC as those
 *               diagnostics.
 *   validate    ValidateProviderConfig. NULL: accept everything.
 *               Must not call AWS.
 *   configure   ConfigureProvider. Called before resource RPCs that need
 *               the configured provider; the provider keeps what it builds.
 *               NULL: nothing to configure.
 *   stop        StopProvider: cancel in-flight work promptly. Returns NULL
 *               or an error message (in call->arena). NULL slot: nothing to
 *               cancel. May run concurrently with everything else.
 */
typedef struct tf6_provider_ops {
	BASE_MUST_USE int (*schema)(void *ctx, tf6_provider_schema *out, base_diags *diags);
	BASE_MUST_USE int (*validate)(void *ctx, tf6_call *call, const tf6_validate_req *req);
	BASE_MUST_USE int (*configure)(void *ctx, tf6_call *call, const tf6_configure_req *req);
	const char *(*stop)(void *ctx, tf6_call *call);
} tf6_provider_ops;

/*
 * The default state upgrade: decodes the state JSON with the schema's
 * current implied type, dropping attributes the schema no longer has and
 * setting missing ones to null, then normalises nested blocks
 * (tf6_block_normalize). Returns BASE_OK with *out in a, or BASE_EINVALID
 * with an error diagnostic "Invalid resource state" (malformed JSON or a
 * value of the wrong type). Thread-safe.
 */
BASE_MUST_USE int tf6_upgrade_json_default(base_arena *a, const tf6_schema *s, const char *json, size_t len,
                                           const cty_value **out, base_diags *diags);

#endif
