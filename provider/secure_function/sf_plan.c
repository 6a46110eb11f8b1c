/*
 * sf_plan.c - PlanResourceChange.
 *
 * The planned state starts from Terraform's proposed new state (config for
 * configured attributes, prior values for unset computed ones) and changes
 * only what the rules below say, so configured values are echoed exactly
 * (PROTOCOL.md 2.8):
 *  - optional+computed attributes left unset get their schema default
 *    (private_dns_enabled, endpoint_services, memory_size, ...);
 *  - create: id = function_name and role_name are known, tags_all is
 *    default_tags merged with tags, everything else computed is unknown;
 *  - update: prior computed values are kept unless the change (or drift
 *    recorded by ReadResource in the private bytes) affects them: new CIDRs
 *    -> subnet_ids (and unset availability_zones) unknown, other services ->
 *    vpc_endpoint_ids unknown, any function change -> last_modified
 *    unknown, code -> code_sha256, publishing -> version/qualified_arn;
 *    a computed attribute whose part has disappeared (null) is unknown;
 *  - requires_replace = function_name / vpc_id when they change.
 * Then the checks that need the account run (skipped while the provider
 * configuration is not known): the VPC exists, each CIDR lies inside it and
 * overlaps no subnet that is not ours, requested AZs exist, and the VPC has
 * DNS support and host names when private DNS is wanted.
 */
#include "secure_function/sf_ops_int.h"

#include <stdio.h>
#include <string.h>

#include "aws/aws_ec2.h"
#include "base/base_buf.h"
#include "base/base_log.h"
#include "base/base_str.h"
#include "cty/cty_equal.h"
#include "cty/cty_msgpack.h"
#include "prov/prov_plan.h"
#include "prov/prov_schema.h"
#include "recon/recon_diff.h"

struct pl {
	base_arena *a;
	const tf6_schema *s;
	const cty_value *prior, *config, *planned;
};

static const cty_type *attr_type(const struct pl *p, sf_attr at)
{
	return cty_type_attr(tf6_schema_type(p->s), sf_attr_name(at));
}

static const cty_value *get(const cty_value *obj, sf_attr at)
{
	return cty_value_get_attr(obj, sf_attr_name(at));
}

static void set(struct pl *p, sf_attr at, const cty_value *v)
{
	const cty_value *n = cty_value_with_attr(p->a, p->planned, sf_attr_name(at), v);
	if (n)
		p->planned = n;
}

static void set_unknown(struct pl *p, sf_attr at)
{
	set(p, at, cty_value_unknown(attr_type(p, at)));
}

/* The attribute differs between prior and planned (unknown = differs). */
static bool changed(const struct pl *p, sf_attr at)
{
	const cty_value *x = get(p->prior, at), *y = get(p->planned, at);
	if (!cty_value_is_known(y))
		return true;
	return !cty_value_raw_equal(x, y);
}

static bool is_null_in(const cty_value *obj, sf_attr at)
{
	const cty_value *v = get(obj, at);
	return !v || cty_value_is_null(v);
}

/* Attributes whose change updates the function's configuration. */
static const sf_attr FN_SETTINGS[] = {
        SF_A_RUNTIME,
        SF_A_HANDLER,
        SF_A_DESCRIPTION,
        SF_A_MEMORY_SIZE,
        SF_A_TIMEOUT,
        SF_A_ENVIRONMENT,
        SF_A_LAYERS,
        SF_A_KMS_KEY_ARN,
        SF_A_TRACING_MODE,
        SF_A_DEAD_LETTER_TARGET_ARN,
        SF_A_EPHEMERAL_STORAGE_SIZE,
        SF_A_LOGGING,
        SF_A_RESERVED_CONCURRENT_EXECUTIONS,
        SF_A_PUBLISH,
};
/* Attributes whose change updates the function's code. */
static const sf_attr FN_CODE[] = {
        SF_A_FILENAME,          SF_A_SOURCE_CODE_HASH, SF_A_S3_BUCKET,    SF_A_S3_KEY,
        SF_A_S3_OBJECT_VERSION, SF_A_IMAGE_URI,        SF_A_PACKAGE_TYPE, SF_A_ARCHITECTURES,
};
#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

/* Defaults of optional+computed attributes the config leaves unset. */
static void apply_defaults(struct pl *p)
{
	const tf6_block *b = &p->s->block;
	size_t i;
	for (i = 0; i < b->n_attrs; i++) {
		const tf6_attribute *at = &b->attrs[i];
		const prov_attr_info *info;
		const cty_value *cv;
		if (!at->optional || !at->computed)
			continue;
		cv = cty_value_get_attr(p->config, at->name);
		if (cv && !cty_value_is_null(cv))
			continue;
		info = prov_attr_info_of(at);
		if (info && info->default_value) {
			const cty_value *n =
			        cty_value_with_attr(p->a, p->planned, at->name, info->default_value);
			if (n)
				p->planned = n;
		}
	}
}

/* tags_all: default tags + tags, unknown while either is. */
static void plan_tags_all(struct pl *p, const sf_config *pm, prov_tags dt, bool dt_known)
{
	sf_strmap all;
	const cty_type *t = attr_type(p, SF_A_TAGS_ALL);
	const cty_value **vals;
	size_t i;
	if (!dt_known || sf_unknown(pm, SF_A_TAGS) || (sf_has(pm, SF_A_TAGS) && pm->tags.n_unknown)) {
		set_unknown(p, SF_A_TAGS_ALL);
		return;
	}
	all = sf__tags_all(p->a, pm, dt);
	vals = base_arena_calloc(p->a, all.n + 1, sizeof *vals);
	for (i = 0; i < all.n; i++)
		vals[i] = cty_value_string(p->a, all.vals[i]);
	set(p, SF_A_TAGS_ALL, cty_value_map(p->a, cty_type_elem(t), all.n, all.keys, vals));
}

/* vpc_endpoint_ids keys no longer match the services. */
static bool endpoint_keys_differ(const sf_config *prior, const sf_config *pm)
{
	size_t i, j;
	if (!sf_has(pm, SF_A_ENDPOINT_SERVICES) || !sf_has(prior, SF_A_VPC_ENDPOINT_IDS))
		return true;
	if (prior->vpc_endpoint_ids.n != pm->endpoint_services.n)
		return true;
	for (i = 0; i < pm->endpoint_services.n; i++) {
		bool found = false;
		for (j = 0; j < prior->vpc_endpoint_ids.n; j++)
			if (base_str_eq(prior->vpc_endpoint_ids.keys[j], pm->endpoint_services.v[i]))
				found = true;
		if (!found)
			return true;
	}
	return false;
}

/* Index of the CIDR in the prior state whose subnet id (and AZ) is known,
 * or -1. The prior subnet_ids follow its subnet_cidr_blocks only when both
 * are complete (a subnet deleted out of band shortens subnet_ids). */
static long prior_subnet_of(const sf_config *prior, const char *cidr)
{
	size_t j;
	if (!cidr || !sf_has(prior, SF_A_SUBNET_CIDR_BLOCKS) || !sf_has(prior, SF_A_SUBNET_IDS) ||
	    prior->subnet_ids.n != prior->subnet_cidr_blocks.n || prior->subnet_ids.n_unknown)
		return -1;
	for (j = 0; j < prior->subnet_cidr_blocks.n; j++)
		if (base_str_eq(prior->subnet_cidr_blocks.v[j], cidr) && prior->subnet_ids.v[j])
			return (long)j;
	return -1;
}

/* CIDRs change: subnet_ids (and unset availability_zones) follow
 * subnet_cidr_blocks; an existing CIDR keeps its subnet (recon keys subnets
 * by CIDR, the apply fills the list in the CIDRs' order), a new one is
 * unknown. */
static void plan_subnets(struct pl *p, const sf_config *pm, const sf_config *prior)
{
	bool azs = is_null_in(p->config, SF_A_AVAILABILITY_ZONES);
	bool azs_known = azs && sf_has(prior, SF_A_AVAILABILITY_ZONES) &&
	                 prior->availability_zones.n == prior->subnet_cidr_blocks.n;
	const cty_type *st = cty_type_elem(attr_type(p, SF_A_SUBNET_IDS));
	const cty_value **ids, **zs;
	size_t i, n;
	if (!sf_has(pm, SF_A_SUBNET_CIDR_BLOCKS) || pm->subnet_cidr_blocks.n_unknown) {
		set_unknown(p, SF_A_SUBNET_IDS);
		if (azs)
			set_unknown(p, SF_A_AVAILABILITY_ZONES);
		return;
	}
	n = pm->subnet_cidr_blocks.n;
	ids = base_arena_calloc(p->a, n + 1, sizeof *ids);
	zs = base_arena_calloc(p->a, n + 1, sizeof *zs);
	for (i = 0; i < n; i++) {
		long j = prior_subnet_of(prior, pm->subnet_cidr_blocks.v[i]);
		ids[i] = j < 0 ? cty_value_unknown(st) : cty_value_string(p->a, prior->subnet_ids.v[j]);
		zs[i] = (j < 0 || !azs_known || !prior->availability_zones.v[j])
		                ? cty_value_unknown(st)
		                : cty_value_string(p->a, prior->availability_zones.v[j]);
	}
	set(p, SF_A_SUBNET_IDS, cty_value_list(p->a, st, n, ids));
	if (azs)
		set(p, SF_A_AVAILABILITY_ZONES, cty_value_list(p->a, st, n, zs));
}

/* The prior endpoint id of service svc, or NULL. */
static const char *prior_endpoint_of(const sf_config *prior, const char *svc)
{
	size_t j;
	if (!svc || !sf_has(prior, SF_A_VPC_ENDPOINT_IDS))
		return NULL;
	for (j = 0; j < prior->vpc_endpoint_ids.n; j++)
		if (base_str_eq(prior->vpc_endpoint_ids.keys[j], svc))
			return prior->vpc_endpoint_ids.vals[j];
	return NULL;
}

/* Services change: vpc_endpoint_ids has one key per service; the endpoint of
 * a service the state already has keeps its id (recon syncs it in place),
 * a new service's id is unknown. Switching reuse_existing_endpoints may
 * swap an endpoint for another one: everything unknown then. */
static void plan_endpoint_ids(struct pl *p, const sf_config *pm, const sf_config *prior)
{
	const cty_type *et = cty_type_elem(attr_type(p, SF_A_VPC_ENDPOINT_IDS));
	const char **keys;
	const cty_value **vals;
	size_t i, j, n = 0;
	if (!sf_has(pm, SF_A_ENDPOINT_SERVICES) || pm->endpoint_services.n_unknown ||
	    changed(p, SF_A_REUSE_EXISTING_ENDPOINTS)) {
		set_unknown(p, SF_A_VPC_ENDPOINT_IDS);
		return;
	}
	keys = base_arena_calloc(p->a, pm->endpoint_services.n + 1, sizeof *keys);
	vals = base_arena_calloc(p->a, pm->endpoint_services.n + 1, sizeof *vals);
	for (i = 0; i < pm->endpoint_services.n; i++) {
		const char *svc = pm->endpoint_services.v[i], *id;
		bool dup = false;
		for (j = 0; j < n; j++)
			dup = dup || base_str_eq(keys[j], svc);
		if (dup)
			continue;
		id = prior_endpoint_of(prior, svc);
		keys[n] = svc;
		vals[n++] = id ? cty_value_string(p->a, id) : cty_value_unknown(et);
	}
	set(p, SF_A_VPC_ENDPOINT_IDS, cty_value_map(p->a, et, n, keys, vals));
}

/* A create: every computed attribute unknown except id and role_name. */
static void plan_create(struct pl *p, const sf_config *pm, prov_tags dt, bool dt_known)
{
	base_arena *a = p->a;
	size_t i;
	for (i = 0; i < SF_A_COUNT; i++)
		if (sf_attr_computed((sf_attr)i))
			set_unknown(p, (sf_attr)i);
	if (sf_has(pm, SF_A_FUNCTION_NAME)) {
		set(p, SF_A_ID, cty_value_string(a, pm->function_name));
		set(p, SF_A_ROLE_NAME, cty_value_string(a, recon_role_name(a, pm->function_name)));
	}
	if (is_null_in(p->config, SF_A_AVAILABILITY_ZONES))
		set_unknown(p, SF_A_AVAILABILITY_ZONES);
	plan_tags_all(p, pm, dt, dt_known);
}

/* An update: computed attributes of the parts that change (or drifted,
 * drift = SF_DRIFT_* bits) become unknown; tags_all is planned. */
static void plan_update(struct pl *p, const sf_config *pm, const sf_config *prior, unsigned drift,
                        prov_tags dt, bool dt_known)
{
	size_t i;
	bool cidrs = changed(p, SF_A_SUBNET_CIDR_BLOCKS) || !sf_has(prior, SF_A_SUBNET_IDS) ||
	             prior->subnet_ids.n != pm->subnet_cidr_blocks.n || (drift & SF_DRIFT_SUBNETS);
	bool services = changed(p, SF_A_ENDPOINT_SERVICES) || changed(p, SF_A_PRIVATE_DNS_ENABLED) ||
	                changed(p, SF_A_REUSE_EXISTING_ENDPOINTS) || (drift & SF_DRIFT_ENDPOINTS) ||
	                endpoint_keys_differ(prior, pm);
	bool code = false, settings = false, touched;
	for (i = 0; i < COUNT(FN_CODE); i++)
		if (changed(p, FN_CODE[i]))
			code = true;
	for (i = 0; i < COUNT(FN_SETTINGS); i++)
		if (changed(p, FN_SETTINGS[i]))
			settings = true;
	touched = code || settings || cidrs ||
	          (drift & (SF_DRIFT_FUNCTION | SF_DRIFT_SG_LAMBDA | SF_DRIFT_ROLE));

	if (cidrs)
		plan_subnets(p, pm, prior);
	if (services)
		plan_endpoint_ids(p, pm, prior);
	if (drift & SF_DRIFT_RT)
		set_unknown(p, SF_A_ROUTE_TABLE_ID);
	if (drift & SF_DRIFT_SG_LAMBDA)
		set_unknown(p, SF_A_LAMBDA_SECURITY_GROUP_ID);
	if (drift & SF_DRIFT_SG_ENDPOINT)
		set_unknown(p, SF_A_ENDPOINT_SECURITY_GROUP_ID);
	if (drift & SF_DRIFT_ROLE)
		set_unknown(p, SF_A_ROLE_ARN);
	if (touched)
		set_unknown(p, SF_A_LAST_MODIFIED);
	if (code)
		set_unknown(p, SF_A_CODE_SHA256);
	if ((touched && sf_has(pm, SF_A_PUBLISH) && pm->publish) || changed(p, SF_A_PUBLISH)) {
		set_unknown(p, SF_A_VERSION);
		set_unknown(p, SF_A_QUALIFIED_ARN);
	}
	if (drift & SF_DRIFT_TAGS)
		set_unknown(p, SF_A_TAGS_ALL);
	else
		plan_tags_all(p, pm, dt, dt_known);
}

int sf__plan_compute(base_arena *a, const tf6_schema *s, const tf6_plan_req *req, prov_tags dt, bool dt_known,
                     unsigned drift, const cty_value **planned_out, const base_path **rr_out, size_t *n_rr,
                     base_diags *diags)
{
	struct pl p;
	sf_config pm, prior;
	bool create = !req->prior || cty_value_is_null(req->prior);
	size_t i;
	int rc;

	*planned_out = NULL;
	*rr_out = NULL;
	*n_rr = 0;
	p.a = a;
	p.s = s;
	p.prior = req->prior;
	p.config = req->config;
	p.planned = req->proposed;

	apply_defaults(&p);
	/* write-only attributes (filename) are never planned or stored */
	for (i = 0; i < s->block.n_attrs; i++)
		if (s->block.attrs[i].write_only) {
			const cty_value *n = cty_value_with_attr(a, p.planned, s->block.attrs[i].name,
			                                         cty_value_null(s->block.attrs[i].type));
			if (n)
				p.planned = n;
		}
	rc = sf_model_from_value(a, p.planned, &pm, diags);
	if (rc != BASE_OK)
		return rc;

	if (create) {
		plan_create(&p, &pm, dt, dt_known);
		*planned_out = p.planned;
		return BASE_OK;
	}

	rc = sf_model_from_value(a, req->prior, &prior, diags);
	if (rc != BASE_OK)
		return rc;

	/* computed attributes whose part is gone */
	for (i = 0; i < SF_A_COUNT; i++)
		if (sf_attr_computed((sf_attr)i) && is_null_in(p.planned, (sf_attr)i))
			set_unknown(&p, (sf_attr)i);
	if (sf_has(&pm, SF_A_FUNCTION_NAME) && changed(&p, SF_A_FUNCTION_NAME))
		set(&p, SF_A_ID, cty_value_string(a, pm.function_name));

	plan_update(&p, &pm, &prior, drift, dt, dt_known);

	/* requires_replace: the schema's force_new attributes that change */
	prov_plan_requires_replace(a, &s->block, req->prior, p.planned, rr_out, n_rr);
	*planned_out = p.planned;
	return BASE_OK;
}

/* ------------------------------------------------------------------------ */
/* account checks                                                           */

struct cidr4 {
	uint32_t addr, mask;
};

static bool parse_cidr(const char *s, struct cidr4 *out)
{
	unsigned b[4], pfx;
	char tail;
	if (!s || sscanf(s, "%u.%u.%u.%u/%u%c", &b[0], &b[1], &b[2], &b[3], &pfx, &tail) != 5)
		return false;
	if (b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255 || pfx > 32)
		return false;
	out->mask = pfx == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - pfx));
	out->addr = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) & out->mask;
	return true;
}

/* inner lies entirely inside outer */
static bool cidr_inside(struct cidr4 inner, struct cidr4 outer)
{
	return (inner.mask & outer.mask) == outer.mask && (inner.addr & outer.mask) == outer.addr;
}

static bool cidr_overlap(struct cidr4 x, struct cidr4 y)
{
	uint32_t m = x.mask & y.mask;
	return (x.addr & m) == (y.addr & m);
}

static bool list_has(const sf_strlist *l, const char *s)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (base_str_eq(l->v[i], s))
			return true;
	return false;
}

/* What the account checks share. */
struct acct {
	aws_client *c;
	base_arena *a;
	const sf_config *pm, *prior;
	bool create, cidrs_changed;
	bool at_apply; /* apply: what plan could only warn about is an error now */
	bool warned;
	const aws_ec2_vpc *vpc;
	base_diags *diags;
	sf_reads r; /* what the checks read, sent at once */
};

/* A check another resource of the same apply could still make true (a
 * secondary CIDR, the VPC's DNS attributes): a warning at plan, an error at
 * apply (run before anything is created). BASE_EINVALID only at apply. */
static int acct_unsure(struct acct *k, const base_path *p, const char *summary, const char *detail)
{
	if (k->at_apply) {
		base_diags_add(k->diags, BASE_SEV_ERROR, p, summary, detail);
		return BASE_EINVALID;
	}
	k->warned = true;
	base_diags_addf(k->diags, BASE_SEV_WARNING, p, summary,
	                "%s If another resource in this configuration changes this, ignore this warning: "
	                "the apply checks again before creating anything.",
	                detail);
	return BASE_OK;
}

/* The checks below return BASE_OK, BASE_EINVALID (a check failed: error
 * diagnostic added, the other checks still run) or BASE_EAWS (AWS could not
 * be asked: diagnostic added, no further check runs). */

/* Reports a failed AWS call at attr; BASE_EAWS. */
static int acct_aws_failed(struct acct *k, sf_attr attr, const char *summary, int r, const aws_error *err)
{
	base_path p = sf_path(k->a, attr);
	sf__diag_aws(k->diags, &p, summary, r, err);
	return BASE_EAWS;
}

static bool acct_cidrs_changed(const sf_config *pm, const sf_config *prior, bool create)
{
	size_t i;
	if (create || !sf_has(prior, SF_A_SUBNET_CIDR_BLOCKS) ||
	    pm->subnet_cidr_blocks.n != prior->subnet_cidr_blocks.n)
		return true;
	if (sf_has(pm, SF_A_SUBNET_CIDR_BLOCKS))
		for (i = 0; i < pm->subnet_cidr_blocks.n; i++)
			if (!base_str_eq(pm->subnet_cidr_blocks.v[i], prior->subnet_cidr_blocks.v[i]))
				return true;
	return false;
}

/* False when nothing the account could reject has changed. */
static bool acct_needed(const struct acct *k)
{
	const sf_config *pm = k->pm, *prior = k->prior;
	return k->create || !base_str_eq(pm->vpc_id, prior->vpc_id) || k->cidrs_changed ||
	       (sf_has(pm, SF_A_AVAILABILITY_ZONES) && !sf_has(prior, SF_A_AVAILABILITY_ZONES)) ||
	       !(!sf_has(pm, SF_A_PRIVATE_DNS_ENABLED) || !pm->private_dns_enabled ||
	         (sf_has(prior, SF_A_PRIVATE_DNS_ENABLED) && prior->private_dns_enabled)) ||
	       !(!sf_has(pm, SF_A_ENDPOINT_SERVICES) || !sf_has(prior, SF_A_ENDPOINT_SERVICES) ||
	         pm->endpoint_services.n <= prior->endpoint_services.n);
}

/* The VPC exists (k->vpc). */
static int check_vpc(struct acct *k)
{
	const aws_ec2_vpcs *vpcs = &k->r.vpcs;
	int r = k->r.rc[SF_READ_VPC];
	if (r == BASE_ENOTFOUND || (r == BASE_OK && vpcs->n == 0)) {
		base_path p = sf_path(k->a, SF_A_VPC_ID);
		base_diags_addf(k->diags, BASE_SEV_ERROR, &p, "VPC not found",
		                "The VPC %s does not exist in this account and region. Check vpc_id and the "
		                "provider's "
		                "region.",
		                k->pm->vpc_id);
		return BASE_EAWS;
	}
	if (r != BASE_OK)
		return acct_aws_failed(k, SF_A_VPC_ID, "Cannot check the VPC", r, &k->r.err[SF_READ_VPC]);
	k->vpc = &vpcs->v[0];
	return BASE_OK;
}

/* "10.0.0.0/16, 10.1.0.0/16": the VPC's CIDR blocks. */
static const char *vpc_cidrs_text(base_arena *a, const aws_ec2_vpc *vpc)
{
	const char *t = NULL;
	size_t j;
	for (j = 0; j < vpc->cidr_blocks.n; j++)
		t = t ? base_arena_sprintf(a, "%s, %s", t, vpc->cidr_blocks.v[j]) : vpc->cidr_blocks.v[j];
	return t ? t : (vpc->cidr_block ? vpc->cidr_block : "?");
}

/* CIDR i lies inside the VPC. */
static int check_cidr_inside(struct acct *k, size_t i, struct cidr4 want, const base_path *p)
{
	const aws_ec2_vpc *vpc = k->vpc;
	struct cidr4 vc;
	bool inside = false;
	size_t j;
	for (j = 0; j < vpc->cidr_blocks.n; j++)
		if (parse_cidr(vpc->cidr_blocks.v[j], &vc) && cidr_inside(want, vc))
			inside = true;
	if (vpc->cidr_blocks.n == 0 && parse_cidr(vpc->cidr_block, &vc) && cidr_inside(want, vc))
		inside = true;
	if (inside)
		return BASE_OK;
	return acct_unsure(k, p, "Subnet CIDR outside the VPC",
	                   base_arena_sprintf(k->a,
	                                      "%s does not lie inside the CIDR blocks of %s (%s). Use a "
	                                      "range of the VPC, or associate a CIDR block that holds it.",
	                                      k->pm->subnet_cidr_blocks.v[i], k->pm->vpc_id,
	                                      vpc_cidrs_text(k->a, vpc)));
}

/* CIDR i overlaps no subnet but ours (another lambdavpc function's: a warning). */
static int check_cidr_free(struct acct *k, size_t i, struct cidr4 want, const base_path *p,
                           const aws_ec2_subnets *subs)
{
	const sf_config *pm = k->pm;
	const char *cidr = pm->subnet_cidr_blocks.v[i];
	size_t j;
	for (j = 0; j < subs->n; j++) {
		const aws_ec2_subnet *sn = &subs->v[j];
		struct cidr4 have;
		const char *owner = aws_tags_get(sn->tags, RECON_OWNER_TAG);
		if (!parse_cidr(sn->cidr_block, &have) || !cidr_overlap(want, have))
			continue;
		if (base_str_eq(owner, pm->function_name))
			continue; /* ours (created earlier or left by a failed apply) */
		if (sf_has(k->prior, SF_A_SUBNET_IDS) && list_has(&k->prior->subnet_ids, sn->subnet_id))
			continue;
		if (owner) {
			/* Another lambdavpc function's subnet: when this resource replaces
			 * that function (function_name changed) Terraform destroys it first,
			 * and the second plan of a replacement has no prior state to tell. */
			base_diags_addf(k->diags, BASE_SEV_WARNING, p,
			                "Subnet CIDR used by another lambdavpc function",
			                "%s overlaps the subnet %s (%s) of lambdavpc function %s in "
			                "%s. This is "
			                "fine when this resource replaces that function (it is "
			                "destroyed first); "
			                "otherwise the apply will fail with InvalidSubnet.Conflict.",
			                cidr, sn->subnet_id, sn->cidr_block, owner, pm->vpc_id);
			return BASE_OK;
		}
		base_diags_addf(k->diags, BASE_SEV_ERROR, p, "Subnet CIDR already in use",
		                "%s overlaps the existing subnet %s (%s) in %s. Choose a free range.", cidr,
		                sn->subnet_id, sn->cidr_block, pm->vpc_id);
		return BASE_EINVALID;
	}
	return BASE_OK;
}

/* Changed CIDRs: inside the VPC, free. */
static int check_cidrs(struct acct *k)
{
	const sf_config *pm = k->pm;
	const aws_ec2_subnets *subs = &k->r.subnets;
	size_t i;
	int rc = BASE_OK, r = k->r.rc[SF_READ_SUBNETS];
	if (!k->r.want[SF_READ_SUBNETS])
		return BASE_OK;
	if (r != BASE_OK)
		return acct_aws_failed(k, SF_A_SUBNET_CIDR_BLOCKS, "Cannot list the VPC's subnets", r,
		                       &k->r.err[SF_READ_SUBNETS]);
	for (i = 0; i < pm->subnet_cidr_blocks.n; i++) {
		struct cidr4 want;
		base_path p;
		if (!pm->subnet_cidr_blocks.v[i] || !parse_cidr(pm->subnet_cidr_blocks.v[i], &want))
			continue; /* unknown, or reported by validation */
		p = sf_path_index(k->a, SF_A_SUBNET_CIDR_BLOCKS, (int64_t)i);
		if (check_cidr_inside(k, i, want, &p) != BASE_OK) {
			rc = BASE_EINVALID;
			continue;
		}
		if (check_cidr_free(k, i, want, &p, subs) != BASE_OK)
			rc = BASE_EINVALID;
	}
	return rc;
}

/* The configured AZs exist. */
static int check_azs(struct acct *k)
{
	const sf_config *pm = k->pm;
	const aws_ec2_azs azs = k->r.azs;
	size_t i, j;
	int rc = BASE_OK, r = k->r.rc[SF_READ_AZS];
	if (!k->r.want[SF_READ_AZS])
		return BASE_OK;
	if (r != BASE_OK)
		return acct_aws_failed(k, SF_A_AVAILABILITY_ZONES, "Cannot list availability zones", r,
		                       &k->r.err[SF_READ_AZS]);
	for (i = 0; i < pm->availability_zones.n; i++) {
		const char *z = pm->availability_zones.v[i];
		bool found = false;
		base_path p;
		char *list;
		if (!z)
			continue;
		for (j = 0; j < azs.n; j++)
			if (base_str_eq(azs.v[j].zone_name, z))
				found = true;
		if (found)
			continue;
		p = sf_path_index(k->a, SF_A_AVAILABILITY_ZONES, (int64_t)i);
		list = base_arena_strdup(k->a, "");
		for (j = 0; j < azs.n; j++)
			list = base_arena_sprintf(k->a, "%s%s%s", list, j ? ", " : "", azs.v[j].zone_name);
		base_diags_addf(k->diags, BASE_SEV_ERROR, &p, "Availability zone not found",
		                "%s is not an availability zone of this region. Available: %s.", z, list);
		rc = BASE_EINVALID;
	}
	return rc;
}

/* Private DNS for interface endpoints: the VPC has DNS support + host names. */
static int check_private_dns(struct acct *k)
{
	static const char *const human[2] = {"DNS resolution (enableDnsSupport)",
	                                     "DNS host names (enableDnsHostnames)"};
	const sf_config *pm = k->pm;
	int rc = BASE_OK, n;
	for (n = 0; n < 2 && k->r.want[SF_READ_DNS_SUPPORT + n]; n++) {
		int r = k->r.rc[SF_READ_DNS_SUPPORT + n];
		if (r != BASE_OK)
			return acct_aws_failed(k, SF_A_VPC_ID, "Cannot read the VPC's DNS settings", r,
			                       &k->r.err[SF_READ_DNS_SUPPORT + n]);
		if (!k->r.dns_on[n]) {
			base_path p = sf_path(k->a, SF_A_PRIVATE_DNS_ENABLED);
			const char *d = base_arena_sprintf(
			        k->a,
			        "Private DNS for the interface endpoints needs %s on %s, "
			        "which is off. Enable it on the VPC, or set %s = false.",
			        human[n], pm->vpc_id, sf_attr_name(SF_A_PRIVATE_DNS_ENABLED));
			if (acct_unsure(k, &p, "VPC DNS settings do not allow private DNS", d) != BASE_OK)
				rc = BASE_EINVALID;
		}
	}
	return rc;
}

/* Private DNS is asked for an interface endpoint: the VPC's DNS attributes matter. */
static bool needs_dns(const sf_config *pm)
{
	size_t i;
	if (!sf_has(pm, SF_A_PRIVATE_DNS_ENABLED) || !pm->private_dns_enabled ||
	    !sf_has(pm, SF_A_ENDPOINT_SERVICES))
		return false;
	for (i = 0; i < pm->endpoint_services.n; i++)
		if (pm->endpoint_services.v[i] && !sf__service_is_gateway(pm->endpoint_services.v[i]))
			return true;
	return false;
}

/* The reads the checks of k need (none when nothing the account could
 * reject changed). */
static void want_reads(struct acct *k)
{
	const sf_config *pm = k->pm;
	bool dns;
	if (!sf_has(pm, SF_A_VPC_ID) || !acct_needed(k))
		return;
	dns = needs_dns(pm);
	k->r.want[SF_READ_VPC] = true;
	k->r.want[SF_READ_SUBNETS] = sf_has(pm, SF_A_SUBNET_CIDR_BLOCKS) && k->cidrs_changed;
	k->r.want[SF_READ_AZS] = sf_has(pm, SF_A_AVAILABILITY_ZONES) && pm->availability_zones.n > 0;
	k->r.want[SF_READ_DNS_SUPPORT] = k->r.want[SF_READ_DNS_HOSTNAMES] = dns;
}

/* The checks of k on its reads (sent). */
static int run_checks(struct acct *k, bool *warned)
{
	static int (*const checks[])(struct acct * k) = {check_cidrs, check_azs, check_private_dns};
	size_t i;
	int rc = BASE_OK, r;
	if (!k->r.want[SF_READ_VPC])
		return BASE_OK;
	if (check_vpc(k) != BASE_OK)
		return BASE_EINVALID;
	for (i = 0; i < sizeof checks / sizeof checks[0] && rc != BASE_EAWS; i++) {
		r = checks[i](k);
		if (r != BASE_OK)
			rc = r;
	}
	if (warned && k->warned)
		*warned = true;
	return rc == BASE_OK ? BASE_OK : BASE_EINVALID;
}

static int account_checks(aws_client *c, base_arena *a, const sf_config *pm, const sf_config *prior,
                          bool create, bool at_apply, bool services, bool *warned, recon_vpc_ipv6 *vpc_ipv6,
                          base_diags *diags)
{
	struct acct k = {.c = c,
	                 .a = a,
	                 .pm = pm,
	                 .prior = prior,
	                 .create = create,
	                 .at_apply = at_apply,
	                 .diags = diags};
	int rc = BASE_OK;
	k.cidrs_changed = acct_cidrs_changed(pm, prior, create);
	want_reads(&k);
	k.r.want[SF_READ_SERVICES] = services && sf__endpoint_services_need_list(c, a, pm, prior);
	sf__reads_run(c, pm->vpc_id, &k.r);
	if (services && sf__check_endpoint_services(c, a, pm, prior, diags) != BASE_OK)
		rc = BASE_EINVALID;
	if (rc == BASE_OK)
		rc = run_checks(&k, warned);
	if (vpc_ipv6)
		*vpc_ipv6 = !k.r.want[SF_READ_VPC] || k.r.rc[SF_READ_VPC] != BASE_OK || k.r.vpcs.n == 0
		                    ? RECON_VPC_IPV6_UNKNOWN
		            : k.r.vpcs.v[0].ipv6_cidr_blocks.n > 0 ? RECON_VPC_IPV6_SOME
		                                                   : RECON_VPC_IPV6_NONE;
	sf__reads_free(&k.r);
	return rc;
}

int sf__account_checks(aws_client *c, base_arena *a, const sf_config *pm, const sf_config *prior, bool create,
                       bool at_apply, bool *warned, base_diags *diags)
{
	return account_checks(c, a, pm, prior, create, at_apply, false, warned, NULL, diags);
}

int sf__plan_account_checks(aws_client *c, base_arena *a, const sf_config *pm, const sf_config *prior,
                            bool create, bool *warned, recon_vpc_ipv6 *vpc_ipv6, base_diags *diags)
{
	return account_checks(c, a, pm, prior, create, false, true, warned, vpc_ipv6, diags);
}

/* A retired runtime is refused at plan for a new function or a change to
 * it (ValidateResourceConfig only warns: it cannot see the prior state). */
static int check_retired_runtime(tf6_call *call, const tf6_plan_req *req, const cty_value *planned)
{
	const char *name = sf_attr_name(SF_A_RUNTIME);
	const char *rt = cty_value_as_string(cty_value_get_attr(planned, name)), *was = NULL;
	const sf_runtime_info *r;
	char today[11];
	base_path p;
	if (!rt)
		return BASE_OK;
	if (req->prior && !cty_value_is_null(req->prior))
		was = cty_value_as_string(cty_value_get_attr(req->prior, name));
	if (was && strcmp(was, rt) == 0)
		return BASE_OK;
	sf__today(today);
	r = sf__runtime_find(rt);
	if (sf__runtime_status(r, today) != SF_RT_RETIRED)
		return BASE_OK;
	p = sf_path(call->arena, SF_A_RUNTIME);
	base_diags_add(call->diags, BASE_SEV_ERROR, &p, "Retired runtime",
	               base_arena_sprintf(call->arena,
	                                  "%s: Lambda refuses %s function on \"%s\" since %s. Use "
	                                  "one of %s.",
	                                  name, was ? "moving a" : "a new", rt, r->block_create,
	                                  sf__runtime_supported_list(call->arena, today)));
	return BASE_EINVALID;
}

/*
 * Checks that passed are handed over (prov_handover_*) to the apply walk of
 * the same terraform command: Terraform 1.11 plans every resource again
 * there, in a new provider process that gets nothing of this one, and the
 * account checks would send their reads a second time (5 of a create's 36
 * requests). A mark stands for "these checks passed on exactly this planned
 * value, prior state and create/replace, and the VPC read showed this about
 * IPv6" (one of VPC_MARKS, so the apply need not read the VPC either). Only
 * checks that passed with no warning and nothing left to check at apply
 * are marked; a later process of the same command with the same provider
 * configuration that plans the same change within CHECKS_MARK_MAX_AGE_S
 * skips them. Any other command (a saved plan applied later, a new plan)
 * checks again.
 */
#define CHECKS_MARK_KIND "lambdavpc plan account checks 1"
#define CHECKS_MARK_MAX_AGE_S 120

/* by recon_vpc_ipv6; "unknown" is never marked (checks that read nothing) */
static const char *const VPC_MARKS[] = {"\nvpc:unknown", "\nvpc:ipv4-only", "\nvpc:ipv6"};

/* The bytes a mark of these checks is made of (planned value, create or
 * replace, prior state), or false (then no mark). */
static bool checks_key(const cty_value *planned, const cty_value *prior, bool create, base_buf *b)
{
	return cty_msgpack_encode(planned, b) == BASE_OK &&
	       base_buf_append(b, create ? "\n1\n" : "\n0\n", 3) == BASE_OK &&
	       (!prior || cty_value_is_null(prior) || cty_msgpack_encode(prior, b) == BASE_OK);
}

/* Marks (or, with mark == false, looks for) the checks of key with what
 * they read of the VPC; true when found. key is left as it was. */
static bool checks_mark(prov *pv, base_buf *key, bool mark, recon_vpc_ipv6 *v6)
{
	size_t len = key->len;
	int i;
	bool found = false;
	for (i = 0; i < 3 && !found; i++) {
		if (mark && i != (int)*v6)
			continue;
		base_buf_truncate(key, len);
		if (base_buf_append(key, VPC_MARKS[i], strlen(VPC_MARKS[i])) != BASE_OK)
			break;
		if (mark)
			prov_handover_mark(pv, CHECKS_MARK_KIND, key->data, key->len);
		else if ((found = prov_handover_has(pv, CHECKS_MARK_KIND, key->data, key->len,
		                                    CHECKS_MARK_MAX_AGE_S)))
			*v6 = (recon_vpc_ipv6)i;
	}
	base_buf_truncate(key, len);
	return found;
}

/* The account checks of a plan; *recheck when the apply must run them again
 * (a warning, or something the checks need unknown now); *v6 what they (or
 * the earlier process that passed them) read of the VPC. */
static int plan_checks(prov *pv, aws_client *c, tf6_call *call, const tf6_plan_req *req,
                       const cty_value *planned, bool replace, bool *recheck, recon_vpc_ipv6 *v6)
{
	sf_config pm, prior, cfg;
	bool create = !req->prior || cty_value_is_null(req->prior), keyed;
	size_t n_diags = base_diags_count(call->diags);
	base_buf key;
	int rc;
	*v6 = RECON_VPC_IPV6_UNKNOWN;
	if (sf_model_from_value(call->arena, planned, &pm, call->diags) != BASE_OK ||
	    sf_model_from_value(call->arena, create ? NULL : req->prior, &prior, call->diags) != BASE_OK ||
	    sf_model_from_value(call->arena, req->config, &cfg, call->diags) != BASE_OK)
		return BASE_EINVALID;
	/* Unknown AZs in the configuration (not the planned ones: left out,
	 * we pick them at apply and there is nothing to check). */
	*recheck = !sf_has(&pm, SF_A_VPC_ID) || sf_unknown(&pm, SF_A_SUBNET_CIDR_BLOCKS) ||
	           pm.subnet_cidr_blocks.n_unknown || sf_unknown(&cfg, SF_A_AVAILABILITY_ZONES) ||
	           cfg.availability_zones.n_unknown;
	base_buf_init(&key, 0);
	keyed = !*recheck && checks_key(planned, req->prior, create || replace, &key);
	if (keyed && checks_mark(pv, &key, false, v6)) {
		BASE_DEBUG("sf", "%s: the account checks passed in an earlier process of this command",
		           pm.function_name ? pm.function_name : "?");
		base_buf_dispose(&key);
		return BASE_OK;
	}
	rc = sf__plan_account_checks(c, call->arena, &pm, &prior, create || replace, recheck, v6,
	                             call->diags);
	/* checks that read nothing (a change the account cannot reject) cost
	 * nothing again: no mark (a no-op plan of 50 functions leaves none) */
	if (rc == BASE_OK && keyed && !*recheck && *v6 != RECON_VPC_IPV6_UNKNOWN &&
	    base_diags_count(call->diags) == n_diags)
		(void)checks_mark(pv, &key, true, v6);
	base_buf_dispose(&key);
	return rc;
}

int sf__plan(void *ctx, tf6_call *call, const tf6_plan_req *req, tf6_plan_resp *resp)
{
	prov *pv = ctx;
	const tf6_schema *s = sf__schema(pv, call->diags);
	aws_client *c;
	const base_path *rr = NULL;
	size_t n_rr = 0;
	const cty_value *planned = NULL;
	unsigned drift = sf__drift_decode(req->prior_private) & ~SF_PLAN_ONLY_BITS;
	recon_vpc_ipv6 v6 = RECON_VPC_IPV6_UNKNOWN;
	bool deferred, recheck = false, create = !req->prior || cty_value_is_null(req->prior);
	int rc;

	memset(resp, 0, sizeof *resp);
	if (!s)
		return BASE_EINVALID;
	c = prov_client(pv);
	deferred = !c;
	rc = sf__plan_compute(call->arena, s, req, prov_default_tags(pv), !deferred, drift, &planned, &rr,
	                      &n_rr, call->diags);
	if (rc != BASE_OK)
		return rc;
	resp->planned = planned;
	resp->requires_replace = rr;
	resp->n_requires_replace = n_rr;
	resp->planned_private = req->prior_private;
	if (check_retired_runtime(call, req, planned) != BASE_OK)
		return BASE_EINVALID;
	if (c && plan_checks(pv, c, call, req, planned, n_rr > 0, &recheck, &v6) != BASE_OK)
		return BASE_EINVALID;
	if (recheck || deferred) /* unknown parts were skipped: the apply checks them */
		resp->planned_private = sf__private_encode(call->arena, drift | SF_PLAN_RECHECK,
		                                           sf__private_destroying(req->prior_private));
	else if (create && v6 != RECON_VPC_IPV6_UNKNOWN) /* the apply need not read the VPC */
		resp->planned_private = sf__private_encode(
		        call->arena, v6 == RECON_VPC_IPV6_SOME ? SF_PLAN_VPC_IPV6 : SF_PLAN_VPC_IPV4_ONLY,
		        false);
	return BASE_OK;
}
