#include "t.h"
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "base/base_path.h"

void test_base_diag__list_with_paths(void)
{
	base_arena *a = base_arena_new();
	base_diags *d = base_diags_new(a);
	base_path p = base_path_attr(a, base_path_root(), "memory_size");
	T_ASSERT(!base_diags_has_error(d));
	base_diags_add(d, BASE_SEV_WARNING, NULL, "w", NULL);
	T_ASSERT(!base_diags_has_error(d));
	base_diags_addf(d, BASE_SEV_ERROR, &p, "Invalid memory_size", "got %d", 64);
	T_ASSERT(base_diags_has_error(d));
	T_ASSERT_INT(base_diags_count(d), 2);
	T_ASSERT_STR(base_diags_first(d)->next->detail, "got 64");
	T_ASSERT(base_diags_first(d)->next->has_path);
	T_ASSERT_STR(base_path_str(a, base_diags_first(d)->next->path), "memory_size");
	base_arena_free(a);
}

#include <pthread.h>

struct adder {
	base_diags *d;
	int n;
};

static void *add_many(void *arg)
{
	struct adder *x = arg;
	int i;
	for (i = 0; i < x->n; i++)
		base_diags_addf(x->d, BASE_SEV_WARNING, NULL, "w", "%d", i);
	return NULL;
}

void test_base_diag__concurrent_adds(void)
{
	base_arena *a = base_arena_new();
	base_diags *d = base_diags_new(a);
	pthread_t th[4];
	struct adder x = { d, 500 };
	size_t n = 0;
	const base_diag *g;
	int i;
	for (i = 0; i < 4; i++)
		T_ASSERT(pthread_create(&th[i], NULL, add_many, &x) == 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (g = base_diags_first(d); g; g = g->next)
		n++;
	T_ASSERT_INT(n, 2000);
	T_ASSERT_INT(base_diags_count(d), 2000);
	T_ASSERT(!base_diags_has_error(d));
	base_arena_free(a);
}
