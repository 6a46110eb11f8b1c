/* tf6_encode_test.c - paths, diagnostics and DynamicValues to protobuf. */
#include <string.h>

#include "base/base_arena.h"
#include "base/base_diag.h"
#include "cty/cty_value.h"
#include "tf6/tf6_int.h"
#include "t.h"

void test_tf6_tf6_encode__path_steps(void)
{
	base_arena *a = base_arena_new();
	base_path p = base_path_attr(a, base_path_root(), "egress_rules");
	p = base_path_index(a, p, 2);
	p = base_path_attr(a, p, "from_port");
	Tfplugin6__AttributePath *ap = tf6__encode_path(a, &p);
	T_ASSERT_INT(ap->n_steps, 3);
	T_ASSERT_STR(ap->steps[0]->attribute_name, "egress_rules");
	T_ASSERT_INT(ap->steps[1]->selector_case, TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT);
	T_ASSERT_INT(ap->steps[1]->element_key_int, 2);
	T_ASSERT_STR(ap->steps[2]->attribute_name, "from_port");
	/* wire bytes: steps=1 { attribute_name=1 "egress_rules" } ... */
	uint8_t buf[128];
	size_t n = protobuf_c_message_pack(&ap->base, buf);
	static const uint8_t want[] = {0x0a, 0x0e, 0x0a, 0x0c, 'e', 'g',  'r',  'e',  's',  's',  '_',
	                               'r',  'u',  'l',  'e',  's', 0x0a, 0x02, 0x18, 0x02, 0x0a, 0x0b,
	                               0x0a, 0x09, 'f',  'r',  'o', 'm',  '_',  'p',  'o',  'r',  't'};
	T_ASSERT_MEM(buf, n, want, sizeof(want));
	base_arena_free(a);
}

void test_tf6_tf6_encode__diagnostics(void)
{
	base_arena *a = base_arena_new();
	base_diags *d = base_diags_new(a);
	base_path p = base_path_key(a, base_path_attr(a, base_path_root(), "environment"), "1BAD");
	base_diags_add(d, BASE_SEV_ERROR, &p, "Invalid key", "detail");
	base_diags_add(d, BASE_SEV_WARNING, NULL, "Careful", "");
	size_t n;
	Tfplugin6__Diagnostic **m = tf6__encode_diags(a, d, &n);
	T_ASSERT_INT(n, 2);
	T_ASSERT_INT(m[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
	T_ASSERT_STR(m[0]->attribute->steps[1]->element_key_string, "1BAD");
	T_ASSERT_INT(m[1]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING);
	T_ASSERT(m[1]->attribute == NULL);
	T_ASSERT(tf6__encode_diags(a, NULL, &n) && n == 0);
	base_arena_free(a);
}

void test_tf6_tf6_encode__dynamic_value(void)
{
	base_arena *a = base_arena_new();
	const char *names[2] = {"id", "name"};
	const cty_type *types[2] = {cty_type_string(), cty_type_string()};
	const cty_type *t = cty_type_object(a, 2, names, types, NULL);
	const cty_value *attrs[2] = {cty_value_unknown(cty_type_string()), cty_value_string(a, "foo")};
	Tfplugin6__DynamicValue *dv;
	T_OK(tf6__encode_dv(a, t, cty_value_object(a, t, attrs), &dv, base_diags_new(a)));
	static const uint8_t want[] = {0x82, 0xa2, 'i', 'd', 0xd4, 0x00, 0x00, 0xa4,
	                               'n',  'a',  'm', 'e', 0xa3, 'f',  'o',  'o'};
	T_ASSERT_MEM(dv->msgpack.data, dv->msgpack.len, want, sizeof(want));
	T_ASSERT_INT(dv->json.len, 0);
	T_OK(tf6__encode_dv(a, t, NULL, &dv, base_diags_new(a)));
	T_ASSERT(dv == NULL);
	base_arena_free(a);
}
