/* sf_upgrade_test.c - UpgradeResourceState from JSON state fixtures. */
#include <string.h>

#include "base/base_alloc.h"
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "cty/cty_json.h"
#include "secure_function/sf_int.h"
#include "t.h"

void test_secure_function_sf_upgrade__old_state(void)
{
	prov *p = NULL;
	const prov_resource_def defs[] = {{SF_TYPE_NAME, sf_resource_ops()}};
	T_OK(prov_new(&p, defs, 1));
	base_arena *a = base_arena_new();
	tf6_call call = {a, base_diags_new(a), SF_TYPE_NAME};
	size_t len;
	char *json = t_read_file("tests/data/secure_function/state_v0_old.json", &len);
	T_ASSERT(json);
	tf6_upgrade_resp rs;
	T_OK(sf_resource_ops()->upgrade(p, &call, &(tf6_upgrade_req){0, json, len}, &rs));
	T_ASSERT(rs.upgraded);
	T_ASSERT_INT(base_diags_count(call.diags), 0);
	const cty_value *v = rs.upgraded;
	T_ASSERT(cty_type_equal(cty_value_type(v), tf6_schema_type(sf__schema(p, NULL))));
	T_ASSERT_STR(cty_value_as_string(cty_value_get_attr(v, "function_name")), "app-7");
	T_ASSERT(cty_value_is_null(cty_value_get_attr(v, "arn"))); /* missing -> null */
	T_ASSERT(cty_value_is_null(cty_value_get_attr(v, "egress_rules")));
	T_ASSERT(cty_value_is_null(cty_value_get_attr(v, "timeouts")));
	T_ASSERT(cty_value_get_attr(v, "a_removed_attribute") == NULL); /* dropped */
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(cty_json_encode(v, &b)); /* wholly known */
	base_buf_dispose(&b);

	/* newer versions and broken JSON are errors, never crashes */
	T_ASSERT_INT(sf_resource_ops()->upgrade(p, &call, &(tf6_upgrade_req){1, json, len}, &rs),
	             BASE_EINVALID);
	T_ASSERT_STR(base_diags_first(call.diags)->summary, "Unsupported state version");
	call.diags = base_diags_new(a);
	T_ASSERT_INT(sf_resource_ops()->upgrade(p, &call,
	                                        &(tf6_upgrade_req){0, "{\"memory_size\":\"x\"}", 19}, &rs),
	             BASE_EINVALID);
	T_ASSERT_STR(base_diags_first(call.diags)->summary, "Invalid resource state");
	base_free(json);
	base_arena_free(a);
	prov_free(p);
}
