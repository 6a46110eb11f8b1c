/* aws_deadline_test.c - the deadline arithmetic (pure) and the per-thread value. */
#include "t.h"

#include <pthread.h>

#include "aws/aws_deadline.h"

void test_aws_deadline__clamp_cuts_every_limit_to_what_is_left(void)
{
	aws_deadline_limits l = {10000, 60000, 300000};
	T_ASSERT(aws_deadline_clamp(120000, 100000, &l)); /* 20 s left */
	T_ASSERT_INT(l.connect_ms, 10000);
	T_ASSERT_INT(l.idle_ms, 20000);
	T_ASSERT_INT(l.total_ms, 20000);
	aws_deadline_limits m = {10000, 60000, 300000};
	T_ASSERT(aws_deadline_clamp(100001, 100000, &m)); /* 1 ms left: never 0 ("default") */
	T_ASSERT_INT(m.connect_ms, 1);
	T_ASSERT_INT(m.idle_ms, 1);
	T_ASSERT_INT(m.total_ms, 1);
}

void test_aws_deadline__clamp_without_deadline_or_past_it(void)
{
	aws_deadline_limits l = {10000, 60000, 300000};
	T_ASSERT(aws_deadline_clamp(0, 5, &l));
	T_ASSERT_INT(l.connect_ms, 10000);
	T_ASSERT_INT(l.total_ms, 300000);
	T_ASSERT(!aws_deadline_clamp(100000, 100000, &l)); /* passed: unchanged */
	T_ASSERT(!aws_deadline_clamp(100000, 200000, &l));
	T_ASSERT_INT(l.idle_ms, 60000);
	/* a zero limit (the transport's default) becomes what is left */
	aws_deadline_limits z = {0, 0, 0};
	T_ASSERT(aws_deadline_clamp(1500, 1000, &z));
	T_ASSERT_INT(z.connect_ms, 500);
	T_ASSERT_INT(z.total_ms, 500);
}

void test_aws_deadline__sleep_fits(void)
{
	T_ASSERT(aws_deadline_sleep_fits(0, 1000, 4000000000u));
	T_ASSERT(aws_deadline_sleep_fits(2000, 1000, 999));
	T_ASSERT(!aws_deadline_sleep_fits(2000, 1000, 1000));
	T_ASSERT(!aws_deadline_sleep_fits(2000, 3000, 0));
}

static void *other_thread(void *arg)
{
	aws_deadline *seen = arg;
	*seen = aws_deadline_get();
	return NULL;
}

void test_aws_deadline__is_per_thread(void)
{
	aws_deadline d = {12345, "the create timeout of 20s (timeouts.create)"}, seen = {1, "x"};
	aws_deadline_set(&d);
	T_ASSERT_INT(aws_deadline_get().at_ms, 12345);
	T_ASSERT_STR(aws_deadline_get().what, "the create timeout of 20s (timeouts.create)");
	pthread_t th;
	T_ASSERT_INT(pthread_create(&th, NULL, other_thread, &seen), 0);
	pthread_join(th, NULL);
	T_ASSERT_INT(seen.at_ms, 0);
	T_ASSERT(seen.what == NULL);
	aws_deadline_set(NULL);
	T_ASSERT_INT(aws_deadline_get().at_ms, 0);
}
