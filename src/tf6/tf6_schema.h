/*
 * tf6_schema.h - the schema model of a provider block or resource type:
 * blocks, attributes, nested attribute objects and nested blocks, in cty
 * terms (no protobuf type appears here).
 *
 * A schema is plain data: the provider layer fills the structs (normally
 * from the schemas/ JSON files, see provider/prov/prov_schema.h) with everything
 * allocated in one long-lived arena, then calls tf6_schema_finish(), which
 * checks Terraform's schema rules (PROTOCOL.md 2.4), sorts attributes and
 * blocks by name and computes every implied cty type. A finished schema is
 * immutable and may be read by any number of threads.
 *
 * src/tf6 turns finished schemas into GetProviderSchema (tf6_server.h) and
 * uses their implied types to decode DynamicValues.
 */
#ifndef TF6_SCHEMA_H
#define TF6_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "base/base_err.h"
#include "cty/cty_type.h"
#include "cty/cty_value.h"

/* Nesting modes of nested blocks and nested attribute objects (same
 * numbers as tfplugin6 NestingMode; GROUP is for blocks only). */
typedef enum tf6_nesting {
	TF6_NEST_SINGLE = 1,
	TF6_NEST_LIST = 2,
	TF6_NEST_SET = 3,
	TF6_NEST_MAP = 4,
	TF6_NEST_GROUP = 5
} tf6_nesting;

typedef struct tf6_object tf6_object;

/*
 * One attribute. Exactly one of type_json / nested is set by the builder.
 *   type_json   cty type JSON (e.g. `"string"`, `["list","string"]`); after
 *               tf6_schema_finish it is the canonical form Terraform expects
 *   nested      protocol-6 nested attribute (object with a nesting mode)
 *   type        implied cty type (set by tf6_schema_finish)
 *   ext         provider data attached to the attribute (e.g. defaults and
 *               validators); never read by src/tf6
 */
typedef struct tf6_attribute {
	const char *name;
	const char *type_json;
	tf6_object *nested;
	const char *description;
	bool required, optional, computed, sensitive, deprecated, write_only;
	const cty_type *type;
	const void *ext;
} tf6_attribute;

/* A nested attribute object: its attributes and nesting (SINGLE..MAP). */
struct tf6_object {
	tf6_nesting nesting;
	tf6_attribute *attrs;
	size_t n_attrs;
	const cty_type *obj_type; /* object type of one element (set by finish) */
};

typedef struct tf6_nested_block tf6_nested_block;

/* A block: attributes + nested blocks (+ documentation). */
typedef struct tf6_block {
	tf6_attribute *attrs;
	size_t n_attrs;
	tf6_nested_block *blocks;
	size_t n_blocks;
	const char *description;
	bool deprecated;
	const cty_type *type; /* implied object type (set by finish) */
} tf6_block;

/* A nested block type: `type_name { ... }` with nesting and item limits
 * (0 = no limit for max_items). */
struct tf6_nested_block {
	const char *type_name;
	tf6_nesting nesting;
	int64_t min_items, max_items;
	tf6_block block;
	const cty_type *type; /* implied type of the block value (set by finish) */
};

/* A whole schema: the version stored in state + the root block. */
typedef struct tf6_schema {
	int64_t version;
	tf6_block block;
} tf6_schema;

/*
 * Validates, sorts and types a schema built in arena a (which must be the
 * arena holding the schema, or one living at least as long). Checks:
 * names non-empty and unique within a block (attributes and blocks share
 * one namespace), block names match ^[a-z0-9_]+$, exactly one of
 * type_json/nested per attribute, valid type JSON, at least one of
 * required/optional/computed and neither required+optional nor
 * required+computed, nesting modes valid for their place, min/max rules
 * per nesting mode, no dynamic inside SET blocks, version >= 0.
 * Returns BASE_OK or BASE_EINVALID with one error diagnostic per problem
 * (summary "Invalid provider schema", detail naming the attribute path).
 * Not thread-safe for the same schema; call once before publishing it.
 */
BASE_MUST_USE int tf6_schema_finish(base_arena *a, tf6_schema *s, base_diags *diags);

/* Implied object type of a finished schema's root block. Borrowed. */
const cty_type *tf6_schema_type(const tf6_schema *s);

/* Attribute / nested block of a finished block by name, or NULL. Borrowed. */
const tf6_attribute *tf6_block_attr(const tf6_block *b, const char *name);
const tf6_nested_block *tf6_block_nested(const tf6_block *b, const char *type_name);
/* Attribute of a nested attribute object by name, or NULL. Borrowed. */
const tf6_attribute *tf6_object_attr(const tf6_object *o, const char *name);

/*
 * Returns v (an object of b's implied type, or null) with Terraform's
 * normal forms applied recursively: null LIST/SET/MAP nested blocks become
 * empty collections and null GROUP blocks objects of nulls. A null v stays
 * null. Use it on values decoded from JSON state before returning them.
 * Allocates in a; never NULL.
 */
const cty_value *tf6_block_normalize(base_arena *a, const tf6_block *b, const cty_value *v);

#endif
