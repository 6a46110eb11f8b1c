/*
 * aws_retry.h - error classification and backoff for the AWS "standard"
 * retry mode (AWS.md 2.2, 2.3), as pure functions (STYLE C11): time,
 * randomness and the transport outcome are passed in; nothing here sleeps,
 * reads a clock or touches the network.
 *
 * The client (aws_client.c) runs the loop: classify the attempt's outcome,
 * ask aws_retry_decide, sleep the returned delay (cancellable), re-sign and
 * send again.
 *
 * THREAD SAFETY: all functions are reentrant; an aws_retry_quota must be
 * protected by its owner's lock.
 */
#ifndef AWS_RETRY_H
#define AWS_RETRY_H

#include <stdbool.h>
#include <stdint.h>

/* What the transport reported for an attempt (mapped by the client). */
typedef enum aws_retry_transport {
	AWS_RETRY_T_NONE = 0, /* an HTTP response was received */
	AWS_RETRY_T_CONNECT,  /* connect/resolve failed or timed out: not sent */
	AWS_RETRY_T_TIMEOUT,  /* timed out after (maybe) sending */
	AWS_RETRY_T_IO,       /* connection dropped / partial reply / send error */
	AWS_RETRY_T_FATAL     /* TLS, too big, cancelled, bad URL: never retried */
} aws_retry_transport;

/* The class of an attempt's outcome. */
typedef enum aws_retry_class {
	AWS_RETRY_NO = 0,     /* success or a non-retryable error */
	AWS_RETRY_TRANSIENT,  /* 5xx, transient codes, connection errors */
	AWS_RETRY_THROTTLING, /* throttling codes, HTTP 429 */
	AWS_RETRY_TIMEOUT     /* transport timeout (costs more quota) */
} aws_retry_class;

/*
 * Classifies one attempt. http_status is 0 when t != AWS_RETRY_T_NONE;
 * code is the parsed AWS error code (NULL or "" when none). Rules:
 * throttling codes and 429 -> THROTTLING (checked first); transient codes
 * (RequestTimeout, InternalError, ServiceUnavailable, ...), 500/502/503/504
 * and T_CONNECT/T_IO -> TRANSIENT; T_TIMEOUT -> TIMEOUT; Lambda's 502
 * configuration errors (ENILimitReachedException, InvalidSubnetIDException,
 * ...) -> NO; 2xx and everything else -> NO.
 */
aws_retry_class aws_retry_classify(int http_status, const char *code, aws_retry_transport t);

/* True for the throttling code list of AWS.md 2.2 (exact match). */
bool aws_retry_is_throttling_code(const char *code);

/* Tunables. aws_retry_policy_default fills the standard-mode values. */
typedef struct aws_retry_policy {
	int max_attempts;            /* total attempts incl. the first (3) */
	unsigned base_ms;            /* backoff base (1000) */
	unsigned cap_ms;             /* backoff cap (20000) */
	uint64_t budget_ms;          /* wall-clock budget per operation (120000); 0 = none */
	unsigned retry_cost;         /* quota cost of a retry (5) */
	unsigned timeout_cost;       /* quota cost after a timeout (10) */
	unsigned max_retry_after_ms; /* longest Retry-After honoured (60000) */
	bool adaptive;               /* client-side rate limiting (aws_retry_rate) (true) */
} aws_retry_policy;

/* hashicorp/aws's default budget: attempts in total, the first included. */
#define AWS_RETRY_DEFAULT_MAX_ATTEMPTS 25

/* Fills p with the defaults listed above (max_attempts 3: the standard
 * mode's own; the client raises it to AWS_RETRY_DEFAULT_MAX_ATTEMPTS). */
void aws_retry_policy_default(aws_retry_policy *p);

/* The per-client retry quota (token bucket, AWS.md 2.3). */
typedef struct aws_retry_quota {
	int capacity; /* 500 */
	int available;
} aws_retry_quota;

/* A full bucket of `capacity` tokens. */
void aws_retry_quota_init(aws_retry_quota *q, int capacity);
/* Takes the cost of one retry; false (nothing taken) when not enough is left. */
bool aws_retry_quota_acquire(aws_retry_quota *q, const aws_retry_policy *p, aws_retry_class c, int *cost_out);
/* After a success: refunds last_cost when the call needed retries (the cost
 * of its last acquisition), else 1; never above capacity. */
void aws_retry_quota_release(aws_retry_quota *q, int last_cost);

/*
 * Full-jitter backoff before retry number `retry` (1 = first retry):
 * floor(r01 * min(base * 2^(retry-1), cap)) ms. r01 in [0,1).
 */
unsigned aws_retry_backoff_ms(const aws_retry_policy *p, int retry, double r01);

/*
 * Parses a Retry-After value: delta seconds ("3") or an HTTP-date
 * ("Wed, 21 Oct 2015 07:28:00 GMT", relative to now_s), or the
 * x-amz-retry-after header (milliseconds) when retry_after is NULL.
 * Returns true and *ms_out when one parses; false otherwise.
 */
bool aws_retry_parse_retry_after(const char *retry_after, const char *x_amz_retry_after, int64_t now_s,
                                 unsigned *ms_out);

/* The decision for one failed attempt. */
typedef struct aws_retry_decision {
	bool retry;
	unsigned delay_ms;
	const char *reason; /* static text for logs: why we stop or retry */
} aws_retry_decision;

/*
 * Decides whether to retry after attempt number `attempt` (1-based) failed
 * with class c. elapsed_ms is the time since the operation started;
 * retry_after_ms is a server-requested delay (0 = none); r01 a uniform
 * random number in [0,1). Takes quota from q (may be NULL = unlimited) when
 * it decides to retry; *cost_out (may be NULL) receives the amount taken.
 * Stops when the class is NO, attempts are used up, the quota is empty, or
 * the delay would overrun the budget. Pure.
 */
void aws_retry_decide(const aws_retry_policy *p, aws_retry_quota *q, aws_retry_class c, int attempt,
                      uint64_t elapsed_ms, unsigned retry_after_ms, double r01, aws_retry_decision *out,
                      int *cost_out);

/*
 * Adaptive client-side rate limiting (the SDKs' "adaptive" retry mode):
 * a token bucket every attempt draws one token from, off until the first
 * throttling reply, whose fill rate then follows a CUBIC curve -- cut to
 * BETA (0.7) x the measured send rate on each throttling reply, grown back
 * along 0.4 * (t - K)^3 + last_max after it, K = cbrt(last_max * 0.3 / 0.4),
 * never above twice the measured send rate nor below 0.5 per second.
 * The send rate is measured per half-second bucket, smoothed 0.8 / 0.2.
 *
 * Times are seconds on a monotonic clock, passed in (pure). Waiting callers
 * reserve their token (the capacity goes below zero), so concurrent callers
 * queue up fairly: the k-th waiter is told to wait k tokens' worth.
 */
typedef struct aws_retry_rate {
	bool enabled;         /* after the first throttling reply */
	double fill_rate;     /* tokens per second */
	double max_capacity;  /* tokens */
	double capacity;      /* tokens; < 0: reserved by waiting callers */
	double last_refill;   /* s; < 0: never refilled */
	double measured_rate; /* smoothed sends per second */
	double last_bucket;   /* start of the current half-second bucket */
	unsigned bucket_count;
	double last_max_rate; /* the rate at the last throttling reply */
	double last_throttle; /* when it came */
	double time_window;   /* K of the cubic curve */
} aws_retry_rate;

/* A limiter that is off (no waiting) until the first throttling reply. */
void aws_retry_rate_init(aws_retry_rate *r, double now_s);

/* Takes the token of an attempt about to be sent at now_s and returns how
 * long the caller must wait before sending it, in ms (rounded up); 0 while
 * the limiter is off or a token is ready. */
unsigned aws_retry_rate_acquire(aws_retry_rate *r, double now_s);

/* Feeds the outcome of one attempt, answered at now_s (throttled: its class
 * was AWS_RETRY_THROTTLING), into the measured rate and the fill rate. */
void aws_retry_rate_update(aws_retry_rate *r, double now_s, bool throttled);

#endif
