/*
 * aws_fake_env.h - a hermetic environment for AWS-layer tests: every AWS_*
 * variable the client reads is unset, HOME points at a fresh empty temp
 * directory (no ~/.aws) and IMDS is disabled, so nothing can reach a real
 * credential source or a non-local address.
 */
#ifndef AWS_FAKE_ENV_H
#define AWS_FAKE_ENV_H

/* Applies the clean environment; returns the temp HOME (static storage). */
const char *aws_fake_clean_env(void);

/* Writes text to path (overwrites); returns 0 on success. */
int aws_fake_write_file(const char *path, const char *text);

#endif
