/*
 * cty_type.h - cty types: string, number, bool, list, set, map, object,
 * tuple and the dynamic pseudo-type.
 *
 * Types are immutable and passed as `const cty_type *`. The three primitive
 * types and dynamic are static singletons (never freed); composite types are
 * allocated in the arena given to their constructor and live as long as it.
 * Two types are the same type iff cty_type_equal() says so (structural
 * comparison; pointers may differ).
 *
 * Object attribute names are kept sorted in byte order, so "attribute i"
 * always means the i-th name in sorted order, which is also the order of
 * object values (cty_value.h) and of the msgpack/JSON encodings.
 *
 * The type JSON notation (`"string"`, `["list","string"]`,
 * `["object",{"a":"number"}]` ...) is parsed and emitted by cty_json.h
 * (cty_json_type_decode / cty_json_type_encode).
 *
 * Programmer misuse (NULL arguments, index out of range, wrong kind) is
 * assert()ed, not reported.
 *
 * THREAD SAFETY: types are immutable; any number of threads may read them.
 * Constructors allocate in an arena, which belongs to one thread at a time.
 */
#ifndef CTY_TYPE_H
#define CTY_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include "base/base_arena.h"

typedef enum cty_type_kind {
	CTY_T_STRING = 1,
	CTY_T_NUMBER = 2,
	CTY_T_BOOL = 3,
	CTY_T_LIST = 4,
	CTY_T_SET = 5,
	CTY_T_MAP = 6,
	CTY_T_OBJECT = 7,
	CTY_T_TUPLE = 8,
	CTY_T_DYNAMIC =
	        9 /* the pseudo-type "any type"; values always carry a concrete type unless null/unknown */
} cty_type_kind;

typedef struct cty_type cty_type;

/* The primitive types and dynamic: static singletons, never NULL, never freed. */
const cty_type *cty_type_string(void);
const cty_type *cty_type_number(void);
const cty_type *cty_type_bool(void);
const cty_type *cty_type_dynamic(void);

/*
 * Collection types list(elem), set(elem), map(elem). Allocated in a; never
 * NULL. elem must outlive the result (allocate it in the same arena or use a
 * singleton).
 */
const cty_type *cty_type_list(base_arena *a, const cty_type *elem);
const cty_type *cty_type_set(base_arena *a, const cty_type *elem);
const cty_type *cty_type_map(base_arena *a, const cty_type *elem);

/*
 * object({names[i]: types[i]}) with n attributes (n may be 0). The names are
 * copied and sorted; the inputs may be in any order. Duplicate or empty names
 * are a programmer error (assert). `optional` may be NULL; otherwise
 * optional[i] marks names[i] as an optional attribute (cty's third element of
 * the object type JSON; irrelevant to values and wire formats, kept only so the
 * type JSON round-trips). Allocated in a; never NULL.
 */
const cty_type *cty_type_object(base_arena *a, size_t n, const char *const *names,
                                const cty_type *const *types, const bool *optional);

/* tuple([types[0], ..., types[n-1]]), n may be 0. Allocated in a; never NULL. */
const cty_type *cty_type_tuple(base_arena *a, size_t n, const cty_type *const *types);

/* Kind of t. */
cty_type_kind cty_type_kind_of(const cty_type *t);
/* true for string, number and bool. */
bool cty_type_is_primitive(const cty_type *t);
/* true for list, set and map. */
bool cty_type_is_collection(const cty_type *t);

/* Element type of a list/set/map (assert otherwise). Borrowed. */
const cty_type *cty_type_elem(const cty_type *t);

/* Number of attributes of an object type / elements of a tuple type (assert otherwise). */
size_t cty_type_attr_count(const cty_type *t);
size_t cty_type_tuple_len(const cty_type *t);
/* i-th attribute (sorted order) of an object type: name and type. Borrowed. */
const char *cty_type_attr_name(const cty_type *t, size_t i);
const cty_type *cty_type_attr_type(const cty_type *t, size_t i);
bool cty_type_attr_optional(const cty_type *t, size_t i);
/*
 * Looks up an attribute of object type t by name (binary search).
 * Returns its index (sorted order) or -1 if t has no such attribute.
 */
long cty_type_attr_index(const cty_type *t, const char *name);
/* Type of attribute `name`, or NULL if t has no such attribute. Borrowed. */
const cty_type *cty_type_attr(const cty_type *t, const char *name);
/* i-th element type of a tuple type. Borrowed. */
const cty_type *cty_type_tuple_elem(const cty_type *t, size_t i);

/* Structural equality (dynamic equals only dynamic). NULL-safe: two NULLs are equal. */
bool cty_type_equal(const cty_type *a, const cty_type *b);
/*
 * true if a value of type `actual` may stand where `declared` is expected:
 * declared is dynamic, or both have the same structure with dynamic in
 * `declared` matching anything at that position.
 */
bool cty_type_conforms(const cty_type *actual, const cty_type *declared);
/* true if t is or contains dynamic. */
bool cty_type_has_dynamic(const cty_type *t);

/* Deep copy of t into a (singletons are returned as is). */
const cty_type *cty_type_clone(base_arena *a, const cty_type *t);

/* Name of the kind of t for messages: "string", "list", "object", ... Static. */
const char *cty_type_kind_name(const cty_type *t);

#endif
