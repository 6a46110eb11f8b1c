/*
 * sf_ops_int.h - the plan / apply / read / import handlers of the resource
 * and the translations they share (config model <-> recon model, drift
 * flags). Internal to provider/secure_function (and its unit tests).
 *
 * Files:
 *   sf_desired.c  sf_config (planned) -> recon_desired; state ids -> prior
 *                 recon_state; service names; tags_all; durations
 *   sf_state.c    recon_state -> computed attributes; Read merge; Import
 *                 model; drift flags (private bytes)
 *   sf_plan.c     PlanResourceChange (pure rules + account checks)
 *   sf_apply.c    ApplyResourceChange create / update / delete
 *   sf_read.c     ReadResource
 *   sf_import.c   ImportResourceState
 * THREAD SAFETY: everything here is reentrant (state lives in the call's
 * arena; the prov and its client are shared read-only).
 */
#ifndef SF_OPS_INT_H
#define SF_OPS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "aws/aws_client.h"
#include "aws/aws_ec2.h"
#include "aws/aws_error.h"
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "prov/prov.h"
#include "recon/recon_exec.h"
#include "recon/recon_model.h"
#include "recon/recon_observe.h"
#include "secure_function/sf_int.h"
#include "secure_function/sf_model.h"
#include "tf6/tf6_provider.h"

/* ---- the handlers (sf.c's table) ------------------------------------- */

BASE_MUST_USE int sf__plan(void *ctx, tf6_call *call, const tf6_plan_req *req, tf6_plan_resp *resp);
BASE_MUST_USE int sf__apply_create(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp);
BASE_MUST_USE int sf__apply_update(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp);
BASE_MUST_USE int sf__apply_delete(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp);
BASE_MUST_USE int sf__read(void *ctx, tf6_call *call, const tf6_read_req *req, tf6_read_resp *resp);
BASE_MUST_USE int sf__import(void *ctx, tf6_call *call, const tf6_import_req *req, tf6_import_resp *resp);
/*
 * The function name of an import ID: the ID itself, or the name inside a
 * Lambda function ARN "arn:<partition>:lambda:<region>:<account>:function:
 * <name>[:<qualifier>]". NULL for an ARN of another shape. Arena.
 */
const char *sf__import_name(base_arena *a, const char *id);

/*
 * The pure part of PlanResourceChange (no AWS): defaults, unknown computed
 * values, kept prior values, tags_all, requires_replace (see sf_plan.c).
 * dt / dt_known: the provider's default tags and whether they are known
 * (false while the provider configuration is deferred). drift: flags
 * decoded from the prior private bytes. *planned_out and *rr_out (n_rr
 * paths) are allocated in a. Returns BASE_OK or BASE_EINVALID (diagnostic).
 */
BASE_MUST_USE int sf__plan_compute(base_arena *a, const tf6_schema *s, const tf6_plan_req *req, prov_tags dt,
                                   bool dt_known, unsigned drift, const cty_value **planned_out,
                                   const base_path **rr_out, size_t *n_rr, base_diags *diags);

/*
 * The checks that need the account (sf_plan.c), on the planned model pm
 * against the prior model (all-null for a create; create also for a
 * replacement). Certain failures (the VPC does not exist, an AZ is not in
 * the region, a CIDR overlaps a subnet that is not ours) are errors; what
 * another resource of the same apply could still make true (the VPC's DNS
 * attributes, a CIDR outside the VPC's current blocks) is a warning at plan
 * and an error with at_apply (ApplyResourceChange runs them before
 * creating anything). Skipped when nothing the account could reject
 * changed. BASE_EINVALID when an error was added (also when AWS could not
 * be asked), else BASE_OK. *warned (may be NULL) is set when a warning was
 * added.
 */
BASE_MUST_USE int sf__account_checks(aws_client *c, base_arena *a, const sf_config *pm,
                                     const sf_config *prior, bool create, bool at_apply, bool *warned,
                                     base_diags *diags);
/* The same after the endpoint_services check (sf__check_endpoint_services;
 * when it fails the account checks do not run), its read sent beside theirs.
 * *vpc_ipv6 (may be NULL): what the VPC read showed, UNKNOWN when it was
 * not read or failed. */
BASE_MUST_USE int sf__plan_account_checks(aws_client *c, base_arena *a, const sf_config *pm,
                                          const sf_config *prior, bool create, bool *warned,
                                          recon_vpc_ipv6 *vpc_ipv6, base_diags *diags);

/*
 * sf_plan_reads.c: the reads of the checks, sent at once (one thread each,
 * all joined before sf__reads_run returns). Set want[] and call; rc/err and
 * the result of each wanted read are then filled in (results live until
 * sf__reads_free). SF_READ_SERVICES fills the per-process endpoint-service
 * list (sf__endpoint_services_warm) and has no result here.
 */
enum {
	SF_READ_SERVICES,
	SF_READ_VPC,
	SF_READ_SUBNETS, /* the VPC's, all of them */
	SF_READ_AZS,
	SF_READ_DNS_SUPPORT, /* then SF_READ_DNS_HOSTNAMES: dns_on[0], dns_on[1] */
	SF_READ_DNS_HOSTNAMES,
	SF_READ_COUNT
};
typedef struct sf_reads {
	bool want[SF_READ_COUNT];
	int rc[SF_READ_COUNT];
	aws_error err[SF_READ_COUNT];
	aws_ec2_vpcs vpcs;
	aws_ec2_subnets subnets;
	aws_ec2_azs azs;
	bool dns_on[2];
	/* private */
	aws_client *c;
	const char *vpc_id;
	base_arena *arena[SF_READ_COUNT];
} sf_reads;
void sf__reads_run(aws_client *c, const char *vpc_id, sf_reads *r);
void sf__reads_free(sf_reads *r);

/* Planned-private flag (never stored in the state): the plan could not
 * settle every account check (a warning, or values unknown at plan), so the
 * apply runs them again before creating anything. Carried in the drift
 * flags' encoding (sf__private_encode), above the SF_DRIFT_* bits. */
#define SF_PLAN_RECHECK (1u << 15)
/* Planned-private flags of a create (never stored in the state either):
 * whether the plan's read of the VPC showed an IPv6 CIDR. The apply then
 * knows which allow-all egress rules AWS puts on a new security group
 * without reading the VPC again (recon_desired.vpc_ipv6). */
#define SF_PLAN_VPC_IPV4_ONLY (1u << 13)
#define SF_PLAN_VPC_IPV6 (1u << 14)
#define SF_PLAN_ONLY_BITS (SF_PLAN_RECHECK | SF_PLAN_VPC_IPV4_ONLY | SF_PLAN_VPC_IPV6)

/* ---- drift flags (private bytes) -------------------------------------- */

/*
 * Parts whose drift has no user attribute of its own. ReadResource stores
 * the set in the private bytes; PlanResourceChange marks the computed
 * attribute named here unknown, so the plan shows an update on it and the
 * apply (a full reconcile) repairs the part. See README.md.
 */
typedef enum sf_drift {
	SF_DRIFT_ROLE = 1u << 0,        /* role policies / boundary / inline -> role_arn */
	SF_DRIFT_SUBNETS = 1u << 1,     /* subnets or route table associations -> subnet_ids */
	SF_DRIFT_RT = 1u << 2,          /* route table -> route_table_id */
	SF_DRIFT_SG_LAMBDA = 1u << 3,   /* lambda SG or its managed rules -> lambda_security_group_id */
	SF_DRIFT_SG_ENDPOINT = 1u << 4, /* endpoint SG or its rules -> endpoint_security_group_id */
	SF_DRIFT_ENDPOINTS = 1u << 5,   /* endpoints -> vpc_endpoint_ids */
	SF_DRIFT_FUNCTION = 1u << 6,    /* function settings/code/VPC config -> last_modified */
	SF_DRIFT_TAGS = 1u << 7         /* tags of some part -> tags_all */
} sf_drift;

/* Encodes flags as private bytes (arena); {NULL,0} when flags == 0. */
tf6_bytes sf__drift_encode(base_arena *a, unsigned flags);
/* Decodes the drift flags of private bytes written by sf__drift_encode or
 * sf__private_encode (anything else -> 0). */
unsigned sf__drift_decode(tf6_bytes b);
/* Drift flags of a recon plan: the attribute each step kind repairs. Pure. */
unsigned sf__drift_of_plan(const recon_plan *p);

/* ---- destroy in progress (private bytes) ------------------------------ */

/*
 * The private bytes of a resource: drift flags plus the destroy-in-progress
 * mark. A destroy that fails (or is cancelled) after it began returns the
 * parts that still exist (partial state) with the mark; Terraform stores
 * both and hands the bytes back to ReadResource, which then keeps the
 * resource even when its function is gone, so the next destroy deletes the
 * rest. A successful create / update stores no mark (it clears it).
 * Text: "lambdavpc-destroying", optionally followed by ";" and the drift
 * text of sf__drift_encode; without the mark exactly sf__drift_encode's.
 * Arena a; {NULL,0} when there is nothing to store.
 */
tf6_bytes sf__private_encode(base_arena *a, unsigned drift, bool destroying);
/* True when b carries the destroy-in-progress mark. */
bool sf__private_destroying(tf6_bytes b);

/*
 * The destroy view (recon_destroy_view): ReadResource appends what it
 * found of st to the private bytes, ";lambdavpc-view:<unix s>:<fn owned
 * 0|1>:<role>:<route table>:<lambda SG>:<shared SGs 0|1>:<role bare 0|1>"
 * (a six-field view from an older release reads as not bare; an older view is
 * replaced; the drift / destroying text before it is kept). Terraform hands
 * the refreshed bytes to the destroy's ApplyResourceChange, which reads the
 * view back with sf__private_view and skips reading those parts again when
 * it is at most SF_VIEW_MAX_AGE_S old (a saved destroy plan applied later,
 * or -refresh=false, reads everything). Arena a.
 */
#define SF_VIEW_MAX_AGE_S 600
tf6_bytes sf__private_with_view(base_arena *a, tf6_bytes priv, const recon_state *st, int64_t now_s);
/* true and *out (strings in a) when priv holds a well-formed view taken at
 * most SF_VIEW_MAX_AGE_S before now_s (and not over a minute after it). */
bool sf__private_view(base_arena *a, tf6_bytes priv, int64_t now_s, recon_destroy_view *out);

/* What ReadResource does with what exists (sf__read_rule). */
typedef enum sf_read_rule {
	SF_READ_LIVE,   /* the function exists: merge, drift flags */
	SF_READ_GONE,   /* no part exists any more: null, the resource leaves the state */
	SF_READ_REMAINS /* the function is gone but owned parts remain (a failed create,
	                   a destroy failed or killed half-way, the function deleted by
	                   hand): keep them (function attributes null) */
} sf_read_rule;

/*
 * The Read rule (pure): LIVE when st has the function; otherwise REMAINS
 * when a destroy of st would still delete or release something
 * (recon_diff_destroy has a step other than the ENI wait), else GONE. The
 * missing function is a difference the next apply repairs, never a reason
 * to forget parts the resource owns. Scratch in a.
 */
sf_read_rule sf__read_rule(base_arena *a, const recon_state *st);

/*
 * The state model of what remains after a failed destroy (or read while a
 * destroy is in progress): m (the prior state model) with every computed
 * attribute taken from st (sf__fill_computed with only_unknown false), so
 * deleted parts - the function's arn, version, ... and deleted endpoints or
 * subnets - are null / missing and existing ids are kept. In place; arena a.
 */
void sf__remaining_model(base_arena *a, sf_config *m, const recon_state *st, const char *region,
                         prov_tags dt);

/* ---- sf_desired.c ------------------------------------------------------ */

/* True for services served by gateway endpoints (s3, dynamodb), short or
 * full name. */
bool sf__service_is_gateway(const char *svc);
/* "logs" -> "com.amazonaws.<region>.logs"; full names are returned as is. Arena. */
const char *sf__service_full(base_arena *a, const char *region, const char *svc);
/* "com.amazonaws.<region>.logs" -> "logs" (other prefixes: unchanged). Arena. */
const char *sf__service_short(base_arena *a, const char *region, const char *full);

/* tags_all: default tags merged with the model's tags (tags win), sorted
 * by key. Arena. */
sf_strmap sf__tags_all(base_arena *a, const sf_config *m, prov_tags dt);

/* Sorts the n entries of m by key in place (keys and values stay paired;
 * keys non-NULL). */
void sf__strmap_sort(sf_strmap *m);

/* Go-style duration ("30m", "1h30m", "45s") -> milliseconds. BASE_EINVALID
 * on bad text. */
BASE_MUST_USE int sf__duration_ms(const char *s, uint64_t *out);

/*
 * sf_plan_services.c (PlanResourceChange): each endpoint_services entry that
 * is new against prior (NULL on create) names a service of the client's
 * region: error "Endpoint service of another region" / "Endpoint service not
 * available" at endpoint_services[i]; names from one DescribeVpcEndpointServices
 * per region per process. A failed Describe is a warning (checked at apply).
 * Returns BASE_OK or BASE_EINVALID.
 */
BASE_MUST_USE int sf__check_endpoint_services(aws_client *c, base_arena *a, const sf_config *pm,
                                              const sf_config *prior, base_diags *diags);
/* True when that check will look a name up in the region's list. */
bool sf__endpoint_services_need_list(aws_client *c, base_arena *a, const sf_config *pm,
                                     const sf_config *prior);
/* Fills the per-process list of the client's region now (no call when it
 * is there); thread-safe. */
BASE_MUST_USE int sf__endpoint_services_warm(aws_client *c, base_arena *a, aws_error *err);

/*
 * sf_deadline.c: sets this thread's AWS deadline (aws_deadline.h) to now +
 * the model's timeouts.<op> (its documented default when unset), named
 * "the <op> timeout of <text> (timeouts.<op>)" in errors; _end clears it.
 * Every apply sets it first and clears it before returning (threads are reused).
 */
void sf__deadline_begin(base_arena *a, const sf_config *m, sf_timeouts_field op);
void sf__deadline_end(void);

/*
 * Builds the recon desired spec from a wholly known model (the planned
 * state on apply, the prior state on read). region names the endpoint
 * services; dt are the provider's default tags. With read_code, the zip
 * named by filename is read (apply): a missing file is an error diagnostic
 * on filename (BASE_EINVALID). Everything is allocated in a.
 */
BASE_MUST_USE int sf__desired_build(base_arena *a, const sf_config *m, const char *region, prov_tags dt,
                                    bool read_code, recon_desired *out, base_diags *diags);

/*
 * The ids a saved state knows (subnets by CIDR, endpoints by service, role
 * name, SG and route table ids; with publish, the published version) as a
 * recon_state usable as
 * recon_observe_in.prior. Arena.
 */
void sf__prior_state(base_arena *a, const sf_config *m, const char *region, recon_state *out);

/* ---- sf_state.c -------------------------------------------------------- */

/*
 * Fills the computed attributes of m (and availability_zones) from what
 * exists: with only_unknown, only attributes whose unknown bit is set (the
 * apply: known planned values are kept as planned); otherwise every
 * computed attribute. An attribute whose part does not exist becomes null.
 * Clears the filled attributes' unknown bits.
 */
void sf__fill_computed(base_arena *a, sf_config *m, const recon_state *st, const char *region, prov_tags dt,
                       bool only_unknown);

/*
 * Read: merges what exists into the prior state model m (in place). Function
 * settings that differ from the state take the observed value (so drift
 * shows on that attribute); computed ids are refreshed; user egress rules
 * that were added or removed by hand are reflected in egress_rules.
 * Values that are the same modulo AWS normalisation keep their prior form.
 */
void sf__merge_observed(base_arena *a, sf_config *m, const recon_state *st, const char *region, prov_tags dt);

/*
 * Import: the whole model from an observed bundle (function_name, vpc_id,
 * CIDRs sorted by address, services sorted, settings, tags minus the
 * ownership and default tags, computed attributes).
 */
void sf__model_from_observed(base_arena *a, sf_config *m, const recon_state *st, const char *region,
                             prov_tags dt);

/* ---- sf_apply.c -------------------------------------------------------- */

/*
 * Observes the bundle of m (function_name, vpc_id; vpc_id NULL = learn it
 * from the function, for import) with the ids of prior (may be NULL), in
 * parallel and batched (recon_observe); view (for_destroy only, may be
 * NULL): parts a refresh just read (recon_observe_in.view); for_create: a
 * create, which reads no function or role (recon_observe_in). Adds an error
 * diagnostic and returns the code on failure.
 */
BASE_MUST_USE int sf__observe(aws_client *c, base_arena *a, const sf_config *m, const recon_state *prior,
                              bool for_destroy, bool for_create, const recon_destroy_view *view,
                              recon_state *out, base_diags *diags);

/*
 * The preamble of the handlers that touch AWS (apply create / update /
 * delete, read): the configured client (sf__begin_client: an error
 * diagnostic when the provider has none), then the saved state's ids as a
 * recon_state and what exists now (sf__begin_observe). Apply builds its
 * desired bundle between the two (it needs the region, and an unreadable
 * package must fail before any AWS call).
 */
typedef struct sf_handler {
	aws_client *c;
	const char *region;
	prov_tags dt;                   /* the provider's default_tags */
	prov_ignore_tags ig;            /* the provider's ignore_tags */
	recon_state prior;              /* ids of the saved state (zeroed for a create) */
	recon_state st;                 /* what exists now */
	bool for_destroy;               /* observe only what a destroy needs (recon_observe_in) */
	const recon_destroy_view *view; /* with for_destroy: the refresh's view, or NULL */
	bool for_create;                /* a create: no function / role look-up (recon_observe_in) */
} sf_handler;

BASE_MUST_USE int sf__begin_client(prov *pv, tf6_call *call, sf_handler *h);

/* ---- readable drift, ignore_tags (sf_drift.c) ---------------------------- */

/* Drops the tags ig ignores from every part of st (right after observing). */
void sf__ignore_observed_tags(base_arena *a, recon_state *st, const prov_ignore_tags *ig);
/* "tag K added outside Terraform; apply removes it; ..." for the differences
 * of observed tags have against want (lambdavpc: keys left out), or NULL. */
char *sf__tags_drift_text(base_arena *a, aws_tags have, aws_tags want);
/* One warning per step of plan (a reconcile diff of d against st) that
 * drifted on a part without an attribute of its own, naming the part and
 * the difference. Returns the number of warnings added. */
/* The tags the state m recorded (its tags_all, which holds tags and the
 * default tags of the apply that wrote it) as default tags for a desired
 * build, so a rebuilt desired wants exactly those; dt when there are none. */
prov_tags sf__recorded_tags(base_arena *a, const sf_config *m, prov_tags dt);
size_t sf__drift_report(base_arena *a, base_diags *diags, const recon_desired *d, const recon_state *st,
                        const char *region, const recon_plan *plan);
/* saved: the saved state's model, NULL for a create (observed by tag only). */
BASE_MUST_USE int sf__begin_observe(base_arena *a, sf_handler *h, const sf_config *m, const sf_config *saved,
                                    base_diags *diags);

/* ---- errors ------------------------------------------------------------ */

/*
 * Adds an error diagnostic for a failed AWS call or reconcile step:
 * summary, detail with the AWS error code, message and request id, and the
 * attribute path when an input is at fault (CIDR conflicts ->
 * subnet_cidr_blocks[i], role / policy errors -> policy_arns, ...).
 */
void sf__diag_failure(base_arena *a, base_diags *d, const sf_config *m, const char *what,
                      const recon_failure *f);
/* Same for a plain AWS error outside a step (observe, account checks). */
void sf__diag_aws(base_diags *d, const base_path *path, const char *summary, int code, const aws_error *e);

#endif
