/* base_diag.c - diagnostics list, arena-owned, mutex-serialised appends. */
#include "base_diag.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

struct base_diags {
	base_arena *arena;
	pthread_mutex_t mu;
	base_diag *head, *tail;
	size_t count;
	bool has_error;
};

/* The mutex lives in arena memory; base_arena_free does not run destructors,
 * which is fine for a default (non-robust, non-shared) pthread mutex. */
base_diags *base_diags_new(base_arena *a)
{
	base_diags *d = base_arena_alloc(a, sizeof *d);
	d->arena = a;
	pthread_mutex_init(&d->mu, NULL);
	return d;
}

base_arena *base_diags_arena(const base_diags *d)
{
	return d->arena;
}

void base_diags_add(base_diags *d, base_severity sev, const base_path *path, const char *summary,
                    const char *detail)
{
	base_diag *g;
	pthread_mutex_lock(&d->mu);
	g = base_arena_alloc(d->arena, sizeof *g);
	g->severity = sev;
	g->summary = base_arena_strdup(d->arena, summary ? summary : "");
	g->detail = base_arena_strdup(d->arena, detail ? detail : "");
	if (path) {
		g->has_path = true;
		g->path = *path; /* paths are immutable arena values */
	}
	if (d->tail)
		d->tail->next = g;
	else
		d->head = g;
	d->tail = g;
	d->count++;
	if (sev == BASE_SEV_ERROR)
		d->has_error = true;
	pthread_mutex_unlock(&d->mu);
}

void base_diags_addf(base_diags *d, base_severity sev, const base_path *path, const char *summary,
                     const char *detail_fmt, ...)
{
	va_list ap;
	char *detail;
	va_start(ap, detail_fmt);
	pthread_mutex_lock(&d->mu);
	detail = base_arena_vsprintf(d->arena, detail_fmt, ap);
	pthread_mutex_unlock(&d->mu);
	va_end(ap);
	base_diags_add(d, sev, path, summary, detail);
}

const base_diag *base_diags_first(const base_diags *d)
{
	return d->head;
}

size_t base_diags_count(const base_diags *d)
{
	return d->count;
}

bool base_diags_has_error(const base_diags *d)
{
	return d->has_error;
}
