/*
 * cty_msgpack fuzz target: the fuzzer's bytes as a DynamicValue.msgpack,
 * decoded against the resource's schema type and against DynamicPseudoType.
 * Whatever decodes must re-encode, decode again and compare equal
 * (round trip); a mismatch traps. Equal as Terraform >= 1.6 compares:
 * unknowns regardless of refinements, which the encoder drops by design
 * (it writes every unknown as d4 00 00).
 */
#include <stdint.h>

#include "base/base_arena.h"
#include "base/base_buf.h"
#include "cty/cty_equal.h"
#include "cty/cty_msgpack.h"
#include "fuzz_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(base_arena *a, const cty_type *t, const uint8_t *data, size_t size)
{
	const cty_value *v = NULL, *v2 = NULL;
	if (cty_msgpack_decode(a, t, data, size, &v, NULL) != BASE_OK)
		return;
	/* the second decode gets its own arena: the decode budget is per
	 * request, and the first decode may have used most of it */
	base_arena *a2 = base_arena_new();
	base_buf b;
	base_buf_init(&b, 0);
	if (cty_msgpack_encode_as(t, v, &b) != BASE_OK)
		__builtin_trap();
	if (cty_msgpack_decode(a2, t, b.data, b.len, &v2, NULL) != BASE_OK || !cty_value_equal_known(v, v2))
		__builtin_trap();
	base_buf_dispose(&b);
	base_arena_free(a2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	base_arena *a = base_arena_new();
	base_diags *d = base_diags_new(a);
	const cty_value *v = NULL;
	(void)cty_msgpack_decode(a, fuzz_resource_type(), data, size, &v, d);
	roundtrip(a, fuzz_resource_type(), data, size);
	roundtrip(a, cty_type_dynamic(), data, size);
	base_arena_free(a);
	return 0;
}
