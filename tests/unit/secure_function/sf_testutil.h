/*
 * sf_testutil.h - helpers shared by the secure_function unit tests.
 */
#ifndef SF_TESTUTIL_H
#define SF_TESTUTIL_H

#include <stddef.h>

#include <stdbool.h>
#include "base/base_arena.h"
#include "prov/prov.h"
#include "tf6/tf6_schema.h"
#include "secure_function/sf_model.h"

/* The resource schema parsed from the embedded schema JSON (in a), or NULL. */
const tf6_schema *sft_schema(base_arena *a);

/* The model of a resource object given as JSON (the embedded schema's type);
 * BASE_OK or an error code. Everything in a. */
int sft_model(base_arena *a, const char *json, sf_config *m);

/* A provider holding the secure_function resource, an arena and the resource schema. */
typedef struct sft_env {
	prov *p;
	base_arena *a;
	const tf6_schema *s;
} sft_env;

/* Fills e; false when the provider or its schema cannot be made (T_ASSERT it).
 * sft_env_close is safe either way. */
bool sft_env_open(sft_env *e);
void sft_env_close(sft_env *e);
/* The resource object given as JSON (in e->a), or NULL when it does not decode. */
const cty_value *sft_obj(const sft_env *e, const char *json);

/* The first of attrs[0..n) that m has (sf_has), or -1 when it has none of them. */
int sft_first_set(const sf_config *m, const sf_attr *attrs, size_t n);

#endif
