/*
 * reclaim.h - freeing memory under pressure (docs/swap.md): the clock
 * over every address space's page tables that sends pages to swap, the
 * kswapd thread that runs it between the low and high watermarks, direct
 * reclaim for a fault that finds no frame, and the frame reserve.
 */
#ifndef ASPEN_MM_RECLAIM_H
#define ASPEN_MM_RECLAIM_H
#include "lib/kernel.h"

struct mm;

/* reclaim_init - the watermarks from the amount of RAM, the reserve rule
 * (frame.h), and the kswapd thread. Boot, once the scheduler runs. */
void reclaim_init(void);
/* reclaim_set_watermarks - from total frames (min from Linux's
 * min_free_kbytes rule, low and high above it). Also for host tests. */
void reclaim_set_watermarks(uint64_t total_frames);

/* reclaim_mm_add / reclaim_mm_del - an address space joins or leaves the
 * list the clock walks (mm_create / mm_destroy). */
void reclaim_mm_add(struct mm *mm);
void reclaim_mm_del(struct mm *mm);
/* mmlist_next - the address space after prev in the list (the first if
 * prev is NULL), referenced with mm_get; NULL at the end. Drops prev's
 * reference. May sleep. */
struct mm *mmlist_next(struct mm *prev);

/* reclaim_pages - free up to want frames: swap-cache frames nobody maps,
 * then pages the clock finds unused since its last pass. Returns frames
 * freed. Takes reclaim_mutex and, one at a time, mm locks (never waits
 * for one); with RECLAIM_OWN_MM also scans an address space whose lock
 * the caller holds (not from a fault). May sleep (I/O). */
#define RECLAIM_OWN_MM 0x1
uint64_t reclaim_pages(uint64_t want, unsigned flags);
/* reclaim_settle - wait for a reclaim run in progress to end: the frames
 * its victims hold while they are written are then freed or back where
 * they were. For settled counts of the whole system (aspen_counters).
 * May sleep; takes and drops reclaim_mutex. */
void reclaim_settle(void);
/* Pages the hand unmaps per visit of an address space, written out
 * together: twice Linux's SWAP_CLUSTER_MAX, since Linux writes its 32
 * without waiting and Aspen waits for each batch. */
#define RECLAIM_BATCH 64
/* reclaim_range - MADV_PAGEOUT: send the anonymous pages of [start, end)
 * of mm to swap now, accessed or not. mm->lock held; returns pages sent
 * out. May sleep. */
uint64_t reclaim_range_locked(struct mm *mm, uint64_t start, uint64_t end);

/* reclaim_reserve_enter / leave - let the current task take frames below
 * the min watermark, down to half of it (a fault), and restore; returns
 * what to restore. */
int reclaim_reserve_enter(void);
void reclaim_reserve_leave(int was);
/* reclaim_retry - a fault found no frame after `tries` tries: reclaim,
 * wait for kswapd, or have the OOM killer free memory. True to try
 * again; false to fail the fault (-ENOMEM: the caller is being killed,
 * or nothing can be freed). May sleep. */
bool reclaim_retry(int tries);
/* reclaim_throttle - before a fault: below the min watermark, with swap
 * room left, reclaim a batch directly first. May sleep. */
void reclaim_throttle(void);
/* reclaim_wake_if_low - wake kswapd if free frames are below low. */
void reclaim_wake_if_low(void);

/* Statistics of the clock (for /proc/vmstat and docs). */
extern uint64_t reclaim_swappiness;   /* vm.swappiness (0..200), default 60 */
#endif
