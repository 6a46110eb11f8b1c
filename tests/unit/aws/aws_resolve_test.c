/* aws_resolve_test.c - the bounded name lookup: a hung resolver is left
 * behind at the time limit or on cancellation, its late answer is freed,
 * IP literals never reach the resolver, and the HTTP client's connect
 * timeout covers the lookup. */
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "t.h"
#include "aws/aws_deadline.h"
#include "aws/aws_http.h"
#include "aws/aws_resolve.h"

/* The fake resolver: blocks until released, then answers 127.0.0.1 (a
 * real getaddrinfo list, so freeaddrinfo frees it) or g_fake_rc. */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static bool g_block, g_released;
static int g_fake_rc;
static atomic_int g_calls;
static atomic_bool g_returned;

static int fake_lookup(const char *host, const char *port, const struct addrinfo *hints,
                       struct addrinfo **out)
{
	(void)host;
	atomic_fetch_add(&g_calls, 1);
	pthread_mutex_lock(&g_mu);
	while (g_block && !g_released)
		pthread_cond_wait(&g_cv, &g_mu);
	pthread_mutex_unlock(&g_mu);
	atomic_store(&g_returned, true);
	if (g_fake_rc != 0)
		return g_fake_rc;
	return getaddrinfo("127.0.0.1", port, hints, out);
}

static void fake_install(bool block, int rc)
{
	g_block = block;
	g_released = false;
	g_fake_rc = rc;
	atomic_store(&g_calls, 0);
	atomic_store(&g_returned, false);
	aws_resolve_set_lookup(fake_lookup);
}

/* Lets a blocked fake answer, waits until every helper has finished (its
 * late answer freed: ASan and valgrind see a leak otherwise) and restores
 * getaddrinfo. False when a helper did not finish within 5 s. */
static bool fake_release_and_drain(void)
{
	pthread_mutex_lock(&g_mu);
	g_released = true;
	pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_mu);
	for (int i = 0; i < 500 && aws_resolve_helpers_running() > 0; i++) {
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	aws_resolve_set_lookup(NULL);
	return aws_resolve_helpers_running() == 0;
}

static struct addrinfo tcp_hints(void)
{
	struct addrinfo h;
	memset(&h, 0, sizeof h);
	h.ai_family = AF_UNSPEC;
	h.ai_socktype = SOCK_STREAM;
	return h;
}

void test_aws_resolve__a_name_is_answered_by_the_lookup(void)
{
	struct addrinfo hints = tcp_hints(), *res = NULL;
	int gai = -1;
	fake_install(false, 0);
	aws_resolve_result r = aws_resolve("ec2.example", "443", &hints, aws_deadline_now_ms() + 5000, NULL,
	                                   NULL, &res, &gai);
	bool drained = fake_release_and_drain();
	int family = res ? res->ai_family : -1;
	if (res)
		freeaddrinfo(res);
	T_ASSERT_INT(r, AWS_RESOLVE_OK);
	T_ASSERT_INT(gai, 0);
	T_ASSERT_INT(family, AF_INET);
	T_ASSERT_INT(atomic_load(&g_calls), 1);
	T_ASSERT(drained);
}

void test_aws_resolve__a_lookup_error_is_reported_with_its_code(void)
{
	struct addrinfo hints = tcp_hints(), *res = NULL;
	int gai = 0;
	fake_install(false, EAI_NONAME);
	aws_resolve_result r = aws_resolve("nowhere.example", "443", &hints, aws_deadline_now_ms() + 5000,
	                                   NULL, NULL, &res, &gai);
	bool drained = fake_release_and_drain();
	T_ASSERT_INT(r, AWS_RESOLVE_EFAILED);
	T_ASSERT_INT(gai, EAI_NONAME);
	T_ASSERT(res == NULL);
	T_ASSERT(drained);
}

void test_aws_resolve__ip_literals_never_reach_the_resolver(void)
{
	const char *hosts[] = {"127.0.0.1", "::1"};
	for (size_t i = 0; i < 2; i++) {
		struct addrinfo hints = tcp_hints(), *res = NULL;
		int gai = -1;
		fake_install(true, 0); /* would hang the test if called */
		aws_resolve_result r = aws_resolve(hosts[i], "80", &hints, aws_deadline_now_ms() + 5000, NULL,
		                                   NULL, &res, &gai);
		int calls = atomic_load(&g_calls);
		bool drained = fake_release_and_drain();
		int family = res ? res->ai_family : -1;
		if (res)
			freeaddrinfo(res);
		T_ASSERT_INT(r, AWS_RESOLVE_OK);
		T_ASSERT_INT(family, i == 0 ? AF_INET : AF_INET6);
		T_ASSERT_INT(calls, 0);
		T_ASSERT(drained);
	}
}

void test_aws_resolve__a_hung_lookup_is_left_behind_at_the_limit(void)
{
	struct addrinfo hints = tcp_hints(), *res = NULL;
	int gai = -1;
	fake_install(true, 0);
	aws_resolve_result r = aws_resolve("hung.example", "443", &hints, aws_deadline_now_ms() + 100, NULL,
	                                   NULL, &res, &gai);
	/* The lookup was still blocked when aws_resolve gave up. */
	bool answered_first = atomic_load(&g_returned);
	bool drained = fake_release_and_drain();
	T_ASSERT_INT(r, AWS_RESOLVE_ETIMEOUT);
	T_ASSERT(!answered_first);
	T_ASSERT(res == NULL);
	T_ASSERT_INT(atomic_load(&g_calls), 1);
	T_ASSERT(drained); /* and the late answer was freed by the helper */
}

static atomic_int g_polls;

static bool cancel_after_three_polls(void *ctx)
{
	(void)ctx;
	return atomic_fetch_add(&g_polls, 1) >= 3;
}

void test_aws_resolve__a_hung_lookup_is_left_behind_on_cancel(void)
{
	struct addrinfo hints = tcp_hints(), *res = NULL;
	int gai = -1;
	atomic_store(&g_polls, 0);
	fake_install(true, 0);
	aws_resolve_result r = aws_resolve("hung.example", "443", &hints, aws_deadline_now_ms() + 60000,
	                                   cancel_after_three_polls, NULL, &res, &gai);
	bool answered_first = atomic_load(&g_returned);
	bool drained = fake_release_and_drain();
	T_ASSERT_INT(r, AWS_RESOLVE_ECANCELLED);
	T_ASSERT(!answered_first);
	T_ASSERT(res == NULL);
	T_ASSERT(atomic_load(&g_polls) >= 4);
	T_ASSERT(drained);
}

/* The HTTP client: a hung lookup of the endpoint's name fails the request
 * as a connect timeout, and nothing is sent. */
void test_aws_resolve__the_http_connect_timeout_covers_the_lookup(void)
{
	aws_http_pool *h = NULL;
	aws_http_request req;
	aws_http_response resp;
	T_ASSERT_INT(aws_http_pool_new(&h), BASE_OK);
	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.url = "http://hung.example:8080/";
	req.connect_timeout_ms = 150;
	req.idle_timeout_ms = 60000;
	req.timeout_ms = 60000;
	aws_http_response_init(&resp);
	fake_install(true, 0);
	int rc = aws_http_transport.send(h, &req, &resp);
	bool answered_first = atomic_load(&g_returned);
	bool drained = fake_release_and_drain();
	aws_http_failure failure = resp.failure;
	bool sent = resp.sent;
	char msg[256];
	snprintf(msg, sizeof msg, "%s", resp.errmsg);
	aws_http_response_dispose(&resp);
	aws_http_pool_free(h);
	T_ASSERT(rc != BASE_OK);
	T_ASSERT_INT(failure, AWS_HTTP_ECONNECT_TIMEOUT);
	T_ASSERT_STR(msg, "looking up hung.example timed out");
	T_ASSERT(!sent);
	T_ASSERT(!answered_first);
	T_ASSERT(drained);
}
