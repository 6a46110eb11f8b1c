/* sf_validate_test.c - ValidateResourceConfig: every check with its attribute path. */
#include <string.h>

#include "base/base_arena.h"
#include "cty/cty_json.h"
#include "secure_function/sf_int.h"
#include "sf_testutil.h"
#include "t.h"

/* The tests share sft_env (sf_testutil.h): provider, arena, resource schema. */

/* Base config (no code source) + extra members. */
static const cty_value *cfg(sft_env *e, const char *extra)
{
	const char *json =
	        base_arena_sprintf(e->a,
	                           "{\"function_name\":\"app-7\",\"vpc_id\":\"vpc-0abc1234\","
	                           "\"subnet_cidr_blocks\":[\"12.25.15.0/27\",\"12.25.15.32/27\"]%s%s}",
	                           *extra ? "," : "", extra);
	const cty_value *v = sft_obj(e, json);
	if (!v)
		t__fail(__FILE__, __LINE__, "bad fixture %s", json);
	return v;
}

static base_diags *validate(sft_env *e, const cty_value *v, int *rc)
{
	tf6_call call = {e->a, base_diags_new(e->a), SF_TYPE_NAME};
	*rc = sf_resource_ops()->validate(e->p, &call, &(tf6_validate_req){v});
	return call.diags;
}

/* Exactly one error, at path (""= no path), summary containing s. */
static bool one(sft_env *e, base_diags *d, const char *path, const char *s)
{
	const base_diag *g = base_diags_first(d);
	const char *p = g && g->has_path ? base_path_str(e->a, g->path) : "";
	if (base_diags_count(d) != 1 || strcmp(p, path) != 0 || !strstr(g->summary, s)) {
		for (g = base_diags_first(d); g; g = g->next)
			t__fail(__FILE__, __LINE__, "got: %s [%s] %s", g->summary,
			        g->has_path ? base_path_str(e->a, g->path) : "", g->detail);
		t__fail(__FILE__, __LINE__, "want one \"%s\" at [%s]", s, path);
		return false;
	}
	return true;
}

#define ZIP "\"runtime\":\"python3.12\",\"handler\":\"h.main\",\"filename\":\"f.zip\""

#define CASE(extra, path, s)                                                                                 \
	do {                                                                                                 \
		int rc_;                                                                                     \
		base_diags *d_ = validate(&e, cfg(&e, extra), &rc_);                                         \
		T_ASSERT_INT(rc_, BASE_EINVALID);                                                            \
		T_ASSERT(one(&e, d_, path, s));                                                              \
	} while (0)

#define GOOD(extra)                                                                                          \
	do {                                                                                                 \
		int rc_;                                                                                     \
		base_diags *d_ = validate(&e, cfg(&e, extra), &rc_);                                         \
		T_ASSERT_INT(base_diags_count(d_), 0);                                                       \
		T_ASSERT_INT(rc_, BASE_OK);                                                                  \
	} while (0)

void test_secure_function_sf_validate__good(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	GOOD(ZIP);
	GOOD("\"runtime\":\"python3.12\",\"handler\":\"h.main\",\"s3_bucket\":\"my-bucket\",\"s3_key\":\"k."
	     "zip\","
	     "\"s3_object_version\":\"3\"");
	GOOD("\"package_type\":\"Image\",\"image_uri\":\"123456789012.dkr.ecr.us-east-2.amazonaws.com/"
	     "app:1\"");
	GOOD(ZIP ",\"egress_rules\":[{\"protocol\":\"-1\",\"prefix_list_ids\":[\"pl-0123abcd\"]}],"
	         "\"logging\":{\"log_format\":\"JSON\",\"system_log_level\":\"WARN\"},"
	         "\"endpoint_services\":[\"logs\",\"com.amazonaws.us-east-2.ssm\",\"s3\"]");
	sft_env_close(&e);
}

void test_secure_function_sf_validate__code_source(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	CASE("\"runtime\":\"python3.12\",\"handler\":\"h.main\"", "", "Missing function code");
	CASE(ZIP ",\"s3_bucket\":\"my-bucket\",\"s3_key\":\"k.zip\"", "s3_bucket",
	     "Conflicting function code sources");
	CASE("\"runtime\":\"python3.12\",\"handler\":\"h.main\",\"s3_bucket\":\"my-bucket\"", "s3_key",
	     "Missing S3 key");
	CASE("\"runtime\":\"python3.12\",\"handler\":\"h.main\",\"s3_key\":\"k.zip\"", "s3_bucket",
	     "Missing S3 bucket");
	CASE(ZIP ",\"s3_object_version\":\"3\"", "s3_object_version", "S3 object version without S3 object");
	sft_env_close(&e);
}

void test_secure_function_sf_validate__package(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	CASE("\"handler\":\"h.main\",\"filename\":\"f.zip\"", "runtime", "Missing runtime");
	CASE("\"runtime\":\"python3.12\",\"filename\":\"f.zip\"", "handler", "Missing handler");
	CASE("\"image_uri\":\"x/app:1\"", "image_uri", "Image URI with a zip package");
	CASE("\"package_type\":\"Image\"", "image_uri", "Missing image URI");
	CASE("\"package_type\":\"Image\",\"image_uri\":\"x/app:1\",\"runtime\":\"python3.12\"", "runtime",
	     "not used with container images");
	sft_env_close(&e);
}

void test_secure_function_sf_validate__egress_rules(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	CASE(ZIP ",\"egress_rules\":[{\"protocol\":\"tcp\",\"from_port\":1,\"to_port\":2}]",
	     "egress_rules[0]", "Egress rule without destination");
	CASE(ZIP ",\"egress_rules\":[{\"protocol\":\"-1\",\"cidr_blocks\":[\"10.0.0.0/8\"]},"
	         "{\"protocol\":\"udp\",\"from_port\":53,\"cidr_blocks\":[\"10.0.0.0/8\"]}]",
	     "egress_rules[1].to_port", "Missing port");
	CASE(ZIP ",\"egress_rules\":[{\"protocol\":\"tcp\",\"from_port\":6000,\"to_port\":5432,\"cidr_"
	         "blocks\":[\"10.0.0.0/8\"]}]",
	     "egress_rules[0].from_port", "Invalid port range");
	CASE(ZIP ",\"egress_rules\":[{\"protocol\":\"tcp\",\"from_port\":-1,\"to_port\":5432,\"cidr_blocks\":"
	         "[\"10.0.0.0/8\"]}]",
	     "egress_rules[0].from_port", "Invalid port");
	sft_env_close(&e);
}

void test_secure_function_sf_validate__logging_and_services(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	CASE(ZIP ",\"logging\":{\"application_log_level\":\"INFO\"}", "logging.application_log_level",
	     "Log level needs JSON logs");
	CASE(ZIP ",\"logging\":{\"log_format\":\"Text\",\"system_log_level\":\"INFO\"}",
	     "logging.system_log_level", "Log level needs JSON logs");
	CASE(ZIP ",\"endpoint_services\":[\"ssm\",\"logs\",\"com.amazonaws.us-east-2.logs\"]",
	     "endpoint_services[2]", "Duplicate endpoint service");
	sft_env_close(&e);
}

/* The schema validators run too, with their paths. */
void test_secure_function_sf_validate__schema_validators(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	CASE(ZIP ",\"subnet_cidr_blocks\":[\"10.0.0.0/24\",\"10.0.1.0/24\",\"10.0.2.0/29\"]",
	     "subnet_cidr_blocks[2]", "prefix length");
	CASE(ZIP ",\"memory_size\":64", "memory_size", "out of range");
	CASE(ZIP ",\"timeout\":0", "timeout", "out of range");
	CASE(ZIP ",\"function_name\":\"no spaces\"", "function_name", "Invalid value");
	CASE(ZIP ",\"environment\":{\"1BAD\":\"x\"}", "environment[\"1BAD\"]", "Invalid key");
	CASE(ZIP ",\"endpoint_services\":[\"logs\",\"nosuch\"]", "endpoint_services[1]",
	     "Unknown endpoint service");
	sft_env_close(&e);
}

void test_secure_function_sf_validate__unknowns_skip(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	/* code source unknown: no "missing code" error */
	const cty_value *v = cfg(&e, "\"runtime\":\"python3.12\",\"handler\":\"h.main\"");
	v = cty_value_with_attr(e.a, v, "filename", cty_value_unknown(cty_type_string()));
	int rc;
	base_diags *d = validate(&e, v, &rc);
	T_ASSERT_INT(base_diags_count(d), 0);
	/* runtime unknown: no "missing runtime" */
	v = cfg(&e, "\"handler\":\"h.main\",\"filename\":\"f.zip\"");
	v = cty_value_with_attr(e.a, v, "runtime", cty_value_unknown(cty_type_string()));
	d = validate(&e, v, &rc);
	T_ASSERT_INT(base_diags_count(d), 0);
	/* package_type unknown: neither zip nor image rules */
	v = cfg(&e, "\"image_uri\":\"x/app:1\"");
	v = cty_value_with_attr(e.a, v, "package_type", cty_value_unknown(cty_type_string()));
	d = validate(&e, v, &rc);
	T_ASSERT_INT(base_diags_count(d), 0);
	/* the whole config unknown */
	d = validate(&e, cty_value_unknown(tf6_schema_type(e.s)), &rc);
	T_ASSERT_INT(base_diags_count(d), 0);
	sft_env_close(&e);
}
