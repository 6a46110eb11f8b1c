/* prov_testutil.c - helpers shared by the prov unit tests (see prov_testutil.h). */
#include "prov_testutil.h"

#include <string.h>

#include "base/base_diag.h"
#include "cty/cty_json.h"
#include "prov/prov_schema.h"
#include "t.h"

tf6_schema *provt_schema(base_arena *a, const char *name)
{
	const char *json;
	size_t len;
	tf6_schema *s = NULL;
	base_diags *d = base_diags_new(a);
	if (!prov_schema_embedded(name, &json, &len))
		return NULL;
	if (prov_schema_parse(a, name, json, len, &s, d) != BASE_OK) {
		for (const base_diag *g = base_diags_first(d); g; g = g->next)
			t__fail(__FILE__, __LINE__, "%s: %s", g->summary, g->detail);
		return NULL;
	}
	return s;
}

const cty_value *provt_obj(base_arena *a, const tf6_schema *s, const char *json)
{
	const cty_value *v = NULL;
	if (cty_json_decode(a, tf6_schema_type(s), json, strlen(json), 0, &v, NULL) != BASE_OK)
		return NULL;
	return v;
}
