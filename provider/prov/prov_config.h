/*
 * prov_config.h - the provider block value -> aws_client_config + default
 * tags (the translation file that names the provider block's attributes).
 *
 * THREAD SAFETY: reentrant.
 */
#ifndef PROV_CONFIG_H
#define PROV_CONFIG_H

#include <stdbool.h>
#include "aws/aws_client.h"
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "base/base_err.h"
#include "cty/cty_value.h"
#include "prov/prov.h"

/*
 * Fills *out (every string allocated in a) and *tags from the provider
 * config object cfg (null = everything unset). Unset values stay
 * NULL / -1 so the AWS layer falls back to the environment.
 * Returns BASE_OK, BASE_EUNKNOWN when a value that matters is not known yet
 * (nothing reported: the caller defers), or BASE_EINVALID with error
 * diagnostics (pathed) for combinations the schema cannot express:
 * access_key without secret_key or the reverse, token without keys,
 * assume_role without role_arn, allowed_account_ids with
 * forbidden_account_ids.
 */
BASE_MUST_USE int prov_config_from_value(base_arena *a, const cty_value *cfg, aws_client_config *out,
                                         prov_tags *tags, base_diags *diags);

/*
 * Fills *out from the ignore_tags block of cfg (strings in a; unset = none).
 * Returns BASE_OK, or BASE_EUNKNOWN when the block is not known yet.
 */
BASE_MUST_USE int prov_config_ignore_tags(base_arena *a, const cty_value *cfg, prov_ignore_tags *out);

/*
 * The offline cross-attribute checks of prov_config_from_value alone,
 * skipping unknown values (for ValidateProviderConfig). Returns BASE_OK or
 * BASE_EINVALID with diagnostics.
 */
BASE_MUST_USE int prov_config_check(base_arena *a, const cty_value *cfg, base_diags *diags);

#endif
