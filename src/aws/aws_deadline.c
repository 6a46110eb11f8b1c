/*
 * aws_deadline.c - the per-thread operation deadline of AWS calls
 * (see aws_deadline.h).
 */
#include "aws/aws_deadline.h"

#include <time.h>

aws_deadline aws_deadline_get(void)
{
	return base_deadline_get();
}

void aws_deadline_set(const aws_deadline *d)
{
	base_deadline_set(d);
}

uint64_t aws_deadline_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static unsigned cut(unsigned v, uint64_t left)
{
	if (v == 0 || (uint64_t)v > left)
		return left > 0xffffffffu ? 0xffffffffu : (unsigned)left;
	return v;
}

bool aws_deadline_clamp(uint64_t at_ms, uint64_t now_ms, aws_deadline_limits *l)
{
	if (at_ms == 0)
		return true;
	if (now_ms >= at_ms)
		return false;
	uint64_t left = at_ms - now_ms; /* >= 1 */
	l->connect_ms = cut(l->connect_ms, left);
	l->idle_ms = cut(l->idle_ms, left);
	l->total_ms = cut(l->total_ms, left);
	return true;
}

bool aws_deadline_sleep_fits(uint64_t at_ms, uint64_t now_ms, unsigned delay_ms)
{
	return at_ms == 0 || now_ms + delay_ms < at_ms;
}
