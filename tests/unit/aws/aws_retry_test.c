/* aws_retry_test.c - classification, full-jitter backoff, quota and the
 * retry decision, with injected randomness and time (all pure). */
#include <stdio.h>

#include "t.h"

#include "aws/aws_retry.h"

void test_aws_retry__classify_throttling(void)
{
	T_ASSERT_INT(aws_retry_classify(400, "Throttling", AWS_RETRY_T_NONE), AWS_RETRY_THROTTLING);
	T_ASSERT_INT(aws_retry_classify(503, "RequestLimitExceeded", AWS_RETRY_T_NONE), AWS_RETRY_THROTTLING);
	T_ASSERT_INT(aws_retry_classify(429, "TooManyRequestsException", AWS_RETRY_T_NONE), AWS_RETRY_THROTTLING);
	T_ASSERT_INT(aws_retry_classify(429, "", AWS_RETRY_T_NONE), AWS_RETRY_THROTTLING);
	T_ASSERT_INT(aws_retry_classify(502, "EC2ThrottledException", AWS_RETRY_T_NONE), AWS_RETRY_THROTTLING);
	T_ASSERT_INT(aws_retry_classify(400, "PriorRequestNotComplete", AWS_RETRY_T_NONE), AWS_RETRY_THROTTLING);
	/* IAM's quota error is not throttling */
	T_ASSERT_INT(aws_retry_classify(409, "LimitExceeded", AWS_RETRY_T_NONE), AWS_RETRY_NO);
	T_ASSERT(aws_retry_is_throttling_code("SlowDown"));
	T_ASSERT(!aws_retry_is_throttling_code(NULL));
}

void test_aws_retry__classify_transient_and_fatal(void)
{
	T_ASSERT_INT(aws_retry_classify(500, "InternalError", AWS_RETRY_T_NONE), AWS_RETRY_TRANSIENT);
	T_ASSERT_INT(aws_retry_classify(500, "InternalError", AWS_RETRY_T_NONE), AWS_RETRY_TRANSIENT);
	T_ASSERT_INT(aws_retry_classify(503, "HTTP503", AWS_RETRY_T_NONE), AWS_RETRY_TRANSIENT);
	T_ASSERT_INT(aws_retry_classify(504, NULL, AWS_RETRY_T_NONE), AWS_RETRY_TRANSIENT);
	T_ASSERT_INT(aws_retry_classify(400, "RequestTimeout", AWS_RETRY_T_NONE), AWS_RETRY_TRANSIENT);
	T_ASSERT_INT(aws_retry_classify(500, "ServiceFailure", AWS_RETRY_T_NONE), AWS_RETRY_TRANSIENT);
	T_ASSERT_INT(aws_retry_classify(400, "IDPCommunicationError", AWS_RETRY_T_NONE), AWS_RETRY_TRANSIENT);
	T_ASSERT_INT(aws_retry_classify(0, NULL, AWS_RETRY_T_CONNECT), AWS_RETRY_TRANSIENT);
	T_ASSERT_INT(aws_retry_classify(0, NULL, AWS_RETRY_T_IO), AWS_RETRY_TRANSIENT);
	T_ASSERT_INT(aws_retry_classify(0, NULL, AWS_RETRY_T_TIMEOUT), AWS_RETRY_TIMEOUT);
	T_ASSERT_INT(aws_retry_classify(0, NULL, AWS_RETRY_T_FATAL), AWS_RETRY_NO);
	/* Lambda's 502 configuration errors fail fast */
	T_ASSERT_INT(aws_retry_classify(502, "ENILimitReachedException", AWS_RETRY_T_NONE), AWS_RETRY_NO);
	T_ASSERT_INT(aws_retry_classify(502, "InvalidSubnetIDException", AWS_RETRY_T_NONE), AWS_RETRY_NO);
	T_ASSERT_INT(aws_retry_classify(400, "InvalidParameterValue", AWS_RETRY_T_NONE), AWS_RETRY_NO);
	T_ASSERT_INT(aws_retry_classify(404, "ResourceNotFoundException", AWS_RETRY_T_NONE), AWS_RETRY_NO);
	T_ASSERT_INT(aws_retry_classify(200, NULL, AWS_RETRY_T_NONE), AWS_RETRY_NO);
}

void test_aws_retry__full_jitter_backoff(void)
{
	aws_retry_policy p;
	aws_retry_policy_default(&p);
	T_ASSERT_INT(p.max_attempts, 3);
	T_ASSERT_INT(aws_retry_backoff_ms(&p, 1, 0.0), 0);
	T_ASSERT_INT(aws_retry_backoff_ms(&p, 1, 0.5), 500);
	T_ASSERT_INT(aws_retry_backoff_ms(&p, 2, 0.5), 1000);
	T_ASSERT_INT(aws_retry_backoff_ms(&p, 3, 0.5), 2000);
	T_ASSERT_INT(aws_retry_backoff_ms(&p, 5, 0.999), 15984);
	/* capped at 20 s */
	T_ASSERT_INT(aws_retry_backoff_ms(&p, 6, 0.5), 10000);
	T_ASSERT_INT(aws_retry_backoff_ms(&p, 40, 0.5), 10000);
	T_ASSERT(aws_retry_backoff_ms(&p, 40, 1.5) < 20000);
}

void test_aws_retry__quota(void)
{
	aws_retry_policy p;
	aws_retry_quota q;
	int cost, i;
	aws_retry_policy_default(&p);
	aws_retry_quota_init(&q, 500);
	T_ASSERT(aws_retry_quota_acquire(&q, &p, AWS_RETRY_TRANSIENT, &cost));
	T_ASSERT_INT(cost, 5);
	T_ASSERT(aws_retry_quota_acquire(&q, &p, AWS_RETRY_TIMEOUT, &cost));
	T_ASSERT_INT(cost, 10);
	T_ASSERT_INT(q.available, 485);
	aws_retry_quota_release(&q, 10);
	T_ASSERT_INT(q.available, 495);
	aws_retry_quota_release(&q, 0);
	T_ASSERT_INT(q.available, 496);
	for (i = 0; i < 10; i++)
		aws_retry_quota_release(&q, 0);
	T_ASSERT_INT(q.available, 500);
	while (aws_retry_quota_acquire(&q, &p, AWS_RETRY_TRANSIENT, &cost))
		;
	T_ASSERT_INT(q.available, 0);
	T_ASSERT(!aws_retry_quota_acquire(&q, &p, AWS_RETRY_TRANSIENT, &cost));
	T_ASSERT_INT(cost, 0);
}

void test_aws_retry__decide(void)
{
	aws_retry_policy p;
	aws_retry_quota q;
	aws_retry_decision d;
	int cost;
	aws_retry_policy_default(&p);
	aws_retry_quota_init(&q, 500);

	aws_retry_decide(&p, &q, AWS_RETRY_NO, 1, 0, 0, 0.5, &d, &cost);
	T_ASSERT(!d.retry);
	aws_retry_decide(&p, &q, AWS_RETRY_THROTTLING, 1, 0, 0, 0.5, &d, &cost);
	T_ASSERT(d.retry);
	T_ASSERT_INT(d.delay_ms, 500);
	T_ASSERT_INT(cost, 5);
	T_ASSERT_STR(d.reason, "throttled");
	aws_retry_decide(&p, &q, AWS_RETRY_TRANSIENT, 2, 0, 0, 0.25, &d, &cost);
	T_ASSERT(d.retry);
	T_ASSERT_INT(d.delay_ms, 500);
	/* attempts used up */
	aws_retry_decide(&p, &q, AWS_RETRY_TRANSIENT, 3, 0, 0, 0.25, &d, &cost);
	T_ASSERT(!d.retry);
	T_ASSERT_STR(d.reason, "max attempts reached");
	/* Retry-After longer than the backoff wins */
	aws_retry_decide(&p, &q, AWS_RETRY_THROTTLING, 1, 0, 3000, 0.5, &d, &cost);
	T_ASSERT(d.retry);
	T_ASSERT_INT(d.delay_ms, 3000);
	/* ... but not when it is absurd */
	aws_retry_decide(&p, &q, AWS_RETRY_THROTTLING, 1, 0, 3600000, 0.5, &d, &cost);
	T_ASSERT(!d.retry);
	/* wall-clock budget */
	aws_retry_decide(&p, &q, AWS_RETRY_THROTTLING, 1, p.budget_ms - 100, 0, 0.5, &d, &cost);
	T_ASSERT(!d.retry);
	T_ASSERT_STR(d.reason, "retry time budget exhausted");
	/* empty quota stops retries */
	q.available = 4;
	aws_retry_decide(&p, &q, AWS_RETRY_TRANSIENT, 1, 0, 0, 0.5, &d, &cost);
	T_ASSERT(!d.retry);
	T_ASSERT_STR(d.reason, "retry quota exhausted");
	T_ASSERT_INT(q.available, 4);
	/* NULL quota = unlimited */
	aws_retry_decide(&p, NULL, AWS_RETRY_TRANSIENT, 1, 0, 0, 0.5, &d, &cost);
	T_ASSERT(d.retry);
	T_ASSERT_INT(cost, 0);
}

void test_aws_retry__retry_after_parsing(void)
{
	unsigned ms = 0;
	T_ASSERT(aws_retry_parse_retry_after("3", NULL, 0, &ms));
	T_ASSERT_INT(ms, 3000);
	T_ASSERT(aws_retry_parse_retry_after(" 0 ", NULL, 0, &ms));
	T_ASSERT_INT(ms, 0);
	/* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 */
	T_ASSERT(aws_retry_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NULL, 1445412470, &ms));
	T_ASSERT_INT(ms, 10000);
	T_ASSERT(aws_retry_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NULL, 1445412490, &ms));
	T_ASSERT_INT(ms, 0);
	T_ASSERT(aws_retry_parse_retry_after(NULL, "1500", 0, &ms));
	T_ASSERT_INT(ms, 1500);
	T_ASSERT(!aws_retry_parse_retry_after("soon", NULL, 0, &ms));
	T_ASSERT(!aws_retry_parse_retry_after(NULL, NULL, 0, &ms));
	T_ASSERT(!aws_retry_parse_retry_after("", "x", 0, &ms));
}

/* The limiter's state as text, so a whole step is compared at once. */
static const char *rate_text(const aws_retry_rate *r, char *buf, size_t n)
{
	snprintf(buf, n, "en=%d fill=%.6f max=%.6f cap=%.6f meas=%.6f lmax=%.6f K=%.6f", r->enabled ? 1 : 0,
	         r->fill_rate, r->max_capacity, r->capacity, r->measured_rate, r->last_max_rate,
	         r->time_window);
	return buf;
}

void test_aws_retry__rate_off_until_throttled(void)
{
	aws_retry_rate r;
	char b[256];
	int i;
	aws_retry_rate_init(&r, 100.0);
	/* no throttling yet: never a wait, however fast the calls come */
	for (i = 0; i < 50; i++)
		T_ASSERT_INT(aws_retry_rate_acquire(&r, 100.0), 0);
	aws_retry_rate_update(&r, 100.2, false);
	/* same half-second bucket: nothing measured; fill floors at 0.5/s, capacity at 1 */
	T_ASSERT_STR(rate_text(&r, b, sizeof b),
	             "en=0 fill=0.500000 max=1.000000 cap=0.000000 meas=0.000000 lmax=0.000000 K=0.000000");
	/* the bucket [100, 100.5) closes with 2 sends: 4/s, smoothed 0.8 * 4 */
	aws_retry_rate_update(&r, 100.6, false);
	T_ASSERT_STR(rate_text(&r, b, sizeof b),
	             "en=0 fill=0.500000 max=1.000000 cap=0.200000 meas=3.200000 lmax=0.000000 K=0.000000");
	T_ASSERT_INT(aws_retry_rate_acquire(&r, 100.6), 0);
}

/* The shared history: two quiet sends in [100, 100.6], a throttle at 101.0. */
static void rate_throttled_at_101(aws_retry_rate *r)
{
	aws_retry_rate_init(r, 100.0);
	aws_retry_rate_update(r, 100.2, false);
	aws_retry_rate_update(r, 100.6, false);
	aws_retry_rate_update(r, 101.0, true);
}

void test_aws_retry__rate_throttle_cuts_and_queues(void)
{
	aws_retry_rate r;
	char b[256];
	/* throttled at 101.0: measured 0.8*2 + 0.2*3.2 = 2.24/s; fill = 0.7 * 2.24;
	 * K = cbrt(2.24 * 0.3 / 0.4) */
	rate_throttled_at_101(&r);
	T_ASSERT_STR(rate_text(&r, b, sizeof b),
	             "en=1 fill=1.568000 max=1.568000 cap=0.400000 meas=2.240000 lmax=2.240000 K=1.188784");
	/* two callers at once: the first waits 0.6 token, the second 1.6 tokens */
	T_ASSERT_INT(aws_retry_rate_acquire(&r, 101.0), 383);
	T_ASSERT_INT(aws_retry_rate_acquire(&r, 101.0), 1021);
	T_ASSERT_STR(rate_text(&r, b, sizeof b),
	             "en=1 fill=1.568000 max=1.568000 cap=-1.600000 meas=2.240000 lmax=2.240000 K=1.188784");
}

void test_aws_retry__rate_cubic_recovery(void)
{
	aws_retry_rate r;
	char b[256];
	rate_throttled_at_101(&r);
	T_ASSERT_INT(aws_retry_rate_acquire(&r, 101.0), 383);
	T_ASSERT_INT(aws_retry_rate_acquire(&r, 101.0), 1021);
	/* 1 s later, just before K: 0.4 * (1 - K)^3 + 2.24, under 2 x measured */
	aws_retry_rate_update(&r, 102.0, false);
	T_ASSERT_STR(rate_text(&r, b, sizeof b),
	             "en=1 fill=2.237309 max=2.237309 cap=-0.032000 meas=1.248000 lmax=2.240000 K=1.188784");
	/* 3 s after the throttle the curve is above 2 x measured (0.6496): capped */
	aws_retry_rate_update(&r, 104.0, false);
	T_ASSERT_STR(rate_text(&r, b, sizeof b),
	             "en=1 fill=1.299200 max=1.299200 cap=1.299200 meas=0.649600 lmax=2.240000 K=1.188784");
	T_ASSERT_INT(aws_retry_rate_acquire(&r, 104.0), 0);
	/* throttled again: from min(fill, measured) = 1.2992; capacity floor 1 */
	aws_retry_rate_update(&r, 104.5, true);
	T_ASSERT_STR(rate_text(&r, b, sizeof b),
	             "en=1 fill=0.909440 max=1.000000 cap=0.948800 meas=1.729920 lmax=1.299200 K=0.991393");
}

void test_aws_retry__rate_floor_and_defaults(void)
{
	aws_retry_rate r;
	aws_retry_policy p;
	aws_retry_policy_default(&p);
	T_ASSERT(p.adaptive);
	T_ASSERT_INT(AWS_RETRY_DEFAULT_MAX_ATTEMPTS, 25);
	/* a throttle before anything was measured: the 0.5/s floor, 2 s a token */
	aws_retry_rate_init(&r, 7.0);
	aws_retry_rate_update(&r, 7.1, true);
	T_ASSERT(r.enabled);
	T_ASSERT(r.fill_rate == 0.5);
	T_ASSERT(r.max_capacity == 1.0);
	T_ASSERT_INT(aws_retry_rate_acquire(&r, 7.1), 2000);
	T_ASSERT_INT(aws_retry_rate_acquire(&r, 7.1), 4000);
	/* time repays the debt: 4 s later one token is free again */
	T_ASSERT_INT(aws_retry_rate_acquire(&r, 11.1), 2000);
	T_ASSERT_INT(aws_retry_rate_acquire(&r, 17.1), 0);
}
