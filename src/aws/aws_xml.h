/*
 * aws_xml.h - namespace-agnostic XML reading for AWS query/EC2 responses.
 *
 * The document is parsed (by our own reader, aws_xml.c) into a small
 * read-only tree allocated in a caller-given base_arena; nothing needs
 * freeing besides the arena. Element names are compared by *local name*
 * (namespace prefixes and URIs are ignored) because moto's EC2 namespace,
 * AWS's and moto's auth-failure documents all differ (AWS.md 1.1, 2.1).
 *
 * Every accessor is NULL-safe: passing a NULL node returns NULL / 0, so
 * chains such as aws_xml_text(aws_xml_child(aws_xml_child(r, "a"), "b"))
 * need no intermediate checks. Pure; thread-safe on distinct arenas.
 */
#ifndef AWS_XML_H
#define AWS_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_err.h"

typedef struct aws_xml_node aws_xml_node;

/* Parses body[0..len) into a tree in arena a; *root_out = the document
 * element (borrowed, lives as long as a). UTF-8 only; a DOCTYPE is refused,
 * so no entity is defined, expanded or fetched. Returns BASE_EINVALID (and
 * *root_out = NULL) if the bytes are not well-formed XML (the reason goes
 * to the log at DEBUG). */
BASE_MUST_USE int aws_xml_parse(base_arena *a, const char *body, size_t len, const aws_xml_node **root_out);

/* aws_xml_parse with the tree's elements and names in `nodes` and the
 * element texts in `texts`. A caller that keeps only texts (aws_xml_text,
 * aws_xml_path_text) may free `nodes` once it has read the tree: most of a
 * large reply's tree is elements and names (issue 13: ten refreshes at once
 * each held the tree of a VPC-wide Describe). */
BASE_MUST_USE int aws_xml_parse_split(base_arena *nodes, base_arena *texts, const char *body, size_t len,
                                      const aws_xml_node **root_out);

/* Local name of the element ("vpcSet"), never NULL for a non-NULL node. */
const char *aws_xml_name(const aws_xml_node *n);
/* True when n's local name equals name. */
bool aws_xml_is(const aws_xml_node *n, const char *name);
/* Concatenated direct text/CDATA content of n ("" if none); NULL if n NULL. */
const char *aws_xml_text(const aws_xml_node *n);

/* First direct child element with that local name (name NULL = any). */
const aws_xml_node *aws_xml_child(const aws_xml_node *n, const char *name);
/* Next sibling element after n with that local name (name NULL = any). */
const aws_xml_node *aws_xml_next(const aws_xml_node *n, const char *name);
/* First element in n's subtree (n itself included), depth-first, with that
 * local name. */
const aws_xml_node *aws_xml_find(const aws_xml_node *n, const char *name);
/* Follows a '/'-separated path of direct-child local names ("vpcSet/item"). */
const aws_xml_node *aws_xml_path(const aws_xml_node *n, const char *path);
/* Text of aws_xml_path(n, path); NULL when the element is absent. */
const char *aws_xml_path_text(const aws_xml_node *n, const char *path);
/* Number of direct children named name (e.g. count "item" in a set). */
size_t aws_xml_count(const aws_xml_node *n, const char *name);

/* Typed reads of aws_xml_path_text(n, path). Absent element -> *out = dflt
 * and return false; present but unparsable -> *out = dflt and false. */
bool aws_xml_path_bool(const aws_xml_node *n, const char *path, bool dflt, bool *out);
bool aws_xml_path_int(const aws_xml_node *n, const char *path, int64_t dflt, int64_t *out);

/* Iterate direct children with a given name:
 *   for (it = aws_xml_child(set, "item"); it; it = aws_xml_next(it, "item")) */

#endif
