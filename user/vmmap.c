/*
 * vmmap - show the address space of processes, the way the seeds draw
 * it: one row per region (text, data, bss, heap, mmap, lib, stack) with its
 * range, rights, size, and how much of it is resident, shared with
 * other processes, or private. Given several pids, it also compares
 * them pair by pair: at each virtual address both map, do they still
 * use the same physical frame (shared, as right after fork) or a frame
 * of their own (copied on write)? Pages sent to swap are shown as such:
 * the SWAPPED column, and in a pair, the same swap slot counts as
 * shared (the page went out once for both).
 *
 *   vmmap PID [PID...]        ("self" is the caller)
 *
 * On Aspen, the PTABLES column also tells how many of the last-level
 * page tables mapping each region are shared with another process
 * (fork's `shared` strategy, docs/fork.md), and the comparison counts
 * the tables two processes both use.
 *
 * Everything comes from /proc, in Linux's formats, so vmmap runs on
 * Linux too: /proc/PID/smaps for the figures, /proc/PID/pagemap for the
 * frame numbers (Linux shows them to root only); Aspen's own
 * /proc/PID/ptables for the page tables (absent on Linux: "-").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_REGIONS 256
#define MAX_TABLES  4096
#define MAX_PIDS    8
#define PAGE        4096UL
#define PM_PRESENT  (1ULL << 63)
#define PM_SWAP     (1ULL << 62)
#define PM_PFN_MASK ((1ULL << 55) - 1)

struct region {
	unsigned long start, end;
	char perms[5];
	unsigned long inode;
	char path[256];
	char kind[16];                 /* text, data, bss, heap, stack, ... */
	unsigned long size_kb, rss_kb, shared_kb, private_kb, swap_kb;
	int tables, tables_shared;     /* last-level page tables mapping part of it */
};

/* One line of /proc/PID/ptables (Aspen). */
struct ptable {
	unsigned long start, end, pfn;
	unsigned users;
};

struct proc {
	int pid;
	char name[64];
	struct region r[MAX_REGIONS];
	int n;
	struct ptable t[MAX_TABLES];
	int nt;                        /* -1: no ptables file (Linux) */
};

/* ---- reading /proc ---- */

static void read_name(struct proc *p)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", p->pid);
	FILE *f = fopen(path, "r");
	p->name[0] = '\0';
	if (f) {
		if (fgets(p->name, sizeof(p->name), f))
			p->name[strcspn(p->name, "\n")] = '\0';
		fclose(f);
	}
}

/* A region header line of smaps: "start-end perms off dev inode [path]". */
static bool parse_header(const char *line, struct region *r)
{
	int used = 0;
	memset(r, 0, sizeof(*r));
	if (sscanf(line, "%lx-%lx %4s %*x %*s %lu %n", &r->start, &r->end, r->perms, &r->inode,
		   &used) < 4)
		return false;
	snprintf(r->path, sizeof(r->path), "%s", line + used);
	r->path[strcspn(r->path, "\n")] = '\0';
	return true;
}

static void parse_figure(const char *line, struct region *r)
{
	unsigned long kb;
	char key[32];
	if (sscanf(line, "%31s %lu kB", key, &kb) != 2)
		return;
	if (!strcmp(key, "Size:"))
		r->size_kb = kb;
	else if (!strcmp(key, "Rss:"))
		r->rss_kb = kb;
	else if (!strcmp(key, "Shared_Clean:") || !strcmp(key, "Shared_Dirty:"))
		r->shared_kb += kb;
	else if (!strcmp(key, "Private_Clean:") || !strcmp(key, "Private_Dirty:"))
		r->private_kb += kb;
	else if (!strcmp(key, "Swap:"))
		r->swap_kb = kb;
}

/* Name each region as the seeds do. The program's file gives text
 * (executable), rodata and data; the anonymous region right after its
 * data is the bss. */
static void classify(struct proc *p)
{
	const char *exe = p->n ? p->r[0].path : "";
	for (int i = 0; i < p->n; i++) {
		struct region *r = &p->r[i];
		bool prog = r->path[0] == '/' && !strcmp(r->path, exe);
		const char *k = "mmap";
		if (!strcmp(r->path, "[heap]"))
			k = "heap";
		else if (!strcmp(r->path, "[stack]"))
			k = "stack";
		else if (r->path[0] == '[')
			k = "kernel";
		else if (prog)
			k = r->perms[2] == 'x' ? "text" : r->perms[1] == 'w' ? "data" : "rodata";
		else if (!r->path[0] && r->perms[1] == 'w' && i > 0 && p->r[i - 1].end == r->start &&
			 !strcmp(p->r[i - 1].kind, "data"))
			k = "bss";
		else if (!strncmp(r->path, "/SYSV", 5))
			k = "sysv";      /* a System V shared memory segment */
		else if (r->perms[3] == 's')
			k = "shared";
		else if (strstr(r->path, ".so"))
			k = "lib";
		snprintf(r->kind, sizeof(r->kind), "%s", k);
	}
}

/* Aspen's /proc/PID/ptables: "start-end users=N pages=N rw|ro table=PFN". */
static void read_tables(struct proc *p)
{
	char path[64], line[160], rw[3];
	unsigned pages;
	snprintf(path, sizeof(path), "/proc/%d/ptables", p->pid);
	FILE *f = fopen(path, "r");
	p->nt = f ? 0 : -1;
	while (f && p->nt < MAX_TABLES && fgets(line, sizeof(line), f)) {
		struct ptable *t = &p->t[p->nt];
		if (sscanf(line, "%lx-%lx users=%u pages=%u %2s table=%lx", &t->start, &t->end, &t->users,
			   &pages, rw, &t->pfn) == 6)
			p->nt++;
	}
	if (f)
		fclose(f);
	for (int i = 0; i < p->n; i++)
		for (int j = 0; j < p->nt; j++)
			if (p->t[j].start < p->r[i].end && p->r[i].start < p->t[j].end) {
				p->r[i].tables++;
				p->r[i].tables_shared += p->t[j].users > 1;
			}
}

static int read_regions(struct proc *p)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/smaps", p->pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	p->n = 0;
	while (fgets(line, sizeof(line), f)) {
		struct region r;
		if (parse_header(line, &r)) {
			if (p->n == MAX_REGIONS)
				break;
			p->r[p->n++] = r;
		} else if (p->n) {
			parse_figure(line, &p->r[p->n - 1]);
		}
	}
	fclose(f);
	read_name(p);
	classify(p);
	read_tables(p);
	return 0;
}

/* ---- one process ---- */

static void print_kb(unsigned long kb)
{
	if (kb >= 10 * 1024)
		printf(" %7lu MiB", kb / 1024);
	else
		printf(" %7lu KiB", kb);
}

/* "shared/all" page tables, or "-" where the kernel does not say. */
static void print_tables(const struct proc *p, int shared, int all)
{
	char text[24] = "-";
	if (p->nt >= 0)
		snprintf(text, sizeof(text), "%d/%d", shared, all);
	printf(" %8s", text);
}

static void print_proc(const struct proc *p)
{
	unsigned long size = 0, rss = 0, shared = 0, priv = 0, swap = 0;
	int tables_shared = 0;
	printf("process %d (%s): %d regions\n", p->pid, p->name, p->n);
	printf("  %-7s %-33s %-4s %11s %11s %11s %11s %11s %8s  %s\n", "REGION", "RANGE", "PERM", "SIZE",
	       "RESIDENT", "SHARED", "PRIVATE", "SWAPPED", "PTABLES", "MAPPING");
	for (int i = 0; i < p->n; i++) {
		const struct region *r = &p->r[i];
		char range[40];
		snprintf(range, sizeof(range), "%012lx-%012lx", r->start, r->end);
		printf("  %-7s %-33s %-4s", r->kind, range, r->perms);
		print_kb(r->size_kb);
		print_kb(r->rss_kb);
		print_kb(r->shared_kb);
		print_kb(r->private_kb);
		print_kb(r->swap_kb);
		print_tables(p, r->tables_shared, r->tables);
		printf("  %s\n", r->path);
		size += r->size_kb;
		rss += r->rss_kb;
		shared += r->shared_kb;
		priv += r->private_kb;
		swap += r->swap_kb;
	}
	printf("  %-7s %-33s %-4s", "total", "", "");
	print_kb(size);
	print_kb(rss);
	print_kb(shared);
	print_kb(priv);
	print_kb(swap);
	for (int j = 0; j < p->nt; j++)
		tables_shared += p->t[j].users > 1;
	print_tables(p, tables_shared, p->nt);
	printf("\n  (of %lu KiB mapped: %lu KiB in RAM, %lu KiB in swap, the rest never touched)\n",
	       size, rss, swap);
	if (p->nt >= 0)
		printf("  PTABLES: last-level page tables (2 MiB each) mapping the region,"
		       " shared with another process / all\n");
	printf("\n");
}

/* ---- comparing two processes through pagemap ---- */

/* The pagemap entries of [start, end) of pid into out; false on error. */
static bool read_pagemap(int fd, unsigned long start, unsigned long end, uint64_t *out)
{
	size_t n = (end - start) / PAGE;
	ssize_t got = pread(fd, out, n * sizeof(uint64_t), (off_t)(start / PAGE * sizeof(uint64_t)));
	return got == (ssize_t)(n * sizeof(uint64_t));
}

struct pair_counts {
	unsigned long same, copied, only_one, same_slot;
	bool pfn_hidden;      /* present pages with frame number 0: not root on Linux */
};

static void compare_pages(const uint64_t *a, const uint64_t *b, size_t n, struct pair_counts *c)
{
	for (size_t i = 0; i < n; i++) {
		bool pa = a[i] & PM_PRESENT, pb = b[i] & PM_PRESENT;
		uint64_t fa = a[i] & PM_PFN_MASK, fb = b[i] & PM_PFN_MASK;
		if (pa && pb && (!fa || !fb))
			c->pfn_hidden = true;
		if ((a[i] & PM_SWAP) && a[i] == b[i])
			c->same_slot++;   /* one copy in swap for both */
		else if (pa && pb && fa == fb)
			c->same++;
		else if (pa && pb)
			c->copied++;
		else if (pa || pb)
			c->only_one++;
	}
}

/* The same range in q as region r of p, if q has it. */
static const struct region *matching(const struct proc *q, const struct region *r)
{
	for (int i = 0; i < q->n; i++)
		if (q->r[i].start == r->start && q->r[i].end == r->end)
			return &q->r[i];
	return NULL;
}

/* The last-level page tables p and q both use (the same frame). */
static int common_tables(const struct proc *p, const struct proc *q)
{
	int n = 0;
	for (int i = 0; i < p->nt; i++)
		for (int j = 0; j < q->nt; j++)
			n += p->t[i].pfn == q->t[j].pfn;
	return n;
}

static int open_pagemap(int pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	return open(path, O_RDONLY);
}

static void print_pair_row(const char *kind, unsigned long start, const struct pair_counts *c)
{
	printf("  %-7s %012lx %10lu %10lu %10lu %10lu\n", kind, start, c->same, c->same_slot, c->copied,
	       c->only_one);
}

static void compare(const struct proc *p, const struct proc *q)
{
	int fp = open_pagemap(p->pid), fq = open_pagemap(q->pid);
	struct pair_counts total = { 0 };
	printf("pages of %d (%s) and %d (%s) at the same addresses:\n", p->pid, p->name, q->pid,
	       q->name);
	if (fp < 0 || fq < 0) {
		printf("  cannot read pagemap: %s\n\n", strerror(errno));
		goto out;
	}
	printf("  %-7s %-12s %10s %10s %10s %10s\n", "REGION", "START", "SAME-FRAME", "SAME-SLOT", "COPIED",
	       "ONE-ONLY");
	for (int i = 0; i < p->n; i++) {
		const struct region *r = &p->r[i], *s = matching(q, r);
		size_t n = (r->end - r->start) / PAGE;
		uint64_t *a = s ? calloc(n, 8) : NULL, *b = s ? calloc(n, 8) : NULL;
		struct pair_counts c = { 0 };
		if (a && b && read_pagemap(fp, r->start, r->end, a) && read_pagemap(fq, r->start, r->end, b)) {
			compare_pages(a, b, n, &c);
			if (c.same || c.same_slot || c.copied || c.only_one)
				print_pair_row(r->kind, r->start, &c);
			total.same += c.same;
			total.same_slot += c.same_slot;
			total.copied += c.copied;
			total.only_one += c.only_one;
			total.pfn_hidden |= c.pfn_hidden;
		}
		free(a);
		free(b);
	}
	print_pair_row("total", 0, &total);
	if (total.pfn_hidden)
		printf("  (frame numbers are hidden: on Linux, pagemap shows them to root only)\n");
	unsigned long shared = total.same + total.same_slot, both = shared + total.copied;
	printf("  => %d and %d still share %lu of the %lu pages both have mapped (%lu%%",
	       p->pid, q->pid, shared, both, both ? shared * 100 / both : 0);
	printf(total.same_slot ? "; %lu of them in swap);" : ");", total.same_slot);
	printf(" %lu are separate copies.\n", total.copied);
	if (p->nt >= 0 && q->nt >= 0)
		printf("  => they use %d page tables together (the same table: copied on the first change)."
		       "\n", common_tables(p, q));
	printf("\n");
out:
	if (fp >= 0)
		close(fp);
	if (fq >= 0)
		close(fq);
}

int main(int argc, char **argv)
{
	static struct proc procs[MAX_PIDS];
	int n = 0;
	if (argc < 2 || argc - 1 > MAX_PIDS) {
		fprintf(stderr, "usage: vmmap PID [PID...]   (at most %d; \"self\" for vmmap itself)\n",
			MAX_PIDS);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct proc *p = &procs[n];
		p->pid = strcmp(argv[i], "self") ? atoi(argv[i]) : getpid();
		if (p->pid <= 0 || read_regions(p) < 0) {
			fprintf(stderr, "vmmap: %s: no such process\n", argv[i]);
			return 1;
		}
		n++;
	}
	for (int i = 0; i < n; i++)
		print_proc(&procs[i]);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			compare(&procs[i], &procs[j]);
	return 0;
}
