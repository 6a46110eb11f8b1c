#include "t.h"
#include "base/base_alloc.h"
#include "base/base_str.h"

static void b64(const char *in, size_t n, bool pad, const char *want)
{
	base_buf b;
	base_buf_init(&b, 0);
	if (base_str_base64_encode(&b, in, n, pad) != 0)
		t__fail(__FILE__, __LINE__, "encode failed");
	else if (strcmp(base_buf_cstr(&b), want) != 0)
		t__fail(__FILE__, __LINE__, "b64(%.*s) = %s, want %s", (int)n, in, base_buf_cstr(&b), want);
	base_buf_dispose(&b);
}

void test_base_str__base64_rfc4648(void)
{
	b64("", 0, true, "");
	b64("f", 1, true, "Zg==");
	b64("fo", 2, true, "Zm8=");
	b64("foo", 3, true, "Zm9v");
	b64("foob", 4, true, "Zm9vYg==");
	b64("fooba", 5, true, "Zm9vYmE=");
	b64("foobar", 6, true, "Zm9vYmFy");
	b64("f", 1, false, "Zg");
	b64("fooba", 5, false, "Zm9vYmE");
	b64("\xff\xfe", 2, false, "//4");
}

void test_base_str__base64_decode(void)
{
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(base_str_base64_decode(&b, "Zm9vYmE=", 8));
	T_ASSERT_STR(base_buf_cstr(&b), "fooba");
	base_buf_reset(&b);
	T_OK(base_str_base64_decode(&b, "Zm9vYmE", 7));
	T_ASSERT_STR(base_buf_cstr(&b), "fooba");
	base_buf_reset(&b);
	T_ASSERT_INT(base_str_base64_decode(&b, "Zm9v*", 5), BASE_EINVALID);
	base_buf_dispose(&b);
}

void test_base_str__hex_and_ints(void)
{
	base_buf b;
	int64_t v = 0;
	base_buf_init(&b, 0);
	T_OK(base_str_hex_encode(&b, "\x00\x7f\xab", 3));
	T_ASSERT_STR(base_buf_cstr(&b), "007fab");
	base_buf_dispose(&b);
	T_OK(base_str_to_i64("-42", &v));
	T_ASSERT_INT(v, -42);
	T_ASSERT_INT(base_str_to_i64("42x", &v), BASE_EINVALID);
	T_ASSERT_INT(base_str_to_i64("", &v), BASE_EINVALID);
	T_ASSERT(base_str_has_prefix("com.amazonaws.logs", "com.amazonaws."));
	T_ASSERT(base_str_has_suffix("a.zip", ".zip"));
	T_ASSERT(base_str_eq(NULL, NULL) && !base_str_eq("a", NULL));
}

void test_base_str__hexval(void)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	static const int want[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 10, 11, 12, 13, 14, 15};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		T_ASSERT_INT(base_hexval(digits[i]), want[i]);
	static const char bad[] = "gG/:@`xz \0";
	for (size_t i = 0; i < sizeof bad - 1; i++)
		T_ASSERT_INT(base_hexval(bad[i]), -1);
	T_ASSERT_INT(base_hexval((char)0xff), -1);
}
