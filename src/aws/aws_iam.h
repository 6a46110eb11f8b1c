/*
 * aws_iam.h - typed IAM operations (query protocol, Version 2010-05-08,
 * signed for us-east-1 by the client).
 *
 * Conventions (results in the caller's arena, return codes, err) are those
 * described at the top of aws_ec2.h: BASE_ENOTFOUND for NoSuchEntity,
 * BASE_EAWS for other AWS errors (EntityAlreadyExists, DeleteConflict,
 * MalformedPolicyDocument, ...). List* calls follow Marker/IsTruncated.
 * Policy documents come back URL-encoded from IAM; every document returned
 * here is already decoded (plain JSON text).
 * Thread-safe.
 */
#ifndef AWS_IAM_H
#define AWS_IAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_err.h"
#include "aws/aws_client.h"
#include "aws/aws_error.h"
#include "aws/aws_types.h"

#define AWS_IAM_API_VERSION "2010-05-08"

/* Trust policy letting Lambda assume a role (compact JSON). */
#define AWS_IAM_LAMBDA_TRUST_POLICY                                                                          \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","                                  \
	"\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"

/* Managed policy for VPC Lambdas; format with the partition ("aws"). */
#define AWS_IAM_LAMBDA_VPC_POLICY_ARN_FMT                                                                    \
	"arn:%s:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"

typedef struct aws_iam_role {
	const char *role_name, *role_id, *arn, *path, *create_date;
	const char *assume_role_policy; /* decoded JSON */
	const char *description;
	const char *permissions_boundary_arn; /* PermissionsBoundary/PermissionsBoundaryArn */
	int64_t max_session_duration;
	aws_tags tags;
} aws_iam_role;

typedef struct aws_iam_role_spec {
	const char *role_name;            /* required */
	const char *assume_role_policy;   /* required JSON, e.g. AWS_IAM_LAMBDA_TRUST_POLICY */
	const char *path;                 /* NULL = "/" */
	const char *description;          /* NULL = none */
	const char *permissions_boundary; /* policy ARN or NULL */
	int64_t max_session_duration;     /* 0 = default (3600) */
	aws_tags tags;                    /* Tags.member.N.Key/Value */
} aws_iam_role_spec;

/* CreateRole; *out = the created role. Existing name -> BASE_EAWS
 * EntityAlreadyExists (re-discover with aws_iam_get_role). */
BASE_MUST_USE int aws_iam_create_role(aws_client *c, base_arena *a, const aws_iam_role_spec *spec,
                                      aws_iam_role *out, aws_error *err);
/* GetRole(RoleName). Note: GetRole's Tags are included when AWS sends them. */
BASE_MUST_USE int aws_iam_get_role(aws_client *c, base_arena *a, const char *role_name, aws_iam_role *out,
                                   aws_error *err);
/* DeleteRole. Attached/inline policies left -> BASE_EAWS DeleteConflict. */
BASE_MUST_USE int aws_iam_delete_role(aws_client *c, base_arena *a, const char *role_name, aws_error *err);
/* UpdateRole: Description (NULL = unchanged, "" clears) and
 * MaxSessionDuration (0 = unchanged). */
BASE_MUST_USE int aws_iam_update_role(aws_client *c, base_arena *a, const char *role_name,
                                      const char *description, int64_t max_session_duration, aws_error *err);
/* UpdateAssumeRolePolicy(RoleName, PolicyDocument). */
BASE_MUST_USE int aws_iam_update_assume_role_policy(aws_client *c, base_arena *a, const char *role_name,
                                                    const char *policy_document, aws_error *err);
/* PutRolePermissionsBoundary / DeleteRolePermissionsBoundary (boundary NULL). */
BASE_MUST_USE int aws_iam_set_role_permissions_boundary(aws_client *c, base_arena *a, const char *role_name,
                                                        const char *boundary_arn, aws_error *err);

/* Managed policies. Attach twice is a no-op; detaching a policy that is
 * not attached -> BASE_ENOTFOUND (NoSuchEntity). */
BASE_MUST_USE int aws_iam_attach_role_policy(aws_client *c, base_arena *a, const char *role_name,
                                             const char *policy_arn, aws_error *err);
BASE_MUST_USE int aws_iam_detach_role_policy(aws_client *c, base_arena *a, const char *role_name,
                                             const char *policy_arn, aws_error *err);

typedef struct aws_iam_attached_policy {
	const char *policy_name, *policy_arn;
} aws_iam_attached_policy;
typedef struct aws_iam_attached_policies {
	aws_iam_attached_policy *v;
	size_t n;
} aws_iam_attached_policies;

/* ListAttachedRolePolicies (all pages). */
BASE_MUST_USE int aws_iam_list_attached_role_policies(aws_client *c, base_arena *a, const char *role_name,
                                                      aws_iam_attached_policies *out, aws_error *err);

/* Inline policies. */
BASE_MUST_USE int aws_iam_put_role_policy(aws_client *c, base_arena *a, const char *role_name,
                                          const char *policy_name, const char *policy_document,
                                          aws_error *err);
/* GetRolePolicy; *document_out = decoded JSON (arena). */
BASE_MUST_USE int aws_iam_get_role_policy(aws_client *c, base_arena *a, const char *role_name,
                                          const char *policy_name, const char **document_out, aws_error *err);
BASE_MUST_USE int aws_iam_delete_role_policy(aws_client *c, base_arena *a, const char *role_name,
                                             const char *policy_name, aws_error *err);
/* ListRolePolicies (all pages): inline policy names. */
BASE_MUST_USE int aws_iam_list_role_policies(aws_client *c, base_arena *a, const char *role_name,
                                             aws_strs *names_out, aws_error *err);

/* TagRole (Tags.member.N) / UntagRole (TagKeys.member.N). An empty list is
 * BASE_OK without a request. Unknown role -> BASE_ENOTFOUND. */
BASE_MUST_USE int aws_iam_tag_role(aws_client *c, base_arena *a, const char *role_name, aws_tags tags,
                                   aws_error *err);
BASE_MUST_USE int aws_iam_untag_role(aws_client *c, base_arena *a, const char *role_name, aws_strs keys,
                                     aws_error *err);
/* ListRoleTags (all pages). */
BASE_MUST_USE int aws_iam_list_role_tags(aws_client *c, base_arena *a, const char *role_name, aws_tags *out,
                                         aws_error *err);

/* Pure helper: parses one <Role> element's XML body of a CreateRole/GetRole
 * response (for tests and recorded bodies). BASE_EINVALID if malformed. */
BASE_MUST_USE int aws_iam_parse_role_response(base_arena *a, const char *body, size_t len, aws_iam_role *out);

#endif
