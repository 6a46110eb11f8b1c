/*
 * aws_json.h - JSON values for the Lambda REST-JSON protocol.
 *
 * A small arena-allocated JSON tree used both to build request bodies and to
 * read responses; jansson is used only inside aws_json.c (STYLE C8) to parse
 * and to serialise. Objects keep insertion order, so encoded bodies are
 * byte-stable (compact: no spaces, keys in insertion order, "/" unescaped).
 *
 * Ownership: every value lives in the base_arena it was created in and is
 * released with the arena. Readers are NULL-safe (NULL in -> NULL/false out).
 * Pure; thread-safe on distinct arenas.
 */
#ifndef AWS_JSON_H
#define AWS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_err.h"

typedef struct aws_json aws_json;

typedef enum aws_json_kind {
	AWS_JSON_NULL,
	AWS_JSON_BOOL,
	AWS_JSON_INT,
	AWS_JSON_REAL,
	AWS_JSON_STRING,
	AWS_JSON_ARRAY,
	AWS_JSON_OBJECT
} aws_json_kind;

/* ---- building ---- */
aws_json *aws_json_new_object(base_arena *a);
aws_json *aws_json_new_array(base_arena *a);
aws_json *aws_json_new_string(base_arena *a, const char *s); /* copied */
aws_json *aws_json_new_int(base_arena *a, int64_t v);
aws_json *aws_json_new_bool(base_arena *a, bool v);

/* Sets obj[key] = v (replacing an existing key in place, else appending).
 * obj must be an object from the same arena; key is copied. */
void aws_json_set(aws_json *obj, const char *key, aws_json *v);
/* Conveniences: a NULL s in set_str sets nothing (absent optional field). */
void aws_json_set_str(aws_json *obj, const char *key, const char *s);
void aws_json_set_int(aws_json *obj, const char *key, int64_t v);
void aws_json_set_bool(aws_json *obj, const char *key, bool v);
/* Creates, sets and returns a new empty object / array under key. */
aws_json *aws_json_set_object(aws_json *obj, const char *key);
aws_json *aws_json_set_array(aws_json *obj, const char *key);
/* Appends v to array arr. */
void aws_json_push(aws_json *arr, aws_json *v);
void aws_json_push_str(aws_json *arr, const char *s);

/* Serialises v compactly, appending to out. BASE_ETOOBIG if out's cap is
 * exceeded, BASE_EINVALID for invalid UTF-8 in a string. */
BASE_MUST_USE int aws_json_encode(const aws_json *v, base_buf *out);

/* ---- reading ---- */
/* Parses body[0..len) into a tree in arena a. BASE_EINVALID (and
 * *out = NULL) when it is not a JSON text. */
BASE_MUST_USE int aws_json_parse(base_arena *a, const char *body, size_t len, const aws_json **out);

aws_json_kind aws_json_kind_of(const aws_json *v); /* NULL -> AWS_JSON_NULL */
/* obj[key] or NULL (missing key, or obj not an object). An explicit JSON
 * null is returned as a value of kind AWS_JSON_NULL. */
const aws_json *aws_json_get(const aws_json *obj, const char *key);
/* Follows '/'-separated object keys: aws_json_path(v, "VpcConfig/VpcId"). */
const aws_json *aws_json_path(const aws_json *v, const char *path);
/* The string (borrowed, arena) or NULL when v is not a string. */
const char *aws_json_str(const aws_json *v);
/* Integer value; false when v is not a number, or is a real that is not
 * integral or lies outside int64's range (1.9, 1e300). */
bool aws_json_int(const aws_json *v, int64_t *out);
/* Boolean value; false when v is not a boolean. */
bool aws_json_bool(const aws_json *v, bool *out);
/* Element count of an array or object; 0 otherwise. */
size_t aws_json_len(const aws_json *v);
/* i-th element of an array / i-th value of an object; NULL if out of range. */
const aws_json *aws_json_at(const aws_json *v, size_t i);
/* i-th key of an object; NULL if out of range. */
const char *aws_json_key_at(const aws_json *v, size_t i);

#endif
