#include "t.h"
#include "base/base_alloc.h"
#include "base/base_buf.h"

void test_base_buf__append_and_cap(void)
{
	base_buf b;
	char *s;
	size_t n;
	base_buf_init(&b, 8);
	T_ASSERT_STR(base_buf_cstr(&b), "");
	T_OK(base_buf_puts(&b, "abc"));
	T_OK(base_buf_printf(&b, "%d", 12345));
	T_ASSERT_STR(base_buf_cstr(&b), "abc12345");
	T_ASSERT_INT(base_buf_putc(&b, 'x'), BASE_ETOOBIG);
	T_ASSERT_STR(base_buf_cstr(&b), "abc12345"); /* unchanged on failure */
	s = base_buf_detach(&b, &n);
	T_ASSERT_INT(n, 8);
	T_ASSERT_STR(s, "abc12345");
	base_free(s);
	T_ASSERT(b.data == NULL && b.len == 0);
	base_buf_dispose(&b);
}

void test_base_buf__truncate_keeps_the_terminator(void)
{
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(base_buf_puts(&b, "abcdef"));
	base_buf_truncate(&b, 3);
	T_ASSERT_STR(base_buf_cstr(&b), "abc");
	T_ASSERT_INT((int)b.len, 3);
	base_buf_truncate(&b, 10); /* never grows */
	T_ASSERT_STR(base_buf_cstr(&b), "abc");
	base_buf_dispose(&b);
}
