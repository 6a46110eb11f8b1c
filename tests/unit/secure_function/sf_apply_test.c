/* sf_apply_test.c - ApplyResourceChange guards that need no AWS (create, update and
 * delete run end to end against moto in tests/e2e). */
#include <string.h>

#include "base/base_arena.h"
#include "cty/cty_json.h"
#include "prov/prov.h"
#include "secure_function/sf_ops_int.h"
#include "t.h"

void test_secure_function_sf_apply__unconfigured_provider_changes_nothing(void)
{
	base_arena *a = base_arena_new();
	prov *p = NULL;
	const prov_resource_def defs[] = { { SF_TYPE_NAME, sf_resource_ops() } };
	T_OK(prov_new(&p, defs, 1));
	const tf6_schema *s = sf__schema(p, base_diags_new(a));
	T_ASSERT(s);
	const char *json = "{\"function_name\":\"app\",\"vpc_id\":\"vpc-0123456789abcdef0\"}";
	const cty_value *v = NULL;
	T_OK(cty_json_decode(a, tf6_schema_type(s), json, strlen(json), 0, &v, NULL));
	tf6_call call = { a, base_diags_new(a), SF_TYPE_NAME };
	tf6_apply_req req;
	tf6_apply_resp resp;
	memset(&req, 0, sizeof req);
	req.prior = cty_value_null(tf6_schema_type(s));
	req.planned = v;
	req.config = v;
	T_ASSERT_INT(sf__apply_create(p, &call, &req, &resp), BASE_EINVALID);
	T_ASSERT(resp.new_state == NULL); /* nothing was created: no partial state */
	T_ASSERT(base_diags_has_error(call.diags));

	call.diags = base_diags_new(a);
	req.prior = v;
	req.planned = cty_value_null(tf6_schema_type(s));
	req.config = req.planned;
	T_ASSERT_INT(sf__apply_delete(p, &call, &req, &resp), BASE_EINVALID);
	T_ASSERT(base_diags_has_error(call.diags));
	prov_free(p);
	base_arena_free(a);
}
