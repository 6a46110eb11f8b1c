/* cty_json_test.c - JSON value codec: exact round trips, numbers, rejects with paths. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

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

static void roundtrip_row(base_arena *a, char *line, int lineno)
{
	(void)lineno;
	char *f[3];
	const cty_type *t = ctyt_row3(a, line, f);
	T_ASSERT(t);
	const char *want = strcmp(f[2], "=") == 0 ? f[1] : f[2];
	const cty_value *v = NULL;
	base_diags *d = base_diags_new(a);
	int rc = cty_json_decode(a, t, f[1], strlen(f[1]), 0, &v, d);
	if (rc != 0) {
		t__fail(__FILE__, __LINE__, "decode %s | %s: %d %s", f[0], f[1], rc,
		        base_diags_first(d) ? base_diags_first(d)->detail : "");
		return;
	}
	base_buf out;
	base_buf_init(&out, 0);
	rc = cty_json_encode_as(t, v, &out);
	int same = rc == 0 && strcmp(base_buf_cstr(&out), want) == 0;
	if (!same)
		t__fail(__FILE__, __LINE__, "%s | %s -> rc %d %s, want %s", f[0], f[1], rc,
		        base_buf_cstr(&out), want);
	/* JSON -> value -> msgpack -> value is the same value */
	base_buf mp;
	base_buf_init(&mp, 0);
	const cty_value *v2 = NULL;
	int rc2 = cty_msgpack_encode_as(t, v, &mp);
	if (rc2 == 0)
		rc2 = cty_msgpack_decode(a, t, mp.data, mp.len, &v2, NULL);
	base_buf_dispose(&mp);
	base_buf_dispose(&out);
	if (!same)
		return;
	T_ASSERT_MSG(rc2 == 0 && cty_value_raw_equal(v, v2), "msgpack round trip of %s", f[1]);
}

void test_cty_json__fixture_roundtrip(void)
{
	T_ASSERT(ctyt_each_line("tests/data/cty/json_roundtrip.txt", roundtrip_row) >= 35);
}

static void reject_row(base_arena *a, char *line, int lineno)
{
	(void)lineno;
	char *f[3];
	const cty_type *t = ctyt_row3(a, line, f);
	T_ASSERT(t);
	const cty_value *v = cty_value_null(t);
	base_diags *d = base_diags_new(a);
	int rc = cty_json_decode(a, t, f[1], strlen(f[1]), 0, &v, d);
	if (rc != BASE_EINVALID || v != NULL || base_diags_count(d) != 1) {
		t__fail(__FILE__, __LINE__, "accepted %s | %s (rc %d)", f[0], f[1], rc);
		return;
	}
	const base_diag *dg = base_diags_first(d);
	const char *got = dg->has_path ? base_path_str(a, dg->path) : "";
	const char *want = strcmp(f[2], "-") == 0 ? "" : f[2];
	if (strcmp(got, want) != 0) {
		t__fail(__FILE__, __LINE__, "%s: path \"%s\", want \"%s\"", f[1], got, want);
		return;
	}
	T_ASSERT_STR(dg->summary, "Invalid JSON value");
}

void test_cty_json__fixture_reject(void)
{
	T_ASSERT(ctyt_each_line("tests/data/cty/json_reject.txt", reject_row) >= 18);
}

void test_cty_json__empty_and_extra(void)
{
	base_arena *a = base_arena_new();
	const cty_value *v = NULL;
	T_ASSERT_INT(cty_json_decode(a, cty_type_string(), "", 0, 0, &v, NULL), BASE_EINVALID);
	T_ASSERT_INT(cty_json_decode(a, cty_type_string(), "  ", 2, 0, &v, NULL), BASE_EINVALID);
	const cty_type *t = ctyt_type(a, "[\"object\",{\"a\":\"string\"}]");
	const char *js = "{\"a\":\"x\",\"old\":[1,2]}";
	T_ASSERT_INT(cty_json_decode(a, t, js, strlen(js), 0, &v, NULL), BASE_EINVALID);
	T_OK(cty_json_decode(a, t, js, strlen(js), CTY_JSON_ALLOW_EXTRA, &v, NULL));
	T_ASSERT_STR(cty_value_as_string(cty_value_get_attr(v, "a")), "x");
	/* deep nesting is refused, not a stack overflow */
	char deep[2001];
	memset(deep, '[', 2000);
	deep[2000] = '\0';
	T_ASSERT_INT(cty_json_decode(a, cty_type_dynamic(), deep, 2000, 0, &v, NULL), BASE_EINVALID);
	base_arena_free(a);
}

void test_cty_json__unknown_not_encodable(void)
{
	base_arena *a = base_arena_new();
	const cty_type *t = ctyt_type(a, "[\"object\",{\"a\":\"string\",\"b\":[\"list\",\"number\"]}]");
	const cty_value *l[] = { cty_value_number_int(a, 1), cty_value_unknown(cty_type_number()) };
	cty_obj_builder b;
	cty_obj_builder_init(&b, a, t);
	T_ASSERT(cty_obj_builder_set(&b, "b", cty_value_list(a, cty_type_number(), 2, l)));
	base_buf out;
	base_buf_init(&out, 0);
	T_ASSERT_INT(cty_json_encode(cty_obj_builder_finish(&b), &out), BASE_EINVALID);
	base_buf_reset(&out);
	T_ASSERT_INT(cty_json_encode(cty_value_unknown(cty_type_string()), &out), BASE_EINVALID);
	base_buf_reset(&out);
	T_ASSERT_INT(cty_json_encode(cty_value_number_double(a, 1.0 / 0.0), &out), BASE_EINVALID);
	base_buf_dispose(&out);
	base_arena_free(a);
}

void test_cty_json__numbers_exact(void)
{
	base_arena *a = base_arena_new();
	struct { const char *in, *canon; } cases[] = {
		{ "0.1", "0.1" }, { "100", "100" }, { "-0.0", "0" }, { "1e-2", "0.01" },
		{ "12345678901234567890123456789", "12345678901234567890123456789" },
		{ "2.50e2", "250" }, { "-7E+1", "-70" }, { "0.000", "0" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const cty_value *v = NULL;
		T_OK(cty_json_decode(a, cty_type_number(), cases[i].in, strlen(cases[i].in), 0, &v, NULL));
		T_ASSERT_STR(cty_value_number_text_of(v), cases[i].in);
		T_ASSERT_STR(cty_value_number_canon(v), cases[i].canon);
		T_ASSERT_STR(ctyt_json(a, v), cases[i].canon);
	}
	/* a double renders as its shortest round-trip decimal */
	static const struct {
		double d;
		const char *json;
	} doubles[] = { { 0.1, "0.1" }, { 1e21, "1000000000000000000000" }, { 1.5e-7, "0.00000015" } };
	for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++)
		T_ASSERT_STR(ctyt_json(a, cty_value_number_double(a, doubles[i].d)), doubles[i].json);
	base_arena_free(a);
}

/* Issue 12, amplification: the fuzz corpus regression inputs. Each fails
 * with a clear error; the arena stays within the per-request budget and the
 * process peak grows by far less than the 975 MiB it once took. */
static void json_replay_reject(const char *name, const char *want)
{
	char path[256];
	snprintf(path, sizeof path, "tests/fuzz/cty_json/%s", name);
	size_t len;
	char *in = t_read_file(path, &len);
	T_ASSERT_MSG(in, "cannot read %s", path);
	base_arena *a = base_arena_new();
	base_diags *d = base_diags_new(a);
	const cty_value *v = NULL;
	struct rusage ru0, ru1;
	getrusage(RUSAGE_SELF, &ru0);
	T_ASSERT_INT(cty_json_decode(a, cty_type_dynamic(), in, len, 0, &v, d), BASE_EINVALID);
	getrusage(RUSAGE_SELF, &ru1);
	T_ASSERT_MSG(base_diags_first(d) && strstr(base_diags_first(d)->detail, want), "%s: got \"%s\"", name,
	             base_diags_first(d) ? base_diags_first(d)->detail : "(none)");
	T_ASSERT_MSG(base_arena_used(a) <= ((size_t)64 << 20) + 8192, "%s: arena %zu bytes", name,
	             base_arena_used(a));
	T_ASSERT_MSG(ru1.ru_maxrss - ru0.ru_maxrss < 256 * 1024, "%s: peak grew by %ld KiB", name,
	             ru1.ru_maxrss - ru0.ru_maxrss);
	base_arena_free(a);
	base_free(in);
}

void test_cty_json__huge_numbers_rejected(void)
{
	json_replay_reject("regress-number-1e99999", "number too large");
	json_replay_reject("regress-number-1e4000-budget", "number too large");
}

/* The limits themselves: 4096 characters pass, 4097 do not. */
void test_cty_json__number_length_limit(void)
{
	base_arena *a = base_arena_new();
	const cty_value *v = NULL;
	T_OK(cty_json_decode(a, cty_type_number(), "1e4095", 6, 0, &v, NULL));
	T_ASSERT_INT((int)strlen(cty_value_number_canon(v)), 4096);
	base_diags *d = base_diags_new(a);
	T_ASSERT_INT(cty_json_decode(a, cty_type_number(), "1e4096", 6, 0, &v, d), BASE_EINVALID);
	T_ASSERT(strstr(base_diags_first(d)->detail, "limited to 4096 characters"));
	T_ASSERT_INT(cty_json_decode(a, cty_type_number(), "-1e-4093", 8, 0, &v, NULL), BASE_OK);
	T_ASSERT_INT(cty_json_decode(a, cty_type_number(), "1e-4095", 7, 0, &v, NULL), BASE_EINVALID);
	base_arena_free(a);
}

/* Found by the cty_json fuzz target (corpus regress-invalid-utf8-roundtrip):
 * invalid UTF-8 decoded as raw bytes but encoded as \ufffd, so a state did
 * not survive a round trip. Now decoded as U+FFFD, one per bad byte, as Go. */
void test_cty_json__invalid_utf8_becomes_replacement(void)
{
	base_arena *a = base_arena_new();
	const cty_value *v = NULL, *v2 = NULL;
	static const char in[] = "\"a\xff\xfe"
	                         "b\xe2\x82\" ";
	T_OK(cty_json_decode(a, cty_type_string(), in, sizeof in - 1, 0, &v, NULL));
	T_ASSERT_STR(cty_value_as_string(v), "a\xef\xbf\xbd\xef\xbf\xbd"
	                                     "b\xef\xbf\xbd\xef\xbf\xbd");
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(cty_json_encode(v, &b));
	T_OK(cty_json_decode(a, cty_type_string(), b.data, b.len, 0, &v2, NULL));
	T_ASSERT(cty_value_raw_equal(v, v2));
	base_buf_dispose(&b);
	size_t len;
	char *state = t_read_file("tests/fuzz/cty_json/regress-invalid-utf8-roundtrip", &len);
	T_ASSERT(state);
	const char *tj = "[\"object\",{\"invoke_arn\":\"string\"}]";
	const cty_type *t = NULL;
	T_OK(cty_json_type_decode(a, tj, strlen(tj), &t, NULL));
	T_OK(cty_json_decode(a, t, state, len, CTY_JSON_ALLOW_EXTRA, &v, NULL));
	base_buf_init(&b, 0);
	T_OK(cty_json_encode(v, &b));
	T_OK(cty_json_decode(a, t, b.data, b.len, 0, &v2, NULL));
	T_ASSERT(cty_value_raw_equal(v, v2));
	T_ASSERT(strstr(cty_value_as_string(cty_value_get_attr(v, "invoke_arn")), "\xef\xbf\xbd"));
	base_buf_dispose(&b);
	base_free(state);
	base_arena_free(a);
}
