/*
 * prov_testutil.h - helpers shared by the prov unit tests.
 */
#ifndef PROV_TESTUTIL_H
#define PROV_TESTUTIL_H

#include "base/base_arena.h"
#include "cty/cty_value.h"
#include "tf6/tf6_schema.h"

/* The resource type name, as its embedded schema file is called. */
#define PROVT_RESOURCE "lambdavpc_secure_function"

/* The embedded schema file `name` ("provider", "lambdavpc_secure_function") parsed into a,
 * or NULL: a missing file, or a parse error (each diagnostic recorded as a test failure). */
tf6_schema *provt_schema(base_arena *a, const char *name);
/* The value of json in s's type (in a), or NULL when it does not decode. */
const cty_value *provt_obj(base_arena *a, const tf6_schema *s, const char *json);

#endif
