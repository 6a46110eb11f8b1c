/* recon_engine_test.c - ordering, real concurrency, failure and cancel with fake tasks. */
#include "t.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "recon/recon_engine.h"

struct runlog {
	pthread_mutex_t mu;
	size_t order[256];
	size_t n;
	atomic_int in_flight, max_in_flight;
	int fail_index;        /* task that fails (-1 none) */
	unsigned sleep_ms;
	atomic_int done;
	int cancel_after;      /* cancelled() true once this many finished (-1 never) */
};

static void nap(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int run_task(void *ctx, size_t i)
{
	struct runlog *l = ctx;
	int now = atomic_fetch_add(&l->in_flight, 1) + 1, m = atomic_load(&l->max_in_flight);
	while (now > m && !atomic_compare_exchange_weak(&l->max_in_flight, &m, now))
		;
	if (l->sleep_ms)
		nap(l->sleep_ms);
	atomic_fetch_sub(&l->in_flight, 1);
	pthread_mutex_lock(&l->mu);
	if (l->n < 256)
		l->order[l->n++] = i;
	pthread_mutex_unlock(&l->mu);
	atomic_fetch_add(&l->done, 1);
	return (int)i == l->fail_index ? BASE_EAWS : BASE_OK;
}

static bool is_cancelled(void *ctx)
{
	struct runlog *l = ctx;
	return l->cancel_after >= 0 && atomic_load(&l->done) >= l->cancel_after;
}

static void log_init(struct runlog *l)
{
	memset(l, 0, sizeof *l);
	pthread_mutex_init(&l->mu, NULL);
	l->fail_index = -1;
	l->cancel_after = -1;
}

static size_t pos_of(const struct runlog *l, size_t task)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (l->order[i] == task)
			return i;
	return (size_t)-1;
}

void test_recon_engine__dependencies_respected(void)
{
	/* 0 -> 2, 1 -> 2, 2 -> 3, 4 independent */
	static const size_t d2[] = { 0, 1 }, d3[] = { 2 };
	const recon_engine_task tasks[5] = { { NULL, 0 }, { NULL, 0 }, { d2, 2 }, { d3, 1 }, { NULL, 0 } };
	recon_task_status st[5];
	int codes[5];
	size_t ff;
	struct runlog l;
	recon_engine_cfg cfg = { 4, run_task, NULL, &l };
	log_init(&l);
	l.sleep_ms = 5;
	T_OK(recon_engine_run(&cfg, tasks, 5, st, codes, &ff));
	T_ASSERT_INT(l.n, 5);
	T_ASSERT_INT(ff, 5);
	T_ASSERT(pos_of(&l, 2) > pos_of(&l, 0));
	T_ASSERT(pos_of(&l, 2) > pos_of(&l, 1));
	T_ASSERT(pos_of(&l, 3) > pos_of(&l, 2));
	T_ASSERT_INT(st[3], RECON_TASK_OK);
}

void test_recon_engine__single_worker_runs_in_list_order(void)
{
	recon_engine_task tasks[6] = { { NULL, 0 } };
	recon_task_status st[6];
	struct runlog l;
	recon_engine_cfg cfg = { 1, run_task, NULL, &l };
	size_t i;
	log_init(&l);
	T_OK(recon_engine_run(&cfg, tasks, 6, st, NULL, NULL));
	for (i = 0; i < 6; i++)
		T_ASSERT_INT(l.order[i], i);
}

void test_recon_engine__runs_concurrently_within_bound(void)
{
	recon_engine_task tasks[12] = { { NULL, 0 } };
	recon_task_status st[12];
	struct runlog l;
	recon_engine_cfg cfg = { 3, run_task, NULL, &l };
	log_init(&l);
	l.sleep_ms = 30;
	T_OK(recon_engine_run(&cfg, tasks, 12, st, NULL, NULL));
	T_ASSERT_INT(l.n, 12);
	T_ASSERT_INT(atomic_load(&l.max_in_flight), 3);
}

void test_recon_engine__failure_stops_dependents(void)
{
	/* 1 fails; 2 depends on 1; 3 is independent but after 1 in list order. */
	static const size_t d1[] = { 1 };
	const recon_engine_task tasks[4] = { { NULL, 0 }, { NULL, 0 }, { d1, 1 }, { NULL, 0 } };
	recon_task_status st[4];
	int codes[4];
	size_t ff;
	struct runlog l;
	recon_engine_cfg cfg = { 1, run_task, NULL, &l };
	log_init(&l);
	l.fail_index = 1;
	T_ASSERT_INT(recon_engine_run(&cfg, tasks, 4, st, codes, &ff), BASE_EAWS);
	T_ASSERT_INT(ff, 1);
	T_ASSERT_INT(st[0], RECON_TASK_OK);
	T_ASSERT_INT(st[1], RECON_TASK_FAILED);
	T_ASSERT_INT(codes[1], BASE_EAWS);
	T_ASSERT_INT(st[2], RECON_TASK_NOT_RUN);
	T_ASSERT_INT(st[3], RECON_TASK_NOT_RUN);  /* nothing new after a failure */
}

void test_recon_engine__failure_waits_for_in_flight(void)
{
	/* 4 independent tasks on 4 workers; task 0 fails at once, the others are
	 * already running and must be allowed to finish (and be reported). */
	recon_engine_task tasks[4] = { { NULL, 0 } };
	recon_task_status st[4];
	struct runlog l;
	recon_engine_cfg cfg = { 4, run_task, NULL, &l };
	int i, ok = 0;
	log_init(&l);
	l.fail_index = 0;
	l.sleep_ms = 20;
	T_ASSERT_INT(recon_engine_run(&cfg, tasks, 4, st, NULL, NULL), BASE_EAWS);
	T_ASSERT_INT(atomic_load(&l.in_flight), 0);
	for (i = 1; i < 4; i++)
		if (st[i] == RECON_TASK_OK)
			ok++;
	T_ASSERT_INT((int)l.n, 1 + ok);  /* every started task was waited for and reported */
}

void test_recon_engine__cancel(void)
{
	static const size_t d0[] = { 0 };
	const recon_engine_task tasks[3] = { { NULL, 0 }, { d0, 1 }, { d0, 1 } };
	recon_task_status st[3];
	struct runlog l;
	recon_engine_cfg cfg = { 2, run_task, is_cancelled, &l };
	log_init(&l);
	l.cancel_after = 1;
	T_ASSERT_INT(recon_engine_run(&cfg, tasks, 3, st, NULL, NULL), BASE_ECANCELLED);
	T_ASSERT_INT(st[0], RECON_TASK_OK);
	T_ASSERT_INT(st[1], RECON_TASK_NOT_RUN);
	T_ASSERT_INT(st[2], RECON_TASK_NOT_RUN);
}

void test_recon_engine__bad_graphs(void)
{
	static const size_t d1[] = { 1 }, d0[] = { 0 }, self[] = { 0 }, far[] = { 7 };
	const recon_engine_task cyc[2] = { { d1, 1 }, { d0, 1 } };
	const recon_engine_task selfdep[1] = { { self, 1 } };
	const recon_engine_task oob[1] = { { far, 1 } };
	recon_task_status st[2];
	struct runlog l;
	recon_engine_cfg cfg = { 2, run_task, NULL, &l };
	log_init(&l);
	T_ASSERT_INT(recon_engine_run(&cfg, cyc, 2, st, NULL, NULL), BASE_EINVALID);
	T_ASSERT_INT(recon_engine_run(&cfg, selfdep, 1, st, NULL, NULL), BASE_EINVALID);
	T_ASSERT_INT(recon_engine_run(&cfg, oob, 1, st, NULL, NULL), BASE_EINVALID);
	T_ASSERT_INT(l.n, 0);
	T_OK(recon_engine_run(&cfg, NULL, 0, st, NULL, NULL));
}

void test_recon_engine__random_dags_no_deadlock(void)
{
	enum { N = 120 };
	static size_t depstore[N][4];
	recon_engine_task tasks[N];
	recon_task_status st[N];
	unsigned seed = 12345;
	int round;
	for (round = 0; round < 20; round++) {
		struct runlog l;
		recon_engine_cfg cfg = { (unsigned)(1 + round % 8), run_task, NULL, &l };
		size_t i, j;
		log_init(&l);
		for (i = 0; i < N; i++) {
			size_t nd = 0;
			for (j = 0; j < 4 && i > 0; j++) {
				seed = seed * 1103515245u + 12345u;
				if ((seed >> 16) % 3 == 0)
					depstore[i][nd++] = (seed >> 8) % i;
			}
			tasks[i].deps = depstore[i];
			tasks[i].n_deps = nd;
		}
		T_OK(recon_engine_run(&cfg, tasks, N, st, NULL, NULL));
		T_ASSERT_INT(l.n, N);
		for (i = 0; i < N; i++)
			for (j = 0; j < tasks[i].n_deps; j++)
				T_ASSERT(pos_of(&l, tasks[i].deps[j]) < pos_of(&l, i));
	}
}

/* Which threads ran the tasks of test_recon_engine__the_caller_is_a_worker. */
static pthread_t ran_on[12];

static int record_thread(void *ctx, size_t i)
{
	ran_on[i] = pthread_self();
	return run_task(ctx, i);
}

void test_recon_engine__the_caller_is_a_worker(void)
{
	/* 12 tasks of 30 ms on 3 workers: the calling thread runs some of them
	 * itself, and at most 2 other threads run the rest. */
	recon_engine_task tasks[12] = {{NULL, 0}};
	recon_task_status st[12];
	struct runlog l;
	recon_engine_cfg cfg = {3, record_thread, NULL, &l};
	pthread_t others[12];
	size_t i, j, n_others = 0;
	bool caller_ran = false;
	log_init(&l);
	l.sleep_ms = 30;
	T_OK(recon_engine_run(&cfg, tasks, 12, st, NULL, NULL));
	T_ASSERT_INT(atomic_load(&l.max_in_flight), 3);
	for (i = 0; i < 12; i++) {
		bool seen = false;
		if (pthread_equal(ran_on[i], pthread_self())) {
			caller_ran = true;
			continue;
		}
		for (j = 0; j < n_others; j++)
			seen = seen || pthread_equal(others[j], ran_on[i]);
		if (!seen)
			others[n_others++] = ran_on[i];
	}
	T_ASSERT(caller_ran);
	T_ASSERT(n_others <= 2);
}
