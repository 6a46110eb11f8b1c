/*
 * aws_testutil.c - helpers shared by the tests in tests/unit/aws.
 */
#include "aws_testutil.h"

#include <string.h>
#include <unistd.h>

#include "base/base_log.h"
#include "t.h"

aws_request aws_test_form_req(aws_service svc, const char *op, const char *body)
{
	aws_request r;
	memset(&r, 0, sizeof r);
	r.service = svc;
	r.op = op;
	r.method = "POST";
	r.path = "/";
	r.body = body;
	r.body_len = strlen(body);
	r.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	return r;
}

aws_request aws_test_caller_identity_req(void)
{
	return aws_test_form_req(AWS_SVC_STS, "GetCallerIdentity", "Action=GetCallerIdentity&Version=2011-06-15");
}

void aws_test_log_begin(int fd)
{
	base_log_set_fd(fd);
	base_log_set_level(BASE_LOG_TRACE);
}

char *aws_test_log_end(int fd, const char *path, size_t *len_out)
{
	char *log;
	base_log_set_level(BASE_LOG_OFF);
	base_log_set_fd(2);
	close(fd);
	log = t_read_file(path, len_out);
	unlink(path);
	return log;
}
