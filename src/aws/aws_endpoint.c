/*
 * aws_endpoint.c - endpoint resolution order (see aws_endpoint.h).
 */
#include "aws/aws_endpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static bool ignore_configured(const aws_profile_settings *ps)
{
	const char *v = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	if (v && *v)
		return strcasecmp(v, "true") == 0;
	return ps && ps->ignore_configured_endpoint_urls == 1;
}

static const char *from_profile(const aws_endpoint_query *q, char origin[128])
{
	const aws_profile_settings *ps = q->profile;
	if (!ps)
		return NULL;
	for (size_t i = 0; i < ps->n_services; i++) {
		if (strcmp(ps->service_key[i], q->service_key) == 0) {
			snprintf(origin, 128, "services \"%s\" of profile \"%s\"", ps->services, ps->name);
			return ps->service_url[i];
		}
	}
	if (ps->endpoint_url && *ps->endpoint_url) {
		snprintf(origin, 128, "endpoint_url of profile \"%s\"", ps->name);
		return ps->endpoint_url;
	}
	return NULL;
}

const char *aws_endpoint_configured(const aws_endpoint_query *q, char origin[128])
{
	char envname[64];
	const char *url;
	size_t i;
	origin[0] = '\0';
	if (q->block_url && *q->block_url) {
		snprintf(origin, 128, "endpoints block");
		return q->block_url;
	}
	if (ignore_configured(q->profile))
		return NULL;
	i = (size_t)snprintf(envname, sizeof envname, "AWS_ENDPOINT_URL_");
	for (const char *k = q->service_key; *k && i + 1 < sizeof envname; k++)
		envname[i++] = (char)(*k >= 'a' && *k <= 'z' ? *k - 'a' + 'A' : *k);
	envname[i] = '\0';
	if ((url = env_nonempty(envname))) {
		snprintf(origin, 128, "%s", envname);
		return url;
	}
	if ((url = env_nonempty("AWS_ENDPOINT_URL"))) {
		snprintf(origin, 128, "AWS_ENDPOINT_URL");
		return url;
	}
	return from_profile(q, origin);
}

bool aws_endpoint_url_ok(const char *u)
{
	const char *a;
	if (!u)
		return false;
	if (strncmp(u, "http://", 7) == 0)
		a = u + 7;
	else if (strncmp(u, "https://", 8) == 0)
		a = u + 8;
	else
		return false;
	return *a && *a != '/' && !strpbrk(u, " \t\r\n?#");
}
