/*
 * base_pages.c - see base_pages.h.
 *
 * The program headers say which ranges are safe: a PT_LOAD without PF_W was
 * mapped read-only from the file and never written (we refuse objects with
 * text relocations, the one way the loader writes such a segment), except
 * the PT_GNU_RELRO range, which some layouts place in a read-only segment
 * and which the loader wrote before making it read-only. Ranges are rounded
 * inwards to whole pages, so a page shared with a writable neighbour is
 * never touched. And a page is released only if /proc/self/pagemap says it
 * is absent or still the file's page: a page that something made writable
 * and wrote (a debugger's breakpoint, a hot patch) is a private copy by now,
 * and dropping it would lose the write. Without pagemap nothing is released.
 */
#include "base/base_pages.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct release_ctx {
	uintptr_t page;
	int pagemap; /* /proc/self/pagemap */
	size_t released;
} release_ctx;

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PRESENT (1ULL << 63)
#define PM_FILE (1ULL << 61)
#define PM_BATCH 512 /* entries read at once */

static void release_pages(release_ctx *c, uintptr_t lo, uintptr_t hi)
{
	if (hi > lo && madvise((void *)lo, hi - lo, MADV_DONTNEED) == 0)
		c->released += hi - lo;
}

/* Releases the page-aligned [lo, hi) but its private copies, in runs. */
static void release_file_pages(release_ctx *c, uintptr_t lo, uintptr_t hi)
{
	uint64_t pm[PM_BATCH];
	uintptr_t run = lo;
	for (uintptr_t at = lo; at < hi;) {
		size_t n = (hi - at) / c->page;
		if (n > PM_BATCH)
			n = PM_BATCH;
		off_t where = (off_t)(at / c->page * sizeof(uint64_t));
		if (pread(c->pagemap, pm, n * sizeof(uint64_t), where) != (ssize_t)(n * sizeof(uint64_t))) {
			release_pages(c, run, at);
			return; /* the rest stays resident */
		}
		for (size_t i = 0; i < n; i++, at += c->page) {
			if ((pm[i] & PM_PRESENT) && !(pm[i] & PM_FILE)) {
				release_pages(c, run, at);
				run = at + c->page;
			}
		}
	}
	release_pages(c, run, hi);
}

static int has_text_relocations(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_DYNAMIC)
			continue;
		const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr);
		for (; d->d_tag != DT_NULL; d++)
			if (d->d_tag == DT_TEXTREL || (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL)))
				return 1;
	}
	return 0;
}

/* Releases [lo, hi) minus [relro_lo, relro_hi), both rounded inwards. */
static void release_range(release_ctx *c, uintptr_t lo, uintptr_t hi, uintptr_t relro_lo, uintptr_t relro_hi)
{
	if (relro_hi > relro_lo && relro_lo < hi && relro_hi > lo) {
		release_range(c, lo, relro_lo, 0, 0);
		release_range(c, relro_hi, hi, 0, 0);
		return;
	}
	lo = (lo + c->page - 1) & ~(c->page - 1);
	hi &= ~(c->page - 1);
	if (hi > lo)
		release_file_pages(c, lo, hi);
}

static int release_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	release_ctx *c = data;
	/* The main program has an empty name; the vDSO's is not a path. */
	if (info->dlpi_name[0] != '\0' && info->dlpi_name[0] != '/')
		return 0;
	if (has_text_relocations(info))
		return 0;
	uintptr_t relro_lo = 0, relro_hi = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_GNU_RELRO) {
			relro_lo = info->dlpi_addr + ph->p_vaddr;
			relro_hi = relro_lo + ph->p_memsz;
		}
	}
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || ph->p_filesz != ph->p_memsz)
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		release_range(c, lo, lo + ph->p_filesz, relro_lo, relro_hi);
	}
	return 0;
}

size_t base_pages_release_startup(void)
{
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		return 0;
	release_ctx c = {(uintptr_t)page, open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), 0};
	if (c.pagemap < 0)
		return 0;
	dl_iterate_phdr(release_object, &c);
	close(c.pagemap);
	return c.released;
}
