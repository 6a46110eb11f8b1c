/*
 * cty_type.c - cty types: singletons, constructors, lookup, equality.
 */
#include "cty_type.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cty_int.h"

/* Each type embeds its null and unknown values (see cty_value_null). */
#define CTY__EMBED(self)                                                                                     \
	.vnull = {.type = &(self), .kind = CTY_NULL}, .vunknown = {.type = &(self), .kind = CTY_UNKNOWN},    \
	.vunknown_nn = {.type = &(self), .kind = CTY_UNKNOWN, .not_null = true}

static const cty_type t_string = {.kind = CTY_T_STRING, CTY__EMBED(t_string)};
static const cty_type t_number = {.kind = CTY_T_NUMBER, CTY__EMBED(t_number)};
static const cty_type t_bool = {.kind = CTY_T_BOOL, CTY__EMBED(t_bool)};
static const cty_type t_dynamic = {.kind = CTY_T_DYNAMIC, CTY__EMBED(t_dynamic)};

const cty_type *cty_type_string(void)
{
	return &t_string;
}
const cty_type *cty_type_number(void)
{
	return &t_number;
}
const cty_type *cty_type_bool(void)
{
	return &t_bool;
}
const cty_type *cty_type_dynamic(void)
{
	return &t_dynamic;
}

static cty_type *type_alloc(base_arena *a, cty_type_kind kind)
{
	cty_type *t = base_arena_alloc(a, sizeof *t);
	t->kind = kind;
	t->vnull.type = t;
	t->vnull.kind = CTY_NULL;
	t->vunknown.type = t;
	t->vunknown.kind = CTY_UNKNOWN;
	t->vunknown_nn.type = t;
	t->vunknown_nn.kind = CTY_UNKNOWN;
	t->vunknown_nn.not_null = true;
	return t;
}

static const cty_type *collection(base_arena *a, cty_type_kind kind, const cty_type *elem)
{
	assert(a && elem);
	cty_type *t = type_alloc(a, kind);
	t->elem = elem;
	return t;
}

const cty_type *cty_type_list(base_arena *a, const cty_type *elem)
{
	return collection(a, CTY_T_LIST, elem);
}

const cty_type *cty_type_set(base_arena *a, const cty_type *elem)
{
	return collection(a, CTY_T_SET, elem);
}

const cty_type *cty_type_map(base_arena *a, const cty_type *elem)
{
	return collection(a, CTY_T_MAP, elem);
}

struct attr_in {
	const char *name;
	const cty_type *type;
	bool optional;
};

static int attr_cmp(const void *x, const void *y)
{
	const struct attr_in *p = x, *q = y;
	return strcmp(p->name, q->name);
}

const cty_type *cty_type_object(base_arena *a, size_t n, const char *const *names,
                                const cty_type *const *types, const bool *optional)
{
	assert(a && (n == 0 || (names && types)));
	cty_type *t = type_alloc(a, CTY_T_OBJECT);
	struct attr_in *tmp = base_arena_calloc(a, n ? n : 1, sizeof *tmp);
	bool any_opt = false;
	for (size_t i = 0; i < n; i++) {
		assert(names[i] && names[i][0] && types[i]);
		tmp[i].name = names[i];
		tmp[i].type = types[i];
		tmp[i].optional = optional ? optional[i] : false;
		any_opt |= tmp[i].optional;
	}
	if (n > 1)
		qsort(tmp, n, sizeof *tmp, attr_cmp);
	const char **nm = base_arena_calloc(a, n ? n : 1, sizeof *nm);
	const cty_type **ty = base_arena_calloc(a, n ? n : 1, sizeof *ty);
	bool *op = any_opt ? base_arena_calloc(a, n, sizeof *op) : NULL;
	for (size_t i = 0; i < n; i++) {
		assert(i == 0 || strcmp(tmp[i - 1].name, tmp[i].name) != 0); /* duplicate name */
		nm[i] = base_arena_strdup(a, tmp[i].name);
		ty[i] = tmp[i].type;
		if (op)
			op[i] = tmp[i].optional;
	}
	t->n = n;
	t->names = nm;
	t->types = ty;
	t->optional = op;
	return t;
}

const cty_type *cty_type_tuple(base_arena *a, size_t n, const cty_type *const *types)
{
	assert(a && (n == 0 || types));
	cty_type *t = type_alloc(a, CTY_T_TUPLE);
	const cty_type **ty = base_arena_calloc(a, n ? n : 1, sizeof *ty);
	for (size_t i = 0; i < n; i++) {
		assert(types[i]);
		ty[i] = types[i];
	}
	t->n = n;
	t->types = ty;
	return t;
}

cty_type_kind cty_type_kind_of(const cty_type *t)
{
	assert(t);
	return t->kind;
}

bool cty_type_is_primitive(const cty_type *t)
{
	assert(t);
	return t->kind == CTY_T_STRING || t->kind == CTY_T_NUMBER || t->kind == CTY_T_BOOL;
}

bool cty_type_is_collection(const cty_type *t)
{
	assert(t);
	return t->kind == CTY_T_LIST || t->kind == CTY_T_SET || t->kind == CTY_T_MAP;
}

const cty_type *cty_type_elem(const cty_type *t)
{
	assert(t && cty_type_is_collection(t));
	return t->elem;
}

size_t cty_type_attr_count(const cty_type *t)
{
	assert(t && t->kind == CTY_T_OBJECT);
	return t->n;
}

size_t cty_type_tuple_len(const cty_type *t)
{
	assert(t && t->kind == CTY_T_TUPLE);
	return t->n;
}

const char *cty_type_attr_name(const cty_type *t, size_t i)
{
	assert(t && t->kind == CTY_T_OBJECT && i < t->n);
	return t->names[i];
}

const cty_type *cty_type_attr_type(const cty_type *t, size_t i)
{
	assert(t && t->kind == CTY_T_OBJECT && i < t->n);
	return t->types[i];
}

bool cty_type_attr_optional(const cty_type *t, size_t i)
{
	assert(t && t->kind == CTY_T_OBJECT && i < t->n);
	return t->optional ? t->optional[i] : false;
}

long cty_type_attr_index(const cty_type *t, const char *name)
{
	assert(t && name);
	if (t->kind != CTY_T_OBJECT)
		return -1;
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, t->names[mid]);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const cty_type *cty_type_attr(const cty_type *t, const char *name)
{
	long i = cty_type_attr_index(t, name);
	return i < 0 ? NULL : t->types[i];
}

const cty_type *cty_type_tuple_elem(const cty_type *t, size_t i)
{
	assert(t && t->kind == CTY_T_TUPLE && i < t->n);
	return t->types[i];
}

/* Structural walk shared by cty_type_equal and cty_type_conforms: with
 * conform set, a dynamic b accepts any a at any depth. */
static bool type_match(const cty_type *a, const cty_type *b, bool conform)
{
	if (a == b || (conform && b && b->kind == CTY_T_DYNAMIC))
		return true;
	if (!a || !b || a->kind != b->kind)
		return false;
	switch (a->kind) {
	case CTY_T_LIST:
	case CTY_T_SET:
	case CTY_T_MAP:
		return type_match(a->elem, b->elem, conform);
	case CTY_T_OBJECT:
	case CTY_T_TUPLE:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if ((a->kind == CTY_T_OBJECT && strcmp(a->names[i], b->names[i]) != 0) ||
			    !type_match(a->types[i], b->types[i], conform))
				return false;
		return true;
	default:
		return true; /* primitives and dynamic: kind decides */
	}
}

bool cty_type_equal(const cty_type *a, const cty_type *b)
{
	return type_match(a, b, false);
}

bool cty_type_conforms(const cty_type *actual, const cty_type *declared)
{
	assert(actual && declared);
	return type_match(actual, declared, true);
}

bool cty_type_has_dynamic(const cty_type *t)
{
	assert(t);
	switch (t->kind) {
	case CTY_T_DYNAMIC:
		return true;
	case CTY_T_LIST:
	case CTY_T_SET:
	case CTY_T_MAP:
		return cty_type_has_dynamic(t->elem);
	case CTY_T_OBJECT:
	case CTY_T_TUPLE:
		for (size_t i = 0; i < t->n; i++)
			if (cty_type_has_dynamic(t->types[i]))
				return true;
		return false;
	default:
		return false;
	}
}

const cty_type *cty_type_clone(base_arena *a, const cty_type *t)
{
	assert(a && t);
	switch (t->kind) {
	case CTY_T_LIST:
	case CTY_T_SET:
	case CTY_T_MAP:
		return collection(a, t->kind, cty_type_clone(a, t->elem));
	case CTY_T_OBJECT:
	case CTY_T_TUPLE: {
		const cty_type **ty = base_arena_calloc(a, t->n ? t->n : 1, sizeof *ty);
		for (size_t i = 0; i < t->n; i++)
			ty[i] = cty_type_clone(a, t->types[i]);
		if (t->kind == CTY_T_TUPLE)
			return cty_type_tuple(a, t->n, ty);
		return cty_type_object(a, t->n, t->names, ty, t->optional);
	}
	default:
		return t; /* static singletons */
	}
}

const char *cty_type_kind_name(const cty_type *t)
{
	assert(t);
	switch (t->kind) {
	case CTY_T_STRING:
		return "string";
	case CTY_T_NUMBER:
		return "number";
	case CTY_T_BOOL:
		return "bool";
	case CTY_T_LIST:
		return "list";
	case CTY_T_SET:
		return "set";
	case CTY_T_MAP:
		return "map";
	case CTY_T_OBJECT:
		return "object";
	case CTY_T_TUPLE:
		return "tuple";
	case CTY_T_DYNAMIC:
		return "dynamic";
	}
	return "?";
}
