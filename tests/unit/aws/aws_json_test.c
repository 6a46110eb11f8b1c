/* The arena JSON tree: byte-exact encoding and reading of recorded bodies. */
#include <stdint.h>
#include <string.h>

#include "t.h"
#include "aws/aws_json.h"
#include "base/base_alloc.h"
#include "base/base_arena.h"

void test_aws_json__encode_compact_ordered(void)
{
	base_arena *a = base_arena_new();
	base_buf out;
	aws_json *o = aws_json_new_object(a);
	aws_json_set_str(o, "FunctionName", "fx");
	aws_json_set_int(o, "Timeout", 10);
	aws_json_set_bool(o, "Publish", false);
	aws_json_set_str(o, "Absent", NULL);
	aws_json *vpc = aws_json_set_object(o, "VpcConfig");
	aws_json_push_str(aws_json_set_array(vpc, "SubnetIds"), "subnet-1");
	aws_json_set_array(vpc, "SecurityGroupIds");
	aws_json_set_str(aws_json_set_object(aws_json_set_object(o, "Environment"), "Variables"), "Q",
	                 "a\"b\\c/d\n\xc3\xa9");
	aws_json_set_int(o, "Timeout", 11); /* replaced in place */

	base_buf_init(&out, 0);
	T_OK(aws_json_encode(o, &out));
	T_ASSERT_STR(base_buf_cstr(&out),
	             "{\"FunctionName\":\"fx\",\"Timeout\":11,\"Publish\":false,"
	             "\"VpcConfig\":{\"SubnetIds\":[\"subnet-1\"],\"SecurityGroupIds\":[]},"
	             "\"Environment\":{\"Variables\":{\"Q\":\"a\\\"b\\\\c/d\\n\xc3\xa9\"}}}");
	base_buf_dispose(&out);
	base_arena_free(a);
}

void test_aws_json__encode_rejects_bad_utf8(void)
{
	base_arena *a = base_arena_new();
	base_buf out;
	aws_json *o = aws_json_new_object(a);
	aws_json_set_str(o, "k", "\xff");
	base_buf_init(&out, 0);
	T_ASSERT_INT(aws_json_encode(o, &out), BASE_EINVALID);
	base_buf_dispose(&out);
	base_arena_free(a);
}

void test_aws_json__encode_cap(void)
{
	base_arena *a = base_arena_new();
	base_buf out;
	aws_json *o = aws_json_new_object(a);
	aws_json_set_str(o, "k", "0123456789012345678901234567890123456789");
	base_buf_init(&out, 16);
	T_ASSERT_INT(aws_json_encode(o, &out), BASE_ETOOBIG);
	base_buf_dispose(&out);
	base_arena_free(a);
}

void test_aws_json__parse_recorded_get_function(void)
{
	size_t len;
	char *body = t_read_file("tests/data/aws/lambda/GetFunction.json", &len);
	base_arena *a = base_arena_new();
	const aws_json *root = NULL, *v;
	int64_t n = 0;

	T_ASSERT(body);
	T_OK(aws_json_parse(a, body, len, &root));
	T_ASSERT_INT(aws_json_kind_of(root), AWS_JSON_OBJECT);
	T_ASSERT_STR(aws_json_str(aws_json_path(root, "Configuration/FunctionName")), "fx");
	T_ASSERT(aws_json_int(aws_json_path(root, "Configuration/MemorySize"), &n) && n == 256);
	v = aws_json_path(root, "Configuration/VpcConfig/SubnetIds");
	T_ASSERT_INT(aws_json_kind_of(v), AWS_JSON_ARRAY);
	T_ASSERT_INT(aws_json_len(v), 1);
	T_ASSERT(strncmp(aws_json_str(aws_json_at(v, 0)), "subnet-", 7) == 0);
	v = aws_json_path(root, "Configuration/SigningProfileVersionArn");
	T_ASSERT(v != NULL);
	T_ASSERT_INT(aws_json_kind_of(v), AWS_JSON_NULL);
	T_ASSERT(aws_json_str(v) == NULL);
	v = aws_json_path(root, "Configuration/Environment/Variables");
	T_ASSERT_STR(aws_json_key_at(v, 0), "STAGE");
	T_ASSERT_STR(aws_json_str(aws_json_at(v, 0)), "prod");
	T_ASSERT(aws_json_key_at(v, 1) == NULL);
	T_ASSERT(aws_json_int(aws_json_path(root, "Concurrency/ReservedConcurrentExecutions"), &n) && n == 5);
	T_ASSERT(aws_json_get(root, "Nope") == NULL);
	base_arena_free(a);
	base_free(body);
}

void test_aws_json__parse_malformed(void)
{
	base_arena *a = base_arena_new();
	const aws_json *root = NULL;
	bool b = false;
	T_ASSERT_INT(aws_json_parse(a, "{\"a\":", 5, &root), BASE_EINVALID);
	T_ASSERT(root == NULL);
	T_ASSERT_INT(aws_json_parse(a, "<x/>", 4, &root), BASE_EINVALID);
	T_OK(aws_json_parse(a, "true", 4, &root));
	T_ASSERT(aws_json_bool(root, &b) && b);
	base_arena_free(a);
}

/* Issue 12: a real becomes an int only when integral and inside int64
 * (1e300 used to become INT64_MIN, 1.9 became 1). */
void test_aws_json__int_from_real_checked(void)
{
	static const struct {
		const char *json;
		bool ok;
		int64_t want;
	} rows[] = {
	        {"[3.0]", true, 3},
	        {"[-2e3]", true, -2000},
	        {"[-9223372036854775808.0]", true, INT64_MIN},
	        {"[9223372036854775807]", true, INT64_MAX},
	        {"[9223372036854775808.0]", false, 0},
	        {"[1e300]", false, 0},
	        {"[-1e300]", false, 0},
	        {"[1.9]", false, 0},
	        {"[0.5e1]", true, 5},
	        {"[\"7\"]", false, 0},
	};
	base_arena *a = base_arena_new();
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const aws_json *j = NULL;
		int64_t v = 0;
		T_OK(aws_json_parse(a, rows[i].json, strlen(rows[i].json), &j));
		bool ok = aws_json_int(aws_json_at(j, 0), &v);
		T_ASSERT_MSG(ok == rows[i].ok, "%s: %d", rows[i].json, ok);
		if (ok)
			T_ASSERT_MSG(v == rows[i].want, "%s: %lld", rows[i].json, (long long)v);
	}
	base_arena_free(a);
}
