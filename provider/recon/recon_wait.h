/*
 * recon_wait.h - polling with a growing interval, a deadline, an injected
 * clock and cancellation.
 *
 * A wait calls poll(ctx, &done) until done is true. Between polls it sleeps
 * first_ms, then twice that, ... up to max_ms (100 ms doubling to a cap of a
 * few seconds by default, DESIGN.md), never past the deadline. The same
 * primitive serves "wait for a state" (Lambda Active, endpoint available,
 * no ENI left) and "retry an operation while AWS says not yet" (IAM
 * propagation, DependencyViolation): poll returns done = false for the
 * retryable case and an error code for a hard failure.
 *
 * Time and sleep are injected (recon_clock) so tests run instantly and
 * StopProvider can interrupt a sleep.
 */
#ifndef RECON_WAIT_H
#define RECON_WAIT_H

#include <stdbool.h>
#include <stdint.h>
#include "base/base_err.h"

/*
 * The clock. now_ms returns a monotonic time in milliseconds. sleep_ms
 * sleeps and returns BASE_OK, or BASE_ECANCELLED when woken by cancellation
 * (the wait then returns BASE_ECANCELLED at once). Both are called from the
 * waiting thread only; ctx must make them thread-safe if the clock is shared.
 */
typedef struct recon_clock {
	uint64_t (*now_ms)(void *ctx);
	int (*sleep_ms)(void *ctx, unsigned ms);
	void *ctx;
} recon_clock;

/*
 * Wait parameters.
 *   delay_ms     sleep before the first poll (0 = poll at once)
 *   first_ms     first interval between polls (0 = 100)
 *   max_ms       interval cap (0 = 5000)
 *   timeout_ms   total budget from the call (0 = no deadline); the last poll
 *                happens at the deadline at the latest
 *   consecutive  number of consecutive done reads required (0 = 1), like
 *                Terraform's ContinuousTargetOccurence (ENIs: several reads)
 */
typedef struct recon_wait_cfg {
	unsigned delay_ms, first_ms, max_ms;
	uint64_t timeout_ms;
	unsigned consecutive;
} recon_wait_cfg;

/*
 * Poll callback: sets *done and returns BASE_OK, or returns an error code to
 * end the wait with that code.
 */
typedef int (*recon_poll_fn)(void *ctx, bool *done);

/*
 * Polls until done. Returns BASE_OK when done; the poll's error code;
 * BASE_ETIMEOUT when the deadline passed without done; BASE_ECANCELLED when
 * sleep_ms reported cancellation. *polls_out (may be NULL) = number of poll
 * calls made. Reentrant.
 */
BASE_MUST_USE int recon_wait_until(const recon_clock *clk, const recon_wait_cfg *cfg, recon_poll_fn poll,
                                   void *ctx, unsigned *polls_out);

/*
 * A retry loop for operations that AWS answers "not yet" (IAM propagation,
 * DependencyViolation, update in progress): the caller calls the operation,
 * and on a retryable error calls recon_backoff_sleep, which sleeps the next
 * interval (same growth and cap as recon_wait_until, clamped to the
 * deadline). Caller-allocated; init then use from one thread.
 */
typedef struct recon_backoff {
	const recon_clock *clk;
	recon_wait_cfg cfg;
	uint64_t deadline; /* UINT64_MAX = none */
	unsigned k;        /* sleeps done */
} recon_backoff;

/* Starts a backoff now; cfg->timeout_ms is the budget (0 = none). */
void recon_backoff_init(recon_backoff *b, const recon_clock *clk, const recon_wait_cfg *cfg);

/* Sleeps the next interval. Returns BASE_OK; BASE_ETIMEOUT when the
 * deadline has already passed (nothing slept: give up and report the last
 * error); BASE_ECANCELLED when the sleep was cancelled. */
BASE_MUST_USE int recon_backoff_sleep(recon_backoff *b);

/*
 * The interval before poll number k+1 (k >= 1 polls done so far), without
 * the deadline clamp: min(first_ms * 2^(k-1), max_ms) with the defaults
 * applied. Pure; exposed for tests and logs.
 */
unsigned recon_wait_interval(const recon_wait_cfg *cfg, unsigned k);

#endif
