/*
 * sf_model.c - cty object <-> sf_config (see sf_model.h). The only C file
 * naming the resource's attributes; the names are those of
 * schemas/lambdavpc_secure_function.json (a unit test checks both agree).
 */
#include "secure_function/sf_model.h"

#include <stddef.h>
#include <string.h>

enum kind { K_STR, K_BOOL, K_INT, K_STRLIST, K_STRMAP, K_EGRESS, K_LOGGING, K_TIMEOUTS };

struct field {
	const char *name;
	enum kind k;
	size_t off;
};

#define F(e, n, k, m) [e] = {n, k, offsetof(sf_config, m)}
static const struct field FIELDS[SF_A_COUNT] = {
        F(SF_A_ID, "id", K_STR, id),
        F(SF_A_FUNCTION_NAME, "function_name", K_STR, function_name),
        F(SF_A_VPC_ID, "vpc_id", K_STR, vpc_id),
        F(SF_A_SUBNET_CIDR_BLOCKS, "subnet_cidr_blocks", K_STRLIST, subnet_cidr_blocks),
        F(SF_A_AVAILABILITY_ZONES, "availability_zones", K_STRLIST, availability_zones),
        F(SF_A_ENDPOINT_SERVICES, "endpoint_services", K_STRLIST, endpoint_services),
        F(SF_A_PRIVATE_DNS_ENABLED, "private_dns_enabled", K_BOOL, private_dns_enabled),
        F(SF_A_REUSE_EXISTING_ENDPOINTS, "reuse_existing_endpoints", K_BOOL, reuse_existing_endpoints),
        F(SF_A_EGRESS_RULES, "egress_rules", K_EGRESS, egress_rules),
        F(SF_A_RUNTIME, "runtime", K_STR, runtime),
        F(SF_A_HANDLER, "handler", K_STR, handler),
        F(SF_A_FILENAME, "filename", K_STR, filename),
        F(SF_A_SOURCE_CODE_HASH, "source_code_hash", K_STR, source_code_hash),
        F(SF_A_S3_BUCKET, "s3_bucket", K_STR, s3_bucket),
        F(SF_A_S3_KEY, "s3_key", K_STR, s3_key),
        F(SF_A_S3_OBJECT_VERSION, "s3_object_version", K_STR, s3_object_version),
        F(SF_A_IMAGE_URI, "image_uri", K_STR, image_uri),
        F(SF_A_PACKAGE_TYPE, "package_type", K_STR, package_type),
        F(SF_A_ARCHITECTURES, "architectures", K_STRLIST, architectures),
        F(SF_A_DESCRIPTION, "description", K_STR, description),
        F(SF_A_LAYERS, "layers", K_STRLIST, layers),
        F(SF_A_PUBLISH, "publish", K_BOOL, publish),
        F(SF_A_KMS_KEY_ARN, "kms_key_arn", K_STR, kms_key_arn),
        F(SF_A_RESERVED_CONCURRENT_EXECUTIONS, "reserved_concurrent_executions", K_INT,
          reserved_concurrent_executions),
        F(SF_A_EPHEMERAL_STORAGE_SIZE, "ephemeral_storage_size", K_INT, ephemeral_storage_size),
        F(SF_A_TRACING_MODE, "tracing_mode", K_STR, tracing_mode),
        F(SF_A_DEAD_LETTER_TARGET_ARN, "dead_letter_target_arn", K_STR, dead_letter_target_arn),
        F(SF_A_MEMORY_SIZE, "memory_size", K_INT, memory_size),
        F(SF_A_TIMEOUT, "timeout", K_INT, timeout),
        F(SF_A_ENVIRONMENT, "environment", K_STRMAP, environment),
        F(SF_A_TAGS, "tags", K_STRMAP, tags),
        F(SF_A_POLICY_ARNS, "policy_arns", K_STRLIST, policy_arns),
        F(SF_A_INLINE_POLICY, "inline_policy", K_STR, inline_policy),
        F(SF_A_PERMISSIONS_BOUNDARY, "permissions_boundary", K_STR, permissions_boundary),
        F(SF_A_LOGGING, "logging", K_LOGGING, logging),
        F(SF_A_TIMEOUTS, "timeouts", K_TIMEOUTS, timeouts),
        F(SF_A_ARN, "arn", K_STR, arn),
        F(SF_A_INVOKE_ARN, "invoke_arn", K_STR, invoke_arn),
        F(SF_A_QUALIFIED_ARN, "qualified_arn", K_STR, qualified_arn),
        F(SF_A_VERSION, "version", K_STR, version),
        F(SF_A_LAST_MODIFIED, "last_modified", K_STR, last_modified),
        F(SF_A_CODE_SHA256, "code_sha256", K_STR, code_sha256),
        F(SF_A_ROLE_ARN, "role_arn", K_STR, role_arn),
        F(SF_A_ROLE_NAME, "role_name", K_STR, role_name),
        F(SF_A_SUBNET_IDS, "subnet_ids", K_STRLIST, subnet_ids),
        F(SF_A_ROUTE_TABLE_ID, "route_table_id", K_STR, route_table_id),
        F(SF_A_LAMBDA_SECURITY_GROUP_ID, "lambda_security_group_id", K_STR, lambda_security_group_id),
        F(SF_A_ENDPOINT_SECURITY_GROUP_ID, "endpoint_security_group_id", K_STR, endpoint_security_group_id),
        F(SF_A_VPC_ENDPOINT_IDS, "vpc_endpoint_ids", K_STRMAP, vpc_endpoint_ids),
        F(SF_A_TAGS_ALL, "tags_all", K_STRMAP, tags_all),
};
#undef F

#define G(e, n, k, m) [e] = {n, k, offsetof(sf_egress_rule, m)}
static const struct field EGRESS[SF_EG_COUNT] = {
        G(SF_EG_DESCRIPTION, "description", K_STR, description),
        G(SF_EG_PROTOCOL, "protocol", K_STR, protocol),
        G(SF_EG_FROM_PORT, "from_port", K_INT, from_port),
        G(SF_EG_TO_PORT, "to_port", K_INT, to_port),
        G(SF_EG_CIDR_BLOCKS, "cidr_blocks", K_STRLIST, cidr_blocks),
        G(SF_EG_SECURITY_GROUP_IDS, "security_group_ids", K_STRLIST, security_group_ids),
        G(SF_EG_PREFIX_LIST_IDS, "prefix_list_ids", K_STRLIST, prefix_list_ids),
};
#undef G

#define L(e, n, m) [e] = {n, K_STR, offsetof(sf_logging, m)}
static const struct field LOGGING[SF_LOG_COUNT] = {
        L(SF_LOG_LOG_FORMAT, "log_format", log_format),
        L(SF_LOG_LOG_GROUP, "log_group", log_group),
        L(SF_LOG_APPLICATION_LOG_LEVEL, "application_log_level", application_log_level),
        L(SF_LOG_SYSTEM_LOG_LEVEL, "system_log_level", system_log_level),
};
#undef L

#define T(e, n, m) [e] = {n, K_STR, offsetof(sf_timeouts, m)}
static const struct field TIMEOUTS[SF_TO_COUNT] = {
        T(SF_TO_CREATE, "create", create),
        T(SF_TO_UPDATE, "update", update),
        T(SF_TO_DELETE, "delete", delete_),
};
#undef T

const char *sf_attr_name(sf_attr a)
{
	return (unsigned)a < SF_A_COUNT ? FIELDS[a].name : "";
}

sf_attr sf_attr_by_name(const char *name)
{
	int i;
	for (i = 0; name && i < SF_A_COUNT; i++)
		if (FIELDS[i].name && strcmp(FIELDS[i].name, name) == 0)
			return (sf_attr)i;
	return SF_A_COUNT;
}

const void *sf_attr_value(const sf_config *c, sf_attr a)
{
	return (unsigned)a < SF_A_COUNT ? (const char *)c + FIELDS[a].off : NULL;
}

bool sf_attr_computed(sf_attr a)
{
	return a == SF_A_ID || (a >= SF_A_ARN && a < SF_A_COUNT);
}

const char *sf_egress_field_name(sf_egress_field f)
{
	return (unsigned)f < SF_EG_COUNT ? EGRESS[f].name : "";
}

const char *sf_logging_field_name(sf_logging_field f)
{
	return (unsigned)f < SF_LOG_COUNT ? LOGGING[f].name : "";
}

const char *sf_timeouts_field_name(sf_timeouts_field f)
{
	return (unsigned)f < SF_TO_COUNT ? TIMEOUTS[f].name : "";
}

base_path sf_path(base_arena *a, sf_attr attr)
{
	return base_path_attr(a, base_path_root(), sf_attr_name(attr));
}

base_path sf_path_index(base_arena *a, sf_attr attr, int64_t i)
{
	return base_path_index(a, sf_path(a, attr), i);
}

base_path sf_path_key(base_arena *a, sf_attr attr, const char *key)
{
	return base_path_key(a, sf_path(a, attr), key);
}

base_path sf_path_egress(base_arena *a, size_t rule, sf_egress_field f)
{
	return base_path_attr(a, sf_path_index(a, SF_A_EGRESS_RULES, (int64_t)rule), sf_egress_field_name(f));
}

base_path sf_path_logging(base_arena *a, sf_logging_field f)
{
	return base_path_attr(a, sf_path(a, SF_A_LOGGING), sf_logging_field_name(f));
}

base_path sf_path_timeouts(base_arena *a, sf_timeouts_field f)
{
	return base_path_attr(a, sf_path(a, SF_A_TIMEOUTS), sf_timeouts_field_name(f));
}

/* ------------------------------------------------------------------ */
/* value -> model                                                       */

static void read_strlist(base_arena *a, const cty_value *v, sf_strlist *out)
{
	size_t n = cty_value_len(v);
	out->v = base_arena_calloc(a, n + 1, sizeof(*out->v));
	out->n = n;
	out->n_unknown = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = cty_value_as_string(cty_value_index(v, i));
		if (s)
			out->v[i] = base_arena_strdup(a, s);
		else
			out->n_unknown++;
	}
}

static void read_strmap(base_arena *a, const cty_value *v, sf_strmap *out)
{
	size_t n = cty_value_len(v);
	out->keys = base_arena_calloc(a, n + 1, sizeof(*out->keys));
	out->vals = base_arena_calloc(a, n + 1, sizeof(*out->vals));
	out->n = n;
	out->n_unknown = 0;
	for (size_t i = 0; i < n; i++) {
		out->keys[i] = base_arena_strdup(a, cty_value_map_key(v, i));
		const char *s = cty_value_as_string(cty_value_index(v, i));
		if (s)
			out->vals[i] = base_arena_strdup(a, s);
		else
			out->n_unknown++;
	}
}

/* Decodes a known, non-null v of a plain kind (string, bool, number, list or
 * map of strings) into the field at p; false when it is not stored. */
static bool read_plain(base_arena *a, const cty_value *v, enum kind k, void *p)
{
	switch (k) {
	case K_STR:
		*(const char **)p = base_arena_strdup(a, cty_value_as_string(v));
		return true;
	case K_BOOL:
		*(bool *)p = cty_value_as_bool(v);
		return true;
	case K_INT:
		return cty_value_as_int64(v, (int64_t *)p) == BASE_OK;
	case K_STRLIST:
		read_strlist(a, v, (sf_strlist *)p);
		return true;
	case K_STRMAP:
		read_strmap(a, v, (sf_strmap *)p);
		return true;
	default:
		return false;
	}
}

/* Reads the fields of a flat object (egress rule, logging, timeouts). */
static void read_fields(base_arena *a, const cty_value *obj, const struct field *fs, size_t n, void *base,
                        uint32_t *present, uint32_t *unknown)
{
	if (cty_value_is_unknown(obj)) {
		*unknown = (uint32_t)((1ull << n) - 1);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const cty_value *v = cty_value_get_attr(obj, fs[i].name);
		if (!v || cty_value_is_null(v))
			continue;
		if (cty_value_is_unknown(v)) {
			*unknown |= 1u << i;
			continue;
		}
		if (!read_plain(a, v, fs[i].k, (char *)base + fs[i].off))
			continue;
		*present |= 1u << i;
	}
}

int sf_model_from_value(base_arena *a, const cty_value *obj, sf_config *out, base_diags *diags)
{
	memset(out, 0, sizeof(*out));
	if (!obj || cty_value_is_null(obj))
		return BASE_OK;
	if (cty_type_kind_of(cty_value_type(obj)) != CTY_T_OBJECT) {
		base_diags_add(diags, BASE_SEV_ERROR, NULL, "Invalid resource object",
		               "The value is not an object. This is a bug in the provider.");
		return BASE_EINVALID;
	}
	if (cty_value_is_unknown(obj)) {
		out->unknown = SF_BIT(SF_A_COUNT) - 1;
		return BASE_OK;
	}
	for (int i = 0; i < SF_A_COUNT; i++) {
		const struct field *f = &FIELDS[i];
		const cty_value *v = cty_value_get_attr(obj, f->name);
		if (!v || cty_value_is_null(v))
			continue;
		if (cty_value_is_unknown(v)) {
			out->unknown |= SF_BIT(i);
			continue;
		}
		switch (f->k) {
		case K_EGRESS: {
			size_t n = cty_value_len(v);
			out->egress_rules = base_arena_calloc(a, n + 1, sizeof(*out->egress_rules));
			out->n_egress_rules = n;
			for (size_t j = 0; j < n; j++) {
				sf_egress_rule *r = &out->egress_rules[j];
				const cty_value *e = cty_value_index(v, j);
				if (!cty_value_is_null(e))
					read_fields(a, e, EGRESS, SF_EG_COUNT, r, &r->present, &r->unknown);
			}
			break;
		}
		case K_LOGGING:
			read_fields(a, v, LOGGING, SF_LOG_COUNT, &out->logging, &out->logging.present,
			            &out->logging.unknown);
			break;
		case K_TIMEOUTS:
			read_fields(a, v, TIMEOUTS, SF_TO_COUNT, &out->timeouts, &out->timeouts.present,
			            &out->timeouts.unknown);
			break;
		default:
			if (!read_plain(a, v, f->k, (char *)out + f->off))
				continue;
			break;
		}
		out->present |= SF_BIT(i);
	}
	return BASE_OK;
}

/* ------------------------------------------------------------------ */
/* model -> value                                                       */

static const cty_value *strlist_value(base_arena *a, const cty_type *t, const sf_strlist *l)
{
	const cty_type *et = cty_type_elem(t);
	const cty_value **el = base_arena_calloc(a, l->n + 1, sizeof(*el));
	for (size_t i = 0; i < l->n; i++)
		el[i] = l->v[i] ? cty_value_string(a, l->v[i]) : cty_value_unknown(et);
	if (cty_type_kind_of(t) == CTY_T_SET)
		return cty_value_set(a, et, l->n, el);
	return cty_value_list(a, et, l->n, el);
}

static const cty_value *strmap_value(base_arena *a, const cty_type *t, const sf_strmap *m)
{
	const cty_type *et = cty_type_elem(t);
	const cty_value **vals = base_arena_calloc(a, m->n + 1, sizeof(*vals));
	for (size_t i = 0; i < m->n; i++)
		vals[i] = m->vals[i] ? cty_value_string(a, m->vals[i]) : cty_value_unknown(et);
	return cty_value_map(a, et, m->n, (const char *const *)m->keys, vals);
}

/* The value of a plain field at p (see read_plain) of type ft; NULL for
 * the other kinds. */
static const cty_value *plain_value(base_arena *a, const cty_type *ft, enum kind k, const void *p)
{
	switch (k) {
	case K_STR:
		return cty_value_string(a, *(const char *const *)p);
	case K_BOOL:
		return cty_value_bool(*(const bool *)p);
	case K_INT:
		return cty_value_number_int(a, *(const int64_t *)p);
	case K_STRLIST:
		return strlist_value(a, ft, (const sf_strlist *)p);
	case K_STRMAP:
		return strmap_value(a, ft, (const sf_strmap *)p);
	default:
		return NULL;
	}
}

static bool fields_value(base_arena *a, const cty_type *ot, const struct field *fs, size_t n,
                         const void *base, uint32_t present, uint32_t unknown, const cty_value **out)
{
	cty_obj_builder b;
	cty_obj_builder_init(&b, a, ot);
	for (size_t i = 0; i < n; i++) {
		const cty_type *ft = cty_type_attr(ot, fs[i].name);
		if (!ft)
			return false;
		const cty_value *v = NULL;
		const char *p = (const char *)base + fs[i].off;
		if (unknown & (1u << i)) {
			v = cty_value_unknown(ft);
		} else if (present & (1u << i)) {
			v = plain_value(a, ft, fs[i].k, p);
		}
		(void)cty_obj_builder_set(&b, fs[i].name, v);
	}
	*out = cty_obj_builder_finish(&b);
	return true;
}

int sf_model_to_value(base_arena *a, const tf6_schema *s, const sf_config *c, const cty_value **out,
                      base_diags *diags)
{
	const cty_type *t = tf6_schema_type(s);
	cty_obj_builder b;
	*out = NULL;
	cty_obj_builder_init(&b, a, t);
	for (int i = 0; i < SF_A_COUNT; i++) {
		const struct field *f = &FIELDS[i];
		const cty_type *ft = cty_type_attr(t, f->name);
		if (!ft)
			goto mismatch;
		const cty_value *v = NULL;
		const char *p = (const char *)c + f->off;
		if (c->unknown & SF_BIT(i)) {
			v = cty_value_unknown(ft);
		} else if (c->present & SF_BIT(i)) {
			switch (f->k) {
			case K_EGRESS: {
				const cty_type *et = cty_type_elem(ft);
				const cty_value **el =
				        base_arena_calloc(a, c->n_egress_rules + 1, sizeof(*el));
				for (size_t j = 0; j < c->n_egress_rules; j++) {
					const sf_egress_rule *r = &c->egress_rules[j];
					if (!fields_value(a, et, EGRESS, SF_EG_COUNT, r, r->present,
					                  r->unknown, &el[j]))
						goto mismatch;
				}
				v = cty_type_kind_of(ft) == CTY_T_SET
				            ? cty_value_set(a, et, c->n_egress_rules, el)
				            : cty_value_list(a, et, c->n_egress_rules, el);
				break;
			}
			case K_LOGGING:
				if (!fields_value(a, ft, LOGGING, SF_LOG_COUNT, &c->logging,
				                  c->logging.present, c->logging.unknown, &v))
					goto mismatch;
				break;
			case K_TIMEOUTS:
				if (!fields_value(a, ft, TIMEOUTS, SF_TO_COUNT, &c->timeouts,
				                  c->timeouts.present, c->timeouts.unknown, &v))
					goto mismatch;
				break;
			default:
				v = plain_value(a, ft, f->k, p);
				break;
			}
		}
		(void)cty_obj_builder_set(&b, f->name, v);
	}
	*out = cty_obj_builder_finish(&b);
	return BASE_OK;
mismatch:
	base_diags_add(diags, BASE_SEV_ERROR, NULL, "Resource model mismatch",
	               "The resource schema and its C model disagree. This is a bug in the provider.");
	return BASE_EINVALID;
}
