/*
 * tf6_decode.c - protobuf side -> cty values.
 */
#include "tf6/tf6_int.h"

#include "cty/cty_json.h"
#include "cty/cty_msgpack.h"

static void *arena_alloc(void *data, size_t size)
{
	return base_arena_alloc(data, size ? size : 1);
}

static void arena_nofree(void *data, void *p)
{
	(void)data;
	(void)p; /* released with the arena */
}

void tf6__allocator_init(ProtobufCAllocator *al, base_arena *a)
{
	al->alloc = arena_alloc;
	al->free = arena_nofree;
	al->allocator_data = a;
}

int tf6__decode_dv(base_arena *a, const cty_type *t, const Tfplugin6__DynamicValue *dv, const cty_value **out,
                   base_diags *diags)
{
	*out = NULL;
	if (!dv || (dv->msgpack.len == 0 && dv->json.len == 0)) {
		*out = cty_value_null(t);
		return BASE_OK;
	}
	if (dv->msgpack.len > 0)
		return cty_msgpack_decode(a, t, dv->msgpack.data, dv->msgpack.len, out, diags);
	return cty_json_decode(a, t, (const char *)dv->json.data, dv->json.len, 0, out, diags);
}
