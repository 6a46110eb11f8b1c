/*
 * base_err.h - the one error-code type of the project.
 *
 * Every fallible function returns int: BASE_OK (0) on success or a negative
 * BASE_E* code. Codes are propagated unchanged. The *what* and *where* of a
 * user-facing failure travel separately in a base_diags list (base_diag.h).
 */
#ifndef BASE_ERR_H
#define BASE_ERR_H

#define BASE_OK 0
#define BASE_ERR -1        /* generic failure */
#define BASE_ENOTFOUND -2  /* the object does not exist */
#define BASE_EINVALID -3   /* invalid input (bad config, malformed bytes) */
#define BASE_EUNKNOWN -4   /* value not known until apply */
#define BASE_ETHROTTLED -5 /* remote throttled us and retries ran out */
#define BASE_ETIMEOUT -6   /* a wait or call exceeded its deadline */
#define BASE_ECANCELLED -7 /* cancelled (StopProvider / shutdown) */
#define BASE_EIO -8        /* transport/system I/O failure */
#define BASE_EAWS -9       /* AWS returned an error (see the aws_error) */
#define BASE_ECONFLICT -10 /* the object exists / conflicts with another */
#define BASE_ETOOBIG -11   /* a size cap was exceeded */

/* Fallible functions are declared with this so a dropped code fails -Werror. */
#define BASE_MUST_USE __attribute__((warn_unused_result))

/* Static English name of a code ("not found"); never NULL. */
const char *base_err_str(int code);

#endif
