/*
 * aws_retry.c - standard-mode retry classification, backoff and quota.
 * Pure: no clock, no randomness of its own, no I/O (STYLE C11).
 */
#include "aws/aws_retry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "aws/aws_int.h"

/* AWS.md 2.2: the union of the SDKs' throttling codes. IAM's "LimitExceeded"
 * (no "Exception") is a quota error and deliberately absent. */
static const char *const throttling_codes[] = {"Throttling",
                                               "ThrottlingException",
                                               "ThrottledException",
                                               "RequestThrottledException",
                                               "TooManyRequestsException",
                                               "ProvisionedThroughputExceededException",
                                               "TransactionInProgressException",
                                               "RequestLimitExceeded",
                                               "BandwidthLimitExceeded",
                                               "LimitExceededException",
                                               "RequestThrottled",
                                               "SlowDown",
                                               "PriorRequestNotComplete",
                                               "EC2ThrottledException",
                                               NULL};

static const char *const transient_codes[] = {"RequestTimeout",
                                              "RequestTimeoutException",
                                              "PriorRequestNotComplete",
                                              "InternalError",
                                              "InternalFailure",
                                              "Unavailable",
                                              "ServiceUnavailable",
                                              "ServiceFailure",
                                              "ServiceException",
                                              "IDPCommunicationError",
                                              NULL};

/* Lambda's 502 configuration errors: retrying does not fix them. */
static const char *const fail_fast_codes[] = {"EC2UnexpectedException",
                                              "ENILimitReachedException",
                                              "SubnetIPAddressLimitReachedException",
                                              "ResourceNotReadyException",
                                              "InvalidSubnetIDException",
                                              "InvalidSecurityGroupIDException",
                                              "EC2AccessDeniedException",
                                              "InvalidZipFileException",
                                              "KMSAccessDeniedException",
                                              NULL};

static bool in_list(const char *const *list, const char *code)
{
	size_t i;
	if (!code || !*code)
		return false;
	for (i = 0; list[i]; i++)
		if (strcmp(list[i], code) == 0)
			return true;
	return false;
}

bool aws_retry_is_throttling_code(const char *code)
{
	return in_list(throttling_codes, code);
}

aws_retry_class aws_retry_classify(int http_status, const char *code, aws_retry_transport t)
{
	switch (t) {
	case AWS_RETRY_T_CONNECT:
	case AWS_RETRY_T_IO:
		return AWS_RETRY_TRANSIENT;
	case AWS_RETRY_T_TIMEOUT:
		return AWS_RETRY_TIMEOUT;
	case AWS_RETRY_T_FATAL:
		return AWS_RETRY_NO;
	case AWS_RETRY_T_NONE:
		break;
	}
	if (http_status >= 200 && http_status < 300)
		return AWS_RETRY_NO;
	if (in_list(throttling_codes, code) || http_status == 429)
		return AWS_RETRY_THROTTLING;
	if (in_list(fail_fast_codes, code))
		return AWS_RETRY_NO;
	if (in_list(transient_codes, code))
		return AWS_RETRY_TRANSIENT;
	if (http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504)
		return AWS_RETRY_TRANSIENT;
	return AWS_RETRY_NO;
}

void aws_retry_policy_default(aws_retry_policy *p)
{
	p->max_attempts = 3;
	p->base_ms = 1000;
	p->cap_ms = 20000;
	p->budget_ms = 120000;
	p->retry_cost = 5;
	p->timeout_cost = 10;
	p->max_retry_after_ms = 60000;
	p->adaptive = true;
}

void aws_retry_quota_init(aws_retry_quota *q, int capacity)
{
	q->capacity = capacity;
	q->available = capacity;
}

bool aws_retry_quota_acquire(aws_retry_quota *q, const aws_retry_policy *p, aws_retry_class c, int *cost_out)
{
	int cost = (int)(c == AWS_RETRY_TIMEOUT ? p->timeout_cost : p->retry_cost);
	if (cost_out)
		*cost_out = 0;
	if (q->available < cost)
		return false;
	q->available -= cost;
	if (cost_out)
		*cost_out = cost;
	return true;
}

void aws_retry_quota_release(aws_retry_quota *q, int last_cost)
{
	q->available += last_cost > 0 ? last_cost : 1;
	if (q->available > q->capacity)
		q->available = q->capacity;
}

unsigned aws_retry_backoff_ms(const aws_retry_policy *p, int retry, double r01)
{
	uint64_t ceil_ms = p->base_ms;
	int i;
	if (r01 < 0)
		r01 = 0;
	if (r01 >= 1)
		r01 = 0.999999999;
	for (i = 1; i < retry && ceil_ms < p->cap_ms; i++)
		ceil_ms *= 2;
	if (ceil_ms > p->cap_ms)
		ceil_ms = p->cap_ms;
	return (unsigned)(r01 * (double)ceil_ms);
}

static int month_index(const char *m)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int i;
	for (i = 0; i < 12; i++)
		if (strncasecmp(m, months[i], 3) == 0)
			return i;
	return -1;
}

/* "Wed, 21 Oct 2015 07:28:00 GMT" -> unix seconds; false if malformed. */
static bool parse_http_date(const char *s, int64_t *out)
{
	int d, y, hh, mm, ss, mon, n = 0;
	char mname[4] = {0};
	const char *comma = strchr(s, ',');
	if (!comma)
		return false;
	if (sscanf(comma + 1, " %d %3s %d %d:%d:%d GMT%n", &d, mname, &y, &hh, &mm, &ss, &n) != 6 || n == 0)
		return false;
	mon = month_index(mname);
	if (mon < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60)
		return false;
	*out = aws__days_from_civil(y, (unsigned)mon + 1, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
	return true;
}

static bool parse_uint(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!s)
		return false;
	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 100000000000ull)
			return false;
	}
	while (*s == ' ')
		s++;
	if (*s)
		return false;
	*out = v;
	return true;
}

bool aws_retry_parse_retry_after(const char *retry_after, const char *x_amz_retry_after, int64_t now_s,
                                 unsigned *ms_out)
{
	uint64_t v;
	int64_t when;
	if (retry_after && *retry_after) {
		if (parse_uint(retry_after, &v)) {
			*ms_out = v > 4000000 ? 4000000000u : (unsigned)(v * 1000);
			return true;
		}
		if (parse_http_date(retry_after, &when)) {
			*ms_out = when <= now_s
			                  ? 0
			                  : (unsigned)((when - now_s) > 4000000 ? 4000000000u
			                                                        : (when - now_s) * 1000);
			return true;
		}
	}
	if (x_amz_retry_after && parse_uint(x_amz_retry_after, &v)) {
		*ms_out = v > 4000000000u ? 4000000000u : (unsigned)v;
		return true;
	}
	return false;
}

void aws_retry_decide(const aws_retry_policy *p, aws_retry_quota *q, aws_retry_class c, int attempt,
                      uint64_t elapsed_ms, unsigned retry_after_ms, double r01, aws_retry_decision *out,
                      int *cost_out)
{
	unsigned delay;
	int cost = 0;
	out->retry = false;
	out->delay_ms = 0;
	if (cost_out)
		*cost_out = 0;
	if (c == AWS_RETRY_NO) {
		out->reason = "not retryable";
		return;
	}
	if (attempt >= p->max_attempts) {
		out->reason = "max attempts reached";
		return;
	}
	delay = aws_retry_backoff_ms(p, attempt, r01);
	if (retry_after_ms) {
		if (retry_after_ms > p->max_retry_after_ms) {
			out->reason = "server asked to wait longer than allowed";
			return;
		}
		if (retry_after_ms > delay)
			delay = retry_after_ms;
	}
	if (p->budget_ms && elapsed_ms + delay > p->budget_ms) {
		out->reason = "retry time budget exhausted";
		return;
	}
	if (q && !aws_retry_quota_acquire(q, p, c, &cost)) {
		out->reason = "retry quota exhausted";
		return;
	}
	if (cost_out)
		*cost_out = cost;
	out->retry = true;
	out->delay_ms = delay;
	out->reason = c == AWS_RETRY_THROTTLING ? "throttled"
	              : c == AWS_RETRY_TIMEOUT  ? "timeout"
	                                        : "transient error";
}

/* ------------------------------------------------------------------ */
/* adaptive rate limiting (aws_retry.h)                                 */

#define RATE_MIN_FILL 0.5 /* tokens per second */
#define RATE_MIN_CAPACITY 1.0
#define RATE_SMOOTH 0.8 /* weight of the newest measurement */
#define RATE_BETA 0.7   /* multiplicative decrease on throttling */
#define RATE_SCALE 0.4  /* cubic growth constant */

void aws_retry_rate_init(aws_retry_rate *r, double now_s)
{
	memset(r, 0, sizeof *r);
	r->last_refill = -1;
	r->last_bucket = floor(now_s);
	r->last_throttle = now_s;
}

static void rate_refill(aws_retry_rate *r, double now_s)
{
	if (r->last_refill < 0) {
		r->last_refill = now_s;
		return;
	}
	if (now_s > r->last_refill) {
		r->capacity += (now_s - r->last_refill) * r->fill_rate;
		if (r->capacity > r->max_capacity)
			r->capacity = r->max_capacity;
		r->last_refill = now_s;
	}
}

unsigned aws_retry_rate_acquire(aws_retry_rate *r, double now_s)
{
	double wait_s;
	if (!r->enabled)
		return 0;
	rate_refill(r, now_s);
	r->capacity -= 1.0;
	if (r->capacity >= 0)
		return 0;
	wait_s = -r->capacity / r->fill_rate;
	return (unsigned)ceil(wait_s * 1000.0);
}

/* Sends per second, measured in half-second buckets and smoothed. */
static void rate_measure(aws_retry_rate *r, double now_s)
{
	double bucket = floor(now_s * 2.0) / 2.0;
	r->bucket_count++;
	if (bucket > r->last_bucket) {
		double current = (double)r->bucket_count / (bucket - r->last_bucket);
		r->measured_rate = current * RATE_SMOOTH + r->measured_rate * (1.0 - RATE_SMOOTH);
		r->bucket_count = 0;
		r->last_bucket = bucket;
	}
}

static void rate_set_fill(aws_retry_rate *r, double now_s, double rps)
{
	rate_refill(r, now_s);
	r->fill_rate = rps > RATE_MIN_FILL ? rps : RATE_MIN_FILL;
	r->max_capacity = rps > RATE_MIN_CAPACITY ? rps : RATE_MIN_CAPACITY;
	if (r->capacity > r->max_capacity)
		r->capacity = r->max_capacity;
}

void aws_retry_rate_update(aws_retry_rate *r, double now_s, bool throttled)
{
	double rate, dt;
	rate_measure(r, now_s);
	if (throttled) {
		double base = r->measured_rate;
		if (r->enabled && r->fill_rate < base)
			base = r->fill_rate;
		r->last_max_rate = base;
		r->time_window = cbrt(r->last_max_rate * (1.0 - RATE_BETA) / RATE_SCALE);
		r->last_throttle = now_s;
		rate = base * RATE_BETA;
		r->enabled = true;
	} else {
		r->time_window = cbrt(r->last_max_rate * (1.0 - RATE_BETA) / RATE_SCALE);
		dt = now_s - r->last_throttle - r->time_window;
		rate = RATE_SCALE * dt * dt * dt + r->last_max_rate;
	}
	if (rate > 2.0 * r->measured_rate)
		rate = 2.0 * r->measured_rate;
	rate_set_fill(r, now_s, rate);
}
