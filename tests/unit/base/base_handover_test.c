#include "t.h"
#include "base/base_alloc.h"
#include "base/base_handover.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NAME "0123456789abcdef"

/* A fresh private root under TMPDIR (or /tmp); removed by rm_root. */
static char *new_root(void)
{
	const char *tmp = getenv("TMPDIR");
	char *root = base_xasprintf("%s/handover-test-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (!mkdtemp(root))
		t__fail(__FILE__, __LINE__, "mkdtemp failed");
	return root;
}

static void rm_root(char *root)
{
	char *cmd = base_xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		t__fail(__FILE__, __LINE__, "%s failed", cmd);
	base_free(cmd);
	base_free(root);
}

/* The path of the mark NAME of this process's command under root/app. */
static char *mark_path(const char *root, const char *app)
{
	char stat_path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;
	int field;
	snprintf(stat_path, sizeof stat_path, "/proc/%d/stat", (int)getpid());
	f = fopen(stat_path, "r");
	if (!f || !fgets(buf, sizeof buf, f))
		t__fail(__FILE__, __LINE__, "cannot read %s", stat_path);
	if (f)
		fclose(f);
	p = strrchr(buf, ')') + 1;
	for (field = 3; field < 22; field++)
		p = strchr(p + 1, ' ');
	start = strtoull(p + 1, NULL, 10);
	return base_xasprintf("%s/%s/%d-%llu/%s", root, app, (int)getpid(), start, NAME);
}

void test_base_handover__a_mark_is_seen_by_the_same_command_only(void)
{
	char *root = new_root();
	base_handover *h = base_handover_open_at(root, "app", (int)getpid());
	base_handover *other = base_handover_open_at(root, "app", (int)getppid());
	T_ASSERT(h != NULL && other != NULL);
	T_ASSERT(!base_handover_has(h, NAME, 60)); /* nothing yet, no directory */
	base_handover_mark(h, NAME);
	T_ASSERT(base_handover_has(h, NAME, 60));
	T_ASSERT(!base_handover_has(h, "0123456789abcdee", 60));
	T_ASSERT(!base_handover_has(other, NAME, 60)); /* another parent: another command */
	base_handover_close(other);
	base_handover_close(h);
	/* a later process of the same command (a new handle) sees it */
	h = base_handover_open_at(root, "app", (int)getpid());
	T_ASSERT(base_handover_has(h, NAME, 60));
	base_handover_close(h);
	rm_root(root);
}

void test_base_handover__an_old_mark_does_not_count_and_a_new_one_renews_it(void)
{
	char *root = new_root(), *path = mark_path(root, "app");
	base_handover *h = base_handover_open_at(root, "app", (int)getpid());
	struct timespec old[2] = {{time(NULL) - 600, 0}, {time(NULL) - 600, 0}};
	base_handover_mark(h, NAME);
	T_ASSERT_INT(utimensat(AT_FDCWD, path, old, 0), 0);
	T_ASSERT(!base_handover_has(h, NAME, 120));
	T_ASSERT(base_handover_has(h, NAME, 900));
	base_handover_mark(h, NAME);
	T_ASSERT(base_handover_has(h, NAME, 120));
	base_handover_close(h);
	base_free(path);
	rm_root(root);
}

void test_base_handover__names_are_hex_only(void)
{
	char *root = new_root();
	base_handover *h = base_handover_open_at(root, "app", (int)getpid());
	base_handover_mark(h, "../escape");
	base_handover_mark(h, "ABC");
	base_handover_mark(h, "");
	T_ASSERT(!base_handover_has(h, "../escape", 60));
	T_ASSERT(!base_handover_has(h, "ABC", 60));
	T_ASSERT(!base_handover_has(NULL, NAME, 60));
	base_handover_mark(NULL, NAME); /* no-op */
	T_ASSERT(base_handover_open_at(root, "a/b", (int)getpid()) == NULL);
	T_ASSERT(base_handover_open_at("relative", "app", (int)getpid()) == NULL);
	T_ASSERT(base_handover_open_at(root, "app", 0) == NULL);
	base_handover_close(h);
	rm_root(root);
}

void test_base_handover__an_open_or_linked_directory_turns_marks_off(void)
{
	char *root = new_root(), *app = base_xasprintf("%s/app", root),
	     *target = base_xasprintf("%s/t", root);
	char *path = mark_path(root, "app");
	base_handover *h;
	/* group- and world-writable: someone else could have planted marks */
	T_ASSERT_INT(mkdir(app, 0777), 0);
	T_ASSERT_INT(chmod(app, 0777), 0);
	h = base_handover_open_at(root, "app", (int)getpid());
	base_handover_mark(h, NAME);
	T_ASSERT(access(path, F_OK) != 0);
	T_ASSERT(!base_handover_has(h, NAME, 60));
	base_handover_close(h);
	T_ASSERT_INT(rmdir(app), 0);
	/* a symbolic link in its place is not followed */
	T_ASSERT_INT(mkdir(target, 0700), 0);
	T_ASSERT_INT(symlink(target, app), 0);
	h = base_handover_open_at(root, "app", (int)getpid());
	base_handover_mark(h, NAME);
	T_ASSERT(!base_handover_has(h, NAME, 60));
	base_handover_close(h);
	base_free(app);
	base_free(target);
	base_free(path);
	rm_root(root);
}

void test_base_handover__a_mark_others_can_write_is_not_trusted(void)
{
	char *root = new_root(), *path = mark_path(root, "app");
	base_handover *h = base_handover_open_at(root, "app", (int)getpid());
	base_handover_mark(h, NAME);
	T_ASSERT_INT(chmod(path, 0666), 0);
	T_ASSERT(!base_handover_has(h, NAME, 60));
	base_handover_close(h);
	base_free(path);
	rm_root(root);
}

void test_base_handover__ended_commands_are_swept_by_the_first_mark(void)
{
	char *root = new_root(), *app = base_xasprintf("%s/app", root);
	char *dead = base_xasprintf("%s/app/%d-1", root, (int)getpid()); /* our pid, a wrong start */
	char *dead_mark = base_xasprintf("%s/%s", dead, NAME);
	base_handover *h;
	int fd;
	T_ASSERT_INT(mkdir(app, 0700), 0);
	T_ASSERT_INT(mkdir(dead, 0700), 0);
	fd = open(dead_mark, O_WRONLY | O_CREAT, 0600);
	T_ASSERT(fd >= 0);
	close(fd);
	/* the parent's directory is kept */
	h = base_handover_open_at(root, "app", (int)getppid());
	base_handover_mark(h, NAME);
	base_handover_close(h);
	h = base_handover_open_at(root, "app", (int)getpid());
	base_handover_mark(h, NAME);
	T_ASSERT(access(dead, F_OK) != 0);
	T_ASSERT(base_handover_has(h, NAME, 60));
	base_handover_close(h);
	h = base_handover_open_at(root, "app", (int)getppid());
	T_ASSERT(base_handover_has(h, NAME, 60));
	base_handover_close(h);
	base_free(app);
	base_free(dead);
	base_free(dead_mark);
	rm_root(root);
}
