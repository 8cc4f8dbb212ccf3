/*
 * oom.h - the out-of-memory killer (mm/oom.c, docs/swap.md): when memory
 * and swap are both exhausted, one process is killed by Linux's rule.
 */
#ifndef ASPEN_MM_OOM_H
#define ASPEN_MM_OOM_H
#include "lib/kernel.h"

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000
#define OOM_DISABLE (-17)          /* the legacy oom_adj range */
#define OOM_ADJUST_MAX 15

struct mm;
struct process;

/* oom_badness_points - Linux's oom_badness: resident pages, swap
 * entries and page-table pages, plus adj thousandths of totalpages.
 * LONG_MIN for adj OOM_SCORE_ADJ_MIN (never chosen). Pure. */
long oom_badness_points(uint64_t rss, uint64_t swapents, uint64_t pgtables, int adj,
			uint64_t totalpages);
/* oom_score_of - /proc/PID/oom_score for process pid: its badness
 * scaled into [0, 2000] as Linux shows it (0 for init, a zombie or an
 * unkillable one). May sleep. */
unsigned long oom_score_of(int pid);
/* oom_adj_from_score_adj / oom_score_adj_from_adj - the legacy
 * /proc/PID/oom_adj scale (-17..15) and back, as Linux converts. */
int oom_adj_from_score_adj(int score_adj);
int oom_score_adj_from_adj(int adj);
/* oom_kill_or_wait - memory and swap are exhausted: if a victim is
 * still dying, wait a little; else choose one (never init, never a
 * process with oom_score_adj -1000), log Linux's line and SIGKILL it.
 * True if memory should come back (the caller may retry), false if
 * there is nobody to kill or the caller itself is the victim. May sleep. */
bool oom_kill_or_wait(void);
#endif
