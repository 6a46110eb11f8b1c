/* sf_testutil.c - helpers shared by the secure_function unit tests (see sf_testutil.h). */
#include "sf_testutil.h"

#include <string.h>

#include "cty/cty_json.h"
#include "prov/prov_schema.h"
#include "secure_function/sf.h"

int sft_model(base_arena *a, const char *json, sf_config *m)
{
	const char *sj;
	size_t len;
	tf6_schema *s = NULL;
	const cty_value *v = NULL;
	if (!prov_schema_embedded(SF_TYPE_NAME, &sj, &len) ||
	    prov_schema_parse(a, "r", sj, len, &s, base_diags_new(a)) != BASE_OK)
		return BASE_ERR;
	if (cty_json_decode(a, tf6_schema_type(s), json, strlen(json), 0, &v, NULL) != BASE_OK)
		return BASE_ERR;
	return sf_model_from_value(a, v, m, base_diags_new(a));
}
