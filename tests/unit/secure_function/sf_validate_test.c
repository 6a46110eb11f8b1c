/* sf_validate_test.c - ValidateResourceConfig: every check with its attribute path. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base_arena.h"
#include "cty/cty_json.h"
#include "prov/prov_validate.h"
#include "aws/aws_client.h"
#include "secure_function/sf_int.h"
#include "secure_function/sf_ops_int.h"
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

/* A directory (made once) holding the code files the configs name:
 * f.zip (an empty zip), notzip.zip (text), big.zip (sparse, 60 MB). */
static const char *fixture_dir(void)
{
	static char dir[64];
	if (dir[0])
		return dir;
	snprintf(dir, sizeof dir, "/tmp/sf_validate_XXXXXX");
	if (!mkdtemp(dir))
		t__fail(__FILE__, __LINE__, "mkdtemp");
	static const unsigned char empty_zip[22] = {'P', 'K', 5, 6};
	char path[128];
	snprintf(path, sizeof path, "%s/f.zip", dir);
	FILE *f = fopen(path, "wb");
	fwrite(empty_zip, 1, sizeof empty_zip, f);
	fclose(f);
	snprintf(path, sizeof path, "%s/notzip.zip", dir);
	f = fopen(path, "wb");
	fputs("print('hello')\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/big.zip", dir);
	f = fopen(path, "wb");
	fwrite("PK\3\4", 1, 4, f);
	fclose(f);
	if (truncate(path, (off_t)60 * 1024 * 1024) != 0)
		t__fail(__FILE__, __LINE__, "truncate");
	return dir;
}

/* Runs ValidateResourceConfig with the fixture directory as the working
 * directory (restored after), as Terraform runs it in the configuration's. */
static base_diags *validate(sft_env *e, const cty_value *v, int *rc)
{
	tf6_call call = {e->a, base_diags_new(e->a), SF_TYPE_NAME};
	int cwd = open(".", O_RDONLY | O_DIRECTORY);
	if (cwd < 0 || chdir(fixture_dir()) != 0)
		t__fail(__FILE__, __LINE__, "chdir");
	*rc = sf_resource_ops()->validate(e->p, &call, &(tf6_validate_req){v});
	if (fchdir(cwd) != 0)
		t__fail(__FILE__, __LINE__, "fchdir");
	close(cwd);
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
	/* both ports missing: one error, not two */
	CASE(ZIP ",\"egress_rules\":[{\"protocol\":\"tcp\",\"cidr_blocks\":[\"10.0.0.0/8\"]}]",
	     "egress_rules[0].from_port", "Missing port");
	CASE(ZIP ",\"egress_rules\":[{\"protocol\":\"icmp\",\"from_port\":300,\"to_port\":0,"
	         "\"cidr_blocks\":[\"10.0.0.0/8\"]}]",
	     "egress_rules[0].from_port", "Invalid ICMP type");
	CASE(ZIP ",\"egress_rules\":[{\"protocol\":\"icmp\",\"from_port\":8,\"to_port\":256,"
	         "\"cidr_blocks\":[\"10.0.0.0/8\"]}]",
	     "egress_rules[0].to_port", "Invalid ICMP code");
	CASE(ZIP ",\"egress_rules\":[{\"protocol\":\"-1\",\"from_port\":443,\"to_port\":443,"
	         "\"cidr_blocks\":[\"10.0.0.0/8\"]}]",
	     "egress_rules[0].from_port", "Ports with a protocol that has none");
	CASE(ZIP ",\"egress_rules\":[{\"protocol\":\"300\",\"cidr_blocks\":[\"10.0.0.0/8\"]}]",
	     "egress_rules[0].protocol", "Invalid protocol");
	CASE(ZIP ",\"egress_rules\":[{\"protocol\":\"tcp\",\"from_port\":5432,\"to_port\":5432,"
	         "\"cidr_blocks\":[\"10.0.0.0/8\",\"10.1.0.0/16\"]},"
	         "{\"protocol\":\"udp\",\"from_port\":53,\"to_port\":53,\"cidr_blocks\":[\"10.0.0.0/8\"]},"
	         "{\"protocol\":\"6\",\"from_port\":5432,\"to_port\":5432,"
	         "\"cidr_blocks\":[\"10.1.0.0/16\",\"10.0.0.0/8\"],\"description\":\"again\"}]",
	     "egress_rules[2]", "Duplicate egress rule");
	/* -1 with 0/0 (hashicorp/aws style), ICMP -1/-1 and a protocol number are fine */
	GOOD(ZIP ",\"egress_rules\":[{\"protocol\":\"-1\",\"from_port\":0,\"to_port\":0,"
	         "\"cidr_blocks\":[\"10.0.0.0/8\"]},{\"protocol\":\"icmp\",\"from_port\":-1,"
	         "\"to_port\":-1,\"cidr_blocks\":[\"10.0.0.0/8\"]},{\"protocol\":\"47\","
	         "\"cidr_blocks\":[\"10.0.0.0/8\"]}]");
	sft_env_close(&e);
}

void test_secure_function_sf_validate__runtime(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	CASE("\"runtime\":\"python2.0\",\"handler\":\"h.main\",\"filename\":\"f.zip\"", "runtime",
	     "Unsupported runtime");
	/* retired: a warning at validate (an existing function may keep it);
	 * the plan refuses it for a new function or a change to it */
	{
		int rc_;
		base_diags *d_ = validate(&e,
		                          cfg(&e, "\"runtime\":\"python3.7\",\"handler\":\"h.main\","
		                                  "\"filename\":\"f.zip\""),
		                          &rc_);
		const base_diag *w_ = base_diags_first(d_);
		T_ASSERT_INT(rc_, BASE_OK);
		T_ASSERT(w_ && w_->severity == BASE_SEV_WARNING && strstr(w_->summary, "Retired runtime"));
		T_ASSERT_STR(base_path_str(e.a, w_->path), "runtime");
	}
	/* the table's dates decide, on a given day */
	const sf_runtime_info *r = sf__runtime_find("python3.9");
	T_ASSERT(r != NULL);
	T_ASSERT_INT(sf__runtime_status(r, "2025-12-14"), SF_RT_SUPPORTED);
	T_ASSERT_INT(sf__runtime_status(r, "2025-12-15"), SF_RT_DEPRECATED);
	T_ASSERT_INT(sf__runtime_status(r, "2026-08-31"), SF_RT_RETIRED);
	T_ASSERT_INT(sf__runtime_status(sf__runtime_find("python2.0"), "2026-01-01"), SF_RT_UNKNOWN);
	T_ASSERT_INT(sf__runtime_status(sf__runtime_find("python3.13"), "2026-01-01"), SF_RT_SUPPORTED);
	/* a deprecated runtime is a warning at runtime, not an error */
	prov_vctx v = {e.a, base_diags_new(e.a), BASE_OK};
	sf_config c;
	memset(&c, 0, sizeof c);
	c.runtime = "python3.9";
	c.present = SF_BIT(SF_A_RUNTIME);
	sf__check_runtime(&v, &c, "2026-01-10");
	T_ASSERT_INT(v.rc, BASE_OK);
	const base_diag *g = base_diags_first(v.d);
	T_ASSERT(g && g->severity == BASE_SEV_WARNING && strstr(g->summary, "Deprecated runtime"));
	T_ASSERT_STR(base_path_str(e.a, g->path), "runtime");
	T_ASSERT(strstr(g->detail, "2025-12-15") && strstr(g->detail, "2026-08-31"));
	T_ASSERT(strstr(sf__runtime_supported_list(e.a, "2026-01-10"), "python3.13") != NULL);
	T_ASSERT(strstr(sf__runtime_supported_list(e.a, "2026-01-10"), "python3.9") == NULL);
	sft_env_close(&e);
}

void test_secure_function_sf_validate__code_file(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	CASE("\"runtime\":\"python3.12\",\"handler\":\"h.main\",\"filename\":\"missing.zip\"", "filename",
	     "Function code file not found");
	CASE("\"runtime\":\"python3.12\",\"handler\":\"h.main\",\"filename\":\"notzip.zip\"", "filename",
	     "not a zip file");
	CASE("\"runtime\":\"python3.12\",\"handler\":\"h.main\",\"filename\":\".\"", "filename",
	     "Function code file not found");
	int rc;
	base_diags *d = validate(&e,
	                         cfg(&e, "\"runtime\":\"python3.12\",\"handler\":\"h.main\","
	                                 "\"filename\":\"big.zip\""),
	                         &rc);
	T_ASSERT(one(&e, d, "filename", "too large for a direct upload"));
	T_ASSERT(strstr(base_diags_first(d)->detail, "s3_bucket") != NULL);
	T_ASSERT(strstr(base_diags_first(d)->detail, "60.0 MB") != NULL);
	sft_env_close(&e);
}

void test_secure_function_sf_validate__tags_and_timeouts(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	CASE(ZIP ",\"tags\":{\"Env\":\"x\",\"lambdavpc:function\":\"other\"}", "tags[\"lambdavpc:function\"]",
	     "Reserved tag key");
	CASE(ZIP ",\"tags\":{\"aws:cloudformation:stack-name\":\"s\"}",
	     "tags[\"aws:cloudformation:stack-name\"]", "Reserved tag key");
	GOOD(ZIP ",\"tags\":{\"awsome\":\"x\",\"lambdavpc\":\"y\"}");
	CASE(ZIP ",\"timeouts\":{\"create\":\"0s\"}", "timeouts.create", "Duration out of range");
	CASE(ZIP ",\"timeouts\":{\"update\":\"1s\"}", "timeouts.update", "Duration out of range");
	CASE(ZIP ",\"timeouts\":{\"create\":\"3h\"}", "timeouts.create", "Duration out of range");
	CASE(ZIP ",\"timeouts\":{\"delete\":\"3h1m\"}", "timeouts.delete", "Duration out of range");
	GOOD(ZIP ",\"timeouts\":{\"create\":\"10s\",\"update\":\"2h\",\"delete\":\"3h\"}");
	int rc;
	base_diags *d = validate(&e, cfg(&e, ZIP ",\"timeouts\":{\"create\":\"1s\"}"), &rc);
	T_ASSERT(strstr(base_diags_first(d)->detail, "outside 10s to 2h") != NULL);
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

/* Plan-time endpoint service check: another region's full name is refused
 * without asking AWS; when AWS cannot be asked (closed port) a new short
 * name gets a warning at its path; entries already in the prior are not checked. */
void test_secure_function_sf_validate__endpoint_services_region(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	aws_client_config cc;
	memset(&cc, 0, sizeof cc);
	cc.region = "us-east-2";
	cc.access_key = "AKIDTEST";
	cc.secret_key = "SECRET";
	cc.skip_credentials_validation = true;
	cc.max_retries = 1;
	cc.endpoints[AWS_SVC_EC2] = "http://127.0.0.1:9/";
	aws_client *c = NULL;
	aws_error err;
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	T_OK(aws_client_new(&c, &cc, &err));

	sf_config pm, prior;
	memset(&pm, 0, sizeof pm);
	memset(&prior, 0, sizeof prior);
	static const char *svcs[] = {"logs", "com.amazonaws.eu-west-1.logs", "ssm"};
	pm.endpoint_services.v = svcs;
	pm.endpoint_services.n = 3;
	pm.present = SF_BIT(SF_A_ENDPOINT_SERVICES);
	static const char *old[] = {"logs", "ssm"};
	prior.endpoint_services.v = old;
	prior.endpoint_services.n = 2;
	prior.present = SF_BIT(SF_A_ENDPOINT_SERVICES);

	base_diags *d = base_diags_new(e.a);
	T_ASSERT_INT(sf__check_endpoint_services(c, e.a, &pm, &prior, d), BASE_EINVALID);
	T_ASSERT(one(&e, d, "endpoint_services[1]", "Endpoint service of another region"));
	T_ASSERT(strstr(base_diags_first(d)->detail, "eu-west-1") &&
	         strstr(base_diags_first(d)->detail, "us-east-2"));

	/* create: "logs" is new, AWS unreachable -> a warning, no error */
	static const char *one_svc[] = {"logs"};
	pm.endpoint_services.v = one_svc;
	pm.endpoint_services.n = 1;
	d = base_diags_new(e.a);
	T_ASSERT_INT(sf__check_endpoint_services(c, e.a, &pm, NULL, d), BASE_OK);
	const base_diag *g = base_diags_first(d);
	T_ASSERT(g && g->severity == BASE_SEV_WARNING &&
	         strstr(g->summary, "Cannot check the endpoint services"));
	T_ASSERT_STR(base_path_str(e.a, g->path), "endpoint_services[0]");
	/* no change against the prior: nothing asked, nothing said */
	d = base_diags_new(e.a);
	T_ASSERT_INT(sf__check_endpoint_services(c, e.a, &pm, &prior, d), BASE_OK);
	T_ASSERT_INT(base_diags_count(d), 0);
	aws_client_free(c);
	sft_env_close(&e);
}
