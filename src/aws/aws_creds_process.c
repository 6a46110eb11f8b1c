/*
 * aws_creds_process.c - credential_process: runs the profile's command
 * through /bin/sh in its own process group and reads its JSON from stdout.
 *
 * Bounded and cancellable: the output is read with poll() in 50 ms steps;
 * when the deadline (aws__chain.process_timeout_ms) passes or the owner is
 * cancelled (StopProvider) the whole process group is killed and reaped,
 * so a command that hangs never holds the provider for longer than that.
 */
#include "aws/aws_creds_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base_alloc.h"

#define MAX_PROCESS_OUTPUT (64u * 1024u)
#define POLL_STEP_MS 50

extern char **environ;

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Starts `sh -c cmd` with stdout on a pipe; *fd = the read end. */
static int spawn(const char *cmd, pid_t *pid, int *fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};
	int p[2], rc;
	if (pipe2(p, O_CLOEXEC) != 0)
		return errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	rc = posix_spawn(pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return rc;
	}
	*fd = p[0];
	return 0;
}

enum outcome { DONE, TOO_BIG, TIMED_OUT, CANCELLED };

/* Reads fd to EOF into b, watching the deadline and cancellation. */
static enum outcome read_all(const aws__chain *ch, int fd, uint64_t deadline, base_buf *b)
{
	char chunk[4096];
	for (;;) {
		struct pollfd pf = {fd, POLLIN, 0};
		ssize_t k;
		if (ch->hooks.is_cancelled && ch->hooks.is_cancelled(ch->hooks.ctx))
			return CANCELLED;
		if (mono_ms() >= deadline)
			return TIMED_OUT;
		if (poll(&pf, 1, POLL_STEP_MS) <= 0)
			continue;
		k = read(fd, chunk, sizeof chunk);
		if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN))
			return DONE;
		if (k > 0 && base_buf_append(b, chunk, (size_t)k) != BASE_OK)
			return TOO_BIG;
	}
}

/* Waits for pid until the deadline; kills the group first when kill_it. */
static int reap(pid_t pid, bool kill_it, const aws__chain *ch, uint64_t deadline, enum outcome *o)
{
	int st = 0;
	for (;;) {
		pid_t w;
		if (kill_it)
			kill(-pid, SIGKILL);
		w = waitpid(pid, &st, kill_it ? 0 : WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			return st;
		if (!kill_it && ch->hooks.is_cancelled && ch->hooks.is_cancelled(ch->hooks.ctx)) {
			*o = CANCELLED;
			kill_it = true;
		} else if (!kill_it && mono_ms() >= deadline) {
			*o = TIMED_OUT;
			kill_it = true;
		} else if (!kill_it) {
			struct timespec ts = {0, POLL_STEP_MS * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
}

static int outcome_error(const aws__node *n, enum outcome o, int st, unsigned timeout_ms, aws_error *err)
{
	switch (o) {
	case CANCELLED:
		aws_error_setf(err, 0, "RequestCanceled", "%s: cancelled; the command was stopped", n->desc);
		return BASE_ECANCELLED;
	case TIMED_OUT:
		aws_error_setf(err, 0, "CredentialProcessError",
		               "%s: the command did not finish within %u s and was stopped", n->desc,
		               (timeout_ms + 999) / 1000);
		return BASE_ETIMEOUT;
	case TOO_BIG:
		aws_error_setf(err, 0, "CredentialProcessError", "%s: output larger than %u bytes", n->desc,
		               MAX_PROCESS_OUTPUT);
		return BASE_EINVALID;
	case DONE:
		break;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		aws_error_setf(err, 0, "CredentialProcessError", "%s: command failed (exit status %d)",
		               n->desc, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return BASE_EINVALID;
	}
	return BASE_OK;
}

int aws__fetch_process(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err)
{
	uint64_t deadline = mono_ms() + ch->process_timeout_ms;
	enum outcome o;
	base_buf b;
	pid_t pid;
	int fd, st, rc;

	if (spawn(n->cmd, &pid, &fd) != 0) {
		aws_error_setf(err, 0, "CredentialProcessError", "%s: cannot start the command", n->desc);
		return BASE_EINVALID;
	}
	base_buf_init(&b, MAX_PROCESS_OUTPUT);
	o = read_all(ch, fd, deadline, &b);
	close(fd);
	st = reap(pid, o != DONE, ch, deadline, &o);
	rc = outcome_error(n, o, st, ch->process_timeout_ms, err);
	if (rc == BASE_OK)
		rc = aws__creds_from_json(base_buf_cstr(&b), b.len, n->desc, true, out, err);
	if (b.data)
		memset(b.data, 0, b.len);
	base_buf_dispose(&b);
	return rc;
}
