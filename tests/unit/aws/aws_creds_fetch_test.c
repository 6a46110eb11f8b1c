/*
 * aws_creds_fetch_test.c - the JSON credential shapes of
 * credential_process (Version 1, SessionToken) and ECS/IMDS (Code, Token),
 * and plain HTTP error mapping.
 */
#include "t.h"

#include "../../fake/aws_fake_transport.h"
#include "aws/aws_creds_int.h"

void test_aws_creds_fetch__json_shapes(void)
{
	aws_creds c;
	aws_error err;
	static const char proc[] = "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\","
	                           "\"SessionToken\":\"T\",\"Expiration\":\"2027-01-15T08:00:00Z\"}";
	static const char ecs[] = "{\"Code\":\"Success\",\"AccessKeyId\":\"A2\",\"SecretAccessKey\":\"S2\","
	                          "\"Token\":\"T2\"}";
	aws_creds_init(&c);
	T_OK(aws__creds_from_json(proc, sizeof proc - 1, "who", true, &c, &err));
	T_ASSERT_STR(c.access_key, "A");
	T_ASSERT_STR(c.token, "T");
	T_ASSERT_INT(c.expiration, 1800000000);
	T_ASSERT_STR(c.source, "who");
	T_OK(aws__creds_from_json(ecs, sizeof ecs - 1, "ecs", false, &c, &err));
	T_ASSERT_STR(c.token, "T2");
	T_ASSERT_INT(c.expiration, 0);
	/* the process shape needs Version 1 */
	T_ASSERT_INT(aws__creds_from_json(ecs, sizeof ecs - 1, "p", true, &c, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, "p: output must have \"Version\": 1");
	T_ASSERT_INT(aws__creds_from_json("{\"Code\":\"Failed\"}", 17, "e", false, &c, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, "e: Code is \"Failed\"");
	T_ASSERT_INT(aws__creds_from_json("[]", 2, "e", false, &c, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, "e: output is not a JSON object");
	aws_creds_dispose(&c);
}

void test_aws_creds_fetch__plain_http_errors(void)
{
	aws_fake *f = aws_fake_new();
	aws__chain ch;
	aws_http_response resp;
	aws_error err;
	memset(&ch, 0, sizeof ch);
	ch.hooks.transport = &aws_fake_transport;
	ch.hooks.transport_ctx = f;
	aws_http_response_init(&resp);
	aws_fake_push_status(f, 500, NULL, "boom");
	T_ASSERT_INT(aws__plain_http(&ch, "who", "POST", "http://127.0.0.1:9/x", NULL, 0, "{}", 100, 100, &resp, &err),
	             BASE_EIO);
	T_ASSERT_INT(err.http_status, 500);
	T_ASSERT_STR(err.message, "who: POST http://127.0.0.1:9/x: HTTP 500");
	T_ASSERT_STR(aws_fake_request_at(f, 0)->body, "{}");
	aws_http_response_dispose(&resp);
	aws_fake_free(f);
}
