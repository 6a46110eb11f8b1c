/*
 * recon_diff.h - desired vs observed -> ordered steps with dependencies.
 *
 * PURE (STYLE C11): no I/O, no clock, no environment; the same inputs give
 * the same plan, byte for byte in its text form (recon_plan_format). Every
 * allocation goes to the caller's arena.
 *
 * A plan is in topological order: every dependency index is smaller than the
 * step's own index. recon_exec runs plans on recon_engine.
 */
#ifndef RECON_DIFF_H
#define RECON_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_err.h"
#include "recon/recon_model.h"

/*
 * Zeroes *d and applies the schema defaults that are not zero:
 * private_dns_enabled = true, reuse_existing_endpoints = true,
 * fn.reserved_concurrency = -1 (unreserved). Builders start from this.
 */
void recon_desired_init(recon_desired *d);

/*
 * Create / update / repair plan: the steps that turn `state` (what exists,
 * from recon_observe or an empty recon_state for a create) into `desired`.
 * A converged bundle gives an empty plan. What it plans:
 *  - role: create (with boundary, tags), attach missing policies (the VPC
 *    policy + user ARNs), detach extra ones (owned role only), put/delete
 *    the inline policy, change the boundary, sync tags;
 *  - subnets: create missing CIDRs (recreates deleted ones), delete owned
 *    subnets whose CIDR is no longer desired AFTER the function and the
 *    endpoints were repointed; route table create + associations;
 *  - security groups: create missing ones (sg.create also revokes AWS's
 *    default allow-all egress), authorize missing rule atoms, revoke extra
 *    ones (this removes a re-added 0.0.0.0/0 egress); rules tagged by
 *    another lambdavpc function are left alone;
 *  - endpoints: create missing services (exec adopts / reuses existing ones),
 *    sync owned endpoints whose subnets / SG / route table are off, delete
 *    owned endpoints no longer desired, release reused ones;
 *  - function: create (after role policies, subnets, route table
 *    associations and the lambda SG), or config update (settings, role,
 *    VpcConfig) -> code update -> concurrency, chained so that Lambda
 *    mutations never overlap; tags. With fn.publish, function.publish
 *    follows the create or the last config/code update, or stands alone
 *    when state->fn.version is not a published version (publish turned on).
 * Returns BASE_OK (plan in *out), BASE_EINVALID when desired lacks
 * function_name / vpc_id. *out is overwritten.
 */
BASE_MUST_USE int recon_diff_apply(base_arena *a, const recon_desired *desired, const recon_state *state,
                                   recon_plan *out);

/*
 * Destroy plan in DESIGN.md's order: function -> endpoints (owned: delete;
 * reused: release) -> revoke the cross-SG rules -> wait until no Lambda ENI
 * uses our SGs/subnets -> SGs -> subnets -> route table -> role. Parts not
 * owned are never deleted. Returns BASE_OK.
 */
BASE_MUST_USE int recon_diff_destroy(base_arena *a, const recon_state *state, recon_plan *out);

/*
 * Text form of a plan, one line per step:
 *   "<i> <kind> <key>[ <rule>][ after <d>,<d>...]\n"
 * with <rule> = "<egress|ingress> <proto> <from>-<to> <cidr|sg|pl>:<peer>"
 * (ports printed as "all" for protocol -1). Appends to out; BASE_ETOOBIG if
 * out's cap is exceeded.
 */
BASE_MUST_USE int recon_plan_format(const recon_plan *p, base_buf *out);

/* "role.create", "subnet.delete", ...; "?" for an unknown kind. Static. */
const char *recon_step_kind_name(recon_step_kind k);

/* "lambda" / "endpoint". Static. */
const char *recon_sg_which_name(recon_sg_which w);

/* Default role name "lambdavpc-<function>"; when that is longer than IAM's
 * 64 characters: "lambdavpc-" + the name's first 43 characters + "-" + the
 * first 10 hex digits of SHA-256(function name). Arena. (recon_role.c) */
char *recon_role_name(base_arena *a, const char *function_name);

/* The function's own SG name "lambdavpc-<function>-lambda". Arena. */
char *recon_sg_name(base_arena *a, const char *function_name, recon_sg_which w);

/* The VPC's shared SG names "lambdavpc-endpoints-<vpc>" (clients = false)
 * and "lambdavpc-clients-<vpc>" (clients = true). Arena. */
char *recon_shared_sg_name(base_arena *a, const char *vpc_id, bool clients);

/* True when the function wants an interface endpoint (then it joins the
 * VPC's shared clients SG and uses the shared endpoint SG). */
bool recon_wants_shared(const recon_desired *desired);

/*
 * The tags every created object carries: desired->tags plus
 * RECON_OWNER_TAG = function_name (the owner tag wins over a user tag of the
 * same key). Arena-owned array.
 */
aws_tags recon_owned_tags(base_arena *a, const recon_desired *desired);

/*
 * Desired rule atoms of one of our SGs, with symbolic peers, given the
 * state (reused endpoints contribute egress to their own SGs).
 *  lambda SG: egress tcp/443 -> each reused (foreign) interface endpoint's
 *  SGs, tcp/443 -> @pl:<svc> per gateway endpoint, + user egress_rules
 *  atoms. (HTTPS to the shared endpoints goes through the clients SG.)
 *  endpoint SG (shared): ingress tcp/443 <- @clients; no egress.
 * Arena-owned array in *rules_out / *n_out.
 */
void recon_desired_rules(base_arena *a, const recon_desired *desired, const recon_state *state,
                         recon_sg_which which, recon_rule **rules_out, size_t *n_out);

/* Copy of r with ids of our SGs / known prefix lists replaced by their
 * symbols ("@lambda", "@endpoint", "@pl:<service>") and the protocol
 * normalised. Arena. */
recon_rule recon_rule_symbolic(base_arena *a, const recon_state *state, const recon_rule *r);

/* True when two rules are the same atom (direction, protocol, ports unless
 * protocol -1, peer kind and peer). Descriptions and ids are ignored. */
bool recon_rule_same(const recon_rule *x, const recon_rule *y);

/* Normalised protocol: "tcp" "udp" "icmp" "-1" ("all"/"-1"/"" -> "-1",
 * "6"/"17"/"1" -> names, otherwise lowercase input). Arena. */
const char *recon_protocol_norm(base_arena *a, const char *p);

/*
 * Normalises a service of endpoint_services: a short name ("logs", "s3")
 * becomes "com.amazonaws.<region>.<name>", a full "com.amazonaws.*" name is
 * kept; gateway is true when the last dot-separated part is "s3" or
 * "dynamodb" (those get a Gateway endpoint on the private route table).
 * Strings in a. Returns BASE_OK, or BASE_EINVALID for an empty name, a name
 * with characters outside [a-z0-9.-], or a short name without region.
 */
BASE_MUST_USE int recon_endpoint_service(base_arena *a, const char *region, const char *name,
                                         recon_endpoint_spec *out);

/* Lookups in a state by key; NULL when absent (gone endpoints are absent). */
const recon_subnet *recon_state_subnet(const recon_state *s, const char *cidr);
const recon_endpoint *recon_state_endpoint(const recon_state *s, const char *service);

/* True when observed tags lack or differ from any expected tag, or carry a
 * key that expected lacks (keys starting with "aws:" or
 * RECON_USER_TAG_PREFIX are ignored). */
bool recon_tags_differ(aws_tags expected, aws_tags observed);

/* True when v names a published version ("1", "2", ...): non-NULL, not
 * empty and not "$LATEST". */
bool recon_version_published(const char *v);

#endif
