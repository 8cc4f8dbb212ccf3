/*
 * fuzz_calls.h - the argument generators and the call table of fuzz.c.
 *
 * Arguments are built by kind, not only drawn at random: descriptors
 * from a pool of ones the worker opened, paths in its sandbox, buffers
 * next to unmapped pages, iovec arrays and signal actions and clone3
 * and msghdr structures with some fields wrong, mmap ranges next to the
 * worker's own mappings, and the values that break careless kernels.
 * Each worker thread has its own generator (struct rng), so a seed
 * replays the calls each thread makes.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <sys/uio.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

/* Linux's struct clone_args (clone3), as <linux/sched.h> has it. */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned percent)
{
	return below(r, 100) < percent;
}

/* ---- what a worker has: descriptors, mappings, a scratch area ---- */

#define POOL_FDS 24
#define POOL_MAPS 16
#define SCRATCH_PAGES 8

struct pools {
	pthread_mutex_t lock;             /* the worker's threads share them */
	int fds[POOL_FDS];
	int nfds;
	struct { uintptr_t addr; size_t len; } maps[POOL_MAPS];
	int nmaps;
	char *scratch;                    /* SCRATCH_PAGES pages, the last one unmapped */
};

static struct pools pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void pool_add_fd(int fd)
{
	if (fd < 3)
		return;   /* 0-2 are /dev/null and stay so */
	pthread_mutex_lock(&pool.lock);
	pool.fds[pool.nfds < POOL_FDS ? pool.nfds++ : fd % POOL_FDS] = fd;
	pthread_mutex_unlock(&pool.lock);
}

static void pool_add_map(uintptr_t addr, size_t len)
{
	pthread_mutex_lock(&pool.lock);
	int i = pool.nmaps < POOL_MAPS ? pool.nmaps++ : (int)(addr >> 12) % POOL_MAPS;
	pool.maps[i].addr = addr;
	pool.maps[i].len = len;
	pthread_mutex_unlock(&pool.lock);
}

/* ---- argument kinds ---- */

static const uint64_t nasty_values[] = {
	0, 1, 2, 3, 4096, 65536, (uint64_t)-1, (uint64_t)-4095, 0x7fffffff, 0x80000000,
	0xffffffffULL, 0x00007ffffffff000ULL, 0x0000800000000000ULL,
	0xffff800000000000ULL, 0xffff888000000000ULL, 0xffffffff80100000ULL,
	0x10, 0x1000, 0xdead0000, 1UL << 62,
};

static uint64_t gen_nasty(struct rng *r)
{
	switch (below(r, 5)) {
	case 0: return nasty_values[below(r, sizeof(nasty_values) / sizeof(nasty_values[0]))];
	case 1: return (uint64_t)pool.scratch + below(r, SCRATCH_PAGES * 4096);
	case 2: return below(r, 64);
	case 3: return rnd(r);
	default: return (uint64_t)&gen_nasty;   /* read-only text */
	}
}

static uint64_t gen_fd(struct rng *r)
{
	if (chance(r, 10))
		return chance(r, 50) ? (uint64_t)-1 : below(r, 1100);
	pthread_mutex_lock(&pool.lock);
	int fd = pool.nfds ? pool.fds[below(r, (uint64_t)pool.nfds)] : 3;
	pthread_mutex_unlock(&pool.lock);
	return (uint64_t)fd;
}

/* A buffer: mostly a valid place in the scratch area, sometimes ending
 * at its unmapped last page, or a bad pointer. */
static uint64_t gen_buf(struct rng *r)
{
	uint64_t end = (uint64_t)pool.scratch + (SCRATCH_PAGES - 1) * 4096;
	switch (below(r, 8)) {
	case 0: return end - below(r, 64);             /* runs into the unmapped page */
	case 1: return gen_nasty(r);
	default: return (uint64_t)pool.scratch + below(r, (SCRATCH_PAGES - 2) * 4096);
	}
}

static uint64_t gen_len(struct rng *r)
{
	static const uint64_t lens[] = { 0, 1, 7, 64, 512, 4095, 4096, 4097, 8192, 65536, 1 << 20 };
	return chance(r, 90) ? lens[below(r, sizeof(lens) / sizeof(lens[0]))] : gen_nasty(r);
}

/* Paths: names in the sandbox (the worker's directory), a few fixed
 * places to read, and bad pointers. Never "..": the sandbox stays shut. */
static const char *const sandbox_names[] = {
	"a", "b", "d", "d/x", "d/y", "e/f/g", "fifo", "lnk", ".", "a/", "d//x", "longname-0123456789abcdef",
};
static const char *const read_only_paths[] = {
	"/proc/self/maps", "/proc/self/status", "/proc/self/pagemap", "/dev/null", "/dev/zero",
	"/bin/true", "/proc/self/fd", "/nonexistent/x",
};

static uint64_t gen_path(struct rng *r)
{
	if (chance(r, 8))
		return gen_nasty(r);
	return (uint64_t)sandbox_names[below(r, sizeof(sandbox_names) / sizeof(sandbox_names[0]))];
}

static uint64_t gen_read_path(struct rng *r)
{
	if (chance(r, 40))
		return (uint64_t)read_only_paths[below(r, sizeof(read_only_paths) / sizeof(read_only_paths[0]))];
	return gen_path(r);
}

/* An iovec array in the scratch area, mixing good and bad entries; the
 * count is returned through *cnt (sometimes over IOV_MAX). */
static uint64_t gen_iov(struct rng *r, uint64_t *cnt)
{
	struct iovec *v = (struct iovec *)(pool.scratch + 5 * 4096);
	int n = (int)below(r, 16) + 1;
	for (int i = 0; i < n; i++) {
		v[i].iov_base = (void *)gen_buf(r);
		v[i].iov_len = chance(r, 80) ? below(r, 4096) : gen_len(r);
	}
	*cnt = chance(r, 90) ? (uint64_t)n : (chance(r, 50) ? 1025 : gen_nasty(r));
	return chance(r, 95) ? (uint64_t)v : gen_nasty(r);
}

static void fuzz_handler(int sig) { (void)sig; }

static uint64_t libc_restorer;   /* libc's sa_restorer (worker_setup reads it) */

/* A struct sigaction (the kernel's layout: handler, flags, restorer,
 * mask): mostly one that works, with libc's restorer, so that the
 * worker survives the signals it sends itself. */
static uint64_t gen_sigaction(struct rng *r)
{
	uint64_t *k = (uint64_t *)(pool.scratch + 6 * 4096 - 64);
	static const uint64_t handlers[] = { 0 /* SIG_DFL */, 1 /* SIG_IGN */, (uint64_t)fuzz_handler };
	k[0] = chance(r, 95) ? handlers[below(r, 3)] : 0xdead0000;
	k[1] = chance(r, 90) ? 0x04000000 /* SA_RESTORER */ | (rnd(r) & 0xdc000000) : rnd(r);
	k[2] = chance(r, 90) ? libc_restorer : gen_nasty(r);
	k[3] = rnd(r);
	return chance(r, 90) ? (uint64_t)k : gen_nasty(r);
}

/* struct clone_args of some size, for clone3: flags from the set that
 * make a process or thread, stack in the scratch area or none. */
static uint64_t gen_clone3(struct rng *r, uint64_t *size)
{
	struct clone_args *a = (struct clone_args *)(pool.scratch + 6 * 4096 - 256);
	static const uint64_t flag_bits[] = { CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_THREAD,
		CLONE_VFORK, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID, CLONE_SETTLS,
		CLONE_PARENT, CLONE_NEWNS, CLONE_PIDFD, CLONE_CLEAR_SIGHAND };
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < 3; i++)
		a->flags |= flag_bits[below(r, sizeof(flag_bits) / sizeof(flag_bits[0]))];
	a->flags &= ~(uint64_t)CLONE_VFORK;   /* the child of a raw clone only exits, but not as vfork's */
	a->exit_signal = chance(r, 80) ? SIGCHLD : below(r, 70);
	a->stack = chance(r, 50) ? (uint64_t)pool.scratch : 0;
	a->stack_size = a->stack ? 4096 : 0;
	a->pidfd = a->child_tid = a->parent_tid = (uint64_t)(pool.scratch + 64);
	a->tls = gen_nasty(r);
	*size = chance(r, 85) ? sizeof(*a) : below(r, 128);
	return chance(r, 95) ? (uint64_t)a : gen_nasty(r);
}

/* A struct msghdr for sendmsg/recvmsg (name, iovecs, control data). */
static uint64_t gen_msghdr(struct rng *r)
{
	uint64_t *m = (uint64_t *)(pool.scratch + 4 * 4096 + 1024);
	uint64_t cnt;
	m[0] = gen_buf(r);          /* msg_name */
	m[1] = below(r, 128);       /* msg_namelen */
	m[2] = gen_iov(r, &cnt);    /* msg_iov */
	m[3] = cnt;
	m[4] = gen_buf(r);          /* msg_control */
	m[5] = gen_len(r);
	m[6] = rnd(r) & 0xffff;     /* msg_flags */
	return chance(r, 90) ? (uint64_t)m : gen_nasty(r);
}

/* An address for the mm calls: at, inside or just next to one of the
 * worker's mappings, or to the scratch area, or anywhere. */
static uint64_t gen_addr(struct rng *r)
{
	pthread_mutex_lock(&pool.lock);
	int n = pool.nmaps;
	uintptr_t base = n ? pool.maps[below(r, (uint64_t)n)].addr : 0;
	size_t len = n ? pool.maps[below(r, (uint64_t)n)].len : 0;
	pthread_mutex_unlock(&pool.lock);
	switch (below(r, 6)) {
	case 0: return base;
	case 1: return base + (below(r, len / 4096 + 2)) * 4096;      /* inside, or just past */
	case 2: return base - (below(r, 4) + 1) * 4096;              /* just below */
	case 3: return (uint64_t)pool.scratch + (SCRATCH_PAGES - 1) * 4096;   /* its hole */
	case 4: return 0;
	default: return chance(r, 50) ? nasty_values[below(r, sizeof(nasty_values) / sizeof(nasty_values[0]))] & ~0xfffUL
				      : rnd(r) & 0x7ffffffff000UL;
	}
}

static uint64_t gen_pages(struct rng *r)
{
	return chance(r, 90) ? (below(r, 8) + 1) * 4096 : gen_len(r);
}

/* Timeouts are short (a call that blocks longer is interrupted by the
 * supervisor's nudge, fuzz_long.c): a struct timespec of at most 0.1 ms
 * (or invalid), a struct timeval of at most 0.1 ms, milliseconds 0 or 1
 * (rarely -1, for ever). */
static uint64_t gen_timespec(struct rng *r)
{
	long *ts = (long *)(pool.scratch + 4 * 4096 + 3072);
	ts[0] = chance(r, 95) ? 0 : -1;
	ts[1] = chance(r, 90) ? (long)below(r, 100000) : (long)rnd(r);
	return chance(r, 90) ? (uint64_t)ts : gen_nasty(r);
}

static uint64_t gen_timeval(struct rng *r)
{
	long *tv = (long *)(pool.scratch + 4 * 4096 + 3072);
	tv[0] = chance(r, 95) ? 0 : -1;
	tv[1] = chance(r, 90) ? (long)below(r, 100) : (long)rnd(r);
	return chance(r, 90) ? (uint64_t)tv : gen_nasty(r);
}

static uint64_t gen_msecs(struct rng *r)
{
	return chance(r, 99) ? below(r, 2) : (uint64_t)-1;
}

/* A pid the worker may hurt: itself, its group, its children, or none. */
static uint64_t gen_pid(struct rng *r)
{
	switch (below(r, 4)) {
	case 0: return (uint64_t)getpid();
	case 1: return 0;                               /* its own process group */
	case 2: return (uint64_t)-(int64_t)getpid();    /* the same, by number */
	default: return 0x7ffff000 + below(r, 100);     /* nobody */
	}
}

static uint64_t gen_sig(struct rng *r)
{
	static const int harmless[] = { 0, SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH, SIGURG, SIGCONT, 65 };
	return chance(r, 95) ? (uint64_t)harmless[below(r, 8)] : below(r, 70);
}

/* ---- the calls ---- */

enum kind { K_ZERO, K_NASTY, K_FD, K_DIRFD, K_BUF, K_LEN, K_PATH, K_RPATH, K_FLAGS, K_SMALL, K_IOV,
	    K_SIGACT, K_ADDR, K_PAGES, K_PROT, K_MAPF, K_TS, K_TV, K_MSEC, K_PID, K_SIG, K_MSG };

struct call {
	long nr;
	enum kind args[6];
};

static const struct call calls[] = {
	{ SYS_read, { K_FD, K_BUF, K_LEN } }, { SYS_write, { K_FD, K_BUF, K_LEN } },
	{ SYS_pread64, { K_FD, K_BUF, K_LEN, K_SMALL } }, { SYS_pwrite64, { K_FD, K_BUF, K_LEN, K_SMALL } },
	{ SYS_readv, { K_FD, K_IOV } }, { SYS_writev, { K_FD, K_IOV } },
	{ SYS_preadv, { K_FD, K_IOV, K_SMALL } }, { SYS_pwritev, { K_FD, K_IOV, K_SMALL } },
	{ SYS_open, { K_PATH, K_FLAGS, K_SMALL } }, { SYS_openat, { K_DIRFD, K_PATH, K_FLAGS, K_SMALL } },
	{ SYS_close, { K_FD } }, { SYS_dup, { K_FD } }, { SYS_dup2, { K_FD, K_FD } },
	{ SYS_dup3, { K_FD, K_FD, K_FLAGS } }, { SYS_fcntl, { K_FD, K_SMALL, K_NASTY } },
	{ SYS_lseek, { K_FD, K_NASTY, K_SMALL } }, { SYS_getdents64, { K_FD, K_BUF, K_LEN } },
	{ SYS_ftruncate, { K_FD, K_LEN } }, { SYS_fstat, { K_FD, K_BUF } }, { SYS_fsync, { K_FD } },
	{ SYS_ioctl, { K_FD, K_NASTY, K_BUF } },
	{ SYS_stat, { K_RPATH, K_BUF } }, { SYS_lstat, { K_RPATH, K_BUF } },
	{ SYS_newfstatat, { K_DIRFD, K_RPATH, K_BUF, K_SMALL } }, { SYS_statx, { K_DIRFD, K_RPATH, K_SMALL, K_SMALL, K_BUF } },
	{ SYS_access, { K_RPATH, K_SMALL } }, { SYS_readlink, { K_RPATH, K_BUF, K_LEN } },
	{ SYS_mkdir, { K_PATH, K_SMALL } }, { SYS_rmdir, { K_PATH } }, { SYS_unlink, { K_PATH } },
	{ SYS_rename, { K_PATH, K_PATH } }, { SYS_link, { K_PATH, K_PATH } }, { SYS_symlink, { K_PATH, K_PATH } },
	{ SYS_chmod, { K_PATH, K_SMALL } }, { SYS_truncate, { K_PATH, K_LEN } }, { SYS_chdir, { K_PATH } },
	{ SYS_getcwd, { K_BUF, K_LEN } }, { SYS_utimensat, { K_DIRFD, K_PATH, K_BUF, K_SMALL } },
	{ SYS_pipe, { K_BUF } }, { SYS_pipe2, { K_BUF, K_FLAGS } },
	{ SYS_poll, { K_BUF, K_SMALL, K_MSEC } }, { SYS_ppoll, { K_BUF, K_SMALL, K_TS, K_BUF, K_SMALL } },
	{ SYS_select, { K_SMALL, K_BUF, K_BUF, K_BUF, K_TV } },
	{ SYS_mmap, { K_ADDR, K_PAGES, K_PROT, K_MAPF, K_FD, K_ZERO } },
	{ SYS_munmap, { K_ADDR, K_PAGES } }, { SYS_mprotect, { K_ADDR, K_PAGES, K_PROT } },
	{ SYS_mremap, { K_ADDR, K_PAGES, K_PAGES, K_SMALL, K_ADDR } }, { SYS_madvise, { K_ADDR, K_PAGES, K_SMALL } },
	{ SYS_mlock, { K_ADDR, K_PAGES } }, { SYS_munlock, { K_ADDR, K_PAGES } }, { SYS_mincore, { K_ADDR, K_PAGES, K_BUF } },
	{ SYS_msync, { K_ADDR, K_PAGES, K_SMALL } }, { SYS_brk, { K_ADDR } },
	{ SYS_rt_sigaction, { K_SIG, K_SIGACT, K_BUF, K_SMALL } }, { SYS_rt_sigprocmask, { K_SMALL, K_BUF, K_BUF, K_SMALL } },
	{ SYS_rt_sigpending, { K_BUF, K_SMALL } }, { SYS_sigaltstack, { K_BUF, K_BUF } },
	{ SYS_rt_sigtimedwait, { K_BUF, K_BUF, K_TS, K_SMALL } },
	{ SYS_kill, { K_PID, K_SIG } }, { SYS_tgkill, { K_PID, K_PID, K_SIG } },
	{ SYS_wait4, { K_NASTY, K_BUF, K_SMALL, K_BUF } }, { SYS_waitid, { K_SMALL, K_NASTY, K_BUF, K_SMALL, K_BUF } },
	{ SYS_futex, { K_BUF, K_SMALL, K_SMALL, K_TS, K_BUF, K_NASTY } },
	{ SYS_nanosleep, { K_TS, K_BUF } }, { SYS_clock_nanosleep, { K_SMALL, K_SMALL, K_TS, K_BUF } },
	{ SYS_clock_gettime, { K_SMALL, K_BUF } }, { SYS_getrusage, { K_SMALL, K_BUF } },
	{ SYS_setitimer, { K_SMALL, K_BUF, K_BUF } }, { SYS_prlimit64, { K_ZERO, K_SMALL, K_BUF, K_BUF } },
	{ SYS_sendmsg, { K_FD, K_MSG, K_FLAGS } }, { SYS_recvmsg, { K_FD, K_MSG, K_FLAGS } },
	{ SYS_sched_setaffinity, { K_ZERO, K_SMALL, K_BUF } }, { SYS_prctl, { K_SMALL, K_NASTY, K_NASTY } },
	{ SYS_uname, { K_BUF } }, { SYS_sysinfo, { K_BUF } }, { SYS_getrandom, { K_BUF, K_LEN, K_SMALL } },
	{ SYS_execve, { K_RPATH, K_BUF, K_BUF } },
};
