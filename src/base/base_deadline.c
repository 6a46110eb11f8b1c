/* base_deadline.c - the per-thread operation deadline (see base_deadline.h). */
#include "base/base_deadline.h"

#include <stddef.h>

static _Thread_local base_deadline tl_deadline;

base_deadline base_deadline_get(void)
{
	return tl_deadline;
}

void base_deadline_set(const base_deadline *d)
{
	if (d) {
		tl_deadline = *d;
	} else {
		tl_deadline.at_ms = 0;
		tl_deadline.what = NULL;
	}
}
