/* cty_msgpack_test.c - msgpack codec: byte-exact vectors both ways, rejects with paths. */
#include <stdio.h>
#include <string.h>

#include "base/base_alloc.h"
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_diag.h"
#include "cty/cty_equal.h"
#include "cty/cty_json.h"
#include "cty/cty_msgpack.h"
#include "cty/cty_value.h"
#include "cty_testutil.h"
#include "t.h"

#define ROUNDTRIP "tests/data/cty/msgpack_roundtrip.txt"
#define REJECT "tests/data/cty/msgpack_reject.txt"

/* Every line of the round-trip fixture: decode, re-encode, compare bytes. */
static void roundtrip_row(base_arena *a, char *line, int lineno)
{
	char *f[3];
	const cty_type *t = ctyt_row3(a, line, f);
	T_ASSERT_MSG(t, "bad fixture line %d", lineno);
	size_t in_len, want_len;
	unsigned char *in = ctyt_unhex(a, f[1], &in_len);
	unsigned char *want = strcmp(f[2], "=") == 0 ? in : ctyt_unhex(a, f[2], &want_len);
	if (want == in)
		want_len = in_len;
	T_ASSERT_MSG(in && want, "bad hex on fixture line %d", lineno);
	base_diags *d = base_diags_new(a);
	const cty_value *v = NULL;
	int rc = cty_msgpack_decode(a, t, in, in_len, &v, d);
	T_ASSERT_MSG(rc == 0 && v, "decode failed (%d) for %s | %s: %s", rc, f[0], f[1],
	             base_diags_first(d) ? base_diags_first(d)->detail : "");
	T_ASSERT_INT(base_diags_count(d), 0);
	base_buf out;
	base_buf_init(&out, 0);
	rc = cty_msgpack_encode_as(t, v, &out);
	if (rc != 0 || out.len != want_len || memcmp(out.data, want, want_len) != 0) {
		t__fail(__FILE__, __LINE__, "vector %s | %s: rc=%d got %s", f[0], f[1], rc,
		        t_hex(out.data, out.len));
		base_buf_dispose(&out);
		return;
	}
	/* the re-encoding decodes to a raw-equal value (idempotence) */
	const cty_value *v2 = NULL;
	rc = cty_msgpack_decode(a, t, out.data, out.len, &v2, NULL);
	base_buf_dispose(&out);
	T_ASSERT_MSG(rc == 0 && cty_value_equal_known(v, v2), "re-decode differs: %s", f[1]);
}

void test_cty_msgpack__fixture_roundtrip(void)
{
	T_ASSERT(ctyt_each_line(ROUNDTRIP, roundtrip_row) >= 90);
}

static void reject_row(base_arena *a, char *line, int lineno)
{
	char *f[3];
	const cty_type *t = ctyt_row3(a, line, f);
	T_ASSERT_MSG(t, "bad fixture line %d", lineno);
	size_t in_len;
	unsigned char *in = ctyt_unhex(a, f[1], &in_len);
	T_ASSERT_MSG(in, "bad hex on fixture line %d", lineno);
	base_diags *d = base_diags_new(a);
	const cty_value *v = cty_value_null(t);
	int rc = cty_msgpack_decode(a, t, in, in_len, &v, d);
	T_ASSERT_MSG(rc == BASE_EINVALID, "line %d (%s | %s): rc %d, want EINVALID", lineno, f[0], f[1], rc);
	T_ASSERT_MSG(v == NULL, "line %d: *out not NULL on failure", lineno);
	T_ASSERT_INT(base_diags_count(d), 1);
	const base_diag *dg = base_diags_first(d);
	T_ASSERT_INT(dg->severity, BASE_SEV_ERROR);
	T_ASSERT_STR(dg->summary, "Invalid msgpack value");
	const char *want = strcmp(f[2], "-") == 0 ? "" : f[2];
	const char *got = dg->has_path ? base_path_str(a, dg->path) : "";
	T_ASSERT_MSG(strcmp(got, want) == 0, "line %d: path \"%s\", want \"%s\" (%s)", lineno, got,
	             want, dg->detail);
	/* without a diags list the code is the same */
	v = NULL;
	T_ASSERT_INT(cty_msgpack_decode(a, t, in, in_len, &v, NULL), BASE_EINVALID);
}

void test_cty_msgpack__fixture_reject(void)
{
	T_ASSERT(ctyt_each_line(REJECT, reject_row) >= 25);
}

/* PROTOCOL.md 3.1 example built with the object builder, encoded byte-exact. */
void test_cty_msgpack__encode_built_object(void)
{
	base_arena *a = base_arena_new();
	const cty_type *t = ctyt_type(a, "[\"object\",{\"name\":\"string\",\"size\":\"number\",\"id\":\"string\"}]");
	cty_obj_builder b;
	cty_obj_builder_init(&b, a, t);
	T_ASSERT(cty_obj_builder_set(&b, "id", cty_value_unknown(cty_type_string())));
	T_ASSERT(cty_obj_builder_set(&b, "name", cty_value_string(a, "foo")));
	T_ASSERT(!cty_obj_builder_set(&b, "nope", NULL));
	const cty_value *v = cty_obj_builder_finish(&b);
	static const unsigned char want[] = { 0x83, 0xa2, 0x69, 0x64, 0xd4, 0x00, 0x00, 0xa4, 0x6e, 0x61,
		0x6d, 0x65, 0xa3, 0x66, 0x6f, 0x6f, 0xa4, 0x73, 0x69, 0x7a, 0x65, 0xc0 };
	T_OK(ctyt_msgpack_is(v, want, sizeof want));
	base_arena_free(a);
}

/* PROTOCOL.md 3.1 dynamic example, encoded from a string value as declared dynamic. */
void test_cty_msgpack__encode_dynamic_root(void)
{
	base_arena *a = base_arena_new();
	base_buf out;
	base_buf_init(&out, 0);
	T_OK(cty_msgpack_encode_as(cty_type_dynamic(), cty_value_string(a, "x"), &out));
	static const unsigned char want[] = { 0x92, 0xc4, 0x08, 0x22, 0x73, 0x74, 0x72, 0x69, 0x6e, 0x67,
		0x22, 0xa1, 0x78 };
	T_ASSERT_MEM(out.data, out.len, want, sizeof want);
	/* the same value encoded by its own type is a plain str */
	T_OK(ctyt_msgpack_is(cty_value_string(a, "x"), "\xa1x", 2));
	/* a value not conforming to the declared type */
	base_buf_reset(&out);
	T_ASSERT_INT(cty_msgpack_encode_as(cty_type_number(), cty_value_string(a, "x"), &out), BASE_EINVALID);
	base_buf_dispose(&out);
	base_arena_free(a);
}

void test_cty_msgpack__refinement_not_null_kept(void)
{
	base_arena *a = base_arena_new();
	const cty_value *v = NULL;
	T_OK(cty_msgpack_decode(a, cty_type_string(), "\xc7\x07\x0c\x82\x01\xc2\x02\xa2\x61\x62", 10, &v, NULL));
	T_ASSERT(cty_value_is_unknown(v));
	T_ASSERT(cty_value_unknown_is_not_null(v));
	T_OK(cty_msgpack_decode(a, cty_type_string(), "\xd4\x00\x00", 3, &v, NULL));
	T_ASSERT(cty_value_is_unknown(v));
	T_ASSERT(!cty_value_unknown_is_not_null(v));
	/* refined unknown still encodes as plain d4 00 00 */
	T_OK(ctyt_msgpack_is(cty_value_unknown_not_null(cty_type_number()), "\xd4\x00\x00", 3));
	base_arena_free(a);
}

/* Found by the cty_msgpack fuzz target (corpus regress-refined-unknown-
 * roundtrip: an unknown refined "not null", key 1 given twice): the target
 * compared the round trip with the refinement, which the encoder drops by
 * design. The value survives as Terraform >= 1.6 compares it. */
void test_cty_msgpack__refined_unknown_round_trip(void)
{
	base_arena *a = base_arena_new();
	const cty_value *v = NULL, *v2 = NULL;
	size_t len;
	char *in = t_read_file("tests/fuzz/cty_msgpack/regress-refined-unknown-roundtrip", &len);
	base_buf b;
	T_ASSERT(in);
	T_OK(cty_msgpack_decode(a, cty_type_string(), in, len, &v, NULL));
	T_ASSERT(cty_value_is_unknown(v) && cty_value_unknown_is_not_null(v));
	base_buf_init(&b, 0);
	T_OK(cty_msgpack_encode_as(cty_type_string(), v, &b));
	T_ASSERT_MEM(b.data, b.len, "\xd4\x00\x00", 3);
	T_OK(cty_msgpack_decode(a, cty_type_string(), b.data, b.len, &v2, NULL));
	T_ASSERT(cty_value_equal_known(v, v2));
	T_ASSERT(!cty_value_raw_equal(v, v2));
	base_buf_dispose(&b);
	base_free(in);
	base_arena_free(a);
}

void test_cty_msgpack__long_strings(void)
{
	base_arena *a = base_arena_new();
	char s[300];
	memset(s, 'a', sizeof s);
	base_buf out;
	base_buf_init(&out, 0);
	/* 31 bytes: fixstr; 32: str8; 256: str16 */
	const size_t lens[] = { 31, 32, 255, 256 };
	const char *hdr[] = { "\xbf", "\xd9\x20", "\xd9\xff", "\xda\x01\x00" };
	const size_t hlen[] = { 1, 2, 2, 3 };
	for (size_t i = 0; i < 4; i++) {
		base_buf_reset(&out);
		T_OK(cty_msgpack_encode(cty_value_string_n(a, s, lens[i]), &out));
		T_ASSERT_INT(out.len, hlen[i] + lens[i]);
		T_ASSERT(memcmp(out.data, hdr[i], hlen[i]) == 0);
		const cty_value *v = NULL;
		T_OK(cty_msgpack_decode(a, cty_type_string(), out.data, out.len, &v, NULL));
		T_ASSERT_INT(cty_value_string_len(v), lens[i]);
	}
	/* a string with a NUL byte survives */
	base_buf_dispose(&out);
	T_OK(ctyt_msgpack_is(cty_value_string_n(a, "a\0b", 3), "\xa3" "a\0b", 4));
	base_arena_free(a);
}

void test_cty_msgpack__decoded_values(void)
{
	base_arena *a = base_arena_new();
	const cty_type *t = ctyt_type(a, "[\"object\",{\"n\":\"number\",\"l\":[\"list\",\"string\"],\"m\":[\"map\",\"number\"]}]");
	/* {n: "0.1", l: ["a", unknown], m: {b: 2, a: 1}} */
	const char in[] = "\x83\xa1n\xa3" "0.1" "\xa1l\x92\xa1" "a" "\xd4\x00\x00\xa1m\x82\xa1" "b" "\x02\xa1" "a" "\x01";
	const cty_value *v = NULL;
	T_OK(cty_msgpack_decode(a, t, in, sizeof in - 1, &v, NULL));
	T_ASSERT_INT(cty_value_kind(v), CTY_OBJECT);
	T_ASSERT(!cty_value_is_known(v));
	const cty_value *n = cty_value_get_attr(v, "n");
	T_ASSERT_STR(cty_value_number_text_of(n), "0.1");
	double dd;
	T_OK(cty_value_as_double(n, &dd));
	T_ASSERT(dd == 0.1);
	int64_t i64;
	T_ASSERT_INT(cty_value_as_int64(n, &i64), BASE_EINVALID);
	const cty_value *l = cty_value_get_attr(v, "l");
	T_ASSERT_INT(cty_value_len(l), 2);
	T_ASSERT_STR(cty_value_as_string(cty_value_index(l, 0)), "a");
	T_ASSERT(cty_value_is_unknown(cty_value_index(l, 1)));
	const cty_value *m = cty_value_get_attr(v, "m");
	T_ASSERT_STR(cty_value_map_key(m, 0), "a");
	T_ASSERT_STR(cty_value_map_key(m, 1), "b");
	T_OK(cty_value_as_int64(cty_value_map_get(m, "b"), &i64));
	T_ASSERT_INT(i64, 2);
	T_ASSERT(cty_value_get_attr(v, "zz") == NULL);
	base_arena_free(a);
}

void test_cty_msgpack__empty_input_is_null(void)
{
	base_arena *a = base_arena_new();
	const cty_value *v = NULL;
	T_OK(cty_msgpack_decode(a, cty_type_string(), "", 0, &v, NULL));
	T_ASSERT(cty_value_is_null(v));
	base_arena_free(a);
}

void test_cty_msgpack__buffer_cap(void)
{
	base_arena *a = base_arena_new();
	base_buf out;
	base_buf_init(&out, 4);
	T_ASSERT_INT(cty_msgpack_encode(cty_value_string(a, "hello world"), &out), BASE_ETOOBIG);
	base_buf_dispose(&out);
	base_arena_free(a);
}
