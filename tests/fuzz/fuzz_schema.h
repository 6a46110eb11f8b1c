/*
 * fuzz_schema.h - the lambdavpc_secure_function schema's implied type,
 * parsed once from the embedded schema JSON (the type Terraform's
 * DynamicValues for the resource are decoded against).
 */
#ifndef FUZZ_SCHEMA_H
#define FUZZ_SCHEMA_H

#include <string.h>

#include "base/base_arena.h"
#include "prov/prov_schema.h"
#include "secure_function/sf.h"
#include "tf6/tf6_schema.h"

static const cty_type *fuzz_resource_type(void)
{
	static base_arena *keep;
	static const cty_type *t;
	if (t)
		return t;
	const char *json;
	size_t len;
	tf6_schema *s = NULL;
	keep = base_arena_new();
	if (!prov_schema_embedded(SF_TYPE_NAME, &json, &len) ||
	    prov_schema_parse(keep, SF_TYPE_NAME, json, len, &s, NULL) != BASE_OK)
		__builtin_trap();
	t = tf6_schema_type(s);
	return t;
}

#endif
