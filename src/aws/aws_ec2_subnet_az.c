/*
 * aws_ec2_subnet_az.c - the availability zone of subnets this process has
 * seen (aws_ec2_subnet_azs).
 *
 * A subnet's AZ is fixed when it is created and never changes, and a
 * subnet id is never given to another subnet, so what any CreateSubnet or
 * DescribeSubnets reply said about it stays true for the life of the
 * process: no write can make it stale. Joining a shared endpoint asks for
 * the AZs of the endpoint's subnets, which are nearly always the subnets of
 * another function of the same run; answered from here they cost no call
 * (that call ran under the per-VPC lock, once per function and service).
 *
 * Thread safety: one process-wide mutex; no AWS call is made while it is
 * held. The table keeps the first AZ_SLOTS subnets seen (a run of fifty
 * functions sees about 150); later ones are read from AWS each time.
 */
#include <pthread.h>
#include <string.h>

#include "aws/aws_ec2.h"
#include "aws/aws_int.h"
#include "base/base_alloc.h"
#include "base/base_str.h"

#define AZ_SLOTS 1024

struct az_entry {
	char *subnet_id, *az;
};

static pthread_mutex_t az_mu = PTHREAD_MUTEX_INITIALIZER;
static struct az_entry az_seen[AZ_SLOTS]; /* guarded by az_mu */
static size_t az_n;                       /* guarded by az_mu */

/* The entry of id, or NULL. az_mu held. */
static const struct az_entry *az_find(const char *id)
{
	size_t i;
	for (i = 0; id && i < az_n; i++)
		if (strcmp(az_seen[i].subnet_id, id) == 0)
			return &az_seen[i];
	return NULL;
}

void aws__ec2_subnet_seen(const aws_ec2_subnet *s)
{
	if (!s->subnet_id || !s->availability_zone)
		return;
	pthread_mutex_lock(&az_mu);
	if (!az_find(s->subnet_id) && az_n < AZ_SLOTS) {
		az_seen[az_n].subnet_id = base_xstrdup(s->subnet_id);
		az_seen[az_n].az = base_xstrdup(s->availability_zone);
		az_n++;
	}
	pthread_mutex_unlock(&az_mu);
}

void aws__ec2_subnet_seen_reset(void)
{
	size_t i;
	pthread_mutex_lock(&az_mu);
	for (i = 0; i < az_n; i++) {
		base_free(az_seen[i].subnet_id);
		base_free(az_seen[i].az);
	}
	az_n = 0;
	pthread_mutex_unlock(&az_mu);
}

int aws_ec2_subnet_azs(aws_client *c, base_arena *a, aws_strs ids, aws_ec2_subnets *out, aws_error *err)
{
	const char **missing = base_arena_calloc(a, ids.n + 1, sizeof *missing);
	aws_ec2_subnets read = {0};
	size_t i, n_missing = 0;
	int rc = BASE_OK;

	memset(out, 0, sizeof *out);
	if (err)
		aws_error_clear(err);
	out->v = base_arena_calloc(a, ids.n + 1, sizeof *out->v);
	pthread_mutex_lock(&az_mu);
	for (i = 0; i < ids.n; i++) {
		const struct az_entry *e = az_find(ids.v[i]);
		if (e) {
			aws_ec2_subnet *s = &out->v[out->n++];
			s->subnet_id = base_arena_strdup(a, e->subnet_id);
			s->availability_zone = base_arena_strdup(a, e->az);
		} else if (ids.v[i]) {
			missing[n_missing++] = ids.v[i];
		}
	}
	pthread_mutex_unlock(&az_mu);
	if (n_missing == 0)
		return BASE_OK;
	/* The rest by id (each seen here by aws_ec2_describe_subnets). */
	rc = aws_ec2_describe_subnets(c, a, (aws_strs){missing, n_missing}, (aws_filters){NULL, 0}, &read,
	                              err);
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < read.n && out->n < ids.n; i++)
		out->v[out->n++] = read.v[i];
	return BASE_OK;
}
