/*
 * aws_resolve.h - host name lookup bounded by a time limit and by
 * cancellation (prefix aws_resolve_).
 *
 * getaddrinfo() cannot be interrupted. A slow or hung resolver (a
 * nameserver that does not answer, an NSS module that blocks) holds its
 * caller for as long as the resolver's own timeouts allow, often many
 * seconds: past the connect timeout, past the operation's deadline and past
 * Terraform's Stop. aws_resolve looks a name up on a detached helper thread
 * and waits for it in slices of at most 50 ms, so the caller returns as soon
 * as its limit passes or it is cancelled; the helper then finishes on its
 * own and frees what it found. An IP literal is converted inline, with no
 * thread and no resolver.
 *
 * THREAD SAFETY: reentrant. aws_resolve_set_lookup (tests only) must be
 * called while no lookup runs.
 */
#ifndef AWS_RESOLVE_H
#define AWS_RESOLVE_H

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/base_err.h"

typedef enum aws_resolve_result {
	AWS_RESOLVE_OK = 0,
	AWS_RESOLVE_EFAILED,    /* the lookup answered an error: *gai_rc */
	AWS_RESOLVE_ETIMEOUT,   /* until_ms passed first */
	AWS_RESOLVE_ECANCELLED, /* cancelled() said so first */
} aws_resolve_result;

/*
 * Resolves host and port (a decimal string) with hints, as getaddrinfo
 * does. On AWS_RESOLVE_OK, *out is the list (the caller frees it with
 * freeaddrinfo); on AWS_RESOLVE_EFAILED, *gai_rc is getaddrinfo's code
 * (gai_strerror). until_ms is an aws_deadline_now_ms() time; cancelled
 * (may be NULL) is polled with ctx while waiting.
 */
BASE_MUST_USE aws_resolve_result aws_resolve(const char *host, const char *port, const struct addrinfo *hints,
                                             uint64_t until_ms, bool (*cancelled)(void *ctx), void *ctx,
                                             struct addrinfo **out, int *gai_rc);

/* The lookup a helper runs: getaddrinfo unless a test replaced it. What it
 * returns in *out must be freeable by freeaddrinfo. NULL restores it. */
typedef int (*aws_resolve_lookup_fn)(const char *host, const char *port, const struct addrinfo *hints,
                                     struct addrinfo **out);
void aws_resolve_set_lookup(aws_resolve_lookup_fn fn);

/* Helper threads not yet finished (tests wait for 0 before they end). */
unsigned aws_resolve_helpers_running(void);

#endif
