/*
 * recon_engine.h - runs a list of tasks with dependencies on a bounded pool
 * of worker threads (pthreads).
 *
 * The engine knows nothing about AWS: a task is an index into the caller's
 * list and a callback runs it. Independent tasks run concurrently, up to
 * `workers` at a time; a task starts only after every task it depends on
 * succeeded. On the first failure (a task returning non-zero) or on
 * cancellation the engine schedules nothing new, waits for the tasks
 * already running, and returns. Tasks are preferred in index order when
 * several are ready, so a single worker runs a plan in list order.
 */
#ifndef RECON_ENGINE_H
#define RECON_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include "base/base_err.h"

/* Outcome of one task after recon_engine_run. */
typedef enum recon_task_status {
	RECON_TASK_NOT_RUN = 0, /* never started (a dependency failed, or stopped early) */
	RECON_TASK_OK = 1,      /* ran and returned 0 */
	RECON_TASK_FAILED = 2   /* ran and returned non-zero (its code in codes[i]) */
} recon_task_status;

/* Dependencies of one task: indices of tasks that must succeed first. */
typedef struct recon_engine_task {
	const size_t *deps;
	size_t n_deps;
} recon_engine_task;

/*
 * How to run. run(ctx, i) executes task i and returns 0 or a BASE_E* code;
 * it is called from worker threads, several at once (the thread that called
 * recon_engine_run is one of them), so it must be thread-safe with respect
 * to ctx. cancelled (may be NULL) is polled before
 * each task is started; once it returns true nothing new starts.
 * workers: maximum concurrent tasks (0 = 4; capped at 32).
 */
typedef struct recon_engine_cfg {
	unsigned workers;
	int (*run)(void *ctx, size_t index);
	bool (*cancelled)(void *ctx);
	void *ctx;
} recon_engine_cfg;

/*
 * Runs tasks[0..n). status (required, n entries) receives each task's
 * outcome; codes (may be NULL, n entries) the return code of each task that
 * ran (0 for the others). *first_failed (may be NULL) = index of the first
 * task that failed (in completion order), or n when none did.
 * Returns BASE_OK when every task succeeded; the code of the first failed
 * task; BASE_ECANCELLED when cancellation stopped the run without a
 * failure; BASE_EINVALID when a dependency index is out of range, refers to
 * the task itself, or the dependencies contain a cycle (then nothing runs).
 * A worker thread that cannot be started leaves its share to the others
 * (the calling thread always works), so fewer threads only mean less
 * concurrency.
 * Thread safety: reentrant; each call uses the calling thread and up to
 * workers - 1 threads of its own.
 */
BASE_MUST_USE int recon_engine_run(const recon_engine_cfg *cfg, const recon_engine_task *tasks, size_t n,
                                   recon_task_status *status, int *codes, size_t *first_failed);

#endif
