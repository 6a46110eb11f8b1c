/* sf_plan_test.c - the pure plan rules (sf__plan_compute) and drift flags: no AWS. */
#include <string.h>

#include "base/base_arena.h"
#include "cty/cty_equal.h"
#include "cty/cty_json.h"
#include "prov/prov_schema.h"
#include "recon/recon_diff.h"
#include "secure_function/sf_ops_int.h"
#include "sf_testutil.h"
#include "t.h"

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

#define CONFIG                                                                                               \
	"\"function_name\":\"app\",\"vpc_id\":\"vpc-0123456789abcdef0\","                                    \
	"\"subnet_cidr_blocks\":[\"10.0.1.0/27\",\"10.0.1.32/"                                               \
	"27\"],\"endpoint_services\":[\"logs\",\"ssm\"],"                                                    \
	"\"runtime\":\"python3.12\",\"handler\":\"h.handler\",\"source_code_hash\":\"abc=\","                \
	"\"memory_size\":256,\"timeout\":10,\"environment\":{\"STAGE\":\"dev\"},\"tags\":{\"Team\":\"pay\"}"

/* What an apply of CONFIG leaves in the state. */
#define STATE                                                                                                \
	CONFIG ",\"id\":\"app\",\"availability_zones\":[\"us-east-2a\",\"us-east-2b\"],"                     \
	       "\"private_dns_enabled\":true,\"reuse_existing_endpoints\":true,\"package_type\":\"Zip\","    \
	       "\"architectures\":[\"x86_64\"],\"publish\":false,\"ephemeral_storage_size\":512,"            \
	       "\"arn\":\"arn:aws:lambda:us-east-2:123456789012:function:app\","                             \
	       "\"invoke_arn\":\"ia\",\"qualified_arn\":\"arn:aws:lambda:us-east-2:123456789012:function:"   \
	       "app:$LATEST\","                                                                              \
	       "\"version\":\"$LATEST\",\"last_modified\":\"t0\",\"code_sha256\":\"abc=\","                  \
	       "\"role_arn\":\"arn:aws:iam::123456789012:role/"                                              \
	       "lambdavpc-app\",\"role_name\":\"lambdavpc-app\","                                            \
	       "\"subnet_ids\":[\"subnet-1\",\"subnet-2\"],\"route_table_id\":\"rtb-1\","                    \
	       "\"lambda_security_group_id\":\"sg-l\",\"endpoint_security_group_id\":\"sg-e\","              \
	       "\"vpc_endpoint_ids\":{\"logs\":\"vpce-1\",\"ssm\":\"vpce-2\"},\"tags_all\":{\"Team\":"       \
	       "\"pay\"}"

static int plan(base_arena *a, const tf6_schema *s, const cty_value *prior, const cty_value *proposed,
                const cty_value *config, unsigned drift, const cty_value **planned, const base_path **rr,
                size_t *n)
{
	tf6_plan_req req;
	prov_tags none = {NULL, NULL, 0};
	memset(&req, 0, sizeof req);
	req.prior = prior;
	req.proposed = proposed;
	req.config = config;
	return sf__plan_compute(a, s, &req, none, true, drift, planned, rr, n, base_diags_new(a));
}

/* One test's arena, the resource schema, STATE as the prior and the last plan's outputs. */
struct fx {
	base_arena *a;
	const tf6_schema *s;
	const cty_value *prior;
	const cty_value *pl;
	const base_path *rr;
	size_t n;
};

/* false when the schema or the STATE object does not load. n starts at 9 so that a
 * plan that leaves it alone is seen. */
static bool fx_open(struct fx *f)
{
	memset(f, 0, sizeof *f);
	f->a = base_arena_new();
	f->s = sft_schema(f->a);
	f->prior = f->s ? obj(f->a, f->s, "{" STATE "}") : NULL;
	f->n = 9;
	return f->s && f->prior;
}

/* base with attr set to the value written as JSON; NULL when that does not decode. */
static const cty_value *with_json(struct fx *f, const cty_value *base, const char *attr,
                                  const char *value_json)
{
	const cty_value *x = obj(f->a, f->s, base_arena_sprintf(f->a, "{\"%s\":%s}", attr, value_json));
	return x ? cty_value_with_attr(f->a, base, attr, at(x, attr)) : NULL;
}

static int fx_plan(struct fx *f, const cty_value *prior, const cty_value *proposed, const cty_value *config,
                   unsigned drift)
{
	return plan(f->a, f->s, prior, proposed, config, drift, &f->pl, &f->rr, &f->n);
}

void test_secure_function_sf_plan__create(void)
{
	struct fx f;
	T_ASSERT(fx_open(&f));
	const cty_value *cfg = obj(f.a, f.s,
	                           "{\"function_name\":\"app\",\"vpc_id\":\"vpc-0123456789abcdef0\","
	                           "\"subnet_cidr_blocks\":[\"10.0.1.0/27\"],\"runtime\":\"python3.12\","
	                           "\"handler\":\"h.handler\",\"filename\":\"lambda.zip\","
	                           "\"tags\":{\"Team\":\"pay\"}}");
	T_ASSERT(cfg);
	T_OK(fx_plan(&f, NULL, cfg, cfg, 0));
	T_ASSERT_INT(f.n, 0);
	const cty_value *pl = f.pl;
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
	base_arena_free(f.a);
}

void test_secure_function_sf_plan__create_tags_all_merges_defaults(void)
{
	struct fx f;
	T_ASSERT(fx_open(&f));
	base_arena *a = f.a;
	const tf6_schema *s = f.s;
	const cty_value *cfg =
	        obj(a, s, "{\"function_name\":\"app\",\"tags\":{\"Team\":\"pay\",\"Env\":\"x\"}}");
	const char *keys[] = {"Env", "Owner"}, *vals[] = {"dev", "ops"};
	prov_tags dt = {keys, vals, 2};
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
	struct fx f;
	T_ASSERT(fx_open(&f));
	const cty_value *cfg = obj(f.a, f.s, "{" CONFIG "}");
	T_ASSERT(f.prior && cfg);
	T_OK(fx_plan(&f, f.prior, f.prior, cfg, 0));
	T_ASSERT_INT(f.n, 0);
	T_ASSERT(cty_value_raw_equal(f.pl, f.prior));
	base_arena_free(f.a);
}

void test_secure_function_sf_plan__update_cidrs_and_memory(void)
{
	struct fx f;
	T_ASSERT(fx_open(&f));
	const cty_value *prior = f.prior;
	const cty_value *prop =
	        with_json(&f, prior, "subnet_cidr_blocks", "[\"10.0.1.0/27\",\"10.0.1.96/27\"]");
	T_ASSERT(prior && prop);
	/* the config leaves availability_zones unset */
	prop = cty_value_with_attr(f.a, prop, "memory_size", cty_value_number_int(f.a, 512));
	const cty_value *cfg = cty_value_with_attr(f.a, prop, "availability_zones", NULL);
	T_OK(fx_plan(&f, prior, prop, cfg, 0));
	T_ASSERT_INT(f.n, 0);
	const cty_value *pl = f.pl;
	/* the kept CIDR keeps its subnet and AZ, the new one is unknown (same order as the CIDRs) */
	T_ASSERT_INT(cty_value_len(at(pl, "subnet_ids")), 2);
	T_ASSERT_STR(cty_value_as_string(cty_value_index(at(pl, "subnet_ids"), 0)), "subnet-1");
	T_ASSERT(cty_value_is_unknown(cty_value_index(at(pl, "subnet_ids"), 1)));
	T_ASSERT_STR(cty_value_as_string(cty_value_index(at(pl, "availability_zones"), 0)), "us-east-2a");
	T_ASSERT(cty_value_is_unknown(cty_value_index(at(pl, "availability_zones"), 1)));
	T_ASSERT(cty_value_is_unknown(at(pl, "last_modified")));
	T_ASSERT_STR(cty_value_number_canon(at(pl, "memory_size")), "512");
	/* unaffected computed values kept */
	static const char *const kept[] = {"vpc_endpoint_ids", "code_sha256", "arn", "version"};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
		T_ASSERT_MSG(cty_value_raw_equal(at(pl, kept[i]), at(prior, kept[i])), "%s not kept",
		             kept[i]);
	base_arena_free(f.a);
}

void test_secure_function_sf_plan__update_services_and_code(void)
{
	struct fx f;
	T_ASSERT(fx_open(&f));
	const cty_value *prior = f.prior;
	const cty_value *prop = with_json(&f, prior, "endpoint_services", "[\"logs\",\"sqs\"]");
	T_ASSERT(prop);
	T_OK(fx_plan(&f, prior, prop, prop, 0));
	/* logs keeps its endpoint, sqs is new, ssm is gone */
	T_ASSERT(cty_value_is_known(at(f.pl, "vpc_endpoint_ids")) == false);
	T_ASSERT_INT(cty_value_len(at(f.pl, "vpc_endpoint_ids")), 2);
	T_ASSERT_STR(cty_value_as_string(cty_value_map_get(at(f.pl, "vpc_endpoint_ids"), "logs")), "vpce-1");
	T_ASSERT(cty_value_is_unknown(cty_value_map_get(at(f.pl, "vpc_endpoint_ids"), "sqs")));
	T_ASSERT(!cty_value_is_unknown(at(f.pl, "subnet_ids")));
	T_ASSERT(!cty_value_is_unknown(at(f.pl, "last_modified"))); /* the function does not change */
	T_ASSERT(!cty_value_is_unknown(at(f.pl, "code_sha256")));

	prop = cty_value_with_attr(f.a, prior, "source_code_hash", cty_value_string(f.a, "new="));
	T_OK(fx_plan(&f, prior, prop, prop, 0));
	T_ASSERT(cty_value_is_unknown(at(f.pl, "code_sha256")));
	T_ASSERT(cty_value_is_unknown(at(f.pl, "last_modified")));
	T_ASSERT(!cty_value_is_unknown(at(f.pl, "version"))); /* not publishing: stays $LATEST */
	T_ASSERT(!cty_value_is_unknown(at(f.pl, "vpc_endpoint_ids")));
	base_arena_free(f.a);
}

void test_secure_function_sf_plan__requires_replace(void)
{
	/* changing either attribute replaces, and the requires-replace path names it */
	static const struct {
		const char *attr, *value;
	} cases[] = {{"vpc_id", "vpc-0fedcba9876543210"}, {"function_name", "other"}};
	struct fx f;
	T_ASSERT(fx_open(&f));
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const cty_value *prop = cty_value_with_attr(f.a, f.prior, cases[i].attr,
		                                            cty_value_string(f.a, cases[i].value));
		f.n = 0;
		T_OK(fx_plan(&f, f.prior, prop, prop, 0));
		T_ASSERT_INT(f.n, 1);
		T_ASSERT_STR(base_path_str(f.a, f.rr[0]), cases[i].attr);
	}
	T_ASSERT_STR(cty_value_as_string(at(f.pl, "id")), "other");
	base_arena_free(f.a);
}

void test_secure_function_sf_plan__drift_marks_affected_attribute(void)
{
	struct fx f;
	T_ASSERT(fx_open(&f));
	const cty_value *prior = f.prior;
	T_OK(fx_plan(&f, prior, prior, prior, SF_DRIFT_ROLE | SF_DRIFT_SG_LAMBDA));
	T_ASSERT(cty_value_is_unknown(at(f.pl, "role_arn")));
	T_ASSERT(cty_value_is_unknown(at(f.pl, "lambda_security_group_id")));
	T_ASSERT(!cty_value_is_unknown(at(f.pl, "endpoint_security_group_id")));
	T_ASSERT(!cty_value_is_unknown(at(f.pl, "subnet_ids")));
	/* a deleted endpoint: vpc_endpoint_ids lacks a service */
	const cty_value *pr2 = with_json(&f, prior, "vpc_endpoint_ids", "{\"logs\":\"vpce-1\"}");
	T_ASSERT(pr2);
	T_OK(fx_plan(&f, pr2, pr2, prior, 0));
	T_ASSERT_STR(cty_value_as_string(cty_value_map_get(at(f.pl, "vpc_endpoint_ids"), "logs")), "vpce-1");
	T_ASSERT(cty_value_is_unknown(cty_value_map_get(at(f.pl, "vpc_endpoint_ids"), "ssm")));
	/* a deleted subnet: subnet_ids shorter than the CIDRs */
	pr2 = with_json(&f, prior, "subnet_ids", "[\"subnet-2\"]");
	T_ASSERT(pr2);
	T_OK(fx_plan(&f, pr2, pr2, prior, 0));
	/* which CIDR lost its subnet is not known from a shorter list: both elements unknown */
	T_ASSERT_INT(cty_value_len(at(f.pl, "subnet_ids")), 2);
	T_ASSERT(cty_value_is_unknown(cty_value_index(at(f.pl, "subnet_ids"), 0)));
	T_ASSERT(cty_value_is_unknown(cty_value_index(at(f.pl, "subnet_ids"), 1)));
	base_arena_free(f.a);
}

void test_secure_function_sf_plan__drift_private_bytes(void)
{
	base_arena *a = base_arena_new();
	tf6_bytes b = sf__drift_encode(a, SF_DRIFT_ENDPOINTS | SF_DRIFT_TAGS);
	T_ASSERT(b.len > 0);
	T_ASSERT_INT(sf__drift_decode(b), SF_DRIFT_ENDPOINTS | SF_DRIFT_TAGS);
	T_ASSERT_INT(sf__drift_encode(a, 0).len, 0);
	T_ASSERT_INT(sf__drift_decode((tf6_bytes){(const uint8_t *)"garbage", 7}), 0);
	T_ASSERT_INT(sf__drift_decode((tf6_bytes){NULL, 0}), 0);

	recon_step steps[3];
	recon_plan p = {steps, 3, 3};
	memset(steps, 0, sizeof steps);
	steps[0].kind = RECON_STEP_ROLE_ATTACH;
	steps[1].kind = RECON_STEP_SG_REVOKE;
	steps[1].sg = RECON_SG_LAMBDA;
	steps[2].kind = RECON_STEP_EP_CREATE;
	T_ASSERT_INT(sf__drift_of_plan(&p), SF_DRIFT_ROLE | SF_DRIFT_SG_LAMBDA | SF_DRIFT_ENDPOINTS);
	base_arena_free(a);
}

void test_secure_function_sf_plan__tags_change_keeps_function_values(void)
{
	struct fx f;
	T_ASSERT(fx_open(&f));
	const cty_value *prop = with_json(&f, f.prior, "tags", "{\"Team\":\"ops\"}");
	T_ASSERT(prop);
	prop = cty_value_with_attr(f.a, prop, "publish", cty_value_bool(true));
	const cty_value *prior = cty_value_with_attr(f.a, f.prior, "publish", cty_value_bool(true));
	T_OK(fx_plan(&f, prior, prop, prop, 0));
	/* tagging does not touch the function's configuration: nothing is published */
	static const char *const kept[] = {"last_modified", "version",    "qualified_arn",
	                                   "code_sha256",   "subnet_ids", "vpc_endpoint_ids"};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
		T_ASSERT_MSG(cty_value_raw_equal(at(f.pl, kept[i]), at(prior, kept[i])), "%s not kept",
		             kept[i]);
	T_ASSERT_STR(cty_value_as_string(cty_value_map_get(at(f.pl, "tags_all"), "Team")), "ops");
	base_arena_free(f.a);
}

void test_secure_function_sf_plan__default_tags_change_plans_tags_all(void)
{
	struct fx f;
	T_ASSERT(fx_open(&f));
	const char *k[] = {"Env"}, *v[] = {"prod"};
	prov_tags dt = {k, v, 1};
	tf6_plan_req req;
	memset(&req, 0, sizeof req);
	req.prior = f.prior;
	req.proposed = f.prior;
	req.config = f.prior;
	T_OK(sf__plan_compute(f.a, f.s, &req, dt, true, 0, &f.pl, &f.rr, &f.n, base_diags_new(f.a)));
	const cty_value *ta = at(f.pl, "tags_all");
	T_ASSERT(cty_value_is_known(ta));
	T_ASSERT_INT(cty_value_len(ta), 2);
	T_ASSERT_STR(cty_value_as_string(cty_value_map_get(ta, "Env")), "prod");
	T_ASSERT_STR(cty_value_as_string(cty_value_map_get(ta, "Team")), "pay");
	T_ASSERT(cty_value_raw_equal(at(f.pl, "last_modified"), at(f.prior, "last_modified")));
	base_arena_free(f.a);
}
