/*
 * aws_lambda.c - Lambda functions over REST-JSON: create/get/update/delete,
 * tags, reserved concurrency.
 */
#include "aws/aws_lambda.h"

#include <stdio.h>
#include <string.h>

#include "base/base_buf.h"
#include "base/base_str.h"
#include "aws/aws_json.h"
#include "aws/aws_proto_int.h"

/* Request bodies above this are refused locally (the API limit for a
 * direct zip upload is 50 MB before base64). */
#define LAMBDA_MAX_BODY (80u * 1024u * 1024u)

/* ---- encoding --------------------------------------------------------- */

static void set_strs(aws_json *obj, const char *key, aws_strs v)
{
	aws_json *arr = aws_json_set_array(obj, key);
	for (size_t i = 0; i < v.n; i++)
		aws_json_push_str(arr, v.v[i]);
}

static void set_tags(aws_json *obj, const char *key, aws_tags t)
{
	aws_json *m = aws_json_set_object(obj, key);
	for (size_t i = 0; i < t.n; i++)
		aws_json_set_str(m, t.v[i].key, t.v[i].value ? t.v[i].value : "");
}

static bool logging_set(const aws_lambda_logging *l)
{
	return l->log_format || l->log_group || l->application_log_level || l->system_log_level;
}

static void set_logging(aws_json *obj, const aws_lambda_logging *l)
{
	aws_json *lc = aws_json_set_object(obj, "LoggingConfig");
	aws_json_set_str(lc, "LogFormat", l->log_format);
	aws_json_set_str(lc, "ApplicationLogLevel", l->application_log_level);
	aws_json_set_str(lc, "SystemLogLevel", l->system_log_level);
	aws_json_set_str(lc, "LogGroup", l->log_group);
}

/* Code fields into obj (Code object for create, top level for UpdateFunctionCode). */
static int set_code(base_arena *a, aws_json *obj, const aws_lambda_code *code)
{
	int rc = BASE_OK;
	if (code->zip) {
		base_buf b64;
		base_buf_init(&b64, LAMBDA_MAX_BODY);
		rc = base_str_base64_encode(&b64, code->zip, code->zip_len, true);
		if (rc == BASE_OK)
			aws_json_set(obj, "ZipFile", aws_json_new_string(a, base_buf_cstr(&b64)));
		base_buf_dispose(&b64);
		return rc;
	}
	aws_json_set_str(obj, "S3Bucket", code->s3_bucket);
	aws_json_set_str(obj, "S3Key", code->s3_key);
	aws_json_set_str(obj, "S3ObjectVersion", code->s3_object_version);
	aws_json_set_str(obj, "ImageUri", code->image_uri);
	return rc;
}

static int build_function(base_arena *a, const aws_lambda_function_spec *s, bool update, aws_json **out)
{
	aws_json *o = aws_json_new_object(a);
	int rc = BASE_OK;

	*out = NULL;
	if (!update)
		aws_json_set_str(o, "FunctionName", s->function_name);
	aws_json_set_str(o, "Runtime", s->runtime);
	aws_json_set_str(o, "Role", s->role);
	aws_json_set_str(o, "Handler", s->handler);
	if (!update && (rc = set_code(a, aws_json_set_object(o, "Code"), &s->code)) != BASE_OK)
		return rc;
	if (update)
		aws_json_set_str(o, "Description", s->description ? s->description : "");
	else
		aws_json_set_str(o, "Description", s->description);
	if (s->timeout > 0)
		aws_json_set_int(o, "Timeout", s->timeout);
	if (s->memory_size > 0)
		aws_json_set_int(o, "MemorySize", s->memory_size);
	if (!update && s->publish != AWS_BOOL_UNSET)
		aws_json_set_bool(o, "Publish", s->publish == AWS_BOOL_TRUE);
	if (!update)
		aws_json_set_str(o, "PackageType", s->package_type);
	if (update || s->subnet_ids.n || s->security_group_ids.n) {
		aws_json *vpc = aws_json_set_object(o, "VpcConfig");
		set_strs(vpc, "SubnetIds", s->subnet_ids);
		set_strs(vpc, "SecurityGroupIds", s->security_group_ids);
	}
	if (update || s->environment.n)
		set_tags(aws_json_set_object(o, "Environment"), "Variables", s->environment);
	if (!update && s->tags.n)
		set_tags(o, "Tags", s->tags);
	if (!update && s->architectures.n)
		set_strs(o, "Architectures", s->architectures);
	if (update)
		aws_json_set_str(o, "KMSKeyArn", s->kms_key_arn ? s->kms_key_arn : "");
	else
		aws_json_set_str(o, "KMSKeyArn", s->kms_key_arn);
	if (s->tracing_mode)
		aws_json_set_str(aws_json_set_object(o, "TracingConfig"), "Mode", s->tracing_mode);
	if (update || s->dead_letter_target_arn)
		aws_json_set_str(aws_json_set_object(o, "DeadLetterConfig"), "TargetArn",
		                 s->dead_letter_target_arn ? s->dead_letter_target_arn : "");
	if (update || s->layers.n)
		set_strs(o, "Layers", s->layers);
	if (s->ephemeral_storage_size > 0)
		aws_json_set_int(aws_json_set_object(o, "EphemeralStorage"), "Size",
		                 s->ephemeral_storage_size);
	if (logging_set(&s->logging))
		set_logging(o, &s->logging);
	*out = o;
	return rc;
}

static int build_code(base_arena *a, const aws_lambda_function_spec *s, aws_json **out)
{
	aws_json *o = aws_json_new_object(a);
	int rc;
	*out = NULL;
	if ((rc = set_code(a, o, &s->code)) != BASE_OK)
		return rc;
	if (s->architectures.n)
		set_strs(o, "Architectures", s->architectures);
	if (s->publish != AWS_BOOL_UNSET)
		aws_json_set_bool(o, "Publish", s->publish == AWS_BOOL_TRUE);
	*out = o;
	return BASE_OK;
}

int aws_lambda_encode_function(base_arena *a, const aws_lambda_function_spec *spec, bool update,
                               base_buf *out)
{
	aws_json *o;
	int rc = build_function(a, spec, update, &o);
	return rc != BASE_OK ? rc : aws_json_encode(o, out);
}

int aws_lambda_encode_code(base_arena *a, const aws_lambda_function_spec *spec, base_buf *out)
{
	aws_json *o;
	int rc = build_code(a, spec, &o);
	return rc != BASE_OK ? rc : aws_json_encode(o, out);
}

/* ---- parsing ---------------------------------------------------------- */

static const char *jstr(const aws_json *o, const char *path)
{
	return aws_json_str(aws_json_path(o, path));
}

/* An optional integer member: absent or null leaves *out alone; anything but
 * an integer in int64's range is an error naming the member. */
static bool opt_int(const aws_json *c, const char *path, int64_t *out, const char **why)
{
	const aws_json *v = aws_json_path(c, path);
	if (aws_json_kind_of(v) == AWS_JSON_NULL || aws_json_int(v, out))
		return true;
	*why = path;
	return false;
}

/* Integer members; false with *why = the bad member's path. */
static bool parse_ints(const aws_json *c, aws_lambda_function *f, const char **why)
{
	return opt_int(c, "CodeSize", &f->code_size, why) && opt_int(c, "MemorySize", &f->memory_size, why) &&
	       opt_int(c, "Timeout", &f->timeout, why) &&
	       opt_int(c, "EphemeralStorage/Size", &f->ephemeral_storage_size, why);
}

static void parse_config(base_arena *a, const aws_json *c, aws_lambda_function *f)
{
	const aws_json *layers = aws_json_get(c, "Layers");
	size_t nl = aws_json_len(layers), k = 0;

	f->function_name = jstr(c, "FunctionName");
	f->function_arn = jstr(c, "FunctionArn");
	f->runtime = jstr(c, "Runtime");
	f->role = jstr(c, "Role");
	f->handler = jstr(c, "Handler");
	f->description = jstr(c, "Description");
	f->code_sha256 = jstr(c, "CodeSha256");
	f->last_modified = jstr(c, "LastModified");
	f->version = jstr(c, "Version");
	f->revision_id = jstr(c, "RevisionId");
	f->package_type = jstr(c, "PackageType");
	f->state = jstr(c, "State");
	f->state_reason = jstr(c, "StateReason");
	f->state_reason_code = jstr(c, "StateReasonCode");
	f->last_update_status = jstr(c, "LastUpdateStatus");
	f->last_update_status_reason = jstr(c, "LastUpdateStatusReason");
	f->last_update_status_reason_code = jstr(c, "LastUpdateStatusReasonCode");
	f->kms_key_arn = jstr(c, "KMSKeyArn");
	f->tracing_mode = jstr(c, "TracingConfig/Mode");
	f->dead_letter_target_arn = jstr(c, "DeadLetterConfig/TargetArn");
	f->architectures = aws__json_strs(a, aws_json_get(c, "Architectures"));
	if (nl) {
		const char **v = base_arena_calloc(a, nl, sizeof *v);
		for (size_t i = 0; i < nl; i++) {
			const char *arn = jstr(aws_json_at(layers, i), "Arn");
			if (arn)
				v[k++] = arn;
		}
		f->layers = (aws_strs){v, k};
	}
	f->environment = aws__json_tags(a, aws_json_path(c, "Environment/Variables"));
	f->subnet_ids = aws__json_strs(a, aws_json_path(c, "VpcConfig/SubnetIds"));
	f->security_group_ids = aws__json_strs(a, aws_json_path(c, "VpcConfig/SecurityGroupIds"));
	f->vpc_id = jstr(c, "VpcConfig/VpcId");
	if (f->vpc_id && !*f->vpc_id)
		f->vpc_id = NULL;
	f->logging.log_format = jstr(c, "LoggingConfig/LogFormat");
	f->logging.log_group = jstr(c, "LoggingConfig/LogGroup");
	f->logging.application_log_level = jstr(c, "LoggingConfig/ApplicationLogLevel");
	f->logging.system_log_level = jstr(c, "LoggingConfig/SystemLogLevel");
}

/* Fills f from a FunctionConfiguration or a GetFunction reply; on
 * BASE_EINVALID *bad names a member that is not an integer (else NULL). */
static int parse_function_value(base_arena *a, const aws_json *root, aws_lambda_function *f, const char **bad)
{
	const aws_json *cfg = aws_json_get(root, "Configuration");
	memset(f, 0, sizeof *f);
	*bad = NULL;
	if (aws_json_kind_of(root) != AWS_JSON_OBJECT)
		return BASE_EINVALID;
	if (!parse_ints(cfg ? cfg : root, f, bad))
		return BASE_EINVALID;
	if (cfg) {
		int64_t n;
		parse_config(a, cfg, f);
		f->tags = aws__json_tags(a, aws_json_get(root, "Tags"));
		if (aws_json_int(aws_json_path(root, "Concurrency/ReservedConcurrentExecutions"), &n)) {
			f->has_reserved_concurrency = true;
			f->reserved_concurrency = n;
		}
		f->code_repository_type = jstr(root, "Code/RepositoryType");
		f->code_location = jstr(root, "Code/Location");
		f->code_image_uri = jstr(root, "Code/ImageUri");
	} else {
		parse_config(a, root, f);
	}
	return f->function_name || f->function_arn ? BASE_OK : BASE_EINVALID;
}

int aws_lambda_parse_function(base_arena *a, const char *body, size_t len, aws_lambda_function *out)
{
	const aws_json *root = NULL;
	memset(out, 0, sizeof *out);
	const char *bad;
	if (aws_json_parse(a, body, len, &root) != BASE_OK)
		return BASE_EINVALID;
	return parse_function_value(a, root, out, &bad);
}

/* ---- calls ------------------------------------------------------------ */

static const char *fn_path(base_arena *a, const char *prefix, const char *name, const char *suffix)
{
	return base_arena_sprintf(a, "/%s/%s%s", prefix, aws__path_escape(a, name ? name : ""), suffix);
}

/* Call returning a function configuration in *out. */
static int function_call(aws_client *c, base_arena *a, const char *op, const char *method, const char *path,
                         const aws_json *body, bool not_idempotent, aws_lambda_function *out, aws_error *err)
{
	const aws_json *root = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	rc = aws__rest_call(c, a, op, method, path, NULL, body, not_idempotent, &root, err);
	if (rc != BASE_OK)
		return rc;
	const char *bad;
	if (parse_function_value(a, root, out, &bad) != BASE_OK)
		return aws__invalid_response(err, op,
		                             bad ? base_arena_sprintf(a, "%s is not an integer in range", bad)
		                                 : "no function configuration in the reply");
	return BASE_OK;
}

static int encode_error(aws_error *err, const char *op, int rc)
{
	aws_error_setf(err, 0, "InvalidRequest", "%s: cannot build the request body (%s)", op,
	               base_err_str(rc));
	return rc;
}

int aws_lambda_create_function(aws_client *c, base_arena *a, const aws_lambda_function_spec *spec,
                               aws_lambda_function *out, aws_error *err)
{
	aws_json *body;
	int rc = build_function(a, spec, false, &body);
	if (rc != BASE_OK) {
		memset(out, 0, sizeof *out);
		return encode_error(err, "CreateFunction", rc);
	}
	return function_call(c, a, "CreateFunction", "POST", "/2015-03-31/functions", body, true, out, err);
}

int aws_lambda_get_function(aws_client *c, base_arena *a, const char *name, aws_lambda_function *out,
                            aws_error *err)
{
	return function_call(c, a, "GetFunction", "GET", fn_path(a, "2015-03-31/functions", name, ""), NULL,
	                     false, out, err);
}

int aws_lambda_get_function_configuration(aws_client *c, base_arena *a, const char *name,
                                          aws_lambda_function *out, aws_error *err)
{
	return function_call(c, a, "GetFunctionConfiguration", "GET",
	                     fn_path(a, "2015-03-31/functions", name, "/configuration"), NULL, false, out,
	                     err);
}

int aws_lambda_update_function_configuration(aws_client *c, base_arena *a,
                                             const aws_lambda_function_spec *spec, aws_lambda_function *out,
                                             aws_error *err)
{
	aws_json *body;
	int rc = build_function(a, spec, true, &body);
	if (rc != BASE_OK) {
		memset(out, 0, sizeof *out);
		return encode_error(err, "UpdateFunctionConfiguration", rc);
	}
	return function_call(c, a, "UpdateFunctionConfiguration", "PUT",
	                     fn_path(a, "2015-03-31/functions", spec->function_name, "/configuration"), body,
	                     false, out, err);
}

int aws_lambda_update_function_code(aws_client *c, base_arena *a, const aws_lambda_function_spec *spec,
                                    aws_lambda_function *out, aws_error *err)
{
	aws_json *body;
	int rc = build_code(a, spec, &body);
	if (rc != BASE_OK) {
		memset(out, 0, sizeof *out);
		return encode_error(err, "UpdateFunctionCode", rc);
	}
	return function_call(c, a, "UpdateFunctionCode", "PUT",
	                     fn_path(a, "2015-03-31/functions", spec->function_name, "/code"), body, false,
	                     out, err);
}

int aws_lambda_publish_version(aws_client *c, base_arena *a, const char *name, aws_lambda_function *out,
                               aws_error *err)
{
	return function_call(c, a, "PublishVersion", "POST",
	                     fn_path(a, "2015-03-31/functions", name, "/versions"), aws_json_new_object(a),
	                     true, out, err);
}

int aws_lambda_delete_function(aws_client *c, base_arena *a, const char *name, aws_error *err)
{
	return aws__rest_call(c, a, "DeleteFunction", "DELETE", fn_path(a, "2015-03-31/functions", name, ""),
	                      NULL, NULL, false, NULL, err);
}

int aws_lambda_tag_resource(aws_client *c, base_arena *a, const char *arn, aws_tags tags, aws_error *err)
{
	aws_json *body = aws_json_new_object(a);
	aws_error_clear(err);
	if (tags.n == 0)
		return BASE_OK;
	set_tags(body, "Tags", tags);
	return aws__rest_call(c, a, "TagResource", "POST", fn_path(a, "2017-03-31/tags", arn, ""), NULL, body,
	                      false, NULL, err);
}

int aws_lambda_untag_resource(aws_client *c, base_arena *a, const char *arn, aws_strs keys, aws_error *err)
{
	base_buf q;
	int rc = BASE_OK;
	char *query;

	aws_error_clear(err);
	if (keys.n == 0)
		return BASE_OK;
	base_buf_init(&q, 0);
	for (size_t i = 0; i < keys.n && rc == BASE_OK; i++) {
		if (i > 0)
			rc = base_buf_putc(&q, '&');
		if (rc == BASE_OK)
			rc = base_buf_puts(&q, "tagKeys=");
		if (rc == BASE_OK)
			rc = aws_query_encode(&q, keys.v[i], strlen(keys.v[i]));
	}
	query = base_arena_strndup(a, base_buf_cstr(&q), q.len);
	base_buf_dispose(&q);
	if (rc != BASE_OK)
		return encode_error(err, "UntagResource", rc);
	return aws__rest_call(c, a, "UntagResource", "DELETE", fn_path(a, "2017-03-31/tags", arn, ""),
	                      keys.n ? query : NULL, NULL, false, NULL, err);
}

int aws_lambda_list_tags(aws_client *c, base_arena *a, const char *arn, aws_tags *out, aws_error *err)
{
	const aws_json *root = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	rc = aws__rest_call(c, a, "ListTags", "GET", fn_path(a, "2017-03-31/tags", arn, ""), NULL, NULL,
	                    false, &root, err);
	if (rc != BASE_OK)
		return rc;
	*out = aws__json_tags(a, aws_json_get(root, "Tags"));
	return BASE_OK;
}

int aws_lambda_put_function_concurrency(aws_client *c, base_arena *a, const char *name, int64_t reserved,
                                        aws_error *err)
{
	aws_json *body = aws_json_new_object(a);
	aws_json_set_int(body, "ReservedConcurrentExecutions", reserved);
	return aws__rest_call(c, a, "PutFunctionConcurrency", "PUT",
	                      fn_path(a, "2017-10-31/functions", name, "/concurrency"), NULL, body, false,
	                      NULL, err);
}

int aws_lambda_delete_function_concurrency(aws_client *c, base_arena *a, const char *name, aws_error *err)
{
	return aws__rest_call(c, a, "DeleteFunctionConcurrency", "DELETE",
	                      fn_path(a, "2017-10-31/functions", name, "/concurrency"), NULL, NULL, false,
	                      NULL, err);
}

int aws_lambda_get_function_concurrency(aws_client *c, base_arena *a, const char *name, bool *has_out,
                                        int64_t *reserved_out, aws_error *err)
{
	const aws_json *root = NULL;
	int rc;

	*has_out = false;
	*reserved_out = 0;
	rc = aws__rest_call(c, a, "GetFunctionConcurrency", "GET",
	                    fn_path(a, "2019-09-30/functions", name, "/concurrency"), NULL, NULL, false,
	                    &root, err);
	if (rc != BASE_OK)
		return rc;
	*has_out = aws_json_int(aws_json_get(root, "ReservedConcurrentExecutions"), reserved_out);
	return BASE_OK;
}
