/*
 * cty_testutil.h - helpers shared by the cty unit tests.
 */
#ifndef CTY_TESTUTIL_H
#define CTY_TESTUTIL_H

#include <stddef.h>
#include "base/base_arena.h"
#include "cty/cty_type.h"

/* Decodes hex (spaces ignored) into an arena buffer; *n = byte count. NULL on bad hex. */
unsigned char *ctyt_unhex(base_arena *a, const char *hex, size_t *n);
/* Parses type JSON or aborts the process (fixtures are trusted). */
const cty_type *ctyt_type(base_arena *a, const char *json);
/* Splits a fixture line "f1 | f2 | f3" in place; returns the field count (max n). */
int ctyt_split(char *line, char **fields, int n);

#endif
