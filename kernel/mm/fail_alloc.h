/*
 * fail_alloc.h - fault injection for frame and kmalloc allocations, as
 * Linux's fail_page_alloc and failslab: `fail_alloc=` on the kernel
 * command line or /proc/sys/debug/fail_alloc (docs/testing.md).
 *
 * An allocation is eligible when a user process makes it that is not in
 * init's session (init and the helpers it forks without a session of
 * their own are spared: they run the tests), and (with paths=) when the
 * task is in one of the chosen paths.
 * Code marks its path on the task around the work:
 *
 *   unsigned old = alloc_path_enter(ALLOC_PATH_FORK);
 *   ... allocations that fork makes ...
 *   alloc_path_leave(old);
 *
 * Then every Nth eligible allocation fails (every=N), or each with a
 * probability (prob=P in thousandths, from a seeded generator).
 */
#ifndef ASPEN_MM_FAIL_ALLOC_H
#define ASPEN_MM_FAIL_ALLOC_H
#include "lib/kernel.h"
#include "proc/task.h"

#define ALLOC_PATH_FORK  0x01   /* fork's copy of the address space and the rest */
#define ALLOC_PATH_CLONE 0x02   /* clone of a thread or vfork child (no new mm) */
#define ALLOC_PATH_EXEC  0x04   /* execve: the new image */
#define ALLOC_PATH_MMAP  0x08   /* mmap, munmap, mprotect, mremap, brk: region changes */
#define ALLOC_PATH_COW   0x10   /* copy-on-write faults */
#define ALLOC_PATH_FAULT 0x20   /* the other page faults */
#define ALLOC_PATH_PT    0x40   /* page-table pages, on any path */
#define ALLOC_PATH_ALL   0x7f

/* alloc_path_enter - the caller's allocations now count as path too;
 * returns the previous paths for alloc_path_leave. */
static inline unsigned alloc_path_enter(unsigned path)
{
	struct task *t = current;
	if (!t)
		return 0;
	unsigned old = t->alloc_path;
	t->alloc_path = old | path;
	return old;
}

static inline void alloc_path_leave(unsigned old)
{
	struct task *t = current;
	if (t)
		t->alloc_path = old;
}

/* fail_alloc_init - read fail_alloc= from the command line. Boot. */
void fail_alloc_init(void);
/* fail_alloc_report - one line of what was injected (at power-off). */
void fail_alloc_report(void);
#endif
