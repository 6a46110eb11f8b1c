#include "t.h"
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "base/base_path.h"

void test_base_path__render(void)
{
	base_arena *a = base_arena_new();
	base_path p = base_path_attr(a, base_path_root(), "egress_rules");
	base_path q = base_path_attr(a, base_path_index(a, p, 0), "cidr_blocks");
	base_path r = base_path_key(a, base_path_attr(a, base_path_root(), "tags"), "Team");
	T_ASSERT_STR(base_path_str(a, q), "egress_rules[0].cidr_blocks");
	T_ASSERT_STR(base_path_str(a, r), "tags[\"Team\"]");
	T_ASSERT_INT(p.len, 1); /* the parent is not mutated */
	T_ASSERT_STR(base_path_str(a, base_path_root()), "");
	base_arena_free(a);
}

void test_base_path__diags(void)
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
