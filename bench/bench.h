/*
 * bench.h - what bench.c shares with the figures kept in other files
 * (swapbench.c): the figure table's entry, output, time, errors.
 */
#ifndef ASPEN_BENCH_H
#define ASPEN_BENCH_H
#include <stdint.h>

#define PAGE 4096
#define MIB (1024 * 1024)
#define WHY_MAX 160

struct figure {
	const char *name;
	const char *label;
	/* Setup, one warm-up, then reps samples (ns per operation) into
	 * out. Returns 0, or -1 with a reason in why. NULL: the figure is
	 * printed by the one before it (a count measured alongside). */
	int (*run)(const struct figure *f, int reps, double *out, char *why);
	long arg;               /* MiB resident, or a batch size */
	int strategy;           /* ASPEN_FORK_*: this fork strategy (prctl); 0: the kernel's */
	int aspen_only;         /* the strategy is the point: n/a where there is no prctl for it */
	int flags;
};
#define FIG_SWAP 0x1    /* needs a boot with little RAM and swap: run only when named */

/* now_ns - guest CLOCK_MONOTONIC. out - a whole line to fd 1, unbuffered.
 * fail - "what: strerror(err)" into why; returns -1. */
uint64_t now_ns(void);
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail(char *why, const char *what, int err);
/* report - a BENCH line for a figure whose samples are counts (the
 * median, least and most of n), printed by another figure's child. */
void report(const char *name, const char *label, double *samples, int n);

/* swapbench.c: the swap figures, and what a boot for them needs first. */
int fig_swap_seq(const struct figure *f, int reps, double *out, char *why);
int fig_swap_hot(const struct figure *f, int reps, double *out, char *why);
void swap_setup(void);
#endif
