/*
 * base_handover.h - marks one process leaves for the later processes
 * started by the same parent process.
 *
 * Terraform starts a provider 4-5 times per command (validate, plan walk,
 * apply walk, ...), and the apply walk plans every resource again in a
 * new process that gets nothing from the plan walk's. A mark lets a check
 * that passed in one of them be known to the later ones of the same
 * command, and only to them: marks live in a directory named after the
 * parent's process id and start time, so another command (even with a
 * reused process id) never sees them.
 *
 * A mark is a name (lower-case hex, at most 64 characters) and a time (the
 * file's mtime); nothing else is stored. Where:
 *   $XDG_RUNTIME_DIR/<app>/<ppid>-<start>/<name>   when XDG_RUNTIME_DIR is set,
 *   ${TMPDIR:-/tmp}/<app>-<euid>/<ppid>-<start>/<name>  otherwise.
 * Directories are created 0700 and used only when they are real
 * directories (never symbolic links) owned by this user and closed to
 * group and others; mark files are read only when they are regular files
 * of this user that no one else can write. Anything else turns marks off
 * (every base_handover_has answers false): a mark can save work, never
 * change a result. The directories of commands that have ended are removed
 * by the first mark of a later process.
 *
 * Thread safety: after open only a base_handover's once-flags change
 * (atomics); every function may be called from any thread. Errors: none reported; marks just stay
 * off (logged at DEBUG).
 */
#ifndef BASE_HANDOVER_H
#define BASE_HANDOVER_H

#include <stdbool.h>

typedef struct base_handover base_handover;

/*
 * The marks of this process's parent command for app (a file name
 * component), or NULL when they are off: disable_env is set to a non-empty
 * value other than "0", /proc cannot tell the parent's start time, or no
 * usable directory root exists. Nothing is created until the first mark.
 */
base_handover *base_handover_open(const char *app, const char *disable_env);

/* The same under root instead of the directory above (tests); parent is the
 * process whose command the marks belong to. */
base_handover *base_handover_open_at(const char *root, const char *app, int parent);

void base_handover_close(base_handover *h);

/* True when name was marked (by any process of the command) at most
 * max_age_s seconds ago. False for h == NULL or an invalid name. */
bool base_handover_has(base_handover *h, const char *name, unsigned max_age_s);

/* Marks name now (again: the time is renewed). Does nothing for h == NULL
 * or an invalid name, or when the directories are not safe to use. */
void base_handover_mark(base_handover *h, const char *name);

#endif
