/*
 * base_path.h - an attribute path: the "where" of a diagnostic.
 *
 * Mirrors tfplugin6 AttributePath without knowing protobuf: a sequence of
 * steps, each an attribute name, a string map key or an integer index.
 * Paths are arena-owned values; base_path_* never mutate their input, they
 * return a new path that shares nothing mutable with it.
 */
#ifndef BASE_PATH_H
#define BASE_PATH_H

#include <stddef.h>
#include <stdint.h>
#include "base_arena.h"

typedef enum base_path_kind {
	BASE_PATH_ATTR = 1, /* object attribute / block type name */
	BASE_PATH_KEY = 2,  /* map key (string) */
	BASE_PATH_INDEX = 3 /* list/tuple index */
} base_path_kind;

typedef struct base_path_step {
	base_path_kind kind;
	const char *name; /* ATTR and KEY */
	int64_t index;    /* INDEX */
} base_path_step;

typedef struct base_path {
	const base_path_step *steps; /* arena-owned */
	size_t len;
} base_path;

/* The empty path (root). */
base_path base_path_root(void);
/* New path = p + one step, allocated in a (name is copied). */
base_path base_path_attr(base_arena *a, base_path p, const char *name);
base_path base_path_key(base_arena *a, base_path p, const char *key);
base_path base_path_index(base_arena *a, base_path p, int64_t index);
/* Human rendering: `egress_rules[0].cidr_blocks`, `tags["Team"]`. */
char *base_path_str(base_arena *a, base_path p);

#endif
