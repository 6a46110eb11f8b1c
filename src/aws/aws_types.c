/*
 * aws_types.c - helpers for the plain value types of aws_types.h.
 */
#include "aws/aws_types.h"

#include <string.h>

#include "aws/aws_int.h"

int64_t aws__days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

bool aws__path_next(const char **p, char *step, size_t cap)
{
	const char *slash = strchr(*p, '/');
	size_t len = slash ? (size_t)(slash - *p) : strlen(*p);
	if (len == 0 || len >= cap)
		return false;
	memcpy(step, *p, len);
	step[len] = '\0';
	*p = slash ? slash + 1 : NULL;
	return true;
}

const char *aws_tags_get(aws_tags tags, const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < tags.n; i++)
		if (tags.v[i].key && strcmp(tags.v[i].key, key) == 0)
			return tags.v[i].value;
	return NULL;
}
