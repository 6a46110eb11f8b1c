/* cty_type_test.c - types: constructors, lookup, equality, type JSON round trips. */
#include <string.h>

#include "base/base_alloc.h"
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_diag.h"
#include "cty/cty_json.h"
#include "cty/cty_type.h"
#include "cty_testutil.h"
#include "t.h"

void test_cty_type__primitives(void)
{
	T_ASSERT_INT(cty_type_kind_of(cty_type_string()), CTY_T_STRING);
	T_ASSERT_INT(cty_type_kind_of(cty_type_number()), CTY_T_NUMBER);
	T_ASSERT_INT(cty_type_kind_of(cty_type_bool()), CTY_T_BOOL);
	T_ASSERT_INT(cty_type_kind_of(cty_type_dynamic()), CTY_T_DYNAMIC);
	T_ASSERT(cty_type_is_primitive(cty_type_bool()));
	T_ASSERT(!cty_type_is_primitive(cty_type_dynamic()));
	T_ASSERT(cty_type_equal(cty_type_string(), cty_type_string()));
	T_ASSERT(!cty_type_equal(cty_type_string(), cty_type_number()));
	T_ASSERT(!cty_type_equal(cty_type_dynamic(), cty_type_number()));
}

void test_cty_type__object_sorted_lookup(void)
{
	base_arena *a = base_arena_new();
	const char *names[] = { "zeta", "alpha", "Mid" };
	const cty_type *types[] = { cty_type_bool(), cty_type_string(), cty_type_number() };
	const cty_type *o = cty_type_object(a, 3, names, types, NULL);
	T_ASSERT_INT(cty_type_attr_count(o), 3);
	T_ASSERT_STR(cty_type_attr_name(o, 0), "Mid");
	T_ASSERT_STR(cty_type_attr_name(o, 1), "alpha");
	T_ASSERT_STR(cty_type_attr_name(o, 2), "zeta");
	T_ASSERT_INT(cty_type_attr_index(o, "zeta"), 2);
	T_ASSERT_INT(cty_type_attr_index(o, "nope"), -1);
	T_ASSERT_INT(cty_type_attr_index(cty_type_string(), "x"), -1);
	T_ASSERT(cty_type_attr(o, "alpha") == cty_type_string());
	T_ASSERT(cty_type_attr(o, "beta") == NULL);
	T_ASSERT(!cty_type_attr_optional(o, 0));
	/* equal to the same type built in another order, not to a different one */
	const char *names2[] = { "alpha", "Mid", "zeta" };
	const cty_type *types2[] = { cty_type_string(), cty_type_number(), cty_type_bool() };
	T_ASSERT(cty_type_equal(o, cty_type_object(a, 3, names2, types2, NULL)));
	types2[2] = cty_type_string();
	T_ASSERT(!cty_type_equal(o, cty_type_object(a, 3, names2, types2, NULL)));
	T_ASSERT(!cty_type_equal(o, cty_type_object(a, 2, names2, types2, NULL)));
	base_arena_free(a);
}

void test_cty_type__collections_conform_clone(void)
{
	base_arena *a = base_arena_new();
	const cty_type *ls = cty_type_list(a, cty_type_string());
	const cty_type *ld = cty_type_list(a, cty_type_dynamic());
	T_ASSERT(cty_type_is_collection(ls));
	T_ASSERT(cty_type_elem(ls) == cty_type_string());
	T_ASSERT(cty_type_equal(ls, cty_type_list(a, cty_type_string())));
	T_ASSERT(!cty_type_equal(ls, cty_type_set(a, cty_type_string())));
	T_ASSERT(!cty_type_equal(ls, ld));
	T_ASSERT(cty_type_conforms(ls, ld));
	T_ASSERT(!cty_type_conforms(ld, ls));
	T_ASSERT(cty_type_conforms(ls, cty_type_dynamic()));
	T_ASSERT(cty_type_has_dynamic(ld));
	T_ASSERT(!cty_type_has_dynamic(ls));
	const cty_type *tt[] = { cty_type_string(), ld };
	const cty_type *tup = cty_type_tuple(a, 2, tt);
	T_ASSERT_INT(cty_type_tuple_len(tup), 2);
	T_ASSERT(cty_type_tuple_elem(tup, 1) == ld);
	base_arena *b = base_arena_new();
	const cty_type *c = cty_type_clone(b, tup);
	base_arena_free(a);
	T_ASSERT_STR(ctyt_type_json(b, c), "[\"tuple\",[\"string\",[\"list\",\"dynamic\"]]]");
	base_arena_free(b);
}

static void json_row(base_arena *a, char *line, int lineno)
{
	(void)lineno;
	char *f[2];
	T_ASSERT(ctyt_split(line, f, 2) == 2);
	const char *want = strcmp(f[1], "=") == 0 ? f[0] : f[1];
	const cty_type *t = NULL;
	base_diags *d = base_diags_new(a);
	T_ASSERT_MSG(cty_json_type_decode(a, f[0], strlen(f[0]), &t, d) == 0, "decode %s", f[0]);
	base_buf out;
	base_buf_init(&out, 0);
	T_OK(cty_json_type_encode(t, &out));
	int same = strcmp(base_buf_cstr(&out), want) == 0;
	if (!same)
		t__fail(__FILE__, __LINE__, "%s -> %s, want %s", f[0], base_buf_cstr(&out), want);
	/* decoding the output gives an equal type */
	const cty_type *t2 = NULL;
	int rc = cty_json_type_decode(a, out.data, out.len, &t2, NULL);
	base_buf_dispose(&out);
	if (!same)
		return;
	T_ASSERT(rc == 0 && cty_type_equal(t, t2));
}

void test_cty_type__json_fixture(void)
{
	T_ASSERT(ctyt_each_line("tests/data/cty/type_json.txt", json_row) >= 20);
}

void test_cty_type__json_optional_attrs(void)
{
	base_arena *a = base_arena_new();
	const cty_type *t = ctyt_type(a, "[\"object\",{\"a\":\"string\",\"b\":\"number\",\"c\":\"bool\"},[\"c\",\"a\"]]");
	T_ASSERT(cty_type_attr_optional(t, 0));
	T_ASSERT(!cty_type_attr_optional(t, 1));
	T_ASSERT(cty_type_attr_optional(t, 2));
	T_ASSERT_STR(ctyt_type_json(a, t), "[\"object\",{\"a\":\"string\",\"b\":\"number\",\"c\":\"bool\"},[\"a\",\"c\"]]");
	base_arena_free(a);
}

static void reject_row(base_arena *a, char *line, int lineno)
{
	(void)lineno;
	const cty_type *t = cty_type_string();
	base_diags *d = base_diags_new(a);
	int rc = cty_json_type_decode(a, line, strlen(line), &t, d);
	if (rc != BASE_EINVALID || t != NULL || base_diags_count(d) != 1) {
		t__fail(__FILE__, __LINE__, "accepted bad type JSON: %s", line);
		return;
	}
	T_ASSERT_STR(base_diags_first(d)->summary, "Invalid type JSON");
}

void test_cty_type__json_reject(void)
{
	T_ASSERT(ctyt_each_line("tests/data/cty/type_json_reject.txt", reject_row) >= 20);
}

void test_cty_type__json_exact_bytes_schema_forms(void)
{
	/* PROTOCOL 2.4: the primitive includes the quotes: 8 bytes for "string" */
	base_buf out;
	base_buf_init(&out, 0);
	T_OK(cty_json_type_encode(cty_type_string(), &out));
	T_ASSERT_MEM(out.data, out.len, "\"string\"", 8);
	base_buf_dispose(&out);
	base_buf_init(&out, 5);
	T_ASSERT_INT(cty_json_type_encode(cty_type_string(), &out), BASE_ETOOBIG);
	base_buf_dispose(&out);
}
