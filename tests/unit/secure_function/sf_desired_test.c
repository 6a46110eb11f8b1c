/* sf_desired_test.c - model -> recon desired spec, service names, durations, prior ids. */

#include <string.h>

#include "base/base_arena.h"
#include "recon/recon_function.h"
#include "secure_function/sf_ops_int.h"
#include "sf_testutil.h"
#include "t.h"

void test_secure_function_sf_desired__service_names(void)
{
	base_arena *a = base_arena_new();
	T_ASSERT_STR(sf__service_full(a, "us-east-2", "logs"), "com.amazonaws.us-east-2.logs");
	T_ASSERT_STR(sf__service_full(a, "us-east-2", "com.amazonaws.eu-west-1.sqs"), "com.amazonaws.eu-west-1.sqs");
	T_ASSERT_STR(sf__service_short(a, "us-east-2", "com.amazonaws.us-east-2.ecr.api"), "ecr.api");
	T_ASSERT_STR(sf__service_short(a, "us-east-2", "com.amazonaws.eu-west-1.sqs"), "com.amazonaws.eu-west-1.sqs");
	T_ASSERT(sf__service_is_gateway("s3"));
	T_ASSERT(sf__service_is_gateway("com.amazonaws.us-east-2.dynamodb"));
	T_ASSERT(!sf__service_is_gateway("logs"));
	T_ASSERT(!sf__service_is_gateway("com.amazonaws.us-east-2.s3-outposts"));
	base_arena_free(a);
}

void test_secure_function_sf_desired__durations(void)
{
	uint64_t ms = 0;
	T_OK(sf__duration_ms("30m", &ms));
	T_ASSERT_INT(ms, 1800000);
	T_OK(sf__duration_ms("1h30m5s", &ms));
	T_ASSERT_INT(ms, 5405000);
	T_OK(sf__duration_ms("250ms", &ms));
	T_ASSERT_INT(ms, 250);
	T_ASSERT_INT(sf__duration_ms("10", &ms), BASE_EINVALID);
	T_ASSERT_INT(sf__duration_ms("m", &ms), BASE_EINVALID);
	T_ASSERT_INT(sf__duration_ms("", &ms), BASE_EINVALID);
}

void test_secure_function_sf_desired__build(void)
{
	base_arena *a = base_arena_new();
	sf_config m;
	recon_desired d;
	const char *keys[] = { "Env", "Team" }, *vals[] = { "dev", "default" };
	prov_tags dt = { keys, vals, 2 };
	T_OK(sft_model(a,
	           "{\"function_name\":\"app\",\"vpc_id\":\"vpc-0123456789abcdef0\","
	           "\"subnet_cidr_blocks\":[\"10.0.1.0/27\",\"10.0.1.32/27\",\"10.0.1.64/27\"],"
	           "\"availability_zones\":[\"us-east-2a\",\"us-east-2b\"],"
	           "\"endpoint_services\":[\"logs\",\"s3\"],\"private_dns_enabled\":false,"
	           "\"egress_rules\":[{\"protocol\":\"tcp\",\"from_port\":5432,\"to_port\":5432,"
	           "\"cidr_blocks\":[\"10.0.0.0/16\"]}],"
	           "\"runtime\":\"python3.12\",\"handler\":\"h.handler\",\"memory_size\":256,"
	           "\"environment\":{\"A\":\"1\"},\"tags\":{\"Team\":\"pay\"},"
	           "\"policy_arns\":[\"arn:aws:iam::aws:policy/ReadOnlyAccess\"],"
	           "\"timeouts\":{\"create\":\"20m\",\"update\":null,\"delete\":\"1h\"}}",
	           &m));
	T_OK(sf__desired_build(a, &m, "us-east-2", dt, false, &d, base_diags_new(a)));
	T_ASSERT_STR(d.function_name, "app");
	T_ASSERT_INT(d.subnet_cidrs.n, 3);
	T_ASSERT_INT(d.subnet_azs.n, 3);
	T_ASSERT_STR(d.subnet_azs.v[2], "us-east-2a"); /* round-robin */
	T_ASSERT_INT(d.n_endpoints, 2);
	T_ASSERT_STR(d.endpoints[0].service, "com.amazonaws.us-east-2.logs");
	T_ASSERT(!d.endpoints[0].gateway);
	T_ASSERT(d.endpoints[1].gateway);
	T_ASSERT(!d.private_dns_enabled);
	T_ASSERT(d.reuse_existing_endpoints); /* unset -> default */
	T_ASSERT_INT(d.n_egress_rules, 1);
	T_ASSERT_INT(d.egress_rules[0].from_port, 5432);
	T_ASSERT_STR(d.egress_rules[0].cidr_blocks.v[0], "10.0.0.0/16");
	T_ASSERT_STR(d.vpc_policy_arn, "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole");
	T_ASSERT_INT(d.policy_arns.n, 1);
	T_ASSERT_INT(d.fn.memory_size, 256);
	T_ASSERT_INT(d.fn.timeout, 0);
	T_ASSERT_INT(d.fn.reserved_concurrency, -1);
	T_ASSERT_INT(d.fn.environment.n, 1);
	T_ASSERT_INT(d.tags.n, 2);
	T_ASSERT_STR(aws_tags_get(d.tags, "Team"), "pay");
	T_ASSERT_STR(aws_tags_get(d.tags, "Env"), "dev");
	T_ASSERT_INT(d.timeouts.create_ms, 1200000);
	T_ASSERT_INT(d.timeouts.update_ms, 0);
	T_ASSERT_INT(d.timeouts.delete_ms, 3600000);
	base_arena_free(a);
}

void test_secure_function_sf_desired__missing_zip_names_filename(void)
{
	base_arena *a = base_arena_new();
	sf_config m;
	recon_desired d;
	prov_tags none = { NULL, NULL, 0 };
	base_diags *dg = base_diags_new(a);
	T_OK(sft_model(a, "{\"function_name\":\"app\",\"filename\":\"/nonexistent/lambda.zip\"}", &m));
	T_ASSERT_INT(sf__desired_build(a, &m, "us-east-2", none, true, &d, dg), BASE_EINVALID);
	const base_diag *x = base_diags_first(dg);
	T_ASSERT(x && x->has_path);
	T_ASSERT_STR(base_path_str(a, x->path), "filename");
	base_arena_free(a);
}

void test_secure_function_sf_desired__prior_ids(void)
{
	base_arena *a = base_arena_new();
	sf_config m;
	recon_state st;
	T_OK(sft_model(a,
	           "{\"function_name\":\"app\",\"vpc_id\":\"vpc-1\",\"subnet_cidr_blocks\":[\"10.0.1.0/27\",\"10.0.1.32/27\"],"
	           "\"subnet_ids\":[\"subnet-a\",\"subnet-b\"],\"role_name\":\"lambdavpc-app\","
	           "\"lambda_security_group_id\":\"sg-l\",\"route_table_id\":\"rtb-1\","
	           "\"vpc_endpoint_ids\":{\"logs\":\"vpce-1\",\"s3\":\"vpce-2\"}}",
	           &m));
	sf__prior_state(a, &m, "us-east-2", &st);
	T_ASSERT_INT(st.n_subnets, 2);
	T_ASSERT_STR(st.subnets[1].id, "subnet-b");
	T_ASSERT_STR(st.subnets[1].cidr, "10.0.1.32/27");
	T_ASSERT_STR(st.role.name, "lambdavpc-app");
	T_ASSERT_STR(st.sgs[RECON_SG_LAMBDA].id, "sg-l");
	T_ASSERT(st.sgs[RECON_SG_ENDPOINT].id == NULL);
	T_ASSERT_STR(st.rt.id, "rtb-1");
	T_ASSERT_INT(st.n_endpoints, 2);
	T_ASSERT_STR(st.endpoints[1].service, "com.amazonaws.us-east-2.s3");
	T_ASSERT(st.endpoints[1].gateway);
	base_arena_free(a);
}

/* Every top-level setting of the Lambda field table is an attribute of the
 * resource (the desired builder maps them by name), and the mapping carries
 * the values over. */
void test_secure_function_sf_desired__lambda_field_table_by_name(void)
{
	base_arena *a = base_arena_new();
	sf_config m;
	recon_desired d;
	base_diags *dg = base_diags_new(a);
	prov_tags none = { NULL, NULL, 0 };
	size_t i;
	for (i = 0; i < recon_fn_n_fields; i++)
		if (!strchr(recon_fn_fields[i].name, '.'))
			T_ASSERT(sf_attr_by_name(recon_fn_fields[i].name) != SF_A_COUNT);
	T_ASSERT(sf_attr_by_name("no_such_attribute") == SF_A_COUNT);
	memset(&m, 0, sizeof m);
	m.function_name = "f";
	m.vpc_id = "vpc-1";
	m.runtime = "python3.12";
	m.memory_size = 256;
	m.tracing_mode = "Active";
	m.present = SF_BIT(SF_A_FUNCTION_NAME) | SF_BIT(SF_A_VPC_ID) | SF_BIT(SF_A_RUNTIME) |
		    SF_BIT(SF_A_MEMORY_SIZE) | SF_BIT(SF_A_TRACING_MODE);
	m.handler = "not.set";   /* present bit off: not carried */
	T_OK(sf__desired_build(a, &m, "us-east-2", none, false, &d, dg));
	T_ASSERT_STR(d.fn.runtime, "python3.12");
	T_ASSERT_INT(d.fn.memory_size, 256);
	T_ASSERT_STR(d.fn.tracing_mode, "Active");
	T_ASSERT(d.fn.handler == NULL);
	T_ASSERT_INT(d.fn.timeout, 0);
	T_ASSERT_INT(d.fn.reserved_concurrency, -1);
	base_arena_free(a);
}
