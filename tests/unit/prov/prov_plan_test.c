/* prov_plan_test.c - schema defaults and replace-on-change paths. */
#include <string.h>

#include "base/base_arena.h"
#include "base/base_buf.h"
#include "cty/cty_json.h"
#include "prov/prov_plan.h"
#include "prov/prov_schema.h"
#include "prov_testutil.h"
#include "t.h"


void test_prov_prov_plan__defaults(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = provt_schema(a, PROVT_RESOURCE);
	T_ASSERT(s);
	const cty_value *cfg = provt_obj(a, s, "{\"function_name\":\"f\",\"timeout\":30}");
	const cty_value *v = prov_plan_defaults(a, &s->block, cfg, cfg);
	T_ASSERT_STR(cty_value_number_canon(cty_value_get_attr(v, "memory_size")), "128");
	T_ASSERT_STR(cty_value_number_canon(cty_value_get_attr(v, "timeout")), "30"); /* configured wins */
	T_ASSERT_STR(cty_value_number_canon(cty_value_get_attr(v, "ephemeral_storage_size")), "512");
	T_ASSERT_STR(cty_value_as_string(cty_value_get_attr(v, "package_type")), "Zip");
	T_ASSERT(cty_value_as_bool(cty_value_get_attr(v, "private_dns_enabled")));
	T_ASSERT(!cty_value_as_bool(cty_value_get_attr(v, "publish")));
	const cty_value *es = cty_value_get_attr(v, "endpoint_services");
	T_ASSERT_INT(cty_value_len(es), 1);
	T_ASSERT_STR(cty_value_as_string(cty_value_index(es, 0)), "logs");
	T_ASSERT(cty_value_is_null(cty_value_get_attr(v, "runtime"))); /* no default */
	/* a prior value carried in proposed is kept */
	const cty_value *prop = provt_obj(a, s, "{\"function_name\":\"f\",\"memory_size\":1024}");
	v = prov_plan_defaults(a, &s->block, cfg, prop);
	T_ASSERT_STR(cty_value_number_canon(cty_value_get_attr(v, "memory_size")), "1024");
	T_ASSERT(
	        cty_value_is_null(prov_plan_defaults(a, &s->block, cfg, cty_value_null(tf6_schema_type(s)))));
	base_arena_free(a);
}

void test_prov_prov_plan__requires_replace(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = provt_schema(a, PROVT_RESOURCE);
	T_ASSERT(s);
	const cty_value *prior =
	        provt_obj(a, s, "{\"function_name\":\"f\",\"vpc_id\":\"vpc-1\",\"memory_size\":128}");
	const cty_value *same =
	        provt_obj(a, s, "{\"function_name\":\"f\",\"vpc_id\":\"vpc-1\",\"memory_size\":256}");
	const cty_value *moved =
	        provt_obj(a, s, "{\"function_name\":\"g\",\"vpc_id\":\"vpc-2\",\"memory_size\":128}");
	const base_path *p;
	size_t n;
	prov_plan_requires_replace(a, &s->block, prior, same, &p, &n);
	T_ASSERT_INT(n, 0); /* memory_size is in place */
	prov_plan_requires_replace(a, &s->block, prior, moved, &p, &n);
	T_ASSERT_INT(n, 2);
	T_ASSERT_STR(base_path_str(a, p[0]), "function_name");
	T_ASSERT_STR(base_path_str(a, p[1]), "vpc_id");
	const cty_value *unk = cty_value_with_attr(a, prior, "vpc_id", cty_value_unknown(cty_type_string()));
	prov_plan_requires_replace(a, &s->block, prior, unk, &p, &n);
	T_ASSERT_INT(n, 1);
	T_ASSERT_STR(base_path_str(a, p[0]), "vpc_id");
	prov_plan_requires_replace(a, &s->block, cty_value_null(tf6_schema_type(s)), moved, &p, &n);
	T_ASSERT_INT(n, 0);
	base_arena_free(a);
}
