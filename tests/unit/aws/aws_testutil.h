/*
 * aws_testutil.h - helpers shared by the tests in tests/unit/aws (test code
 * only; compiled into build/test_aws with the tests).
 */
#ifndef AWS_TESTUTIL_H
#define AWS_TESTUTIL_H

#include <stddef.h>

#include "aws/aws_client.h"

/* A POST form request of service svc / operation op with the given body
 * (borrowed, must outlive the request); body_len = strlen(body). */
aws_request aws_test_form_req(aws_service svc, const char *op, const char *body);

/* STS GetCallerIdentity as a form POST. */
aws_request aws_test_caller_identity_req(void);

/* Sends the process log (base_log) to fd at TRACE level. */
void aws_test_log_begin(int fd);

/* Turns the log off and back to stderr, closes fd, and returns the contents
 * of path (heap, base_free; NULL if unreadable; length in *len_out when not
 * NULL); path is unlinked. */
char *aws_test_log_end(int fd, const char *path, size_t *len_out);

#endif
