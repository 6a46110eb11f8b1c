/*
 * base_pages.h - give back the file pages only start-up read (prefix base_pages_).
 *
 * The kernel maps a page of a program's file into a process when the process
 * first touches it, together with up to 64 KiB around it ("fault-around"),
 * and leaves it mapped until exit. Start-up reads much that is never read
 * again: every dynamic relocation (the loader, ~0.8 MiB here), the
 * initialisation code and tables of gRPC and OpenSSL, the TLS key
 * generation. All of it counted in every provider process's RSS, and
 * Terraform runs up to ten at once (issue 13).
 */
#ifndef BASE_PAGES_H
#define BASE_PAGES_H

#include <stddef.h>

/* Unmaps from this process (madvise MADV_DONTNEED) the pages of every
 * segment of the program and its shared libraries that was never writable:
 * headers, symbols, relocations, read-only data, unwind tables, code. Such
 * a page is a clean copy of the file: the next touch maps it again from the
 * page cache, so this changes what is resident, never what is read.
 * Writable segments and the RELRO range (written by the loader, then made
 * read-only) hold private data and are left alone, and so is every object
 * with text relocations. Returns the bytes released (0 if none).
 *
 * THREAD SAFETY: safe with other threads running (they only fault the pages
 * back in). A debugger's breakpoints in released code are lost. */
size_t base_pages_release_startup(void);

#endif
