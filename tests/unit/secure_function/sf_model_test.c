/* sf_model_test.c - cty <-> sf_config, and the model agrees with the schema JSON. */
#include <string.h>

#include "base/base_alloc.h"
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "cty/cty_json.h"
#include "prov/prov.h"
#include "secure_function/sf_int.h"
#include "sf_testutil.h"
#include "t.h"

static const cty_value *fixture(base_arena *a, const tf6_schema *s, const char *path)
{
	size_t len;
	char *json = t_read_file(path, &len);
	const cty_value *v = NULL;
	if (!json)
		return NULL;
	if (cty_json_decode(a, tf6_schema_type(s), json, len, 0, &v, NULL) != BASE_OK)
		v = NULL;
	base_free(json);
	return v;
}

static const char *to_json(base_arena *a, const cty_value *v)
{
	base_buf b;
	base_buf_init(&b, 0);
	if (cty_json_encode(v, &b) != BASE_OK) {
		base_buf_dispose(&b);
		return "(unknown)";
	}
	const char *s = base_arena_strdup(a, base_buf_cstr(&b));
	base_buf_dispose(&b);
	return s;
}

void test_secure_function_sf_model__names_match_schema(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	const tf6_schema *s = e.s;
	for (int i = 0; i < SF_A_COUNT; i++) {
		const char *n = sf_attr_name((sf_attr)i);
		T_ASSERT_MSG(tf6_block_attr(&s->block, n) || tf6_block_nested(&s->block, n),
		             "%s not in the schema", n);
	}
	T_ASSERT_INT(s->block.n_attrs + s->block.n_blocks, SF_A_COUNT);
	const tf6_attribute *eg = tf6_block_attr(&s->block, sf_attr_name(SF_A_EGRESS_RULES));
	for (int i = 0; i < SF_EG_COUNT; i++)
		T_ASSERT(tf6_object_attr(eg->nested, sf_egress_field_name((sf_egress_field)i)));
	T_ASSERT_INT(eg->nested->n_attrs, SF_EG_COUNT);
	const tf6_nested_block *lg = tf6_block_nested(&s->block, sf_attr_name(SF_A_LOGGING));
	for (int i = 0; i < SF_LOG_COUNT; i++)
		T_ASSERT(tf6_block_attr(&lg->block, sf_logging_field_name((sf_logging_field)i)));
	T_ASSERT_INT(lg->block.n_attrs, SF_LOG_COUNT);
	const tf6_nested_block *to = tf6_block_nested(&s->block, sf_attr_name(SF_A_TIMEOUTS));
	for (int i = 0; i < SF_TO_COUNT; i++)
		T_ASSERT(tf6_block_attr(&to->block, sf_timeouts_field_name((sf_timeouts_field)i)));
	T_ASSERT_INT(to->block.n_attrs, SF_TO_COUNT);
	sft_env_close(&e);
}

/* sf_attr_computed = computed and not optional in the schema (blocks: never). */
void test_secure_function_sf_model__computed_matches_schema(void)
{
	sft_env e;
	T_ASSERT(sft_env_open(&e));
	const tf6_schema *s = e.s;
	int n = 0;
	for (int i = 0; i < SF_A_COUNT; i++) {
		const tf6_attribute *at = tf6_block_attr(&s->block, sf_attr_name((sf_attr)i));
		bool want = at && at->computed && !at->optional;
		T_ASSERT_MSG(sf_attr_computed((sf_attr)i) == want, "%s", sf_attr_name((sf_attr)i));
		n += want;
	}
	T_ASSERT_INT(n, 15);
	T_ASSERT(!sf_attr_computed(SF_A_COUNT));
	sft_env_close(&e);
}

/* The shared env (provider, arena, schema) and the full state fixture. */
struct fx {
	sft_env e;
	const cty_value *v;
};

/* False when a part is missing (the test stops: T_ASSERT it). */
static bool fx_init(struct fx *f)
{
	f->v = NULL;
	if (sft_env_open(&f->e))
		f->v = fixture(f->e.a, f->e.s, "tests/data/secure_function/state_full.json");
	return f->v != NULL;
}

void test_secure_function_sf_model__from_value(void)
{
	struct fx f;
	T_ASSERT(fx_init(&f));
	base_arena *a = f.e.a;
	sf_config c;
	T_OK(sf_model_from_value(a, f.v, &c, base_diags_new(a)));
	T_ASSERT_STR(c.function_name, "app-7");
	T_ASSERT(sf_has(&c, SF_A_FUNCTION_NAME) && !sf_unknown(&c, SF_A_FUNCTION_NAME));
	T_ASSERT_INT(c.subnet_cidr_blocks.n, 3);
	T_ASSERT_STR(c.subnet_cidr_blocks.v[2], "12.25.15.64/27");
	T_ASSERT(c.private_dns_enabled && !c.reuse_existing_endpoints);
	T_ASSERT_INT(c.n_egress_rules, 1);
	T_ASSERT_STR(c.egress_rules[0].protocol, "tcp");
	T_ASSERT_INT(c.egress_rules[0].from_port, 5432);
	T_ASSERT(c.egress_rules[0].present & SF_BIT(SF_EG_CIDR_BLOCKS));
	T_ASSERT(!(c.egress_rules[0].present & SF_BIT(SF_EG_PREFIX_LIST_IDS)));
	T_ASSERT_INT(c.memory_size, 256);
	T_ASSERT_INT(c.timeout, 10);
	T_ASSERT_INT(c.reserved_concurrent_executions, 5);
	T_ASSERT(!sf_has(&c, SF_A_S3_BUCKET) && c.s3_bucket == NULL);
	T_ASSERT(sf_has(&c, SF_A_LAYERS) && c.layers.n == 0);
	T_ASSERT_INT(c.environment.n, 1);
	T_ASSERT_STR(c.environment.keys[0], "STAGE");
	T_ASSERT_STR(c.environment.vals[0], "prod");
	T_ASSERT_STR(c.logging.log_format, "JSON");
	T_ASSERT(sf_has(&c, SF_A_LOGGING) && !sf_has(&c, SF_A_TIMEOUTS));
	T_ASSERT_STR(c.vpc_endpoint_ids.vals[1], "vpce-02");
	T_ASSERT_STR(c.qualified_arn, "arn:aws:lambda:us-east-2:123456789012:function:app-7:$LATEST");
	sft_env_close(&f.e);
}

void test_secure_function_sf_model__round_trip(void)
{
	struct fx f;
	T_ASSERT(fx_init(&f));
	base_arena *a = f.e.a;
	const tf6_schema *s = f.e.s;
	const cty_value *v = f.v;
	sf_config c;
	T_OK(sf_model_from_value(a, v, &c, base_diags_new(a)));
	const cty_value *back;
	T_OK(sf_model_to_value(a, s, &c, &back, base_diags_new(a)));
	T_ASSERT_STR(to_json(a, back), to_json(a, v));
	/* the all-null model is the all-null object */
	sf_config empty;
	memset(&empty, 0, sizeof(empty));
	T_OK(sf_model_to_value(a, s, &empty, &back, base_diags_new(a)));
	T_ASSERT(strstr(to_json(a, back), "\"function_name\":null"));
	sft_env_close(&f.e);
}

void test_secure_function_sf_model__unknowns(void)
{
	struct fx f;
	T_ASSERT(fx_init(&f));
	base_arena *a = f.e.a;
	const tf6_schema *s = f.e.s;
	const cty_type *t = tf6_schema_type(s);
	const cty_value *v = f.v;
	v = cty_value_with_attr(a, v, "memory_size", cty_value_unknown(cty_type_number()));
	const cty_value *el[2] = {cty_value_string(a, "10.0.0.0/24"), cty_value_unknown(cty_type_string())};
	v = cty_value_with_attr(a, v, "subnet_cidr_blocks", cty_value_list(a, cty_type_string(), 2, el));
	sf_config c;
	T_OK(sf_model_from_value(a, v, &c, base_diags_new(a)));
	T_ASSERT(sf_unknown(&c, SF_A_MEMORY_SIZE) && !sf_has(&c, SF_A_MEMORY_SIZE));
	T_ASSERT(sf_has(&c, SF_A_SUBNET_CIDR_BLOCKS));
	T_ASSERT_INT(c.subnet_cidr_blocks.n_unknown, 1);
	T_ASSERT(c.subnet_cidr_blocks.v[1] == NULL);
	const cty_value *back;
	T_OK(sf_model_to_value(a, s, &c, &back, base_diags_new(a)));
	T_ASSERT(cty_value_is_unknown(cty_value_get_attr(back, "memory_size")));
	T_ASSERT(cty_value_is_unknown(cty_value_index(cty_value_get_attr(back, "subnet_cidr_blocks"), 1)));
	/* a wholly unknown object */
	T_OK(sf_model_from_value(a, cty_value_unknown(t), &c, base_diags_new(a)));
	T_ASSERT(sf_unknown(&c, SF_A_FUNCTION_NAME) && sf_unknown(&c, SF_A_TAGS_ALL));
	/* paths */
	T_ASSERT_STR(base_path_str(a, sf_path_egress(a, 0, SF_EG_FROM_PORT)), "egress_rules[0].from_port");
	T_ASSERT_STR(base_path_str(a, sf_path_key(a, SF_A_ENVIRONMENT, "1BAD")), "environment[\"1BAD\"]");
	T_ASSERT_STR(base_path_str(a, sf_path_timeouts(a, SF_TO_DELETE)), "timeouts.delete");
	sft_env_close(&f.e);
}
