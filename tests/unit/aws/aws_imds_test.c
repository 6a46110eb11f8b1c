/*
 * aws_imds_test.c - the region from IMDSv2 (token PUT, then the placement
 * GET with the token), its endpoint variable, AWS_EC2_METADATA_DISABLED,
 * and a failing IMDS. The scripted transport stands in for IMDS: nothing
 * is sent to 169.254.169.254.
 */
#include "t.h"

#include <stdlib.h>

#include "../../fake/aws_fake_env.h"
#include "../../fake/aws_fake_transport.h"
#include "aws/aws_creds.h"
#include "base/base_alloc.h"

static aws_creds_hooks hooks(aws_fake *f)
{
	aws_creds_hooks h;
	memset(&h, 0, sizeof h);
	h.transport = &aws_fake_transport;
	h.transport_ctx = f;
	return h;
}

void test_aws_imds__region(void)
{
	aws_fake *f = aws_fake_new();
	aws_creds_hooks h = hooks(f);
	aws_error err;
	char *r = NULL, v[64];
	aws_fake_clean_env();
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/", 1);
	aws_fake_push_status(f, 200, NULL, "IMDSTOKEN");
	aws_fake_push_status(f, 200, NULL, "eu-central-1\n");
	aws_error_clear(&err);
	T_OK(aws_creds_imds_region(&h, NULL, &r, &err));
	T_ASSERT_STR(r, "eu-central-1");
	base_free(r);
	T_ASSERT_INT(aws_fake_count(f), 2);
	T_ASSERT_STR(aws_fake_request_at(f, 0)->method, "PUT");
	T_ASSERT_STR(aws_fake_request_at(f, 0)->url, "http://127.0.0.1:9/latest/api/token");
	T_ASSERT(aws_fake_request_header(f, 0, "X-aws-ec2-metadata-token-ttl-seconds", v, sizeof v));
	T_ASSERT_STR(v, "21600");
	T_ASSERT_STR(aws_fake_request_at(f, 1)->method, "GET");
	T_ASSERT_STR(aws_fake_request_at(f, 1)->url, "http://127.0.0.1:9/latest/meta-data/placement/region");
	T_ASSERT(aws_fake_request_header(f, 1, "X-aws-ec2-metadata-token", v, sizeof v));
	T_ASSERT_STR(v, "IMDSTOKEN");
	aws_fake_free(f);
	aws_fake_clean_env();
}

void test_aws_imds__disabled_or_failing(void)
{
	aws_fake *f = aws_fake_new();
	aws_creds_hooks h = hooks(f);
	aws_error err;
	char *r = NULL;
	aws_fake_clean_env(); /* AWS_EC2_METADATA_DISABLED=true */
	T_ASSERT_INT(aws_creds_imds_region(&h, NULL, &r, &err), BASE_ENOTFOUND);
	T_ASSERT(r == NULL);
	T_ASSERT_INT(aws_fake_count(f), 0);
	/* no transport: nothing to ask */
	unsetenv("AWS_EC2_METADATA_DISABLED");
	h.transport = NULL;
	T_ASSERT_INT(aws_creds_imds_region(&h, NULL, &r, &err), BASE_ENOTFOUND);
	/* IMDS answers 404 */
	h = hooks(f);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9", 1);
	aws_fake_push_status(f, 404, NULL, "");
	aws_error_clear(&err);
	T_ASSERT_INT(aws_creds_imds_region(&h, NULL, &r, &err), BASE_EIO);
	T_ASSERT(r == NULL);
	T_ASSERT_STR(err.message, "EC2 instance metadata (IMDSv2 http://127.0.0.1:9) region: PUT "
	                          "http://127.0.0.1:9/latest/api/token: HTTP 404");
	aws_fake_free(f);
	aws_fake_clean_env();
}
