/* aws_moto.c - see aws_moto.h. Test support only. */
#include "aws_moto.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws_http.h"

static pid_t moto_pid = -1;
static char moto_url[64];
static int moto_state; /* 0 untried, 1 up, -1 unavailable */

static void moto_kill(void)
{
	if (moto_pid > 0) {
		kill(moto_pid, SIGTERM);
		waitpid(moto_pid, NULL, 0);
		moto_pid = -1;
	}
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t l = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;
	if (s < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &l) == 0)
		port = ntohs(a.sin_port);
	close(s);
	return port;
}

static int plain(const char *method, const char *path)
{
	aws_http_pool *h = NULL;
	aws_http_request r;
	aws_http_response resp;
	char url[128];
	int status = -1;
	if (aws_http_pool_new(&h) != BASE_OK)
		return -1;
	snprintf(url, sizeof url, "%s%s", moto_url, path);
	memset(&r, 0, sizeof r);
	r.method = method;
	r.url = url;
	r.connect_timeout_ms = 500;
	r.timeout_ms = 5000;
	if (strcmp(method, "POST") == 0) {
		r.body = "";
		r.body_len = 0;
	}
	aws_http_response_init(&resp);
	if (aws_http_transport.send(h, &r, &resp) == BASE_OK)
		status = resp.status;
	aws_http_response_dispose(&resp);
	aws_http_pool_free(h);
	return status;
}

const char *aws_moto_url(void)
{
	const char *env = getenv("LAMBDAVPC_MOTO_URL");
	int port, i;
	char ports[16];
	if (moto_state == 1)
		return moto_url;
	if (moto_state == -1)
		return NULL;
	if (env && *env) {
		snprintf(moto_url, sizeof moto_url, "%s", env);
		moto_state = 1;
		return moto_url;
	}
	moto_state = -1;
	if (system("command -v moto_server >/dev/null 2>&1") != 0)
		return NULL;
	port = free_port();
	if (port < 0)
		return NULL;
	snprintf(ports, sizeof ports, "%d", port);
	snprintf(moto_url, sizeof moto_url, "http://127.0.0.1:%d", port);
	fflush(NULL);
	moto_pid = fork();
	if (moto_pid == 0) {
		int devnull;
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a crashed test */
		devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true", 1);
		execlp("moto_server", "moto_server", "-H", "127.0.0.1", "-p", ports, (char *)NULL);
		_exit(127);
	}
	if (moto_pid < 0)
		return NULL;
	atexit(moto_kill);
	for (i = 0; i < 300; i++) { /* up to 30 s */
		struct timespec ts = { 0, 100000000L };
		if (plain("GET", "/moto-api/") == 200) {
			moto_state = 1;
			return moto_url;
		}
		if (waitpid(moto_pid, NULL, WNOHANG) == moto_pid) {
			moto_pid = -1;
			return NULL;
		}
		nanosleep(&ts, NULL);
	}
	moto_kill();
	return NULL;
}

void aws_moto_reset(void)
{
	if (moto_state == 1)
		(void)plain("POST", "/moto-api/reset");
}
