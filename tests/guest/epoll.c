/*
 * epoll.c - epoll as Linux has it: epoll_create/create1, epoll_ctl ADD,
 * MOD, DEL and their errors (EEXIST, ENOENT, EINVAL, EPERM, ELOOP,
 * EBADF, EFAULT), level-triggered, EPOLLET and EPOLLONESHOT reports,
 * EPOLLHUP and EPOLLERR, watches that live as long as the open file
 * description, the order of reports past maxevents, pipes, eventfd,
 * signalfd and nested epolls, epoll_wait sleeping until another process
 * or a thread on another CPU writes, epoll_pwait's atomic signal mask
 * and epoll_pwait2's timespec. No test depends on time: timeouts are 0
 * or infinite, with another process or thread as the event source.
 */
// GUEST: glibc
#include "gtest.h"
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static int xepoll(void)
{
	int fd = epoll_create1(0);
	CHECK(fd >= 0, "epoll_create1: %s", strerror(errno));
	return fd;
}

static void xpipe(int p[2])
{
	CHECK_EQ(pipe(p), 0);
}

static void add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "ADD %d: %s", fd, strerror(errno));
}

static int ctl(int ep, int op, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = 0 };
	return epoll_ctl(ep, op, fd, &ev);
}

/* epoll_wait with a zero timeout: the number of events. */
static int ready_now(int ep, struct epoll_event *out, int max)
{
	int n = epoll_wait(ep, out, max, 0);
	CHECK(n >= 0, "epoll_wait: %s", strerror(errno));
	return n;
}

/* The only event ready now, which must be there. */
static struct epoll_event one_event(int ep)
{
	struct epoll_event ev[2];
	CHECK_EQ(ready_now(ep, ev, 2), 1);
	return ev[0];
}

GTEST(create_and_its_errors)
{
	CHECK_ERR(syscall(SYS_epoll_create, 0), EINVAL);   /* musl's epoll_create checks nothing */
	CHECK_ERR(syscall(SYS_epoll_create, -1), EINVAL);
	CHECK_ERR(epoll_create1(0x1), EINVAL);
	int a = epoll_create(1), b = epoll_create1(EPOLL_CLOEXEC);
	CHECK(a >= 0 && b >= 0);
	CHECK(!(fcntl(a, F_GETFD) & FD_CLOEXEC));
	CHECK(fcntl(b, F_GETFD) & FD_CLOEXEC);
	char path[64], link[64] = "";
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a);
	CHECK(readlink(path, link, sizeof(link) - 1) > 0);
	CHECK(strcmp(link, "anon_inode:[eventpoll]") == 0, "link is %s", link);
}

GTEST(ctl_errors_as_linux)
{
	int ep = xepoll(), p[2];
	xpipe(p);
	add(ep, p[0], EPOLLIN, 0);
	CHECK_ERR(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN), EEXIST);
	CHECK_ERR(ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT), ENOENT);
	CHECK_ERR(ctl(ep, EPOLL_CTL_DEL, p[1], 0), ENOENT);
	CHECK_ERR(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN), EINVAL);
	CHECK_ERR(ctl(p[1], EPOLL_CTL_ADD, p[0], EPOLLIN), EINVAL);   /* not an epoll */
	CHECK_ERR(ctl(ep, 99, p[1], EPOLLIN), EINVAL);
	CHECK_ERR(ctl(ep, EPOLL_CTL_ADD, 1000, EPOLLIN), EBADF);
	CHECK_ERR(ctl(1000, EPOLL_CTL_ADD, p[1], EPOLLIN), EBADF);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], NULL), EFAULT);
	int file = open("/proc/self/exe", O_RDONLY);
	CHECK(file >= 0);
	CHECK_ERR(ctl(ep, EPOLL_CTL_ADD, file, EPOLLIN), EPERM);   /* a regular file */
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, p[0], 0), 0);
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &(struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP }), 0);
}

GTEST(exclusive_accepted_with_linux_checks)
{
	int ep = xepoll(), inner = xepoll(), p[2];
	xpipe(p);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE), 0);
	CHECK_ERR(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE), EINVAL);
	CHECK_ERR(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN), EINVAL);
	CHECK_ERR(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT), EINVAL);
	CHECK_ERR(ctl(ep, EPOLL_CTL_ADD, inner, EPOLLIN | EPOLLEXCLUSIVE), EINVAL);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(one_event(ep).events, EPOLLIN);
}

GTEST(wait_errors_as_linux)
{
	int ep = xepoll(), p[2];
	struct epoll_event ev, *volatile evp = &ev;   /* volatile: no compile-time size checks */
	xpipe(p);
	CHECK_ERR(epoll_wait(ep, evp, 0, 0), EINVAL);
	volatile int minus_one = -1;
	CHECK_ERR(epoll_wait(ep, evp, minus_one, 0), EINVAL);
	CHECK_ERR(epoll_wait(ep, evp, INT32_MAX / (int)sizeof(ev) + 1, 0), EINVAL);
	CHECK_ERR(epoll_wait(p[0], &ev, 1, 0), EINVAL);
	CHECK_ERR(epoll_wait(1000, &ev, 1, 0), EBADF);
	struct epoll_event *volatile kernel_half = (void *)0xffff800000000000UL, *volatile null = NULL;
	CHECK_ERR(epoll_wait(ep, kernel_half, 1, 0), EFAULT);
	add(ep, p[0], EPOLLIN, 3);
	CHECK_EQ(epoll_wait(ep, null, 1, 0), 0);   /* nothing to write: no fault */
	CHECK_EQ(write(p[1], "a", 1), 1);
	CHECK_ERR(epoll_wait(ep, null, 1, 0), EFAULT);
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 1);    /* the event was kept */
	CHECK_EQ(ev.data.u64, 3);
}

GTEST(level_triggered_reports_until_drained)
{
	int ep = xepoll(), p[2];
	struct epoll_event ev[2];
	xpipe(p);
	add(ep, p[0], EPOLLIN, 7);
	CHECK_EQ(ready_now(ep, ev, 2), 0);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	struct epoll_event e = one_event(ep);
	CHECK_EQ(e.events, EPOLLIN);
	CHECK_EQ(e.data.u64, 7);
	CHECK_EQ(one_event(ep).events, EPOLLIN);   /* still readable: reported again */
	char buf[2];
	CHECK_EQ(read(p[0], buf, 2), 2);
	CHECK_EQ(ready_now(ep, ev, 2), 0);
}

GTEST(edge_triggered_reports_once_per_write)
{
	int ep = xepoll(), p[2];
	struct epoll_event ev[2];
	xpipe(p);
	add(ep, p[0], EPOLLIN | EPOLLET, 1);
	CHECK_EQ(write(p[1], "a", 1), 1);
	CHECK_EQ(one_event(ep).events, EPOLLIN);
	CHECK_EQ(ready_now(ep, ev, 2), 0);        /* data left, but no new edge */
	CHECK_EQ(write(p[1], "b", 1), 1);
	CHECK_EQ(one_event(ep).events, EPOLLIN);
	CHECK_EQ(ready_now(ep, ev, 2), 0);
}

GTEST(oneshot_disarms_until_mod)
{
	int ep = xepoll(), p[2];
	struct epoll_event ev[2];
	xpipe(p);
	add(ep, p[0], EPOLLIN | EPOLLONESHOT, 3);
	CHECK_EQ(write(p[1], "a", 1), 1);
	CHECK_EQ(one_event(ep).data.u64, 3);
	CHECK_EQ(ready_now(ep, ev, 2), 0);
	CHECK_EQ(write(p[1], "b", 1), 1);
	CHECK_EQ(ready_now(ep, ev, 2), 0);        /* disarmed */
	struct epoll_event mod = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 4 };
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &mod), 0);
	CHECK_EQ(one_event(ep).data.u64, 4);
	CHECK_EQ(ready_now(ep, ev, 2), 0);
}

GTEST(mod_and_del_change_what_is_reported)
{
	int ep = xepoll(), p[2];
	struct epoll_event ev[2];
	xpipe(p);
	add(ep, p[1], EPOLLIN, 0);
	CHECK_EQ(ready_now(ep, ev, 2), 0);        /* a write end is never readable */
	struct epoll_event mod = { .events = EPOLLOUT, .data.u64 = 9 };
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &mod), 0);
	struct epoll_event e = one_event(ep);
	CHECK_EQ(e.events, EPOLLOUT);
	CHECK_EQ(e.data.u64, 9);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, p[1], 0), 0);
	CHECK_EQ(ready_now(ep, ev, 2), 0);
}

GTEST(hangup_and_error_always_reported)
{
	int ep = xepoll(), p[2], q[2];
	xpipe(p);
	xpipe(q);
	add(ep, p[0], EPOLLIN, 1);
	add(ep, q[1], EPOLLOUT, 2);
	CHECK_EQ(one_event(ep).data.u64, 2);       /* q's write end: writable */
	close(p[1]);
	close(q[0]);
	struct epoll_event ev[4];
	CHECK_EQ(ready_now(ep, ev, 4), 2);
	for (int i = 0; i < 2; i++) {
		if (ev[i].data.u64 == 1)
			CHECK_EQ(ev[i].events, EPOLLHUP);
		else
			CHECK_EQ(ev[i].events, EPOLLOUT | EPOLLERR);
	}
}

GTEST(watch_lives_as_long_as_the_open_file_description)
{
	int ep = xepoll(), p[2];
	struct epoll_event ev[2];
	xpipe(p);
	int dup_fd = dup(p[0]);
	add(ep, p[0], EPOLLIN, 5);
	close(p[0]);                               /* the description lives on in dup_fd */
	CHECK_EQ(write(p[1], "a", 1), 1);
	CHECK_EQ(one_event(ep).data.u64, 5);
	CHECK_ERR(ctl(ep, EPOLL_CTL_DEL, p[0], 0), EBADF);
	close(dup_fd);                             /* the last reference: the watch goes */
	CHECK_EQ(ready_now(ep, ev, 2), 0);
	xpipe(p);                                  /* the same fd number, a new file */
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN), 0);
}

GTEST(reports_past_maxevents_come_next_in_order)
{
	int ep = xepoll(), e[3];
	struct epoll_event ev[2];
	for (int i = 0; i < 3; i++) {
		e[i] = eventfd(1, 0);
		add(ep, e[i], EPOLLIN, 10 + i);
	}
	CHECK_EQ(ready_now(ep, ev, 2), 2);
	CHECK_EQ(ev[0].data.u64, 10);
	CHECK_EQ(ev[1].data.u64, 11);
	CHECK_EQ(ready_now(ep, ev, 2), 2);          /* the one left first, then the oldest */
	CHECK_EQ(ev[0].data.u64, 12);
	CHECK_EQ(ev[1].data.u64, 10);
}

GTEST(eventfd_and_signalfd_in_epoll)
{
	int ep = xepoll();
	int efd = eventfd(0, EFD_NONBLOCK);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	int sfd = signalfd(-1, &s, SFD_NONBLOCK);
	add(ep, efd, EPOLLIN | EPOLLOUT, 1);
	add(ep, sfd, EPOLLIN, 2);
	struct epoll_event e = one_event(ep);
	CHECK_EQ(e.data.u64, 1);
	CHECK_EQ(e.events, EPOLLOUT);
	uint64_t v = 1;
	CHECK_EQ(write(efd, &v, 8), 8);
	CHECK_EQ(one_event(ep).events, EPOLLIN | EPOLLOUT);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, efd, 0), 0);
	raise(SIGUSR1);
	e = one_event(ep);
	CHECK_EQ(e.data.u64, 2);
	CHECK_EQ(e.events, EPOLLIN);
	struct signalfd_siginfo si;
	CHECK_EQ(read(sfd, &si, sizeof(si)), sizeof(si));
	struct epoll_event ev[2];
	CHECK_EQ(ready_now(ep, ev, 2), 0);
}

GTEST(timerfd_and_fifo_in_epoll)
{
	int ep = xepoll();
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(tfd >= 0, "timerfd_create: %s", strerror(errno));
	add(ep, tfd, EPOLLIN, 1);
	struct itimerspec its = { .it_value = { 0, 1 } };   /* due at once */
	CHECK_EQ(timerfd_settime(tfd, 0, &its, NULL), 0);
	struct epoll_event ev[2];
	CHECK_EQ(epoll_wait(ep, ev, 2, -1), 1);           /* the timer's interrupt wakes it */
	CHECK_EQ(ev[0].data.u64, 1);
	char path[64];
	snprintf(path, sizeof(path), "/tmp/epoll-fifo-%d", getpid());
	CHECK_EQ(mkfifo(path, 0600), 0);
	int rd = open(path, O_RDONLY | O_NONBLOCK), wr = open(path, O_WRONLY);
	unlink(path);
	CHECK(rd >= 0 && wr >= 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, tfd, 0), 0);
	add(ep, rd, EPOLLIN, 2);
	CHECK_EQ(ready_now(ep, ev, 2), 0);
	CHECK_EQ(write(wr, "f", 1), 1);
	CHECK_EQ(one_event(ep).data.u64, 2);
}

GTEST(nested_epoll_and_loops)
{
	int outer = xepoll(), inner = xepoll(), p[2];
	struct epoll_event ev[2];
	xpipe(p);
	add(inner, p[0], EPOLLIN, 1);
	add(outer, inner, EPOLLIN, 2);
	CHECK_ERR(ctl(inner, EPOLL_CTL_ADD, outer, EPOLLIN), ELOOP);
	CHECK_EQ(ready_now(outer, ev, 2), 0);
	struct pollfd pf = { .fd = inner, .events = POLLIN };
	CHECK_EQ(poll(&pf, 1, 0), 0);
	CHECK_EQ(write(p[1], "a", 1), 1);
	CHECK_EQ(poll(&pf, 1, 0), 1);
	CHECK_EQ(pf.revents, POLLIN);
	struct epoll_event e = one_event(outer);
	CHECK_EQ(e.data.u64, 2);
	CHECK_EQ(e.events, EPOLLIN);
	CHECK_EQ(one_event(inner).data.u64, 1);
}

GTEST(chain_deeper_than_linux_allows_eloop)
{
	int ep[7];
	for (int i = 0; i < 7; i++)
		ep[i] = xepoll();
	int i, err = 0;
	for (i = 1; i < 7; i++) {
		if (ctl(ep[i], EPOLL_CTL_ADD, ep[i - 1], EPOLLIN)) {
			err = errno;
			break;
		}
	}
	CHECK_EQ(err, ELOOP);
	CHECK_EQ(i, 5);   /* Linux: at most 5 epolls in a chain (EP_MAX_NESTS 4) */
}

/* A child that writes a byte to fd once the parent sleeps. */
static pid_t late_writer(int fd)
{
	pid_t pid = xfork();
	if (pid == 0) {
		wait_sleeping(getppid());
		CHECK_EQ(write(fd, "!", 1), 1);
		_exit(0);
	}
	return pid;
}

GTEST(wait_sleeps_until_another_process_writes)
{
	int ep = xepoll(), p[2];
	struct epoll_event ev[2];
	xpipe(p);
	add(ep, p[0], EPOLLIN, 8);
	pid_t child = late_writer(p[1]);
	CHECK_EQ(epoll_wait(ep, ev, 2, -1), 1);
	CHECK_EQ(ev[0].data.u64, 8);
	CHECK_EQ(wait_status(child), 0);
}

GTEST(poll_on_epoll_sleeps_until_a_member_is_ready)
{
	int ep = xepoll(), p[2];
	xpipe(p);
	add(ep, p[0], EPOLLIN, 0);
	pid_t child = late_writer(p[1]);
	struct pollfd pf = { .fd = ep, .events = POLLIN };
	CHECK_EQ(poll(&pf, 1, -1), 1);
	CHECK_EQ(pf.revents, POLLIN);
	CHECK_EQ(wait_status(child), 0);
}

/* ---- threads ---- */

static int thread_ep;
static volatile pid_t waiter_tid;

static void *epoll_waiter(void *arg)
{
	struct epoll_event ev[2];
	(void)arg;
	waiter_tid = gettid();
	int n = epoll_wait(thread_ep, ev, 2, -1);
	return (void *)(long)(n == 1 ? (long)ev[0].data.u64 : -1 - n);
}

GTEST(thread_in_wait_woken_by_write_from_another_cpu)
{
	thread_ep = xepoll();
	int efd = eventfd(0, 0);
	add(thread_ep, efd, EPOLLIN, 77);
	for (int round = 0; round < 20; round++) {
		waiter_tid = 0;
		pthread_t th;
		CHECK_EQ(pthread_create(&th, NULL, epoll_waiter, NULL), 0);
		while (!waiter_tid)
			sched_yield();
		if (round % 2)
			wait_until_asleep(getpid(), waiter_tid);
		uint64_t v = 1;
		CHECK_EQ(write(efd, &v, 8), 8);
		void *got;
		CHECK_EQ(pthread_join(th, &got), 0);
		CHECK_EQ((long)got, 77);
		CHECK_EQ(read(efd, &v, 8), 8);
	}
}

static void on_usr1(int sig)
{
	(void)sig;
}

GTEST(pwait_mask_is_atomic_and_restored)
{
	int ep = xepoll(), p[2];
	struct epoll_event ev[2];
	xpipe(p);
	add(ep, p[0], EPOLLIN, 0);
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, empty, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);                            /* pending, blocked */
	CHECK_EQ(epoll_pwait(ep, ev, 2, 0, &block), 0);
	CHECK_ERR(epoll_pwait(ep, ev, 2, -1, &empty), EINTR);   /* unblocked inside: delivered */
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1), "the old mask is back");
	pid_t child = late_writer(p[1]);
	CHECK_EQ(epoll_pwait(ep, ev, 2, -1, &block), 1);
	CHECK_EQ(wait_status(child), 0);
}

GTEST(pwait2_takes_a_timespec)
{
	int ep = xepoll(), p[2];
	struct epoll_event ev[2];
	xpipe(p);
	add(ep, p[0], EPOLLIN, 6);
	struct timespec zero = { 0, 0 }, bad = { 0, 1000000000 };
	long r = syscall(SYS_epoll_pwait2, ep, ev, 2, &zero, NULL, 8);
	if (r < 0 && errno == ENOSYS)
		SKIP("no epoll_pwait2 in this kernel");
	CHECK_EQ(r, 0);
	CHECK_ERR(syscall(SYS_epoll_pwait2, ep, ev, 2, &bad, NULL, 8), EINVAL);
	pid_t child = late_writer(p[1]);
	CHECK_EQ(syscall(SYS_epoll_pwait2, ep, ev, 2, NULL, NULL, 8), 1);
	CHECK_EQ(ev[0].data.u64, 6);
	CHECK_EQ(wait_status(child), 0);
}

GTEST(signalfd_watch_outlives_the_process_that_added_it)
{
	int ep = xepoll();
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	int sfd = signalfd(-1, &s, SFD_NONBLOCK);
	pid_t child = xfork();
	if (child == 0) {
		add(ep, sfd, EPOLLIN, 1);   /* hooked on the child's signal queue */
		_exit(0);
	}
	CHECK_EQ(wait_status(child), 0);           /* its queue is gone: the watch let go */
	struct epoll_event ev[2];
	raise(SIGUSR2);
	CHECK(ready_now(ep, ev, 2) <= 1);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, sfd, 0), 0);
	close(ep);
}
