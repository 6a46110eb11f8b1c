/*
 * prov_schema.h - the schema JSON files (schemas/ *.json, embedded at build
 * time) parsed into tf6_schema, plus the provider-level data each
 * attribute carries (default, force-new, validators).
 *
 * File format: see schemas/README.md. The embedded files are parsed once,
 * lazily (prov_schemas_load, normally through the tf6 schema op on the first
 * RPC), and fail loudly: any problem is an error diagnostic naming the file
 * and the JSON location; a unit test loads both files.
 *
 * This is the only provider file that includes jansson (STYLE C8).
 */
#ifndef PROV_SCHEMA_H
#define PROV_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "base/base_err.h"
#include "cty/cty_value.h"
#include "tf6/tf6_schema.h"

/* A list of strings from the JSON (borrowed from the schema arena). */
typedef struct prov_strs {
	const char *const *v;
	size_t n;
} prov_strs;

/*
 * The validators of one attribute ("validators" object in the JSON). Each
 * applies to the attribute's value, or to its elements where noted.
 *   string_regex     POSIX ERE a string (or each string element) must match
 *   one_of           allowed strings (string or each element)
 *   int_range        number (or each number element) must be an integer in [min,max]
 *   length           element count of a list/set/map, or byte length of a string
 *   cidr             IPv4 CIDR block (each element) with prefix in [min,max],
 *                    written as its network address
 *   unique           no element appears twice
 *   no_overlap       no two CIDR elements overlap
 *   key_regex        every map key must match (POSIX ERE)
 *   reserved_keys    map keys that are not allowed
 *   endpoint_service each element a known short service name or com.amazonaws.<region>.<name>
 *   duration         a Go-style duration: one or more <int>(h|m|s)
 *   json_object      a string holding a JSON object
 *   hint             human wording of string_regex/key_regex for messages
 */
typedef struct prov_validators {
	const char *string_regex;
	const char *key_regex;
	const char *hint;
	prov_strs one_of, reserved_keys, reserved_key_prefixes, endpoint_services;
	bool has_int_range, has_length, has_cidr, has_duration_range;
	int64_t int_min, int_max, len_min, len_max;
	int64_t dur_min, dur_max; /* duration_range: seconds */
	int cidr_min, cidr_max;
	bool unique, no_overlap, duration, json_object;
} prov_validators;

/* Provider data of one attribute (tf6_attribute.ext). */
typedef struct prov_attr_info {
	bool force_new;                 /* a change replaces the resource */
	const char *default_json;       /* JSON of the default value, NULL if none */
	const cty_value *default_value; /* the default as a cty value of the attribute's type, NULL if none */
	prov_validators validators;
} prov_attr_info;

/* The info attached to attribute at (never NULL for attributes loaded by
 * this module: an attribute without JSON extras gets an all-zero info). */
const prov_attr_info *prov_attr_info_of(const tf6_attribute *at);

/*
 * Parses one schema file (len bytes of JSON, need not be NUL-terminated)
 * into a finished tf6_schema allocated in a. `file` names the source in
 * diagnostics. Unknown keys are errors (typos must not pass silently).
 * Returns BASE_OK with *out set, or BASE_EINVALID with error diagnostics
 * (summary "Invalid provider schema") and *out = NULL. Reentrant.
 */
BASE_MUST_USE int prov_schema_parse(base_arena *a, const char *file, const char *json, size_t len,
                                    tf6_schema **out, base_diags *diags);

/*
 * The embedded JSON of a schema: "provider" or a resource type name such as
 * "lambdavpc_secure_function". Returns false if there is no such file.
 * Borrowed static bytes.
 */
bool prov_schema_embedded(const char *name, const char **json, size_t *len);

/*
 * true if s (len bytes) is a syntactically valid JSON document whose top
 * level is an object (used by the json_object validator). Reentrant.
 */
bool prov_schema_json_is_object(const char *s, size_t len);

#endif
