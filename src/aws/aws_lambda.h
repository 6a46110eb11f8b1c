/*
 * aws_lambda.h - typed Lambda operations (REST-JSON, 2015-03-31 family).
 *
 * Conventions (results in the caller's arena, return codes, err) are those
 * described at the top of aws_ec2.h: BASE_ENOTFOUND for
 * ResourceNotFoundException (HTTP 404), BASE_EAWS for other AWS errors
 * (ResourceConflictException: exists / update in progress;
 * InvalidParameterValueException: e.g. role not assumable yet - retry per
 * AWS.md 3.1). Functions are addressed by name or ARN; both are
 * percent-encoded into the path here.
 *
 * Callers must wait for State Active / LastUpdateStatus Successful between
 * mutations (AWS.md 3.1): these functions never wait.
 * Thread-safe.
 */
#ifndef AWS_LAMBDA_H
#define AWS_LAMBDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_err.h"
#include "aws/aws_client.h"
#include "aws/aws_error.h"
#include "aws/aws_json.h"
#include "aws/aws_types.h"

/* Code location: exactly one of zip bytes, S3 object, or image URI. */
typedef struct aws_lambda_code {
	const void *zip;
	size_t zip_len; /* raw zip bytes (base64-encoded here) */
	const char *s3_bucket, *s3_key, *s3_object_version;
	const char *image_uri;
} aws_lambda_code;

/* LoggingConfig; all NULL = not sent. */
typedef struct aws_lambda_logging {
	const char *log_format; /* "Text" | "JSON" */
	const char *log_group;
	const char *application_log_level; /* JSON format only */
	const char *system_log_level;      /* JSON format only */
} aws_lambda_logging;

/*
 * Every function setting of the resource.
 * CreateFunction: unset fields (NULL, 0, n == 0, AWS_BOOL_UNSET) are omitted.
 * UpdateFunctionConfiguration: the spec is the WHOLE desired configuration:
 *   role always; handler/runtime when non-NULL; timeout/memory/ephemeral
 *   when > 0; tracing_mode when non-NULL ("PassThrough" resets);
 *   logging when any field set; and ALWAYS description (NULL -> ""),
 *   environment (empty clears), layers (empty clears), kms_key_arn (NULL ->
 *   "" = AWS-managed key), dead_letter_target_arn (NULL -> "" removes),
 *   VpcConfig (empty lists detach the function from the VPC).
 * code, package_type, architectures, publish, tags are used by create only
 * (update code with aws_lambda_update_code, tags with tag/untag).
 */
typedef struct aws_lambda_function_spec {
	const char *function_name;     /* required */
	const char *role;              /* required: execution role ARN */
	const char *runtime, *handler; /* Zip packages */
	aws_lambda_code code;
	const char *package_type;     /* "Zip" | "Image" | NULL */
	aws_strs architectures;       /* "x86_64" | "arm64" */
	int64_t memory_size, timeout; /* 0 = AWS default */
	aws_tags environment;         /* Environment.Variables */
	const char *description;
	aws_strs layers; /* layer version ARNs */
	aws_opt_bool publish;
	const char *kms_key_arn;
	const char *tracing_mode; /* "Active" | "PassThrough" */
	const char *dead_letter_target_arn;
	int64_t ephemeral_storage_size; /* MB, 0 = default 512 */
	aws_lambda_logging logging;
	aws_strs subnet_ids, security_group_ids; /* VpcConfig */
	aws_tags tags;                           /* create only */
} aws_lambda_function_spec;

/* FunctionConfiguration as returned by Create/Get/Update (+ GetFunction extras). */
typedef struct aws_lambda_function {
	const char *function_name, *function_arn, *runtime, *role, *handler, *description;
	const char *code_sha256, *last_modified, *version, *revision_id, *package_type;
	int64_t code_size, memory_size, timeout, ephemeral_storage_size;
	const char *state, *state_reason, *state_reason_code; /* Pending|Active|Inactive|Failed */
	const char *last_update_status; /* InProgress|Successful|Failed|NULL(=InProgress) */
	const char *last_update_status_reason, *last_update_status_reason_code;
	const char *kms_key_arn, *tracing_mode, *dead_letter_target_arn;
	aws_strs architectures;
	aws_strs layers;      /* Layers[].Arn */
	aws_tags environment; /* Environment.Variables */
	aws_strs subnet_ids, security_group_ids;
	const char *vpc_id; /* under moto always "vpc-123abc" */
	aws_lambda_logging logging;
	/* GetFunction only: */
	aws_tags tags;
	bool has_reserved_concurrency;
	int64_t reserved_concurrency; /* Concurrency.ReservedConcurrentExecutions */
	const char *code_repository_type, *code_location, *code_image_uri;
} aws_lambda_function;

/* CreateFunction (POST /2015-03-31/functions, 201); not idempotent.
 * Existing name -> BASE_EAWS ResourceConflictException. */
BASE_MUST_USE int aws_lambda_create_function(aws_client *c, base_arena *a,
                                             const aws_lambda_function_spec *spec, aws_lambda_function *out,
                                             aws_error *err);
/* GetFunction: configuration + tags + concurrency + code location. */
BASE_MUST_USE int aws_lambda_get_function(aws_client *c, base_arena *a, const char *name,
                                          aws_lambda_function *out, aws_error *err);
/* GetFunctionConfiguration. */
BASE_MUST_USE int aws_lambda_get_function_configuration(aws_client *c, base_arena *a, const char *name,
                                                        aws_lambda_function *out, aws_error *err);
/* UpdateFunctionConfiguration (see the spec comment for what is sent). */
BASE_MUST_USE int aws_lambda_update_function_configuration(aws_client *c, base_arena *a,
                                                           const aws_lambda_function_spec *spec,
                                                           aws_lambda_function *out, aws_error *err);
/* UpdateFunctionCode: spec->code, spec->architectures (if n > 0) and
 * spec->publish are sent. */
BASE_MUST_USE int aws_lambda_update_function_code(aws_client *c, base_arena *a,
                                                  const aws_lambda_function_spec *spec,
                                                  aws_lambda_function *out, aws_error *err);
/* PublishVersion (POST .../versions); *out = the new version's config. */
BASE_MUST_USE int aws_lambda_publish_version(aws_client *c, base_arena *a, const char *name,
                                             aws_lambda_function *out, aws_error *err);
/* DeleteFunction (any 2xx). Missing -> BASE_ENOTFOUND. */
BASE_MUST_USE int aws_lambda_delete_function(aws_client *c, base_arena *a, const char *name, aws_error *err);

/* TagResource / UntagResource (?tagKeys=K repeated) / ListTags. The
 * function ARN (not the name) goes percent-encoded into the path. Empty
 * tags/keys: BASE_OK without a request. */
BASE_MUST_USE int aws_lambda_tag_resource(aws_client *c, base_arena *a, const char *arn, aws_tags tags,
                                          aws_error *err);
BASE_MUST_USE int aws_lambda_untag_resource(aws_client *c, base_arena *a, const char *arn, aws_strs keys,
                                            aws_error *err);
BASE_MUST_USE int aws_lambda_list_tags(aws_client *c, base_arena *a, const char *arn, aws_tags *out,
                                       aws_error *err);

/* Reserved concurrency. */
BASE_MUST_USE int aws_lambda_put_function_concurrency(aws_client *c, base_arena *a, const char *name,
                                                      int64_t reserved, aws_error *err);
BASE_MUST_USE int aws_lambda_delete_function_concurrency(aws_client *c, base_arena *a, const char *name,
                                                         aws_error *err);
/* *has_out = false when no reserved concurrency is configured. */
BASE_MUST_USE int aws_lambda_get_function_concurrency(aws_client *c, base_arena *a, const char *name,
                                                      bool *has_out, int64_t *reserved_out, aws_error *err);

/* ---- pure parts (tests, recorded bodies) ---- */

/* Builds the CreateFunction (update=false) or UpdateFunctionConfiguration
 * (update=true) JSON body into out. BASE_ETOOBIG / BASE_EINVALID. */
BASE_MUST_USE int aws_lambda_encode_function(base_arena *a, const aws_lambda_function_spec *spec, bool update,
                                             base_buf *out);
/* Builds the UpdateFunctionCode JSON body. */
BASE_MUST_USE int aws_lambda_encode_code(base_arena *a, const aws_lambda_function_spec *spec, base_buf *out);
/* Parses a FunctionConfiguration object, or a GetFunction response
 * ({Configuration, Code, Tags, Concurrency}). BASE_EINVALID if malformed. */
BASE_MUST_USE int aws_lambda_parse_function(base_arena *a, const char *body, size_t len,
                                            aws_lambda_function *out);

#endif
