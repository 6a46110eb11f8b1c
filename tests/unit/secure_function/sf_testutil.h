/*
 * sf_testutil.h - helpers shared by the secure_function unit tests.
 */
#ifndef SF_TESTUTIL_H
#define SF_TESTUTIL_H

#include "base/base_arena.h"
#include "secure_function/sf_model.h"

/* The model of a resource object given as JSON (the embedded schema's type);
 * BASE_OK or an error code. Everything in a. */
int sft_model(base_arena *a, const char *json, sf_config *m);

#endif
