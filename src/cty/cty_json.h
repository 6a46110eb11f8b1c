/*
 * cty_json.h - the JSON forms of cty: values (state `attributes`,
 * RawState.json) and types (schema Attribute.type).
 *
 * Values: null -> null, string -> string, number -> plain decimal (the
 * number's text, never an exponent), bool, list/set/tuple -> array,
 * map/object -> object (keys sorted), dynamic -> {"value":V,"type":T}.
 * Unknown values have no JSON form.
 *
 * Types: `"string"`, `"number"`, `"bool"`, `"dynamic"`, `["list",T]`,
 * `["set",T]`, `["map",T]`, `["object",{"a":T,...}]` (optionally with a
 * third element, the list of optional attribute names), `["tuple",[T...]]`.
 * Emitted exactly as Terraform does: no whitespace, object keys sorted.
 *
 * The parser is this file's own (numbers are kept as their exact source
 * text, which jansson cannot do); it accepts standard JSON (RFC 8259) with
 * any whitespace. Nesting deeper than 256 levels is rejected. Invalid UTF-8
 * in a string becomes U+FFFD, one per bad byte (as Go's decoder, and as the
 * encoder writes it, so values round-trip).
 *
 * THREAD SAFETY: reentrant.
 */
#ifndef CTY_JSON_H
#define CTY_JSON_H

#include <stddef.h>
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_diag.h"
#include "base/base_err.h"
#include "cty_type.h"
#include "cty_value.h"

/* Flags for cty_json_decode. */
#define CTY_JSON_ALLOW_EXTRA 1u /* ignore object members that are not attributes of the type */

/*
 * Decodes len bytes of JSON as a value of type t into arena a.
 * Object members missing from the JSON decode as null (go-cty behaviour);
 * a member that is not an attribute is an error unless flags has
 * CTY_JSON_ALLOW_EXTRA. Returns BASE_OK with *out set, or BASE_EINVALID with
 * *out = NULL (malformed JSON, trailing bytes, value not matching t); then,
 * if diags is not NULL, one error diagnostic with the attribute path
 * (summary "Invalid JSON value").
 */
BASE_MUST_USE int cty_json_decode(base_arena *a, const cty_type *t, const char *json, size_t len,
                                  unsigned flags, const cty_value **out, base_diags *diags);

/*
 * Appends the compact JSON of v (typed by its own type) to out.
 * Returns BASE_OK, BASE_EINVALID if v is or contains an unknown ("value is
 * not known"; out then holds a partial encoding), BASE_ETOOBIG on out's cap.
 */
BASE_MUST_USE int cty_json_encode(const cty_value *v, base_buf *out);

/* Same, with v encoded as declared type t (t dynamic -> {"value","type"} wrapper). */
BASE_MUST_USE int cty_json_encode_as(const cty_type *t, const cty_value *v, base_buf *out);

/*
 * Parses type JSON (len bytes) into a type allocated in a. BASE_EINVALID
 * (with *out = NULL and a diagnostic "Invalid type JSON" if diags is not
 * NULL) on malformed JSON or an unknown type form.
 */
BASE_MUST_USE int cty_json_type_decode(base_arena *a, const char *json, size_t len, const cty_type **out,
                                       base_diags *diags);

/* Appends the exact Terraform type JSON of t to out (BASE_OK / BASE_ETOOBIG). */
BASE_MUST_USE int cty_json_type_encode(const cty_type *t, base_buf *out);

#endif
