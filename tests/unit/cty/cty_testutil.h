/*
 * cty_testutil.h - helpers shared by the cty unit tests.
 */
#ifndef CTY_TESTUTIL_H
#define CTY_TESTUTIL_H

#include <stddef.h>
#include "base/base_arena.h"
#include "cty/cty_type.h"
#include "cty/cty_value.h"

/* Decodes hex (spaces ignored) into an arena buffer; *n = byte count. NULL on bad hex. */
unsigned char *ctyt_unhex(base_arena *a, const char *hex, size_t *n);
/* Parses type JSON or aborts the process (fixtures are trusted). */
const cty_type *ctyt_type(base_arena *a, const char *json);
/* Splits a fixture line "f1 | f2 | f3" in place; returns the field count (max n). */
int ctyt_split(char *line, char **fields, int n);

/* Called for one fixture line (modifiable); lineno counts the file's non-empty lines,
 * comments included. Records failures with the t.h checks. */
typedef void ctyt_line_fn(base_arena *a, char *line, int lineno);
/* Calls fn for every non-empty, non-'#' line of the fixture at path, all lines sharing one
 * arena, and stops at the first line that records a failure. Returns the number of lines
 * that passed, or -1 when the file is missing (recorded as a failure) or a line failed. */
int ctyt_each_line(const char *path, ctyt_line_fn *fn);
/* Splits a "type | f1 | f2" fixture row into exactly 3 fields and parses f[0] as type JSON
 * (aborting on bad type JSON, like ctyt_type); NULL when the row has another field count. */
const cty_type *ctyt_row3(base_arena *a, char *line, char **f);
/* 0 when v's msgpack encoding is exactly the n bytes want; else the encoder's error code, or
 * -1 with the got/want bytes recorded as a test failure. */
int ctyt_msgpack_is(const cty_value *v, const void *want, size_t n);
/* JSON of v in arena memory, or NULL when encoding fails. */
const char *ctyt_json(base_arena *a, const cty_value *v);
/* Type JSON of t in arena memory, or NULL when encoding fails. */
const char *ctyt_type_json(base_arena *a, const cty_type *t);

#endif
