/* tf6_decode_test.c - DynamicValue to cty; the arena allocator. */
#include <string.h>

#include "base/base_arena.h"
#include "base/base_diag.h"
#include "tf6/tf6_int.h"
#include "t.h"

static const cty_type *obj_type(base_arena *a)
{
	const char *names[2] = {"id", "name"};
	const cty_type *types[2] = {cty_type_string(), cty_type_string()};
	return cty_type_object(a, 2, names, types, NULL);
}

void test_tf6_tf6_decode__msgpack_json_and_empty(void)
{
	base_arena *a = base_arena_new();
	const cty_type *t = obj_type(a);
	Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
	const cty_value *v;
	/* absent and empty mean null */
	T_OK(tf6__decode_dv(a, t, NULL, &v, NULL));
	T_ASSERT(cty_value_is_null(v));
	T_OK(tf6__decode_dv(a, t, &dv, &v, NULL));
	T_ASSERT(cty_value_is_null(v));
	/* msgpack with a refined unknown (TF >= 1.6) */
	static const uint8_t mp[] = {0x82, 0xa2, 'i', 'd', 0xc7, 0x03, 0x0c, 0x81, 0x01,
	                             0xc2, 0xa4, 'n', 'a', 'm',  'e',  0xa1, 'x'};
	dv.msgpack.data = (uint8_t *)mp;
	dv.msgpack.len = sizeof(mp);
	T_OK(tf6__decode_dv(a, t, &dv, &v, NULL));
	T_ASSERT(cty_value_is_unknown(cty_value_get_attr(v, "id")));
	T_ASSERT_STR(cty_value_as_string(cty_value_get_attr(v, "name")), "x");
	/* json when msgpack is empty */
	dv.msgpack.len = 0;
	dv.json.data = (uint8_t *)"{\"id\":\"i\",\"name\":\"n\"}";
	dv.json.len = strlen((const char *)dv.json.data);
	T_OK(tf6__decode_dv(a, t, &dv, &v, NULL));
	T_ASSERT_STR(cty_value_as_string(cty_value_get_attr(v, "id")), "i");
	/* garbage: an error with a diagnostic */
	base_diags *d = base_diags_new(a);
	dv.json.len = 0;
	dv.msgpack.data = (uint8_t *)"\x93";
	dv.msgpack.len = 1;
	T_ASSERT_INT(tf6__decode_dv(a, t, &dv, &v, d), BASE_EINVALID);
	T_ASSERT_INT(base_diags_count(d), 1);
	base_arena_free(a);
}

void test_tf6_tf6_decode__arena_allocator(void)
{
	base_arena *a = base_arena_new();
	ProtobufCAllocator al;
	tf6__allocator_init(&al, a);
	Tfplugin6__ImportResourceState__Request q = TFPLUGIN6__IMPORT_RESOURCE_STATE__REQUEST__INIT;
	q.type_name = "lambdavpc_secure_function";
	q.id = "app-7";
	uint8_t buf[64];
	size_t n = protobuf_c_message_pack(&q.base, buf);
	Tfplugin6__ImportResourceState__Request *m = (void *)protobuf_c_message_unpack(
	        &tfplugin6__import_resource_state__request__descriptor, &al, n, buf);
	T_ASSERT(m);
	T_ASSERT_STR(m->id, "app-7");
	T_ASSERT_STR(m->type_name, "lambdavpc_secure_function");
	base_arena_free(a); /* frees the message: nothing else to free */
}
