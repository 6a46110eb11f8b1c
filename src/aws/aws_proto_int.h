/*
 * aws_proto_int.h - internal helpers shared by the typed operation files
 * (aws_ec2*.c, aws_iam.c, aws_sts.c, aws_lambda.c). Never included from
 * outside src/aws (tests of src/aws excepted). STYLE C2: aws__ names.
 */
#ifndef AWS_PROTO_INT_H
#define AWS_PROTO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "base/base_arena.h"
#include "base/base_err.h"
#include "aws/aws_client.h"
#include "aws/aws_error.h"
#include "aws/aws_json.h"
#include "aws/aws_query.h"
#include "aws/aws_types.h"
#include "aws/aws_xml.h"

#define AWS__JSON_CONTENT_TYPE "application/json"

/*
 * POSTs the form body of q to "/" of service svc (op names the call for
 * logs/retries). On success parses the XML reply into arena a and sets
 * *root_out (NULL allowed when the caller ignores the body); err cleared.
 * Errors: aws_query_done(q) code; the client's codes; BASE_EAWS turned into
 * BASE_ENOTFOUND when aws_error_is_not_found(err); BASE_EINVALID with
 * err->code "InvalidResponse" for an unparsable 2xx body.
 */
BASE_MUST_USE int aws__query_call(aws_client *c, base_arena *a, aws_service svc, const char *op,
                                  const aws_query *q, bool not_idempotent, const aws_xml_node **root_out,
                                  aws_error *err);

/* aws__query_call to EC2 that then disposes q (also on failure). */
BASE_MUST_USE int aws__ec2_call(aws_client *c, base_arena *a, const char *op, aws_query *q,
                                bool not_idempotent, const aws_xml_node **root_out, aws_error *err);

/* aws__ec2_call for a reply that must carry the top-level text `field`:
 * sets *text_out to it (in a). Errors: those of aws__ec2_call, and
 * BASE_EINVALID (code "InvalidResponse") when field is missing; *text_out
 * is NULL on any failure. */
BASE_MUST_USE int aws__ec2_call_text(aws_client *c, base_arena *a, const char *op, aws_query *q,
                                     bool not_idempotent, const char *field, const char **text_out,
                                     aws_error *err);

/* Fills the caller's element elem (of the size given to aws__ec2_describe)
 * from one `item` of a Describe* reply; strings live in a. It may keep
 * texts of item (they live in a) but never an element or a name: the
 * elements are freed when aws__ec2_describe returns. */
typedef void (*aws__ec2_item_parser)(base_arena *a, const aws_xml_node *item, void *elem);

/*
 * A whole EC2 Describe*: sends op (Version AWS_EC2_API_VERSION) with ids as
 * <id_param>.N and then filters, then again with each nextToken until a
 * page has none, and calls parse on every `item` child of the top-level
 * element set_name: n zeroed elements of elem_size in a (room for one when
 * n is 0). Each page's tree is read and freed at once. On success *v_out
 * and *n_out hold them; on failure NULL and 0. Errors: those of
 * aws__query_call, and BASE_EINVALID ("InvalidResponse") after 10,000
 * pages (a server that repeats pages must not hang us).
 */
BASE_MUST_USE int aws__ec2_describe(aws_client *c, base_arena *a, const char *op, const char *id_param,
                                    aws_strs ids, aws_filters filters, const char *set_name, size_t elem_size,
                                    aws__ec2_item_parser parse, void **v_out, size_t *n_out, aws_error *err);

/*
 * Lambda REST-JSON call. path must be already percent-encoded; query may be
 * NULL. body (may be NULL) is encoded compactly. On success, when root_out
 * is non-NULL and the reply has a body, it is parsed into a (NULL for an
 * empty body). Error mapping as aws__query_call.
 */
BASE_MUST_USE int aws__rest_call(aws_client *c, base_arena *a, const char *op, const char *method,
                                 const char *path, const char *query, const aws_json *body,
                                 bool not_idempotent, const aws_json **root_out, aws_error *err);

/* Percent-encodes s (RFC 3986, '/' and ':' encoded) into an arena string. */
char *aws__path_escape(base_arena *a, const char *s);

/* Appends every child `item_name` of set (none when set is NULL) to the
 * arena array *items of *n entries and *cap slots, growing it in a. Used
 * to gather the items of all pages of a paginated call. */
void aws__xml_collect(base_arena *a, const aws_xml_node *set, const char *item_name,
                      const aws_xml_node ***items, size_t *n, size_t *cap);

/* Texts of `field` (NULL = the item's own text) of every child `item_name`
 * of set, as an arena array. Missing set -> {NULL, 0}. */
aws_strs aws__xml_strs(base_arena *a, const aws_xml_node *set, const char *item_name, const char *field);
/* key/value children of every child `item_name` of set (EC2: "item",
 * "key", "value"; IAM: "member", "Key", "Value"). */
aws_tags aws__xml_tags(base_arena *a, const aws_xml_node *set, const char *item_name, const char *key_name,
                       const char *value_name);

/* JSON string array -> aws_strs (non-strings skipped). */
aws_strs aws__json_strs(base_arena *a, const aws_json *arr);
/* JSON object of strings -> aws_tags. */
aws_tags aws__json_tags(base_arena *a, const aws_json *obj);

/* Sets err to code "InvalidResponse" and returns BASE_EINVALID. */
int aws__invalid_response(aws_error *err, const char *op, const char *what);

#endif
