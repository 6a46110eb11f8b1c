/* sf_read_test.c - ReadResource guards that need no AWS (the rest runs end to end). */
#include <string.h>

#include "base/base_arena.h"
#include "cty/cty_json.h"
#include "prov/prov.h"
#include "secure_function/sf_ops_int.h"
#include "sf_testutil.h"
#include "t.h"

void test_secure_function_sf_read__null_state_and_unconfigured(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	tf6_call call = { e.a, base_diags_new(e.a), SF_TYPE_NAME };
	tf6_read_req req;
	tf6_read_resp resp;
	memset(&req, 0, sizeof req);
	req.current = cty_value_null(tf6_schema_type(e.s));
	T_OK(sf__read(e.p, &call, &req, &resp));
	T_ASSERT(cty_value_is_null(resp.new_state));

	req.current = sft_obj(&e, "{\"function_name\":\"app\",\"vpc_id\":\"vpc-0123456789abcdef0\"}");
	T_ASSERT(req.current);
	T_ASSERT_INT(sf__read(e.p, &call, &req, &resp), BASE_EINVALID);
	T_ASSERT(base_diags_has_error(call.diags));
	T_ASSERT_STR(base_diags_first(call.diags)->summary, "Provider not configured");
	sft_env_close(&e);
}

/* The Read rule: the resource leaves the state only when none of its parts
 * exists; a missing function with owned parts left keeps it (issue 8 item 3). */
void test_secure_function_sf_read__rule(void)
{
	base_arena *a = base_arena_new();
	static const aws_tag owner[] = { { RECON_OWNER_TAG, "app" } };
	recon_subnet sub = { "subnet-a", "10.0.1.0/27", "us-east-2a", true, { owner, 1 }, false };
	recon_endpoint ep;
	recon_state st;

	memset(&st, 0, sizeof st);
	st.function_name = "app";
	st.vpc_id = "vpc-1";
	st.fn.name = "app";
	st.fn.owned = true;
	st.subnets = &sub;
	st.n_subnets = 1;
	st.role.name = "lambdavpc-app";
	st.role.owned = true;
	/* the function exists: Read merges, mark or not */
	T_ASSERT_INT(sf__read_rule(a, &st), SF_READ_LIVE);

	/* function gone (failed create, killed destroy, deleted by hand), subnet + role left -> kept */
	memset(&st.fn, 0, sizeof st.fn);
	T_ASSERT_INT(sf__read_rule(a, &st), SF_READ_REMAINS);
	/* only the role left */
	st.n_subnets = 0;
	T_ASSERT_INT(sf__read_rule(a, &st), SF_READ_REMAINS);
	/* only a subnet that is not ours (no tag) and a foreign SG: nothing to delete */
	st.role.owned = false;
	sub.owned = false;
	st.n_subnets = 1;
	st.sgs[RECON_SG_LAMBDA].id = "sg-x";
	T_ASSERT_INT(sf__read_rule(a, &st), SF_READ_GONE);
	/* a reused endpoint we are registered on still has to be released */
	memset(&ep, 0, sizeof ep);
	ep.id = "vpce-1";
	ep.service = "com.amazonaws.us-east-2.logs";
	st.endpoints = &ep;
	st.n_endpoints = 1;
	T_ASSERT_INT(sf__read_rule(a, &st), SF_READ_REMAINS);
	/* ... unless it is gone */
	ep.gone = true;
	T_ASSERT_INT(sf__read_rule(a, &st), SF_READ_GONE);
	/* nothing at all */
	memset(&st, 0, sizeof st);
	T_ASSERT_INT(sf__read_rule(a, &st), SF_READ_GONE);
	base_arena_free(a);
}
