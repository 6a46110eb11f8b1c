#include "t.h"
#include "base/base_pages.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Read-only data of this test binary in three 2 MiB blocks, aligned so that
 * the middle one shares no 64 KiB window and no page-cache folio with
 * anything else: the kernel maps up to 64 KiB around a touched page
 * ("fault-around"), and newer kernels (6.x) map a whole large folio (up
 * to 2 MiB, aligned in the file as in memory) on one fault. With 64 KiB
 * blocks, a touch of other read-only data in the same 256 KiB folio mapped
 * the middle block again (seen on 6.18). So only a touch of the middle
 * block itself maps it again. Each block starts with its number. */
#define PAGE 4096
#define BLOCK (2 * 1024 * 1024)
static const unsigned char blob[3 * BLOCK]
        __attribute__((aligned(BLOCK))) = {[0] = 1, [BLOCK] = 2, [2 * BLOCK] = 3, [2 * BLOCK + 7] = 0x5a};
/* Pointers the loader relocated (RELRO in a PIE) and a writable global. */
static const char *const names[] = {"alpha", "beta", "gamma"};
static int counter = 41;

static int twice(int x)
{
	return 2 * x;
}
static int (*const volatile op)(int) = twice;

/* 1 if the page holding p is mapped into this process (pagemap bit 63),
 * 0 if not, -1 if pagemap cannot be read. */
static int resident(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = pread(fd, &e, sizeof e, (off_t)((uintptr_t)p / PAGE * sizeof e));
	close(fd);
	return n == (ssize_t)sizeof e ? (int)(e >> 63) : -1;
}

void test_base_pages__release_keeps_contents(void)
{
	const volatile unsigned char *b = blob;
	T_ASSERT(b[0] == 1 && b[BLOCK] == 2 && b[2 * BLOCK] == 3);
	counter++;
	size_t released = base_pages_release_startup();
	T_ASSERT(released > 0);
	T_ASSERT(released % PAGE == 0);
	/* The untouched page went; reading it maps the file's bytes again. */
	T_ASSERT(0 == resident(blob + BLOCK));
	T_ASSERT(b[BLOCK] == 2);
	T_ASSERT(1 == resident(blob + BLOCK));
	T_ASSERT(b[0] == 1 && b[2 * BLOCK] == 3 && b[2 * BLOCK + 7] == 0x5a);
	/* Relocated pointers, a written global and code are as they were. */
	T_ASSERT_STR(names[0], "alpha");
	T_ASSERT_STR(names[2], "gamma");
	T_ASSERT(counter == 42);
	T_ASSERT(op(21) == 42);
	T_ASSERT(strlen(names[1]) == 4);
}

void test_base_pages__written_copy_is_kept(void)
{
	/* A page made writable and written (as a debugger writes a breakpoint)
	 * is a private copy: releasing it would bring back the file's byte. */
	unsigned char *page = (unsigned char *)blob + 2 * BLOCK;
	T_ASSERT(mprotect(page, PAGE, PROT_READ | PROT_WRITE) == 0);
	page[7] = 0xa5;
	T_ASSERT(mprotect(page, PAGE, PROT_READ) == 0);
	(void)base_pages_release_startup();
	T_ASSERT(((volatile unsigned char *)page)[7] == 0xa5);
	T_ASSERT(1 == resident(page));
	/* Its untouched neighbour is still released. */
	T_ASSERT(0 == resident(blob + BLOCK));
	T_ASSERT(((volatile const unsigned char *)blob)[BLOCK] == 2);
}
