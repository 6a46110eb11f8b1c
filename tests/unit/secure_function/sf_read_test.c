/* sf_read_test.c - ReadResource guards that need no AWS (the rest runs end to end). */
#include <string.h>

#include "base/base_arena.h"
#include "cty/cty_json.h"
#include "prov/prov.h"
#include "secure_function/sf_ops_int.h"
#include "t.h"

void test_secure_function_sf_read__null_state_and_unconfigured(void)
{
	base_arena *a = base_arena_new();
	prov *p = NULL;
	const prov_resource_def defs[] = { { SF_TYPE_NAME, sf_resource_ops() } };
	T_OK(prov_new(&p, defs, 1));
	const tf6_schema *s = sf__schema(p, base_diags_new(a));
	T_ASSERT(s);
	tf6_call call = { a, base_diags_new(a), SF_TYPE_NAME };
	tf6_read_req req;
	tf6_read_resp resp;
	memset(&req, 0, sizeof req);
	req.current = cty_value_null(tf6_schema_type(s));
	T_OK(sf__read(p, &call, &req, &resp));
	T_ASSERT(cty_value_is_null(resp.new_state));

	const char *json = "{\"function_name\":\"app\",\"vpc_id\":\"vpc-0123456789abcdef0\"}";
	T_OK(cty_json_decode(a, tf6_schema_type(s), json, strlen(json), 0, &req.current, NULL));
	T_ASSERT_INT(sf__read(p, &call, &req, &resp), BASE_EINVALID);
	T_ASSERT(base_diags_has_error(call.diags));
	T_ASSERT_STR(base_diags_first(call.diags)->summary, "Provider not configured");
	prov_free(p);
	base_arena_free(a);
}
