/*
 * recon_int.h - helpers shared by the files of provider/recon only
 * (never included from another folder; tests of recon may).
 */
#ifndef RECON_INT_H
#define RECON_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include "base/base_arena.h"
#include "aws/aws_ec2.h"
#include "recon/recon_model.h"
#include "recon/recon_observe.h"

/* Deep copies into arena a (NULL-safe: NULL / empty in -> NULL / empty out). */
const char *recon__cp(base_arena *a, const char *s);
aws_strs recon__cp_strs(base_arena *a, aws_strs s);
aws_tags recon__cp_tags(base_arena *a, aws_tags t);

/* Value of key in tags, NULL when absent. */
const char *recon__tag(aws_tags t, const char *key);

/* True when the tags carry RECON_OWNER_TAG = function_name. */
bool recon__owned_by(aws_tags t, const char *function_name);

/* An observed DescribeSecurityGroupRules entry as a model rule (copied into a). */
recon_rule recon__rule_from_aws(base_arena *a, const aws_ec2_sg_rule *r);

/* True for endpoint states that mean "gone" (deleted, deleting, failed,
 * rejected, expired); case-insensitive. */
bool recon__endpoint_state_gone(const char *state);

/* True for a Lambda hyperplane ENI (interface type "lambda" or description
 * starting with "AWS Lambda VPC ENI"). */
bool recon__is_lambda_eni(const aws_ec2_eni *e);

/* New lists in arena a: s plus id; s without id (dropping the entries of
 * parallel at the same positions when given); a without the members of b. */
aws_strs recon__strs_with(base_arena *a, aws_strs s, const char *id);
aws_strs recon__strs_without(base_arena *a, aws_strs s, const char *id, aws_strs *parallel);
aws_strs recon__strs_minus(base_arena *a, aws_strs x, aws_strs y);

/* One DescribeX filter over n values. */
aws_filter recon__flt(const char *name, const char *const *vals, size_t n);

/* s, or "" for NULL. Comparisons where NULL and "" are the same unset value. */
const char *recon__nz(const char *s);
bool recon__str_same(const char *x, const char *y);
bool recon__strs_has(aws_strs s, const char *v);
bool recon__strs_same_set(aws_strs x, aws_strs y); /* order, duplicates ignored */
bool recon__strs_same_list(aws_strs x, aws_strs y);
bool recon__tags_same(aws_tags x, aws_tags y); /* same map (environment) */

/* ---- plan building (recon_diff.c) -------------------------------------- */

#define RECON_NONE ((size_t)-1) /* "no step" in dependency lists */

struct recon__pb {
	base_arena *a;
	recon_plan *p;
};

/* A growable list of step indices (RECON_NONE pushes are ignored). */
struct recon__idxv {
	base_arena *a;
	size_t *v;
	size_t n, cap;
};

void recon__idxv_push(struct recon__idxv *x, size_t i);
/* Appends a step after deps (RECON_NONE entries skipped, duplicates
 * dropped, sorted); returns its index. */
size_t recon__pb_add(struct recon__pb *b, recon_step_kind k, const char *key, const size_t *deps,
                     size_t n_deps);
size_t recon__pb_add3(struct recon__pb *b, recon_step_kind k, const char *key, size_t d1, size_t d2,
                      size_t d3);
/* deps = x + e1..e3. */
size_t recon__pb_add_v(struct recon__pb *b, recon_step_kind k, const char *key, const struct recon__idxv *x,
                       size_t e1, size_t e2, size_t e3);
void recon__pb_set_rule(struct recon__pb *b, size_t idx, recon_sg_which w, const recon_rule *r);

/*
 * The apply diff (recon_diff_apply) is one function per part, in its part's
 * file, called in this order (the order of the plan's steps). They share
 * the step indices later parts depend on.
 */
struct recon__dctx {
	struct recon__pb b;
	base_arena *a;
	const recon_desired *d;
	const recon_state *s;
	aws_tags want_tags;            /* recon_owned_tags(d) */
	struct recon__idxv role_ready; /* role steps the function waits for */
	struct recon__idxv subnet_creates, assocs;
	struct recon__idxv net_users;  /* steps after which old subnets may go */
	struct recon__idxv ep_creates; /* interface endpoint creates */
	size_t role_c, rt_c, sg_c[2];  /* create steps, RECON_NONE when none */
};
void recon__diff_role(struct recon__dctx *c);        /* recon_role.c */
void recon__diff_network(struct recon__dctx *c);     /* recon_network.c */
void recon__diff_sgs(struct recon__dctx *c);         /* recon_sg.c */
void recon__diff_endpoints(struct recon__dctx *c);   /* recon_endpoint.c */
void recon__diff_function(struct recon__dctx *c);    /* recon_function.c */
void recon__diff_old_subnets(struct recon__dctx *c); /* recon_network.c */

/* ---- observe (recon_observe.c runs one observer per part) ------------- */

/* One recon_observe call. Observers run concurrently: each writes only its
 * own part of *out, and only while holding mu (the arena a is shared). */
struct recon__obs {
	aws_client *c;
	base_arena *a; /* result arena; guarded by mu */
	const recon_observe_in *in;
	const char *vpc_id;
	const char *role_name;
	recon_state *out;
	pthread_mutex_t mu;
	int first_rc;
	aws_error err; /* of the first failure; guarded by mu */
	size_t base;   /* engine task i runs part base + i */
	/* the role's attached policies, listed beside GetRole (the role's name
	 * is known): taken into out->role when both found the role; guarded
	 * by mu */
	aws_strs role_policies;
	bool role_policies_listed;
};

/* The single exit of an observer: records a failure, frees its scratch arena t. */
int recon__obs_end(struct recon__obs *o, base_arena *t, int rc, const aws_error *e);

/* fl[0..1] = our objects in the VPC: vpc-id and tag:RECON_OWNER_TAG = the
 * function (values in t). */
void recon__obs_owned_filters(struct recon__obs *o, base_arena *t, aws_filter fl[2]);
/* fl[0..1] = the VPC's lambdavpc objects: vpc-id and tag-key RECON_OWNER_TAG. */
void recon__obs_lambdavpc_filters(struct recon__obs *o, aws_filter fl[2]);

int recon__observe_function(struct recon__obs *o);     /* recon_function.c */
int recon__observe_role(struct recon__obs *o);         /* recon_role.c */
int recon__observe_role_policies(struct recon__obs *o); /* recon_role.c */
int recon__observe_subnets(struct recon__obs *o);      /* recon_network.c */
int recon__observe_rt(struct recon__obs *o);           /* recon_network.c */
int recon__observe_sgs(struct recon__obs *o);          /* recon_sg.c */
/* The shared endpoint SG and clients SG hold exactly their one rule each
 * (recon_endpoint_share.c). */
bool recon__shared_sgs_exact(const aws_ec2_sg *ep, const aws_ec2_sg *cl);
/* How many times this process has counted a write to the shared SGs of
 * vpc's stripe (before and after each; recon_endpoint_share.c). Read before
 * a look at the shared SGs: while it is unchanged, the look still says what
 * this process has done to them. Thread-safe. */
uint64_t recon__shared_sg_writes(const char *vpc);
int recon__observe_prefix_lists(struct recon__obs *o); /* recon_sg.c */
int recon__observe_endpoints(struct recon__obs *o);    /* recon_endpoint.c */

#endif
