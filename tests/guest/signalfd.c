/*
 * signalfd.c - signalfd and signalfd4 as Linux has them: reading takes
 * pending signals of the fd's mask (as 128-byte signalfd_siginfo
 * records, several per read), only those; signalfd on an existing fd
 * changes its mask; SFD_NONBLOCK, SFD_CLOEXEC and the errors; poll
 * readiness; a reader sleeping until a signal comes; and threads: a
 * thread reads the signals aimed at itself and at its process, never
 * those aimed at another thread.
 */
// GUEST: glibc
#include "gtest.h"
#include <poll.h>
#include <pthread.h>
#include <sys/signalfd.h>

static sigset_t sigs(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

/* Block a and b, and return a signalfd for them. */
static int blocked_signalfd(int a, int b, int flags)
{
	sigset_t s = sigs(a, b);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &s, NULL), 0);
	int fd = signalfd(-1, &s, flags);
	CHECK(fd >= 0, "signalfd: %s", strerror(errno));
	return fd;
}

static struct signalfd_siginfo read_one(int fd)
{
	struct signalfd_siginfo si;
	memset(&si, 0, sizeof(si));
	CHECK_EQ(read(fd, &si, sizeof(si)), sizeof(si));
	return si;
}

static bool is_pending(int sig)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, sig);
}

GTEST(record_is_128_bytes_and_shorter_reads_einval)
{
	CHECK_EQ(sizeof(struct signalfd_siginfo), 128);
	int fd = blocked_signalfd(SIGUSR1, 0, SFD_NONBLOCK);
	char buf[128];
	raise(SIGUSR1);
	CHECK_ERR(read(fd, buf, 127), EINVAL);
	CHECK(is_pending(SIGUSR1));
}

GTEST(read_takes_pending_signal_with_sender)
{
	int fd = blocked_signalfd(SIGUSR1, 0, 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK(is_pending(SIGUSR1));
	struct signalfd_siginfo si = read_one(fd);
	CHECK_EQ(si.ssi_signo, SIGUSR1);
	CHECK_EQ(si.ssi_code, SI_USER);
	CHECK_EQ(si.ssi_pid, getpid());
	CHECK_EQ(si.ssi_uid, getuid());
	CHECK(!is_pending(SIGUSR1), "the read consumed it");
}

GTEST(nothing_pending_nonblock_eagain)
{
	int fd = blocked_signalfd(SIGUSR1, 0, SFD_NONBLOCK);
	struct signalfd_siginfo si;
	CHECK_ERR(read(fd, &si, sizeof(si)), EAGAIN);
}

GTEST(reads_only_the_signals_of_its_mask)
{
	int fd = blocked_signalfd(SIGUSR1, 0, SFD_NONBLOCK);
	sigset_t s2 = sigs(SIGUSR2, 0);
	sigprocmask(SIG_BLOCK, &s2, NULL);
	raise(SIGUSR2);
	struct signalfd_siginfo si;
	CHECK_ERR(read(fd, &si, sizeof(si)), EAGAIN);
	CHECK(is_pending(SIGUSR2));
}

GTEST(signalfd_on_existing_fd_changes_its_mask)
{
	int fd = blocked_signalfd(SIGUSR1, SIGUSR2, SFD_NONBLOCK);
	sigset_t s2 = sigs(SIGUSR2, 0);
	CHECK_EQ(signalfd(fd, &s2, 0), fd);
	raise(SIGUSR1);
	raise(SIGUSR2);
	CHECK_EQ(read_one(fd).ssi_signo, SIGUSR2);
	struct signalfd_siginfo si;
	CHECK_ERR(read(fd, &si, sizeof(si)), EAGAIN);   /* SIGUSR1 is not in it now */
	CHECK(is_pending(SIGUSR1));
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "flags of an update are ignored");
}

GTEST(errors)
{
	sigset_t s = sigs(SIGUSR1, 0);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(signalfd(p[0], &s, 0), EINVAL);
	CHECK_ERR(signalfd(1000, &s, 0), EBADF);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &s, 4, 0), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &s, 8, 0x10), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, NULL, 8, 0), EFAULT);
	CHECK_ERR(syscall(SYS_signalfd, -1, &s, 16), EINVAL);
}

GTEST(flags_cloexec_and_nonblock)
{
	int fd = blocked_signalfd(SIGUSR1, 0, SFD_CLOEXEC | SFD_NONBLOCK);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	int plain = syscall(SYS_signalfd, -1, &(sigset_t){ { 0 } }, 8);
	CHECK(plain >= 0, "signalfd: %s", strerror(errno));
	CHECK(!(fcntl(plain, F_GETFD) & FD_CLOEXEC));
	char path[64], link[64] = "";
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK(readlink(path, link, sizeof(link) - 1) > 0);
	CHECK(strcmp(link, "anon_inode:[signalfd]") == 0, "link is %s", link);
}

GTEST(one_read_takes_several_signals)
{
	int fd = blocked_signalfd(SIGUSR1, SIGUSR2, SFD_NONBLOCK);
	raise(SIGUSR2);
	raise(SIGUSR1);
	struct signalfd_siginfo si[3];
	CHECK_EQ(read(fd, si, sizeof(si)), 2 * sizeof(si[0]));
	CHECK_EQ(si[0].ssi_signo, SIGUSR1);   /* lowest first, as delivery */
	CHECK_EQ(si[1].ssi_signo, SIGUSR2);
}

GTEST(queued_realtime_signals_carry_their_values)
{
	int rt = SIGRTMIN + 1;
	int fd = blocked_signalfd(rt, 0, SFD_NONBLOCK);
	CHECK_EQ(sigqueue(getpid(), rt, (union sigval){ .sival_int = 42 }), 0);
	CHECK_EQ(sigqueue(getpid(), rt, (union sigval){ .sival_int = 43 }), 0);
	struct signalfd_siginfo a = read_one(fd), b = read_one(fd);
	CHECK_EQ(a.ssi_signo, rt);
	CHECK_EQ(a.ssi_code, SI_QUEUE);
	CHECK_EQ(a.ssi_int, 42);
	CHECK_EQ(b.ssi_int, 43);
	CHECK_EQ(a.ssi_pid, getpid());
}

GTEST(sigchld_carries_child_and_status)
{
	int fd = blocked_signalfd(SIGCHLD, 0, 0);
	pid_t child = xfork();
	if (child == 0)
		_exit(7);
	struct signalfd_siginfo si = read_one(fd);
	CHECK_EQ(si.ssi_signo, SIGCHLD);
	CHECK_EQ(si.ssi_code, CLD_EXITED);
	CHECK_EQ(si.ssi_pid, child);
	CHECK_EQ(si.ssi_status, 7);
	CHECK_EQ(WEXITSTATUS(wait_status(child)), 7);
}

GTEST(poll_readable_while_a_signal_is_pending)
{
	int fd = blocked_signalfd(SIGUSR1, 0, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0);
	raise(SIGUSR1);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN);
	read_one(fd);
	CHECK_EQ(poll(&p, 1, 0), 0);
}

GTEST(read_sleeps_until_another_process_signals)
{
	int fd = blocked_signalfd(SIGUSR1, 0, 0);
	pid_t child = xfork();
	if (child == 0) {
		wait_sleeping(getppid());
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	struct signalfd_siginfo si = read_one(fd);
	CHECK_EQ(si.ssi_signo, SIGUSR1);
	CHECK_EQ(si.ssi_pid, child);
	CHECK_EQ(wait_status(child), 0);
}

GTEST(poll_sleeps_until_another_process_signals)
{
	int fd = blocked_signalfd(SIGUSR2, 0, 0);
	pid_t child = xfork();
	if (child == 0) {
		wait_sleeping(getppid());
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, -1), 1);
	CHECK_EQ(read_one(fd).ssi_signo, SIGUSR2);
	CHECK_EQ(wait_status(child), 0);
}

/* ---- threads ---- */

static int thread_fd;
static pid_t thread_tid;
static volatile int thread_step;

static void *reader_thread(void *arg)
{
	(void)arg;
	thread_tid = gettid();
	__atomic_store_n(&thread_step, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&thread_step, __ATOMIC_SEQ_CST) != 2)
		sched_yield();
	struct signalfd_siginfo si = read_one(thread_fd);   /* its own one */
	return (void *)(long)si.ssi_signo;
}

GTEST(thread_reads_its_own_and_its_process_signals_only)
{
	thread_fd = blocked_signalfd(SIGUSR1, 0, SFD_NONBLOCK);
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, reader_thread, NULL), 0);
	while (__atomic_load_n(&thread_step, __ATOMIC_SEQ_CST) != 1)
		sched_yield();
	CHECK_EQ(syscall(SYS_tgkill, getpid(), thread_tid, SIGUSR1), 0);
	struct signalfd_siginfo si;
	CHECK_ERR(read(thread_fd, &si, sizeof(si)), EAGAIN);   /* aimed at the other thread */
	struct pollfd p = { .fd = thread_fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0);
	__atomic_store_n(&thread_step, 2, __ATOMIC_SEQ_CST);
	void *got;
	CHECK_EQ(pthread_join(th, &got), 0);
	CHECK_EQ((long)got, SIGUSR1);
	kill(getpid(), SIGUSR1);   /* the process's: any thread reads it */
	si = read_one(thread_fd);
	CHECK_EQ(si.ssi_signo, SIGUSR1);
	CHECK_EQ(si.ssi_code, SI_USER);
}

static void *blocking_reader(void *arg)
{
	thread_tid = gettid();
	struct signalfd_siginfo si = read_one(*(int *)arg);
	return (void *)(long)si.ssi_signo;
}

GTEST(thread_sleeping_in_read_woken_by_process_signal)
{
	int fd = blocked_signalfd(SIGUSR2, 0, 0);
	thread_tid = 0;
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, blocking_reader, &fd), 0);
	while (!__atomic_load_n(&thread_tid, __ATOMIC_SEQ_CST))
		sched_yield();
	wait_until_asleep(getpid(), thread_tid);
	CHECK_EQ(kill(getpid(), SIGUSR2), 0);
	void *got;
	CHECK_EQ(pthread_join(th, &got), 0);
	CHECK_EQ((long)got, SIGUSR2);
}
