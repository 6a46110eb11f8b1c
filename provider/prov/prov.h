/*
 * prov.h - the lambdavpc provider: implements tf6_provider_ops (schema,
 * ValidateProviderConfig, ConfigureProvider, StopProvider) and owns what
 * the resources share once configured (the AWS client and default tags).
 *
 * Lifecycle: prov_new (cheap: nothing is parsed, nothing contacts AWS) /
 * prov_free. The embedded schemas are parsed on the first schema request
 * (tf6 calls the schema op lazily). ConfigureProvider builds the AWS client
 * once; afterwards the configured state is read-only and shared by
 * concurrent RPCs (prov_client, prov_default_tags).
 *
 * THREAD SAFETY: every function may be called from any thread; the
 * configured state is published once under a mutex.
 */
#ifndef PROV_H
#define PROV_H

#include <stdbool.h>
#include <stddef.h>
#include "aws/aws_client.h"
#include "base/base_diag.h"
#include "base/base_err.h"
#include "tf6/tf6_provider.h"
#include "tf6/tf6_schema.h"

typedef struct prov prov;

/* A resource type the provider serves: its name (also the name of its
 * schemas/<type_name>.json) and its operations table. */
typedef struct prov_resource_def {
	const char *type_name;
	const tf6_resource_ops *ops;
} prov_resource_def;

/* Tags as parallel arrays (sorted by key). Borrowed from the provider. */
typedef struct prov_tags {
	const char *const *keys;
	const char *const *values;
	size_t n;
} prov_tags;

/*
 * Creates the provider serving the n resource types in defs (copied; the
 * ops tables are borrowed and must be static). Every resource op receives
 * the prov as its ctx. *out = NULL on failure. Errors: BASE_EINVALID (a
 * type with no embedded schema file). Caller frees with prov_free.
 */
BASE_MUST_USE int prov_new(prov **out, const prov_resource_def *defs, size_t n);

/* Frees the provider, its schemas and its AWS client. NULL is fine. No RPC
 * may be running. */
void prov_free(prov *p);

/* The provider's operations table (static); pass the prov as its ctx. */
const tf6_provider_ops *prov_ops(void);

/*
 * Loads (once) and returns the schemas; same as the tf6 schema op.
 * Returns BASE_OK or BASE_EINVALID with the schema errors in diags (every
 * later call repeats them).
 */
BASE_MUST_USE int prov_schemas(prov *p, tf6_provider_schema *out, base_diags *diags);

/* The finished schema of a resource type or of the provider block
 * ("provider"), or NULL if unknown or not loaded (prov_schemas loads).
 * Borrowed; valid until prov_free. */
const tf6_schema *prov_schema_of(prov *p, const char *type_name);

/*
 * The configured AWS client, or NULL before a successful ConfigureProvider
 * (also when the provider configuration had unknown values: see
 * prov_config_deferred). Borrowed; valid until prov_free; thread-safe.
 */
aws_client *prov_client(const prov *p);

/* true if ConfigureProvider was called with values not known until apply,
 * so no client exists yet; resources should report that (or plan unknowns). */
bool prov_config_deferred(const prov *p);

/* The provider's default_tags (n = 0 when none or not configured).
 * Borrowed; valid until prov_free. */
prov_tags prov_default_tags(const prov *p);

/*
 * The provider block's ignore_tags (hashicorp/aws's meaning): tag keys
 * equal to one of keys, or starting with one of key_prefixes, are left
 * alone on every object (not drift, never removed). Empty until configured.
 */
typedef struct prov_ignore_tags {
	const char *const *keys;
	size_t n_keys;
	const char *const *prefixes;
	size_t n_prefixes;
} prov_ignore_tags;

prov_ignore_tags prov_ignored_tags(const prov *p);

/* True when ig ignores the tag key (pure). */
bool prov_tag_ignored(const prov_ignore_tags *ig, const char *key);

/*
 * Marks handed from one provider process to the later ones of the same
 * terraform command (base_handover.h): a mark of (kind, key bytes) made
 * under this provider configuration is seen by another process only when
 * it has the same configuration (the provider block's value, hashed) and
 * the same parent terraform process, at most max_age_s seconds later.
 * Only a digest of kind, configuration and key is stored. Both answer
 * false / do nothing before ConfigureProvider succeeded and when marks
 * are off (LAMBDAVPC_NO_HANDOVER=1, no private directory). Thread-safe.
 */
bool prov_handover_has(const prov *p, const char *kind, const void *key, size_t len, unsigned max_age_s);
void prov_handover_mark(const prov *p, const char *kind, const void *key, size_t len);

/*
 * Adds the diagnostic a resource reports when it needs AWS but the provider
 * is not configured (or configured with unknowns). Returns BASE_EINVALID.
 */
BASE_MUST_USE int prov_require_client(const prov *p, base_diags *diags, aws_client **out);

#endif
