#include "t.h"
#include "base/base_alloc.h"

void test_base_alloc__strings(void)
{
	char *s = base_xstrdup("hello");
	char *t = base_xstrndup("hello", 2);
	char *u = base_xasprintf("%s-%03d", "x", 7);
	char *z = base_xcalloc(4, 8);
	int i;
	T_ASSERT_STR(s, "hello");
	T_ASSERT_STR(t, "he");
	T_ASSERT_STR(u, "x-007");
	for (i = 0; i < 32; i++)
		T_ASSERT(z[i] == 0);
	z = base_xrealloc(z, 4096);
	z[4095] = 'q';
	T_ASSERT(base_xstrdup(NULL) == NULL);
	base_free(s);
	base_free(t);
	base_free(u);
	base_free(z);
	base_free(NULL);
}
