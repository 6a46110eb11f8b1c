/* sf_testutil.c - helpers shared by the secure_function unit tests (see sf_testutil.h). */
#include "sf_testutil.h"

#include <string.h>

#include "cty/cty_json.h"
#include "prov/prov_schema.h"
#include "secure_function/sf.h"
#include "secure_function/sf_int.h"

const tf6_schema *sft_schema(base_arena *a)
{
	const char *sj;
	size_t len;
	tf6_schema *s = NULL;
	if (!prov_schema_embedded(SF_TYPE_NAME, &sj, &len) ||
	    prov_schema_parse(a, "r", sj, len, &s, base_diags_new(a)) != BASE_OK)
		return NULL;
	return s;
}

int sft_model(base_arena *a, const char *json, sf_config *m)
{
	const tf6_schema *s = sft_schema(a);
	const cty_value *v = NULL;
	if (!s)
		return BASE_ERR;
	if (cty_json_decode(a, tf6_schema_type(s), json, strlen(json), 0, &v, NULL) != BASE_OK)
		return BASE_ERR;
	return sf_model_from_value(a, v, m, base_diags_new(a));
}

int sft_first_set(const sf_config *m, const sf_attr *attrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sf_has(m, attrs[i]))
			return (int)attrs[i];
	return -1;
}

bool sft_env_open(sft_env *e)
{
	const prov_resource_def defs[] = { { SF_TYPE_NAME, sf_resource_ops() } };
	e->p = NULL;
	e->s = NULL;
	e->a = base_arena_new();
	if (prov_new(&e->p, defs, 1) != BASE_OK)
		return false;
	e->s = sf__schema(e->p, base_diags_new(e->a));
	return e->s != NULL;
}

void sft_env_close(sft_env *e)
{
	base_arena_free(e->a);
	prov_free(e->p);
}

const cty_value *sft_obj(const sft_env *e, const char *json)
{
	const cty_value *v = NULL;
	if (cty_json_decode(e->a, tf6_schema_type(e->s), json, strlen(json), 0, &v, NULL) != BASE_OK)
		return NULL;
	return v;
}
