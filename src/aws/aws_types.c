/*
 * aws_types.c - helpers for the plain value types of aws_types.h.
 */
#include "aws/aws_types.h"

#include <string.h>

const char *aws_tags_get(aws_tags tags, const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < tags.n; i++)
		if (tags.v[i].key && strcmp(tags.v[i].key, key) == 0)
			return tags.v[i].value;
	return NULL;
}
