/*
 * base_handover.c - see base_handover.h.
 *
 * Every path is checked before it is trusted: a directory must be a real
 * directory of ours that group and others cannot enter (lstat: a symbolic
 * link planted in /tmp is refused, not followed), a mark a regular file of
 * ours no one else can write (O_NOFOLLOW + fstat). Under a world-writable
 * /tmp with the sticky bit, no other user can then rename, replace or add
 * anything below our directory.
 */
#include "base/base_handover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base_alloc.h"
#include "base/base_log.h"

#define NAME_MAX_LEN 64
/* a mark up to this far in the future (clock steps) still counts */
#define FUTURE_SLACK_S 2

struct base_handover {
	char *app_dir;       /* <root>/<app dir name> */
	char *cmd_dir;       /* app_dir/<cmd_name> */
	char *cmd_name;      /* "<parent pid>-<parent start time>" */
	atomic_int verified; /* 0 not yet, 1 directories safe, -1 unsafe */
	atomic_bool swept;   /* the ended commands' directories removed once */
};

/* The start time (clock ticks after boot, /proc/PID/stat field 22) of pid,
 * or 0 when it cannot be read. Fields after the command name (which may
 * hold spaces and parentheses) are counted from its last ')'. */
static unsigned long long start_time_of(int pid)
{
	char path[64], buf[1024], *p, *end;
	unsigned long long v = 0;
	ssize_t n;
	int fd, field;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (field = 3; field <= 22; field++) { /* field 3 (state) follows ") " */
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		if (field == 22) {
			errno = 0;
			v = strtoull(p, &end, 10);
			return errno || end == p ? 0 : v;
		}
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

static bool valid_name(const char *name)
{
	size_t n = 0;
	if (!name)
		return false;
	for (; name[n]; n++)
		if (n >= NAME_MAX_LEN ||
		    !((name[n] >= '0' && name[n] <= '9') || (name[n] >= 'a' && name[n] <= 'f')))
			return false;
	return n > 0;
}

/* A real directory of ours, closed to group and others. */
static bool safe_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	       (st.st_mode & 077) == 0;
}

/* A regular file of ours that no one else can write. */
static bool safe_file(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	       (st.st_mode & 022) == 0;
}

base_handover *base_handover_open_at(const char *root, const char *app, int parent)
{
	base_handover *h;
	unsigned long long start;
	if (!root || root[0] != '/' || !app || !*app || strchr(app, '/') || parent <= 0)
		return NULL;
	start = start_time_of(parent);
	if (start == 0) {
		BASE_DEBUG("base", "handover off: no start time for process %d", parent);
		return NULL;
	}
	h = base_xcalloc(1, sizeof *h);
	h->app_dir = base_xasprintf("%s/%s", root, app);
	h->cmd_name = base_xasprintf("%d-%llu", parent, start);
	h->cmd_dir = base_xasprintf("%s/%s", h->app_dir, h->cmd_name);
	atomic_init(&h->verified, 0);
	atomic_init(&h->swept, false);
	return h;
}

base_handover *base_handover_open(const char *app, const char *disable_env)
{
	const char *off = disable_env ? getenv(disable_env) : NULL;
	const char *xdg = getenv("XDG_RUNTIME_DIR"), *tmp = getenv("TMPDIR");
	base_handover *h;
	char *dir;
	if (off && *off && strcmp(off, "0") != 0) {
		BASE_DEBUG("base", "handover off: %s is set", disable_env);
		return NULL;
	}
	if (xdg && xdg[0] == '/' && safe_dir(xdg))
		return base_handover_open_at(xdg, app, (int)getppid());
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	/* a shared /tmp: the user's id in the name keeps users apart */
	dir = base_xasprintf("%s-%u", app, (unsigned)geteuid());
	h = base_handover_open_at(tmp, dir, (int)getppid());
	base_free(dir);
	return h;
}

void base_handover_close(base_handover *h)
{
	if (!h)
		return;
	base_free(h->app_dir);
	base_free(h->cmd_dir);
	base_free(h->cmd_name);
	base_free(h);
}

/* True when the directories exist and are safe; with create, makes them
 * first. Once found unsafe, never used again by this process. */
static bool dirs_ready(base_handover *h, bool create)
{
	int v = atomic_load(&h->verified);
	if (v != 0)
		return v > 0;
	if (create) {
		if (mkdir(h->app_dir, 0700) != 0 && errno != EEXIST)
			return false;
		if (!safe_dir(h->app_dir)) {
			BASE_DEBUG("base", "handover off: %s is not a private directory of this user",
			           h->app_dir);
			atomic_store(&h->verified, -1);
			return false;
		}
		if (mkdir(h->cmd_dir, 0700) != 0 && errno != EEXIST)
			return false;
	} else if (access(h->cmd_dir, F_OK) != 0) {
		return false; /* nothing marked yet: not a verdict */
	}
	if (!safe_dir(h->app_dir) || !safe_dir(h->cmd_dir)) {
		BASE_DEBUG("base", "handover off: %s is not a private directory of this user", h->cmd_dir);
		atomic_store(&h->verified, -1);
		return false;
	}
	atomic_store(&h->verified, 1);
	return true;
}

/* "<pid>-<start>" -> pid and start; false for any other name. */
static bool parse_cmd_name(const char *s, int *pid, unsigned long long *start)
{
	char *end;
	long p;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	p = strtol(s, &end, 10);
	if (errno || *end != '-' || p <= 0 || p > 0x7fffffff || end[1] < '0' || end[1] > '9')
		return false;
	*start = strtoull(end + 1, &end, 10);
	if (errno || *end)
		return false;
	*pid = (int)p;
	return true;
}

/* Removes app_dir/name and the files in it. */
static void remove_cmd_dir(int app_fd, const char *name)
{
	int fd = openat(app_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *e;
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			(void)unlinkat(fd, e->d_name, 0);
	closedir(d);
	(void)unlinkat(app_fd, name, AT_REMOVEDIR);
}

/* The directories of commands whose process has ended (or whose id now
 * belongs to a process started later) go. */
static void sweep(base_handover *h)
{
	int app_fd, list_fd;
	DIR *d = NULL;
	struct dirent *e;
	if (atomic_exchange(&h->swept, true))
		return;
	app_fd = open(h->app_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (app_fd < 0)
		return;
	list_fd = dup(app_fd); /* closedir closes it */
	if (list_fd >= 0 && !(d = fdopendir(list_fd)))
		close(list_fd);
	while (d && (e = readdir(d)) != NULL) {
		int pid;
		unsigned long long start;
		if (strcmp(e->d_name, h->cmd_name) == 0 || !parse_cmd_name(e->d_name, &pid, &start))
			continue;
		if (start_time_of(pid) != start)
			remove_cmd_dir(app_fd, e->d_name);
	}
	if (d)
		closedir(d);
	close(app_fd);
}

bool base_handover_has(base_handover *h, const char *name, unsigned max_age_s)
{
	char *path;
	struct stat st;
	time_t now = time(NULL);
	bool ok;
	int fd;
	if (!h || !valid_name(name) || !dirs_ready(h, false))
		return false;
	path = base_xasprintf("%s/%s", h->cmd_dir, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	base_free(path);
	if (fd < 0)
		return false;
	ok = safe_file(fd) && fstat(fd, &st) == 0 && st.st_mtime <= now + FUTURE_SLACK_S &&
	     now - st.st_mtime <= (time_t)max_age_s;
	close(fd);
	return ok;
}

void base_handover_mark(base_handover *h, const char *name)
{
	char *path;
	int fd;
	if (!h || !valid_name(name) || !dirs_ready(h, true))
		return;
	sweep(h);
	path = base_xasprintf("%s/%s", h->cmd_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	base_free(path);
	if (fd < 0)
		return;
	if (safe_file(fd))
		(void)futimens(fd, NULL); /* renew the time of an older mark */
	close(fd);
}
