/*
 * prov_plan.c - defaults and replace paths from the schema (see prov_plan.h).
 */
#include "prov/prov_plan.h"

#include "cty/cty_equal.h"
#include "prov/prov_schema.h"

static bool usable(const cty_value *v)
{
	return v && !cty_value_is_null(v) && !cty_value_is_unknown(v);
}

const cty_value *prov_plan_defaults(base_arena *a, const tf6_block *b, const cty_value *config,
                                    const cty_value *proposed)
{
	if (!usable(proposed))
		return proposed;
	const cty_value *out = proposed;
	for (size_t i = 0; i < b->n_attrs; i++) {
		const tf6_attribute *at = &b->attrs[i];
		const prov_attr_info *info = prov_attr_info_of(at);
		if (!info->default_value)
			continue;
		const cty_value *cv = usable(config) ? cty_value_get_attr(config, at->name) : NULL;
		const cty_value *pv = cty_value_get_attr(out, at->name);
		if ((cv && !cty_value_is_null(cv)) || (pv && !cty_value_is_null(pv)))
			continue;
		const cty_value *n = cty_value_with_attr(a, out, at->name, info->default_value);
		if (n)
			out = n;
	}
	return out;
}

void prov_plan_requires_replace(base_arena *a, const tf6_block *b, const cty_value *prior,
                                const cty_value *planned, const base_path **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!usable(prior) || !usable(planned))
		return;
	base_path *paths = base_arena_calloc(a, b->n_attrs + 1, sizeof(*paths));
	for (size_t i = 0; i < b->n_attrs; i++) {
		const tf6_attribute *at = &b->attrs[i];
		if (!prov_attr_info_of(at)->force_new)
			continue;
		const cty_value *pv = cty_value_get_attr(planned, at->name);
		const cty_value *rv = cty_value_get_attr(prior, at->name);
		if (!pv || !rv || (cty_value_is_known(pv) && cty_value_raw_equal(pv, rv)))
			continue;
		paths[(*n)++] = base_path_attr(a, base_path_root(), at->name);
	}
	*out = paths;
}
