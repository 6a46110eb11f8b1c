/*
 * cty_json fuzz target: the fuzzer's bytes as state JSON (RawState.json,
 * state "attributes"), decoded against the resource's schema type and
 * against DynamicPseudoType ({"value":..,"type":..}), and as type JSON.
 * Whatever decodes must re-encode, decode again and compare equal.
 */
#include <stdint.h>

#include "base/base_arena.h"
#include "base/base_buf.h"
#include "cty/cty_equal.h"
#include "cty/cty_json.h"
#include "fuzz_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(base_arena *a, const cty_type *t, unsigned flags, const char *s, size_t n)
{
	const cty_value *v = NULL, *v2 = NULL;
	base_diags *d = base_diags_new(a);
	if (cty_json_decode(a, t, s, n, flags, &v, d) != BASE_OK)
		return;
	/* the second decode gets its own arena: the decode budget is per
	 * request, and the first decode may have used most of it */
	base_arena *a2 = base_arena_new();
	base_buf b;
	base_buf_init(&b, 0);
	if (cty_json_encode_as(t, v, &b) != BASE_OK)
		__builtin_trap();
	if (cty_json_decode(a2, t, b.data ? b.data : "", b.len, 0, &v2, NULL) != BASE_OK ||
	    !cty_value_raw_equal(v, v2))
		__builtin_trap();
	base_buf_dispose(&b);
	base_arena_free(a2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	base_arena *a = base_arena_new();
	const char *s = (const char *)data;
	roundtrip(a, fuzz_resource_type(), CTY_JSON_ALLOW_EXTRA, s, size);
	roundtrip(a, cty_type_dynamic(), 0, s, size);
	const cty_type *t = NULL;
	if (cty_json_type_decode(a, s, size, &t, NULL) == BASE_OK) {
		base_buf b;
		base_buf_init(&b, 0);
		const cty_type *t2 = NULL;
		if (cty_json_type_encode(t, &b) != BASE_OK ||
		    cty_json_type_decode(a, b.data, b.len, &t2, NULL) != BASE_OK || !cty_type_equal(t, t2))
			__builtin_trap();
		base_buf_dispose(&b);
	}
	base_arena_free(a);
	return 0;
}
