/*
 * cty_value.h - immutable cty values (null, unknown, string, number, bool,
 * list, set, map, object, tuple) with marks.
 *
 * OWNERSHIP RULE: a value lives in the arena it was built in (or is a static
 * / type-embedded singleton that lives as long as its type) and is never
 * modified or freed on its own; it is released with that arena. To keep a
 * value beyond its arena, copy it with cty_value_clone() into another arena.
 *
 * Values are passed as `const cty_value *`. Every value has a type
 * (cty_value_type). A value that stands where `dynamic` is declared carries
 * its concrete type, except a null or unknown dynamic, whose type is
 * dynamic. Null and unknown are first-class kinds of every type; an unknown
 * value may carry the refinement "definitely not null" (which the codecs
 * never emit: unknowns are always written as the plain unknown).
 *
 * Numbers keep the decimal text they were built from (so configured values
 * are echoed exactly) and a canonical decimal used for equality
 * (go-cty: numbers are equal iff their decimal renderings are, -0 == 0).
 *
 * Programmer misuse (wrong kind, index out of range, a value not conforming to
 * the declared type in a constructor) is assert()ed, not returned.
 *
 * THREAD SAFETY: values are immutable; any thread may read them. Building
 * allocates in an arena, which belongs to one thread at a time.
 */
#ifndef CTY_VALUE_H
#define CTY_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_err.h"
#include "cty_type.h"

typedef enum cty_kind {
	CTY_NULL = 0,
	CTY_UNKNOWN = 1,
	CTY_STRING = 2,
	CTY_NUMBER = 3,
	CTY_BOOL = 4,
	CTY_LIST = 5,
	CTY_SET = 6,
	CTY_MAP = 7,
	CTY_OBJECT = 8,
	CTY_TUPLE = 9
} cty_kind;

/* Marks (bit set). Marks never reach a wire format. */
#define CTY_MARK_SENSITIVE 1u

typedef struct cty_value cty_value;

/* ---- constructors ------------------------------------------------------ */

/* Null / unknown / unknown-not-null of type t. Embedded in t: no allocation,
 * lives as long as t. Never NULL. */
const cty_value *cty_value_null(const cty_type *t);
const cty_value *cty_value_unknown(const cty_type *t);
const cty_value *cty_value_unknown_not_null(const cty_type *t);

/* Static true/false. */
const cty_value *cty_value_bool(bool b);

/* String: s (NUL-terminated) is copied into a. Should be UTF-8. */
const cty_value *cty_value_string(base_arena *a, const char *s);
/* String of n bytes (may contain NUL bytes), copied into a. */
const cty_value *cty_value_string_n(base_arena *a, const char *s, size_t n);

/* Numbers. */
const cty_value *cty_value_number_int(base_arena *a, int64_t i);
const cty_value *cty_value_number_uint(base_arena *a, uint64_t u);
/* A float64. Must not be NaN (assert). Canonical text: integral values below
 * 2^64 exactly ("9223372036854775808"), others the shortest decimal that
 * round-trips ("0.1"), infinities "+Inf"/"-Inf". cty_msgpack writes it back
 * as a msgpack int when integral and within int64/uint64, else as float64. */
const cty_value *cty_value_number_double(base_arena *a, double d);
/*
 * Number from decimal text, kept verbatim for encoding: optional '-' or '+',
 * digits, optional '.' digits, optional exponent (e.g. "0.1", "-12",
 * "1e3", "18446744073709551616"). Returns BASE_EINVALID (and *out = NULL)
 * if text is not such a number, BASE_ETOOBIG if its plain decimal form
 * would exceed 4096 characters or a must not grow past 64 MiB (the
 * per-request decode budget).
 */
BASE_MUST_USE int cty_value_number_parse(base_arena *a, const char *text, const cty_value **out);
/* Same for a literal known to be valid (assert on invalid text). */
const cty_value *cty_value_number_text(base_arena *a, const char *text);

/*
 * list/set(elem_type) of n elements (n may be 0; elems may then be NULL).
 * Each element must conform to elem_type. Sets drop elements that are
 * raw-equal to an earlier one (unknowns are never merged, as in cty).
 */
const cty_value *cty_value_list(base_arena *a, const cty_type *elem_type, size_t n,
                                const cty_value *const *elems);
const cty_value *cty_value_set(base_arena *a, const cty_type *elem_type, size_t n,
                               const cty_value *const *elems);
/* map(elem_type) from n (keys[i], vals[i]) pairs; keys are copied and sorted.
 * Duplicate keys: the last one wins. */
const cty_value *cty_value_map(base_arena *a, const cty_type *elem_type, size_t n, const char *const *keys,
                               const cty_value *const *vals);
/* Tuple of type tuple_type (a CTY_T_TUPLE type); elems has one value per element. */
const cty_value *cty_value_tuple(base_arena *a, const cty_type *tuple_type, const cty_value *const *elems);
/*
 * Object of type obj_type; attrs[i] is the value of attribute i in the type's
 * (sorted) order (cty_type_attr_name(obj_type, i)). A NULL attrs[i] means null.
 */
const cty_value *cty_value_object(base_arena *a, const cty_type *obj_type, const cty_value *const *attrs);

/*
 * Object builder: set attributes by name, unset ones become null.
 *   cty_obj_builder b;
 *   cty_obj_builder_init(&b, a, type);
 *   cty_obj_builder_set(&b, "name", cty_value_string(a, "x"));
 *   const cty_value *obj = cty_obj_builder_finish(&b);
 * Caller-allocated (stack); the storage it needs is in the arena, so there
 * is no _dispose. Fields are private.
 */
typedef struct cty_obj_builder {
	base_arena *arena;
	const cty_type *type;
	const cty_value **attrs;
} cty_obj_builder;

void cty_obj_builder_init(cty_obj_builder *b, base_arena *a, const cty_type *obj_type);
/* Sets attribute `name` to v (NULL = null); v must conform to the attribute's
 * type (assert). Returns false (and changes nothing) if the type has no such
 * attribute. */
bool cty_obj_builder_set(cty_obj_builder *b, const char *name, const cty_value *v);
/* The object (never NULL). The builder may keep being used afterwards. */
const cty_value *cty_obj_builder_finish(cty_obj_builder *b);

/* Copy of obj with attribute `name` replaced by v (NULL = null). Returns
 * NULL if obj is not a known non-null object or has no such attribute. */
const cty_value *cty_value_with_attr(base_arena *a, const cty_value *obj, const char *name,
                                     const cty_value *v);
/* Copy of v (shallow) with the given marks set (replacing old marks). */
const cty_value *cty_value_with_marks(base_arena *a, const cty_value *v, unsigned marks);
/* Deep copy of v (and its type) into a. */
const cty_value *cty_value_clone(base_arena *a, const cty_value *v);

/* ---- inspection -------------------------------------------------------- */

cty_kind cty_value_kind(const cty_value *v);
/* The value's own type (concrete unless null/unknown dynamic). Borrowed. */
const cty_type *cty_value_type(const cty_value *v);
unsigned cty_value_marks(const cty_value *v);
bool cty_value_is_null(const cty_value *v);
bool cty_value_is_unknown(const cty_value *v);
/* For an unknown: whether it is refined as "definitely not null". */
bool cty_value_unknown_is_not_null(const cty_value *v);
/* Wholly known: not unknown and no unknown anywhere inside (recursive). Null is known. */
bool cty_value_is_known(const cty_value *v);

/* String bytes (NUL-terminated) or NULL if v is not a known string. Borrowed. */
const char *cty_value_as_string(const cty_value *v);
/* Byte length of a known string (0 otherwise). */
size_t cty_value_string_len(const cty_value *v);
/* Bool value; v must be a known bool (assert). */
bool cty_value_as_bool(const cty_value *v);

/*
 * Number text as given to the constructor / decoded (NULL if v is not a known
 * number). For numbers built from a double this is the canonical text.
 */
const char *cty_value_number_text_of(const cty_value *v);
/* Canonical plain decimal ("0.1", "-12", "1000", "0"; "+Inf"/"-Inf"), NULL if not a known number. */
const char *cty_value_number_canon(const cty_value *v);
/* BASE_EINVALID if v is not a known number or not an integer in int64 range. */
BASE_MUST_USE int cty_value_as_int64(const cty_value *v, int64_t *out);
/* Nearest double; BASE_EINVALID if v is not a known number or out of double range (infinities are fine). */
BASE_MUST_USE int cty_value_as_double(const cty_value *v, double *out);

/*
 * Number of elements of a known list/set/map/tuple, or of attributes of a
 * known object. 0 for null/unknown values and primitives.
 */
size_t cty_value_len(const cty_value *v);
/* i-th element of a known list/set/tuple/map (maps in sorted key order), or
 * attribute i of a known object. Borrowed. */
const cty_value *cty_value_index(const cty_value *v, size_t i);
/* i-th key of a known map (sorted byte order). Borrowed. */
const char *cty_value_map_key(const cty_value *v, size_t i);
/* Element of a known map by key, NULL if absent. Borrowed. */
const cty_value *cty_value_map_get(const cty_value *v, const char *key);
/*
 * Attribute of an object value by name. NULL if v's type is not an object
 * type or has no such attribute. For a null object returns the null of the
 * attribute's type, for an unknown object the unknown of it. Borrowed.
 */
const cty_value *cty_value_get_attr(const cty_value *v, const char *name);

/* Human name of a kind ("null", "unknown", "string", ...). Static. */
const char *cty_kind_name(cty_kind k);

#endif
