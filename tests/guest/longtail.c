/*
 * longtail.c - less common calls as Linux 6.1 answers them:
 * process_madvise (advice for another process through a pidfd),
 * memory protection keys on a CPU without PKU, adjtimex and
 * clock_adjtime (reading the NTP state; changing it needs CAP_SYS_TIME,
 * which these tests only ever lack: they never change a clock).
 */
#include "gtest.h"
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <time.h>

#define PAGES 8
#define PKEY_RIGHTS_ALL 3   /* PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE */
#define TIME_ERROR_STATE 5

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static long pmadvise(int pidfd, const struct iovec *v, size_t n, int advice, unsigned flags)
{
	return syscall(SYS_process_madvise, pidfd, v, n, advice, flags);
}

/* A child that fills PAGES pages, sends their address down p[1], waits
 * for a byte on q[0], then checks the pages and exits 0 if intact. */
static pid_t child_with_pages(int p[2], int q[2], char **addr)
{
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pipe(q), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		close(p[0]);
		close(q[1]);   /* so that the read below ends if the test dies */
		char *m = mmap(NULL, (PAGES + 1) * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(m + PAGES * 4096, 4096);   /* a hole after the pages */
		for (int i = 0; i < PAGES * 4096; i++)
			m[i] = (char)(i * 7);
		write(p[1], &m, sizeof(m));
		char c;
		read(q[0], &c, 1);
		for (int i = 0; i < PAGES * 4096; i++)
			if (m[i] != (char)(i * 7))
				_exit(1);
		_exit(0);
	}
	CHECK_EQ(read(p[0], addr, sizeof(*addr)), sizeof(*addr));
	return pid;
}

static void release_child(pid_t pid, int p[2], int q[2])
{
	CHECK_EQ(write(q[1], "x", 1), 1);
	CHECK_EXITED(wait_status(pid), 0);
	close(p[0]); close(p[1]); close(q[0]); close(q[1]);
}

GTEST(process_madvise_advises_another_process_and_counts_bytes)
{
	int p[2], q[2];
	char *addr;
	pid_t pid = child_with_pages(p, q, &addr);
	int fd = pidfd_open(pid);
	CHECK(fd >= 0, "pidfd_open: %s", strerror(errno));
	struct iovec v[2] = { { addr, PAGES * 4096 }, { addr, 4096 } };
	CHECK_EQ(pmadvise(fd, v, 1, MADV_PAGEOUT, 0), PAGES * 4096);
	CHECK_EQ(pmadvise(fd, v, 2, MADV_WILLNEED, 0), PAGES * 4096 + 4096);
	CHECK_EQ(pmadvise(fd, v, 1, MADV_COLD, 0), PAGES * 4096);
	CHECK_EQ(pmadvise(fd, v, 0, MADV_COLD, 0), 0);
	/* A second range that fails after a first that worked: the bytes done. */
	v[1] = (struct iovec){ addr + PAGES * 4096, 4096 };
	CHECK_EQ(pmadvise(fd, v, 2, MADV_COLD, 0), PAGES * 4096);
	CHECK_ERR(pmadvise(fd, v + 1, 1, MADV_COLD, 0), ENOMEM);             /* unmapped */
	v[1] = (struct iovec){ addr + 1, 4096 };
	CHECK_ERR(pmadvise(fd, v + 1, 1, MADV_COLD, 0), EINVAL);             /* unaligned */
	CHECK_ERR(pmadvise(fd, v, 1, MADV_DONTNEED, 0), EINVAL);             /* destructive */
	CHECK_ERR(pmadvise(fd, v, 1, MADV_COLD, 1), EINVAL);                 /* flags */
	CHECK_ERR(pmadvise(fd, v, 1025, MADV_COLD, 0), EINVAL);              /* > UIO_MAXIOV */
	CHECK_ERR(pmadvise(fd, (void *)8, 1, MADV_COLD, 0), EFAULT);
	v[1] = (struct iovec){ (void *)0xffff800000000000UL, 4096 };
	CHECK_ERR(pmadvise(fd, v + 1, 1, MADV_COLD, 0), EFAULT);             /* kernel range */
	CHECK_ERR(pmadvise(p[0], v, 1, MADV_COLD, 0), EBADF);                /* not a pidfd */
	CHECK_ERR(pmadvise(p[0], v, 1, MADV_DONTNEED, 0), EBADF);            /* the fd first */
	CHECK_ERR(pmadvise(999, v, 1, MADV_COLD, 0), EBADF);
	release_child(pid, p, q);
	CHECK_ERR(pmadvise(fd, v, 1, MADV_COLD, 0), ESRCH);                  /* reaped */
	close(fd);
}

GTEST(process_madvise_of_a_zombie_is_esrch)
{
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	int fd = pidfd_open(pid);
	CHECK(fd >= 0, "pidfd_open: %s", strerror(errno));
	siginfo_t si;
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);          /* a zombie now */
	struct iovec v = { &si, 4096 };
	CHECK_ERR(pmadvise(fd, &v, 1, MADV_COLD, 0), ESRCH);
	CHECK_EXITED(wait_status(pid), 0);
	close(fd);
}

/* As an unprivileged user: another user's process fails the access
 * check (EACCES); one's own other process passes it, then lacks
 * CAP_SYS_NICE (EPERM). */
static void madvise_as_nobody(pid_t root_target, char *addr)
{
	int other = pidfd_open(root_target);
	if (other < 0 || setuid(65534) != 0)
		_exit(90);
	prctl(PR_SET_DUMPABLE, 1);   /* setuid made it undumpable: then its child could not be traced */
	int go[2];
	if (pipe(go) != 0)
		_exit(91);
	pid_t mine = fork();
	if (mine == 0) {
		char c;
		read(go[0], &c, 1);   /* until the parent is done */
		_exit(0);
	}
	int own = pidfd_open(mine);
	struct iovec v = { addr, 4096 }, w = { (void *)&madvise_as_nobody, 4096 };
	w.iov_base = (void *)((uintptr_t)w.iov_base & ~4095UL);   /* this program's text, mapped in both */
	int a = pmadvise(other, &v, 1, MADV_COLD, 0) == -1 && errno == EACCES;
	int b = pmadvise(own, &w, 1, MADV_COLD, 0) == -1 && errno == EPERM;
	write(go[1], "x", 1);
	waitpid(mine, NULL, 0);
	_exit(!a ? 1 : !b ? 2 : 0);
}

GTEST(process_madvise_needs_access_then_cap_sys_nice)
{
	int p[2], q[2];
	char *addr;
	pid_t target = child_with_pages(p, q, &addr);
	pid_t pid = xfork();
	if (pid == 0)
		madvise_as_nobody(target, addr);
	CHECK_EXITED(wait_status(pid), 0);
	release_child(target, p, q);
}

/* ---- protection keys ---- */

/* Does this CPU have protection keys enabled (then Linux hands them out)? */
static bool cpu_has_pku(void)
{
	char buf[8192];
	FILE *f = fopen("/proc/cpuinfo", "r");
	bool found = false;
	while (f && !found && fgets(buf, sizeof(buf), f))
		found = strncmp(buf, "flags", 5) == 0 && strstr(buf, " ospke") != NULL;
	if (f)
		fclose(f);
	return found;
}

GTEST(pkeys_on_a_cpu_without_pku)
{
	if (cpu_has_pku())
		SKIP("this CPU has protection keys");
	CHECK_ERR(syscall(SYS_pkey_alloc, 1, 0), EINVAL);                           /* flags */
	CHECK_ERR(syscall(SYS_pkey_alloc, 0, 4), EINVAL);                           /* rights */
	/* Key 0 is taken, its rights cannot be set: EINVAL, and it stays taken. */
	CHECK_ERR(syscall(SYS_pkey_alloc, 0, 0), EINVAL);
	CHECK_ERR(syscall(SYS_pkey_alloc, 0, PKEY_RIGHTS_ALL), ENOSPC);
	pid_t child = xfork();
	if (child == 0)
		_exit(syscall(SYS_pkey_alloc, 0, 0) == -1 && errno == ENOSPC ? 0 : 1);   /* fork copies */
	CHECK_EXITED(wait_status(child), 0);
	CHECK_ERR(syscall(SYS_pkey_free, 0), EINVAL);
	CHECK_ERR(syscall(SYS_pkey_free, 1), EINVAL);
	CHECK_ERR(syscall(SYS_pkey_free, -1), EINVAL);
	char *m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(munmap(m + 4096, 4096), 0);                                        /* a hole */
	m[0] = 1;
	CHECK_ERR(syscall(SYS_pkey_mprotect, m, 4096, PROT_READ, 0), EINVAL);
	CHECK_ERR(syscall(SYS_pkey_mprotect, m, 4096, PROT_READ, 1), EINVAL);
	CHECK_ERR(syscall(SYS_pkey_mprotect, m + 1, 4096, PROT_READ, 1), EINVAL);
	CHECK_EQ(syscall(SYS_pkey_mprotect, m, 0, PROT_READ, 1), 0);                /* empty: before the key */
	CHECK_ERR(syscall(SYS_pkey_mprotect, m, -4096UL, PROT_READ, 1), ENOMEM);    /* wraps */
	CHECK_EQ(syscall(SYS_pkey_mprotect, m, 4096, PROT_READ, -1), 0);            /* mprotect */
	pid_t pid = xfork();
	if (pid == 0) {
		m[0] = 2;   /* read-only now */
		_exit(0);
	}
	CHECK_SIGNALED(wait_status(pid), SIGSEGV);
	CHECK_ERR(syscall(SYS_pkey_mprotect, m + 4096, 4096, PROT_READ, -1), ENOMEM);
	munmap(m, 4096);
}

/* ---- adjtimex, clock_adjtime ---- */

static int64_t realtime_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

GTEST(adjtimex_reads_the_ntp_state)
{
	struct timex t;
	memset(&t, 0, sizeof(t));
	int64_t before = realtime_us();
	int state = adjtimex(&t);
	int64_t after = realtime_us();
	CHECK(state >= TIME_OK && state <= TIME_ERROR, "state %d", state);
	CHECK((state == TIME_ERROR) == ((t.status & STA_UNSYNC) != 0), "state %d status %#x", state, t.status);
	CHECK_EQ(t.precision, 1);
	CHECK_EQ(t.tolerance, 32768000);   /* 500 ppm, scaled by 2^16 */
	CHECK(t.tick >= 9000 && t.tick <= 11000, "tick %ld", t.tick);
	int64_t at = (int64_t)t.time.tv_sec * 1000000 + t.time.tv_usec / ((t.status & STA_NANO) ? 1000 : 1);
	CHECK(at >= before && at <= after, "time %lld not in [%lld, %lld]", (long long)at, (long long)before,
	      (long long)after);
	if (on_aspen()) {   /* Aspen-only: no NTP, the state Linux boots with */
		CHECK_EQ(state, TIME_ERROR_STATE);
		CHECK_EQ(t.status, STA_UNSYNC);
		CHECK_EQ(t.maxerror, 16000000);
		CHECK_EQ(t.esterror, 16000000);
		CHECK_EQ(t.constant, 2);
		CHECK_EQ(t.tick, 10000);
		CHECK_EQ(t.freq, 0);
	}
	memset(&t, 0, sizeof(t));
	t.modes = ADJ_OFFSET_SS_READ;      /* adjtime's remaining offset: anyone may read it */
	CHECK(adjtimex(&t) >= 0, "ADJ_OFFSET_SS_READ: %s", strerror(errno));
	CHECK_ERR(syscall(SYS_adjtimex, (void *)8), EFAULT);
}

GTEST(clock_adjtime_realtime_only)
{
	struct timex t;
	memset(&t, 0, sizeof(t));
	CHECK(syscall(SYS_clock_adjtime, CLOCK_REALTIME, &t) >= 0, "realtime: %s", strerror(errno));
	CHECK_EQ(t.precision, 1);
	CHECK_ERR(syscall(SYS_clock_adjtime, CLOCK_MONOTONIC, &t), EOPNOTSUPP);
	CHECK_ERR(syscall(SYS_clock_adjtime, CLOCK_TAI, &t), EOPNOTSUPP);
	CHECK_ERR(syscall(SYS_clock_adjtime, CLOCK_PROCESS_CPUTIME_ID, &t), EOPNOTSUPP);
	CHECK_ERR(syscall(SYS_clock_adjtime, -6, &t), EOPNOTSUPP);                  /* a CPU clock */
	CHECK_ERR(syscall(SYS_clock_adjtime, 10, &t), EINVAL);                      /* no such clock */
	CHECK_ERR(syscall(SYS_clock_adjtime, 16, &t), EINVAL);
	CHECK_ERR(syscall(SYS_clock_adjtime, CLOCK_REALTIME, (void *)8), EFAULT);
}

GTEST(adjtimex_changes_need_cap_sys_time)
{
	pid_t pid = xfork();
	if (pid == 0) {
		if (setuid(65534) != 0)
			_exit(90);
		struct timex t = { .modes = ADJ_FREQUENCY, .freq = 0 };
		if (adjtimex(&t) != -1 || errno != EPERM)
			_exit(1);
		t = (struct timex){ .modes = ADJ_SETOFFSET };
		if (syscall(SYS_clock_adjtime, CLOCK_REALTIME, &t) != -1 || errno != EPERM)
			_exit(2);
		t = (struct timex){ .modes = ADJ_OFFSET_SINGLESHOT };
		if (adjtimex(&t) != -1 || errno != EPERM)
			_exit(3);
		t = (struct timex){ .modes = 0x8000 };   /* ADJ_ADJTIME without ADJ_OFFSET */
		if (adjtimex(&t) != -1 || errno != EINVAL)
			_exit(4);
		t = (struct timex){ .modes = ADJ_OFFSET_SS_READ };
		_exit(adjtimex(&t) >= 0 ? 0 : 5);
	}
	CHECK_EXITED(wait_status(pid), 0);
}
