/*
 * fuzz_long.c - `make fuzz`'s fuzzer (scripts/fuzz.sh): bad input never
 * crashes the kernel (Aspen-only: natively it would damage the host).
 * Without /tmp/fuzz.conf (as in make test) it makes a short sample run
 * with a new seed each time, printed. Several worker processes, each with several
 * threads, make system calls at once (on every CPU the machine has) with
 * structured arguments (fuzz_calls.h): the worker's own descriptors and
 * mappings and addresses next to them, paths in its sandbox, iovecs,
 * signal actions, clone3 and msghdr structures with some fields wrong,
 * and values that break careless kernels. A worker may die of what it
 * did; one that stops making progress is killed; when one ends, another
 * takes over until the calls are all made. The kernel must survive, and
 * every frame must come back (init checks after the test).
 *
 * /tmp/fuzz.conf sets the run (tools/aspen-exec --add FILE:/tmp/fuzz.conf;
 * `make fuzz` writes it):
 *   seed=S calls=N procs=P threads=T
 * The seed decides every call each worker thread makes, so a failure is
 * replayed with the same seed (docs/testing.md).
 */
#include "gtest.h"
#include "ipc_cleanup.h"
#include "tree_cleanup.h"
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include "fuzz_calls.h"

#define FUZZ_DIR "/tmp/fuzz"
#define FUZZ_DIR_SIZE "size=25%"   /* the sandbox's tmpfs: what the files may hold of RAM */
#define MAX_PROCS 8
#define MAX_THREADS 4
#define NUDGE_POLLS 2              /* 10 ms polls a thread made no call: interrupt its call... */
#define STALL_KILL_POLLS 50        /* ... and at last kill its worker */
#define NUDGE_SIG 42               /* a real-time signal libc does not use, rarely fuzzed */
#define NUDGE_RESTORE 64           /* calls between restorings of the nudge */

/* The progress page, far from everything a worker maps or writes: a
 * buffer overrun from its scratch area must not reach it. */
#define PROGRESS_AT 0x200000000000UL

struct config {
	uint64_t seed, calls;
	uint64_t procs, threads;
};

#define SAMPLE_CALLS 20000   /* make test's run, with a new seed each time */

static struct config cfg = { 1, SAMPLE_CALLS, 4, 3 };

#define MAX_NR 335
#define NR_FORKS MAX_NR             /* fork_call's bucket in the time profile */

/* Shared with the workers (MAP_SHARED): what they have done, and where
 * their time went (each call's guest time, by system call number). */
struct progress {
	uint64_t calls;                 /* atomic: made by all workers so far */
	uint64_t made[MAX_PROCS][MAX_THREADS];   /* atomic: by each thread of the worker in each slot */
	int32_t tid[MAX_PROCS][MAX_THREADS];     /* each such thread's id, once it runs */
	int32_t nr[MAX_PROCS][MAX_THREADS];      /* the call each such thread is in (NR_FORKS...) */
	uint64_t ticks[MAX_NR + 1];     /* atomic: time spent in each call (TSC ticks) */
	uint64_t count[MAX_NR + 1];     /* atomic: calls of each number */
};

static struct progress *progress;

/* ---- one call ---- */

/* Raw fork-like calls whose child exits at once, touching no memory
 * (a CLONE_VM child shares the parent's stack): the kernel's clone
 * paths, without a second program running. */
static long raw_clone_exit(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	long ret;
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $60, %%eax\n\t"     /* the child: exit(0) */
			 "xor %%edi, %%edi\n\t"
			 "syscall\n"
			 "1:"
			 : "=a"(ret) : "0"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

static void fork_call(struct rng *r)
{
	uint64_t size;
	switch (below(r, 4)) {
	case 0: raw_clone_exit(SYS_fork, 0, 0, 0, 0, 0); break;
	case 1: raw_clone_exit(SYS_vfork, 0, 0, 0, 0, 0); break;
	case 2: {
		uint64_t args = gen_clone3(r, &size);
		raw_clone_exit(SYS_clone3, args, size, 0, 0, 0);
		break;
	}
	default:
		raw_clone_exit(SYS_clone, (rnd(r) & (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)) | SIGCHLD, 0,
			(uint64_t)(pool.scratch + 64), (uint64_t)(pool.scratch + 128), 0);
	}
	while (syscall(SYS_wait4, -1, NULL, WNOHANG | __WALL, NULL) > 0)
		;
}

static uint64_t gen_arg(struct rng *r, enum kind k, uint64_t *next)
{
	switch (k) {
	case K_ZERO: return 0;
	case K_FD: return gen_fd(r);
	case K_DIRFD: return chance(r, 80) ? (uint64_t)AT_FDCWD : gen_fd(r);
	case K_BUF: return gen_buf(r);
	case K_LEN: return gen_len(r);
	case K_PATH: return gen_path(r);
	case K_RPATH: return gen_read_path(r);
	case K_FLAGS: return chance(r, 80) ? rnd(r) & 0x1fffff : rnd(r);
	case K_SMALL: return below(r, 16);
	case K_IOV: return gen_iov(r, next);
	case K_SIGACT: return gen_sigaction(r);
	case K_ADDR: return gen_addr(r);
	case K_PAGES: return gen_pages(r);
	case K_PROT: return below(r, 8);
	case K_MAPF: return (chance(r, 70) ? MAP_PRIVATE : MAP_SHARED) | (chance(r, 60) ? MAP_ANONYMOUS : 0) |
			    (chance(r, 20) ? MAP_FIXED : 0) | (chance(r, 10) ? rnd(r) & 0x1ff000 : 0);
	case K_TS: return gen_timespec(r);
	case K_TV: return gen_timeval(r);
	case K_MSEC: return gen_msecs(r);
	case K_PID: return gen_pid(r);
	case K_SIG: return gen_sig(r);
	case K_MSG: return gen_msghdr(r);
	default: return gen_nasty(r);
	}
}

/* What the worker keeps of a call's result: new descriptors, mappings. */
static void note_result(long nr, const uint64_t *a, long ret)
{
	if (ret < 0)
		return;
	if (nr == SYS_open || nr == SYS_openat || nr == SYS_dup || nr == SYS_dup2 || nr == SYS_dup3 ||
	    (nr == SYS_fcntl && a[1] == F_DUPFD))
		pool_add_fd((int)ret);
	else if ((nr == SYS_pipe || nr == SYS_pipe2) && a[0] >= (uint64_t)pool.scratch &&
		 a[0] < (uint64_t)pool.scratch + (SCRATCH_PAGES - 1) * 4096 - 8) {
		pool_add_fd(((int *)a[0])[0]);
		pool_add_fd(((int *)a[0])[1]);
	} else if (nr == SYS_mmap || nr == SYS_mremap) {
		pool_add_map((uintptr_t)ret, nr == SYS_mmap ? a[1] : a[2]);
	}
}

/* Calls made only with the table's arguments (paths, targets), or never:
 * they would leave the sandbox, end or silence the test, or sleep for
 * ever. */
static bool table_only(long nr)
{
	static const long deny[] = {
		SYS_exit, SYS_exit_group, SYS_reboot, SYS_kill, SYS_tkill, SYS_tgkill, SYS_rt_sigqueueinfo,
		SYS_rt_tgsigqueueinfo, SYS_execve, SYS_execveat, SYS_fork, SYS_vfork, SYS_clone, SYS_clone3,
		SYS_syslog, SYS_pause, SYS_rt_sigsuspend, SYS_vhangup, SYS_ioctl, SYS_arch_prctl,
		SYS_open, SYS_stat, SYS_lstat, SYS_access, SYS_truncate, SYS_chdir, SYS_rename, SYS_mkdir,
		SYS_rmdir, SYS_creat, SYS_link, SYS_unlink, SYS_symlink, SYS_readlink, SYS_chmod, SYS_chown,
		SYS_lchown, SYS_utime, SYS_mknod, SYS_statfs, SYS_pivot_root, SYS_chroot, SYS_mount,
		SYS_umount2, SYS_swapon, SYS_swapoff, SYS_acct, SYS_openat, SYS_mkdirat, SYS_mknodat,
		SYS_fchownat, SYS_futimesat, SYS_newfstatat, SYS_unlinkat, SYS_renameat, SYS_linkat,
		SYS_symlinkat, SYS_readlinkat, SYS_fchmodat, SYS_faccessat, SYS_utimensat, SYS_renameat2,
		SYS_statx, SYS_setxattr, SYS_lsetxattr, SYS_getxattr, SYS_lgetxattr, SYS_listxattr,
		SYS_llistxattr, SYS_removexattr, SYS_lremovexattr, SYS_inotify_add_watch, 439 /* faccessat2 */,
		SYS_setpgid, SYS_setsid,
	};
	for (size_t i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (deny[i] == nr)
			return true;
	return false;
}

static pid_t supervisor_pid;   /* set before the first worker starts */

/* The argument that names another process, for the calls that can stop
 * it (PTRACE_ATTACH: a stop only its tracer ends), write its memory,
 * open a pidfd to signal it or shrink its limits; -1 for other calls. */
static int target_arg(long nr)
{
	switch (nr) {
	case SYS_ptrace: return 1;
	case SYS_process_vm_readv: case SYS_process_vm_writev: case SYS_pidfd_open: case SYS_prlimit64: return 0;
	default: return -1;
	}
}

/* A random call may name init, the test's parent or the supervisor
 * (their pids are small, as gen_nasty's small values are): a worker that
 * attached to the supervisor and then blocked in a select without a
 * timeout stopped the whole run (seed 63246), as it would on Linux. Such
 * an argument is turned to the worker's own pid: the fuzz run is about
 * the kernel, not about the harness surviving its own workers. */
static void spare_the_harness(long nr, uint64_t *a)
{
	int k = target_arg(nr);
	if (k >= 0 && (int32_t)a[k] >= 1 && (int32_t)a[k] <= supervisor_pid)
		a[k] = (uint64_t)getpid();
}

static __thread int32_t *current_nr;   /* this thread's progress->nr */

/* The time stamp counter: the calls' clock (not the vDSO's, whose data
 * page a call may have replaced); the supervisor converts it to time. */
static uint64_t now_ticks(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Count a call of nr that began at t0 in the time profile. */
static void account(long nr, uint64_t t0)
{
	uint64_t t1 = now_ticks();
	if (nr < 0 || nr > MAX_NR)
		return;
	__atomic_add_fetch(&progress->ticks[nr], t1 > t0 ? t1 - t0 : 0, __ATOMIC_RELAXED);
	__atomic_add_fetch(&progress->count[nr], 1, __ATOMIC_RELAXED);
}

static void one_call(struct rng *r)
{
	uint64_t a[6], next = 0;
	long nr;
	if (chance(r, 2)) {
		uint64_t t0 = now_ticks();
		*current_nr = NR_FORKS;
		fork_call(r);
		account(NR_FORKS, t0);
		return;
	}
	if (chance(r, 15)) {
		do
			nr = (long)below(r, MAX_NR);
		while (table_only(nr));
		for (int i = 0; i < 6; i++)
			a[i] = gen_nasty(r);
		spare_the_harness(nr, a);
	} else {
		const struct call *c = &calls[below(r, sizeof(calls) / sizeof(calls[0]))];
		nr = c->nr;
		if (nr == SYS_execve && !chance(r, 5))
			return;   /* a successful one ends the worker: rarely */
		for (int i = 0; i < 6; i++) {
			uint64_t n = 0;
			a[i] = next ? next : gen_arg(r, c->args[i], &n);
			next = n;
		}
	}
	uint64_t t0 = now_ticks();
	*current_nr = (int32_t)nr;
	long ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	account(nr, t0);
	note_result(nr, a, ret);
}

/* ---- a worker ---- */

/* The seed of thread i of the run's worker number w: it decides the
 * calls the thread makes. */
static uint64_t thread_seed(int w, uint64_t i)
{
	return cfg.seed * 1000003 + (uint64_t)w * 16 + i;
}

struct thread_arg {
	uint64_t seed, calls;
	int slot, index;
};

/* The calls may block or ignore the supervisor's nudge: give it back
 * to the thread now and then, so that few blocked calls need a kill. */
static void nudge_restore(void)
{
	struct sigaction sa = { .sa_handler = fuzz_handler };   /* no SA_RESTART: a blocked call ends */
	sigset_t nudge;
	sigemptyset(&nudge);
	sigaddset(&nudge, NUDGE_SIG);
	sigaction(NUDGE_SIG, &sa, NULL);
	pthread_sigmask(SIG_UNBLOCK, &nudge, NULL);
}

static void *thread_main(void *p)
{
	struct thread_arg *t = p;
	struct rng r = { t->seed * 0x9E3779B97F4A7C15ULL + 1 };
	__atomic_store_n(&progress->tid[t->slot][t->index], (int32_t)syscall(SYS_gettid), __ATOMIC_RELAXED);
	current_nr = &progress->nr[t->slot][t->index];
	for (uint64_t i = 0; i < t->calls; i++) {
		if (i % NUDGE_RESTORE == 0)
			nudge_restore();
		one_call(&r);
		__atomic_add_fetch(&progress->calls, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&progress->made[t->slot][t->index], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* The worker's own things: a sandbox directory, a scratch area whose
 * last page is unmapped, some descriptors and mappings to start with. */
static void worker_setup(int index)
{
	char dir[64];
	snprintf(dir, sizeof(dir), FUZZ_DIR "/w%d", index);
	if (mkdir(dir, 0777) < 0 || chdir(dir) < 0)
		_exit(2);
	setpgid(0, 0);   /* kill(0, ...) reaches only the worker and its children */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &chld, NULL);   /* the supervisor's way of waiting */
	struct sigaction sa = { .sa_handler = fuzz_handler };   /* no SA_RESTART: a blocked call ends */
	sigaction(SIGUSR1, &sa, NULL);   /* the signals it sends itself */
	sigaction(SIGUSR2, &sa, NULL);
	uint64_t k[4];
	if (syscall(SYS_rt_sigaction, SIGUSR1, NULL, k, 8) == 0)
		libc_restorer = k[2];
	signal(SIGPIPE, SIG_IGN);
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	pool.scratch = mmap(NULL, SCRATCH_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool.scratch == MAP_FAILED)
		_exit(2);
	munmap(pool.scratch + (SCRATCH_PAGES - 1) * 4096, 4096);
	int fds[2];
	pool_add_fd(open(".", O_RDONLY | O_DIRECTORY));
	pool_add_fd(open("a", O_RDWR | O_CREAT, 0644));
	if (pipe(fds) == 0) {
		pool_add_fd(fds[0]);
		pool_add_fd(fds[1]);
	}
	pool_add_fd(open("/dev/zero", O_RDONLY));
	pool_add_fd(open("/proc/self/maps", O_RDONLY));
	void *m = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED)
		pool_add_map((uintptr_t)m, 4 * 4096);
	m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED)
		pool_add_map((uintptr_t)m, 2 * 4096);
}

static __attribute__((noreturn)) void worker(int index, int slot, uint64_t calls)
{
	worker_setup(index);
	pthread_t th[MAX_THREADS];
	struct thread_arg args[MAX_THREADS];
	uint64_t per_thread = calls / cfg.threads + 1;
	for (uint64_t i = 0; i < cfg.threads; i++)
		args[i] = (struct thread_arg){ thread_seed(index, i), per_thread, slot, (int)i };
	for (uint64_t i = 1; i < cfg.threads; i++)
		if (pthread_create(&th[i], NULL, thread_main, &args[i]) != 0)
			args[i].calls = 0;
	thread_main(&args[0]);
	for (uint64_t i = 1; i < cfg.threads; i++)
		if (args[i].calls)
			pthread_join(th[i], NULL);
	_exit(0);
}

/* ---- the supervisor ---- */

/* The run: /tmp/fuzz.conf's, or make test's sample with a seed that
 * changes each time (below a million, as make fuzz's). */
static void read_config(void)
{
	FILE *f = fopen("/tmp/fuzz.conf", "r");
	if (!f) {
		uint32_t r = 0;
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint32_t)time(NULL);
		cfg.seed = r % 1000000;
		return;
	}
	char key[16];
	unsigned long long v;
	while (fscanf(f, " %15[a-z]=%llu", key, &v) == 2) {
		if (!strcmp(key, "seed")) cfg.seed = v;
		else if (!strcmp(key, "calls")) cfg.calls = v;
		else if (!strcmp(key, "procs") && v >= 1 && v <= MAX_PROCS) cfg.procs = v;
		else if (!strcmp(key, "threads") && v >= 1 && v <= MAX_THREADS) cfg.threads = v;
	}
	fclose(f);
}

struct slot {
	pid_t pid;
	int worker;                           /* its number: its threads' seeds */
	bool killed;                          /* as stalled; not yet reaped */
	uint64_t calls;                       /* each thread's share */
	uint64_t last_made[MAX_THREADS];
	int stalled_polls[MAX_THREADS];
};

#define BARREN_MAX 200   /* workers in a row that made no call: the run cannot go on */

struct tally {
	int workers, died, stalled;
	int barren;          /* workers in a row that ended before their first call */
	int last_status;     /* the wait status of the last one that ended */
	int fork_failures;   /* in a row, while no worker ran */
	bool fork_failure_told;
	int by_signal[65];   /* workers that died of each signal (0: a nonzero exit) */
};

/* The worker in slot index ended (status): count it and free its slot. */
static void worker_ended(struct slot *s, int index, int status, struct tally *t)
{
	uint64_t made = 0;
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		t->died++;
		t->by_signal[WIFSIGNALED(status) && WTERMSIG(status) < 65 ? WTERMSIG(status) : 0]++;
	}
	for (uint64_t j = 0; j < cfg.threads; j++)
		made += __atomic_load_n(&progress->made[index][j], __ATOMIC_RELAXED);
	t->barren = made ? 0 : t->barren + 1;
	t->last_status = status;
	s->pid = 0;
}

/* Print a file of the guest's (/proc/meminfo) under a heading. */
static void print_file(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");
	printf("# %s:%s\n", path, f ? "" : " cannot be read");
	while (f && fgets(line, sizeof(line), f))
		printf("#   %s", line);
	if (f)
		fclose(f);
}

/* BARREN_MAX workers in a row ended before their first call: something
 * the calls left (files, segments, queues) or the kernel holds what a
 * new worker needs. Say what memory looks like, rather than start new
 * workers until the boot's time runs out. */
static void report_barren(const struct tally *t)
{
	struct statfs fs;
	printf("# fuzz: %d workers in a row ended before their first call (the last: wait status %#x)\n",
	       t->barren, t->last_status);
	if (statfs(FUZZ_DIR, &fs) == 0)
		printf("# fuzz: the sandbox's tmpfs holds %llu of %llu blocks\n",
		       (unsigned long long)(fs.f_blocks - fs.f_bfree), (unsigned long long)fs.f_blocks);
	print_file("/proc/meminfo");
}

/* Reap whatever ended: workers (their slots free up), and the children
 * of workers' CLONE_PARENT clones, which come to us. A worker that made
 * itself our tracee (PTRACE_TRACEME) reports its stops: let it go, with
 * the signal it stopped for. */
static void reap(struct slot *slots, struct tally *t)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		if (WIFSTOPPED(status)) {
			ptrace(PTRACE_DETACH, pid, 0, (void *)(long)((status >> 8) & 0x7f));
			continue;
		}
		for (uint64_t i = 0; i < cfg.procs; i++)
			if (slots[i].pid == pid)
				worker_ended(&slots[i], (int)i, status, t);
	}
}

/* Sleep a poll's time (10 ms), or less when a child ends: a dead
 * worker's slot is filled at once. (SIGCHLD is blocked.) */
static void wait_poll(void)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	struct timespec ts = { 0, 10000000 };
	sigtimedwait(&chld, NULL, &ts);
}

/* A thread that has made no call for NUDGE_POLLS polls (a read of an
 * empty pipe, a futex nobody wakes, a stop) is sent NUDGE_SIG at each
 * poll, which ends its blocked call with EINTR, and its worker SIGCONT;
 * after STALL_KILL_POLLS (it blocked the nudge, or ignores it) the
 * worker is killed with its whole process group. */
static void watch_progress(struct slot *s, int index, struct tally *t)
{
	for (uint64_t j = 0; j < cfg.threads && !s->killed; j++) {
		uint64_t made = __atomic_load_n(&progress->made[index][j], __ATOMIC_RELAXED);
		if (made != s->last_made[j] || made >= s->calls) {
			s->last_made[j] = made;
			s->stalled_polls[j] = 0;
			continue;
		}
		s->stalled_polls[j]++;
		int32_t tid = __atomic_load_n(&progress->tid[index][j], __ATOMIC_RELAXED);
		if (s->stalled_polls[j] >= NUDGE_POLLS && tid) {
			syscall(SYS_tgkill, s->pid, tid, NUDGE_SIG);
			kill(s->pid, SIGCONT);
		}
		if (s->stalled_polls[j] == STALL_KILL_POLLS) {
			printf("# fuzz: worker %d (thread seed %llu) stalled in its call %llu, system call %d,"
			       " state %c\n", s->worker, (unsigned long long)thread_seed(s->worker, j),
			       (unsigned long long)made, (int)progress->nr[index][j], task_state(s->pid, tid) ?: '?');
			s->killed = true;
			kill(-s->pid, SIGKILL);
			kill(s->pid, SIGKILL);
			t->stalled++;
			return;
		}
	}
}

/* A path the calls made outside the sandbox, its odd bytes escaped. */
static void print_path(const char *path)
{
	printf("#   ");
	for (const unsigned char *c = (const unsigned char *)path; *c; c++)
		printf(*c >= 0x20 && *c < 0x7f && *c != '\\' ? "%c" : "\\x%02x", *c);
	printf("\n");
}

#define FORK_RETRY_MAX 500   /* failed forks in a row with no worker running: give up */

/* The supervisor's fork failed (errno): a worker may hold most of memory
 * for a while (a MAP_POPULATE, an mlock, a file it fills), and Aspen's
 * fork then fails with ENOMEM where Linux's would wait for its OOM
 * killer (docs/swap.md). Say so once, with the call each worker thread
 * is in; true to try again at the next poll, false to fail the test
 * (another errno, or FORK_RETRY_MAX failures with nothing running
 * that could give memory back). */
static bool fork_failed(const struct slot *slots, struct tally *t)
{
	if ((errno != ENOMEM && errno != EAGAIN) || t->fork_failures++ >= FORK_RETRY_MAX)
		return false;
	if (!t->fork_failure_told) {
		t->fork_failure_told = true;
		printf("# fuzz: fork failed (%s) after %d workers; the calls they are in:", strerror(errno),
		       t->workers);
		for (uint64_t i = 0; i < cfg.procs; i++)
			for (uint64_t j = 0; slots[i].pid && j < cfg.threads; j++)
				printf(" %d", (int)progress->nr[i][j]);
		printf("\n");
	}
	return true;
}

#define PROFILE_TOP 12

/* The machine's idle and total CPU time so far (/proc/stat's first
 * line), in ticks. */
static void cpu_ticks(uint64_t *idle, uint64_t *total)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	*idle = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &v[6], &v[7]) >= 4) {
		*idle = v[3] + v[4];
		for (int i = 0; i < 8; i++)
			*total += v[i];
	}
	fclose(f);
}

/* Where the workers' time went: the PROFILE_TOP calls (by number,
 * <asm/unistd_64.h>; NR_FORKS for fork_call) that took the most. */
static void print_profile(double ns_per_tick)
{
	uint64_t total = 0;
	bool shown[MAX_NR + 1] = { false };
	for (int nr = 0; nr <= MAX_NR; nr++)
		total += progress->ticks[nr];
	printf("# fuzz: time by call (nr: share, calls, mean us):");
	for (int k = 0; k < PROFILE_TOP && total; k++) {
		int best = -1;
		for (int nr = 0; nr <= MAX_NR; nr++)
			if (!shown[nr] && progress->count[nr] && (best < 0 || progress->ticks[nr] > progress->ticks[best]))
				best = nr;
		if (best < 0)
			break;
		shown[best] = true;
		printf(" %d%s: %.1f%% %llu %.0f;", best, best == NR_FORKS ? "(fork_call)" : "",
		       100.0 * (double)progress->ticks[best] / (double)total, (unsigned long long)progress->count[best],
		       (double)progress->ticks[best] * ns_per_tick / 1e3 / (double)progress->count[best]);
	}
	printf("\n");
}

GTEST_SLOW(random_syscalls_never_crash_the_kernel, 3600)
{
	ASPEN_ONLY();
	read_config();
	printf("# fuzz: seed=%llu calls=%llu procs=%llu threads=%llu (replay on two CPUs: FUZZ_SEED=%llu"
	       " FUZZ_TOTAL=%llu FUZZ_PER_BOOT=%llu make fuzz)\n", (unsigned long long)cfg.seed,
	       (unsigned long long)cfg.calls, (unsigned long long)cfg.procs, (unsigned long long)cfg.threads,
	       (unsigned long long)cfg.seed, (unsigned long long)cfg.calls, (unsigned long long)cfg.calls);
	progress = mmap((void *)PROGRESS_AT, sizeof(*progress), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(progress == (void *)PROGRESS_AT, "mmap of the progress page: %s", strerror(errno));
	struct tree_paths before = { 0 }, outside = { 0 };
	tree_snapshot(&before, FUZZ_DIR);
	CHECK(mkdir(FUZZ_DIR, 0777) == 0);
	supervisor_pid = getpid();
	/* The sandbox is a tmpfs of bounded size: a worker that writes and
	 * fills files without end gets ENOSPC, as it would on Linux's /tmp,
	 * rather than take every frame the root ramfs would give it (its
	 * files outlive it, and then no new worker could start). */
	CHECK(mount("fuzz", FUZZ_DIR, "tmpfs", 0, FUZZ_DIR_SIZE ",mode=777") == 0, "mount: %s", strerror(errno));
	struct slot slots[MAX_PROCS] = { { 0 } };
	struct tally t = { 0 };
	struct timespec t0, t1;
	uint64_t idle0, total0, idle1, total1;
	cpu_ticks(&idle0, &total0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t tsc0 = now_ticks();
	uint64_t per_worker = cfg.calls / cfg.procs + 1;
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	for (;;) {
		bool running = false, more = __atomic_load_n(&progress->calls, __ATOMIC_RELAXED) < cfg.calls;
		for (uint64_t i = 0; i < cfg.procs; i++) {
			if (!slots[i].pid && more) {
				memset(progress->made[i], 0, sizeof(progress->made[i]));
				memset(progress->tid[i], 0, sizeof(progress->tid[i]));
				fflush(stdout);
				pid_t pid = fork();
				if (pid < 0 && fork_failed(slots, &t))
					break;   /* memory is short: try again at the next poll */
				CHECK(pid >= 0, "fork: %s", strerror(errno));
				slots[i] = (struct slot){ .pid = pid, .worker = t.workers,
							  .calls = per_worker / cfg.threads + 1 };
				if (pid == 0)
					worker(t.workers, (int)i, per_worker);
				t.workers++;
			}
		}
		reap(slots, &t);
		for (uint64_t i = 0; i < cfg.procs; i++) {
			if (slots[i].pid) {
				watch_progress(&slots[i], (int)i, &t);
				running = true;
			}
		}
		if (running)
			t.fork_failures = 0;
		if (!running && !more)
			break;
		if (t.barren >= BARREN_MAX) {
			report_barren(&t);
			CHECK(t.barren < BARREN_MAX, "the workers could not start");
		}
		wait_poll();
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	uint64_t tsc1 = now_ticks();
	cpu_ticks(&idle1, &total1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# fuzz: %llu calls by %d workers (%d died of what they did, %d stalled and were killed) in %.1f s,"
	       " %.0f calls/s, CPUs busy %.0f%%\n", (unsigned long long)progress->calls, t.workers, t.died,
	       t.stalled, secs, (double)progress->calls / secs,
	       total1 > total0 ? 100.0 - 100.0 * (double)(idle1 - idle0) / (double)(total1 - total0) : 0.0);
	printf("# fuzz: deaths by signal:");
	for (int sig = 0; sig < 65; sig++)
		if (t.by_signal[sig])
			printf(" %s %d", sig ? strsignal(sig) : "exit", t.by_signal[sig]);
	printf("\n");
	print_profile(tsc1 > tsc0 ? secs * 1e9 / (double)(tsc1 - tsc0) : 0);
	/* The files, links and directories the calls made are state, not
	 * leaks: remove them so that init's frame count is a leak check. */
	CHECK(system("chmod -R u+rwx " FUZZ_DIR " && rm -rf " FUZZ_DIR "/*") == 0);
	CHECK(umount(FUZZ_DIR) == 0, "umount: %s", strerror(errno));
	CHECK(rmdir(FUZZ_DIR) == 0, "rmdir: %s", strerror(errno));
	CHECK_EQ(tree_remove_new(&before, FUZZ_DIR, &outside), 0);
	printf("# removed %zu paths made outside the sandbox\n", outside.n);
	for (size_t i = 0; i < outside.n; i++)
		print_path(outside.v[i]);
	printf("# removed %d System V IPC objects\n", remove_sysv_objects());
	int queues = remove_posix_mqueues();
	CHECK(queues >= 0);
	printf("# removed %d POSIX message queues\n", queues);
	/* Still here, and the kernel answers as before. */
	CHECK_EQ(getppid() > 0, 1);
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	p[0] = 1;
}
