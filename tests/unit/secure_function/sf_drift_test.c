/* sf_drift_test.c - readable drift text and ignore_tags on an observed state: pure. */
#include <string.h>

#include "base/base_arena.h"
#include "recon/recon_diff.h"
#include "secure_function/sf_ops_int.h"
#include "t.h"

void test_secure_function_sf_drift__tags_text(void)
{
	base_arena *a = base_arena_new();
	const aws_tag have[] = {{"Team", "ops"}, {"CreatedBy", "bot"}, {"lambdavpc:function", "app"}};
	const aws_tag want[] = {{"Team", "pay"}, {"Env", "dev"}, {"lambdavpc:function", "app"}};
	T_ASSERT_STR(sf__tags_drift_text(a, (aws_tags){have, 3}, (aws_tags){want, 3}),
	             "tag Team changed outside Terraform (\"ops\", configured \"pay\"); apply restores it; "
	             "tag CreatedBy added outside Terraform; apply removes it; "
	             "tag Env removed outside Terraform; apply adds it");
	/* the same tags (bookkeeping keys aside): nothing to say */
	T_ASSERT(sf__tags_drift_text(a, (aws_tags){have, 1}, (aws_tags){have, 1}) == NULL);
	T_ASSERT(sf__tags_drift_text(a, (aws_tags){have + 2, 1}, (aws_tags){NULL, 0}) == NULL);
	base_arena_free(a);
}

void test_secure_function_sf_drift__report_names_part(void)
{
	base_arena *a = base_arena_new();
	base_diags *d = base_diags_new(a);
	const aws_tag sub_tags[] = {{"lambdavpc:function", "app"}, {"CreatedBy", "bot"}};
	recon_subnet sn = {"subnet-1", "10.0.1.0/27", "us-east-2a", true, {sub_tags, 2}, false};
	recon_state st;
	recon_desired want;
	recon_step steps[2];
	recon_plan p = {steps, 2, 2};
	memset(&st, 0, sizeof st);
	memset(&want, 0, sizeof want);
	memset(steps, 0, sizeof steps);
	st.subnets = &sn;
	st.n_subnets = 1;
	want.function_name = "app";
	steps[0].kind = RECON_STEP_TAGS;
	steps[0].key = "subnet:10.0.1.0/27";
	steps[1].kind = RECON_STEP_FN_CODE; /* shows on source_code_hash: no warning */
	T_ASSERT_INT(sf__drift_report(a, d, &want, &st, "us-east-2", &p), 1);
	T_ASSERT_INT(base_diags_count(d), 1);
	T_ASSERT_STR(base_diags_first(d)->detail,
	             "subnet-1 (10.0.1.0/27): tag CreatedBy added outside Terraform; apply removes it.");
	base_arena_free(a);
}

void test_secure_function_sf_drift__ignore_tags(void)
{
	base_arena *a = base_arena_new();
	const aws_tag tags[] = {{"CreatedBy", "bot"}, {"org:cost", "1"}, {"Team", "pay"}};
	const char *keys[] = {"CreatedBy"}, *prefixes[] = {"org:"};
	prov_ignore_tags ig = {keys, 1, prefixes, 1};
	recon_subnet sn = {"subnet-1", "10.0.1.0/27", "us-east-2a", true, {tags, 3}, false};
	recon_state st;
	memset(&st, 0, sizeof st);
	st.subnets = &sn;
	st.n_subnets = 1;
	st.fn.tags = (aws_tags){tags, 3};
	sf__ignore_observed_tags(a, &st, &ig);
	T_ASSERT_INT(sn.tags.n, 1);
	T_ASSERT_STR(sn.tags.v[0].key, "Team");
	T_ASSERT_INT(st.fn.tags.n, 1);
	T_ASSERT_INT(st.role.tags.n, 0);
	base_arena_free(a);
}
