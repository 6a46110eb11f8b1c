/*
 * aws_resolve.c - bounded host name lookup (aws_resolve.h).
 *
 * One job per lookup, shared by the waiting caller and the helper thread
 * and freed by whichever lets go of it last (a count of two references).
 * The caller that gives up only drops its reference; the helper, when
 * getaddrinfo returns, finds itself the last holder and frees the result.
 */
#include "aws/aws_resolve.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "aws/aws_deadline.h"
#include "base/base_alloc.h"

#define WAIT_SLICE_MS 50

struct job {
	pthread_mutex_t mu;
	pthread_cond_t done_cv;
	int refs; /* under mu */
	bool done;
	int rc;
	struct addrinfo *res; /* owned by the job until the caller takes it */
	struct addrinfo hints;
	aws_resolve_lookup_fn lookup;
	char *host;
	char port[16];
};

static aws_resolve_lookup_fn g_lookup; /* NULL: getaddrinfo */
static atomic_uint g_running;

void aws_resolve_set_lookup(aws_resolve_lookup_fn fn)
{
	g_lookup = fn;
}

unsigned aws_resolve_helpers_running(void)
{
	return atomic_load(&g_running);
}

static void job_unref(struct job *j)
{
	bool last;
	pthread_mutex_lock(&j->mu);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->mu);
	if (!last)
		return;
	if (j->res)
		freeaddrinfo(j->res);
	pthread_cond_destroy(&j->done_cv);
	pthread_mutex_destroy(&j->mu);
	base_free(j->host);
	base_free(j);
}

static void *helper_main(void *arg)
{
	struct job *j = arg;
	struct addrinfo *res = NULL;
	int rc = j->lookup(j->host, j->port, &j->hints, &res);
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->res = rc == 0 ? res : NULL;
	j->done = true;
	pthread_cond_signal(&j->done_cv);
	pthread_mutex_unlock(&j->mu);
	job_unref(j);
	atomic_fetch_sub(&g_running, 1);
	return NULL;
}

static bool is_ip_literal(const char *host)
{
	unsigned char a[16];
	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* The lookup on the caller's thread (IP literals, or no thread to be had). */
static aws_resolve_result inline_lookup(aws_resolve_lookup_fn lookup, const char *host, const char *port,
                                        const struct addrinfo *hints, struct addrinfo **out, int *gai_rc)
{
	*gai_rc = lookup(host, port, hints, out);
	return *gai_rc == 0 ? AWS_RESOLVE_OK : AWS_RESOLVE_EFAILED;
}

static struct job *job_new(aws_resolve_lookup_fn lookup, const char *host, const char *port,
                           const struct addrinfo *hints)
{
	pthread_condattr_t ca;
	size_t port_len = strlen(port);
	struct job *j;
	if (port_len >= sizeof j->port)
		return NULL;
	j = base_xcalloc(1, sizeof *j);
	j->host = base_xstrdup(host);
	memcpy(j->port, port, port_len + 1);
	j->hints = *hints;
	j->hints.ai_addr = NULL;
	j->hints.ai_canonname = NULL;
	j->hints.ai_next = NULL;
	j->lookup = lookup;
	j->refs = 2;
	pthread_mutex_init(&j->mu, NULL);
	/* The waits are timed on the clock aws_deadline_now_ms reads. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	return j;
}

static void free_unstarted(struct job *j)
{
	j->refs = 1;
	job_unref(j);
}

aws_resolve_result aws_resolve(const char *host, const char *port, const struct addrinfo *hints,
                               uint64_t until_ms, bool (*cancelled)(void *ctx), void *ctx,
                               struct addrinfo **out, int *gai_rc)
{
	aws_resolve_lookup_fn lookup = g_lookup ? g_lookup : getaddrinfo;
	aws_resolve_result result;
	pthread_attr_t attr;
	pthread_t tid;
	struct job *j;
	int started;

	*out = NULL;
	*gai_rc = 0;
	if (is_ip_literal(host)) {
		struct addrinfo numeric = *hints;
		numeric.ai_flags |= AI_NUMERICHOST;
		return inline_lookup(getaddrinfo, host, port, &numeric, out, gai_rc);
	}
	j = job_new(lookup, host, port, hints);
	if (!j)
		return inline_lookup(lookup, host, port, hints, out, gai_rc);
	atomic_fetch_add(&g_running, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	started = pthread_create(&tid, &attr, helper_main, j);
	pthread_attr_destroy(&attr);
	if (started != 0) {
		atomic_fetch_sub(&g_running, 1);
		free_unstarted(j);
		return inline_lookup(lookup, host, port, hints, out, gai_rc);
	}

	pthread_mutex_lock(&j->mu);
	for (;;) {
		uint64_t now, slice;
		struct timespec ts;
		if (j->done) {
			*gai_rc = j->rc;
			*out = j->res;
			j->res = NULL;
			result = j->rc == 0 ? AWS_RESOLVE_OK : AWS_RESOLVE_EFAILED;
			break;
		}
		if (cancelled && cancelled(ctx)) {
			result = AWS_RESOLVE_ECANCELLED;
			break;
		}
		now = aws_deadline_now_ms();
		if (now >= until_ms) {
			result = AWS_RESOLVE_ETIMEOUT;
			break;
		}
		slice = until_ms - now < WAIT_SLICE_MS ? until_ms - now : WAIT_SLICE_MS;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(slice / 1000u);
		ts.tv_nsec += (long)(slice % 1000u) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&j->done_cv, &j->mu, &ts);
	}
	pthread_mutex_unlock(&j->mu);
	job_unref(j);
	return result;
}
