/*
 * sf_plan_reads.c - the AWS reads of a plan's checks (sf_plan.c,
 * sf_plan_services.c), sent at once.
 *
 * Each check needs one or two reads that do not depend on each other: the
 * VPC, its subnets, its two DNS attributes, the region's AZs and endpoint
 * services. Asked one after the other they made the plan (and the apply
 * walk's plan again) wait five round trips; sent together, one. The checks
 * then run in their usual order on the results, so the diagnostics are the
 * same as when they asked one by one.
 *
 * Thread safety: sf__reads_run starts one thread per wanted read and joins
 * them all before it returns; each thread writes only its own slot and
 * allocates in its own arena. The AWS client is thread-safe.
 */
#include "secure_function/sf_ops_int.h"

#include <pthread.h>
#include <string.h>

#include "base/base_alloc.h"

struct read_job {
	sf_reads *r;
	int which;
	pthread_t th;
	bool started;
};

static const char *const dns_attr[2] = {"enableDnsSupport", "enableDnsHostnames"};

static void run_one(sf_reads *r, int which)
{
	base_arena *a = r->arena[which] = base_arena_new();
	aws_error *e = &r->err[which];
	const aws_strs none = {NULL, 0}, vpc = {&r->vpc_id, 1};
	aws_filter f = {"vpc-id", vpc};
	aws_error_clear(e);
	switch (which) {
	case SF_READ_SERVICES:
		r->rc[which] = sf__endpoint_services_warm(r->c, a, e);
		break;
	case SF_READ_VPC:
		r->rc[which] = aws_ec2_describe_vpcs(r->c, a, vpc, (aws_filters){NULL, 0}, &r->vpcs, e);
		break;
	case SF_READ_SUBNETS:
		r->rc[which] = aws_ec2_describe_subnets(r->c, a, none, (aws_filters){&f, 1}, &r->subnets, e);
		break;
	case SF_READ_AZS:
		r->rc[which] = aws_ec2_describe_availability_zones(r->c, a, none, (aws_filters){NULL, 0},
		                                                   &r->azs, e);
		break;
	default: /* SF_READ_DNS_SUPPORT, SF_READ_DNS_HOSTNAMES */
		r->rc[which] = aws_ec2_describe_vpc_attribute(r->c, a, r->vpc_id,
		                                              dns_attr[which - SF_READ_DNS_SUPPORT],
		                                              &r->dns_on[which - SF_READ_DNS_SUPPORT], e);
		break;
	}
}

static void *job_main(void *arg)
{
	struct read_job *j = arg;
	run_one(j->r, j->which);
	return NULL;
}

void sf__reads_run(aws_client *c, const char *vpc_id, sf_reads *r)
{
	struct read_job jobs[SF_READ_COUNT];
	int i, wanted = 0;
	r->c = c;
	r->vpc_id = vpc_id;
	memset(jobs, 0, sizeof jobs);
	for (i = 0; i < SF_READ_COUNT; i++)
		wanted += r->want[i];
	for (i = 0; i < SF_READ_COUNT; i++) {
		if (!r->want[i])
			continue;
		jobs[i].r = r;
		jobs[i].which = i;
		/* one read alone runs here; a thread that cannot start runs here too */
		jobs[i].started = wanted > 1 && pthread_create(&jobs[i].th, NULL, job_main, &jobs[i]) == 0;
		if (!jobs[i].started)
			run_one(r, i);
	}
	for (i = 0; i < SF_READ_COUNT; i++)
		if (jobs[i].started)
			pthread_join(jobs[i].th, NULL);
}

void sf__reads_free(sf_reads *r)
{
	int i;
	for (i = 0; i < SF_READ_COUNT; i++) {
		base_arena_free(r->arena[i]);
		r->arena[i] = NULL;
	}
}
