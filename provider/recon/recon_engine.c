/* recon_engine.c - dependency-ordered task runner on a bounded thread pool. */
#include "recon/recon_engine.h"

#include <pthread.h>
#include <stdint.h>

#include "aws/aws_deadline.h"
#include "base/base_alloc.h"

#define ENGINE_DEFAULT_WORKERS 4
#define ENGINE_MAX_WORKERS 32

struct engine {
	const recon_engine_cfg *cfg;
	const recon_engine_task *tasks;
	size_t n;
	recon_task_status *status;
	int *codes;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t *pending;   /* unfinished dependencies per task */
	size_t *dep_start; /* dependents of task i: dependents[dep_start[i] .. dep_start[i+1]) */
	size_t *dependents;
	unsigned char *started;
	size_t running;
	bool stop, was_cancelled;
	aws_deadline deadline; /* the caller's AWS deadline, set in every worker */
	int first_rc;
	size_t first_failed;
};

/* Builds the reverse adjacency and checks indices and acyclicity (Kahn). */
static int engine_prepare(struct engine *e)
{
	size_t i, j, total = 0, seen = 0, head = 0, tail = 0;
	size_t *fill, *queue, *indeg;
	int rc = BASE_OK;

	e->pending = base_xcalloc(e->n + 1, sizeof *e->pending);
	e->dep_start = base_xcalloc(e->n + 2, sizeof *e->dep_start);
	e->started = base_xcalloc(e->n + 1, 1);
	for (i = 0; i < e->n; i++) {
		for (j = 0; j < e->tasks[i].n_deps; j++) {
			size_t d = e->tasks[i].deps[j];
			if (d >= e->n || d == i)
				return BASE_EINVALID;
			e->dep_start[d + 1]++;
			total++;
		}
		e->pending[i] = e->tasks[i].n_deps;
	}
	for (i = 0; i < e->n; i++)
		e->dep_start[i + 1] += e->dep_start[i];
	e->dependents = base_xcalloc(total + 1, sizeof *e->dependents);
	fill = base_xcalloc(e->n + 1, sizeof *fill);
	for (i = 0; i < e->n; i++)
		for (j = 0; j < e->tasks[i].n_deps; j++) {
			size_t d = e->tasks[i].deps[j];
			e->dependents[e->dep_start[d] + fill[d]++] = i;
		}
	base_free(fill);

	queue = base_xcalloc(e->n + 1, sizeof *queue);
	indeg = base_xcalloc(e->n + 1, sizeof *indeg);
	for (i = 0; i < e->n; i++) {
		indeg[i] = e->pending[i];
		if (indeg[i] == 0)
			queue[tail++] = i;
	}
	while (head < tail) {
		size_t t = queue[head++];
		seen++;
		for (j = e->dep_start[t]; j < e->dep_start[t + 1]; j++)
			if (--indeg[e->dependents[j]] == 0)
				queue[tail++] = e->dependents[j];
	}
	if (seen != e->n)
		rc = BASE_EINVALID;
	base_free(queue);
	base_free(indeg);
	return rc;
}

/* Lowest-index task that is ready and not started; n when none. Lock held. */
static size_t engine_pick(const struct engine *e)
{
	size_t i;
	for (i = 0; i < e->n; i++)
		if (!e->started[i] && e->pending[i] == 0)
			return i;
	return e->n;
}

static void *engine_worker(void *arg)
{
	struct engine *e = arg;
	aws_deadline_set(&e->deadline); /* AWS calls of the tasks share the caller's deadline */
	pthread_mutex_lock(&e->mu);
	for (;;) {
		size_t pick, j;
		int rc;

		pick = e->stop ? e->n : engine_pick(e);
		if (pick != e->n && e->cfg->cancelled && e->cfg->cancelled(e->cfg->ctx)) {
			e->stop = true;
			e->was_cancelled = true;
			pick = e->n;
		}
		if (pick == e->n) {
			if (e->stop || e->running == 0) {
				/* Nothing can become ready any more: done. */
				pthread_cond_broadcast(&e->cv);
				break;
			}
			pthread_cond_wait(&e->cv, &e->mu);
			continue;
		}
		e->started[pick] = 1;
		e->running++;
		pthread_mutex_unlock(&e->mu);

		rc = e->cfg->run(e->cfg->ctx, pick);

		pthread_mutex_lock(&e->mu);
		e->running--;
		if (e->codes)
			e->codes[pick] = rc;
		if (rc != 0) {
			e->status[pick] = RECON_TASK_FAILED;
			if (e->first_rc == 0) {
				e->first_rc = rc;
				e->first_failed = pick;
			}
			e->stop = true;
		} else {
			e->status[pick] = RECON_TASK_OK;
			for (j = e->dep_start[pick]; j < e->dep_start[pick + 1]; j++)
				e->pending[e->dependents[j]]--;
		}
		pthread_cond_broadcast(&e->cv);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

int recon_engine_run(const recon_engine_cfg *cfg, const recon_engine_task *tasks, size_t n,
                     recon_task_status *status, int *codes, size_t *first_failed)
{
	struct engine e = {0};
	pthread_t th[ENGINE_MAX_WORKERS];
	unsigned w, started_threads = 0, i;
	int rc;

	e.cfg = cfg;
	e.tasks = tasks;
	e.n = n;
	e.status = status;
	e.codes = codes;
	e.first_failed = n;
	e.deadline = aws_deadline_get();
	for (i = 0; i < n; i++) {
		status[i] = RECON_TASK_NOT_RUN;
		if (codes)
			codes[i] = 0;
	}
	if (first_failed)
		*first_failed = n;

	rc = engine_prepare(&e);
	if (rc != BASE_OK)
		goto done;
	if (n == 0)
		goto done;

	w = cfg->workers ? cfg->workers : ENGINE_DEFAULT_WORKERS;
	if (w > ENGINE_MAX_WORKERS)
		w = ENGINE_MAX_WORKERS;
	if (w > n)
		w = (unsigned)n;
	pthread_mutex_init(&e.mu, NULL);
	pthread_cond_init(&e.cv, NULL);
	/* The caller is one of the w workers: it would only wait in
	 * pthread_join otherwise. One thread fewer per run (issue 13: ten
	 * refreshes at once ran ~100 threads, each keeping its stack pages). A
	 * thread that cannot be started leaves its share to the others. */
	for (i = 0; i + 1 < w; i++) {
		if (pthread_create(&th[i], NULL, engine_worker, &e) != 0)
			break;
		started_threads++;
	}
	engine_worker(&e);
	for (i = 0; i < started_threads; i++)
		pthread_join(th[i], NULL);
	if (e.first_rc != 0)
		rc = e.first_rc;
	else if (e.was_cancelled)
		rc = BASE_ECANCELLED;
	else if (engine_pick(&e) != n)
		rc = BASE_ERR;
	pthread_cond_destroy(&e.cv);
	pthread_mutex_destroy(&e.mu);
	if (rc == BASE_OK) {
		/* Defensive: every task must have run. */
		for (i = 0; i < n; i++)
			if (status[i] != RECON_TASK_OK) {
				rc = e.was_cancelled ? BASE_ECANCELLED : BASE_ERR;
				break;
			}
	}
	if (first_failed)
		*first_failed = e.first_failed;
done:
	base_free(e.pending);
	base_free(e.dep_start);
	base_free(e.dependents);
	base_free(e.started);
	return rc;
}
