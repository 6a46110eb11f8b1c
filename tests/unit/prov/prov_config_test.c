/* prov_config_test.c - provider block -> aws_client_config. */
#include <string.h>

#include "base/base_arena.h"
#include "base/base_diag.h"
#include "cty/cty_json.h"
#include "prov/prov_config.h"
#include "prov/prov_schema.h"
#include "prov_testutil.h"
#include "t.h"

static const cty_value *pcfg(base_arena *a, const char *json)
{
	const tf6_schema *s = provt_schema(a, "provider");
	return s ? provt_obj(a, s, json) : NULL;
}

void test_prov_prov_config__full(void)
{
	base_arena *a = base_arena_new();
	const cty_value *v =
	        pcfg(a, "{\"region\":\"us-east-2\",\"profile\":\"dev\",\"access_key\":\"AKIA1\","
	                "\"secret_key\":\"s3cr3t\",\"token\":\"tok\",\"max_retries\":5,"
	                "\"shared_config_files\":[\"/a\",\"/b\"],\"skip_credentials_validation\":true,"
	                "\"assume_role\":{\"role_arn\":\"arn:aws:iam::123456789012:role/x\","
	                "\"session_name\":\"s\",\"external_id\":\"e\"},"
	                "\"endpoints\":{\"ec2\":\"http://127.0.0.1:1\",\"lambda\":\"http://127.0.0.1:2\"},"
	                "\"default_tags\":{\"tags\":{\"Team\":\"payments\",\"Env\":\"prod\"}}}");
	T_ASSERT(v);
	aws_client_config c;
	prov_tags tags;
	base_diags *d = base_diags_new(a);
	T_OK(prov_config_from_value(a, v, &c, &tags, d));
	T_ASSERT_STR(c.region, "us-east-2");
	T_ASSERT_STR(c.profile, "dev");
	T_ASSERT_STR(c.access_key, "AKIA1");
	T_ASSERT_STR(c.secret_key, "s3cr3t");
	T_ASSERT_STR(c.token, "tok");
	T_ASSERT_INT(c.max_retries, 5);
	T_ASSERT_INT(c.n_shared_config_files, 2);
	T_ASSERT_STR(c.shared_config_files[1], "/b");
	T_ASSERT_INT(c.n_shared_credentials_files, 0);
	T_ASSERT(c.skip_credentials_validation);
	T_ASSERT_STR(c.assume_role_arn, "arn:aws:iam::123456789012:role/x");
	T_ASSERT_STR(c.assume_role_session_name, "s");
	T_ASSERT_STR(c.assume_role_external_id, "e");
	T_ASSERT_STR(c.endpoints[AWS_SVC_EC2], "http://127.0.0.1:1");
	T_ASSERT_STR(c.endpoints[AWS_SVC_LAMBDA], "http://127.0.0.1:2");
	T_ASSERT(c.endpoints[AWS_SVC_IAM] == NULL && c.endpoints[AWS_SVC_STS] == NULL);
	T_ASSERT_INT(tags.n, 2);
	T_ASSERT_STR(tags.keys[0], "Env");
	T_ASSERT_STR(tags.values[1], "payments");
	base_arena_free(a);
}

void test_prov_prov_config__empty_uses_environment(void)
{
	base_arena *a = base_arena_new();
	aws_client_config c;
	prov_tags tags;
	base_diags *d = base_diags_new(a);
	T_OK(prov_config_from_value(a, pcfg(a, "{}"), &c, &tags, d));
	T_ASSERT(c.region == NULL && c.profile == NULL && c.access_key == NULL);
	T_ASSERT_INT(c.max_retries, -1);
	T_ASSERT(!c.skip_credentials_validation);
	T_ASSERT_INT(tags.n, 0);
	T_OK(prov_config_from_value(a, NULL, &c, &tags, d));
	T_ASSERT_INT(base_diags_count(d), 0);
	base_arena_free(a);
}

void test_prov_prov_config__unknown_defers(void)
{
	base_arena *a = base_arena_new();
	const cty_value *v = pcfg(a, "{\"profile\":\"x\"}");
	T_ASSERT(v);
	v = cty_value_with_attr(a, v, "region", cty_value_unknown(cty_type_string()));
	aws_client_config c;
	prov_tags tags;
	base_diags *d = base_diags_new(a);
	T_ASSERT_INT(prov_config_from_value(a, v, &c, &tags, d), BASE_EUNKNOWN);
	T_ASSERT_INT(base_diags_count(d), 0);
	base_arena_free(a);
}

static const char *one_path(base_arena *a, base_diags *d)
{
	const base_diag *g = base_diags_first(d);
	if (base_diags_count(d) != 1 || !g->has_path)
		return "";
	return base_path_str(a, g->path);
}

void test_prov_prov_config__cross_checks(void)
{
	base_arena *a = base_arena_new();
	base_diags *d = base_diags_new(a);
	T_ASSERT_INT(prov_config_check(a, pcfg(a, "{\"access_key\":\"AKIA\"}"), d), BASE_EINVALID);
	T_ASSERT_STR(one_path(a, d), "secret_key");
	d = base_diags_new(a);
	T_ASSERT_INT(prov_config_check(a, pcfg(a, "{\"secret_key\":\"x\"}"), d), BASE_EINVALID);
	T_ASSERT_STR(one_path(a, d), "access_key");
	d = base_diags_new(a);
	T_ASSERT_INT(prov_config_check(a, pcfg(a, "{\"token\":\"x\"}"), d), BASE_EINVALID);
	T_ASSERT_STR(one_path(a, d), "token");
	d = base_diags_new(a);
	T_ASSERT_INT(prov_config_check(a, pcfg(a, "{\"assume_role\":{\"session_name\":\"x\"}}"), d),
	             BASE_EINVALID);
	T_ASSERT_STR(one_path(a, d), "assume_role.role_arn");
	/* unknown key: the check waits */
	d = base_diags_new(a);
	const cty_value *v = cty_value_with_attr(a, pcfg(a, "{\"access_key\":\"AKIA\"}"), "secret_key",
	                                         cty_value_unknown(cty_type_string()));
	T_OK(prov_config_check(a, v, d));
	T_ASSERT_INT(base_diags_count(d), 0);
	base_arena_free(a);
}

void test_prov_prov_config__account_guards(void)
{
	base_arena *a = base_arena_new();
	aws_client_config c;
	prov_tags tags;
	base_diags *d = base_diags_new(a);
	T_OK(prov_config_from_value(a, pcfg(a, "{\"allowed_account_ids\":[\"111111111111\",\"222222222222\"]}"), &c,
	                            &tags, d));
	T_ASSERT_INT(c.n_allowed_account_ids, 2);
	T_ASSERT_STR(c.allowed_account_ids[1], "222222222222");
	T_ASSERT_INT(c.n_forbidden_account_ids, 0);
	T_OK(prov_config_from_value(a, pcfg(a, "{\"forbidden_account_ids\":[\"123456789012\"]}"), &c, &tags, d));
	T_ASSERT_INT(c.n_forbidden_account_ids, 1);
	T_ASSERT_STR(c.forbidden_account_ids[0], "123456789012");
	T_ASSERT_INT(base_diags_count(d), 0);

	/* both at once: hashicorp/aws's ConflictsWith, with the attribute path */
	const cty_value *both =
	        pcfg(a, "{\"allowed_account_ids\":[\"111111111111\"],\"forbidden_account_ids\":[\"222222222222\"]}");
	T_ASSERT_INT(prov_config_from_value(a, both, &c, &tags, d), BASE_EINVALID);
	T_ASSERT_INT(prov_config_check(a, both, d), BASE_EINVALID);
	const base_diag *g = base_diags_first(d);
	T_ASSERT(g && g->has_path);
	T_ASSERT_STR(base_path_str(a, g->path), "forbidden_account_ids");
	T_ASSERT_STR(g->summary, "Conflicting account guards");
	T_ASSERT_STR(g->detail, "allowed_account_ids and forbidden_account_ids cannot both be set: list the "
	                        "accounts the provider may use, or the ones it must not.");
	base_arena_free(a);
}
