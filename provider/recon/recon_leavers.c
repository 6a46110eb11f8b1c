/*
 * recon_leavers.c - the destroys of this process that still have to decide
 * about a VPC's shared objects.
 *
 * Each shared object of a VPC (the endpoint of service S, the pair of shared
 * SGs) is decided by its users as they leave: the last one out deletes it.
 * Deciding costs a read of the users (DescribeSecurityGroups). When several
 * resources of one VPC are destroyed by this process at once, every one but
 * the last is certain to find a user left: the destroys that have not
 * decided yet. So a destroy that sees another one of this process still to
 * decide the same object leaves the decision to it and reads nothing.
 *
 * Why that is safe: a destroy registers its keys before any of its steps
 * runs, and withdraws each one right before it decides (after it left the
 * users registry, after its lambda SG is gone). A destroy R that defers to
 * Q saw Q registered, so Q's own decision comes after R's check, hence
 * after everything R removed: Q's read does not count R. A destroy that
 * ends without deciding (a failed step) withdraws its keys at the end; what
 * it was to decide stays until a later run (its state still holds the
 * parts that make that run decide again).
 *
 * A user of a service that is itself registered to leave it (function fn)
 * does not keep its endpoint: the endpoint is not moved onto the subnets of
 * a function on its way out (they go too), and when only such users are
 * left, the endpoint is deleted (recon__leavers_has).
 *
 * Keys: "uses:<service>" for the endpoint of a service, "shared-sgs" for the
 * shared SGs. Thread safety: one process-wide mutex, a leaf lock (no AWS
 * call is made while it is held).
 */
#include <pthread.h>
#include <string.h>

#include "base/base_alloc.h"
#include "base/base_str.h"
#include "recon/recon_exec_int.h"

struct leaver {
	struct leaver *next;
	const struct ex *x; /* the destroy that registered it */
	char *vpc, *key, *fn;
};

static pthread_mutex_t leavers_mu = PTHREAD_MUTEX_INITIALIZER;
static struct leaver *leavers; /* guarded by leavers_mu */

void recon__leavers_join(const struct ex *x, const char *key)
{
	struct leaver *l;
	if (!x->vpc || !key)
		return;
	l = base_xcalloc(1, sizeof *l);
	l->x = x;
	l->vpc = base_xstrdup(x->vpc);
	l->key = base_xstrdup(key);
	l->fn = base_xstrdup(x->fn ? x->fn : "");
	pthread_mutex_lock(&leavers_mu);
	l->next = leavers;
	leavers = l;
	pthread_mutex_unlock(&leavers_mu);
}

/* Removes x's entries for key (NULL: all of x's). leavers_mu held. */
static void drop(const struct ex *x, const char *key)
{
	struct leaver **pp = &leavers;
	while (*pp) {
		struct leaver *l = *pp;
		if (l->x == x && (!key || base_str_eq(l->key, key))) {
			*pp = l->next;
			base_free(l->vpc);
			base_free(l->key);
			base_free(l->fn);
			base_free(l);
			continue;
		}
		pp = &l->next;
	}
}

bool recon__leavers_decide(const struct ex *x, const char *key)
{
	const struct leaver *l;
	bool other = false;
	pthread_mutex_lock(&leavers_mu);
	drop(x, key);
	for (l = leavers; l && !other; l = l->next)
		other = l->x != x && base_str_eq(l->vpc, x->vpc) && base_str_eq(l->key, key);
	pthread_mutex_unlock(&leavers_mu);
	return other;
}

bool recon__leavers_has(const struct ex *x, const char *key, const char *fn)
{
	const struct leaver *l;
	bool found = false;
	pthread_mutex_lock(&leavers_mu);
	for (l = leavers; l && !found; l = l->next)
		found = l->x != x && base_str_eq(l->vpc, x->vpc) && base_str_eq(l->key, key) &&
		        base_str_eq(l->fn, fn);
	pthread_mutex_unlock(&leavers_mu);
	return found;
}

void recon__leavers_end(const struct ex *x)
{
	pthread_mutex_lock(&leavers_mu);
	drop(x, NULL);
	pthread_mutex_unlock(&leavers_mu);
}
