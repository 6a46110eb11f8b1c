/*
 * cty_msgpack.h - the msgpack wire format of cty values (tfplugin
 * DynamicValue.msgpack, Terraform's docs/plugin-protocol/object-wire-format.md).
 *
 * Decoding accepts everything go-cty emits or accepts: every int/uint
 * family, float32/float64 and decimal strings for numbers; any msgpack
 * extension (any header form, any code) as unknown (ext 12 refinements:
 * "not null" is kept, the rest discarded); nil anywhere as null of the
 * expected type; dynamic as [bin|str type JSON, value]; object keys in any
 * order.
 *
 * Encoding writes what go-cty writes: object keys in sorted byte order, one
 * entry per attribute; integers that fit int64/uint64 as the smallest msgpack
 * int; numbers built from a float64 as float64; other numbers as a str with
 * their decimal text; unknown as exactly `d4 00 00`; dynamic as a 2-array
 * [bin type JSON, value]; strings as str.
 *
 * THREAD SAFETY: reentrant.
 */
#ifndef CTY_MSGPACK_H
#define CTY_MSGPACK_H

#include <stddef.h>
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_diag.h"
#include "base/base_err.h"
#include "cty_type.h"
#include "cty_value.h"

/*
 * Decodes len bytes of msgpack as a value of type t into arena a. len == 0
 * decodes as the null of t (an empty DynamicValue means null).
 * Returns BASE_OK with *out set, or BASE_EINVALID with *out = NULL when the
 * bytes are malformed, truncated, followed by trailing bytes, or do not match
 * t (wrong kind, unsupported attribute, missing attribute, wrong tuple length,
 * bad dynamic type JSON). On failure, if diags is not NULL, one error
 * diagnostic is added with the attribute path where decoding failed
 * (summary "Invalid msgpack value").
 */
BASE_MUST_USE int cty_msgpack_decode(base_arena *a, const cty_type *t, const void *bytes, size_t len,
                                     const cty_value **out, base_diags *diags);

/*
 * Appends the msgpack encoding of v, typed by v's own type, to out.
 * Returns BASE_OK, BASE_ETOOBIG if out's cap is exceeded (out then holds a
 * partial encoding), or BASE_EINVALID if a value does not conform to its
 * container's declared type.
 */
BASE_MUST_USE int cty_msgpack_encode(const cty_value *v, base_buf *out);

/*
 * Same, but v is encoded as the declared (wire) type t: when t is dynamic,
 * a known non-null v is wrapped as [type JSON, value]. Use this for a whole
 * DynamicValue whose schema type is dynamic; cty_msgpack_encode suffices for
 * objects (their attributes' declared types are in the object type).
 * BASE_EINVALID if v does not conform to t.
 */
BASE_MUST_USE int cty_msgpack_encode_as(const cty_type *t, const cty_value *v, base_buf *out);

#endif
