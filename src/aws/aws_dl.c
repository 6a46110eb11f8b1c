/*
 * aws_dl.c - resolve a function table from a shared library loaded on first
 * use (see aws_dl.h for why and for the list of sonames).
 */
#include "aws/aws_dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* dlsym hands back a data pointer; POSIX guarantees it converts to a
 * function pointer of the same size, which is what the tables hold. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers are not data-pointer sized");

int aws_dl_open(const char *soname, const aws_dl_sym *syms, size_t n, void *table, char *err, size_t cap)
{
	void *lib;
	size_t i;

	err[0] = '\0';
	lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		snprintf(err, cap, "cannot load %s: %s", soname, why ? why : "unknown dlopen error");
		return BASE_EIO;
	}
	for (i = 0; i < n; i++) {
		void *fn = dlsym(lib, syms[i].name);
		if (!fn) {
			snprintf(err, cap, "%s has no %s (too old a version?)", soname, syms[i].name);
			dlclose(lib);
			return BASE_EIO;
		}
		memcpy((char *)table + syms[i].offset, &fn, sizeof fn);
	}
	return BASE_OK;
}
