#include "t.h"
#include <stdint.h>
#include "base/base_arena.h"

void test_base_arena__alloc_align_and_big(void)
{
	base_arena *a = base_arena_new();
	int i;
	for (i = 0; i < 2000; i++) {
		char *p = base_arena_alloc(a, (size_t)(i % 37) + 1);
		T_ASSERT(((uintptr_t)p % 16) == 0);
		T_ASSERT(p[0] == 0);
	}
	{
		char *big = base_arena_alloc(a, 100000);
		big[99999] = 'z';
		T_ASSERT_STR(base_arena_sprintf(a, "%s-%d", "x", 7), "x-7");
		T_ASSERT_STR(base_arena_strndup(a, "hello", 3), "hel");
		char *g = base_arena_realloc(a, base_arena_strdup(a, "ab"), 3, 10);
		T_ASSERT_STR(g, "ab");
	}
	base_arena_free(a);
	base_arena_free(NULL);
}
