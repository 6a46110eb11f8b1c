/*
 * cty_equal.h - cty value equality.
 *
 * Numbers are equal iff their canonical decimal renderings are (-0 == 0,
 * "1.50" == "1.5" == float64 1.5, "0.1" == float64 0.1). Sets compare
 * order-independently; maps by key. Marks are ignored by every function here.
 * Types must be equal (cty_type_equal of the values' own types), so a
 * dynamic-typed null differs from a string-typed null.
 *
 * THREAD SAFETY: pure functions on immutable values.
 */
#ifndef CTY_EQUAL_H
#define CTY_EQUAL_H

#include <stdbool.h>
#include "cty_value.h"

/*
 * Exact structural equality including null-ness and unknown-ness at every
 * level: an unknown equals only an unknown of the same type with the same
 * refinement (not-null flag); a known value never equals an unknown. This is
 * Terraform's "identical" test (plan rule "planned value equals config").
 */
bool cty_value_raw_equal(const cty_value *a, const cty_value *b);

/*
 * Like cty_value_raw_equal, but any two unknowns of the same type are equal
 * regardless of refinements (TF >= 1.6 compares with refinements stripped).
 */
bool cty_value_equal_known(const cty_value *a, const cty_value *b);

#endif
