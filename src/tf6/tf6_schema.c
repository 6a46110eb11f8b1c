/*
 * tf6_schema.c - schema checks (Terraform's InternalValidate rules),
 * canonical type JSON, implied types and value normalisation.
 */
#include "tf6/tf6_schema.h"

#include <stdlib.h>
#include <string.h>

#include "base/base_buf.h"
#include "cty/cty_json.h"

/* ------------------------------------------------------------------ */
/* helpers                                                              */

static int cmp_attr(const void *x, const void *y)
{
	const tf6_attribute *a = x, *b = y;
	return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

static int cmp_block(const void *x, const void *y)
{
	const tf6_nested_block *a = x, *b = y;
	return strcmp(a->type_name ? a->type_name : "", b->type_name ? b->type_name : "");
}

static void bad(base_diags *d, base_arena *a, const char *where, const char *what)
{
	base_diags_addf(d, BASE_SEV_ERROR, NULL, "Invalid provider schema",
	                "%s: %s. This is a bug in the provider.", where && *where ? where : "(root)", what);
	(void)a;
}

static const char *join(base_arena *a, const char *prefix, const char *name)
{
	if (!prefix || !*prefix)
		return base_arena_strdup(a, name ? name : "");
	return base_arena_sprintf(a, "%s.%s", prefix, name ? name : "");
}

static bool block_name_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* finish                                                               */

static int finish_block(base_arena *a, tf6_block *b, const char *where, bool in_set, base_diags *d);

static int finish_attrs(base_arena *a, tf6_attribute *attrs, size_t n, const char *where, bool in_set,
                        base_diags *d, bool nested_obj);

static int finish_object(base_arena *a, tf6_object *o, const char *where, bool in_set, base_diags *d)
{
	int rc = BASE_OK;
	if (o->nesting < TF6_NEST_SINGLE || o->nesting > TF6_NEST_MAP) {
		bad(d, a, where, "nested attribute nesting must be single, list, set or map");
		rc = BASE_EINVALID;
	}
	if (finish_attrs(a, o->attrs, o->n_attrs, where, in_set || o->nesting == TF6_NEST_SET, d, true) !=
	    BASE_OK)
		rc = BASE_EINVALID;
	if (rc != BASE_OK)
		return rc;
	const char **names = base_arena_calloc(a, o->n_attrs + 1, sizeof(*names));
	const cty_type **types = base_arena_calloc(a, o->n_attrs + 1, sizeof(*types));
	for (size_t i = 0; i < o->n_attrs; i++) {
		names[i] = o->attrs[i].name;
		types[i] = o->attrs[i].type;
	}
	o->obj_type = cty_type_object(a, o->n_attrs, names, types, NULL);
	return BASE_OK;
}

/* required / optional / computed: a valid combination (errors at p). */
static bool attr_flags_ok(base_arena *a, const tf6_attribute *at, const char *p, base_diags *d)
{
	bool ok = true;
	if (!at->required && !at->optional && !at->computed) {
		bad(d, a, p, "attribute must be required, optional or computed");
		ok = false;
	}
	if (at->required && at->optional) {
		bad(d, a, p, "attribute cannot be both required and optional");
		ok = false;
	}
	if (at->required && at->computed) {
		bad(d, a, p, "attribute cannot be both required and computed");
		ok = false;
	}
	return ok;
}

/* at->type of a nested-type attribute: its object type wrapped by its nesting. */
static int attr_nested_type(base_arena *a, tf6_attribute *at, const char *p, bool in_set, base_diags *d)
{
	if (finish_object(a, at->nested, p, in_set, d) != BASE_OK)
		return BASE_EINVALID;
	const cty_type *ot = at->nested->obj_type;
	switch (at->nested->nesting) {
	case TF6_NEST_LIST:
		at->type = cty_type_list(a, ot);
		break;
	case TF6_NEST_SET:
		at->type = cty_type_set(a, ot);
		break;
	case TF6_NEST_MAP:
		at->type = cty_type_map(a, ot);
		break;
	default:
		at->type = ot;
		break;
	}
	return BASE_OK;
}

/* at->type from at->type_json, which is rewritten in Terraform's exact form. */
static int attr_json_type(base_arena *a, tf6_attribute *at, const char *p, bool in_set, base_diags *d)
{
	const cty_type *t = NULL;
	if (cty_json_type_decode(a, at->type_json, strlen(at->type_json), &t, NULL) != BASE_OK) {
		bad(d, a, p, base_arena_sprintf(a, "invalid type JSON %s", at->type_json));
		return BASE_EINVALID;
	}
	base_buf bb;
	base_buf_init(&bb, 0);
	if (cty_json_type_encode(t, &bb) != BASE_OK) {
		base_buf_dispose(&bb);
		bad(d, a, p, "type cannot be encoded");
		return BASE_EINVALID;
	}
	at->type_json = base_arena_strndup(a, bb.data, bb.len);
	base_buf_dispose(&bb);
	at->type = t;
	if (in_set && cty_type_has_dynamic(t)) {
		bad(d, a, p, "dynamic types are not allowed inside set blocks");
		return BASE_EINVALID;
	}
	return BASE_OK;
}

static int finish_attrs(base_arena *a, tf6_attribute *attrs, size_t n, const char *where, bool in_set,
                        base_diags *d, bool nested_obj)
{
	int rc = BASE_OK;
	(void)nested_obj;
	if (n > 1)
		qsort(attrs, n, sizeof(*attrs), cmp_attr);
	for (size_t i = 0; i < n; i++) {
		tf6_attribute *at = &attrs[i];
		const char *p = join(a, where, at->name);
		if (!at->name || !*at->name) {
			bad(d, a, p, "attribute with an empty name");
			rc = BASE_EINVALID;
			continue;
		}
		if (i > 0 && strcmp(attrs[i - 1].name ? attrs[i - 1].name : "", at->name) == 0) {
			bad(d, a, p, "duplicate attribute name");
			rc = BASE_EINVALID;
		}
		if (!attr_flags_ok(a, at, p, d))
			rc = BASE_EINVALID;
		if ((at->type_json != NULL) == (at->nested != NULL)) {
			bad(d, a, p, "attribute needs exactly one of type and nested_type");
			rc = BASE_EINVALID;
			continue;
		}
		if ((at->nested ? attr_nested_type(a, at, p, in_set, d)
		                : attr_json_type(a, at, p, in_set, d)) != BASE_OK)
			rc = BASE_EINVALID;
	}
	return rc;
}

static int finish_nested_block(base_arena *a, tf6_nested_block *nb, const char *where, bool in_set,
                               base_diags *d)
{
	int rc = BASE_OK;
	const char *p = join(a, where, nb->type_name);
	if (!block_name_ok(nb->type_name)) {
		bad(d, a, p, "block names must match ^[a-z0-9_]+$");
		rc = BASE_EINVALID;
	}
	if (nb->min_items < 0 || nb->max_items < 0) {
		bad(d, a, p, "min_items and max_items must be >= 0");
		rc = BASE_EINVALID;
	}
	switch (nb->nesting) {
	case TF6_NEST_SINGLE:
		if (nb->min_items != nb->max_items || nb->min_items > 1) {
			bad(d, a, p, "single blocks need min_items == max_items, both 0 or 1");
			rc = BASE_EINVALID;
		}
		break;
	case TF6_NEST_GROUP:
	case TF6_NEST_MAP:
		if (nb->min_items != 0 || nb->max_items != 0) {
			bad(d, a, p, "group and map blocks cannot have min_items or max_items");
			rc = BASE_EINVALID;
		}
		break;
	case TF6_NEST_LIST:
	case TF6_NEST_SET:
		if (nb->max_items != 0 && nb->min_items > nb->max_items) {
			bad(d, a, p, "min_items is greater than max_items");
			rc = BASE_EINVALID;
		}
		break;
	default:
		bad(d, a, p, "invalid nesting mode");
		return BASE_EINVALID;
	}
	if (finish_block(a, &nb->block, p, in_set || nb->nesting == TF6_NEST_SET, d) != BASE_OK)
		return BASE_EINVALID;
	const cty_type *bt = nb->block.type;
	bool dyn = cty_type_has_dynamic(bt);
	switch (nb->nesting) {
	case TF6_NEST_LIST:
		nb->type = dyn ? cty_type_dynamic() : cty_type_list(a, bt);
		break;
	case TF6_NEST_SET:
		nb->type = cty_type_set(a, bt);
		break;
	case TF6_NEST_MAP:
		nb->type = dyn ? cty_type_dynamic() : cty_type_map(a, bt);
		break;
	default:
		nb->type = bt;
		break;
	}
	return rc;
}

static int finish_block(base_arena *a, tf6_block *b, const char *where, bool in_set, base_diags *d)
{
	int rc = finish_attrs(a, b->attrs, b->n_attrs, where, in_set, d, false);
	if (b->n_blocks > 1)
		qsort(b->blocks, b->n_blocks, sizeof(*b->blocks), cmp_block);
	for (size_t i = 0; i < b->n_blocks; i++) {
		tf6_nested_block *nb = &b->blocks[i];
		if (i > 0 && strcmp(b->blocks[i - 1].type_name ? b->blocks[i - 1].type_name : "",
		                    nb->type_name ? nb->type_name : "") == 0) {
			bad(d, a, join(a, where, nb->type_name), "duplicate block name");
			rc = BASE_EINVALID;
		}
		if (nb->type_name && tf6_block_attr(b, nb->type_name)) {
			bad(d, a, join(a, where, nb->type_name),
			    "a block and an attribute have the same name");
			rc = BASE_EINVALID;
		}
		if (finish_nested_block(a, nb, where, in_set, d) != BASE_OK)
			rc = BASE_EINVALID;
	}
	if (rc != BASE_OK)
		return rc;
	size_t n = b->n_attrs + b->n_blocks;
	const char **names = base_arena_calloc(a, n + 1, sizeof(*names));
	const cty_type **types = base_arena_calloc(a, n + 1, sizeof(*types));
	for (size_t i = 0; i < b->n_attrs; i++) {
		names[i] = b->attrs[i].name;
		types[i] = b->attrs[i].type;
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		names[b->n_attrs + i] = b->blocks[i].type_name;
		types[b->n_attrs + i] = b->blocks[i].type;
	}
	b->type = cty_type_object(a, n, names, types, NULL);
	return BASE_OK;
}

int tf6_schema_finish(base_arena *a, tf6_schema *s, base_diags *diags)
{
	int rc = BASE_OK;
	if (s->version < 0) {
		bad(diags, a, "", "schema version must be >= 0");
		rc = BASE_EINVALID;
	}
	if (finish_block(a, &s->block, "", false, diags) != BASE_OK)
		rc = BASE_EINVALID;
	return rc;
}

const cty_type *tf6_schema_type(const tf6_schema *s)
{
	return s->block.type;
}

/* ------------------------------------------------------------------ */
/* lookups (attributes and blocks are sorted by finish)                 */

static const tf6_attribute *find_attr(const tf6_attribute *attrs, size_t n, const char *name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(attrs[mid].name ? attrs[mid].name : "", name);
		if (c == 0)
			return &attrs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Before finish the array may be unsorted: fall back to a scan. */
	for (size_t i = 0; i < n; i++)
		if (attrs[i].name && strcmp(attrs[i].name, name) == 0)
			return &attrs[i];
	return NULL;
}

const tf6_attribute *tf6_block_attr(const tf6_block *b, const char *name)
{
	return find_attr(b->attrs, b->n_attrs, name);
}

const tf6_attribute *tf6_object_attr(const tf6_object *o, const char *name)
{
	return find_attr(o->attrs, o->n_attrs, name);
}

const tf6_nested_block *tf6_block_nested(const tf6_block *b, const char *type_name)
{
	for (size_t i = 0; i < b->n_blocks; i++)
		if (b->blocks[i].type_name && strcmp(b->blocks[i].type_name, type_name) == 0)
			return &b->blocks[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* normalisation                                                        */

static const cty_value *norm_elems(base_arena *a, const tf6_nested_block *nb, const cty_value *v)
{
	size_t n = cty_value_len(v);
	const cty_value **el = base_arena_calloc(a, n + 1, sizeof(*el));
	for (size_t i = 0; i < n; i++)
		el[i] = tf6_block_normalize(a, &nb->block, cty_value_index(v, i));
	if (nb->nesting == TF6_NEST_LIST)
		return cty_value_list(a, nb->block.type, n, el);
	if (nb->nesting == TF6_NEST_SET)
		return cty_value_set(a, nb->block.type, n, el);
	const char **keys = base_arena_calloc(a, n + 1, sizeof(*keys));
	for (size_t i = 0; i < n; i++)
		keys[i] = cty_value_map_key(v, i);
	return cty_value_map(a, nb->block.type, n, keys, el);
}

const cty_value *tf6_block_normalize(base_arena *a, const tf6_block *b, const cty_value *v)
{
	if (!v || cty_value_is_null(v) || cty_value_is_unknown(v) || b->n_blocks == 0)
		return v;
	cty_obj_builder ob;
	cty_obj_builder_init(&ob, a, b->type);
	for (size_t i = 0; i < b->n_attrs; i++)
		(void)cty_obj_builder_set(&ob, b->attrs[i].name, cty_value_get_attr(v, b->attrs[i].name));
	for (size_t i = 0; i < b->n_blocks; i++) {
		const tf6_nested_block *nb = &b->blocks[i];
		const cty_value *bv = cty_value_get_attr(v, nb->type_name);
		if (cty_type_kind_of(nb->type) == CTY_T_DYNAMIC || (bv && cty_value_is_unknown(bv))) {
			/* leave as is */
		} else if (!bv || cty_value_is_null(bv)) {
			switch (nb->nesting) {
			case TF6_NEST_LIST:
				bv = cty_value_list(a, nb->block.type, 0, NULL);
				break;
			case TF6_NEST_SET:
				bv = cty_value_set(a, nb->block.type, 0, NULL);
				break;
			case TF6_NEST_MAP:
				bv = cty_value_map(a, nb->block.type, 0, NULL, NULL);
				break;
			case TF6_NEST_GROUP: {
				cty_obj_builder gb;
				cty_obj_builder_init(&gb, a, nb->block.type);
				bv = tf6_block_normalize(a, &nb->block, cty_obj_builder_finish(&gb));
				break;
			}
			default:
				break;
			}
		} else if (nb->nesting == TF6_NEST_SINGLE || nb->nesting == TF6_NEST_GROUP) {
			bv = tf6_block_normalize(a, &nb->block, bv);
		} else {
			bv = norm_elems(a, nb, bv);
		}
		(void)cty_obj_builder_set(&ob, nb->type_name, bv);
	}
	return cty_obj_builder_finish(&ob);
}
