/* sf_plan_test.c - the pure plan rules (sf__plan_compute) and drift flags: no AWS. */
#include <string.h>

#include "base/base_arena.h"
#include "cty/cty_equal.h"
#include "cty/cty_json.h"
#include "prov/prov_schema.h"
#include "recon/recon_diff.h"
#include "secure_function/sf_ops_int.h"
#include "t.h"

static const tf6_schema *rs(base_arena *a)
{
	const char *json;
	size_t len;
	tf6_schema *s = NULL;
	if (!prov_schema_embedded(SF_TYPE_NAME, &json, &len) ||
	    prov_schema_parse(a, "r", json, len, &s, base_diags_new(a)) != BASE_OK)
		return NULL;
	return s;
}

static const cty_value *obj(base_arena *a, const tf6_schema *s, const char *json)
{
	const cty_value *v = NULL;
	if (cty_json_decode(a, tf6_schema_type(s), json, strlen(json), 0, &v, NULL) != BASE_OK)
		return NULL;
	return v;
}

static const cty_value *at(const cty_value *v, const char *name)
{
	return cty_value_get_attr(v, name);
}

#define CONFIG                                                                                                    \
	"\"function_name\":\"app\",\"vpc_id\":\"vpc-0123456789abcdef0\","                                          \
	"\"subnet_cidr_blocks\":[\"10.0.1.0/27\",\"10.0.1.32/27\"],\"endpoint_services\":[\"logs\",\"ssm\"],"       \
	"\"runtime\":\"python3.12\",\"handler\":\"h.handler\",\"source_code_hash\":\"abc=\","                      \
	"\"memory_size\":256,\"timeout\":10,\"environment\":{\"STAGE\":\"dev\"},\"tags\":{\"Team\":\"pay\"}"

/* What an apply of CONFIG leaves in the state. */
#define STATE                                                                                                     \
	CONFIG ",\"id\":\"app\",\"availability_zones\":[\"us-east-2a\",\"us-east-2b\"],"                           \
	       "\"private_dns_enabled\":true,\"reuse_existing_endpoints\":true,\"package_type\":\"Zip\","          \
	       "\"architectures\":[\"x86_64\"],\"publish\":false,\"ephemeral_storage_size\":512,"                  \
	       "\"arn\":\"arn:aws:lambda:us-east-2:123456789012:function:app\","                                   \
	       "\"invoke_arn\":\"ia\",\"qualified_arn\":\"arn:aws:lambda:us-east-2:123456789012:function:app:$LATEST\"," \
	       "\"version\":\"$LATEST\",\"last_modified\":\"t0\",\"code_sha256\":\"abc=\","                        \
	       "\"role_arn\":\"arn:aws:iam::123456789012:role/lambdavpc-app\",\"role_name\":\"lambdavpc-app\","    \
	       "\"subnet_ids\":[\"subnet-1\",\"subnet-2\"],\"route_table_id\":\"rtb-1\","                          \
	       "\"lambda_security_group_id\":\"sg-l\",\"endpoint_security_group_id\":\"sg-e\","                    \
	       "\"vpc_endpoint_ids\":{\"logs\":\"vpce-1\",\"ssm\":\"vpce-2\"},\"tags_all\":{\"Team\":\"pay\"}"

static int plan(base_arena *a, const tf6_schema *s, const cty_value *prior, const cty_value *proposed,
                const cty_value *config, unsigned drift, const cty_value **planned, const base_path **rr, size_t *n)
{
	tf6_plan_req req;
	prov_tags none = { NULL, NULL, 0 };
	memset(&req, 0, sizeof req);
	req.prior = prior;
	req.proposed = proposed;
	req.config = config;
	return sf__plan_compute(a, s, &req, none, true, drift, planned, rr, n, base_diags_new(a));
}

void test_secure_function_sf_plan__create(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = rs(a);
	T_ASSERT(s);
	const cty_value *cfg = obj(a, s, "{\"function_name\":\"app\",\"vpc_id\":\"vpc-0123456789abcdef0\","
	                                 "\"subnet_cidr_blocks\":[\"10.0.1.0/27\"],\"runtime\":\"python3.12\","
	                                 "\"handler\":\"h.handler\",\"filename\":\"lambda.zip\","
	                                 "\"tags\":{\"Team\":\"pay\"}}");
	const cty_value *pl = NULL;
	const base_path *rr = NULL;
	size_t n = 9;
	T_ASSERT(cfg);
	T_OK(plan(a, s, NULL, cfg, cfg, 0, &pl, &rr, &n));
	T_ASSERT_INT(n, 0);
	T_ASSERT_STR(cty_value_as_string(at(pl, "id")), "app");
	T_ASSERT_STR(cty_value_as_string(at(pl, "role_name")), "lambdavpc-app");
	T_ASSERT(cty_value_is_unknown(at(pl, "arn")));
	T_ASSERT(cty_value_is_unknown(at(pl, "subnet_ids")));
	T_ASSERT(cty_value_is_unknown(at(pl, "vpc_endpoint_ids")));
	T_ASSERT(cty_value_is_unknown(at(pl, "availability_zones")));
	T_ASSERT(cty_value_is_unknown(at(pl, "last_modified")));
	/* defaults */
	T_ASSERT_STR(cty_value_number_canon(at(pl, "memory_size")), "128");
	T_ASSERT_STR(cty_value_number_canon(at(pl, "timeout")), "3");
	T_ASSERT(cty_value_as_bool(at(pl, "private_dns_enabled")));
	T_ASSERT(cty_value_as_bool(at(pl, "reuse_existing_endpoints")));
	T_ASSERT_INT(cty_value_len(at(pl, "endpoint_services")), 1);
	T_ASSERT_STR(cty_value_as_string(cty_value_index(at(pl, "endpoint_services"), 0)), "logs");
	/* tags_all known; write-only filename never planned */
	T_ASSERT_STR(cty_value_as_string(cty_value_map_get(at(pl, "tags_all"), "Team")), "pay");
	T_ASSERT(cty_value_is_null(at(pl, "filename")));
	/* configured values echoed */
	T_ASSERT(cty_value_raw_equal(at(pl, "subnet_cidr_blocks"), at(cfg, "subnet_cidr_blocks")));
	base_arena_free(a);
}

void test_secure_function_sf_plan__create_tags_all_merges_defaults(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = rs(a);
	T_ASSERT(s);
	const cty_value *cfg = obj(a, s, "{\"function_name\":\"app\",\"tags\":{\"Team\":\"pay\",\"Env\":\"x\"}}");
	const char *keys[] = { "Env", "Owner" }, *vals[] = { "dev", "ops" };
	prov_tags dt = { keys, vals, 2 };
	tf6_plan_req req;
	const cty_value *pl = NULL;
	const base_path *rr = NULL;
	size_t n = 0;
	memset(&req, 0, sizeof req);
	req.proposed = cfg;
	req.config = cfg;
	T_OK(sf__plan_compute(a, s, &req, dt, true, 0, &pl, &rr, &n, base_diags_new(a)));
	const cty_value *ta = at(pl, "tags_all");
	T_ASSERT_INT(cty_value_len(ta), 3);
	T_ASSERT_STR(cty_value_as_string(cty_value_map_get(ta, "Env")), "x"); /* resource tags win */
	T_ASSERT_STR(cty_value_as_string(cty_value_map_get(ta, "Owner")), "ops");
	/* provider configuration deferred: tags_all unknown */
	T_OK(sf__plan_compute(a, s, &req, dt, false, 0, &pl, &rr, &n, base_diags_new(a)));
	T_ASSERT(cty_value_is_unknown(at(pl, "tags_all")));
	base_arena_free(a);
}

void test_secure_function_sf_plan__update_noop_keeps_prior(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = rs(a);
	T_ASSERT(s);
	const cty_value *prior = obj(a, s, "{" STATE "}");
	const cty_value *cfg = obj(a, s, "{" CONFIG "}");
	const cty_value *pl = NULL;
	const base_path *rr = NULL;
	size_t n = 9;
	T_ASSERT(prior && cfg);
	T_OK(plan(a, s, prior, prior, cfg, 0, &pl, &rr, &n));
	T_ASSERT_INT(n, 0);
	T_ASSERT(cty_value_raw_equal(pl, prior));
	base_arena_free(a);
}

void test_secure_function_sf_plan__update_cidrs_and_memory(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = rs(a);
	T_ASSERT(s);
	const cty_value *prior = obj(a, s, "{" STATE "}");
	const cty_value *cidrs = obj(a, s, "{\"subnet_cidr_blocks\":[\"10.0.1.0/27\",\"10.0.1.96/27\"]}");
	T_ASSERT(prior && cidrs);
	const cty_value *prop = cty_value_with_attr(a, prior, "subnet_cidr_blocks", at(cidrs, "subnet_cidr_blocks"));
	/* the config leaves availability_zones unset */
	prop = cty_value_with_attr(a, prop, "memory_size", cty_value_number_int(a, 512));
	const cty_value *cfg = cty_value_with_attr(a, prop, "availability_zones", NULL);
	const cty_value *pl = NULL;
	const base_path *rr = NULL;
	size_t n = 9;
	T_OK(plan(a, s, prior, prop, cfg, 0, &pl, &rr, &n));
	T_ASSERT_INT(n, 0);
	T_ASSERT(cty_value_is_unknown(at(pl, "subnet_ids")));
	T_ASSERT(cty_value_is_unknown(at(pl, "availability_zones")));
	T_ASSERT(cty_value_is_unknown(at(pl, "last_modified")));
	T_ASSERT_STR(cty_value_number_canon(at(pl, "memory_size")), "512");
	/* unaffected computed values kept */
	T_ASSERT(cty_value_raw_equal(at(pl, "vpc_endpoint_ids"), at(prior, "vpc_endpoint_ids")));
	T_ASSERT(cty_value_raw_equal(at(pl, "code_sha256"), at(prior, "code_sha256")));
	T_ASSERT(cty_value_raw_equal(at(pl, "arn"), at(prior, "arn")));
	T_ASSERT(cty_value_raw_equal(at(pl, "version"), at(prior, "version")));
	base_arena_free(a);
}

void test_secure_function_sf_plan__update_services_and_code(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = rs(a);
	T_ASSERT(s);
	const cty_value *prior = obj(a, s, "{" STATE "}");
	const cty_value *x = obj(a, s, "{\"endpoint_services\":[\"logs\",\"sqs\"]}");
	const cty_value *prop = cty_value_with_attr(a, prior, "endpoint_services", at(x, "endpoint_services"));
	const cty_value *pl = NULL;
	const base_path *rr = NULL;
	size_t n = 9;
	T_OK(plan(a, s, prior, prop, prop, 0, &pl, &rr, &n));
	T_ASSERT(cty_value_is_unknown(at(pl, "vpc_endpoint_ids")));
	T_ASSERT(!cty_value_is_unknown(at(pl, "subnet_ids")));
	T_ASSERT(!cty_value_is_unknown(at(pl, "code_sha256")));

	prop = cty_value_with_attr(a, prior, "source_code_hash", cty_value_string(a, "new="));
	T_OK(plan(a, s, prior, prop, prop, 0, &pl, &rr, &n));
	T_ASSERT(cty_value_is_unknown(at(pl, "code_sha256")));
	T_ASSERT(cty_value_is_unknown(at(pl, "last_modified")));
	T_ASSERT(!cty_value_is_unknown(at(pl, "version"))); /* not publishing: stays $LATEST */
	T_ASSERT(!cty_value_is_unknown(at(pl, "vpc_endpoint_ids")));
	base_arena_free(a);
}

void test_secure_function_sf_plan__requires_replace(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = rs(a);
	T_ASSERT(s);
	const cty_value *prior = obj(a, s, "{" STATE "}");
	const cty_value *prop = cty_value_with_attr(a, prior, "vpc_id", cty_value_string(a, "vpc-0fedcba9876543210"));
	const cty_value *pl = NULL;
	const base_path *rr = NULL;
	size_t n = 0;
	T_OK(plan(a, s, prior, prop, prop, 0, &pl, &rr, &n));
	T_ASSERT_INT(n, 1);
	T_ASSERT_STR(base_path_str(a, rr[0]), "vpc_id");
	prop = cty_value_with_attr(a, prior, "function_name", cty_value_string(a, "other"));
	T_OK(plan(a, s, prior, prop, prop, 0, &pl, &rr, &n));
	T_ASSERT_INT(n, 1);
	T_ASSERT_STR(base_path_str(a, rr[0]), "function_name");
	T_ASSERT_STR(cty_value_as_string(at(pl, "id")), "other");
	base_arena_free(a);
}

void test_secure_function_sf_plan__drift_marks_affected_attribute(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = rs(a);
	T_ASSERT(s);
	const cty_value *prior = obj(a, s, "{" STATE "}");
	const cty_value *pl = NULL;
	const base_path *rr = NULL;
	size_t n = 0;
	T_OK(plan(a, s, prior, prior, prior, SF_DRIFT_ROLE | SF_DRIFT_SG_LAMBDA, &pl, &rr, &n));
	T_ASSERT(cty_value_is_unknown(at(pl, "role_arn")));
	T_ASSERT(cty_value_is_unknown(at(pl, "lambda_security_group_id")));
	T_ASSERT(!cty_value_is_unknown(at(pl, "endpoint_security_group_id")));
	T_ASSERT(!cty_value_is_unknown(at(pl, "subnet_ids")));
	/* a deleted endpoint: vpc_endpoint_ids lacks a service */
	const cty_value *x = obj(a, s, "{\"vpc_endpoint_ids\":{\"logs\":\"vpce-1\"}}");
	const cty_value *pr2 = cty_value_with_attr(a, prior, "vpc_endpoint_ids", at(x, "vpc_endpoint_ids"));
	T_OK(plan(a, s, pr2, pr2, prior, 0, &pl, &rr, &n));
	T_ASSERT(cty_value_is_unknown(at(pl, "vpc_endpoint_ids")));
	/* a deleted subnet: subnet_ids shorter than the CIDRs */
	x = obj(a, s, "{\"subnet_ids\":[\"subnet-2\"]}");
	pr2 = cty_value_with_attr(a, prior, "subnet_ids", at(x, "subnet_ids"));
	T_OK(plan(a, s, pr2, pr2, prior, 0, &pl, &rr, &n));
	T_ASSERT(cty_value_is_unknown(at(pl, "subnet_ids")));
	base_arena_free(a);
}

void test_secure_function_sf_plan__drift_private_bytes(void)
{
	base_arena *a = base_arena_new();
	tf6_bytes b = sf__drift_encode(a, SF_DRIFT_ENDPOINTS | SF_DRIFT_TAGS);
	T_ASSERT(b.len > 0);
	T_ASSERT_INT(sf__drift_decode(b), SF_DRIFT_ENDPOINTS | SF_DRIFT_TAGS);
	T_ASSERT_INT(sf__drift_encode(a, 0).len, 0);
	T_ASSERT_INT(sf__drift_decode((tf6_bytes){ (const uint8_t *)"garbage", 7 }), 0);
	T_ASSERT_INT(sf__drift_decode((tf6_bytes){ NULL, 0 }), 0);

	recon_step steps[3];
	recon_plan p = { steps, 3, 3 };
	memset(steps, 0, sizeof steps);
	steps[0].kind = RECON_STEP_ROLE_ATTACH;
	steps[1].kind = RECON_STEP_SG_REVOKE;
	steps[1].sg = RECON_SG_LAMBDA;
	steps[2].kind = RECON_STEP_EP_CREATE;
	T_ASSERT_INT(sf__drift_of_plan(&p), SF_DRIFT_ROLE | SF_DRIFT_SG_LAMBDA | SF_DRIFT_ENDPOINTS);
	base_arena_free(a);
}
