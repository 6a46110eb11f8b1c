/*
 * prov_plan.h - schema-driven planning helpers for resources: defaults and
 * replace-on-change paths, both read from the schema JSON (prov_schema.h),
 * so resources never repeat what the schema says.
 *
 * THREAD SAFETY: reentrant.
 */
#ifndef PROV_PLAN_H
#define PROV_PLAN_H

#include <stddef.h>
#include "base/base_arena.h"
#include "base/base_path.h"
#include "cty/cty_value.h"
#include "tf6/tf6_schema.h"

/*
 * Returns proposed (an object of b's type; null/unknown returned as is)
 * with every top-level attribute that has a schema default and is null in
 * both config and proposed set to that default. Allocates in a.
 */
const cty_value *prov_plan_defaults(base_arena *a, const tf6_block *b, const cty_value *config,
                                    const cty_value *proposed);

/*
 * Paths (allocated in a) of the top-level force_new attributes whose planned
 * value differs from the prior one (an unknown planned value counts as a
 * change). None when prior or planned is null. *out may be NULL when *n is 0.
 */
void prov_plan_requires_replace(base_arena *a, const tf6_block *b, const cty_value *prior,
                                const cty_value *planned, const base_path **out, size_t *n);

#endif
