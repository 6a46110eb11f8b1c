/*
 * recon_model.h - the plain C model of one lambdavpc_secure_function bundle.
 *
 * Three kinds of data live here, none of them Terraform types:
 *
 *   recon_desired  what the user asked for, built by the resource layer from
 *                  its config (provider/secure_function). Read-only here.
 *   recon_state    what exists in AWS: filled by recon_observe, updated in
 *                  place by recon_apply / recon_destroy, and saved by the
 *                  resource layer as its state (every ID that exists is here,
 *                  even after a failure).
 *   recon_plan     the ordered list of steps with dependencies that
 *                  recon_diff derives from (desired, state).
 *
 * Ownership: every pointer inside these structs is either borrowed from the
 * caller (recon_desired) or allocated in the base_arena the caller passes to
 * the function that fills the struct (recon_state, recon_plan). Nothing is
 * freed individually; freeing the arena frees it all.
 *
 * Conventions: a NULL string means "not set / absent"; an int of 0 in the
 * desired function settings means "AWS default, do not send" unless the field
 * says otherwise; an absent part has id == NULL.
 */
#ifndef RECON_MODEL_H
#define RECON_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "aws/aws_types.h"

/* The ownership tag every created object carries: key and value = function name. */
#define RECON_OWNER_TAG "lambdavpc:function"
/* Every security group we name (recon_sg_name, recon_shared_sg_name)
 * starts with this. */
#define RECON_SG_NAME_PREFIX "lambdavpc-"
/* The users registry of shared endpoints (README "Shared endpoints"): a
 * function's own lambda SG carries key = RECON_USER_TAG_PREFIX + full service
 * name, value "1", while the function uses that shared interface endpoint. */
#define RECON_USER_TAG_PREFIX "lambdavpc:uses:"
/* Tag of the objects shared by every lambdavpc function of a VPC (interface
 * endpoints, the endpoint and clients SGs): value = the VPC id. */
#define RECON_SHARED_TAG "lambdavpc:shared"
/* The managed policy always attached to the execution role (aws partition;
 * the resource layer passes another partition's ARN in vpc_policy_arn). */
#define RECON_VPC_POLICY_ARN "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
/* Name of the inline policy put on the role when inline_policy is set. */
#define RECON_INLINE_POLICY_NAME "lambdavpc-inline"

/* ------------------------------------------------------------------------ */
/* Security group rules                                                      */

/* Which security group: the function's own lambda SG, or the VPC's shared
 * endpoint SG (recon_state.clients_sg_id holds its partner, the shared
 * clients SG every function using interface endpoints joins). */
typedef enum recon_sg_which { RECON_SG_LAMBDA = 0, RECON_SG_ENDPOINT = 1 } recon_sg_which;

/* What a rule points at. */
typedef enum recon_peer_kind {
	RECON_PEER_CIDR = 1, /* IPv4 CIDR "10.0.0.0/16" (IPv6 CIDRs are kept as CIDR too) */
	RECON_PEER_SG = 2,   /* security group id, or "@lambda" / "@endpoint" for ours */
	RECON_PEER_PREFIX_LIST =
	        3 /* prefix list id, or "@pl:<full service name>" for a gateway endpoint's list */
} recon_peer_kind;

/*
 * One atomic security group rule: one protocol/port range to one peer.
 * A user egress rule with three CIDRs is three atoms. protocol is normalised
 * to "tcp", "udp", "icmp", "-1" (all) or a protocol number string; for "-1"
 * the ports are ignored in comparisons. Symbolic peers ("@lambda",
 * "@endpoint", "@pl:<service>") are resolved to ids by recon_exec when the
 * rule is authorised. rule_id is the observed "sgr-..." id (NULL in desired
 * rules); description is informational and not compared.
 */
typedef struct recon_rule {
	bool egress;
	const char *protocol;
	int from_port, to_port;
	recon_peer_kind peer_kind;
	const char *peer;
	const char *description;
	const char *rule_id;
	const char *owner; /* observed RECON_OWNER_TAG of the rule, NULL if untagged */
} recon_rule;

/* ------------------------------------------------------------------------ */
/* Desired                                                                   */

/* A user egress rule as written in the config (expanded to atoms by recon_diff). */
typedef struct recon_egress_rule {
	const char *description;
	const char *protocol; /* "tcp" "udp" "icmp" "-1"/"all" or a number */
	int from_port, to_port;
	aws_strs cidr_blocks, security_group_ids, prefix_list_ids;
} recon_egress_rule;

/* One endpoint the function needs. service is the full name
 * "com.amazonaws.<region>.<svc>"; gateway is true for s3 and dynamodb. */
typedef struct recon_endpoint_spec {
	const char *service;
	bool gateway;
} recon_endpoint_spec;

/* Lambda logging settings; NULL = not set. */
typedef struct recon_logging {
	const char *log_format, *log_group, *application_log_level, *system_log_level;
} recon_logging;

/*
 * Function settings: what CreateFunction / UpdateFunctionConfiguration /
 * UpdateFunctionCode take. Exactly one code source is used: zip bytes,
 * s3 (bucket+key[+version]) or image_uri. source_code_hash is the base64
 * SHA-256 of the code (Terraform's filebase64sha256); it is compared with
 * the observed CodeSha256 to decide a code update (NULL = never update code
 * unless image_uri changes). The same struct is reused in recon_function for
 * the observed configuration (then the code fields are empty).
 */
typedef struct recon_function_spec {
	const char *runtime, *handler, *description, *package_type; /* package_type "Zip"/"Image"/NULL */
	const unsigned char *zip;
	size_t zip_len;
	const char *s3_bucket, *s3_key, *s3_object_version;
	const char *image_uri;
	const char *source_code_hash;
	int memory_size;      /* MB; 0 = default */
	int timeout;          /* s; 0 = default */
	aws_tags environment; /* variables; n == 0 = none */
	aws_strs layers, architectures;
	bool publish;
	const char *kms_key_arn, *tracing_mode, *dead_letter_target_arn;
	int ephemeral_storage; /* MB; 0 = default */
	recon_logging logging;
	int reserved_concurrency; /* -1 = unreserved (no setting). NOTE: 0 is a real value
	                             (function throttled): builders must set -1 when unset */
} recon_function_spec;

/* Timeouts for the whole apply/destroy in milliseconds; 0 = default (10 min / 45 min delete). */
typedef struct recon_timeouts {
	uint64_t create_ms, update_ms, delete_ms;
} recon_timeouts;

/*
 * The desired bundle. Borrowed by every recon function; never modified.
 *   subnet_azs           empty or one AZ per CIDR (same order); a NULL entry
 *                        lets recon pick (round-robin over available AZs)
 *   endpoints            normalised full service names (see recon_endpoint_spec)
 *   tags                 user tags merged with the provider's default_tags;
 *                        recon adds RECON_OWNER_TAG itself
 *   shared_tags          the provider's default_tags alone: put (besides
 *                        RECON_SHARED_TAG) on the VPC's shared objects when
 *                        this function creates them; never synced afterwards,
 *                        because functions of other provider configurations
 *                        share them too
 *   role_name            NULL = recon_role_name(function_name)
 *   vpc_policy_arn       NULL = RECON_VPC_POLICY_ARN
 */
/* Whether the VPC has an IPv6 CIDR (AWS then gives a new security group a
 * ::/0 egress rule too). Zero, what a zeroed recon_desired holds, is
 * "not known": recon reads the VPC; it never guesses. */
typedef enum recon_vpc_ipv6 {
	RECON_VPC_IPV6_UNKNOWN = 0,
	RECON_VPC_IPV6_NONE,
	RECON_VPC_IPV6_SOME
} recon_vpc_ipv6;

typedef struct recon_desired {
	const char *function_name, *vpc_id;
	aws_strs subnet_cidrs, subnet_azs;
	const recon_endpoint_spec *endpoints;
	size_t n_endpoints;
	bool private_dns_enabled, reuse_existing_endpoints;
	const recon_egress_rule *egress_rules;
	size_t n_egress_rules;
	const char *role_name, *vpc_policy_arn;
	aws_strs policy_arns;
	const char *inline_policy, *permissions_boundary;
	aws_tags shared_tags;
	recon_function_spec fn;
	aws_tags tags;
	recon_timeouts timeouts;
	recon_vpc_ipv6 vpc_ipv6; /* as the plan read it; UNKNOWN (0): recon reads it */
} recon_desired;

/* ------------------------------------------------------------------------ */
/* State (observed / result)                                                 */

/* A subnet. owned = carries our ownership tag (we created or adopted it). */
typedef struct recon_subnet {
	const char *id, *cidr, *az;
	bool owned;
	aws_tags tags;
	bool fresh; /* created by the running apply: no route table association yet */
} recon_subnet;

/* Our private route table; assoc_subnet_ids[i] is associated by assoc_ids[i]. */
typedef struct recon_route_table {
	const char *id;
	bool owned;
	aws_strs assoc_subnet_ids, assoc_ids;
	aws_tags tags;
} recon_route_table;

/* One of our security groups with all its rules (ingress and egress). */
typedef struct recon_sg {
	const char *id;
	bool owned;
	const recon_rule *rules;
	size_t n_rules;
	aws_tags tags;
} recon_sg;

/*
 * A VPC endpoint used by the function. owned = ours to manage: a gateway
 * endpoint created by this function (ownership tag = our name), or an
 * interface endpoint shared by the VPC's lambdavpc functions (RECON_SHARED_TAG;
 * deleted by its last user). A reused foreign endpoint (owned = false) is
 * never modified or deleted. gone = the ID is in the prior
 * state but AWS no longer has it (or it is deleted/failed): recreated on apply.
 */
typedef struct recon_endpoint {
	const char *id, *service, *state;
	bool gateway, owned, private_dns, gone;
	/* from a destroy view: the refresh saw it in none of our subnets
	 * (false = in one, or not known) */
	bool off_ours;
	aws_strs subnet_ids, sg_ids, route_table_ids;
	aws_tags tags;
} recon_endpoint;

/* The execution role. */
typedef struct recon_role {
	const char *name, *arn;
	bool owned;
	aws_strs policy_arns;      /* attached managed policies */
	bool policies_observed;    /* policy_arns was listed by recon_observe */
	const char *inline_policy; /* RECON_INLINE_POLICY_NAME document (decoded JSON), NULL = none */
	const char *permissions_boundary;
	aws_tags tags;
} recon_role;

/*
 * The function as Lambda reports it. name == NULL = absent. version is the
 * latest version published by lambdavpc ("1", "2", ...) when one is known
 * (set by function.publish, or kept by recon_observe from the prior state),
 * else what GetFunction reports ("$LATEST"); see recon_version_published.
 */
typedef struct recon_function {
	const char *name, *arn, *version, *last_modified, *code_sha256, *role_arn;
	const char *state, *last_update_status;
	recon_function_spec cfg; /* observed configuration (code fields empty) */
	aws_strs subnet_ids, sg_ids;
	aws_tags tags;
	bool owned;
} recon_function;

/* A prefix list id for a gateway service ("com.amazonaws.r.s3" -> "pl-..."). */
typedef struct recon_prefix_list {
	const char *service, *id;
} recon_prefix_list;

/*
 * Everything that exists. Filled by recon_observe; the resource layer saves
 * it (ids, owned flags) and passes the saved ids back as the prior state.
 */
typedef struct recon_state {
	const char *function_name, *vpc_id; /* whose bundle this is (set by recon_observe / recon_apply) */
	recon_role role;
	recon_subnet *subnets;
	size_t n_subnets;
	recon_route_table rt;
	recon_sg sgs[2];           /* indexed by recon_sg_which; sgs[RECON_SG_ENDPOINT] is the shared
	                              endpoint SG (owned = false: deleted by the last user only) */
	const char *clients_sg_id; /* the shared clients SG, set with sgs[RECON_SG_ENDPOINT] */
	bool shared_sgs_in_vpc;    /* a shared SG of the VPC exists, used by us or not: a destroy
	                              deletes them when no lambda SG is left (sg.delete endpoint) */
	bool shared_sgs_drift;     /* the shared SGs exist but do not hold exactly their one
	                              rule each: sg.create "endpoint" restores them */
	uint64_t shared_sgs_seen;  /* this process's observe looked at the VPC's shared SGs:
	                              1 + recon__shared_sg_writes before it looked; 0 = not
	                              looked at here (never saved) */
	recon_endpoint *endpoints;
	size_t n_endpoints;
	recon_function fn;
	recon_prefix_list *prefix_lists;
	size_t n_prefix_lists;
	const char *vpc_cidr; /* informational */
} recon_state;

/* ------------------------------------------------------------------------ */
/* Plan                                                                      */

/* What a step does. The string form (recon_step_kind_name) is in brackets. */
typedef enum recon_step_kind {
	RECON_STEP_ROLE_CREATE = 1,    /* [role.create]        key = role name */
	RECON_STEP_ROLE_ATTACH,        /* [role.attach]        key = policy ARN */
	RECON_STEP_ROLE_DETACH,        /* [role.detach]        key = policy ARN */
	RECON_STEP_ROLE_PUT_INLINE,    /* [role.put_inline]    key = policy name */
	RECON_STEP_ROLE_DELETE_INLINE, /* [role.delete_inline] key = policy name */
	RECON_STEP_ROLE_BOUNDARY,      /* [role.boundary]      key = boundary ARN or "-" to remove */
	RECON_STEP_ROLE_DELETE,        /* [role.delete]        detaches everything, deletes the role */
	RECON_STEP_SUBNET_CREATE,      /* [subnet.create]      key = CIDR */
	RECON_STEP_SUBNET_DELETE,      /* [subnet.delete]      key = CIDR; waits for Lambda ENIs, retries
	                                  DependencyViolation */
	RECON_STEP_RT_CREATE,          /* [rt.create] */
	RECON_STEP_RT_ASSOCIATE,       /* [rt.associate]       key = CIDR of the subnet */
	RECON_STEP_RT_DELETE,          /* [rt.delete] */
	RECON_STEP_SG_CREATE,    /* [sg.create]          key = "lambda"/"endpoint"; also revokes AWS's default
	                            egress; "endpoint" = find or create the shared endpoint + clients SGs */
	RECON_STEP_SG_AUTHORIZE, /* [sg.authorize]       key = sg; rule */
	RECON_STEP_SG_REVOKE,    /* [sg.revoke]          key = sg; rule */
	RECON_STEP_SG_DELETE,    /* [sg.delete]          key = sg; "endpoint" = the shared SGs, if no user
	                            is left */
	RECON_STEP_EP_CREATE,    /* [endpoint.create]    key = service; adopts / reuses existing */
	RECON_STEP_EP_SYNC,      /* [endpoint.sync]      key = service; subnets/SGs/route table of an owned
	                            endpoint */
	RECON_STEP_EP_DELETE,    /* [endpoint.delete]    key = service; owned only: unregisters, deletes the
	                            endpoint when no user is left (shared rule in README) */
	RECON_STEP_EP_RELEASE,   /* [endpoint.release]   key = service; forget a reused endpoint */
	RECON_STEP_FN_CREATE,    /* [function.create]    waits Active */
	RECON_STEP_FN_CONFIG,    /* [function.config]    UpdateFunctionConfiguration (+ VPC repoint), waits
	                            LastUpdateStatus */
	RECON_STEP_FN_CODE,      /* [function.code]      UpdateFunctionCode, waits LastUpdateStatus */
	RECON_STEP_FN_CONCURRENCY, /* [function.concurrency] Put/DeleteFunctionConcurrency */
	RECON_STEP_FN_DELETE,      /* [function.delete]    DeleteFunction (its ENIs: eni.wait) */
	RECON_STEP_ENI_WAIT,       /* [eni.wait]           until no Lambda ENI uses our SGs/subnets */
	RECON_STEP_TAGS,           /* [tags.sync]          key = part ("role", "function", "rt", "sg:lambda",
	                              "subnet:<cidr>", "endpoint:<svc>") */
	RECON_STEP_FN_PUBLISH,     /* [function.publish]   PublishVersion after the last code/config change
	                              (fn.publish only); records the version in recon_function.version */
	RECON_STEP_KIND_COUNT
} recon_step_kind;

/*
 * One step. deps are indices of steps that must have succeeded before this
 * one starts (always smaller than the step's own index: plans are built in
 * topological order). sg and rule are used by the sg.* kinds.
 */
typedef struct recon_step {
	recon_step_kind kind;
	const char *key;
	recon_sg_which sg;
	recon_rule rule;
	const size_t *deps;
	size_t n_deps;
} recon_step;

/* An ordered list of steps; storage in the arena given to recon_diff. */
typedef struct recon_plan {
	recon_step *v;
	size_t n, cap;
} recon_plan;

#endif
