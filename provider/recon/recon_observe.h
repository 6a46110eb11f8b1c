/*
 * recon_observe.h - read what exists of one bundle, concurrently and batched.
 *
 * One call per kind of part (GetFunction, GetRole + ListAttachedRolePolicies
 * + GetRolePolicy, DescribeSubnets, DescribeRouteTables,
 * DescribeSecurityGroups + DescribeSecurityGroupRules, DescribeVpcEndpoints,
 * DescribePrefixLists), all in parallel on recon_engine's pool. Parts are
 * found by the ownership tag lambdavpc:function=<name> in the VPC and by the
 * ids of the prior state (which is how reused endpoints, that do not carry
 * our tag, are found again). So the same call serves Read (prior = saved
 * state), Import (prior = NULL, only the function name known) and the
 * adoption of objects left by an apply that was killed half-way.
 */
#ifndef RECON_OBSERVE_H
#define RECON_OBSERVE_H

#include <stdbool.h>
#include "aws/aws_client.h"
#include "aws/aws_error.h"
#include "aws/aws_lambda.h"
#include "base/base_arena.h"
#include "base/base_err.h"
#include "recon/recon_model.h"

/*
 * Inputs (all borrowed for the call).
 *   function_name     required
 *   vpc_id            NULL = learn it from the function's subnets (import)
 *   role_name         NULL = prior->role.name, else recon_role_name()
 *   prior             the saved state or NULL (prior->fn.version: the
 *                     published version it recorded, kept in out->fn.version)
 *   gateway_services  gateway endpoint services whose prefix list ids are
 *                     resolved (so egress rules to them can be compared)
 *   workers           concurrent calls (0 = 6)
 *   for_destroy       observe only what recon_destroy needs: no security
 *                     group rules, no inline policy document (both go with
 *                     their SG / role; the role's delete removes ours by name
 *                     when prior has one, and lists them after a
 *                     DeleteConflict)
 *   view              with for_destroy: the parts of recon_destroy_view are
 *                     taken from it instead of read (the role's attached
 *                     policies are then listed when it is deleted)
 *   for_create        the bundle is being created (no saved state): the
 *                     function, the role and the subnets are not read. Their
 *                     creates adopt one an interrupted apply left (it
 *                     carries our tag: EntityAlreadyExists /
 *                     ResourceConflictException / InvalidSubnet.Conflict)
 *                     and refuse a foreign one, so the look-up would only
 *                     answer "not found" on every create. A subnet of ours
 *                     with a CIDR no longer configured (lost state) is seen
 *                     by the next refresh, which plans its delete
 */
/*
 * What a refresh just found of the parts a destroy reads by name (the
 * function, the role, the route table, our lambda SG, and whether the VPC
 * has shared SGs). ReadResource records it in the private bytes
 * (sf_state.c), the destroy that follows within minutes passes it in
 * recon_observe_in.view and those parts are not read again: a destroy
 * deletes by id and treats "gone" as done. With has_net the view also
 * holds our subnets and the endpoints the refresh took as the function's
 * (with whether one sat in our subnets), and the destroy lists neither (a view written before has_net existed
 * lacks them: both are listed). Every shared decision still reads under
 * the VPC lock (recon_endpoint_share.c).
 */
typedef struct recon_destroy_view {
	bool fn_owned;            /* the function exists and carries our tag */
	const char *role_name;    /* our role, NULL = none */
	const char *rt_id;        /* our route table, NULL = none */
	const char *lambda_sg_id; /* our lambda SG, NULL = none */
	bool shared_sgs_in_vpc;
	/* the role had RECON_VPC_POLICY_ARN as its only attached policy: its
	 * delete detaches that one without listing them (a policy attached
	 * since makes DeleteRole answer DeleteConflict: then all are listed) */
	bool role_bare;
	bool has_net;
	const recon_subnet *subnets; /* ours: id, cidr, az (owned) */
	size_t n_subnets;
	const recon_endpoint *endpoints; /* id, service, gateway, owned */
	size_t n_endpoints;
} recon_destroy_view;

/* The view of an observed state (strings borrowed from s). */
void recon_destroy_view_of(const recon_state *s, recon_destroy_view *out);

typedef struct recon_observe_in {
	const char *function_name, *vpc_id, *role_name;
	const recon_state *prior;
	aws_strs gateway_services;
	unsigned workers;
	bool for_destroy;
	const recon_destroy_view *view; /* for_destroy only; NULL = read everything */
	bool for_create;                /* no function or role read (see above) */
} recon_observe_in;

/*
 * Fills *out (zeroed first) with everything that exists, allocated in a.
 * Absent parts have id/name NULL; an endpoint whose state is deleted /
 * deleting / failed is left out (it will be recreated). owned flags come
 * from the ownership tag. out->function_name / vpc_id are set.
 * Returns BASE_OK; BASE_ENOTFOUND when vpc_id is NULL and the function
 * does not exist (nothing to import); otherwise the code of the first
 * failed AWS call (BASE_EAWS, BASE_ETHROTTLED, BASE_EIO, BASE_ECANCELLED...)
 * with *err filled. Thread-safe (a is used by this call only).
 */
BASE_MUST_USE int recon_observe(aws_client *c, base_arena *a, const recon_observe_in *in, recon_state *out,
                                aws_error *err);

/*
 * Converts a GetFunction / CreateFunction / Update* result into the model
 * (strings copied into a; owned from the ownership tag, which is only known
 * for GetFunction results - callers set it otherwise). Reserved concurrency
 * is -1 unless f reports one. Exposed for recon_exec.
 */
void recon_observe_function_from_aws(base_arena *a, const aws_lambda_function *f, recon_function *out);

#endif
