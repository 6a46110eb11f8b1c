/* cty_equal_test.c - raw equality and unknown-tolerant equality. */
#include "base/base_arena.h"
#include "cty/cty_equal.h"
#include "cty/cty_msgpack.h"
#include "cty/cty_value.h"
#include "cty_testutil.h"
#include "t.h"

void test_cty_equal__numbers(void)
{
	base_arena *a = base_arena_new();
	T_ASSERT(cty_value_raw_equal(cty_value_number_text(a, "0.1"), cty_value_number_double(a, 0.1)));
	T_ASSERT(cty_value_raw_equal(cty_value_number_text(a, "-0"), cty_value_number_int(a, 0)));
	T_ASSERT(cty_value_raw_equal(cty_value_number_double(a, -0.0), cty_value_number_text(a, "0.000")));
	T_ASSERT(cty_value_raw_equal(cty_value_number_text(a, "1.50"), cty_value_number_double(a, 1.5)));
	T_ASSERT(cty_value_raw_equal(cty_value_number_text(a, "1e2"), cty_value_number_uint(a, 100)));
	T_ASSERT(cty_value_raw_equal(cty_value_number_text(a, "9223372036854775808"),
	                             cty_value_number_double(a, 9223372036854775808.0)));
	T_ASSERT(!cty_value_raw_equal(cty_value_number_text(a, "0.1"), cty_value_number_text(a, "0.10000000000000001")));
	T_ASSERT(!cty_value_raw_equal(cty_value_number_int(a, 1), cty_value_number_int(a, -1)));
	T_ASSERT(!cty_value_raw_equal(cty_value_number_int(a, 1), cty_value_string(a, "1")));
	base_arena_free(a);
}

void test_cty_equal__null_unknown(void)
{
	base_arena *a = base_arena_new();
	const cty_type *s = cty_type_string();
	T_ASSERT(cty_value_raw_equal(cty_value_null(s), cty_value_null(s)));
	T_ASSERT(!cty_value_raw_equal(cty_value_null(s), cty_value_null(cty_type_number())));
	T_ASSERT(!cty_value_raw_equal(cty_value_null(s), cty_value_null(cty_type_dynamic())));
	T_ASSERT(!cty_value_raw_equal(cty_value_null(s), cty_value_unknown(s)));
	T_ASSERT(!cty_value_raw_equal(cty_value_string(a, ""), cty_value_null(s)));
	T_ASSERT(cty_value_raw_equal(cty_value_unknown(s), cty_value_unknown(s)));
	T_ASSERT(!cty_value_raw_equal(cty_value_unknown(s), cty_value_unknown_not_null(s)));
	T_ASSERT(cty_value_equal_known(cty_value_unknown(s), cty_value_unknown_not_null(s)));
	T_ASSERT(!cty_value_equal_known(cty_value_unknown(s), cty_value_string(a, "x")));
	T_ASSERT(!cty_value_equal_known(cty_value_unknown(s), cty_value_unknown(cty_type_number())));
	/* the same unknown in two separately built types */
	const cty_type *l1 = cty_type_list(a, s), *l2 = cty_type_list(a, s);
	T_ASSERT(cty_value_raw_equal(cty_value_unknown(l1), cty_value_unknown(l2)));
	base_arena_free(a);
}

void test_cty_equal__collections(void)
{
	base_arena *a = base_arena_new();
	const cty_value *x = cty_value_string(a, "x"), *y = cty_value_string(a, "y");
	const cty_value *xy[] = { x, y }, *yx[] = { y, x }, *xx[] = { x, x };
	const cty_type *s = cty_type_string();
	/* sets: order-independent; lists: not */
	T_ASSERT(cty_value_raw_equal(cty_value_set(a, s, 2, xy), cty_value_set(a, s, 2, yx)));
	T_ASSERT(!cty_value_raw_equal(cty_value_list(a, s, 2, xy), cty_value_list(a, s, 2, yx)));
	T_ASSERT(cty_value_raw_equal(cty_value_list(a, s, 2, xy), cty_value_list(a, s, 2, xy)));
	T_ASSERT(!cty_value_raw_equal(cty_value_set(a, s, 2, xx), cty_value_set(a, s, 2, xy)));
	T_ASSERT(!cty_value_raw_equal(cty_value_set(a, s, 2, xy), cty_value_list(a, s, 2, xy)));
	T_ASSERT(cty_value_raw_equal(cty_value_list(a, s, 0, NULL), cty_value_list(a, s, 0, NULL)));
	T_ASSERT(!cty_value_raw_equal(cty_value_list(a, s, 0, NULL), cty_value_null(cty_type_list(a, s))));
	/* sets with unknowns */
	const cty_value *xu[] = { x, cty_value_unknown(s) }, *ux[] = { cty_value_unknown(s), x };
	T_ASSERT(cty_value_raw_equal(cty_value_set(a, s, 2, xu), cty_value_set(a, s, 2, ux)));
	T_ASSERT(!cty_value_raw_equal(cty_value_set(a, s, 2, xu), cty_value_set(a, s, 2, xy)));
	/* maps by key */
	const char *k1[] = { "a", "b" }, *k2[] = { "b", "a" }, *k3[] = { "a", "c" };
	T_ASSERT(cty_value_raw_equal(cty_value_map(a, s, 2, k1, xy), cty_value_map(a, s, 2, k2, yx)));
	T_ASSERT(!cty_value_raw_equal(cty_value_map(a, s, 2, k1, xy), cty_value_map(a, s, 2, k2, xy)));
	T_ASSERT(!cty_value_raw_equal(cty_value_map(a, s, 2, k1, xy), cty_value_map(a, s, 2, k3, xy)));
	base_arena_free(a);
}

void test_cty_equal__objects_from_wire(void)
{
	base_arena *a = base_arena_new();
	const cty_type *t = ctyt_type(a, "[\"object\",{\"id\":\"string\",\"name\":\"string\",\"size\":\"number\",\"tags\":[\"set\",\"string\"]}]");
	/* same object: keys in different orders, set elements in different orders, 5 vs "5" */
	const char m1[] = "\x84\xa2id\xd4\x00\x00\xa4name\xa3" "foo" "\xa4size\x05\xa4tags\x92\xa1" "a" "\xa1" "b";
	const char m2[] = "\x84\xa4tags\x92\xa1" "b" "\xa1" "a" "\xa4size\xa1" "5" "\xa4name\xa3" "foo" "\xa2id\xc7\x03\x0c\x81\x01\xc2";
	const cty_value *v1 = NULL, *v2 = NULL;
	T_OK(cty_msgpack_decode(a, t, m1, sizeof m1 - 1, &v1, NULL));
	T_OK(cty_msgpack_decode(a, t, m2, sizeof m2 - 1, &v2, NULL));
	T_ASSERT(!cty_value_raw_equal(v1, v2)); /* refinement differs */
	T_ASSERT(cty_value_equal_known(v1, v2));
	const cty_value *v3 = cty_value_with_attr(a, v2, "name", cty_value_string(a, "bar"));
	T_ASSERT(!cty_value_equal_known(v1, v3));
	const cty_value *v4 = cty_value_with_attr(a, v1, "id", cty_value_string(a, "i-1"));
	T_ASSERT(!cty_value_equal_known(v1, v4));
	T_ASSERT(cty_value_raw_equal(v4, v4));
	base_arena_free(a);
}
