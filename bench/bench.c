/*
 * bench.c - Aspen's benchmark: what it costs to create processes and to
 * manage their memory, measured the same way on Aspen and on Linux.
 *
 *   bench [-r REPS] [-p US] [FIGURE...]
 *                                   run every figure, or the named ones;
 *                                   -p: with Aspen's profiler on while each
 *                                   figure runs, sampling every US
 *                                   microseconds; the last figure's samples
 *                                   are printed at the end (tools/aspen-prof)
 *   bench -l                        list the figures
 *   bench -s                        list the swap figures (swapbench.c), run
 *                                   only when named, in a boot with swap
 *
 * As pid 1 without arguments it reads them from /bench/args if present.
 *
 * Each figure is measured in a child of the runner (so one figure's
 * memory or crash cannot disturb the next), REPS times after one warm-up
 * repetition; a repetition times a batch of operations and gives the
 * cost of one. The runner prints, one line per figure, tab-separated:
 *
 *   BENCH  name  label  median_ns  min_ns  max_ns  reps
 *   BENCH  name  label  n/a  reason
 *
 * Time is the guest's CLOCK_MONOTONIC: under QEMU with -icount shift=0
 * one nanosecond is one executed instruction, so the figures repeat.
 * When the benchmark is pid 1 (the first program of a kernel booted for
 * it) it makes sure it has a console, and powers the machine off at the
 * end. scripts/bench.sh runs it on Aspen and on Linux; docs/performance.md
 * explains each figure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <uapi/aspen.h>
#include "bench.h"

#define REPS_DEFAULT 11
#define REPS_MAX 101
#define FIGURE_TIMEOUT_NS (120ull * 1000000000ull) /* guest time per figure */
#define SWAP_TIMEOUT_FACTOR 10  /* a swap figure sweeps hundreds of MiB of disk */
#define POLL_NS 200000000L
#define FAULT_PAGES 4096        /* pages per fault-figure repetition */
#define TABLE_SPAN (512 * PAGE)  /* what one last-level page table maps (x86-64) */
#define FIRST_WRITE_MIB 64      /* first_write_*: the child writes once per table of it */
#define EXEC_CHAIN 100          /* execs per exec-figure repetition */
#define EXEC_OUT "/tmp/bench-exec.out"
#define ARGS_FILE "/bench/args"   /* arguments for pid 1 */
#define PROFILE_FILE "/proc/profile"   /* Aspen's profiler (-p) */
static const char *profile_us;   /* -p: the profiler's period, or NULL */
#define EXIT_EXEC_FAILED 127    /* as shells report a command they cannot run */
#define EXIT_NA 3               /* the figure child printed "n/a" */
#define CONSOLE_MAJOR 5
#define CONSOLE_MINOR 1


static char tiny_path[256] = "/bench/tiny";
static char tiny_dyn_path[256] = "/bench/tiny-dyn";   /* tiny, dynamically linked (glibc) */
static char *const empty_env[] = { NULL };

/* ---------- helpers ---------- */

/* Nanoseconds of CLOCK_MONOTONIC (guest time). */
uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Write a whole string to fd 1, unbuffered (children and the runner
 * share the console; a line must not wait in a stdio buffer). */
void out(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	for (int off = 0; off < n;) {
		ssize_t w = write(1, line + off, n - off);
		if (w <= 0)
			return;
		off += w;
	}
}

/* Fill why with "what: strerror(err)"; returns -1. */
int fail(char *why, const char *what, int err)
{
	snprintf(why, WHY_MAX, "%s: %s", what, strerror(err));
	return -1;
}

/* Write value on one byte of each page of [p, p + bytes): a fault per
 * page not yet writable. Volatile, so that no compiler drops the stores. */
static void touch_pages(char *p, size_t bytes, char value)
{
	volatile char *v = p;
	for (size_t off = 0; off < bytes; off += PAGE)
		v[off] = value;
}

/* Map bytes of private anonymous memory and write one byte per page, so
 * all of it is resident. Returns the mapping or NULL (errno set). */
static char *map_touched(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	touch_pages(p, bytes, 1);
	return p;
}

/* Wait for pid and check it exited with status 0. Returns 0 or -1. */
static int wait_ok(pid_t pid, char *why)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return fail(why, "waitpid", errno);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st))
		snprintf(why, WHY_MAX, "child killed by signal %d", WTERMSIG(st));
	else
		snprintf(why, WHY_MAX, "child exited with status %d%s", WEXITSTATUS(st),
			 WEXITSTATUS(st) == EXIT_EXEC_FAILED ? " (its execve failed)" : "");
	return -1;
}

/* ---------- process creation ---------- */

/* One fork; the child exits at once. */
static int fork_once(char *why)
{
	pid_t pid = fork();
	if (pid < 0)
		return fail(why, "fork", errno);
	if (pid == 0)
		_exit(0);
	return wait_ok(pid, why);
}

/* One fork or vfork; the child execs tiny. */
static int exec_tiny_once(int use_vfork, char *why)
{
	char *argv[] = { tiny_path, NULL };
	pid_t pid = use_vfork ? vfork() : fork();
	if (pid < 0)
		return fail(why, use_vfork ? "vfork" : "fork", errno);
	if (pid == 0) {
		execve(tiny_path, argv, empty_env);
		_exit(EXIT_EXEC_FAILED);
	}
	return wait_ok(pid, why);
}

static int vfork_exec_once(char *why) { return exec_tiny_once(1, why); }
static int fork_exec_once(char *why) { return exec_tiny_once(0, why); }

/* One posix_spawn of tiny. */
static int spawn_once(char *why)
{
	char *argv[] = { tiny_path, NULL };
	pid_t pid;
	int err = posix_spawn(&pid, tiny_path, NULL, NULL, argv, empty_env);
	if (err)
		return fail(why, "posix_spawn", err);
	return wait_ok(pid, why);
}

/* The private memory time_op made resident, for ops that write it. */
static char *resident;
static size_t resident_bytes;

/* Time reps batches of batch calls of op (after one warm-up batch), with
 * mib MiB of private memory resident. Returns 0 or -1. */
static int time_op(int (*op)(char *), long mib, int batch, int reps, double *out, char *why)
{
	resident_bytes = (size_t)mib * MIB;
	if (mib && !(resident = map_touched(resident_bytes)))
		return fail(why, "mmap", errno);
	for (int r = -1; r < reps; r++) {
		uint64_t t0 = now_ns();
		for (int i = 0; i < batch; i++)
			if (op(why))
				return -1;
		if (r >= 0)
			out[r] = (double)(now_ns() - t0) / batch;
	}
	return 0;
}

/* One fork whose child writes one byte on every page of the resident
 * memory before it exits: where cow and shared pay what fork put off. */
static int fork_write_once(char *why)
{
	pid_t pid = fork();
	if (pid < 0)
		return fail(why, "fork", errno);
	if (pid == 0) {
		touch_pages(resident, resident_bytes, 3);
		_exit(0);
	}
	return wait_ok(pid, why);
}

/* Batches are sized to about 25 ms of Linux's guest time or more, so that
 * each holds several timer ticks and the deferred work they run. */
static int batch_for(long mib) { return mib >= 256 ? 1 : mib >= 64 ? 4 : 100; }

static int fig_fork(const struct figure *f, int reps, double *out, char *why)
{
	return time_op(fork_once, f->arg, batch_for(f->arg), reps, out, why);
}

static int fig_fork_write(const struct figure *f, int reps, double *out, char *why)
{
	return time_op(fork_write_once, f->arg, 1, reps, out, why);
}

static int fig_vfork_exec(const struct figure *f, int reps, double *out, char *why)
{
	return time_op(vfork_exec_once, f->arg, 100, reps, out, why);
}

static int fig_fork_exec(const struct figure *f, int reps, double *out, char *why)
{
	return time_op(fork_exec_once, f->arg, 50, reps, out, why);
}

static int fig_spawn(const struct figure *f, int reps, double *out, char *why)
{
	return time_op(spawn_once, f->arg, 100, reps, out, why);
}

/* ---------- exec alone ---------- */

/* One chain of EXEC_CHAIN execs of program (tiny or tiny-dyn) in a forked
 * child; the last link writes the elapsed time into fd. Returns ns per
 * exec, or -1. */
static double exec_chain_once(char *program, int fd, char *why)
{
	char k[16], t0[24], fdtext[16], line[32] = "";
	char *argv[] = { program, "chain", k, t0, fdtext, NULL };
	pid_t pid;

	snprintf(k, sizeof(k), "%d", EXEC_CHAIN - 1);
	snprintf(fdtext, sizeof(fdtext), "%d", fd);
	pid = fork();
	if (pid < 0)
		return fail(why, "fork", errno);
	if (pid == 0) {
		snprintf(t0, sizeof(t0), "%llu", (unsigned long long)now_ns());
		execve(program, argv, empty_env);
		_exit(EXIT_EXEC_FAILED);
	}
	if (wait_ok(pid, why))
		return -1;
	if (pread(fd, line, sizeof(line) - 1, 0) <= 0)
		return fail(why, "pread " EXEC_OUT, errno ? errno : EIO);
	return strtod(line, NULL) / EXEC_CHAIN;
}

/* f->arg 0: the static tiny; 1: tiny-dyn, which ld.so starts (it maps
 * and relocates libc before main). */
static int fig_exec(const struct figure *f, int reps, double *out, char *why)
{
	char *program = f->arg ? tiny_dyn_path : tiny_path;
	if (access(program, X_OK))
		return fail(why, f->arg ? "tiny-dyn" : "tiny", errno);
	int fd = open(EXEC_OUT, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return fail(why, "open " EXEC_OUT, errno);
	for (int r = -1; r < reps; r++) {
		double ns = exec_chain_once(program, fd, why);
		if (ns < 0)
			return -1;
		if (r >= 0)
			out[r] = ns;
	}
	close(fd);
	unlink(EXEC_OUT);
	return 0;
}

/* ---------- threads ---------- */

static void *thread_fn(void *arg) { return arg; }

/* One thread created and joined. */
static int thread_once(char *why)
{
	pthread_t t;
	int err = pthread_create(&t, NULL, thread_fn, NULL);
	if (err)
		return fail(why, "pthread_create", err);
	if ((err = pthread_join(t, NULL)))
		return fail(why, "pthread_join", err);
	return 0;
}

static int fig_thread(const struct figure *f, int reps, double *out, char *why)
{
	return time_op(thread_once, 0, f->arg, reps, out, why);
}

/* ---------- memory ---------- */

/* Writes after a fork: the child writes one byte every `stride` bytes
 * of the bytes at region, which it shares with its parent, and reports
 * the time per write through a shared page. Returns ns per write, or -1. */
static double child_writes_once(char *region, size_t bytes, size_t stride,
				volatile double *report, char *why)
{
	pid_t pid = fork();
	if (pid < 0)
		return fail(why, "fork", errno);
	if (pid == 0) {
		volatile char *v = region;
		uint64_t t0 = now_ns();
		for (size_t off = 0; off < bytes; off += stride)
			v[off] = 2;
		*report = (double)(now_ns() - t0) / (double)((bytes + stride - 1) / stride);
		_exit(0);
	}
	if (wait_ok(pid, why))
		return -1;
	return *report;
}

/* reps samples of child_writes_once over bytes of resident memory. */
static int time_child_writes(size_t bytes, size_t stride, int reps, double *out, char *why)
{
	char *region = map_touched(bytes);
	double *report = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!region || report == MAP_FAILED)
		return fail(why, "mmap", errno);
	for (int r = -1; r < reps; r++) {
		double ns = child_writes_once(region, bytes, stride, report, why);
		if (ns < 0)
			return -1;
		if (r >= 0)
			out[r] = ns;
	}
	return 0;
}

/* Copy-on-write faults: one write on each of FAULT_PAGES pages. */
static int fig_cow(const struct figure *f, int reps, double *out, char *why)
{
	return time_child_writes((size_t)FAULT_PAGES * PAGE, PAGE, reps, out, why);
}

/* The first write in each last-level page table's range after a fork:
 * what a shared table's copy costs (with the page's own copy). */
static int fig_first_write(const struct figure *f, int reps, double *out, char *why)
{
	return time_child_writes((size_t)FIRST_WRITE_MIB * MIB, TABLE_SPAN, reps, out, why);
}

/* First-touch faults: write one byte on each page of a fresh mapping. */
static int fig_anon_fault(const struct figure *f, int reps, double *out, char *why)
{
	size_t bytes = (size_t)FAULT_PAGES * PAGE;
	for (int r = -1; r < reps; r++) {
		char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return fail(why, "mmap", errno);
		uint64_t t0 = now_ns();
		touch_pages(p, bytes, 1);
		if (r >= 0)
			out[r] = (double)(now_ns() - t0) / FAULT_PAGES;
		if (munmap(p, bytes))
			return fail(why, "munmap", errno);
	}
	return 0;
}

/* One mapping of 1 MiB made and removed, never touched. */
static int mmap_once(char *why)
{
	void *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail(why, "mmap", errno);
	if (munmap(p, MIB))
		return fail(why, "munmap", errno);
	return 0;
}

static int fig_mmap(const struct figure *f, int reps, double *out, char *why)
{
	return time_op(mmap_once, 0, f->arg, reps, out, why);
}

/* ---------- syscalls and IPC ---------- */

static int fig_getpid(const struct figure *f, int reps, double *out, char *why)
{
	for (int r = -1; r < reps; r++) {
		uint64_t t0 = now_ns();
		for (long i = 0; i < f->arg; i++)
			syscall(SYS_getpid);
		if (r >= 0)
			out[r] = (double)(now_ns() - t0) / f->arg;
	}
	return 0;
}

/* clock_gettime(CLOCK_MONOTONIC) through libc: the vDSO where the
 * kernel has one (no system call), else the system call. */
static int fig_clock(const struct figure *f, int reps, double *out, char *why)
{
	struct timespec ts;
	for (int r = -1; r < reps; r++) {
		uint64_t t0 = now_ns();
		for (long i = 0; i < f->arg; i++)
			clock_gettime(CLOCK_MONOTONIC, &ts);
		if (r >= 0)
			out[r] = (double)(now_ns() - t0) / f->arg;
	}
	return 0;
}

/* The echo side of the pipe round trip: copy bytes from in to out until
 * end of file. */
static void pipe_echo(int in, int outfd)
{
	char c;
	while (read(in, &c, 1) == 1)
		if (write(outfd, &c, 1) != 1)
			_exit(1);
	_exit(0);
}

/* n round trips of one byte; returns 0 or -1. */
static int pipe_trips(int to, int from, long n, char *why)
{
	char c = 'x';
	for (long i = 0; i < n; i++) {
		if (write(to, &c, 1) != 1)
			return fail(why, "write", errno);
		if (read(from, &c, 1) != 1)
			return fail(why, "read", errno ? errno : EIO);
	}
	return 0;
}

static int fig_pipe(const struct figure *f, int reps, double *out, char *why)
{
	int a[2], b[2];
	pid_t pid;

	if (pipe(a) || pipe(b))
		return fail(why, "pipe", errno);
	if ((pid = fork()) < 0)
		return fail(why, "fork", errno);
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		pipe_echo(a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	for (int r = -1; r < reps; r++) {
		uint64_t t0 = now_ns();
		if (pipe_trips(a[1], b[0], f->arg, why))
			return -1;
		if (r >= 0)
			out[r] = (double)(now_ns() - t0) / f->arg;
	}
	close(a[1]);
	return wait_ok(pid, why);
}

/* ---------- the table of figures ---------- */

static const struct figure figures[] = {
	{ "fork_1m", "fork+exit+wait, 1 MiB resident", fig_fork, 1, 0, 0, 0 },
	{ "fork_64m", "fork+exit+wait, 64 MiB resident", fig_fork, 64, 0, 0, 0 },
	{ "fork_256m", "fork+exit+wait, 256 MiB resident", fig_fork, 256, 0, 0, 0 },
	{ "vfork_exec_1m", "vfork+exec+wait, 1 MiB resident", fig_vfork_exec, 1, 0, 0, 0 },
	{ "vfork_exec_64m", "vfork+exec+wait, 64 MiB resident", fig_vfork_exec, 64, 0, 0, 0 },
	{ "vfork_exec_256m", "vfork+exec+wait, 256 MiB resident", fig_vfork_exec, 256, 0, 0, 0 },
	{ "spawn_1m", "posix_spawn+wait, 1 MiB resident", fig_spawn, 1, 0, 0, 0 },
	{ "spawn_64m", "posix_spawn+wait, 64 MiB resident", fig_spawn, 64, 0, 0, 0 },
	{ "spawn_256m", "posix_spawn+wait, 256 MiB resident", fig_spawn, 256, 0, 0, 0 },
	{ "fork_exec_1m", "fork+exec+wait, 1 MiB resident", fig_fork_exec, 1, 0, 0, 0 },
	{ "exec", "exec of a static binary", fig_exec, 0, 0, 0, 0 },
	{ "exec_dyn", "exec of a dynamic (glibc) binary", fig_exec, 1, 0, 0, 0 },
	{ "thread", "pthread_create+join", fig_thread, 200, 0, 0, 0 },
	{ "cow_fault", "copy-on-write fault, per page", fig_cow, 0, ASPEN_FORK_COW, 0, 0 },
	{ "anon_fault", "first-touch anonymous fault, per page", fig_anon_fault, 0, 0, 0, 0 },
	{ "mmap_1m", "mmap+munmap of 1 MiB", fig_mmap, 2000, 0, 0, 0 },
	{ "getpid", "getpid (syscall floor)", fig_getpid, 100000, 0, 0, 0 },
	{ "clock_gettime", "clock_gettime (vDSO)", fig_clock, 100000, 0, 0, 0 },
	{ "pipe_rtt", "pipe round trip, two processes", fig_pipe, 2000, 0, 0, 0 },
	/* Fork strategies (docs/fork.md): the same work under each; on Linux
	 * these are n/a and scripts/bench.sh shows its plain figure beside. */
#define STRATEGY_FIGURES(name, label, fn, arg) \
	{ name "_copy", label ", copy", fn, arg, ASPEN_FORK_COPY, 1, 0 }, \
	{ name "_cow", label ", cow", fn, arg, ASPEN_FORK_COW, 1, 0 }, \
	{ name "_shared", label ", shared", fn, arg, ASPEN_FORK_SHARED, 1, 0 }
	STRATEGY_FIGURES("fork_1m", "fork+exit+wait, 1 MiB", fig_fork, 1),
	STRATEGY_FIGURES("fork_64m", "fork+exit+wait, 64 MiB", fig_fork, 64),
	STRATEGY_FIGURES("fork_256m", "fork+exit+wait, 256 MiB", fig_fork, 256),
	{ "fork_write_64m", "fork, child writes 64 MiB, exit, wait", fig_fork_write, 64, 0, 0, 0 },
	STRATEGY_FIGURES("fork_write_64m", "fork, child writes 64 MiB, exit, wait", fig_fork_write, 64),
	{ "first_write", "first write per 2 MiB after fork", fig_first_write, 0, 0, 0, 0 },
	STRATEGY_FIGURES("first_write", "first write per 2 MiB after fork", fig_first_write, 0),
#undef STRATEGY_FIGURES
	{ "swap_seq", "swap: sequential sweep of 2x RAM, per page", fig_swap_seq, 0, 0, 0, FIG_SWAP },
	{ "swap_seq_majflt", "  its major faults (count)", NULL, 0, 0, 0, FIG_SWAP },
	{ "swap_hot", "swap: random, hot set in RAM, per access", fig_swap_hot, 0, 0, 0, FIG_SWAP },
	{ "swap_hot_majflt", "  its major faults (count)", NULL, 0, 0, 0, FIG_SWAP },
};
#define NFIGURES (sizeof(figures) / sizeof(figures[0]))

/* ---------- the runner ---------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void report(const char *name, const char *label, double *samples, int n)
{
	qsort(samples, n, sizeof(double), cmp_double);
	out("BENCH\t%s\t%s\t%.1f\t%.1f\t%.1f\t%d\n", name, label, samples[n / 2], samples[0],
	    samples[n - 1], n);
}

/* profile_switch - write cmd to /proc/profile; 0 or -1 (said why). */
static int profile_switch(const char *cmd)
{
	int fd = open(PROFILE_FILE, O_WRONLY);
	int ok = fd >= 0 && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd);
	if (!ok)
		out("BENCH-PROFILE-ERROR\t%s: %s\n", PROFILE_FILE, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* In the figure's child: measure, print its line, exit. A figure's run
 * gives reps samples (0) or says how many it took (a positive count). */
static void figure_child(const struct figure *f, int reps)
{
	double samples[REPS_MAX];
	char why[WHY_MAX] = "";

	if (f->strategy && prctl(PR_ASPEN_SET_FORK_STRATEGY, f->strategy, 0, 0, 0) && f->aspen_only) {
		out("BENCH\t%s\t%s\tn/a\tAspen only\n", f->name, f->label);
		_exit(EXIT_NA);
	}
	if (profile_us)
		profile_switch(profile_us);
	int got = f->run(f, reps, samples, why);
	if (profile_us)
		profile_switch("0");
	if (got < 0) {
		out("BENCH\t%s\t%s\tn/a\t%s\n", f->name, f->label, why);
		_exit(EXIT_NA);
	}
	report(f->name, f->label, samples, got > 0 ? got : reps);
	_exit(0);
}

/* Wait for the figure's child, at most FIGURE_TIMEOUT_NS; polls, since
 * the benchmark must not rely on signals. Returns the wait status, or
 * -1 on timeout (the child is killed). */
static int wait_figure(pid_t pid, uint64_t timeout_ns)
{
	struct timespec poll = { 0, POLL_NS };
	uint64_t deadline = now_ns() + timeout_ns;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -2;
		if (now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		nanosleep(&poll, NULL);
	}
}

/* Run one figure in a child; print "n/a" for it if the child could not. */
static void run_figure(const struct figure *f, int reps)
{
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		out("BENCH\t%s\t%s\tn/a\tfork: %s\n", f->name, f->label, strerror(errno));
		return;
	}
	uint64_t timeout = FIGURE_TIMEOUT_NS * (f->flags & FIG_SWAP ? SWAP_TIMEOUT_FACTOR : 1);
	if (pid == 0)
		figure_child(f, reps);
	st = wait_figure(pid, timeout);
	if (st == -1)
		out("BENCH\t%s\t%s\tn/a\ttimed out after %llu s\n", f->name, f->label,
		    (unsigned long long)(timeout / 1000000000ull));
	else if (st == -2)
		out("BENCH\t%s\t%s\tn/a\twaitpid: %s\n", f->name, f->label, strerror(errno));
	else if (WIFSIGNALED(st))
		out("BENCH\t%s\t%s\tn/a\tkilled by signal %d\n", f->name, f->label, WTERMSIG(st));
	else if (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != EXIT_NA)
		out("BENCH\t%s\t%s\tn/a\texited with status %d\n", f->name, f->label, WEXITSTATUS(st));
}

/* As pid 1 a kernel may start us without descriptors 0-2 (Linux does when
 * the initramfs has no /dev/console): make the node and open it. */
static void ensure_console(void)
{
	if (fcntl(1, F_GETFD) >= 0)
		return;
	mkdir("/dev", 0755);
	mknod("/dev/console", S_IFCHR | 0600, makedev(CONSOLE_MAJOR, CONSOLE_MINOR));
	int fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* tiny and tiny-dyn live beside this program. */
static void find_tiny(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	if (slash && (size_t)(slash - argv0) + sizeof("/tiny-dyn") <= sizeof(tiny_path)) {
		snprintf(tiny_path, sizeof(tiny_path), "%.*s/tiny", (int)(slash - argv0), argv0);
		snprintf(tiny_dyn_path, sizeof(tiny_dyn_path), "%.*s/tiny-dyn", (int)(slash - argv0), argv0);
	}
}

/* A kernel may start pid 1 without arguments (Aspen does): take them,
 * whitespace-separated, from ARGS_FILE when it exists. Replaces *argcp
 * and *argvp; keeps them when there is no such file. */
static void args_from_file(int *argcp, char ***argvp)
{
	static char text[1024];
	static char *args[64];
	int fd = open(ARGS_FILE, O_RDONLY), n, argc = 0;

	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return;
	text[n] = '\0';
	args[argc++] = (*argvp)[0];
	for (char *tok = strtok(text, " \t\n"); tok && argc < 63; tok = strtok(NULL, " \t\n"))
		args[argc++] = tok;
	args[argc] = NULL;
	*argcp = argc;
	*argvp = args;
}

/* Run figure f? Every figure but the swap ones when none is named. */
static int wanted(const struct figure *f, int argc, char **argv)
{
	if (argc == 0)
		return !(f->flags & FIG_SWAP);
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], f->name) == 0)
			return 1;
	return 0;
}

/* -l: the figures of a plain boot; -s: those of the swap boot. */
static void list(int swap)
{
	for (size_t i = 0; i < NFIGURES; i++)
		if (!(figures[i].flags & FIG_SWAP) == !swap)
			out("%s\t%s\n", figures[i].name, figures[i].label);
}

/* profile_dump - the samples of /proc/profile on stdout between markers. */
static void profile_dump(void)
{
	char buf[4096];
	ssize_t n;
	int fd = open(PROFILE_FILE, O_RDONLY);
	if (fd < 0)
		return;
	out("BENCH-PROFILE-BEGIN\n");
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(1, buf + off, n - off);
			if (w <= 0)
				break;
			off += w;
		}
	close(fd);
	out("BENCH-PROFILE-END\n");
}

static void usage(void)
{
	out("usage: bench [-r REPS] [-p US] [FIGURE...] | bench -l | bench -s\n");
	_exit(2);
}

int main(int argc, char **argv)
{
	int reps = REPS_DEFAULT, opt;
	struct utsname u;

	if (getpid() == 1) {
		ensure_console();
		if (argc == 1)
			args_from_file(&argc, &argv);
	}
	while ((opt = getopt(argc, argv, "lsr:p:")) != -1) {
		if (opt == 'l' || opt == 's') {
			list(opt == 's');
			return 0;
		}
		if (opt == 'p') {
			profile_us = optarg;
			continue;
		}
		if (opt != 'r' || (reps = atoi(optarg)) < 1 || reps > REPS_MAX)
			usage();
	}
	find_tiny(argv[0]);
	uname(&u);
	out("BENCH-BEGIN\n");
	out("BENCH-KERNEL\t%s\t%s\t%s\n", u.sysname, u.release, u.version);
	for (size_t i = 0; i < NFIGURES; i++)
		if (getpid() == 1 && (figures[i].flags & FIG_SWAP) && wanted(&figures[i], argc - optind, argv + optind)) {
			swap_setup();
			break;
		}
	for (size_t i = 0; i < NFIGURES; i++)
		if (figures[i].run && wanted(&figures[i], argc - optind, argv + optind))
			run_figure(&figures[i], reps);
	if (profile_us)
		profile_dump();
	out("BENCH-END\n");
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return 0;
}
