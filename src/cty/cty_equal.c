/*
 * cty_equal.c - raw (identical) equality of cty values.
 */
#include "cty_equal.h"

#include <assert.h>
#include <string.h>

#include "cty_int.h"

/* Is element x of set a raw-equal to some element of set b? Sets are small
 * (config blocks), so the quadratic scan is fine. */
static bool eq(const cty_value *a, const cty_value *b, bool strict);

static bool set_contains(const cty_value *set, const cty_value *x, bool strict)
{
	for (size_t i = 0; i < set->u.coll.n; i++)
		if (eq(set->u.coll.elems[i], x, strict))
			return true;
	return false;
}

static bool eq(const cty_value *a, const cty_value *b, bool strict)
{
	if (a == b)
		return true;
	if (!cty_type_equal(cty_value_type(a), cty_value_type(b)) || a->kind != b->kind)
		return false;
	switch (a->kind) {
	case CTY_NULL:
		return true;
	case CTY_UNKNOWN:
		return !strict || a->not_null == b->not_null;
	case CTY_STRING:
		return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case CTY_NUMBER:
		return strcmp(a->u.num.canon, b->u.num.canon) == 0;
	case CTY_BOOL:
		return a->u.b == b->u.b;
	case CTY_SET:
		/* Sets hold no duplicates, so equal sizes + inclusion one way would do
		 * for known sets; unknown elements are never merged, hence both ways. */
		if (a->u.coll.n != b->u.coll.n)
			return false;
		for (size_t i = 0; i < a->u.coll.n; i++)
			if (!set_contains(b, a->u.coll.elems[i], strict))
				return false;
		for (size_t i = 0; i < b->u.coll.n; i++)
			if (!set_contains(a, b->u.coll.elems[i], strict))
				return false;
		return true;
	case CTY_MAP:
		if (a->u.coll.n != b->u.coll.n)
			return false;
		for (size_t i = 0; i < a->u.coll.n; i++)
			if (strcmp(a->u.coll.keys[i], b->u.coll.keys[i]) != 0 ||
			    !eq(a->u.coll.elems[i], b->u.coll.elems[i], strict))
				return false;
		return true;
	case CTY_LIST:
	case CTY_OBJECT:
	case CTY_TUPLE:
		if (a->u.coll.n != b->u.coll.n)
			return false;
		for (size_t i = 0; i < a->u.coll.n; i++)
			if (!eq(a->u.coll.elems[i], b->u.coll.elems[i], strict))
				return false;
		return true;
	}
	return false;
}

bool cty_value_raw_equal(const cty_value *a, const cty_value *b)
{
	assert(a && b);
	return eq(a, b, true);
}

bool cty_value_equal_known(const cty_value *a, const cty_value *b)
{
	assert(a && b);
	return eq(a, b, false);
}
