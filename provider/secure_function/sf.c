/*
 * sf.c - the resource's operations table (see sf.h).
 */
#include "secure_function/sf.h"

#include "secure_function/sf_int.h"
#include "secure_function/sf_ops_int.h"

const tf6_schema *sf__schema(prov *p, base_diags *diags)
{
	const tf6_schema *s = prov_schema_of(p, SF_TYPE_NAME);
	if (!s && diags) {
		tf6_provider_schema all;
		if (prov_schemas(p, &all, diags) == BASE_OK)
			base_diags_add(diags, BASE_SEV_ERROR, NULL, "Missing resource schema",
			               "The provider has no schema for " SF_TYPE_NAME
			               ". This is a bug in the provider.");
	}
	return s;
}

/*
 * plan, apply_create, apply_update, apply_delete, read and import are
 * filled in by the resource's plan/apply/read/import files; a NULL slot
 * makes src/tf6 answer "Not implemented yet".
 */
static const tf6_resource_ops SF_OPS = {
        .validate = sf__validate,
        .plan = sf__plan,
        .apply_create = sf__apply_create,
        .apply_update = sf__apply_update,
        .apply_delete = sf__apply_delete,
        .read = sf__read,
        .import = sf__import,
        .upgrade = sf__upgrade,
};

const tf6_resource_ops *sf_resource_ops(void)
{
	return &SF_OPS;
}
