/*
 * sf_desired.c - the resource's model -> the reconcile engine's desired
 * spec, and the small translations around it (service names, tags_all,
 * durations, the ids a saved state knows). See sf_ops_int.h.
 */
#include "secure_function/sf_ops_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_function.h"

/* Largest zip we read for a direct upload (Lambda's own limit is 50 MB). */
#define SF_ZIP_MAX ((size_t)70 * 1024 * 1024)

static const char *short_name(const char *svc)
{
	const char *p;
	if (!base_str_has_prefix(svc, "com.amazonaws."))
		return svc;
	/* com.amazonaws.<region>.<name> -> <name> (the name may contain dots) */
	p = strchr(svc + strlen("com.amazonaws."), '.');
	return p ? p + 1 : svc;
}

bool sf__service_is_gateway(const char *svc)
{
	const char *s;
	if (!svc)
		return false;
	s = short_name(svc);
	return strcmp(s, "s3") == 0 || strcmp(s, "dynamodb") == 0;
}

const char *sf__service_full(base_arena *a, const char *region, const char *svc)
{
	if (!svc)
		return NULL;
	if (base_str_has_prefix(svc, "com.amazonaws."))
		return base_arena_strdup(a, svc);
	return base_arena_sprintf(a, "com.amazonaws.%s.%s", region ? region : "", svc);
}

const char *sf__service_short(base_arena *a, const char *region, const char *full)
{
	const char *prefix;
	if (!full)
		return NULL;
	prefix = base_arena_sprintf(a, "com.amazonaws.%s.", region ? region : "");
	if (base_str_has_prefix(full, prefix))
		return base_arena_strdup(a, full + strlen(prefix));
	return base_arena_strdup(a, full);
}

/* ------------------------------------------------------------------------ */

sf_strmap sf__tags_all(base_arena *a, const sf_config *m, prov_tags dt)
{
	sf_strmap out;
	size_t cap = dt.n + (sf_has(m, SF_A_TAGS) ? m->tags.n : 0), n = 0, i, j;
	out.keys = base_arena_calloc(a, cap + 1, sizeof *out.keys);
	out.vals = base_arena_calloc(a, cap + 1, sizeof *out.vals);
	out.n_unknown = 0;
	for (i = 0; i < dt.n; i++) {
		bool over = false;
		if (sf_has(m, SF_A_TAGS))
			for (j = 0; j < m->tags.n; j++)
				if (base_str_eq(m->tags.keys[j], dt.keys[i]))
					over = true;
		if (over)
			continue;
		out.keys[n] = dt.keys[i];
		out.vals[n] = dt.values[i];
		n++;
	}
	if (sf_has(m, SF_A_TAGS))
		for (j = 0; j < m->tags.n; j++) {
			out.keys[n] = m->tags.keys[j];
			out.vals[n] = m->tags.vals[j];
			if (!out.vals[n])
				out.n_unknown++;
			n++;
		}
	out.n = n;
	sf__strmap_sort(&out);
	return out;
}

void sf__strmap_sort(sf_strmap *m)
{
	size_t i, j;
	/* insertion sort: a handful of tags */
	for (i = 1; i < m->n; i++)
		for (j = i; j > 0 && strcmp(m->keys[j - 1], m->keys[j]) > 0; j--) {
			const char *k = m->keys[j], *v = m->vals[j];
			m->keys[j] = m->keys[j - 1];
			m->vals[j] = m->vals[j - 1];
			m->keys[j - 1] = k;
			m->vals[j - 1] = v;
		}
}

int sf__duration_ms(const char *s, uint64_t *out)
{
	uint64_t total = 0;
	bool any = false;
	*out = 0;
	if (!s || !*s)
		return BASE_EINVALID;
	while (*s) {
		uint64_t v = 0, mult;
		bool digits = false;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > 100000000ull)
				return BASE_EINVALID;
			s++;
			digits = true;
		}
		if (!digits)
			return BASE_EINVALID;
		if (s[0] == 'm' && s[1] == 's') {
			mult = 1;
			s += 2;
		} else if (*s == 'h') {
			mult = 3600000;
			s++;
		} else if (*s == 'm') {
			mult = 60000;
			s++;
		} else if (*s == 's') {
			mult = 1000;
			s++;
		} else {
			return BASE_EINVALID;
		}
		total += v * mult;
		any = true;
	}
	if (!any)
		return BASE_EINVALID;
	*out = total;
	return BASE_OK;
}

/* ------------------------------------------------------------------------ */

static aws_strs strs_of(const sf_strlist *l, bool present)
{
	if (!present)
		return (aws_strs){NULL, 0};
	return (aws_strs){l->v, l->n};
}

static aws_tags tags_of_map(base_arena *a, const sf_strmap *m, bool present)
{
	aws_tag *v;
	size_t i;
	if (!present || m->n == 0)
		return (aws_tags){NULL, 0};
	v = base_arena_calloc(a, m->n, sizeof *v);
	for (i = 0; i < m->n; i++) {
		v[i].key = m->keys[i];
		v[i].value = m->vals[i] ? m->vals[i] : "";
	}
	return (aws_tags){v, m->n};
}

static const char *partition_of(const char *region)
{
	if (base_str_has_prefix(region, "cn-"))
		return "aws-cn";
	if (base_str_has_prefix(region, "us-gov-"))
		return "aws-us-gov";
	return "aws";
}

/* Reads a whole file into the arena. The first buffer is the file's size
 * (plus one byte to see the end): ten creates at once each held a 64 KiB
 * buffer for a zip of a few hundred bytes (issue 13). */
static int read_file(base_arena *a, const char *path, const unsigned char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, first = 65536;
	struct stat st;
	int rc = BASE_OK;
	*data = NULL;
	*len = 0;
	if (!f)
		return BASE_ENOTFOUND;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < SF_ZIP_MAX)
		first = (size_t)st.st_size + 1;
	for (;;) {
		size_t got;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : first;
			if (nc > SF_ZIP_MAX + 1)
				nc = SF_ZIP_MAX + 1;
			if (nc == cap) {
				rc = BASE_ETOOBIG;
				goto done;
			}
			buf = base_arena_realloc(a, buf, cap, nc);
			cap = nc;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				rc = BASE_EIO;
			break;
		}
	}
	if (n > SF_ZIP_MAX)
		rc = BASE_ETOOBIG;
done:
	fclose(f);
	if (rc == BASE_OK) {
		*data = buf;
		*len = n;
	}
	return rc;
}

static uint64_t timeout_of(const char *s)
{
	uint64_t ms = 0;
	if (s && sf__duration_ms(s, &ms) == BASE_OK)
		return ms;
	return 0;
}

/* Subnets, AZs, endpoints and egress rules. */
static void desired_network(base_arena *a, const sf_config *m, const char *region, recon_desired *d)
{
	size_t i;
	d->subnet_cidrs = strs_of(&m->subnet_cidr_blocks, sf_has(m, SF_A_SUBNET_CIDR_BLOCKS));
	if (sf_has(m, SF_A_AVAILABILITY_ZONES) && m->availability_zones.n > 0 && d->subnet_cidrs.n > 0) {
		/* one AZ per CIDR, the configured list reused round-robin */
		const char **az = base_arena_calloc(a, d->subnet_cidrs.n, sizeof *az);
		for (i = 0; i < d->subnet_cidrs.n; i++)
			az[i] = m->availability_zones.v[i % m->availability_zones.n];
		d->subnet_azs = (aws_strs){az, d->subnet_cidrs.n};
	}
	if (sf_has(m, SF_A_ENDPOINT_SERVICES)) {
		recon_endpoint_spec *ev = base_arena_calloc(a, m->endpoint_services.n + 1, sizeof *ev);
		size_t n = 0;
		for (i = 0; i < m->endpoint_services.n; i++) {
			if (!m->endpoint_services.v[i])
				continue;
			ev[n].service = sf__service_full(a, region, m->endpoint_services.v[i]);
			ev[n].gateway = sf__service_is_gateway(m->endpoint_services.v[i]);
			n++;
		}
		d->endpoints = ev;
		d->n_endpoints = n;
	}
	d->private_dns_enabled = sf_has(m, SF_A_PRIVATE_DNS_ENABLED) ? m->private_dns_enabled : true;
	d->reuse_existing_endpoints =
	        sf_has(m, SF_A_REUSE_EXISTING_ENDPOINTS) ? m->reuse_existing_endpoints : true;
	if (sf_has(m, SF_A_EGRESS_RULES) && m->n_egress_rules) {
		recon_egress_rule *ev = base_arena_calloc(a, m->n_egress_rules, sizeof *ev);
		for (i = 0; i < m->n_egress_rules; i++) {
			const sf_egress_rule *r = &m->egress_rules[i];
			ev[i].description = (r->present & SF_BIT(SF_EG_DESCRIPTION)) ? r->description : NULL;
			ev[i].protocol = r->protocol;
			ev[i].from_port = (r->present & SF_BIT(SF_EG_FROM_PORT)) ? (int)r->from_port : -1;
			ev[i].to_port = (r->present & SF_BIT(SF_EG_TO_PORT)) ? (int)r->to_port : -1;
			ev[i].cidr_blocks = strs_of(&r->cidr_blocks, r->present & SF_BIT(SF_EG_CIDR_BLOCKS));
			ev[i].security_group_ids = strs_of(&r->security_group_ids,
			                                   r->present & SF_BIT(SF_EG_SECURITY_GROUP_IDS));
			ev[i].prefix_list_ids =
			        strs_of(&r->prefix_list_ids, r->present & SF_BIT(SF_EG_PREFIX_LIST_IDS));
		}
		d->egress_rules = ev;
		d->n_egress_rules = m->n_egress_rules;
	}
}

/* The role: VPC access policy of the region's partition, user policies,
 * inline policy, boundary. */
static void desired_role(base_arena *a, const sf_config *m, const char *region, recon_desired *d)
{
	d->role_name = NULL;
	d->vpc_policy_arn =
	        base_arena_sprintf(a, "arn:%s:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
	                           partition_of(region));
	d->policy_arns = strs_of(&m->policy_arns, sf_has(m, SF_A_POLICY_ARNS));
	d->inline_policy = sf_has(m, SF_A_INLINE_POLICY) ? m->inline_policy : NULL;
	d->permissions_boundary = sf_has(m, SF_A_PERMISSIONS_BOUNDARY) ? m->permissions_boundary : NULL;
}

/* The settings of the Lambda field table (recon_function.h) the user set,
 * found by attribute name; unset ones stay NULL / 0. */
static void desired_table_fields(base_arena *a, const sf_config *m, recon_function_spec *fn)
{
	size_t i;
	for (i = 0; i < recon_fn_n_fields; i++) {
		const recon_fn_field *f = &recon_fn_fields[i];
		sf_attr at = sf_attr_by_name(f->name);
		void *dst = (char *)fn + f->model;
		const void *v;
		if (at == SF_A_COUNT || !sf_has(m, at))
			continue; /* not set, or not a top-level attribute (logging) */
		v = sf_attr_value(m, at);
		switch (f->type) {
		case RECON_FN_STR:
			*(const char **)dst = *(const char *const *)v;
			break;
		case RECON_FN_INT:
			*(int *)dst = (int)*(const int64_t *)v;
			break;
		case RECON_FN_STRS:
			*(aws_strs *)dst = strs_of(v, true);
			break;
		case RECON_FN_TAGS:
			*(aws_tags *)dst = tags_of_map(a, v, true);
			break;
		}
	}
}

/* The function settings the user set (unset: NULL / 0, concurrency -1). */
static void desired_function(base_arena *a, const sf_config *m, recon_function_spec *fn)
{
	desired_table_fields(a, m, fn);
	fn->s3_bucket = sf_has(m, SF_A_S3_BUCKET) ? m->s3_bucket : NULL;
	fn->s3_key = sf_has(m, SF_A_S3_KEY) ? m->s3_key : NULL;
	fn->s3_object_version = sf_has(m, SF_A_S3_OBJECT_VERSION) ? m->s3_object_version : NULL;
	fn->source_code_hash = sf_has(m, SF_A_SOURCE_CODE_HASH) ? m->source_code_hash : NULL;
	fn->publish = sf_has(m, SF_A_PUBLISH) ? m->publish : false;
	if (sf_has(m, SF_A_LOGGING)) {
		const sf_logging *l = &m->logging;
		fn->logging.log_format = (l->present & SF_BIT(SF_LOG_LOG_FORMAT)) ? l->log_format : NULL;
		fn->logging.log_group = (l->present & SF_BIT(SF_LOG_LOG_GROUP)) ? l->log_group : NULL;
		fn->logging.application_log_level =
		        (l->present & SF_BIT(SF_LOG_APPLICATION_LOG_LEVEL)) ? l->application_log_level : NULL;
		fn->logging.system_log_level =
		        (l->present & SF_BIT(SF_LOG_SYSTEM_LOG_LEVEL)) ? l->system_log_level : NULL;
	}
	fn->reserved_concurrency =
	        sf_has(m, SF_A_RESERVED_CONCURRENT_EXECUTIONS) ? (int)m->reserved_concurrent_executions : -1;
}

/* The zip of filename into fn; BASE_EINVALID with a diagnostic when unreadable. */
static int desired_code(base_arena *a, const sf_config *m, recon_function_spec *fn, base_diags *diags)
{
	int rc = read_file(a, m->filename, &fn->zip, &fn->zip_len);
	if (rc != BASE_OK) {
		base_path p = sf_path(a, SF_A_FILENAME);
		base_diags_addf(diags, BASE_SEV_ERROR, &p, "Cannot read the function package",
		                "%s: %s. %s must name a readable zip file of at most %zu MB.", m->filename,
		                rc == BASE_ENOTFOUND ? "no such file or not readable"
		                : rc == BASE_ETOOBIG ? "file too large"
		                                     : "read error",
		                sf_attr_name(SF_A_FILENAME), SF_ZIP_MAX / (1024 * 1024));
		return BASE_EINVALID;
	}
	return BASE_OK;
}

int sf__desired_build(base_arena *a, const sf_config *m, const char *region, prov_tags dt, bool read_code,
                      recon_desired *d, base_diags *diags)
{
	memset(d, 0, sizeof *d);
	d->function_name = m->function_name;
	d->vpc_id = m->vpc_id;
	desired_network(a, m, region, d);
	desired_role(a, m, region, d);
	desired_function(a, m, &d->fn);
	if (read_code && sf_has(m, SF_A_FILENAME) && desired_code(a, m, &d->fn, diags) != BASE_OK)
		return BASE_EINVALID;
	/* tags: default tags, then the user's (recon adds the ownership tag) */
	{
		sf_strmap all = sf__tags_all(a, m, dt);
		d->tags = tags_of_map(a, &all, true);
	}
	if (dt.n) {
		aws_tag *v = base_arena_calloc(a, dt.n, sizeof *v);
		size_t i;
		for (i = 0; i < dt.n; i++) {
			v[i].key = dt.keys[i];
			v[i].value = dt.values[i] ? dt.values[i] : "";
		}
		d->shared_tags = (aws_tags){v, dt.n};
	}
	if (sf_has(m, SF_A_TIMEOUTS)) {
		d->timeouts.create_ms = timeout_of(m->timeouts.create);
		d->timeouts.update_ms = timeout_of(m->timeouts.update);
		d->timeouts.delete_ms = timeout_of(m->timeouts.delete_);
	}
	return BASE_OK;
}

void sf__prior_state(base_arena *a, const sf_config *m, const char *region, recon_state *st)
{
	size_t i, n;
	memset(st, 0, sizeof *st);
	st->function_name = m->function_name;
	st->vpc_id = m->vpc_id;
	if (sf_has(m, SF_A_ROLE_NAME)) {
		st->role.name = m->role_name;
		st->role.arn = sf_has(m, SF_A_ROLE_ARN) ? m->role_arn : NULL;
		/* whether to read the inline policy directly (recon_role.c) */
		st->role.inline_policy = sf_has(m, SF_A_INLINE_POLICY) ? m->inline_policy : NULL;
	}
	if (sf_has(m, SF_A_SUBNET_IDS) && m->subnet_ids.n) {
		st->subnets = base_arena_calloc(a, m->subnet_ids.n, sizeof *st->subnets);
		for (i = n = 0; i < m->subnet_ids.n; i++) {
			if (!m->subnet_ids.v[i])
				continue;
			st->subnets[n].id = m->subnet_ids.v[i];
			if (sf_has(m, SF_A_SUBNET_CIDR_BLOCKS) && i < m->subnet_cidr_blocks.n)
				st->subnets[n].cidr = m->subnet_cidr_blocks.v[i];
			n++;
		}
		st->n_subnets = n;
	}
	/* the published version (GetFunction cannot tell it) */
	if (sf_has(m, SF_A_PUBLISH) && m->publish && sf_has(m, SF_A_VERSION))
		st->fn.version = m->version;
	if (sf_has(m, SF_A_ROUTE_TABLE_ID))
		st->rt.id = m->route_table_id;
	if (sf_has(m, SF_A_LAMBDA_SECURITY_GROUP_ID))
		st->sgs[RECON_SG_LAMBDA].id = m->lambda_security_group_id;
	if (sf_has(m, SF_A_ENDPOINT_SECURITY_GROUP_ID))
		st->sgs[RECON_SG_ENDPOINT].id = m->endpoint_security_group_id;
	if (sf_has(m, SF_A_VPC_ENDPOINT_IDS) && m->vpc_endpoint_ids.n) {
		st->endpoints = base_arena_calloc(a, m->vpc_endpoint_ids.n, sizeof *st->endpoints);
		for (i = n = 0; i < m->vpc_endpoint_ids.n; i++) {
			if (!m->vpc_endpoint_ids.vals[i])
				continue;
			st->endpoints[n].id = m->vpc_endpoint_ids.vals[i];
			st->endpoints[n].service = sf__service_full(a, region, m->vpc_endpoint_ids.keys[i]);
			st->endpoints[n].gateway = sf__service_is_gateway(m->vpc_endpoint_ids.keys[i]);
			n++;
		}
		st->n_endpoints = n;
	}
}
