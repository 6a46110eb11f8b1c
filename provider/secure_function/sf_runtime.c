/*
 * sf_runtime.c - the Lambda runtime table: every runtime identifier Lambda
 * has offered for zip packages, with AWS's deprecation dates (the "Supported
 * runtimes" and "Deprecated runtimes" tables of the AWS Lambda Developer
 * Guide, lambda-runtimes.html). The one place to update when AWS adds or
 * retires a runtime.
 *
 *   deprecated     the date Lambda stops patching it: from then on a plan
 *                  warns (the function still deploys)
 *   block_create   the date Lambda refuses CreateFunction with it: from then
 *                  on the runtime is "retired" and a plan fails
 * NULL = no date announced. Dates are ISO (YYYY-MM-DD), compared as text.
 */
#include "secure_function/sf_int.h"

#include <string.h>
#include <time.h>

static const sf_runtime_info RUNTIMES[] = {
        /* supported */
        {"nodejs24.x", "2028-04-30", NULL},
        {"nodejs22.x", "2027-04-30", NULL},
        {"nodejs20.x", "2026-04-30", NULL},
        {"python3.14", "2029-06-30", NULL},
        {"python3.13", "2029-06-30", NULL},
        {"python3.12", "2028-10-31", NULL},
        {"python3.11", "2027-06-30", NULL},
        {"python3.10", "2026-06-30", NULL},
        {"java25", "2029-06-30", NULL},
        {"java21", "2029-06-30", NULL},
        {"java17", "2029-06-30", NULL},
        {"java11", "2027-06-30", NULL},
        {"java8.al2", "2026-06-30", NULL},
        {"dotnet10", "2028-11-14", NULL},
        {"dotnet8", "2026-11-10", NULL},
        {"ruby3.4", "2028-03-31", NULL},
        {"ruby3.3", "2027-03-31", NULL},
        {"ruby3.2", "2026-03-31", NULL},
        {"provided.al2023", "2029-06-30", NULL},
        {"provided.al2", "2026-07-31", NULL},
        /* deprecated, then retired */
        {"nodejs18.x", "2025-09-01", "2026-03-09"},
        {"python3.9", "2025-12-15", "2026-08-31"},
        {"python3.8", "2024-10-14", "2026-02-28"},
        {"nodejs16.x", "2024-06-12", "2026-02-28"},
        {"dotnet6", "2024-12-20", "2026-02-28"},
        {"java8", "2024-01-08", "2024-02-08"},
        {"go1.x", "2024-01-08", "2024-02-08"},
        {"provided", "2024-01-08", "2024-02-08"},
        {"ruby2.7", "2023-12-07", "2024-01-09"},
        {"python3.7", "2023-12-04", "2024-01-09"},
        {"nodejs14.x", "2023-12-04", "2024-01-09"},
        {"nodejs12.x", "2023-03-31", "2023-04-30"},
        {"dotnetcore3.1", "2023-04-03", "2023-04-03"},
        {"python3.6", "2022-07-18", "2022-07-18"},
        {"python2.7", "2021-07-15", "2021-07-15"},
        {"nodejs10.x", "2021-07-30", "2021-07-30"},
        {"ruby2.5", "2021-07-30", "2021-07-30"},
        {"dotnetcore2.1", "2022-01-05", "2022-01-05"},
        {"nodejs8.10", "2020-03-06", "2020-01-06"},
        {"nodejs", "2016-10-31", "2016-10-31"},
        {"nodejs4.3", "2020-03-05", "2020-03-05"},
        {"nodejs6.10", "2019-08-12", "2019-08-12"},
        {"dotnetcore1.0", "2019-07-30", "2019-07-30"},
        {"dotnetcore2.0", "2019-05-30", "2019-05-30"},
};

#define N_RUNTIMES (sizeof RUNTIMES / sizeof RUNTIMES[0])

const sf_runtime_info *sf__runtime_find(const char *id)
{
	for (size_t i = 0; id && i < N_RUNTIMES; i++)
		if (strcmp(RUNTIMES[i].id, id) == 0)
			return &RUNTIMES[i];
	return NULL;
}

sf_runtime_status sf__runtime_status(const sf_runtime_info *r, const char *today)
{
	if (!r)
		return SF_RT_UNKNOWN;
	if (r->block_create && strcmp(today, r->block_create) >= 0)
		return SF_RT_RETIRED;
	if (r->deprecated && strcmp(today, r->deprecated) >= 0)
		return SF_RT_DEPRECATED;
	return SF_RT_SUPPORTED;
}

const char *sf__runtime_supported_list(base_arena *a, const char *today)
{
	const char *out = "";
	for (size_t i = 0; i < N_RUNTIMES; i++) {
		if (sf__runtime_status(&RUNTIMES[i], today) != SF_RT_SUPPORTED)
			continue;
		out = base_arena_sprintf(a, "%s%s%s", out, *out ? ", " : "", RUNTIMES[i].id);
	}
	return out;
}

void sf__today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}
