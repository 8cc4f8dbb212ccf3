/*
 * vm_report.h - what an address space looks like from outside: its
 * regions with page figures (for /proc/PID/maps, smaps, status, statm),
 * Linux pagemap entries, and reads of another process's memory (for
 * /proc/PID/cmdline and environ).
 *
 * Sharing is judged from frame reference counts. An anonymous frame is
 * counted once per page-table entry mapping it; a page-cache frame
 * (FRAME_FILE) holds one more reference, the file's own; an entry in a
 * last-level table shared by k address spaces (fork's `shared`
 * strategy) maps its frame for all k with one reference. So the number
 * of mappings of a frame seen through an entry is its refcount, less one
 * for a file page, plus k - 1 for the entry's table; a page is "shared"
 * when that number is above one. (Exact unless the frame is also in
 * another shared table: then that table's other users are not seen.)
 *
 * Every function here takes mm->lock itself (never held on entry) and
 * may sleep.
 */
#ifndef ASPEN_MM_VM_REPORT_H
#define ASPEN_MM_VM_REPORT_H
#include "lib/kernel.h"
#include "mm/vm.h"

/* Proportional set size is kept in 1/2^VM_PSS_SHIFT pages, as Linux does. */
#define VM_PSS_SHIFT 12

/* Page figures of a range, in pages (pss in 1/2^VM_PSS_SHIFT pages). */
struct vm_page_figures {
	uint64_t rss;             /* pages mapped */
	uint64_t pss;             /* each page divided by its number of mappings */
	uint64_t shared_clean, shared_dirty;
	uint64_t private_clean, private_dirty;
	uint64_t anon;            /* frames that are not file pages */
	uint64_t file;            /* page-cache frames (FRAME_FILE) */
	uint64_t swap;            /* swap entries (not resident) */
};

/* One region as /proc shows it. */
struct vm_region_report {
	vaddr_t start, end;
	uint32_t prot, flags;           /* REGION_* */
	struct inode *file;             /* referenced, or NULL */
	uint64_t file_off;
	struct vm_page_figures pages;   /* zero unless asked for */
};

/*
 * vm_report_regions - a snapshot of mm's regions in address order, as a
 * kmalloc'd array in *out (count in *n; release with vm_report_free).
 * With figures, each region's pages are counted too. Returns 0 or
 * -ENOMEM. Takes mm->lock; may sleep.
 */
int vm_report_regions(struct mm *mm, bool figures, struct vm_region_report **out, size_t *n);
/* vm_report_pgtables - mm's page-table pages (every level, the root
 * included) and how many of its last-level tables are shared. */
void vm_report_pgtables(struct mm *mm, uint64_t *tables, uint64_t *shared);
/* One last-level page table, for /proc/PID/ptables. */
struct vm_table_report {
	vaddr_t start;          /* the first address it maps (2 MiB aligned on x86-64) */
	uint64_t pfn;           /* the frame holding the table: equal in two processes, one table */
	uint32_t users;         /* address spaces using it */
	uint32_t present;       /* pages it maps */
	bool writable;          /* writes get through (else shared, or not yet taken back) */
};
/* vm_report_tables - a snapshot of mm's last-level tables in address
 * order (kmalloc'd array in *out, count in *n; kfree it). 0 or -ENOMEM. */
int vm_report_tables(struct mm *mm, struct vm_table_report **out, size_t *n);
/* vm_report_free - drop the file references and the array. */
void vm_report_free(struct vm_region_report *r, size_t n);

/* Bits of a Linux pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PFN_MASK       ((1ULL << 55) - 1)
#define PM_SOFT_DIRTY     (1ULL << 55)
#define PM_MMAP_EXCLUSIVE (1ULL << 56)
#define PM_FILE           (1ULL << 61)
#define PM_SWAP           (1ULL << 62)
#define PM_SWAP_TYPE_BITS 5                  /* MAX_SWAPFILES_SHIFT */
#define PM_SWAP_TYPE_MASK ((1ULL << PM_SWAP_TYPE_BITS) - 1)
#define PM_PRESENT        (1ULL << 63)

/*
 * vm_report_pagemap - the pagemap entries of the n pages from va (page
 * aligned) into out: PM_PRESENT with the frame number for a mapped page,
 * PM_MMAP_EXCLUSIVE when nobody else maps the frame, PM_FILE for a
 * page-cache frame; PM_SWAP with the swap type and offset for a page in
 * swap; 0 for a page not mapped. Takes mm->lock.
 */
void vm_report_pagemap(struct mm *mm, vaddr_t va, size_t n, uint64_t *out);

/*
 * vm_report_read - copy up to len bytes at va of mm into buf, stopping
 * at the first page that is not mapped. Returns the bytes copied. Takes
 * mm->lock; does not fault pages in (and so counts no fault anywhere):
 * a page in swap is read into the swap cache and left unmapped.
 */
size_t vm_report_read(struct mm *mm, vaddr_t va, void *buf, size_t len);

/* vm_report_nr_pfns - frame numbers are below this (for /proc/kpagecount). */
uint64_t vm_report_nr_pfns(void);
/* vm_report_kpagecount - for the n frames from first_pfn, how many
 * times each is mapped as Linux's /proc/kpagecount counts: its reference
 * count (0 if free or not RAM we manage) less the file's own reference
 * for a page-cache frame and the swap cache's, plus the other users of
 * each shared page table mapping it. */
void vm_report_kpagecount(uint64_t first_pfn, size_t n, uint64_t *out);
/* What the frames in use hold, counted over the whole frame array. */
struct vm_frame_census {
	uint64_t file;      /* page cache: file contents (ramfs, shared memory) */
	uint64_t slab;      /* kmalloc slabs */
	uint64_t kernel;    /* kernel stacks, large kmalloc blocks, other kernel use */
	uint64_t ptables;   /* page-table pages */
	uint64_t other;     /* anonymous memory (and the swap cache) */
};
/* vm_report_frame_census - for /proc/meminfo. No lock: a snapshot. */
void vm_report_frame_census(struct vm_frame_census *c);
#endif
