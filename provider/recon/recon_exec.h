/*
 * recon_exec.h - apply and destroy a bundle: diff, then run the steps
 * through aws_ec2 / aws_iam / aws_lambda on recon_engine's worker pool.
 *
 * The entry points the resource layer (provider/secure_function) calls:
 *
 *   recon_observe(...)                 (recon_observe.h) Read / Import / before apply
 *   recon_apply(c, a, desired, state, opts, &fail)     create / update / repair
 *   recon_destroy(c, a, state, opts, &fail)            delete everything we own
 *
 * Contract common to apply and destroy:
 *  - `state` is in/out: on entry what exists (from recon_observe; an empty
 *    zeroed state for a plain create), on return what exists NOW - also
 *    when an error is returned. No ID is ever lost: save it as the
 *    (partial) resource state, Terraform taints a failed create, and the
 *    next apply / destroy continues from there. Every string the call adds
 *    to state is allocated in arena `a` (state may keep pointing at older
 *    strings of the caller's; arrays grow by reallocation in `a`, and
 *    removals compact the state's arrays in place - pass arrays you own).
 *  - Steps run concurrently where independent; the first hard failure stops
 *    scheduling, in-flight steps finish, and the failure is described in
 *    *fail (which step, its key, the BASE_E* code, the aws_error, a detail
 *    sentence for the diagnostic).
 *  - Every object created carries desired->tags + default tags (merged by the
 *    caller in desired->tags) + lambdavpc:function=<name>; before creating,
 *    an object with that tag (or our deterministic name) is looked up and
 *    adopted, so an apply killed half-way converges next time.
 *  - Waits (Lambda Active / LastUpdateStatus, endpoint available, subnet
 *    available, function gone, Lambda ENIs released) poll from 100 ms
 *    doubling to a cap; retries on IAM propagation, update-in-progress and
 *    DependencyViolation are bounded by the deadline (desired->timeouts or
 *    opts). aws_client_cancel() (StopProvider) interrupts every wait.
 * Thread safety: reentrant; the client is shared, everything else is per
 * call.
 */
#ifndef RECON_EXEC_H
#define RECON_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include "aws/aws_client.h"
#include "aws/aws_error.h"
#include "base/base_arena.h"
#include "base/base_err.h"
#include "recon/recon_model.h"
#include "recon/recon_wait.h"

/* What failed. kind == 0 when no step failed (e.g. the plan was invalid). */
typedef struct recon_failure {
	recon_step_kind kind;
	const char *key;  /* the step's key (arena of the call) */
	int code;         /* BASE_E* */
	aws_error err;    /* the AWS error when code == BASE_EAWS (else may be empty) */
	char detail[512]; /* one or two sentences for the diagnostic detail */
} recon_failure;

/*
 * Options; a NULL pointer or zero fields = defaults.
 *   workers        concurrent steps (0 = 6)
 *   clock          NULL = monotonic clock + aws_client_sleep_ms (cancellable)
 *   timeout_ms     overall deadline (0 = desired->timeouts: create_ms when the
 *                  function does not exist yet, else update_ms; delete_ms
 *                  for destroy; defaults 10 min / 10 min / 45 min)
 *   poll_cap_ms    cap of the poll interval (0 = 5000; ENI waits use 2x)
 *   log_plan       log the plan at DEBUG level (base_log)
 */
typedef struct recon_options {
	unsigned workers;
	const recon_clock *clock;
	uint64_t timeout_ms;
	unsigned poll_cap_ms;
	bool log_plan;
} recon_options;

/*
 * Creates or updates the bundle so that it matches desired (see
 * recon_diff_apply for what is planned). state: see above; state->function_name
 * and vpc_id are set from desired. Returns BASE_OK; BASE_EINVALID for a
 * desired that cannot be planned; otherwise the first failed step's code
 * (BASE_EAWS, BASE_ECONFLICT for an object of the same name we do not own,
 * BASE_ETIMEOUT, BASE_ECANCELLED, ...), with *fail filled.
 */
BASE_MUST_USE int recon_apply(aws_client *c, base_arena *a, const recon_desired *desired, recon_state *state,
                              const recon_options *opts, recon_failure *fail);

/*
 * Deletes every part of the bundle this function owns, in DESIGN.md's
 * order (recon_diff_destroy); reused endpoints are released, never deleted.
 * On BASE_OK, state is empty except function_name / vpc_id. Not-found
 * answers count as deleted. Errors as for recon_apply; a
 * DependencyViolation still present when the deadline passes is reported
 * as BASE_ETIMEOUT with the AWS error.
 */
BASE_MUST_USE int recon_destroy(aws_client *c, base_arena *a, recon_state *state, const recon_options *opts,
                                recon_failure *fail);

/* Runs an already computed plan (tests, tools). desired may be NULL for a
 * destroy plan. Same contract as recon_apply. */
BASE_MUST_USE int recon_exec_plan(aws_client *c, base_arena *a, const recon_desired *desired,
                                  const recon_plan *plan, recon_state *state, const recon_options *opts,
                                  recon_failure *fail);

#endif
