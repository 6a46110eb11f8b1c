/*
 * aws_ini fuzz target: the fuzzer's bytes as the shared config file
 * (~/.aws/config) and, from the same bytes, the credentials file, read
 * through aws_creds_profile_settings for the default profile and profile
 * "p" (sections, source_profile chains, comments, continuation lines).
 * Only the region is resolved: no credential source is ever run.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "aws/aws_creds.h"
#include "base/base_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char ini_path[64];

static void remove_file(void)
{
	unlink(ini_path);
}

static const char *path(void)
{
	char *p = ini_path;
	if (!p[0]) {
		snprintf(p, sizeof ini_path, "/tmp/lambdavpc-fuzz-ini-%d", (int)getpid());
		atexit(remove_file);
		unsetenv("AWS_REGION");
		unsetenv("AWS_DEFAULT_REGION");
		unsetenv("AWS_PROFILE");
	}
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path(), "wb");
	if (!f)
		return 0;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fclose(f);
	const char *files[] = {path()};
	static const char *const profiles[] = {NULL, "p"};
	for (int i = 0; i < 2; i++) {
		aws_creds_config cfg = {0};
		cfg.profile = profiles[i];
		cfg.config_files = files;
		cfg.n_config_files = 1;
		cfg.credentials_files = files;
		cfg.n_credentials_files = 1;
		aws_profile_settings ps;
		aws_error err;
		(void)aws_creds_profile_settings(&cfg, &ps, &err);
		aws_profile_settings_dispose(&ps);
	}
	return 0;
}
