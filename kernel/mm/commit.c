/*
 * commit.c - overcommit accounting: Committed_AS, CommitLimit and the
 * vm.overcommit_* tunables (mm/commit.h, docs/swap.md).
 */
#include "mm/commit.h"
#include "mm/frame.h"
#include "mm/swap.h"
#include "mm/region.h"
#include "sys/sysctl.h"
#include "lib/errno.h"

int vm_overcommit_memory = OVERCOMMIT_GUESS;
static int overcommit_ratio = 50;
static unsigned long overcommit_kbytes;
static int64_t committed;              /* (atomic) pages charged */

SYSCTL_INT("vm/overcommit_memory", 0644, &vm_overcommit_memory, 0, 2);

/* As Linux, setting one of overcommit_ratio and overcommit_kbytes
 * clears the other: the limit follows the one written last. */
static long store_ratio(const struct sysctl *s, const char *text, size_t len)
{
	long n = sysctl_store_int(s, text, len);
	if (n >= 0)
		__atomic_store_n(&overcommit_kbytes, 0, __ATOMIC_RELAXED);
	return n;
}

static long store_kbytes(const struct sysctl *s, const char *text, size_t len)
{
	long n = sysctl_store_ulong(s, text, len);
	if (n >= 0)
		__atomic_store_n(&overcommit_ratio, 0, __ATOMIC_RELAXED);
	return n;
}

SYSCTL_DECLARE("vm/overcommit_ratio", 0644, &overcommit_ratio, sizeof(int), 0, INT32_MAX,
	       sysctl_show_int, store_ratio);
SYSCTL_DECLARE("vm/overcommit_kbytes", 0644, &overcommit_kbytes, sizeof(long), 0, 0,
	       sysctl_show_ulong, store_kbytes);

static uint64_t swap_total_pages(void)
{
	uint64_t total, free;
	swap_totals(&total, &free);
	return total;
}

static uint64_t ram_pages(void)
{
	return frames_total();
}

/* Linux's vm_commit_limit. */
uint64_t vm_commit_limit(void)
{
	unsigned long kbytes = SYSCTL_READ(overcommit_kbytes);
	uint64_t base = kbytes ? kbytes / (PAGE_SIZE / 1024)
			       : ram_pages() * (uint64_t)SYSCTL_READ(overcommit_ratio) / 100;
	return base + swap_total_pages();
}

uint64_t vm_committed_pages(void)
{
	int64_t n = __atomic_load_n(&committed, __ATOMIC_RELAXED);
	return n > 0 ? (uint64_t)n : 0;
}

bool vm_commit_noreserve(void)
{
	return SYSCTL_READ(vm_overcommit_memory) != OVERCOMMIT_NEVER;
}

void vm_commit_uncharge(uint64_t pages)
{
	__atomic_sub_fetch(&committed, (int64_t)pages, __ATOMIC_RELAXED);
}

/* Linux's __vm_enough_memory, without its two small reserves
 * (admin_reserve_kbytes for non-root, user_reserve_kbytes). */
int vm_commit_charge(uint64_t pages)
{
	if (!pages)
		return 0;
	int64_t now = __atomic_add_fetch(&committed, (int64_t)pages, __ATOMIC_RELAXED);
	int mode = SYSCTL_READ(vm_overcommit_memory);
	if (mode == OVERCOMMIT_ALWAYS)
		return 0;
	if (mode == OVERCOMMIT_GUESS ? pages <= ram_pages() + swap_total_pages()
				     : now < (int64_t)vm_commit_limit())
		return 0;
	vm_commit_uncharge(pages);
	return -ENOMEM;
}

uint32_t vm_commit_flags(uint32_t prot, uint32_t rflags, bool norsv)
{
	if (rflags & (REGION_SHARED | REGION_SPECIAL))
		return 0;
	if (norsv && vm_commit_noreserve())
		return REGION_NORESERVE;
	return prot & REGION_WRITE ? REGION_ACCOUNT : 0;
}
