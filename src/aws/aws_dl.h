/*
 * aws_dl.h - the shared libraries src/aws loads on first use, not at exec.
 *
 * Terraform starts the provider several times per command, and most of those
 * processes only answer GetProviderSchema / Validate* and never talk to AWS.
 * libcurl (with its ~26 dependencies: gnutls, krb5, ldap, ssh2, ...) is
 * therefore not linked: the first AWS call dlopen()s it by soname, so the ordinary search applies (the
 * executable's run path, e.g. $ORIGIN in the packaged zip, then LD_LIBRARY_PATH and ld.so.cache).
 *
 * This header is the one list of those sonames. Packaging reads it
 * (`make dlopen-sonames` prints them) to bundle the libraries and their
 * dependencies next to the binary.
 */
#ifndef AWS_DL_H
#define AWS_DL_H

#include <stddef.h>

#include "base/base_err.h"

/* The HTTP stack: libcurl with the OpenSSL back end (Debian libcurl4). */
#define AWS_DL_SONAME_CURL "libcurl.so.4"

/* One function to resolve: its symbol name and the byte offset, inside the
 * caller's table struct, of the function pointer to fill. */
typedef struct aws_dl_sym {
	const char *name;
	size_t offset;
} aws_dl_sym;

/*
 * dlopen()s soname (RTLD_NOW | RTLD_LOCAL) and stores the address of every
 * symbol in syms[0..n) into table at its offset. Returns BASE_OK, or
 * BASE_EIO with a one-line reason in err (cap bytes, e.g. "cannot load
 * libcurl.so.4: <dlerror text>" or "libcurl.so.4 has no curl_multi_poll")
 * and the library closed again. The handle is never closed on success: the
 * table stays valid for the life of the process.
 */
BASE_MUST_USE int aws_dl_open(const char *soname, const aws_dl_sym *syms, size_t n, void *table, char *err,
                              size_t cap);

#endif
