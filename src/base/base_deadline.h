/*
 * base_deadline.h - the calling thread's operation deadline (prefix base_deadline_).
 *
 * The one piece of per-thread state of the project, kept here (STYLE C12):
 * a deadline is set by the code that knows the operation's budget (an
 * apply's `timeouts`) and read by the AWS client deep below it, through
 * layers (typed AWS operations, the reconcile engine) that should not have to
 * pass it along. Code that starts threads for an operation copies it into
 * them (recon_engine). See aws_deadline.h for how it bounds AWS calls.
 *
 * THREAD SAFETY: each thread sees only its own value.
 */
#ifndef BASE_DEADLINE_H
#define BASE_DEADLINE_H

#include <stdint.h>

typedef struct base_deadline {
	uint64_t at_ms;   /* CLOCK_MONOTONIC milliseconds; 0 = no deadline */
	const char *what; /* names the budget in messages; borrowed, must outlive its use */
} base_deadline;

/* This thread's deadline ({0, NULL} when none was set). */
base_deadline base_deadline_get(void);

/* Sets (d non-NULL) or clears (NULL) this thread's deadline. */
void base_deadline_set(const base_deadline *d);

#endif
