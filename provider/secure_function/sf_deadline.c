/*
 * sf_deadline.c - the operation's `timeouts` budget as the deadline of every
 * AWS call of an apply (aws_deadline.h): set when the apply starts, so the
 * observe, every reconcile step and every retry are bounded by it, and an
 * endpoint that never answers fails the apply in about the configured time
 * with a message naming the call and the budget.
 */
#include "secure_function/sf_int.h"

#include "aws/aws_deadline.h"
#include "secure_function/sf_ops_int.h"

/* The documented defaults (docs: Timeouts). */
static const char *const DEFAULTS[SF_TO_COUNT] = {"30m", "30m", "45m"};

void sf__deadline_begin(base_arena *a, const sf_config *m, sf_timeouts_field op)
{
	const char *text = DEFAULTS[op];
	const char *set = NULL;
	uint64_t ms = 0;
	if (sf_has(m, SF_A_TIMEOUTS) && (m->timeouts.present & SF_BIT(op))) {
		set = op == SF_TO_CREATE   ? m->timeouts.create
		      : op == SF_TO_UPDATE ? m->timeouts.update
		                           : m->timeouts.delete_;
	}
	if (set && sf__duration_ms(set, &ms) == BASE_OK && ms > 0)
		text = set;
	else if (sf__duration_ms(text, &ms) != BASE_OK)
		ms = 0;
	aws_deadline d = {0, NULL};
	if (ms > 0) {
		d.at_ms = aws_deadline_now_ms() + ms;
		d.what = base_arena_sprintf(a, "the %s timeout of %s (timeouts.%s)",
		                            sf_timeouts_field_name(op), text, sf_timeouts_field_name(op));
	}
	aws_deadline_set(&d);
}

void sf__deadline_end(void)
{
	aws_deadline_set(NULL);
}
