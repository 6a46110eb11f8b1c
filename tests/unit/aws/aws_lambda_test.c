/* Typed Lambda operations: JSON bodies byte-exact, paths encoded, recorded
 * moto replies parsed, error shapes mapped. */
#include <string.h>

#include "t.h"
#include "aws_ops_fake.h"
#include "aws/aws_lambda.h"
#include "base/base_arena.h"

#define D "tests/data/aws/lambda/"

static void full_spec(aws_lambda_function_spec *s)
{
	static const char *const subnets[] = {"subnet-1", "subnet-2"};
	static const char *const sgs[] = {"sg-1"};
	static const char *const arch[] = {"arm64"};
	static const char *const layers[] = {"arn:aws:lambda:us-east-1:1:layer:l:3"};
	static const aws_tag env[] = {{"STAGE", "prod"}, {"Q", "a\"b"}};
	static const aws_tag tags[] = {{"lambdavpc:function", "fx"}};
	memset(s, 0, sizeof *s);
	s->function_name = "fx";
	s->role = "arn:aws:iam::123456789012:role/fx-role";
	s->runtime = "python3.12";
	s->handler = "handler.lambda_handler";
	s->code.zip = "PK\x03\x04";
	s->code.zip_len = 4;
	s->package_type = "Zip";
	s->architectures = (aws_strs)AWS_STRS(arch);
	s->memory_size = 256;
	s->timeout = 10;
	s->environment = (aws_tags)AWS_TAGS(env);
	s->description = "d";
	s->layers = (aws_strs)AWS_STRS(layers);
	s->publish = AWS_BOOL_TRUE;
	s->kms_key_arn = "arn:k";
	s->tracing_mode = "Active";
	s->dead_letter_target_arn = "arn:sqs";
	s->ephemeral_storage_size = 1024;
	s->logging.log_format = "JSON";
	s->logging.application_log_level = "INFO";
	s->subnet_ids = (aws_strs)AWS_STRS(subnets);
	s->security_group_ids = (aws_strs)AWS_STRS(sgs);
	s->tags = (aws_tags)AWS_TAGS(tags);
}

void test_aws_lambda__encode_create_full(void)
{
	aws_lambda_function_spec s;
	base_arena *a = base_arena_new();
	base_buf out;

	full_spec(&s);
	base_buf_init(&out, 0);
	T_OK(aws_lambda_encode_function(a, &s, false, &out));
	T_ASSERT_STR(
	        base_buf_cstr(&out),
	        "{\"FunctionName\":\"fx\",\"Runtime\":\"python3.12\",\"Role\":\"arn:aws:iam::123456789012:"
	        "role/fx-role\","
	        "\"Handler\":\"handler.lambda_handler\",\"Code\":{\"ZipFile\":\"UEsDBA==\"},\"Description\":"
	        "\"d\","
	        "\"Timeout\":10,\"MemorySize\":256,\"Publish\":true,\"PackageType\":\"Zip\","
	        "\"VpcConfig\":{\"SubnetIds\":[\"subnet-1\",\"subnet-2\"],\"SecurityGroupIds\":[\"sg-1\"]},"
	        "\"Environment\":{\"Variables\":{\"STAGE\":\"prod\",\"Q\":\"a\\\"b\"}},"
	        "\"Tags\":{\"lambdavpc:function\":\"fx\"},\"Architectures\":[\"arm64\"],\"KMSKeyArn\":\"arn:"
	        "k\","
	        "\"TracingConfig\":{\"Mode\":\"Active\"},\"DeadLetterConfig\":{\"TargetArn\":\"arn:sqs\"},"
	        "\"Layers\":[\"arn:aws:lambda:us-east-1:1:layer:l:3\"],\"EphemeralStorage\":{\"Size\":1024},"
	        "\"LoggingConfig\":{\"LogFormat\":\"JSON\",\"ApplicationLogLevel\":\"INFO\"}}");
	base_buf_dispose(&out);
	base_arena_free(a);
}

void test_aws_lambda__encode_create_minimal_and_update_clears(void)
{
	aws_lambda_function_spec s;
	base_arena *a = base_arena_new();
	base_buf out;

	memset(&s, 0, sizeof s);
	s.function_name = "fx";
	s.role = "arn:r";
	s.code.s3_bucket = "b";
	s.code.s3_key = "k.zip";
	s.runtime = "python3.12";
	s.handler = "h.h";
	base_buf_init(&out, 0);
	T_OK(aws_lambda_encode_function(a, &s, false, &out));
	T_ASSERT_STR(base_buf_cstr(&out),
	             "{\"FunctionName\":\"fx\",\"Runtime\":\"python3.12\",\"Role\":\"arn:r\","
	             "\"Handler\":\"h.h\",\"Code\":{\"S3Bucket\":\"b\",\"S3Key\":\"k.zip\"}}");
	base_buf_reset(&out);
	T_OK(aws_lambda_encode_function(a, &s, true, &out));
	T_ASSERT_STR(base_buf_cstr(&out),
	             "{\"Runtime\":\"python3.12\",\"Role\":\"arn:r\",\"Handler\":\"h.h\","
	             "\"Description\":\"\",\"VpcConfig\":{\"SubnetIds\":[],\"SecurityGroupIds\":[]},"
	             "\"Environment\":{\"Variables\":{}},\"KMSKeyArn\":\"\","
	             "\"DeadLetterConfig\":{\"TargetArn\":\"\"},\"Layers\":[]}");
	base_buf_reset(&out);
	s.publish = AWS_BOOL_FALSE;
	T_OK(aws_lambda_encode_code(a, &s, &out));
	T_ASSERT_STR(base_buf_cstr(&out), "{\"S3Bucket\":\"b\",\"S3Key\":\"k.zip\",\"Publish\":false}");
	base_buf_dispose(&out);
	base_arena_free(a);
}

void test_aws_lambda__parse_recorded(void)
{
	size_t len;
	char *body = t_read_file(D "GetFunction.json", &len);
	char *cbody = NULL;
	base_arena *a = base_arena_new();
	aws_lambda_function fn;

	T_ASSERT(body);
	T_OK(aws_lambda_parse_function(a, body, len, &fn));
	T_ASSERT_STR(fn.function_name, "fx");
	T_ASSERT_STR(fn.function_arn, "arn:aws:lambda:us-east-1:123456789012:function:fx");
	T_ASSERT_STR(fn.state, "Active");
	T_ASSERT_STR(fn.last_update_status, "Successful");
	T_ASSERT_STR(fn.code_sha256, "1GZAJiHWHqrPvTo97v9k17/y2hCpHYx3gjgNUlHCjrU=");
	T_ASSERT_STR(fn.version, "$LATEST");
	T_ASSERT_INT(fn.memory_size, 256);
	T_ASSERT_INT(fn.timeout, 10);
	T_ASSERT_INT(fn.ephemeral_storage_size, 512);
	T_ASSERT_STR(fn.tracing_mode, "PassThrough");
	T_ASSERT_INT(fn.subnet_ids.n, 1);
	T_ASSERT_STR(fn.vpc_id, "vpc-123abc");
	T_ASSERT_STR(aws_tags_get(fn.environment, "STAGE"), "prod");
	T_ASSERT_STR(fn.architectures.v[0], "x86_64");
	T_ASSERT_INT(fn.layers.n, 0);
	T_ASSERT_STR(aws_tags_get(fn.tags, "Team"), "x");
	T_ASSERT(fn.has_reserved_concurrency);
	T_ASSERT_INT(fn.reserved_concurrency, 5);
	T_ASSERT_STR(fn.code_repository_type, "S3");
	cbody = t_read_file(D "UpdateFunctionConfiguration.json", &len);
	T_ASSERT(cbody);
	T_OK(aws_lambda_parse_function(a, cbody, len, &fn));
	T_ASSERT_INT(fn.subnet_ids.n, 0);
	T_ASSERT(!fn.has_reserved_concurrency);
	T_ASSERT_INT(aws_lambda_parse_function(a, "[]", 2, &fn), BASE_EINVALID);
	base_arena_free(a);
	base_free(body);
	base_free(cbody);
}

void test_aws_lambda__calls_paths_and_errors(void)
{
	static const char *const keys[] = {"a b", "c"};
	static const aws_tag tags[] = {{"k", "v"}};
	const char *arn = "arn:aws:lambda:us-east-1:123456789012:function:fx";
	aws_lambda_function_spec s;
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_lambda_function fn;
	aws_tags got;
	bool has = true;
	int64_t n = 0;
	aws_error err;

	full_spec(&s);
	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 201, D "CreateFunction.json", NULL);
	ops_fake_reply_add(&f, 404, "tests/data/aws/errors/lambda_not_found.json", NULL);
	f.replies[1].hdr_name = "X-Amzn-ErrorType";
	f.replies[1].hdr_value = "ResourceNotFoundException";
	ops_fake_reply_add(&f, 204, NULL, NULL);
	ops_fake_reply_add(&f, 204, NULL, NULL);
	ops_fake_reply_add(&f, 200, D "ListTags.json", NULL);
	ops_fake_reply_add(&f, 200, NULL, "{}");
	ops_fake_reply_add(&f, 409, "tests/data/aws/errors/lambda_conflict.json", NULL);
	ops_fake_reply_add(&f, 204, NULL, NULL);

	T_OK(aws_lambda_create_function(f.client, a, &s, &fn, &err));
	T_ASSERT_STR(f.method[0], "POST");
	T_ASSERT_STR(f.url[0], "http://127.0.0.1:9/2015-03-31/functions");
	T_ASSERT(strncmp(f.body[0], "{\"FunctionName\":\"fx\",", 21) == 0);
	T_ASSERT_STR(fn.state, "Active");
	T_ASSERT(fn.last_update_status == NULL);

	T_ASSERT_INT(aws_lambda_get_function(f.client, a, "nope", &fn, &err), BASE_ENOTFOUND);
	T_ASSERT_STR(f.method[1], "GET");
	T_ASSERT_STR(f.url[1], "http://127.0.0.1:9/2015-03-31/functions/nope");
	T_ASSERT_STR(err.code, "ResourceNotFoundException");

	T_OK(aws_lambda_tag_resource(f.client, a, arn, AWS_TAGS(tags), &err));
	T_ASSERT_STR(f.url[2], "http://127.0.0.1:9/2017-03-31/tags/"
	                       "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Afx");
	T_ASSERT_STR(f.body[2], "{\"Tags\":{\"k\":\"v\"}}");
	T_OK(aws_lambda_untag_resource(f.client, a, arn, AWS_STRS(keys), &err));
	T_ASSERT_STR(f.method[3], "DELETE");
	T_ASSERT_STR(f.url[3], "http://127.0.0.1:9/2017-03-31/tags/"
	                       "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Afx"
	                       "?tagKeys=a%20b&tagKeys=c");
	T_OK(aws_lambda_list_tags(f.client, a, arn, &got, &err));
	T_ASSERT_STR(aws_tags_get(got, "Team"), "x");

	T_OK(aws_lambda_get_function_concurrency(f.client, a, "fx", &has, &n, &err));
	T_ASSERT_STR(f.url[5], "http://127.0.0.1:9/2019-09-30/functions/fx/concurrency");
	T_ASSERT(!has);

	T_ASSERT_INT(aws_lambda_put_function_concurrency(f.client, a, "fx", 5, &err), BASE_EAWS);
	T_ASSERT_STR(f.method[6], "PUT");
	T_ASSERT_STR(f.url[6], "http://127.0.0.1:9/2017-10-31/functions/fx/concurrency");
	T_ASSERT_STR(f.body[6], "{\"ReservedConcurrentExecutions\":5}");
	T_ASSERT_STR(err.code, "ResourceConflictException");

	T_OK(aws_lambda_delete_function(f.client, a, "fx", &err));
	T_ASSERT_STR(f.method[7], "DELETE");
	T_ASSERT_STR(f.url[7], "http://127.0.0.1:9/2015-03-31/functions/fx");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_lambda__update_calls(void)
{
	aws_lambda_function_spec s;
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_lambda_function fn;
	aws_error err;

	full_spec(&s);
	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 200, D "UpdateFunctionConfiguration.json", NULL);
	ops_fake_reply_add(&f, 200, D "GetFunctionConfiguration.json", NULL);
	ops_fake_reply_add(&f, 200, D "GetFunctionConfiguration.json", NULL);
	T_OK(aws_lambda_update_function_configuration(f.client, a, &s, &fn, &err));
	T_ASSERT_STR(f.method[0], "PUT");
	T_ASSERT_STR(f.url[0], "http://127.0.0.1:9/2015-03-31/functions/fx/configuration");
	T_ASSERT(strstr(f.body[0], "\"FunctionName\"") == NULL);
	T_ASSERT(strstr(f.body[0], "\"Tags\"") == NULL);
	T_ASSERT(strstr(f.body[0], "\"Code\"") == NULL);
	T_OK(aws_lambda_update_function_code(f.client, a, &s, &fn, &err));
	T_ASSERT_STR(f.url[1], "http://127.0.0.1:9/2015-03-31/functions/fx/code");
	T_ASSERT_STR(f.body[1], "{\"ZipFile\":\"UEsDBA==\",\"Architectures\":[\"arm64\"],\"Publish\":true}");
	T_OK(aws_lambda_get_function_configuration(f.client, a, "fx", &fn, &err));
	T_ASSERT_STR(f.url[2], "http://127.0.0.1:9/2015-03-31/functions/fx/configuration");
	T_ASSERT_STR(fn.function_name, "fx");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

void test_aws_lambda__publish_and_concurrency(void)
{
	ops_fake f = {0};
	base_arena *a = base_arena_new();
	aws_lambda_function fn;
	bool has = false;
	int64_t n = 0;
	aws_error err;

	T_OK(ops_fake_init(&f));
	ops_fake_reply_add(&f, 201, D "GetFunctionConfiguration.json", NULL);
	ops_fake_reply_add(&f, 200, D "GetFunctionConcurrency.json", NULL);
	ops_fake_reply_add(&f, 204, NULL, NULL);
	T_OK(aws_lambda_publish_version(f.client, a, "fx", &fn, &err));
	T_ASSERT_STR(f.method[0], "POST");
	T_ASSERT_STR(f.url[0], "http://127.0.0.1:9/2015-03-31/functions/fx/versions");
	T_ASSERT_STR(f.body[0], "{}");
	T_OK(aws_lambda_get_function_concurrency(f.client, a, "fx", &has, &n, &err));
	T_ASSERT(has);
	T_ASSERT_INT(n, 5);
	T_OK(aws_lambda_delete_function_concurrency(f.client, a, "fx", &err));
	T_ASSERT_STR(f.method[2], "DELETE");
	T_ASSERT_STR(f.url[2], "http://127.0.0.1:9/2017-10-31/functions/fx/concurrency");
	ops_fake_dispose(&f);
	base_arena_free(a);
}

/* Issue 12: the fuzz corpus regression replies (MemorySize 1e300, Timeout
 * 1.9) are refused with an error naming the member, through the typed
 * operation and the parser alike. */
void test_aws_lambda__non_integer_numbers_refused(void)
{
	static const struct {
		const char *file, *member;
	} rows[] = {
	        {"tests/fuzz/aws_json/regress-memorysize-1e300", "MemorySize"},
	        {"tests/fuzz/aws_json/regress-timeout-1.9", "Timeout"},
	};
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		char *body = t_read_file(rows[i].file, &len);
		T_ASSERT(body && len > 1);
		base_arena *a = base_arena_new();
		aws_lambda_function fn;
		aws_error err;
		/* the corpus input's first byte picks the status; the rest is the body */
		T_ASSERT_INT(aws_lambda_parse_function(a, body + 1, len - 1, &fn), BASE_EINVALID);
		ops_fake f = {0};
		T_OK(ops_fake_init(&f));
		ops_fake_reply_add(&f, 200, NULL, body + 1);
		T_ASSERT(aws_lambda_get_function(f.client, a, "fx", &fn, &err) != BASE_OK);
		T_ASSERT_MSG(strstr(err.message, rows[i].member) && strstr(err.message, "not an integer"), "%s",
		             err.message);
		ops_fake_dispose(&f);
		base_arena_free(a);
		base_free(body);
	}
}
