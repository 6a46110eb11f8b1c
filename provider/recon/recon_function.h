/*
 * recon_function.h - the Lambda field table: each function setting mapped
 * once between the model (recon_function_spec), the request
 * (aws_lambda_function_spec) and the observed configuration
 * (aws_lambda_function). recon_function.c builds requests, reads observed
 * configurations and compares them through it; the resource layer uses the
 * attribute names to map its own model.
 */
#ifndef RECON_FUNCTION_H
#define RECON_FUNCTION_H

#include <stdbool.h>
#include <stddef.h>
#include "aws/aws_lambda.h"
#include "base/base_arena.h"
#include "recon/recon_model.h"

typedef enum recon_fn_type {
	RECON_FN_STR,  /* const char * everywhere */
	RECON_FN_INT,  /* int in the model, int64_t in request and observed */
	RECON_FN_STRS, /* aws_strs */
	RECON_FN_TAGS  /* aws_tags (a string map) */
} recon_fn_type;

/* How a field takes part in the diff. */
typedef enum recon_fn_cmp {
	RECON_FN_CMP_NONE,   /* never compared (package_type) */
	RECON_FN_CMP_SET,    /* config: compared when the user set it (str non-NULL, int > 0) */
	RECON_FN_CMP_ALWAYS, /* config: always compared (unset = absent) */
	RECON_FN_CMP_CODE    /* compared by the code diff (function.code) */
} recon_fn_cmp;

typedef struct recon_fn_field {
	const char *name; /* the resource attribute ("runtime", "logging_config.log_format", ...) */
	recon_fn_type type;
	recon_fn_cmp cmp;
	size_t model;               /* offsetof in recon_function_spec */
	size_t request;             /* offsetof in aws_lambda_function_spec */
	size_t observed;            /* offsetof in aws_lambda_function */
	const char *observed_unset; /* what AWS reports when unset (tracing "PassThrough"), or NULL */
} recon_fn_field;

extern const recon_fn_field recon_fn_fields[];
extern const size_t recon_fn_n_fields;

/* Copies every table field of the model into the request (borrowed). */
void recon_fn_to_request(const recon_function_spec *m, aws_lambda_function_spec *req);

/* Copies every table field of an observed configuration into the model (arena a). */
void recon_fn_from_observed(base_arena *a, const aws_lambda_function *f, recon_function_spec *m);

/* True when a configuration field (CMP_SET / CMP_ALWAYS) of desired d
 * differs from observed o (both models). */
bool recon_fn_config_differs(const recon_function_spec *d, const recon_function_spec *o);

#endif
