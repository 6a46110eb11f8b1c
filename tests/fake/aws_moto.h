/*
 * aws_moto.h - a moto_server for AWS-layer tests that need a real AWS-like
 * endpoint (STS AssumeRole, signed EC2/IAM/Lambda calls).
 *
 * aws_moto_url() starts one moto_server on a free 127.0.0.1 port the first
 * time it is called (or uses $LAMBDAVPC_MOTO_URL when set) and returns its
 * base URL; the server is killed at process exit. Returns NULL when
 * moto_server is not available: callers print SKIP and return.
 */
#ifndef AWS_MOTO_H
#define AWS_MOTO_H

const char *aws_moto_url(void);

/* POST /moto-api/reset (wipes all state). */
void aws_moto_reset(void);

#endif
