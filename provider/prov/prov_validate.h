/*
 * prov_validate.h - the schema-driven validators: every attribute's
 * "validators" from the schema JSON (prov_schema.h) applied to a config
 * value, each problem an error diagnostic with its exact attribute path
 * (`subnet_cidr_blocks[2]`, `egress_rules[0].from_port`,
 * `environment["1BAD"]`).
 *
 * Null values are not checked (Terraform enforces `required`); unknown
 * values (and unknown elements) skip their checks, so a config full of
 * variables validates cleanly. No I/O, no AWS: fit for
 * ValidateProviderConfig and ValidateResourceConfig.
 *
 * THREAD SAFETY: reentrant.
 */
#ifndef PROV_VALIDATE_H
#define PROV_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "base/base_err.h"
#include "base/base_path.h"
#include "cty/cty_value.h"
#include "tf6/tf6_schema.h"

/*
 * One validation pass, shared by the schema-driven validators here and the
 * resource's cross-attribute checks (sf_validate.c): errors go to d with
 * their attribute path, and rc becomes BASE_EINVALID at the first one.
 */
typedef struct prov_vctx {
	base_arena *a;
	base_diags *d;
	int rc; /* BASE_OK until an error is added */
} prov_vctx;

/* Adds an error diagnostic at path (NULL: the whole resource). */
void prov_vctx_error(prov_vctx *c, const base_path *path, const char *summary, const char *detail);

/*
 * Validates obj (a value of b's implied object type; null/unknown is fine)
 * against the validators of b's attributes, nested attributes and nested
 * blocks, recursively. Paths are `path` + the attribute steps.
 * Returns BASE_OK if nothing was wrong, BASE_EINVALID if at least one
 * error diagnostic was added.
 */
BASE_MUST_USE int prov_validate_block(base_arena *a, const tf6_block *b, const cty_value *obj, base_path path,
                                      base_diags *diags);

/*
 * Parses an IPv4 CIDR "a.b.c.d/n" (strict: four decimal octets without
 * leading zeros, n in 0..32). Returns true with *addr (host order) and
 * *prefix set. Reentrant.
 */
bool prov_validate_parse_cidr(const char *s, uint32_t *addr, int *prefix);

/*
 * Parses a Go-style duration "1h30m", "45s", "2h" into seconds (only h/m/s
 * units, integer amounts). Returns false on anything else.
 */
bool prov_validate_parse_duration(const char *s, int64_t *seconds);

#endif
