/* cty_value_test.c - constructors, getters, builder, with_attr, clone, numbers. */
#include <math.h>
#include <string.h>

#include "base/base_arena.h"
#include "base/base_buf.h"
#include "cty/cty_equal.h"
#include "cty/cty_msgpack.h"
#include "cty/cty_value.h"
#include "cty_testutil.h"
#include "t.h"

void test_cty_value__null_unknown_singletons(void)
{
	base_arena *a = base_arena_new();
	const cty_type *lt = cty_type_list(a, cty_type_string());
	const cty_value *n = cty_value_null(lt), *u = cty_value_unknown(lt);
	T_ASSERT_INT(cty_value_kind(n), CTY_NULL);
	T_ASSERT_INT(cty_value_kind(u), CTY_UNKNOWN);
	T_ASSERT(cty_value_type(n) == lt && cty_value_type(u) == lt);
	T_ASSERT(cty_value_is_null(n) && !cty_value_is_unknown(n));
	T_ASSERT(cty_value_is_known(n));
	T_ASSERT(!cty_value_is_known(u));
	T_ASSERT(cty_value_unknown_is_not_null(cty_value_unknown_not_null(lt)));
	T_ASSERT(!cty_value_unknown_is_not_null(u));
	T_ASSERT_INT(cty_value_len(n), 0);
	T_ASSERT(cty_value_as_string(n) == NULL);
	T_ASSERT(cty_value_type(cty_value_bool(true)) == cty_type_bool());
	T_ASSERT(cty_value_as_bool(cty_value_bool(true)));
	T_ASSERT(!cty_value_as_bool(cty_value_bool(false)));
	T_ASSERT_STR(cty_kind_name(CTY_UNKNOWN), "unknown");
	base_arena_free(a);
}

void test_cty_value__numbers(void)
{
	base_arena *a = base_arena_new();
	int64_t i;
	double d;
	const cty_value *v = cty_value_number_int(a, -42);
	T_OK(cty_value_as_int64(v, &i));
	T_ASSERT_INT(i, -42);
	T_OK(cty_value_as_int64(cty_value_number_int(a, INT64_MIN), &i));
	T_ASSERT(i == INT64_MIN);
	T_ASSERT_INT(cty_value_as_int64(cty_value_number_uint(a, UINT64_MAX), &i), BASE_EINVALID);
	T_OK(cty_value_as_int64(cty_value_number_text(a, "1.0"), &i));
	T_ASSERT_INT(i, 1);
	T_OK(cty_value_as_int64(cty_value_number_text(a, "1e3"), &i));
	T_ASSERT_INT(i, 1000);
	T_ASSERT_INT(cty_value_as_int64(cty_value_number_text(a, "1.5"), &i), BASE_EINVALID);
	T_ASSERT_INT(cty_value_as_int64(cty_value_number_text(a, "9223372036854775808"), &i), BASE_EINVALID);
	T_OK(cty_value_as_int64(cty_value_number_text(a, "-9223372036854775808"), &i));
	T_ASSERT(i == INT64_MIN);
	T_OK(cty_value_as_int64(cty_value_number_double(a, 4096.0), &i));
	T_ASSERT_INT(i, 4096);
	T_ASSERT_INT(cty_value_as_int64(cty_value_number_double(a, 9223372036854775808.0), &i), BASE_EINVALID);
	T_OK(cty_value_as_double(cty_value_number_text(a, "0.25"), &d));
	T_ASSERT(d == 0.25);
	T_ASSERT_INT(cty_value_as_double(cty_value_number_text(a, "1e400"), &d), BASE_EINVALID);
	T_OK(cty_value_as_double(cty_value_number_text(a, "-Inf"), &d));
	T_ASSERT(isinf(d) && d < 0);
	T_ASSERT_INT(cty_value_as_double(cty_value_string(a, "1"), &d), BASE_EINVALID);
	const cty_value *bad = cty_value_string(a, "x");
	T_ASSERT_INT(cty_value_number_parse(a, "1.2.3", &bad), BASE_EINVALID);
	T_ASSERT(bad == NULL);
	const char *invalid[] = { "", "-", ".", "1e", "1e+", "abc", "0x10", "1 ", " 1", "NaN" };
	for (size_t k = 0; k < sizeof invalid / sizeof invalid[0]; k++)
		T_ASSERT_MSG(cty_value_number_parse(a, invalid[k], &bad) == BASE_EINVALID, "accepted \"%s\"", invalid[k]);
	/* too large for a plain decimal of 4096 characters (issue 12) */
	const char *huge[] = { "1e999999999", "1e99999", "-1e4096", "1e-4095" };
	for (size_t k = 0; k < sizeof huge / sizeof huge[0]; k++)
		T_ASSERT_MSG(cty_value_number_parse(a, huge[k], &bad) == BASE_ETOOBIG, "accepted \"%s\"", huge[k]);
	T_ASSERT_STR(cty_value_number_canon(cty_value_number_text(a, "+000123.4500")), "123.45");
	T_ASSERT_STR(cty_value_number_text_of(cty_value_number_text(a, "+000123.4500")), "+000123.4500");
	T_ASSERT_STR(cty_value_number_canon(cty_value_number_text(a, ".5")), "0.5");
	T_ASSERT_STR(cty_value_number_canon(cty_value_number_double(a, -0.0)), "0");
	T_ASSERT_STR(cty_value_number_canon(cty_value_number_double(a, 0.1)), "0.1");
	T_ASSERT_STR(cty_value_number_canon(cty_value_number_double(a, 1.0 / 3)), "0.3333333333333333");
	T_ASSERT_STR(cty_value_number_canon(cty_value_number_double(a, -2.5e-5)), "-0.000025");
	T_ASSERT_STR(cty_value_number_canon(cty_value_number_double(a, 9223372036854775808.0)), "9223372036854775808");
	base_arena_free(a);
}

void test_cty_value__strings(void)
{
	base_arena *a = base_arena_new();
	char buf[] = "hello";
	const cty_value *v = cty_value_string(a, buf);
	buf[0] = 'j'; /* copied */
	T_ASSERT_STR(cty_value_as_string(v), "hello");
	T_ASSERT_INT(cty_value_string_len(v), 5);
	v = cty_value_string_n(a, "a\0b", 3);
	T_ASSERT_INT(cty_value_string_len(v), 3);
	T_ASSERT(memcmp(cty_value_as_string(v), "a\0b", 4) == 0);
	T_ASSERT_INT(cty_value_string_len(cty_value_string_n(a, NULL, 0)), 0);
	base_arena_free(a);
}

void test_cty_value__collections(void)
{
	base_arena *a = base_arena_new();
	const cty_value *e[] = { cty_value_string(a, "b"), cty_value_string(a, "a"), cty_value_string(a, "b"),
		cty_value_unknown(cty_type_string()), cty_value_unknown(cty_type_string()) };
	const cty_value *l = cty_value_list(a, cty_type_string(), 5, e);
	T_ASSERT_INT(cty_value_kind(l), CTY_LIST);
	T_ASSERT_INT(cty_value_len(l), 5);
	T_ASSERT(!cty_value_is_known(l));
	const cty_value *s = cty_value_set(a, cty_type_string(), 5, e);
	T_ASSERT_INT(cty_value_len(s), 4); /* "b" merged, unknowns kept apart */
	const cty_value *s2 = cty_value_set(a, cty_type_string(), 3, e);
	T_ASSERT_INT(cty_value_len(s2), 2);
	T_ASSERT(cty_value_is_known(s2));
	const cty_value *empty = cty_value_list(a, cty_type_number(), 0, NULL);
	T_ASSERT_INT(cty_value_len(empty), 0);
	T_ASSERT(!cty_value_is_null(empty));
	const char *keys[] = { "z", "a", "m", "a" };
	const cty_value *vals[] = { cty_value_number_int(a, 1), cty_value_number_int(a, 2), cty_value_number_int(a, 3),
		cty_value_number_int(a, 4) };
	const cty_value *m = cty_value_map(a, cty_type_number(), 4, keys, vals);
	T_ASSERT_INT(cty_value_len(m), 3);
	T_ASSERT_STR(cty_value_map_key(m, 0), "a");
	T_ASSERT_STR(cty_value_map_key(m, 1), "m");
	T_ASSERT_STR(cty_value_map_key(m, 2), "z");
	T_ASSERT_STR(cty_value_number_text_of(cty_value_map_get(m, "a")), "4"); /* last wins */
	T_ASSERT(cty_value_map_get(m, "q") == NULL);
	const cty_type *tt[] = { cty_type_string(), cty_type_dynamic() };
	const cty_type *tup = cty_type_tuple(a, 2, tt);
	const cty_value *te[] = { cty_value_string(a, "x"), cty_value_bool(true) };
	const cty_value *tv = cty_value_tuple(a, tup, te);
	T_ASSERT_INT(cty_value_len(tv), 2);
	T_ASSERT(cty_value_type(cty_value_index(tv, 1)) == cty_type_bool());
	base_arena_free(a);
}

void test_cty_value__objects(void)
{
	base_arena *a = base_arena_new();
	const cty_type *inner = ctyt_type(a, "[\"object\",{\"x\":\"string\"}]");
	const char *names[] = { "name", "size", "inner" };
	const cty_type *types[] = { cty_type_string(), cty_type_number(), inner };
	const cty_type *t = cty_type_object(a, 3, names, types, NULL);
	cty_obj_builder b;
	cty_obj_builder_init(&b, a, t);
	T_ASSERT(cty_obj_builder_set(&b, "name", cty_value_string(a, "n1")));
	const cty_value *o = cty_obj_builder_finish(&b);
	T_ASSERT_INT(cty_value_len(o), 3);
	T_ASSERT_STR(cty_value_as_string(cty_value_get_attr(o, "name")), "n1");
	T_ASSERT(cty_value_is_null(cty_value_get_attr(o, "size")));
	T_ASSERT(cty_value_type(cty_value_get_attr(o, "size")) == cty_type_number());
	T_ASSERT(cty_value_get_attr(o, "nope") == NULL);
	/* attributes of a null / unknown object */
	const cty_value *gx = cty_value_get_attr(cty_value_get_attr(o, "inner"), "x");
	T_ASSERT(gx && cty_value_is_null(gx) && cty_value_type(gx) == cty_type_string());
	gx = cty_value_get_attr(cty_value_unknown(inner), "x");
	T_ASSERT(gx && cty_value_is_unknown(gx));
	/* with_attr returns a new object; the old one is unchanged */
	const cty_value *o2 = cty_value_with_attr(a, o, "size", cty_value_number_int(a, 7));
	T_ASSERT(o2 != NULL);
	T_ASSERT(cty_value_is_null(cty_value_get_attr(o, "size")));
	T_ASSERT_STR(cty_value_number_text_of(cty_value_get_attr(o2, "size")), "7");
	T_ASSERT_STR(cty_value_as_string(cty_value_get_attr(o2, "name")), "n1");
	T_ASSERT(cty_value_with_attr(a, o, "nope", NULL) == NULL);
	T_ASSERT(cty_value_with_attr(a, cty_value_null(t), "size", NULL) == NULL);
	/* object(attrs) in type order, NULL = null */
	const cty_value *attrs[] = { NULL, cty_value_string(a, "nm"), cty_value_unknown(cty_type_number()) };
	const cty_value *o3 = cty_value_object(a, t, attrs); /* sorted: inner, name, size */
	T_ASSERT(cty_value_is_null(cty_value_index(o3, 0)));
	T_ASSERT_STR(cty_value_as_string(cty_value_index(o3, 1)), "nm");
	T_ASSERT(!cty_value_is_known(o3));
	/* builder reuse after finish */
	T_ASSERT(cty_obj_builder_set(&b, "name", NULL));
	T_ASSERT(cty_value_is_null(cty_value_get_attr(cty_obj_builder_finish(&b), "name")));
	T_ASSERT_STR(cty_value_as_string(cty_value_get_attr(o, "name")), "n1");
	base_arena_free(a);
}

void test_cty_value__marks(void)
{
	base_arena *a = base_arena_new();
	const cty_value *s = cty_value_string(a, "secret");
	const cty_value *m = cty_value_with_marks(a, s, CTY_MARK_SENSITIVE);
	T_ASSERT_INT(cty_value_marks(s), 0);
	T_ASSERT_INT(cty_value_marks(m), CTY_MARK_SENSITIVE);
	T_ASSERT(cty_value_raw_equal(s, m)); /* marks ignored by equality */
	const cty_value *mb = cty_value_with_marks(a, cty_value_bool(true), CTY_MARK_SENSITIVE);
	T_ASSERT(cty_value_type(mb) == cty_type_bool());
	T_ASSERT_INT(cty_value_marks(cty_value_bool(true)), 0);
	const cty_value *mn = cty_value_with_marks(a, cty_value_null(cty_type_string()), CTY_MARK_SENSITIVE);
	T_ASSERT(cty_value_is_null(mn));
	T_ASSERT_INT(cty_value_marks(cty_value_null(cty_type_string())), 0);
	/* marks never reach the wire */
	T_OK(ctyt_msgpack_is(m, "\xa6secret", 7));
	base_arena_free(a);
}

void test_cty_value__clone_outlives_source(void)
{
	base_arena *a = base_arena_new();
	const cty_type *t = ctyt_type(a, "[\"object\",{\"l\":[\"list\",\"number\"],\"m\":[\"map\",\"string\"],\"d\":\"dynamic\",\"u\":\"string\",\"b\":\"bool\"}]");
	const char mp[] = "\x85\xa1" "b" "\xc3\xa1" "d" "\x92\xc4\x08\"string\"\xa1" "z" "\xa1l\x92\x01\xa3" "0.1" "\xa1m\x81\xa1k\xa1v\xa1u\xc7\x03\x0c\x81\x01\xc2";
	const cty_value *v = NULL;
	T_OK(cty_msgpack_decode(a, t, mp, sizeof mp - 1, &v, NULL));
	base_arena *b = base_arena_new();
	const cty_value *c = cty_value_clone(b, cty_value_with_marks(a, v, CTY_MARK_SENSITIVE));
	T_ASSERT(cty_value_raw_equal(v, c));
	base_buf o1, o2;
	base_buf_init(&o1, 0);
	base_buf_init(&o2, 0);
	T_OK(cty_msgpack_encode(v, &o1));
	base_arena_free(a);
	T_OK(cty_msgpack_encode(c, &o2));
	T_ASSERT_MEM(o2.data, o2.len, o1.data, o1.len);
	T_ASSERT_INT(cty_value_marks(c), CTY_MARK_SENSITIVE);
	T_ASSERT(cty_value_unknown_is_not_null(cty_value_get_attr(c, "u")));
	T_ASSERT_STR(cty_value_number_text_of(cty_value_index(cty_value_get_attr(c, "l"), 1)), "0.1");
	base_buf_dispose(&o1);
	base_buf_dispose(&o2);
	base_arena_free(b);
}
