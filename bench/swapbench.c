/*
 * swapbench.c - the swap figures of bench (docs/performance.md, "Swap"):
 * memory larger than RAM, in a boot with 128 MiB of RAM and a 512 MiB
 * swap disk (scripts/bench.sh's second pair of boots).
 *
 *   swap_seq   write then read back every page of twice the RAM, in
 *              order: ns per page per pass (each page goes out once and
 *              comes back once); swap_seq_majflt, its major faults
 *   swap_hot   random pages of the same region, 9 in 10 from a hot set
 *              of a quarter of the RAM (which fits), the rest anywhere:
 *              ns per access; swap_hot_majflt, its major faults (how
 *              well reclaim keeps the hot set in: the victim choice)
 *
 * The sizes come from the RAM of the machine, SWAP_BENCH_RAM_MIB (what
 * scripts/bench.sh gives the swap boots), not from what each kernel
 * reports (Linux keeps some 48 MiB of 128 for itself, Aspen about 1):
 * both kernels do the same work in the same machine.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include "bench.h"

#define SWAP_DEV "/dev/vda"
#define MODULES_DIR "/bench/modules"       /* Linux's virtio drivers, in load order */
#define SWAP_BENCH_RAM_MIB 128          /* scripts/bench.sh's BENCH_SWAP_MEM */
#define SWEEP_RAM_FACTOR 2
#define HOT_RAM_DIVISOR 4
#define HOT_PERCENT 90
#define HOT_ACCESSES_PER_PAGE 2          /* accesses: twice the region's pages */
#define SWAP_SAMPLES 3                   /* each sample is a whole sweep: few */
#define RNG_SEED 0x9e3779b97f4a7c15ULL

/* Load the modules of MODULES_DIR in name order (Linux: the virtio-blk
 * driver; Aspen has it built in and no such directory). */
static void load_modules(void)
{
	struct dirent **names;
	int n = scandir(MODULES_DIR, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", MODULES_DIR, names[i]->d_name);
		int fd = names[i]->d_name[0] == '.' ? -1 : open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
			out("bench: loading %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* swap_setup - as pid 1 of a swap boot: find the disk and swap on it. */
void swap_setup(void)
{
	struct stat st;
	load_modules();
	if (stat("/proc/vmstat", &st) != 0) {   /* Linux's minimal root: for the counts in the log */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	if (stat(SWAP_DEV, &st) != 0)
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);   /* Linux: the disk's node */
	if (swapon(SWAP_DEV, 0) != 0 && errno != EBUSY)
		out("bench: swapon %s: %s\n", SWAP_DEV, strerror(errno));
}

static uint64_t ram_pages(void)
{
	return (uint64_t)SWAP_BENCH_RAM_MIB * MIB / PAGE;
}

static int need_swap(uint64_t pages, char *why)
{
	struct sysinfo si;
	sysinfo(&si);
	if ((uint64_t)si.freeswap * si.mem_unit / PAGE < pages) {
		snprintf(why, WHY_MAX, "needs %llu MiB of swap, has %llu",
			 (unsigned long long)(pages * PAGE / MIB),
			 (unsigned long long)((uint64_t)si.freeswap * si.mem_unit / MIB));
		return -1;
	}
	return 0;
}

static long major_faults(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

/* A region of pages pages, each written with its number. */
static uint64_t *fill_region(uint64_t pages)
{
	uint64_t *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	for (uint64_t i = 0; i < pages; i++)
		p[i * (PAGE / 8)] = i;
	return p;
}

/* Read every page back in order; the number of pages wrong. */
static uint64_t check_region(const uint64_t *p, uint64_t pages)
{
	uint64_t bad = 0;
	for (uint64_t i = 0; i < pages; i++)
		bad += ((volatile const uint64_t *)p)[i * (PAGE / 8)] != i;
	return bad;
}

/* A line with the kernel's own counts, for the log (not a figure). */
static void log_vmstat(const char *figure)
{
	char line[128], text[512] = "";
	FILE *f = fopen("/proc/vmstat", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "pswp", 4) || !strncmp(line, "pgmajfault ", 11) || !strncmp(line, "pgsteal_", 8) ||
		    !strncmp(line, "pgscan_", 7) || !strncmp(line, "workingset_refault", 18)) {
			line[strcspn(line, "\n")] = ' ';
			strncat(text, line, sizeof(text) - strlen(text) - 1);
		}
	if (f)
		fclose(f);
	out("# %s: %s\n", figure, text);
}

int fig_swap_seq(const struct figure *f, int reps, double *out_ns, char *why)
{
	uint64_t pages = SWEEP_RAM_FACTOR * ram_pages();
	double faults[SWAP_SAMPLES];
	int n = reps < SWAP_SAMPLES ? reps : SWAP_SAMPLES;
	if (need_swap(pages, why))
		return -1;
	for (int r = 0; r < n; r++) {
		long majors = major_faults();
		uint64_t t0 = now_ns();
		uint64_t *p = fill_region(pages);
		if (!p)
			return fail(why, "mmap", errno);
		if (check_region(p, pages))
			return fail(why, "contents lost", EIO);
		out_ns[r] = (double)(now_ns() - t0) / (2.0 * pages);
		faults[r] = (double)(major_faults() - majors);
		munmap(p, pages * PAGE);
	}
	log_vmstat("swap_seq");
	report("swap_seq_majflt", "  its major faults (count)", faults, n);
	return n;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int fig_swap_hot(const struct figure *f, int reps, double *out_ns, char *why)
{
	uint64_t pages = SWEEP_RAM_FACTOR * ram_pages(), hot = ram_pages() / HOT_RAM_DIVISOR;
	uint64_t accesses = HOT_ACCESSES_PER_PAGE * pages;
	double faults[SWAP_SAMPLES];
	int n = reps < SWAP_SAMPLES ? reps : SWAP_SAMPLES;
	if (need_swap(pages, why))
		return -1;
	for (int r = 0; r < n; r++) {
		uint64_t *p = fill_region(pages), seed = RNG_SEED + (uint64_t)r, bad = 0;
		if (!p)
			return fail(why, "mmap", errno);
		long majors = major_faults();
		uint64_t t0 = now_ns();
		for (uint64_t a = 0; a < accesses; a++) {
			uint64_t x = rng_next(&seed);
			uint64_t page = x % 100 < HOT_PERCENT ? (x >> 8) % hot : (x >> 8) % pages;
			bad += ((volatile uint64_t *)p)[page * (PAGE / 8)] != page;
		}
		out_ns[r] = (double)(now_ns() - t0) / (double)accesses;
		faults[r] = (double)(major_faults() - majors);
		munmap(p, pages * PAGE);
		if (bad)
			return fail(why, "contents lost", EIO);
	}
	log_vmstat("swap_hot");
	report("swap_hot_majflt", "  its major faults (count)", faults, n);
	return n;
}
