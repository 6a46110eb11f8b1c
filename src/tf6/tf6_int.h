/*
 * tf6_int.h - shared between the files of src/tf6 (and its unit tests).
 * Never included from another folder. protobuf-c types are allowed here.
 */
#ifndef TF6_INT_H
#define TF6_INT_H

#include <protobuf-c/protobuf-c.h>
#include "tfplugin6.pb-c.h"

#include "base/base_arena.h"
#include "base/base_diag.h"
#include "base/base_path.h"
#include "cty/cty_value.h"
#include "tf6/tf6_provider.h"
#include "tf6/tf6_schema.h"

/* ---- tf6_dispatch.c: the contract rules, in cty terms ------------------ */

/* Adds "Not implemented yet" for `what` (e.g. "planning") on type_name. */
void tf6__not_implemented(tf6_call *call, const char *what);

int tf6__dispatch_validate(const tf6_resource *r, tf6_call *call, const tf6_validate_req *req);
int tf6__dispatch_plan(const tf6_resource *r, tf6_call *call, const tf6_plan_req *req, tf6_plan_resp *resp);
int tf6__dispatch_apply(const tf6_resource *r, tf6_call *call, const tf6_apply_req *req,
                        tf6_apply_resp *resp);
int tf6__dispatch_read(const tf6_resource *r, tf6_call *call, const tf6_read_req *req, tf6_read_resp *resp);
int tf6__dispatch_import(const tf6_resource *r, tf6_call *call, const tf6_import_req *req,
                         tf6_import_resp *resp);
int tf6__dispatch_upgrade(const tf6_resource *r, tf6_call *call, const tf6_upgrade_req *req,
                          tf6_upgrade_resp *resp);

/*
 * Write-only attributes (6.8): with !allowed (the client did not announce
 * write_only_attributes_allowed, e.g. Terraform < 1.11) every configured
 * (non-null) top-level write-only attribute is an error at its path.
 * Returns BASE_OK or BASE_EINVALID.
 */
int tf6__check_write_only(const tf6_resource *r, tf6_call *call, const cty_value *config, bool allowed);
/* v with every top-level write-only attribute set to null (Terraform never
 * stores them in plans or state). NULL/null/unknown v returned as is. */
const cty_value *tf6__strip_write_only(base_arena *a, const tf6_schema *s, const cty_value *v);

/* ---- tf6_decode.c ------------------------------------------------------ */

/* A protobuf-c allocator that allocates in arena a (free is a no-op). */
void tf6__allocator_init(ProtobufCAllocator *al, base_arena *a);

/* DynamicValue -> value of type t (absent/empty = null). BASE_EINVALID with a diagnostic. */
int tf6__decode_dv(base_arena *a, const cty_type *t, const Tfplugin6__DynamicValue *dv, const cty_value **out,
                   base_diags *diags);

/* ---- tf6_encode.c ------------------------------------------------------ */

/* value -> DynamicValue (msgpack) in a; v NULL -> NULL (field absent). BASE_EINVALID with a diagnostic. */
int tf6__encode_dv(base_arena *a, const cty_type *t, const cty_value *v, Tfplugin6__DynamicValue **out,
                   base_diags *diags);
/* base_path -> AttributePath in a. */
Tfplugin6__AttributePath *tf6__encode_path(base_arena *a, const base_path *p);
/* Diagnostics list -> array (in a) of n_out messages. */
Tfplugin6__Diagnostic **tf6__encode_diags(base_arena *a, const base_diags *d, size_t *n_out);
/* Finished schema -> Schema message (every Block set). */
Tfplugin6__Schema *tf6__encode_schema(base_arena *a, const tf6_schema *s);

#endif
