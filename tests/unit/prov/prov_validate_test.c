/* prov_validate_test.c - every schema-driven validator, with its attribute path. */
#include <string.h>

#include "base/base_arena.h"
#include "base/base_diag.h"
#include "cty/cty_json.h"
#include "prov/prov_schema.h"
#include "prov/prov_validate.h"
#include "prov_testutil.h"
#include "t.h"

/* A minimal valid config plus `extra` JSON members. */
static const cty_value *config(base_arena *a, const tf6_schema *s, const char *extra)
{
	const char *json = base_arena_sprintf(
	        a,
	        "{\"function_name\":\"app-7\",\"vpc_id\":\"vpc-0abc1234\","
	        "\"subnet_cidr_blocks\":[\"12.25.15.0/27\",\"12.25.15.32/27\"],"
	        "\"runtime\":\"python3.12\",\"handler\":\"h.main\",\"filename\":\"lambda.zip\"%s%s}",
	        extra && *extra ? "," : "", extra ? extra : "");
	const cty_value *v = NULL;
	base_diags *d = base_diags_new(a);
	if (cty_json_decode(a, tf6_schema_type(s), json, strlen(json), 0, &v, d) != BASE_OK) {
		const base_diag *g = base_diags_first(d);
		t__fail(__FILE__, __LINE__, "fixture does not decode: %s %s", g ? g->summary : "",
		        g ? g->detail : "");
		return NULL;
	}
	return v;
}

/* Runs the validators; returns the diagnostics. */
static base_diags *run(base_arena *a, const tf6_schema *s, const cty_value *v, int *rc)
{
	base_diags *d = base_diags_new(a);
	*rc = prov_validate_block(a, &s->block, v, base_path_root(), d);
	return d;
}

/* The one diagnostic must have this path and a summary containing `summary`. */
static bool only(base_arena *a, base_diags *d, const char *path, const char *summary)
{
	if (base_diags_count(d) != 1) {
		for (const base_diag *g = base_diags_first(d); g; g = g->next)
			t__fail(__FILE__, __LINE__, "diag: %s [%s] %s", g->summary,
			        g->has_path ? base_path_str(a, g->path) : "-", g->detail);
		t__fail(__FILE__, __LINE__, "want exactly one diagnostic at %s, got %zu", path,
		        base_diags_count(d));
		return false;
	}
	const base_diag *g = base_diags_first(d);
	const char *p = g->has_path ? base_path_str(a, g->path) : "";
	if (strcmp(p, path) != 0 || !strstr(g->summary, summary) || g->severity != BASE_SEV_ERROR) {
		t__fail(__FILE__, __LINE__, "got \"%s\" at %s, want \"%s\" at %s", g->summary, p, summary,
		        path);
		return false;
	}
	return true;
}

/* One rejected config: the extra members, the one diagnostic's path and summary part. */
struct reject_case {
	const char *extra, *path, *summary;
};

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))

/* Every case must fail validation with exactly its one diagnostic (stops at the first that does not). */
static void check_rejects(const struct reject_case *cases, size_t n)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = provt_schema(a, PROVT_RESOURCE);
	T_ASSERT(s);
	for (size_t i = 0; i < n; i++) {
		int rc;
		base_diags *d = run(a, s, config(a, s, cases[i].extra), &rc);
		T_ASSERT_MSG(rc == BASE_EINVALID, "case %zu (%s): rc %d, want BASE_EINVALID", i, cases[i].extra, rc);
		T_ASSERT_MSG(only(a, d, cases[i].path, cases[i].summary), "case %zu: %s", i, cases[i].extra);
	}
	base_arena_free(a);
}

void test_prov_prov_validate__good_config(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = provt_schema(a, PROVT_RESOURCE);
	T_ASSERT(s);
	int rc;
	base_diags *d = run(
	        a, s,
	        config(a, s,
	               "\"memory_size\":256,\"timeout\":900,\"environment\":{\"STAGE\":\"prod\"},"
	               "\"endpoint_services\":[\"logs\",\"com.amazonaws.us-east-2.ssm\",\"ecr.dkr\"],"
	               "\"egress_rules\":[{\"protocol\":\"tcp\",\"from_port\":5432,\"to_port\":5432,"
	               "\"cidr_blocks\":[\"10.0.0.0/16\"],\"description\":null,\"security_group_ids\":null,"
	               "\"prefix_list_ids\":null}],"
	               "\"logging\":{\"log_format\":\"JSON\",\"application_log_level\":\"INFO\"},"
	               "\"timeouts\":{\"create\":\"1h30m\"},\"inline_policy\":\"{\\\"Version\\\":\\\"2012-10-"
	               "17\\\"}\","
	               "\"layers\":[\"arn:aws:lambda:us-east-1:123456789012:layer:a:1\"]"),
	        &rc);
	T_ASSERT_INT(base_diags_count(d), 0);
	T_ASSERT_INT(rc, BASE_OK);
	base_arena_free(a);
}

void test_prov_prov_validate__function_name(void)
{
	static const struct reject_case cases[] = {
		/* later members override earlier ones in the decoded object */
		{ "\"function_name\":\"bad name\"", "function_name", "Invalid value" },
		{ "\"function_name\":\"a123456789012345678901234567890123456789012345678901234567890123x\"",
		  "function_name", "Invalid value" },
	};
	check_rejects(cases, N_OF(cases));
}

void test_prov_prov_validate__cidr_blocks(void)
{
	static const struct reject_case cases[] = {
		{ "\"subnet_cidr_blocks\":[\"10.0.0.0/24\",\"10.0.1.0/24\",\"10.0.2/24\"]",
		  "subnet_cidr_blocks[2]", "Invalid CIDR block" },
		{ "\"subnet_cidr_blocks\":[\"10.0.0.0/24\",\"10.0.1.0/29\"]", "subnet_cidr_blocks[1]",
		  "prefix length" },
		{ "\"subnet_cidr_blocks\":[\"10.0.0.0/15\"]", "subnet_cidr_blocks[0]", "prefix length" },
		{ "\"subnet_cidr_blocks\":[\"10.0.0.1/24\"]", "subnet_cidr_blocks[0]", "Invalid CIDR block" },
		{ "\"subnet_cidr_blocks\":[\"10.0.0.0/24\",\"10.0.0.0/24\"]", "subnet_cidr_blocks[1]",
		  "Duplicate value" },
		{ "\"subnet_cidr_blocks\":[\"10.0.0.0/24\",\"10.0.1.0/24\",\"10.0.0.128/25\"]",
		  "subnet_cidr_blocks[2]", "Overlapping CIDR blocks" },
		{ "\"subnet_cidr_blocks\":[\"256.0.0.0/24\"]", "subnet_cidr_blocks[0]", "Invalid CIDR block" },
		{ "\"subnet_cidr_blocks\":[\"010.0.0.0/24\"]", "subnet_cidr_blocks[0]", "Invalid CIDR block" },
		{ "\"subnet_cidr_blocks\":[]", "subnet_cidr_blocks", "Invalid number of elements" },
		{ "\"subnet_cidr_blocks\":[\"10.0.0.0/28\",\"10.0.0.16/28\",\"10.0.0.32/28\",\"10.0.0.48/28\","
		  "\"10.0.0.64/28\",\"10.0.0.80/28\",\"10.0.0.96/28\",\"10.0.0.112/28\",\"10.0.0.128/"
		  "28\",\"10.0.0.144/28\","
		  "\"10.0.0.160/28\",\"10.0.0.176/28\",\"10.0.0.192/28\",\"10.0.0.208/28\",\"10.0.0.224/"
		  "28\",\"10.0.0.240/28\","
		  "\"10.0.1.0/28\"]",
		  "subnet_cidr_blocks", "Invalid number of elements" },
	};
	check_rejects(cases, N_OF(cases));
}

void test_prov_prov_validate__numbers(void)
{
	static const struct reject_case cases[] = {
		{ "\"memory_size\":127", "memory_size", "out of range" },
		{ "\"memory_size\":10241", "memory_size", "out of range" },
		{ "\"memory_size\":256.5", "memory_size", "out of range" },
		{ "\"timeout\":0", "timeout", "out of range" },
		{ "\"timeout\":901", "timeout", "out of range" },
		{ "\"ephemeral_storage_size\":511", "ephemeral_storage_size", "out of range" },
	};
	check_rejects(cases, N_OF(cases));
}

void test_prov_prov_validate__environment_keys(void)
{
	static const struct reject_case cases[] = {
		{ "\"environment\":{\"OK\":\"1\",\"1BAD\":\"x\"}", "environment[\"1BAD\"]", "Invalid key" },
		{ "\"environment\":{\"A-B\":\"x\"}", "environment[\"A-B\"]", "Invalid key" },
		{ "\"environment\":{\"AWS_REGION\":\"x\"}", "environment[\"AWS_REGION\"]", "Reserved key" },
	};
	check_rejects(cases, N_OF(cases));
}

void test_prov_prov_validate__lists(void)
{
	static const struct reject_case cases[] = {
		{ "\"layers\":[\"arn:aws:lambda:us-east-1:123456789012:layer:a:1\",\"arn:aws:lambda:us-east-1:"
		  "123456789012:layer:a:2\","
		  "\"arn:aws:lambda:us-east-1:123456789012:layer:a:3\",\"arn:aws:lambda:us-east-1:123456789012:"
		  "layer:a:4\","
		  "\"arn:aws:lambda:us-east-1:123456789012:layer:a:5\",\"arn:aws:lambda:us-east-1:123456789012:"
		  "layer:a:6\"]",
		  "layers", "Invalid number of elements" },
		{ "\"layers\":[\"not-an-arn\"]", "layers[0]", "Invalid value" },
		{ "\"endpoint_services\":[\"logs\",\"nosuch\"]", "endpoint_services[1]",
		  "Unknown endpoint service" },
		{ "\"endpoint_services\":[\"logs\",\"logs\"]", "endpoint_services[1]", "Duplicate value" },
		{ "\"architectures\":[\"x86_64\",\"arm64\"]", "architectures", "Invalid number of elements" },
		{ "\"architectures\":[\"mips\"]", "architectures[0]", "Invalid value" },
		{ "\"package_type\":\"zip\"", "package_type", "Invalid value" },
	};
	check_rejects(cases, N_OF(cases));
}

void test_prov_prov_validate__nested(void)
{
	static const struct reject_case cases[] = {
		{ "\"egress_rules\":[{\"protocol\":\"tcp\",\"from_port\":1,\"to_port\":2,\"cidr_blocks\":[\"10.0."
		  "0.0/8\"]},"
		  "{\"protocol\":\"tcp\",\"from_port\":70000,\"to_port\":2,\"cidr_blocks\":[\"10.0.0.0/8\"]}]",
		  "egress_rules[1].from_port", "out of range" },
		{ "\"egress_rules\":[{\"protocol\":\"tcp\",\"from_port\":1,\"to_port\":2,\"cidr_blocks\":[\"10.0."
		  "0.0/8\",\"x\"]}]",
		  "egress_rules[0].cidr_blocks[1]", "Invalid CIDR block" },
		{ "\"egress_rules\":[{\"protocol\":\"bogus\",\"cidr_blocks\":[\"10.0.0.0/8\"]}]",
		  "egress_rules[0].protocol", "Invalid value" },
		{ "\"logging\":{\"log_format\":\"XML\"}", "logging.log_format", "Invalid value" },
		{ "\"timeouts\":{\"create\":\"10 min\"}", "timeouts.create", "Invalid duration" },
		{ "\"inline_policy\":\"[1,2]\"", "inline_policy", "Invalid JSON" },
		{ "\"inline_policy\":\"{\"", "inline_policy", "Invalid JSON" },
	};
	check_rejects(cases, N_OF(cases));
}

void test_prov_prov_validate__unknowns_skip(void)
{
	base_arena *a = base_arena_new();
	const tf6_schema *s = provt_schema(a, PROVT_RESOURCE);
	T_ASSERT(s);
	const cty_value *v = config(a, s, "");
	const cty_type *t = tf6_schema_type(s);
	v = cty_value_with_attr(a, v, "memory_size", cty_value_unknown(cty_type_attr(t, "memory_size")));
	const cty_value *el[3] = {cty_value_string(a, "10.0.0.0/24"), cty_value_unknown(cty_type_string()),
	                          cty_value_string(a, "10.0.0.0/24")};
	v = cty_value_with_attr(a, v, "subnet_cidr_blocks", cty_value_list(a, cty_type_string(), 3, el));
	v = cty_value_with_attr(a, v, "environment", cty_value_unknown(cty_type_attr(t, "environment")));
	T_ASSERT(v);
	int rc;
	base_diags *d = run(a, s, v, &rc);
	/* the two known equal elements are still reported, nothing else */
	T_ASSERT(only(a, d, "subnet_cidr_blocks[2]", "Duplicate value"));
	v = cty_value_unknown(t);
	d = run(a, s, v, &rc);
	T_ASSERT_INT(base_diags_count(d), 0);
	base_arena_free(a);
}

void test_prov_prov_validate__parsers(void)
{
	uint32_t addr;
	int pfx;
	T_ASSERT(prov_validate_parse_cidr("12.25.15.32/27", &addr, &pfx));
	T_ASSERT_INT(addr, (12u << 24) | (25u << 16) | (15u << 8) | 32u);
	T_ASSERT_INT(pfx, 27);
	T_ASSERT(prov_validate_parse_cidr("0.0.0.0/0", &addr, &pfx));
	T_ASSERT(!prov_validate_parse_cidr("1.2.3.4/33", &addr, &pfx));
	T_ASSERT(!prov_validate_parse_cidr("1.2.3.4", &addr, &pfx));
	T_ASSERT(!prov_validate_parse_cidr("1.2.3.4/24 ", &addr, &pfx));
	T_ASSERT(!prov_validate_parse_cidr("1.2.3/24", &addr, &pfx));
	T_ASSERT(!prov_validate_parse_cidr("1.2.3.4.5/24", &addr, &pfx));
	int64_t secs;
	T_ASSERT(prov_validate_parse_duration("1h30m", &secs));
	T_ASSERT_INT(secs, 5400);
	T_ASSERT(prov_validate_parse_duration("45s", &secs));
	T_ASSERT_INT(secs, 45);
	T_ASSERT(!prov_validate_parse_duration("", &secs));
	T_ASSERT(!prov_validate_parse_duration("m", &secs));
	T_ASSERT(!prov_validate_parse_duration("10", &secs));
	T_ASSERT(!prov_validate_parse_duration("10d", &secs));
}
