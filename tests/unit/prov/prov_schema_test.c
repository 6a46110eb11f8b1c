/* prov_schema_test.c - the embedded schema files load, and carry every
 * attribute of DESIGN.md's contract with the right flags. */
#include <string.h>

#include "base/base_arena.h"
#include "base/base_diag.h"
#include "cty/cty_json.h"
#include "prov/prov_schema.h"
#include "prov_testutil.h"
#include "t.h"

/* flags: r=required o=optional c=computed s=sensitive f=force_new */
struct want {
	const char *name;
	const char *flags;
	const char *type_json; /* NULL = nested */
};

static int check_attrs(const tf6_block *b, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const tf6_attribute *at = tf6_block_attr(b, w[i].name);
		if (!at) {
			t__fail(__FILE__, __LINE__, "attribute %s missing", w[i].name);
			return -1;
		}
		const prov_attr_info *info = prov_attr_info_of(at);
		bool r = strchr(w[i].flags, 'r'), o = strchr(w[i].flags, 'o'), c = strchr(w[i].flags, 'c'),
		     s = strchr(w[i].flags, 's'), f = strchr(w[i].flags, 'f');
		if (at->required != r || at->optional != o || at->computed != c || at->sensitive != s ||
		    info->force_new != f) {
			t__fail(__FILE__, __LINE__, "attribute %s: flags differ from \"%s\"", w[i].name,
			        w[i].flags);
			return -1;
		}
		if (!at->description || strlen(at->description) < 10) {
			t__fail(__FILE__, __LINE__, "attribute %s: no description", w[i].name);
			return -1;
		}
		if (w[i].type_json && (!at->type_json || strcmp(at->type_json, w[i].type_json) != 0)) {
			t__fail(__FILE__, __LINE__, "attribute %s: type %s, want %s", w[i].name,
			        at->type_json ? at->type_json : "(nested)", w[i].type_json);
			return -1;
		}
	}
	if (b->n_attrs != n) {
		t__fail(__FILE__, __LINE__, "%zu attributes, want %zu", b->n_attrs, n);
		return -1;
	}
	return 0;
}

void test_prov_prov_schema__provider_contract(void)
{
	base_arena *a = base_arena_new();
	tf6_schema *s = provt_schema(a, "provider");
	T_ASSERT(s);
	static const struct want w[] = {
	        {"region", "o", "\"string\""},
	        {"profile", "o", "\"string\""},
	        {"shared_config_files", "o", "[\"list\",\"string\"]"},
	        {"shared_credentials_files", "o", "[\"list\",\"string\"]"},
	        {"access_key", "o", "\"string\""},
	        {"secret_key", "os", "\"string\""},
	        {"token", "os", "\"string\""},
	        {"max_retries", "o", "\"number\""},
	        {"skip_credentials_validation", "o", "\"bool\""},
	        {"allowed_account_ids", "o", "[\"list\",\"string\"]"},
	        {"forbidden_account_ids", "o", "[\"list\",\"string\"]"},
	};
	T_OK(check_attrs(&s->block, w, sizeof(w) / sizeof(w[0])));
	T_ASSERT_INT(s->block.n_blocks, 4);
	const tf6_nested_block *ar = tf6_block_nested(&s->block, "assume_role");
	const tf6_nested_block *ep = tf6_block_nested(&s->block, "endpoints");
	const tf6_nested_block *dt = tf6_block_nested(&s->block, "default_tags");
	T_ASSERT(ar && ep && dt);
	T_ASSERT_INT(ar->nesting, TF6_NEST_SINGLE);
	static const struct want war[] = {{"role_arn", "o", "\"string\""},
	                                  {"session_name", "o", "\"string\""},
	                                  {"external_id", "o", "\"string\""}};
	T_OK(check_attrs(&ar->block, war, 3));
	static const struct want wep[] = {{"ec2", "o", "\"string\""},
	                                  {"iam", "o", "\"string\""},
	                                  {"lambda", "o", "\"string\""},
	                                  {"sts", "o", "\"string\""}};
	T_OK(check_attrs(&ep->block, wep, 4));
	static const struct want wdt[] = {{"tags", "o", "[\"map\",\"string\"]"}};
	T_OK(check_attrs(&dt->block, wdt, 1));
	const tf6_nested_block *ig = tf6_block_nested(&s->block, "ignore_tags");
	T_ASSERT(ig);
	T_ASSERT_INT(ig->nesting, TF6_NEST_SINGLE);
	static const struct want wig[] = {{"keys", "o", "[\"set\",\"string\"]"},
	                                  {"key_prefixes", "o", "[\"set\",\"string\"]"}};
	T_OK(check_attrs(&ig->block, wig, 2));
	base_arena_free(a);
}

void test_prov_prov_schema__resource_contract(void)
{
	base_arena *a = base_arena_new();
	tf6_schema *s = provt_schema(a, "lambdavpc_secure_function");
	T_ASSERT(s);
	T_ASSERT_INT(s->version, 0);
	static const struct want w[] = {
	        {"id", "c", "\"string\""},
	        {"function_name", "rf", "\"string\""},
	        {"vpc_id", "rf", "\"string\""},
	        {"subnet_cidr_blocks", "r", "[\"list\",\"string\"]"},
	        {"availability_zones", "oc", "[\"list\",\"string\"]"},
	        {"endpoint_services", "oc", "[\"list\",\"string\"]"},
	        {"private_dns_enabled", "oc", "\"bool\""},
	        {"reuse_existing_endpoints", "oc", "\"bool\""},
	        {"egress_rules", "o", NULL},
	        {"runtime", "o", "\"string\""},
	        {"handler", "o", "\"string\""},
	        {"filename", "o", "\"string\""},
	        {"source_code_hash", "o", "\"string\""},
	        {"s3_bucket", "o", "\"string\""},
	        {"s3_key", "o", "\"string\""},
	        {"s3_object_version", "o", "\"string\""},
	        {"image_uri", "o", "\"string\""},
	        {"package_type", "oc", "\"string\""},
	        {"architectures", "oc", "[\"list\",\"string\"]"},
	        {"description", "o", "\"string\""},
	        {"layers", "o", "[\"list\",\"string\"]"},
	        {"publish", "oc", "\"bool\""},
	        {"kms_key_arn", "o", "\"string\""},
	        {"reserved_concurrent_executions", "o", "\"number\""},
	        {"ephemeral_storage_size", "oc", "\"number\""},
	        {"tracing_mode", "o", "\"string\""},
	        {"dead_letter_target_arn", "o", "\"string\""},
	        {"memory_size", "oc", "\"number\""},
	        {"timeout", "oc", "\"number\""},
	        {"environment", "o", "[\"map\",\"string\"]"},
	        {"tags", "o", "[\"map\",\"string\"]"},
	        {"policy_arns", "o", "[\"list\",\"string\"]"},
	        {"inline_policy", "o", "\"string\""},
	        {"permissions_boundary", "o", "\"string\""},
	        {"arn", "c", "\"string\""},
	        {"invoke_arn", "c", "\"string\""},
	        {"qualified_arn", "c", "\"string\""},
	        {"version", "c", "\"string\""},
	        {"last_modified", "c", "\"string\""},
	        {"code_sha256", "c", "\"string\""},
	        {"role_arn", "c", "\"string\""},
	        {"role_name", "c", "\"string\""},
	        {"subnet_ids", "c", "[\"list\",\"string\"]"},
	        {"route_table_id", "c", "\"string\""},
	        {"lambda_security_group_id", "c", "\"string\""},
	        {"endpoint_security_group_id", "c", "\"string\""},
	        {"vpc_endpoint_ids", "c", "[\"map\",\"string\"]"},
	        {"tags_all", "c", "[\"map\",\"string\"]"},
	};
	T_OK(check_attrs(&s->block, w, sizeof(w) / sizeof(w[0])));

	/* egress_rules: list of objects (nested attribute) */
	const tf6_attribute *eg = tf6_block_attr(&s->block, "egress_rules");
	T_ASSERT(eg->nested);
	T_ASSERT_INT(eg->nested->nesting, TF6_NEST_LIST);
	static const struct want weg[] = {
	        {"description", "o", "\"string\""},
	        {"protocol", "r", "\"string\""},
	        {"from_port", "o", "\"number\""},
	        {"to_port", "o", "\"number\""},
	        {"cidr_blocks", "o", "[\"list\",\"string\"]"},
	        {"security_group_ids", "o", "[\"list\",\"string\"]"},
	        {"prefix_list_ids", "o", "[\"list\",\"string\"]"},
	};
	tf6_block tmp = {eg->nested->attrs, eg->nested->n_attrs, NULL, 0, NULL, false, NULL};
	T_OK(check_attrs(&tmp, weg, sizeof(weg) / sizeof(weg[0])));

	/* logging and timeouts: single nested blocks */
	T_ASSERT_INT(s->block.n_blocks, 2);
	const tf6_nested_block *lg = tf6_block_nested(&s->block, "logging");
	const tf6_nested_block *to = tf6_block_nested(&s->block, "timeouts");
	T_ASSERT(lg && to);
	T_ASSERT_INT(lg->nesting, TF6_NEST_SINGLE);
	T_ASSERT_INT(to->nesting, TF6_NEST_SINGLE);
	static const struct want wlg[] = {
	        {"log_format", "o", "\"string\""},
	        {"log_group", "o", "\"string\""},
	        {"application_log_level", "o", "\"string\""},
	        {"system_log_level", "o", "\"string\""},
	};
	T_OK(check_attrs(&lg->block, wlg, 4));
	static const struct want wto[] = {
	        {"create", "o", "\"string\""}, {"update", "o", "\"string\""}, {"delete", "o", "\"string\""}};
	T_OK(check_attrs(&to->block, wto, 3));
	base_arena_free(a);
}

void test_prov_prov_schema__defaults_and_validators(void)
{
	base_arena *a = base_arena_new();
	tf6_schema *s = provt_schema(a, "lambdavpc_secure_function");
	T_ASSERT(s);
	const prov_attr_info *mem = prov_attr_info_of(tf6_block_attr(&s->block, "memory_size"));
	T_ASSERT(mem->default_value);
	T_ASSERT_STR(cty_value_number_canon(mem->default_value), "128");
	T_ASSERT(mem->validators.has_int_range);
	T_ASSERT_INT(mem->validators.int_min, 128);
	T_ASSERT_INT(mem->validators.int_max, 10240);
	const prov_attr_info *to = prov_attr_info_of(tf6_block_attr(&s->block, "timeout"));
	T_ASSERT_INT(to->validators.int_min, 1);
	T_ASSERT_INT(to->validators.int_max, 900);
	const prov_attr_info *es = prov_attr_info_of(tf6_block_attr(&s->block, "endpoint_services"));
	T_ASSERT_STR(es->default_json, "[\"logs\"]");
	T_ASSERT_INT(cty_value_len(es->default_value), 1);
	const prov_attr_info *sc = prov_attr_info_of(tf6_block_attr(&s->block, "subnet_cidr_blocks"));
	T_ASSERT(sc->validators.has_cidr && sc->validators.unique && sc->validators.no_overlap);
	T_ASSERT_INT(sc->validators.cidr_min, 16);
	T_ASSERT_INT(sc->validators.cidr_max, 28);
	T_ASSERT_INT(sc->validators.len_min, 1);
	T_ASSERT_INT(sc->validators.len_max, 16);
	const prov_attr_info *ly = prov_attr_info_of(tf6_block_attr(&s->block, "layers"));
	T_ASSERT_INT(ly->validators.len_max, 5);
	const prov_attr_info *fnm = prov_attr_info_of(tf6_block_attr(&s->block, "function_name"));
	T_ASSERT_STR(fnm->validators.string_regex, "^[A-Za-z0-9_-]{1,64}$");
	const prov_attr_info *pdns = prov_attr_info_of(tf6_block_attr(&s->block, "private_dns_enabled"));
	T_ASSERT(pdns->default_value && cty_value_as_bool(pdns->default_value));
	base_arena_free(a);
}

void test_prov_prov_schema__implied_type(void)
{
	base_arena *a = base_arena_new();
	tf6_schema *s = provt_schema(a, "provider");
	T_ASSERT(s);
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(cty_json_type_encode(tf6_schema_type(s), &b));
	T_ASSERT_STR(
	        base_buf_cstr(&b),
	        "[\"object\",{\"access_key\":\"string\",\"allowed_account_ids\":[\"list\",\"string\"],"
	        "\"assume_role\":[\"object\",{\"external_id\":"
	        "\"string\","
	        "\"role_arn\":\"string\",\"session_name\":\"string\"}],\"default_tags\":[\"object\",{"
	        "\"tags\":[\"map\","
	        "\"string\"]}],\"endpoints\":[\"object\",{\"ec2\":\"string\",\"iam\":\"string\",\"lambda\":"
	        "\"string\","
	        "\"sts\":\"string\"}],\"forbidden_account_ids\":[\"list\",\"string\"],"
	        "\"ignore_tags\":[\"object\",{\"key_prefixes\":[\"set\",\"string\"],\"keys\":[\"set\","
	        "\"string\"]}],"
	        "\"max_retries\":\"number\",\"profile\":\"string\",\"region\":"
	        "\"string\","
	        "\"secret_key\":\"string\",\"shared_config_files\":[\"list\",\"string\"],"
	        "\"shared_credentials_files\":[\"list\",\"string\"],\"skip_credentials_validation\":\"bool\","
	        "\"token\":\"string\"}]");
	base_buf_dispose(&b);
	base_arena_free(a);
}

/* A schema problem must fail loudly, naming where. */
static const char *parse_err(base_arena *a, const char *json)
{
	tf6_schema *s = NULL;
	base_diags *d = base_diags_new(a);
	if (prov_schema_parse(a, "t.json", json, strlen(json), &s, d) == BASE_OK)
		return NULL;
	const base_diag *g = base_diags_first(d);
	return g ? g->detail : "";
}

void test_prov_prov_schema__rejects_bad_files(void)
{
	base_arena *a = base_arena_new();
	const char *e;
	e = parse_err(a,
	              "{\"description\":\"x\",\"attributes\":{\"a\":{\"type\":\"string\",\"optional\":true,"
	              "\"description\":\"an attribute\",\"requried\":true}}}");
	T_ASSERT(e && strstr(e, "unknown key \"requried\"") && strstr(e, "attributes.a"));
	e = parse_err(a, "{\"description\":\"x\",\"attributes\":{\"a\":{\"type\":\"strin\",\"optional\":true,"
	                 "\"description\":\"an attribute\"}}}");
	T_ASSERT(e && strstr(e, "invalid type JSON"));
	e = parse_err(a,
	              "{\"description\":\"x\",\"attributes\":{\"a\":{\"type\":\"string\",\"required\":true,"
	              "\"optional\":true,\"description\":\"an attribute\"}}}");
	T_ASSERT(e && strstr(e, "both required and optional"));
	e = parse_err(a,
	              "{\"description\":\"x\",\"attributes\":{\"a\":{\"type\":\"number\",\"optional\":true,"
	              "\"default\":3,\"description\":\"an attribute\"}}}");
	T_ASSERT(e && strstr(e, "default needs an optional and computed"));
	e = parse_err(a,
	              "{\"description\":\"x\",\"attributes\":{\"a\":{\"type\":\"number\",\"optional\":true,"
	              "\"computed\":true,\"default\":\"x\",\"description\":\"an attribute\"}}}");
	T_ASSERT(e && strstr(e, "does not match the attribute type"));
	e = parse_err(a, "{\"description\":\"x\",\"blocks\":{\"B\":{\"nesting\":\"single\",\"description\":"
	                 "\"a block\"}}}");
	T_ASSERT(e && strstr(e, "block names"));
	e = parse_err(a, "{\"description\":\"x\",\"blocks\":{\"b\":{\"nesting\":\"single\",\"max_items\":2,"
	                 "\"description\":\"a block\"}}}");
	T_ASSERT(e && strstr(e, "single blocks"));
	e = parse_err(a, "{\"description\":\"x\",");
	T_ASSERT(e && strstr(e, "t.json:"));
	e = parse_err(
	        a, "{\"description\":\"x\",\"attributes\":{\"a\":{\"type\":\"string\",\"optional\":true}}}");
	T_ASSERT(e && strstr(e, "missing \"description\""));
	base_arena_free(a);
}
