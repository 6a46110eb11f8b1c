/*
 * sf_plan_services.c - PlanResourceChange: every new `endpoint_services`
 * entry names an endpoint service of the provider's region. A full name of
 * another region ("com.amazonaws.eu-west-1.logs") is refused without asking
 * AWS; any other name is resolved ("logs" -> "com.amazonaws.<region>.logs")
 * and looked up in the region's service list.
 *
 * The list comes from one DescribeVpcEndpointServices per region per
 * process (the cache below: a small self-contained piece, meant to be
 * folded into a per-process account-facts cache). Only entries that are
 * new against the prior state are checked, so a no-op plan asks nothing.
 * When AWS cannot be asked the check is skipped with a warning (apply
 * reports the real error).
 */
#include "secure_function/sf_int.h"

#include <pthread.h>
#include <string.h>

#include "aws/aws_ec2.h"
#include "base/base_alloc.h"
#include "base/base_str.h"
#include "secure_function/sf_ops_int.h"

/* ---- the per-process cache: region -> service names ---------------------- */

#define SVC_CACHE_MAX 8

struct svc_entry {
	char *region;
	char **names;
	size_t n;
};

static pthread_mutex_t svc_mu = PTHREAD_MUTEX_INITIALIZER;
static struct svc_entry svc_cache[SVC_CACHE_MAX];

/* The region's names: from the cache, or one DescribeVpcEndpointServices
 * (stored). The lock is held across the call, so concurrent plans ask once.
 * The returned entry lives until the process ends. */
static int service_names(aws_client *c, base_arena *a, const struct svc_entry **out, aws_error *err)
{
	const char *region = aws_client_region(c);
	int rc = BASE_OK;
	size_t i;
	pthread_mutex_lock(&svc_mu);
	for (i = 0; i < SVC_CACHE_MAX && svc_cache[i].region; i++)
		if (strcmp(svc_cache[i].region, region) == 0)
			break;
	if (i == SVC_CACHE_MAX)
		i = SVC_CACHE_MAX - 1; /* full (many regions): refresh the last slot */
	if (!svc_cache[i].region || strcmp(svc_cache[i].region, region) != 0) {
		aws_strs names;
		rc = aws_ec2_describe_vpc_endpoint_service_names(c, a, &names, err);
		if (rc == BASE_OK) {
			struct svc_entry *e = &svc_cache[i];
			for (size_t k = 0; k < e->n; k++)
				base_free(e->names[k]);
			base_free(e->names);
			base_free(e->region);
			e->names = base_xcalloc(names.n + 1, sizeof *e->names);
			for (size_t k = 0; k < names.n; k++)
				e->names[k] = base_xstrdup(names.v[k]);
			e->n = names.n;
			e->region = base_xstrdup(region);
		}
	}
	*out = &svc_cache[i];
	pthread_mutex_unlock(&svc_mu);
	return rc;
}

/* ---- the check -------------------------------------------------------------- */

static bool listed(const sf_strlist *l, const char *s)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->v[i] && strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static bool in_entry(const struct svc_entry *e, const char *s)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->names[i], s) == 0)
			return true;
	return false;
}

/* "com.amazonaws.eu-west-1.logs" -> "eu-west-1" (in a); NULL for other forms. */
static const char *region_of(base_arena *a, const char *s)
{
	static const char pfx[] = "com.amazonaws.";
	if (!base_str_has_prefix(s, pfx))
		return NULL;
	const char *r = s + sizeof pfx - 1, *dot = strchr(r, '.');
	return dot ? base_arena_sprintf(a, "%.*s", (int)(dot - r), r) : NULL;
}

/* The old list to compare with: prior's, or none. */
static const sf_strlist *old_services(const sf_config *prior)
{
	return prior && sf_has(prior, SF_A_ENDPOINT_SERVICES) ? &prior->endpoint_services : NULL;
}

bool sf__endpoint_services_need_list(aws_client *c, base_arena *a, const sf_config *pm,
                                     const sf_config *prior)
{
	const sf_strlist *old = old_services(prior);
	size_t i;
	if (!c || !sf_has(pm, SF_A_ENDPOINT_SERVICES))
		return false;
	for (i = 0; i < pm->endpoint_services.n; i++) {
		const char *s = pm->endpoint_services.v[i], *r;
		if (!s || listed(old, s))
			continue;
		r = region_of(a, s);
		if (!r || strcmp(r, aws_client_region(c)) == 0)
			return true; /* looked up in the list */
	}
	return false;
}

int sf__endpoint_services_warm(aws_client *c, base_arena *a, aws_error *err)
{
	const struct svc_entry *e;
	return service_names(c, a, &e, err);
}

int sf__check_endpoint_services(aws_client *c, base_arena *a, const sf_config *pm, const sf_config *prior,
                                base_diags *diags)
{
	if (!c || !sf_has(pm, SF_A_ENDPOINT_SERVICES))
		return BASE_OK;
	const sf_strlist *l = &pm->endpoint_services;
	const sf_strlist *old = old_services(prior);
	const char *region = aws_client_region(c);
	const struct svc_entry *e = NULL;
	int rc = BASE_OK;
	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->v[i];
		if (!s || listed(old, s))
			continue; /* unknown, or already deployed */
		base_path p = sf_path_index(a, SF_A_ENDPOINT_SERVICES, (int64_t)i);
		const char *r = region_of(a, s);
		if (r && strcmp(r, region) != 0) {
			base_diags_addf(diags, BASE_SEV_ERROR, &p, "Endpoint service of another region",
			                "endpoint_services[%zu]: \"%s\" is a service of %s, but the "
			                "provider's region is %s. Use the short "
			                "name or com.amazonaws.%s.<service>.",
			                i, s, r, region, region);
			rc = BASE_EINVALID;
			continue;
		}
		if (!e) {
			aws_error err;
			if (service_names(c, a, &e, &err) != BASE_OK) {
				base_diags_addf(
				        diags, BASE_SEV_WARNING, &p, "Cannot check the endpoint services",
				        "DescribeVpcEndpointServices failed (%s: %s); the names are checked "
				        "when the endpoints are created.",
				        err.code, err.message);
				return rc;
			}
		}
		const char *full = strchr(s, '.') && (r || base_str_has_prefix(s, "aws."))
		                           ? s
		                           : base_arena_sprintf(a, "com.amazonaws.%s.%s", region, s);
		if (!in_entry(e, full)) {
			base_diags_addf(
			        diags, BASE_SEV_ERROR, &p, "Endpoint service not available",
			        "endpoint_services[%zu]: \"%s\" (%s) is not a VPC endpoint service in %s "
			        "(DescribeVpcEndpointServices).",
			        i, s, full, region);
			rc = BASE_EINVALID;
		}
	}
	return rc;
}
