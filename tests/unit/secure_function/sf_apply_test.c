/* sf_apply_test.c - ApplyResourceChange guards that need no AWS (create, update and
 * delete run end to end against moto in tests/e2e). */
#include <string.h>

#include "base/base_arena.h"
#include "cty/cty_json.h"
#include "prov/prov.h"
#include "secure_function/sf_ops_int.h"
#include "sf_testutil.h"
#include "t.h"

void test_secure_function_sf_apply__unconfigured_provider_changes_nothing(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	const cty_value *v = sft_obj(&e, "{\"function_name\":\"app\",\"vpc_id\":\"vpc-0123456789abcdef0\"}");
	T_ASSERT(v);
	tf6_call call = { e.a, base_diags_new(e.a), SF_TYPE_NAME };
	tf6_apply_req req;
	tf6_apply_resp resp;
	memset(&req, 0, sizeof req);
	req.prior = cty_value_null(tf6_schema_type(e.s));
	req.planned = v;
	req.config = v;
	T_ASSERT_INT(sf__apply_create(e.p, &call, &req, &resp), BASE_EINVALID);
	T_ASSERT(resp.new_state == NULL); /* nothing was created: no partial state */
	T_ASSERT(base_diags_has_error(call.diags));

	call.diags = base_diags_new(e.a);
	req.prior = v;
	req.planned = cty_value_null(tf6_schema_type(e.s));
	req.config = req.planned;
	T_ASSERT_INT(sf__apply_delete(e.p, &call, &req, &resp), BASE_EINVALID);
	T_ASSERT(base_diags_has_error(call.diags));
	sft_env_close(&e);
}
