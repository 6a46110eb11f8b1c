/*
 * base_diag.h - user-facing diagnostics (severity, summary, detail, path).
 *
 * A base_diags list belongs to one RPC (allocated in its arena) and is passed
 * explicitly to every function that can explain a failure to the user. The
 * return code says *whether* something failed; the diagnostic says *what* and
 * *where*. Summaries are one line with no trailing newline.
 *
 * THREAD SAFETY: a list belongs to one thread at a time, except that
 * base_diags_add* are serialised by an internal mutex so the reconcile
 * engine's workers may report into one list.
 */
#ifndef BASE_DIAG_H
#define BASE_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include "base_arena.h"
#include "base_path.h"

typedef enum base_severity { BASE_SEV_ERROR = 1, BASE_SEV_WARNING = 2 } base_severity;

typedef struct base_diag {
	base_severity severity;
	const char *summary;
	const char *detail; /* may be "" */
	bool has_path;
	base_path path;
	struct base_diag *next;
} base_diag;

typedef struct base_diags base_diags;

/* A new empty list allocated in (and freed with) the arena a. */
base_diags *base_diags_new(base_arena *a);
base_arena *base_diags_arena(const base_diags *d);
/* Add a diagnostic; strings are copied into the list's arena. path may be NULL. */
void base_diags_add(base_diags *d, base_severity sev, const base_path *path, const char *summary,
                    const char *detail);
/* Same with printf-style detail. */
void base_diags_addf(base_diags *d, base_severity sev, const base_path *path, const char *summary,
                     const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));
/* First diagnostic in insertion order, or NULL. Borrowed. */
const base_diag *base_diags_first(const base_diags *d);
size_t base_diags_count(const base_diags *d);
bool base_diags_has_error(const base_diags *d);

#endif
