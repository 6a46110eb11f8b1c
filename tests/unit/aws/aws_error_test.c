/* Every error shape of AWS.md 2.1, from recorded moto bodies and AWS-shaped
 * hand-written ones. */
#include <string.h>

#include "t.h"
#include "aws/aws_error.h"
#include "base/base_alloc.h"

static int parse_file(aws_error *e, int status, const char *ct, const char *etype, const char *rid,
                      const char *path)
{
	size_t len;
	char *body = t_read_file(path, &len);
	if (!body)
		return -1;
	aws_error_parse(e, status, ct, etype, rid, body, len);
	base_free(body);
	return 0;
}

void test_aws_error__ec2_xml(void)
{
	aws_error e;
	T_OK(parse_file(&e, 400, "text/xml", NULL, NULL, "tests/data/aws/errors/ec2_subnet_not_found.xml"));
	T_ASSERT_INT(e.http_status, 400);
	T_ASSERT_STR(e.code, "InvalidSubnetID.NotFound");
	T_ASSERT_STR(e.message, "The subnet ID 'subnet-00000000' does not exist");
	T_ASSERT_STR(e.request_id, "request-id");
	T_ASSERT(aws_error_is(&e, "InvalidSubnetID.NotFound"));
	T_ASSERT(aws_error_is_not_found(&e));
}

void test_aws_error__ec2_xml_aws_shape(void)
{
	static const char body[] =
	        "<?xml version=\"1.0\" "
	        "encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>InvalidGroup.Duplicate"
	        "</Code><Message>The security group 'x' already exists for VPC "
	        "'vpc-1'</Message></Error></Errors>"
	        "<RequestID>4ec3e1b6-1c2d-4d3e-9d8a-7b2ff6a6d1a0</RequestID></Response>";
	aws_error e;
	aws_error_parse(&e, 400, "text/xml;charset=UTF-8", NULL, NULL, body, sizeof body - 1);
	T_ASSERT_STR(e.code, "InvalidGroup.Duplicate");
	T_ASSERT_STR(e.request_id, "4ec3e1b6-1c2d-4d3e-9d8a-7b2ff6a6d1a0");
	T_ASSERT(!aws_error_is_not_found(&e));
}

void test_aws_error__iam_xml(void)
{
	aws_error e;
	T_OK(parse_file(&e, 404, "text/xml", NULL, NULL, "tests/data/aws/errors/iam_no_such_entity.xml"));
	T_ASSERT_STR(e.code, "NoSuchEntity");
	T_ASSERT_STR(e.message, "Role nope not found");
	T_ASSERT_STR(e.request_id, "M0bSi3hRQqsbeAty1eplq8JtDLqlfeWItozUKSIAGBTkMuWJ33XX");
	T_ASSERT(aws_error_is_not_found(&e));
	T_OK(parse_file(&e, 409, NULL, NULL, "hdr-id", "tests/data/aws/errors/iam_delete_conflict.xml"));
	T_ASSERT_STR(e.code, "DeleteConflict");
	T_ASSERT_STR(e.request_id, "hdr-id"); /* the header wins */
	T_ASSERT(!aws_error_is_not_found(&e));
}

void test_aws_error__moto_auth_failure(void)
{
	aws_error e;
	T_OK(parse_file(&e, 401, "text/xml", NULL, NULL, "tests/data/aws/errors/moto_auth_failure_ec2.xml"));
	T_ASSERT_STR(e.code, "AuthFailure");
	T_ASSERT_STR(e.message, "AWS was not able to validate the provided access credentials");
	T_ASSERT_STR(e.request_id, "");
	T_OK(parse_file(&e, 403, "text/xml", NULL, NULL, "tests/data/aws/errors/moto_auth_failure_iam.xml"));
	T_ASSERT_STR(e.code, "InvalidClientTokenId");
}

void test_aws_error__lambda_moto_json(void)
{
	aws_error e;
	T_OK(parse_file(&e, 404, "application/json", "ResourceNotFoundException", "req-1",
	                "tests/data/aws/errors/lambda_not_found.json"));
	T_ASSERT_STR(e.code, "ResourceNotFoundException");
	T_ASSERT_STR(e.message, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope");
	T_ASSERT_STR(e.request_id, "req-1");
	T_ASSERT(aws_error_is_not_found(&e));
	/* without the header, __type is used */
	T_OK(parse_file(&e, 409, "application/json", NULL, NULL,
	                "tests/data/aws/errors/lambda_conflict.json"));
	T_ASSERT_STR(e.code, "ResourceConflictException");
	T_ASSERT_STR(e.message, "Function already exist: fx");
}

void test_aws_error__lambda_aws_json(void)
{
	static const char body[] = "{\"Type\":\"User\",\"message\":\"Function not found: arn:x\"}";
	static const char body2[] =
	        "{\"Type\":\"User\",\"Message\":\"Rate exceeded\",\"Reason\":\"CallerRateLimitExceeded\"}";
	static const char body3[] = "{\"__type\":\"com.amazon.coral.service#SerializationException\"}";
	aws_error e;
	aws_error_parse(&e, 404, "application/json",
	                "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.awslambda/",
	                "b0e9", body, sizeof body - 1);
	T_ASSERT_STR(e.code, "ResourceNotFoundException");
	T_ASSERT_STR(e.message, "Function not found: arn:x");
	T_ASSERT_STR(e.request_id, "b0e9");
	aws_error_parse(&e, 429, "application/json", "TooManyRequestsException", NULL, body2,
	                sizeof body2 - 1);
	T_ASSERT_STR(e.code, "TooManyRequestsException");
	T_ASSERT_STR(e.message, "Rate exceeded");
	aws_error_parse(&e, 400, "application/json", NULL, NULL, body3, sizeof body3 - 1);
	T_ASSERT_STR(e.code, "SerializationException");
	T_ASSERT_STR(e.message, "HTTP status 400");
}

void test_aws_error__moto_html_500(void)
{
	aws_error e;
	T_OK(parse_file(&e, 500, "text/html; charset=utf-8", NULL, NULL,
	                "tests/data/aws/errors/moto_html_500.html"));
	T_ASSERT_STR(e.code, "InternalError");
	T_ASSERT_STR(e.message,
	             "500 Internal Server Error: The server encountered an internal error and was "
	             "unable to complete your request. Either the server is overloaded or there is an "
	             "error in the application.");
	/* same page without a content type */
	T_OK(parse_file(&e, 500, NULL, NULL, NULL, "tests/data/aws/errors/moto_html_500.html"));
	T_ASSERT_STR(e.code, "InternalError");
}

void test_aws_error__unknown_shapes(void)
{
	aws_error e;
	aws_error_parse(&e, 503, NULL, NULL, NULL, "Service Unavailable", 19);
	T_ASSERT_STR(e.code, "HTTP503");
	T_ASSERT_STR(e.message, "Service Unavailable");
	aws_error_parse(&e, 502, NULL, NULL, NULL, NULL, 0);
	T_ASSERT_STR(e.code, "HTTP502");
	T_ASSERT_STR(e.message, "HTTP status 502");
	aws_error_parse(&e, 400, "text/xml", NULL, NULL, "<broken", 7);
	T_ASSERT_STR(e.code, "HTTP400");
	T_ASSERT_STR(e.message, "<broken");
	/* over-long fields are truncated, never overflow */
	char big[3000];
	memset(big, 'x', sizeof big);
	memcpy(big, "{\"message\":\"", 12);
	memcpy(big + sizeof big - 2, "\"}", 2);
	aws_error_parse(&e, 400, NULL, NULL, NULL, big, sizeof big);
	T_ASSERT_INT(strlen(e.message), sizeof e.message - 1);
}

void test_aws_error__setf_clear(void)
{
	aws_error e;
	aws_error_setf(&e, 0, "InvalidResponse", "bad %s %d", "body", 7);
	T_ASSERT_INT(e.http_status, 0);
	T_ASSERT_STR(e.code, "InvalidResponse");
	T_ASSERT_STR(e.message, "bad body 7");
	T_ASSERT(aws_error_is(&e, "InvalidResponse"));
	T_ASSERT(!aws_error_is(NULL, "x"));
	aws_error_clear(&e);
	T_ASSERT_STR(e.code, "");
	T_ASSERT(!aws_error_is_not_found(&e));
	aws_error_setf(&e, 400, "InvalidVpcEndpointId.NotFound", "x");
	T_ASSERT(aws_error_is_not_found(&e));
	aws_error_setf(&e, 400, "InvalidParameterValueException", "x");
	T_ASSERT(!aws_error_is_not_found(&e));
}
