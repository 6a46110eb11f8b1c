/*
 * aws_types.h - small plain value types shared by the typed AWS operations
 * (aws_ec2.h, aws_iam.h, aws_lambda.h) and the request encoders.
 *
 * Input arrays are borrowed for the duration of a call. Output arrays live in
 * the base_arena the caller passed to the operation (see each header).
 */
#ifndef AWS_TYPES_H
#define AWS_TYPES_H

#include <stdbool.h>
#include <stddef.h>

/* A tag (EC2 Key/Value, IAM Key/Value, Lambda map entry). value may be NULL
 * where an API allows a key alone (EC2 DeleteTags); it is then omitted. */
typedef struct aws_tag {
	const char *key;
	const char *value;
} aws_tag;

/* A borrowed or arena-owned list of tags. */
typedef struct aws_tags {
	const aws_tag *v;
	size_t n;
} aws_tags;

/* A borrowed or arena-owned list of strings (ids, names, ARNs). */
typedef struct aws_strs {
	const char *const *v;
	size_t n;
} aws_strs;

/* An EC2 Describe* filter: Filter.N.Name = name, Filter.N.Value.M = values.
 * Tag filters are named "tag:<key>"; "tag-key" matches any value. */
typedef struct aws_filter {
	const char *name;
	aws_strs values;
} aws_filter;

typedef struct aws_filters {
	const aws_filter *v;
	size_t n;
} aws_filters;

/* Wraps a C array literal as aws_strs / aws_tags / aws_filters. */
#define AWS_STRS(arr) ((aws_strs){(arr), sizeof(arr) / sizeof((arr)[0])})
#define AWS_TAGS(arr) ((aws_tags){(arr), sizeof(arr) / sizeof((arr)[0])})
#define AWS_FILTERS(arr) ((aws_filters){(arr), sizeof(arr) / sizeof((arr)[0])})

/* An optional boolean: UNSET means "do not send" (AWS keeps its default). */
typedef enum aws_opt_bool { AWS_BOOL_UNSET = 0, AWS_BOOL_FALSE, AWS_BOOL_TRUE } aws_opt_bool;

/* Looks up a tag value by key; NULL when absent. NULL-safe. */
const char *aws_tags_get(aws_tags tags, const char *key);

#endif
