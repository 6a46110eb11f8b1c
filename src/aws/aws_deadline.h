/*
 * aws_deadline.h - the operation deadline of AWS calls (prefix aws_deadline_).
 *
 * Terraform gives each operation a budget (`timeouts { create = "20s" }`).
 * The caller that knows it (sf_apply) sets a per-thread deadline; the recon
 * engine copies it into its worker threads; aws_client_send bounds every
 * attempt by what is left of it (the transport's connect and total timeouts) and
 * never sleeps for a retry past it. When the deadline passes the call fails
 * with BASE_ETIMEOUT, err->code "OperationTimeout" and a message naming the
 * call and `what` (e.g. "the create timeout of 20s (timeouts.create)").
 *
 * The arithmetic (aws_deadline_clamp, aws_deadline_sleep_fits) is pure.
 * THREAD SAFETY: the deadline is per thread (base_deadline.h); the rest is reentrant.
 */
#ifndef AWS_DEADLINE_H
#define AWS_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/base_deadline.h"

/* The per-thread value lives in src/base (base_deadline.h). */
typedef base_deadline aws_deadline;

/* This thread's deadline ({0, NULL} when none was set). */
aws_deadline aws_deadline_get(void);

/* Sets (d non-NULL) or clears (NULL) this thread's deadline. */
void aws_deadline_set(const aws_deadline *d);

/* CLOCK_MONOTONIC now in milliseconds (the clock of at_ms). */
uint64_t aws_deadline_now_ms(void);

/* The per-attempt limits of one HTTP exchange, in milliseconds. */
typedef struct aws_deadline_limits {
	unsigned connect_ms, idle_ms, total_ms;
} aws_deadline_limits;

/*
 * Cuts each limit of *l to what is left of the deadline at_ms at now_ms
 * (never below 1 ms, since 0 means "the default" to the transport).
 * at_ms == 0: *l unchanged. Returns false (l unchanged) when the deadline
 * has passed (now_ms >= at_ms). Pure.
 */
bool aws_deadline_clamp(uint64_t at_ms, uint64_t now_ms, aws_deadline_limits *l);

/* true when sleeping delay_ms from now_ms ends before at_ms (or at_ms == 0). Pure. */
bool aws_deadline_sleep_fits(uint64_t at_ms, uint64_t now_ms, unsigned delay_ms);

#endif
