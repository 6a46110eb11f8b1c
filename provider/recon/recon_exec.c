/*
 * recon_exec.c - runs a plan: one worker per step on recon_engine, each step
 * dispatched through the step table (recon_steps.c); the first failure is
 * recorded in *fail. The steps themselves are in the part files.
 */
#include "recon/recon_exec.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/base_buf.h"
#include "base/base_log.h"
#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_engine.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_int.h"

#define MIN_10 (10ull * 60 * 1000)
#define MIN_45 (45ull * 60 * 1000)

static uint64_t real_now(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int real_sleep(void *ctx, unsigned ms)
{
	return aws_client_sleep_ms((aws_client *)ctx, ms);
}

static uint64_t ex_left(struct ex *x)
{
	uint64_t now = x->clk.now_ms(x->clk.ctx);
	return now >= x->deadline ? 1 : x->deadline - now;
}

recon_wait_cfg recon__ex_wait_cfg(struct ex *x, unsigned cap_mul)
{
	recon_wait_cfg w;
	memset(&w, 0, sizeof w);
	w.first_ms = 100;
	w.max_ms = x->poll_cap * cap_mul;
	w.timeout_ms = ex_left(x);
	return w;
}

void recon__ex_fail(struct ex *x, const recon_step *st, int rc, const aws_error *e, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&x->mu);
	if (!x->failed) {
		x->failed = true;
		x->fail->kind = st ? st->kind : 0;
		x->fail->key = st ? recon__cp(x->a, st->key) : NULL;
		x->fail->code = rc;
		if (e)
			x->fail->err = *e;
		va_start(ap, fmt);
		vsnprintf(x->fail->detail, sizeof x->fail->detail, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&x->mu);
}

bool recon__err_msg_has(const aws_error *e, const char *needle)
{
	return strstr(e->message, needle) != NULL;
}

bool recon__gone(int rc, const aws_error *e)
{
	return rc == BASE_ENOTFOUND || (rc == BASE_EAWS && aws_error_is_not_found(e));
}

int recon__ok_if_gone(int rc, const aws_error *e)
{
	return recon__gone(rc, e) ? BASE_OK : rc;
}

static int ex_run(void *ctx, size_t i)
{
	struct ex *x = ctx;
	const recon_step *st = &x->p->v[i];
	const recon_step_def *def = recon__step_def(st->kind);
	base_arena *t = base_arena_new();
	aws_error e;
	int rc;

	aws_error_clear(&e);
	BASE_DEBUG("recon", "step %zu %s %s", i, recon_step_kind_name(st->kind), st->key ? st->key : "");
	if (def) {
		rc = def->run(x, t, st, &e);
	} else {
		aws_error_setf(&e, 0, "InvalidPlan", "unknown step kind %d", (int)st->kind);
		rc = BASE_EINVALID;
	}
	if (rc != BASE_OK)
		recon__ex_fail(x, st, rc, &e, "%s %s failed: %s", recon_step_kind_name(st->kind),
		               st->key ? st->key : "", e.message[0] ? e.message : base_err_str(rc));
	base_arena_free(t);
	return rc;
}

static bool ex_cancelled(void *ctx)
{
	struct ex *x = ctx;
	return aws_client_cancelled(x->c);
}

/* Fills the run context; BASE_EINVALID (fail filled) without a function name. */
static int ex_init(struct ex *x, aws_client *c, base_arena *a, const recon_desired *d, const recon_plan *plan,
                   recon_state *state, const recon_options *opts, recon_failure *fail)
{
	aws_tag *owner;
	uint64_t budget;
	*x = (struct ex){.c = c, .a = a, .d = d, .s = state, .p = plan, .fail = fail};
	x->fn = d ? d->function_name : state->function_name ? state->function_name : state->fn.name;
	x->vpc = d ? d->vpc_id : state->vpc_id;
	if (!x->fn) {
		fail->code = BASE_EINVALID;
		snprintf(fail->detail, sizeof fail->detail,
		         "no function name in the desired bundle or state");
		return BASE_EINVALID;
	}
	if (opts->clock) {
		x->clk = *opts->clock;
	} else {
		x->clk.now_ms = real_now;
		x->clk.sleep_ms = real_sleep;
		x->clk.ctx = c;
	}
	x->poll_cap = opts->poll_cap_ms ? opts->poll_cap_ms : 5000;
	budget = opts->timeout_ms;
	if (!budget && d)
		budget = state->fn.name ? d->timeouts.update_ms : d->timeouts.create_ms;
	if (!budget && !d && state)
		budget = MIN_45;
	if (!budget)
		budget = MIN_10;
	x->deadline = x->clk.now_ms(x->clk.ctx) + budget;
	owner = base_arena_calloc(a, 1, sizeof *owner);
	owner->key = RECON_OWNER_TAG;
	owner->value = x->fn;
	x->rule_tags = (aws_tags){owner, 1};
	x->tags = d ? recon_owned_tags(a, d) : x->rule_tags;
	return BASE_OK;
}

static void log_plan(const struct ex *x)
{
	base_buf b;
	base_buf_init(&b, 1 << 20);
	if (recon_plan_format(x->p, &b) == BASE_OK)
		BASE_DEBUG("recon", "plan for %s:\n%s", x->fn, base_buf_cstr(&b));
	base_buf_dispose(&b);
}

/* The shared objects x's plan decides about (recon_leavers.c): the
 * endpoint of every interface service it leaves, the shared SGs when it
 * plans their delete. */
static void join_leavers(struct ex *x)
{
	size_t i;
	for (i = 0; i < x->p->n; i++) {
		const recon_step *st = &x->p->v[i];
		recon_endpoint cur;
		if (st->kind == RECON_STEP_EP_DELETE && recon__st_endpoint(x, st->key, &cur) && cur.id &&
		    !cur.gateway) {
			char *key = base_arena_sprintf(x->a, "uses:%s", st->key);
			recon__leavers_join(x, key);
		}
		if (st->kind == RECON_STEP_SG_DELETE &&
		    base_str_eq(st->key, recon_sg_which_name(RECON_SG_ENDPOINT)))
			recon__leavers_join(x, RECON_LEAVE_SHARED_SGS);
	}
}

int recon_exec_plan(aws_client *c, base_arena *a, const recon_desired *d, const recon_plan *plan,
                    recon_state *state, const recon_options *opts, recon_failure *fail)
{
	struct ex x;
	recon_options none;
	recon_engine_task *tasks;
	recon_task_status *st;
	recon_engine_cfg cfg;
	size_t i;
	int rc;

	memset(&none, 0, sizeof none);
	if (!opts)
		opts = &none;
	memset(fail, 0, sizeof *fail);
	rc = ex_init(&x, c, a, d, plan, state, opts, fail);
	if (rc != BASE_OK)
		return rc;
	pthread_mutex_init(&x.mu, NULL);
	pthread_mutex_init(&x.leave_mu, NULL);
	if (opts->log_plan && base_log_enabled(BASE_LOG_DEBUG))
		log_plan(&x);
	tasks = base_arena_calloc(a, plan->n + 1, sizeof *tasks);
	st = base_arena_calloc(a, plan->n + 1, sizeof *st);
	for (i = 0; i < plan->n; i++) {
		tasks[i].deps = plan->v[i].deps;
		tasks[i].n_deps = plan->v[i].n_deps;
	}
	join_leavers(&x);
	cfg.workers = opts->workers ? opts->workers : 6;
	cfg.run = ex_run;
	cfg.cancelled = ex_cancelled;
	cfg.ctx = &x;
	rc = recon_engine_run(&cfg, tasks, plan->n, st, NULL, NULL);
	if (rc != BASE_OK && !x.failed) {
		fail->code = rc;
		snprintf(fail->detail, sizeof fail->detail, "%s",
		         rc == BASE_ECANCELLED
		                 ? "The operation was cancelled (Terraform asked the provider to stop)."
		                 : base_err_str(rc));
	}
	if (rc != BASE_OK && x.failed && fail->code != 0)
		rc = fail->code;
	recon__leavers_end(&x);
	recon__ep_group_free(&x);
	pthread_mutex_destroy(&x.leave_mu);
	pthread_mutex_destroy(&x.mu);
	return rc;
}

int recon_apply(aws_client *c, base_arena *a, const recon_desired *d, recon_state *state,
                const recon_options *opts, recon_failure *fail)
{
	recon_plan plan = {0};
	int rc;
	memset(fail, 0, sizeof *fail);
	rc = recon_diff_apply(a, d, state, &plan);
	if (rc != BASE_OK) {
		fail->code = rc;
		snprintf(fail->detail, sizeof fail->detail, "function_name and vpc_id are required");
		return rc;
	}
	state->function_name = recon__cp(a, d->function_name);
	state->vpc_id = recon__cp(a, d->vpc_id);
	return recon_exec_plan(c, a, d, &plan, state, opts, fail);
}

int recon_destroy(aws_client *c, base_arena *a, recon_state *state, const recon_options *opts,
                  recon_failure *fail)
{
	recon_plan plan = {0};
	int rc;
	memset(fail, 0, sizeof *fail);
	rc = recon_diff_destroy(a, state, &plan);
	if (rc != BASE_OK)
		return rc;
	if (plan.n == 0)
		return BASE_OK;
	return recon_exec_plan(c, a, NULL, &plan, state, opts, fail);
}
