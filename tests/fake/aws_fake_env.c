/* aws_fake_env.c - see aws_fake_env.h. Test support only. */
#include "aws_fake_env.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const aws_env_vars[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
	"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_IAM",
	"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_MAX_ATTEMPTS", "AWS_CA_BUNDLE", NULL
};

static char home[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The temp HOME (and whatever tests wrote there) goes away at exit. */
static void remove_home(void)
{
	if (home[0])
		nftw(home, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *aws_fake_clean_env(void)
{
	size_t i;
	for (i = 0; aws_env_vars[i]; i++)
		unsetenv(aws_env_vars[i]);
	if (!home[0]) {
		snprintf(home, sizeof home, "/tmp/aws_unit_home.XXXXXX");
		if (mkdtemp(home))
			atexit(remove_home);
		else
			snprintf(home, sizeof home, "/nonexistent-aws-test-home");
	}
	setenv("HOME", home, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	return home;
}

int aws_fake_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}
