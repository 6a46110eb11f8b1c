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
