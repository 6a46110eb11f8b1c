/*
 * aws_creds_process_test.c - credential_process: output read, failure,
 * a command that hangs (bounded by the timeout, then killed), cancellation
 * while it runs, and that callers holding still-valid credentials are not
 * made to wait while another caller runs a slow refresh.
 */
#include "t.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../fake/aws_fake_env.h"
#include "aws/aws_creds.h"
#include "aws/aws_creds_int.h"

#define NOW 1800000000LL /* 2027-01-15T08:00:00Z */
#define OUT_JSON                                                                                             \
	"{\"Version\":1,\"AccessKeyId\":\"AKIDPROC\",\"SecretAccessKey\":\"proc-secret\",\"SessionToken\":"  \
	"\"proc-token\",\"Expiration\":\"2027-01-15T09:00:00Z\"}"

static atomic_llong now_v;
static atomic_bool cancel_v;

static int64_t t_now(void *ctx)
{
	(void)ctx;
	return atomic_load(&now_v);
}

static bool t_cancelled(void *ctx)
{
	(void)ctx;
	return atomic_load(&cancel_v);
}

/* A provider for profile "p" whose credential_process is cmd (NULL on failure). */
static aws_creds_provider *provider(const char *cmd, unsigned timeout_ms)
{
	const char *home = aws_fake_clean_env();
	char path[512], text[2048];
	aws_creds_provider *p = NULL;
	aws_creds_config cfg;
	aws_creds_hooks h;
	aws_error err;
	snprintf(path, sizeof path, "%s/proc_config", home);
	snprintf(text, sizeof text, "[profile p]\ncredential_process = %s\n", cmd);
	if (aws_fake_write_file(path, text) != 0)
		return NULL;
	setenv("AWS_CONFIG_FILE", path, 1);
	memset(&cfg, 0, sizeof cfg);
	cfg.profile = "p";
	cfg.process_timeout_ms = timeout_ms;
	memset(&h, 0, sizeof h);
	h.now = t_now;
	h.is_cancelled = t_cancelled;
	atomic_store(&now_v, NOW);
	atomic_store(&cancel_v, false);
	if (aws_creds_provider_new(&p, &cfg, &h, &err) != BASE_OK)
		return NULL;
	return p;
}

void test_aws_creds_process__output_and_failure(void)
{
	aws_creds_provider *p = provider("printf '%s' '" OUT_JSON "'", 0);
	T_ASSERT(p);
	aws_creds cr;
	aws_error err;
	aws_creds_init(&cr);
	T_OK(aws_creds_provider_get(p, &cr, &err));
	T_ASSERT_STR(cr.access_key, "AKIDPROC");
	T_ASSERT_STR(cr.token, "proc-token");
	T_ASSERT_INT(cr.expiration, NOW + 3600);
	aws_creds_dispose(&cr);
	aws_creds_provider_free(p);

	p = provider("exit 3", 0);
	T_ASSERT_INT(aws_creds_provider_get(p, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.code, "CredentialProcessError");
	T_ASSERT_STR(err.message, "profile \"p\" (credential_process): command failed (exit status 3)");
	aws_creds_provider_free(p);

	p = provider("echo '{\"Version\":2}'", 0);
	T_ASSERT_INT(aws_creds_provider_get(p, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, "profile \"p\" (credential_process): output must have \"Version\": 1");
	aws_creds_provider_free(p);
	aws_fake_clean_env();
}

void test_aws_creds_process__hang_is_bounded(void)
{
	/* the child of sh keeps the pipe open too: the whole group is killed */
	aws_creds_provider *p = provider("sleep 30 & sleep 30", 300);
	T_ASSERT(p);
	aws_creds cr;
	aws_error err;
	aws_creds_init(&cr);
	T_ASSERT_INT(aws_creds_provider_get(p, &cr, &err), BASE_ETIMEOUT);
	T_ASSERT_STR(err.code, "CredentialProcessError");
	T_ASSERT_STR(err.message,
	             "profile \"p\" (credential_process): the command did not finish within 1 s and was stopped");
	aws_creds_provider_free(p);
	aws_fake_clean_env();
}

static void *cancel_later(void *arg)
{
	(void)arg;
	usleep(200 * 1000);
	atomic_store(&cancel_v, true);
	return NULL;
}

void test_aws_creds_process__cancel_stops_it(void)
{
	aws_creds_provider *p = provider("sleep 30", 0); /* default bound: 60 s */
	aws_creds cr;
	aws_error err;
	pthread_t th;
	aws_creds_init(&cr);
	T_ASSERT_INT(pthread_create(&th, NULL, cancel_later, NULL), 0);
	T_ASSERT_INT(aws_creds_provider_get(p, &cr, &err), BASE_ECANCELLED);
	T_ASSERT_STR(err.message, "profile \"p\" (credential_process): cancelled; the command was stopped");
	pthread_join(th, NULL);
	aws_creds_provider_free(p);
	aws_fake_clean_env();
}

struct slow {
	aws_creds_provider *p;
	atomic_bool done;
	int rc;
	char key[32];
};

static void *slow_refresh(void *arg)
{
	struct slow *s = arg;
	aws_creds cr;
	aws_error err;
	aws_creds_init(&cr);
	s->rc = aws_creds_provider_get(s->p, &cr, &err);
	snprintf(s->key, sizeof s->key, "%s", cr.access_key ? cr.access_key : "");
	aws_creds_dispose(&cr);
	atomic_store(&s->done, true);
	return NULL;
}

void test_aws_creds_process__valid_callers_do_not_wait(void)
{
	const char *home = aws_fake_clean_env();
	char cmd[1536], mark[256], busy[256];
	struct slow s;
	aws_creds cr;
	aws_error err;
	pthread_t th;
	snprintf(mark, sizeof mark, "%s/proc_mark", home);
	snprintf(busy, sizeof busy, "%s/proc_busy", home);
	unlink(mark);
	unlink(busy);
	/* first run answers at once; later runs announce themselves, then take 3 s */
	snprintf(cmd, sizeof cmd, "if [ -f %s ]; then touch %s; sleep 3; fi; touch %s; printf '%%s' '%s'", mark,
	         busy, mark, OUT_JSON);
	memset(&s, 0, sizeof s);
	s.p = provider(cmd, 0);
	aws_creds_init(&cr);
	T_OK(aws_creds_provider_get(s.p, &cr, &err));
	/* 200 s before expiry: due for refresh, still valid */
	atomic_store(&now_v, NOW + 3400);
	T_ASSERT_INT(pthread_create(&th, NULL, slow_refresh, &s), 0);
	while (access(busy, F_OK) != 0)
		usleep(10 * 1000);
	/* the refresh is running: this caller gets the valid credentials without waiting for it */
	T_OK(aws_creds_provider_get(s.p, &cr, &err));
	T_ASSERT_STR(cr.access_key, "AKIDPROC");
	T_ASSERT(!atomic_load(&s.done));
	pthread_join(th, NULL);
	T_OK(s.rc);
	T_ASSERT_STR(s.key, "AKIDPROC");
	aws_creds_dispose(&cr);
	aws_creds_provider_free(s.p);
	aws_fake_clean_env();
}
