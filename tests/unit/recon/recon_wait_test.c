/* recon_wait_test.c - poll intervals, deadline, cancellation with a fake clock. */
#include "t.h"

#include <string.h>

#include "recon/recon_wait.h"

struct fake_clock {
	uint64_t now;
	unsigned sleeps[32];
	unsigned n_sleeps;
	unsigned cancel_at;   /* 1-based sleep number that reports cancellation; 0 = never */
};

static uint64_t fc_now(void *ctx) { return ((struct fake_clock *)ctx)->now; }

static int fc_sleep(void *ctx, unsigned ms)
{
	struct fake_clock *c = ctx;
	if (c->n_sleeps < 32)
		c->sleeps[c->n_sleeps] = ms;
	c->n_sleeps++;
	if (c->cancel_at && c->n_sleeps == c->cancel_at)
		return BASE_ECANCELLED;
	c->now += ms;
	return BASE_OK;
}

struct poller {
	unsigned calls, done_at; /* done from call done_at on (1-based); 0 = never */
	int fail_at_rc;
	unsigned fail_at;
};

static int poll_fn(void *ctx, bool *done)
{
	struct poller *p = ctx;
	p->calls++;
	if (p->fail_at && p->calls == p->fail_at)
		return p->fail_at_rc;
	*done = p->done_at && p->calls >= p->done_at;
	return BASE_OK;
}

/* One recon_wait_until run against a fresh fake clock and poller. */
struct wait_case {
	recon_wait_cfg cfg;
	unsigned done_at; /* the poller's done_at */
	int rc;           /* wanted return code */
	bool count_polls; /* pass a polls_out and check it against polls (else NULL) */
	unsigned polls;
	bool check_now;   /* check the clock's end time against now */
	uint64_t now;
	bool check_n_sleeps; /* check the sleep count against n_sleeps */
	unsigned n_sleeps;
	const unsigned *sleeps; /* wanted first n_cmp sleeps */
	size_t n_cmp;
};

static void run_wait_case(const struct wait_case *k, struct fake_clock *c)
{
	recon_clock clk = { fc_now, fc_sleep, c };
	struct poller p = { 0 };
	unsigned polls = 0;
	memset(c, 0, sizeof *c);
	p.done_at = k->done_at;
	T_ASSERT_INT(recon_wait_until(&clk, &k->cfg, poll_fn, &p, k->count_polls ? &polls : NULL), k->rc);
	if (k->count_polls)
		T_ASSERT_INT(polls, k->polls);
	if (k->check_now)
		T_ASSERT_INT(c->now, k->now);
	if (k->check_n_sleeps)
		T_ASSERT_INT(c->n_sleeps, k->n_sleeps);
	T_ASSERT_MEM(c->sleeps, k->n_cmp * sizeof(unsigned), k->sleeps, k->n_cmp * sizeof(unsigned));
}

#define WANT(a) (a), (sizeof(a) / sizeof((a)[0]))

void test_recon_wait__doubling_intervals(void)
{
	static const unsigned want[] = { 100, 200, 400, 800, 1600 };
	const struct wait_case k = { .cfg = { 0 }, .done_at = 6, .rc = BASE_OK, .count_polls = true, .polls = 6,
	                             .check_n_sleeps = true, .n_sleeps = 5, .sleeps = WANT(want) };
	struct fake_clock c;
	run_wait_case(&k, &c);
}

void test_recon_wait__cap(void)
{
	static const unsigned want[] = { 100, 200, 400, 800, 1000, 1000 };
	const struct wait_case k = { .cfg = { 0, 100, 1000, 0, 0 }, .done_at = 7, .rc = BASE_OK, .sleeps = WANT(want) };
	struct fake_clock c;
	run_wait_case(&k, &c);
	T_ASSERT_INT(recon_wait_interval(&k.cfg, 1), 100);
	T_ASSERT_INT(recon_wait_interval(&k.cfg, 40), 1000);
}

void test_recon_wait__deadline(void)
{
	/* The last poll happens exactly at the deadline, never after it. */
	static const unsigned want[] = { 100, 200, 400, 300 };
	const struct wait_case k = { .cfg = { 0, 0, 0, 1000, 0 }, .rc = BASE_ETIMEOUT, .count_polls = true, .polls = 5,
	                             .check_now = true, .now = 1000, .sleeps = WANT(want) };
	struct fake_clock c;
	run_wait_case(&k, &c);
}

void test_recon_wait__cancel_and_errors(void)
{
	struct fake_clock c = { 0 };
	recon_clock clk = { fc_now, fc_sleep, &c };
	recon_wait_cfg cfg = { 0 };
	struct poller p = { 0 };
	unsigned polls = 0;
	c.cancel_at = 2;
	T_ASSERT_INT(recon_wait_until(&clk, &cfg, poll_fn, &p, &polls), BASE_ECANCELLED);
	T_ASSERT_INT(polls, 2);

	memset(&c, 0, sizeof c);
	memset(&p, 0, sizeof p);
	p.fail_at = 3;
	p.fail_at_rc = BASE_EAWS;
	T_ASSERT_INT(recon_wait_until(&clk, &cfg, poll_fn, &p, &polls), BASE_EAWS);
	T_ASSERT_INT(polls, 3);
}

void test_recon_wait__delay_and_consecutive(void)
{
	/* done from the 2nd read on: needs reads 2, 3, 4; the first sleep is the delay */
	static const unsigned want[] = { 5000 };
	const struct wait_case k = { .cfg = { 5000, 0, 0, 0, 3 }, .done_at = 2, .rc = BASE_OK, .count_polls = true,
	                             .polls = 4, .check_n_sleeps = true, .n_sleeps = 4, .sleeps = WANT(want) };
	struct fake_clock c;
	run_wait_case(&k, &c);
}

void test_recon_wait__backoff(void)
{
	struct fake_clock c = { 0 };
	recon_clock clk = { fc_now, fc_sleep, &c };
	recon_wait_cfg cfg = { 0, 0, 0, 500, 0 };
	recon_backoff b;
	static const unsigned want[] = { 100, 200, 200 };
	recon_backoff_init(&b, &clk, &cfg);
	T_OK(recon_backoff_sleep(&b));
	T_OK(recon_backoff_sleep(&b));
	T_OK(recon_backoff_sleep(&b));   /* clamped to the deadline */
	T_ASSERT_INT(recon_backoff_sleep(&b), BASE_ETIMEOUT);
	T_ASSERT_INT(c.n_sleeps, 3);
	T_ASSERT_MEM(c.sleeps, sizeof want, want, sizeof want);
}
