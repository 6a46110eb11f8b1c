/* tf6_schema_test.c - schema rules, canonical type JSON, implied types, normalisation. */
#include <string.h>

#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_diag.h"
#include "cty/cty_json.h"
#include "tf6/tf6_schema.h"
#include "t.h"

static const char *type_json(const cty_type *t, base_arena *a)
{
	base_buf b;
	base_buf_init(&b, 0);
	if (cty_json_type_encode(t, &b) != BASE_OK)
		return "";
	const char *s = base_arena_strdup(a, base_buf_cstr(&b));
	base_buf_dispose(&b);
	return s;
}

void test_tf6_tf6_schema__finish_sorts_and_types(void)
{
	base_arena *a = base_arena_new();
	tf6_attribute inner[2] = {
	        {.name = "port", .type_json = "\"number\"", .required = true, .description = "p"},
	        {.name = "cidrs", .type_json = "[\"list\",\"string\"]", .optional = true, .description = "c"},
	};
	tf6_object obj = {.nesting = TF6_NEST_LIST, .attrs = inner, .n_attrs = 2};
	tf6_attribute attrs[3] = {
	        {.name = "zeta",
	         .type_json = " [ \"map\" , \"string\" ] ",
	         .optional = true,
	         .description = "z"},
	        {.name = "id", .type_json = "\"string\"", .computed = true, .description = "i"},
	        {.name = "rules", .nested = &obj, .optional = true, .description = "r"},
	};
	tf6_attribute battrs[1] = {
	        {.name = "create", .type_json = "\"string\"", .optional = true, .description = "c"}};
	tf6_nested_block blocks[1] = {
	        {.type_name = "timeouts",
	         .nesting = TF6_NEST_SINGLE,
	         .block = {.attrs = battrs, .n_attrs = 1}},
	};
	tf6_schema s = {.version = 2,
	                .block = {.attrs = attrs, .n_attrs = 3, .blocks = blocks, .n_blocks = 1}};
	base_diags *d = base_diags_new(a);
	T_OK(tf6_schema_finish(a, &s, d));
	T_ASSERT_INT(base_diags_count(d), 0);
	T_ASSERT_STR(s.block.attrs[0].name, "id");
	T_ASSERT_STR(s.block.attrs[1].name, "rules");
	T_ASSERT_STR(s.block.attrs[2].name, "zeta");
	/* canonical type JSON bytes, exactly as Terraform expects them */
	T_ASSERT_STR(s.block.attrs[2].type_json, "[\"map\",\"string\"]");
	T_ASSERT_STR(s.block.attrs[0].type_json, "\"string\"");
	T_ASSERT_STR(obj.attrs[0].name, "cidrs");
	T_ASSERT_STR(type_json(tf6_schema_type(&s), a),
	             "[\"object\",{\"id\":\"string\",\"rules\":[\"list\",[\"object\",{\"cidrs\":[\"list\","
	             "\"string\"],"
	             "\"port\":\"number\"}]],\"timeouts\":[\"object\",{\"create\":\"string\"}],\"zeta\":["
	             "\"map\",\"string\"]}]");
	T_ASSERT(tf6_block_attr(&s.block, "zeta") == &s.block.attrs[2]);
	T_ASSERT(tf6_block_attr(&s.block, "nope") == NULL);
	T_ASSERT(tf6_block_nested(&s.block, "timeouts") == &s.block.blocks[0]);
	T_ASSERT(tf6_object_attr(&obj, "port") != NULL);
	base_arena_free(a);
}

/* Finish one attribute or block set-up and return the first error detail. */
static const char *fail_attr(base_arena *a, tf6_attribute at)
{
	tf6_attribute *attrs = base_arena_calloc(a, 1, sizeof(*attrs));
	*attrs = at;
	tf6_schema s = {.block = {.attrs = attrs, .n_attrs = 1}};
	base_diags *d = base_diags_new(a);
	if (tf6_schema_finish(a, &s, d) == BASE_OK)
		return NULL;
	return base_diags_first(d)->detail;
}

static const char *fail_block(base_arena *a, tf6_nested_block nb)
{
	tf6_nested_block *blocks = base_arena_calloc(a, 1, sizeof(*blocks));
	*blocks = nb;
	tf6_schema s = {.block = {.blocks = blocks, .n_blocks = 1}};
	base_diags *d = base_diags_new(a);
	if (tf6_schema_finish(a, &s, d) == BASE_OK)
		return NULL;
	return base_diags_first(d)->detail;
}

void test_tf6_tf6_schema__rules(void)
{
	base_arena *a = base_arena_new();
	const char *e;
	e = fail_attr(a, (tf6_attribute){
	                         .name = "a", .type_json = "\"string\"", .required = true, .computed = true});
	T_ASSERT(e && strstr(e, "required and computed") && strstr(e, "a:"));
	e = fail_attr(a, (tf6_attribute){
	                         .name = "a", .type_json = "\"string\"", .required = true, .optional = true});
	T_ASSERT(e && strstr(e, "required and optional"));
	e = fail_attr(a, (tf6_attribute){.name = "a", .type_json = "\"string\""});
	T_ASSERT(e && strstr(e, "required, optional or computed"));
	e = fail_attr(a, (tf6_attribute){.name = "a", .type_json = "\"strng\"", .optional = true});
	T_ASSERT(e && strstr(e, "invalid type JSON"));
	e = fail_attr(a, (tf6_attribute){.name = "a", .type_json = "[\"list\"]", .optional = true});
	T_ASSERT(e && strstr(e, "invalid type JSON"));
	e = fail_attr(a, (tf6_attribute){.name = "a", .optional = true});
	T_ASSERT(e && strstr(e, "exactly one of type and nested_type"));
	e = fail_attr(a, (tf6_attribute){.name = "", .type_json = "\"string\"", .optional = true});
	T_ASSERT(e && strstr(e, "empty name"));
	e = fail_block(a, (tf6_nested_block){.type_name = "b", .nesting = TF6_NEST_SINGLE, .min_items = 1});
	T_ASSERT(e && strstr(e, "single blocks"));
	e = fail_block(a, (tf6_nested_block){.type_name = "b", .nesting = TF6_NEST_GROUP, .max_items = 1});
	T_ASSERT(e && strstr(e, "group and map"));
	e = fail_block(a,
	               (tf6_nested_block){
	                       .type_name = "b", .nesting = TF6_NEST_LIST, .min_items = 3, .max_items = 2});
	T_ASSERT(e && strstr(e, "min_items is greater"));
	e = fail_block(a, (tf6_nested_block){.type_name = "Bad", .nesting = TF6_NEST_LIST});
	T_ASSERT(e && strstr(e, "block names"));
	e = fail_block(a, (tf6_nested_block){.type_name = "b", .nesting = (tf6_nesting)9});
	T_ASSERT(e && strstr(e, "nesting"));
	/* dynamic inside a set block */
	tf6_attribute *dyn = base_arena_calloc(a, 1, sizeof(*dyn));
	*dyn = (tf6_attribute){.name = "d", .type_json = "\"dynamic\"", .optional = true};
	e = fail_block(a, (tf6_nested_block){.type_name = "b",
	                                     .nesting = TF6_NEST_SET,
	                                     .block = {.attrs = dyn, .n_attrs = 1}});
	T_ASSERT(e && strstr(e, "dynamic"));
	/* valid single blocks: 0/0 and 1/1 */
	T_ASSERT(fail_block(a, (tf6_nested_block){.type_name = "b",
	                                          .nesting = TF6_NEST_SINGLE,
	                                          .min_items = 1,
	                                          .max_items = 1}) == NULL);
	/* duplicate and clashing names */
	tf6_attribute two[2] = {{.name = "x", .type_json = "\"string\"", .optional = true},
	                        {.name = "x", .type_json = "\"number\"", .optional = true}};
	tf6_schema s = {.block = {.attrs = two, .n_attrs = 2}};
	T_ASSERT_INT(tf6_schema_finish(a, &s, base_diags_new(a)), BASE_EINVALID);
	tf6_attribute one = {.name = "x", .type_json = "\"string\"", .optional = true};
	tf6_nested_block clash = {.type_name = "x", .nesting = TF6_NEST_LIST};
	tf6_schema s2 = {.block = {.attrs = &one, .n_attrs = 1, .blocks = &clash, .n_blocks = 1}};
	T_ASSERT_INT(tf6_schema_finish(a, &s2, base_diags_new(a)), BASE_EINVALID);
	tf6_schema s3 = {.version = -1};
	T_ASSERT_INT(tf6_schema_finish(a, &s3, base_diags_new(a)), BASE_EINVALID);
	base_arena_free(a);
}

void test_tf6_tf6_schema__normalize(void)
{
	base_arena *a = base_arena_new();
	tf6_attribute ia = {.name = "v", .type_json = "\"string\"", .optional = true};
	tf6_attribute ga = {.name = "g", .type_json = "\"string\"", .optional = true};
	tf6_nested_block blocks[3] = {
	        {.type_name = "items", .nesting = TF6_NEST_LIST, .block = {.attrs = &ia, .n_attrs = 1}},
	        {.type_name = "grp", .nesting = TF6_NEST_GROUP, .block = {.attrs = &ga, .n_attrs = 1}},
	        {.type_name = "one", .nesting = TF6_NEST_SINGLE, .block = {.attrs = NULL, .n_attrs = 0}},
	};
	tf6_attribute name = {.name = "name", .type_json = "\"string\"", .optional = true};
	tf6_schema s = {.block = {.attrs = &name, .n_attrs = 1, .blocks = blocks, .n_blocks = 3}};
	T_OK(tf6_schema_finish(a, &s, base_diags_new(a)));
	const char *json = "{\"name\":\"x\"}";
	const cty_value *v;
	T_OK(cty_json_decode(a, tf6_schema_type(&s), json, strlen(json), 0, &v, NULL));
	v = tf6_block_normalize(a, &s.block, v);
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(cty_json_encode(v, &b));
	T_ASSERT_STR(base_buf_cstr(&b), "{\"grp\":{\"g\":null},\"items\":[],\"name\":\"x\",\"one\":null}");
	base_buf_dispose(&b);
	T_ASSERT(cty_value_is_null(tf6_block_normalize(a, &s.block, cty_value_null(tf6_schema_type(&s)))));
	base_arena_free(a);
}
