/* recon_wait.c - poll with 100 ms doubling intervals, deadline and cancel. */
#include "recon/recon_wait.h"

#define WAIT_DEFAULT_FIRST_MS 100u
#define WAIT_DEFAULT_MAX_MS 5000u

unsigned recon_wait_interval(const recon_wait_cfg *cfg, unsigned k)
{
	unsigned first = cfg->first_ms ? cfg->first_ms : WAIT_DEFAULT_FIRST_MS;
	unsigned cap = cfg->max_ms ? cfg->max_ms : WAIT_DEFAULT_MAX_MS;
	uint64_t v = first;
	unsigned i;
	if (first > cap)
		return cap;
	for (i = 1; i < k && v < cap; i++)
		v *= 2;
	return v > cap ? cap : (unsigned)v;
}

int recon_wait_until(const recon_clock *clk, const recon_wait_cfg *cfg, recon_poll_fn poll, void *ctx,
                     unsigned *polls_out)
{
	unsigned polls = 0, streak = 0;
	unsigned need = cfg->consecutive ? cfg->consecutive : 1;
	uint64_t start = clk->now_ms(clk->ctx);
	uint64_t deadline = cfg->timeout_ms ? start + cfg->timeout_ms : UINT64_MAX;
	int rc;

	if (cfg->delay_ms) {
		uint64_t d = cfg->delay_ms;
		if (cfg->timeout_ms && d > cfg->timeout_ms)
			d = cfg->timeout_ms;
		rc = clk->sleep_ms(clk->ctx, (unsigned)d);
		if (rc != BASE_OK)
			goto done;
	}
	for (;;) {
		bool is_done = false;
		uint64_t now, iv;

		polls++;
		rc = poll(ctx, &is_done);
		if (rc != BASE_OK)
			goto done;
		if (is_done) {
			if (++streak >= need)
				goto done;
		} else {
			streak = 0;
		}
		now = clk->now_ms(clk->ctx);
		if (now >= deadline) {
			rc = BASE_ETIMEOUT;
			goto done;
		}
		iv = recon_wait_interval(cfg, polls);
		if (now + iv > deadline)
			iv = deadline - now;
		rc = clk->sleep_ms(clk->ctx, (unsigned)iv);
		if (rc != BASE_OK)
			goto done;
	}
done:
	if (polls_out)
		*polls_out = polls;
	return rc;
}

void recon_backoff_init(recon_backoff *b, const recon_clock *clk, const recon_wait_cfg *cfg)
{
	b->clk = clk;
	b->cfg = *cfg;
	b->k = 0;
	b->deadline = cfg->timeout_ms ? clk->now_ms(clk->ctx) + cfg->timeout_ms : UINT64_MAX;
}

int recon_backoff_sleep(recon_backoff *b)
{
	uint64_t now = b->clk->now_ms(b->clk->ctx), iv;
	if (now >= b->deadline)
		return BASE_ETIMEOUT;
	iv = recon_wait_interval(&b->cfg, ++b->k);
	if (now + iv > b->deadline)
		iv = b->deadline - now;
	return b->clk->sleep_ms(b->clk->ctx, (unsigned)iv);
}
