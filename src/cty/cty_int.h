/*
 * cty_int.h - struct bodies and helpers shared by the files of src/cty only.
 * Never included from another folder (tests of cty excepted).
 */
#ifndef CTY_INT_H
#define CTY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "cty_type.h"
#include "cty_value.h"

struct cty_value {
	const cty_type *type; /* own type; dynamic only for null/unknown dynamic */
	cty_kind kind;
	bool not_null; /* UNKNOWN: refined as definitely not null */
	unsigned marks;
	union {
		struct {
			const char *s; /* NUL-terminated copy */
			size_t len;
		} str;
		struct {
			const char *text;  /* as given / decoded (canon for doubles) */
			const char *canon; /* canonical plain decimal, "+Inf", "-Inf" */
			double f;          /* valid when is_float */
			bool is_float;     /* built from a float64: re-encoded as float64 */
		} num;
		bool b;
		struct {
			size_t n;
			const cty_value *const
			        *elems; /* list/set/tuple elements, map values, object attrs (type order) */
			const char *const *keys; /* map only: sorted keys */
		} coll;
	} u;
};

struct cty_type {
	cty_type_kind kind;
	const cty_type *elem;         /* list/set/map */
	size_t n;                     /* object attrs / tuple elems */
	const char *const *names;     /* object: sorted names */
	const cty_type *const *types; /* object attr types / tuple elem types */
	const bool *optional;         /* object: NULL or n flags */
	cty_value vnull;              /* the null of this type */
	cty_value vunknown;           /* the unknown of this type */
	cty_value vunknown_nn;        /* the unknown refined "not null" */
};

/* Limits on what one request may make us build (issue 12, amplification):
 * a number's plain decimal form has at most CTY_NUM_MAX_LEN characters (go-cty
 * keeps 512 mantissa bits, ~155 digits; the rest is exponent), and decoders
 * refuse input once the request's arena holds CTY_DECODE_MAX_BYTES. */
#define CTY_NUM_MAX_LEN 4096u
#define CTY_DECODE_MAX_BYTES ((size_t)64 << 20)

/* cty_value.c: the limit text for a BASE_ETOOBIG number ("its plain decimal
 * form is limited to 4096 characters and ..."), for diagnostics. */
const char *cty__num_limit_text(base_arena *a);

/* cty_msgpack_scan.c: walks the headers of the first msgpack object in
 * bytes[0..len) and checks every declared str/bin/ext length and array/map
 * count against the bytes left (and the object count against the decode
 * budget). BASE_OK with *end = the object's length, or BASE_EINVALID with
 * *why (static text). */
int cty__msgpack_scan(const void *bytes, size_t len, size_t *end, const char **why);

/* cty_value.c: canonical decimal of a number text; BASE_EINVALID if not a
 * number, BASE_ETOOBIG if its plain decimal form would exceed
 * CTY_NUM_MAX_LEN or the arena already holds CTY_DECODE_MAX_BYTES. */
int cty__num_canon(base_arena *a, const char *s, size_t len, const char **canon_out, double *inf_out);
/* cty_value.c: number from a double with its canonical text. */
const cty_value *cty__num_from_double(base_arena *a, double d);
/* cty_value.c: parse canon as an integer; returns 1 if it fits int64 (*i set),
 * 2 if it only fits uint64 (*u set), 0 otherwise. */
int cty__canon_int(const char *canon, int64_t *i, uint64_t *u);

/* The decoders' last step for a sequence: the list, set or tuple of type t
 * (kind CTY_T_LIST, CTY_T_SET or CTY_T_TUPLE; assert otherwise) made of the
 * n decoded elements e (a tuple's n is its type's length). Never NULL. */
const cty_value *cty__value_seq(base_arena *a, const cty_type *t, size_t n, const cty_value *const *e);

#endif
