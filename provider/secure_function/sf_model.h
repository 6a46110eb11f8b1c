/*
 * sf_model.h - the plain C model of a lambdavpc_secure_function object
 * (config, plan or state) and its translation to and from cty values.
 *
 * sf_model.c is the only C file that names the resource's attributes
 * (STYLE C10): other files use the sf_attr constants and sf_attr_name(),
 * e.g. to build attribute paths for diagnostics.
 *
 * Value states: every top-level attribute is null, unknown or known. Known
 * non-null attributes have their bit in sf_config.present, unknown ones in
 * sf_config.unknown (bit (1 << SF_A_x)); the value fields are meaningful only
 * when present. Strings are NULL when not present. Lists and maps keep
 * their known elements in order; an unknown or null element is stored as
 * NULL and counted in n_unknown. logging, timeouts and each egress rule have
 * the same present/unknown bits for their own fields.
 *
 * Everything is allocated in the arena given to sf_model_from_value.
 * THREAD SAFETY: reentrant.
 */
#ifndef SF_MODEL_H
#define SF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "base/base_err.h"
#include "base/base_path.h"
#include "cty/cty_value.h"
#include "tf6/tf6_schema.h"

/* Top-level attributes and blocks of the resource (schema order is by name;
 * this order is the model's). */
typedef enum sf_attr {
	SF_A_ID,
	SF_A_FUNCTION_NAME,
	SF_A_VPC_ID,
	SF_A_SUBNET_CIDR_BLOCKS,
	SF_A_AVAILABILITY_ZONES,
	SF_A_ENDPOINT_SERVICES,
	SF_A_PRIVATE_DNS_ENABLED,
	SF_A_REUSE_EXISTING_ENDPOINTS,
	SF_A_EGRESS_RULES,
	SF_A_RUNTIME,
	SF_A_HANDLER,
	SF_A_FILENAME,
	SF_A_SOURCE_CODE_HASH,
	SF_A_S3_BUCKET,
	SF_A_S3_KEY,
	SF_A_S3_OBJECT_VERSION,
	SF_A_IMAGE_URI,
	SF_A_PACKAGE_TYPE,
	SF_A_ARCHITECTURES,
	SF_A_DESCRIPTION,
	SF_A_LAYERS,
	SF_A_PUBLISH,
	SF_A_KMS_KEY_ARN,
	SF_A_RESERVED_CONCURRENT_EXECUTIONS,
	SF_A_EPHEMERAL_STORAGE_SIZE,
	SF_A_TRACING_MODE,
	SF_A_DEAD_LETTER_TARGET_ARN,
	SF_A_MEMORY_SIZE,
	SF_A_TIMEOUT,
	SF_A_ENVIRONMENT,
	SF_A_TAGS,
	SF_A_POLICY_ARNS,
	SF_A_INLINE_POLICY,
	SF_A_PERMISSIONS_BOUNDARY,
	SF_A_LOGGING,  /* block */
	SF_A_TIMEOUTS, /* block */
	/* computed (from here to the end: see sf_attr_computed) */
	SF_A_ARN,
	SF_A_INVOKE_ARN,
	SF_A_QUALIFIED_ARN,
	SF_A_VERSION,
	SF_A_LAST_MODIFIED,
	SF_A_CODE_SHA256,
	SF_A_ROLE_ARN,
	SF_A_ROLE_NAME,
	SF_A_SUBNET_IDS,
	SF_A_ROUTE_TABLE_ID,
	SF_A_LAMBDA_SECURITY_GROUP_ID,
	SF_A_ENDPOINT_SECURITY_GROUP_ID,
	SF_A_VPC_ENDPOINT_IDS,
	SF_A_TAGS_ALL,
	SF_A_COUNT
} sf_attr;

/* Fields of one egress rule. */
typedef enum sf_egress_field {
	SF_EG_DESCRIPTION,
	SF_EG_PROTOCOL,
	SF_EG_FROM_PORT,
	SF_EG_TO_PORT,
	SF_EG_CIDR_BLOCKS,
	SF_EG_SECURITY_GROUP_IDS,
	SF_EG_PREFIX_LIST_IDS,
	SF_EG_COUNT
} sf_egress_field;

/* Fields of the logging block. */
typedef enum sf_logging_field {
	SF_LOG_LOG_FORMAT,
	SF_LOG_LOG_GROUP,
	SF_LOG_APPLICATION_LOG_LEVEL,
	SF_LOG_SYSTEM_LOG_LEVEL,
	SF_LOG_COUNT
} sf_logging_field;

/* Fields of the timeouts block. */
typedef enum sf_timeouts_field { SF_TO_CREATE, SF_TO_UPDATE, SF_TO_DELETE, SF_TO_COUNT } sf_timeouts_field;

#define SF_BIT(x) (1ull << (x))

/* A list of strings; v[i] NULL = unknown or null element. */
typedef struct sf_strlist {
	const char **v;
	size_t n;
	size_t n_unknown;
} sf_strlist;

/* A map of strings (keys sorted); vals[i] NULL = unknown or null value. */
typedef struct sf_strmap {
	const char **keys;
	const char **vals;
	size_t n;
	size_t n_unknown;
} sf_strmap;

typedef struct sf_egress_rule {
	uint32_t present, unknown; /* SF_BIT(sf_egress_field) */
	const char *description, *protocol;
	int64_t from_port, to_port;
	sf_strlist cidr_blocks, security_group_ids, prefix_list_ids;
} sf_egress_rule;

typedef struct sf_logging {
	uint32_t present, unknown; /* SF_BIT(sf_logging_field) */
	const char *log_format, *log_group, *application_log_level, *system_log_level;
} sf_logging;

typedef struct sf_timeouts {
	uint32_t present, unknown; /* SF_BIT(sf_timeouts_field) */
	const char *create, *update, *delete_;
} sf_timeouts;

/* One resource object. Numbers that are not whole numbers are treated as
 * not present (the validators report them). */
typedef struct sf_config {
	uint64_t present, unknown; /* SF_BIT(sf_attr) */

	const char *id, *function_name, *vpc_id;
	sf_strlist subnet_cidr_blocks, availability_zones, endpoint_services;
	bool private_dns_enabled, reuse_existing_endpoints;
	sf_egress_rule *egress_rules;
	size_t n_egress_rules;

	const char *runtime, *handler, *filename, *source_code_hash;
	const char *s3_bucket, *s3_key, *s3_object_version, *image_uri, *package_type;
	sf_strlist architectures;
	const char *description;
	sf_strlist layers;
	bool publish;
	const char *kms_key_arn;
	int64_t reserved_concurrent_executions, ephemeral_storage_size;
	const char *tracing_mode, *dead_letter_target_arn;
	int64_t memory_size, timeout;
	sf_strmap environment, tags;
	sf_strlist policy_arns;
	const char *inline_policy, *permissions_boundary;
	sf_logging logging;
	sf_timeouts timeouts;

	/* computed */
	const char *arn, *invoke_arn, *qualified_arn, *version, *last_modified, *code_sha256;
	const char *role_arn, *role_name;
	sf_strlist subnet_ids;
	const char *route_table_id, *lambda_security_group_id, *endpoint_security_group_id;
	sf_strmap vpc_endpoint_ids, tags_all;
} sf_config;

/* Schema name of a top-level attribute/block ("function_name"). Static. */
const char *sf_attr_name(sf_attr a);
/* The top-level attribute named name; SF_A_COUNT when there is none. */
sf_attr sf_attr_by_name(const char *name);
/* Address of attribute a's value in c; its C type follows the attribute:
 * const char * (strings), bool, int64_t (numbers), sf_strlist, sf_strmap,
 * or the nested block's struct. NULL for an unknown a. */
const void *sf_attr_value(const sf_config *c, sf_attr a);
/* True for the computed-only attributes (id and arn .. tags_all): never set
 * by the configuration, unknown in a create plan. Pure; thread safe. */
bool sf_attr_computed(sf_attr a);
/* Names of nested fields. Static. */
const char *sf_egress_field_name(sf_egress_field f);
const char *sf_logging_field_name(sf_logging_field f);
const char *sf_timeouts_field_name(sf_timeouts_field f);

/* Path helpers (allocated in a): `name`, `name[i]`, `egress_rules[i].field`,
 * `logging.field`, `timeouts.field`, `name["key"]`. */
base_path sf_path(base_arena *a, sf_attr attr);
base_path sf_path_index(base_arena *a, sf_attr attr, int64_t i);
base_path sf_path_key(base_arena *a, sf_attr attr, const char *key);
base_path sf_path_egress(base_arena *a, size_t rule, sf_egress_field f);
base_path sf_path_logging(base_arena *a, sf_logging_field f);
base_path sf_path_timeouts(base_arena *a, sf_timeouts_field f);

static inline bool sf_has(const sf_config *c, sf_attr a)
{
	return (c->present & SF_BIT(a)) != 0;
}
static inline bool sf_unknown(const sf_config *c, sf_attr a)
{
	return (c->unknown & SF_BIT(a)) != 0;
}

/*
 * Reads obj (an object of the resource's implied type; a null or unknown
 * object gives an all-null model with, for unknown, every bit in unknown)
 * into *out, allocating in a. Attributes the value's type lacks stay null.
 * Returns BASE_OK; BASE_EINVALID (with a diagnostic) only when obj is not
 * an object.
 */
BASE_MUST_USE int sf_model_from_value(base_arena *a, const cty_value *obj, sf_config *out, base_diags *diags);

/*
 * Builds the object value of schema s (the resource's finished schema)
 * from c: present -> known value, unknown bit -> unknown, otherwise null.
 * Blocks: logging/timeouts are null unless some field is present or unknown.
 * Returns BASE_OK with *out in a, or BASE_EINVALID (with a diagnostic) if
 * s does not have the model's attributes (a schema/model mismatch bug).
 */
BASE_MUST_USE int sf_model_to_value(base_arena *a, const tf6_schema *s, const sf_config *c,
                                    const cty_value **out, base_diags *diags);

#endif
