/*
 * aspen.h - Aspen's own ABI beyond Linux's, shared by the kernel and by
 * Aspen's userland. Linux binaries never use it; on Linux these calls
 * return -ENOSYS, which is how a test knows it runs natively.
 */
#ifndef ASPEN_UAPI_ASPEN_H
#define ASPEN_UAPI_ASPEN_H
#include <stdint.h>

/* aspen_counters(pid, struct aspen_counters *out, size_t size):
 * fill out with the counters of process pid (0: the caller) and of the
 * whole system (counted once a reclaim run in progress has ended, so
 * that the pages it is writing out are not counted as held by nobody);
 * returns 0, -ESRCH, -EFAULT or -EINVAL (size below
 * ASPEN_COUNTERS_SIZE_V1). The structure only grows at its end: the
 * kernel writes the first min(size, its own size) bytes, so a program
 * built against an older header keeps working. */
#define SYS_aspen_counters 1000

struct aspen_counters {
	/* the process */
	uint64_t minor_faults;    /* faults served without I/O */
	uint64_t cow_copies;      /* write faults that copied a shared frame */
	uint64_t cow_reuses;      /* write faults that found the frame theirs alone */
	uint64_t zero_fills;      /* first-touch anonymous faults */
	uint64_t resident_pages;  /* pages mapped in its page tables */
	uint64_t shared_pages;    /* of those, frames with refcount > 1 */
	/* the system */
	uint64_t sys_frames_total;
	uint64_t sys_frames_used;
	uint64_t sys_minor_faults;
	uint64_t sys_cow_copies;
	uint64_t sys_cow_reuses;
	uint64_t sys_zero_fills;
	uint64_t sys_forks;
#define ASPEN_COUNTERS_SIZE_V1 (13 * 8)   /* the fields above */
	/* appended: swap (pages) */
	uint64_t major_faults;    /* the process's faults that read swap */
	uint64_t swap_pages;      /* its pages in swap (VmSwap) */
	uint64_t sys_major_faults;
	uint64_t sys_swap_total;  /* slots of all swap areas */
	uint64_t sys_swap_free;
	uint64_t sys_swap_cached; /* frames in the swap cache */
	uint64_t sys_pswpin;      /* pages read from swap */
	uint64_t sys_pswpout;     /* pages written to swap */
	/* appended: shared memory (pages) */
	uint64_t shmem_pages;     /* its resident pages of shared memory objects
	                             (MAP_SHARED anonymous and System V: RssShmem) */
	uint64_t sys_shm_segments;  /* System V segments in existence */
	uint64_t sys_shm_pages;     /* their resident pages */
	/* page tables (fork's `shared` strategy, docs/fork.md) */
	uint64_t pt_pages;            /* the process's page-table pages (root included) */
	uint64_t pt_shared_pages;     /* of its last-level tables, those another process uses too */
	uint64_t pt_unshares;         /* shared tables it copied on a write or other change */
	uint64_t sys_pt_shared_pages; /* last-level tables used by more than one process */
	uint64_t sys_pt_unshares;
	/* appended: the process's system calls */
	uint64_t syscalls;        /* system calls it has made (the vDSO's clock makes none) */
	/* appended: reclaimable memory */
	uint64_t sys_swap_cache_idle; /* of sys_frames_used, swap-cache frames nobody maps
	                                 (clean or not): reclaim frees them first */
};

/* Fork strategies (docs/fork.md): how fork gives the child its pages.
 * The same names are read and written in /proc/sys/vm/fork_strategy and
 * given by the boot option fork_strategy=. */
#define ASPEN_FORK_SYSTEM 0   /* prctl: follow /proc/sys/vm/fork_strategy */
#define ASPEN_FORK_COPY   1   /* "copy": every private page copied at fork */
#define ASPEN_FORK_COW    2   /* "cow": pages shared, copied on write */
#define ASPEN_FORK_SHARED 3   /* "shared": last-level page tables shared, copied on change */

/* prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_*): the strategy of the
 * caller's forks, and of its children's (inherited by fork, kept by
 * exec); ASPEN_FORK_SYSTEM goes back to the system's. 0 or -EINVAL.
 * prctl(PR_ASPEN_GET_FORK_STRATEGY): the strategy its next fork uses
 * (never ASPEN_FORK_SYSTEM). Linux refuses both with EINVAL. */
#define PR_ASPEN_SET_FORK_STRATEGY 0x41535001   /* "AS" P 1: far from Linux's PR_* */
#define PR_ASPEN_GET_FORK_STRATEGY 0x41535002
#endif
