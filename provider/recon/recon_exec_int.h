/*
 * recon_exec_int.h - what the step files of provider/recon share while a plan
 * runs (never included from another folder; tests of recon may).
 *
 * Map (README.md): recon_exec.c runs a plan through the step table
 * (recon_steps.c); each part's steps live in that part's file
 * (recon_role.c, recon_network.c, recon_sg.c, recon_endpoint.c,
 * recon_function.c); recon_state.c is the ONLY file that reads or writes the
 * live state (x->s): the workers run concurrently, so every access goes
 * through a recon__st_* accessor that takes x->mu. `make check` greps for
 * `x->s` outside recon_state.c.
 */
#ifndef RECON_EXEC_INT_H
#define RECON_EXEC_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws_client.h"
#include "aws/aws_ec2.h"
#include "aws/aws_error.h"
#include "aws/aws_iam.h"
#include "aws/aws_lambda.h"
#include "base/base_arena.h"
#include "recon/recon_exec.h"
#include "recon/recon_model.h"
#include "recon/recon_wait.h"

/* One run of a plan. Everything but s, a (result arena) and fail is
 * read-only while the workers run. */
struct ex {
	aws_client *c;
	base_arena *a;          /* result arena: guarded by mu */
	const recon_desired *d; /* NULL for destroy */
	const char *fn;         /* function name */
	const char *vpc;
	recon_state *s; /* live state: guarded by mu, touched in recon_state.c only */
	const recon_plan *p;
	pthread_mutex_t mu;
	recon_clock clk;
	uint64_t deadline;
	unsigned poll_cap;
	aws_tags tags;       /* tags for created objects */
	aws_tags rule_tags;  /* ownership tag only (SG rules) */
	recon_failure *fail; /* first failure: guarded by mu */
	bool failed;
	bool enis_clear; /* eni.wait succeeded in this run (the function was gone): guarded by mu */
	/* the users registry left in one DeleteTags, and every shared endpoint
	 * this plan leaves settled in one pass (recon_endpoint_share.c):
	 * registry_left and leave_settled are guarded by leave_mu, held across
	 * those calls */
	pthread_mutex_t leave_mu;
	bool registry_left;
	bool leave_settled;
	/* the endpoints that pass leaves nothing to wait for (skipped, kept,
	 * or deleted and seen gone; in x->a): guarded by leave_mu */
	aws_strs eps_done;
	/* the interface endpoints this run joins, worked on together
	 * (recon_endpoint_share.c): guarded by the VPC lock */
	struct recon__ep_group *ep_group;
};

/* ---- destroys still to decide about shared objects (recon_leavers.c) --- */

/* The key of the shared SGs' decision; a service's is "uses:<service>". */
#define RECON_LEAVE_SHARED_SGS "shared-sgs"

/* Registers that x will decide about key (in x->vpc) later. Call before any
 * step of x runs. */
void recon__leavers_join(const struct ex *x, const char *key);

/* x decides about key now: withdraws x's registration and returns true when
 * another destroy of this process is still registered for the same key in
 * the same VPC (it decides later: x may leave the decision to it). */
bool recon__leavers_decide(const struct ex *x, const char *key);

/* Another run of this process for function fn is registered for key in
 * x->vpc (that function leaves it). */
bool recon__leavers_has(const struct ex *x, const char *key, const char *fn);

/* Withdraws whatever x still has registered (x is ending). */
void recon__leavers_end(const struct ex *x);

/* ---- the step table (recon_steps.c) ------------------------------------ */

/* A step: t is a scratch arena freed after the step; e receives the AWS
 * error. Returns BASE_OK or a BASE_E* code (the runner records it in
 * x->fail unless the step already did with a better detail). */
typedef int (*recon_step_fn)(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);

typedef struct recon_step_def {
	const char *name; /* "role.create", ... (recon_step_kind_name) */
	recon_step_fn run;
} recon_step_def;

/* The row of kind k, NULL for an unknown kind. */
const recon_step_def *recon__step_def(recon_step_kind k);

/* ---- run helpers (recon_exec.c) ---------------------------------------- */

/* Records the first failure (the step that failed and why). */
void recon__ex_fail(struct ex *x, const recon_step *st, int rc, const aws_error *e, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

/* Wait config: 100 ms doubling to poll_cap * cap_mul, bounded by the deadline. */
recon_wait_cfg recon__ex_wait_cfg(struct ex *x, unsigned cap_mul);

/* True when the AWS error message contains needle. */
bool recon__err_msg_has(const aws_error *e, const char *needle);

/* "This AWS object is gone": the single not-found test of the steps (rc
 * BASE_ENOTFOUND, or an AWS error whose code aws_error_is_not_found:
 * *.NotFound, NoSuchEntity, ResourceNotFound*). e may be NULL. */
bool recon__gone(int rc, const aws_error *e);

/* rc, with "gone" counted as done (BASE_OK). */
int recon__ok_if_gone(int rc, const aws_error *e);

/* ---- the live state (recon_state.c): every call takes x->mu ------------- */

/* Parts that are zeroed once their object is deleted. */
typedef enum recon_part {
	RECON_PART_ROLE,
	RECON_PART_RT,
	RECON_PART_SG_LAMBDA,
	RECON_PART_SG_ENDPOINT,
	RECON_PART_FN
} recon_part;
void recon__st_forget(struct ex *x, recon_part part);

/* Reads (strings borrowed: state strings never move). */
const char *recon__st_subnet_id(struct ex *x, const char *cidr, const char **az);
/* The role's managed policies as this run observed or attached them (copied
 * into t); false (and *out empty) when the observe did not list them. */
bool recon__st_role_policies(struct ex *x, base_arena *t, aws_strs *out);
/* The role carries our inline policy, as this run observed or put it. */
bool recon__st_role_has_inline(struct ex *x);
/* The subnet of cidr was created by this run (recon__st_add_subnet fresh). */
bool recon__st_subnet_fresh(struct ex *x, const char *cidr);
const char *recon__st_sg_id(struct ex *x, recon_sg_which w);
/* The observe this apply came from looked at the VPC's shared SGs, found
 * none, and recon__shared_sg_writes was writes when it looked. */
bool recon__st_no_shared_sgs_seen(struct ex *x, uint64_t writes);
const char *recon__st_rt_id(struct ex *x);
const char *recon__st_role_name(struct ex *x);
const char *recon__st_role_arn(struct ex *x);
bool recon__st_endpoint(struct ex *x, const char *service, recon_endpoint *out);
const char *recon__st_clients_sg(struct ex *x);
const char *recon__st_rt_assoc_of(struct ex *x, const char *subnet_id);
void recon__st_rt_snapshot(struct ex *x, const char **rt_id, aws_strs *assoc_ids);
const char *recon__st_prefix_list(struct ex *x, const char *service);
/* Ids (arena t) of our SGs and owned subnets, for the ENI wait. */
void recon__st_eni_scope(struct ex *x, base_arena *t, aws_strs *sgs, aws_strs *subnets);
/* The AZ our state records for subnet_id (copied into t), NULL when none. */
const char *recon__st_subnet_az(struct ex *x, base_arena *t, const char *subnet_id);

/* Writes. */
void recon__st_set_role(struct ex *x, const aws_iam_role *r);
void recon__st_role_policy(struct ex *x, const char *arn, bool attached);
void recon__st_role_inline(struct ex *x, const char *policy);
void recon__st_role_boundary(struct ex *x, const char *arn);
void recon__st_add_subnet(struct ex *x, const aws_ec2_subnet *s, bool fresh);
void recon__st_remove_subnet(struct ex *x, const char *cidr);
void recon__st_set_rt(struct ex *x, const aws_ec2_route_table *rt);
void recon__st_rt_associated(struct ex *x, const char *subnet_id, const char *assoc_id);
void recon__st_set_sg(struct ex *x, recon_sg_which w, const char *id);
/* The shared endpoint SG (sgs[RECON_SG_ENDPOINT], owned = false) and clients SG. */
void recon__st_set_shared_sgs(struct ex *x, const char *endpoint_sg, const char *clients_sg);
void recon__st_add_rule(struct ex *x, recon_sg_which w, const recon_rule *r);
void recon__st_remove_rule(struct ex *x, recon_sg_which w, const recon_rule *r);
void recon__st_add_prefix_list(struct ex *x, const char *service, const char *id);
void recon__st_set_endpoint(struct ex *x, const aws_ec2_vpce *v, bool owned);
void recon__st_remove_endpoint(struct ex *x, const char *service);
/* CreateFunction's reply (a published version already known is kept; the
 * tags we sent are recorded: the reply carries none). */
void recon__st_fn_created(struct ex *x, const aws_lambda_function *f);
void recon__st_fn_refreshed(struct ex *x, const aws_lambda_function *f);
void recon__st_fn_version(struct ex *x, const char *version);
void recon__st_fn_concurrency(struct ex *x, int n);
/* tags.sync: the AWS id and the recorded tags of part key ("role",
 * "function", "rt", "sg:<which>", "subnet:<cidr>", "endpoint:<service>");
 * false when the state has no such object. */
bool recon__st_tag_target(struct ex *x, const char *key, const char **id, aws_tags *have);
void recon__st_set_tags(struct ex *x, const char *key, aws_tags tags);

/* ---- shared between parts ---------------------------------------------- */

/* recon_network.c: waits until no Lambda ENI uses sgs / subnets (detached
 * ones are deleted); *left (t, may be NULL) = ids the last poll still saw. */
int recon__wait_enis(struct ex *x, base_arena *t, aws_strs sgs, aws_strs subnets, const char **left,
                     aws_error *e);
/* recon_network.c: delete a subnet / SG, retried on DependencyViolation /
 * InvalidGroup.InUse until the deadline; gone = done. */
int recon__delete_with_retry(struct ex *x, base_arena *t, const char *id, bool subnet, aws_error *e);
/* recon_sg.c: authorizes one rule (Duplicate = converged) on group_id and
 * records it when group_id is our SG w. */
int recon__authorize_rule(struct ex *x, base_arena *t, recon_sg_which w, const char *group_id,
                          const recon_rule *r, aws_error *e);

/* recon_endpoint.c: the endpoint with id (*out NULL when gone); the state's
 * endpoint of service (*cur, cur->id NULL when none) and what AWS has of it
 * now (*v, NULL when gone); wait until available (or gone). */
int recon__ep_describe(struct ex *x, base_arena *t, const char *id, aws_ec2_vpce **out, aws_error *e);
int recon__ep_now(struct ex *x, base_arena *t, const char *service, recon_endpoint *cur, aws_ec2_vpce **v,
                  aws_error *e);
int recon__ep_wait(struct ex *x, base_arena *t, const char *id, bool gone, aws_error *e);
/* recon__ep_wait for available of a shared endpoint we joined; done with
 * *vanished = true when it is being deleted instead (a duplicate folded by
 * another process: join again). */
int recon__ep_wait_joined(struct ex *x, base_arena *t, const char *id, bool *vanished, aws_error *e);
/* recon_endpoint.c: our subnets for an interface endpoint, one per AZ
 * (ids and their AZs, same order, arena t). */
aws_strs recon__ep_own_subnets(struct ex *x, base_arena *t, aws_strs *azs);
/* recon_endpoint.c: the CreateVpcEndpoint request for es (arena t). */
/* Revokes AWS's default allow-all egress of a new SG (IPv6 too when the VPC
 * has an IPv6 CIDR); already gone is fine (recon_sg.c). */
int recon__revoke_default_egress(struct ex *x, base_arena *t, const char *id, aws_error *e);
/* Tags of a new lambda SG: x->tags plus the users-registry tag of each
 * interface service desired (recon_endpoint_share.c). */
aws_tags recon__lambda_sg_tags(const struct ex *x, base_arena *t);
/* Tags of an object shared by the VPC's functions (recon_endpoint_share.c). */
aws_tags recon__shared_tags(const struct ex *x, base_arena *t);
void recon__ep_spec(struct ex *x, base_arena *t, const recon_endpoint_spec *es, const char *service,
                    aws_ec2_vpce_spec *spec);
/* Frees what the joins of x kept (no step of x runs). */
void recon__ep_group_free(struct ex *x);
/* recon_endpoint_share.c: an observe's listing of every endpoint of vpc,
 * offered to the joins of this process (listed_reuse): begin before it is
 * sent, offer once read. Thread-safe. */
void recon__ep_listing_begin(const char *vpc, uint64_t *sent, uint64_t *writes);
void recon__ep_listing_offer(const char *vpc, uint64_t sent, uint64_t writes, const aws_ec2_vpces *all);
/* recon_endpoint_share.c: the shared interface endpoint of service (README
 * "Shared endpoints"): register, then adopt / reuse / create under the VPC lock. */
int recon__ep_join(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
/* recon_endpoint_share.c: the shared endpoint + clients SGs: find or create
 * (sg.create "endpoint"); delete when no lambda SG is left in the VPC
 * (sg.delete "endpoint"). */
int recon__shared_sgs_ensure(struct ex *x, base_arena *t, aws_error *e);
/* recon_endpoint_share.c: moves shared endpoint v off our subnets that are
 * no longer desired onto our desired ones (same AZ), under the VPC lock. */
int recon__ep_shared_sync(struct ex *x, base_arena *t, const aws_ec2_vpce *v, aws_error *e);
int recon__shared_sgs_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
/* recon_endpoint_share.c: moves every shared endpoint of the VPC off our
 * subnets (or deletes it when unused), under the VPC lock: AWS refused to
 * delete one of our subnets, and a hand-over that raced our leave may have
 * put an endpoint there. */
int recon__shared_evacuate(struct ex *x, base_arena *t, aws_error *e);

/* ---- the steps, one row each in recon_steps.c --------------------------- */

int recon__step_role_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_role_attach(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_role_detach(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_role_put_inline(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_role_delete_inline(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_role_boundary(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_role_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_subnet_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_subnet_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_rt_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_rt_associate(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_rt_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_eni_wait(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_sg_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_sg_authorize(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_sg_revoke(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_sg_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_ep_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_ep_sync(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_ep_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_ep_release(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_fn_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_fn_config(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_fn_code(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_fn_concurrency(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_fn_publish(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_fn_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);
int recon__step_tags(struct ex *x, base_arena *t, const recon_step *st, aws_error *e);

#endif
