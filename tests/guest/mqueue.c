/*
 * mqueue.c - POSIX message queues: queues are made and found by name,
 * messages come back highest priority first and in order within one,
 * size and access are checked, senders and receivers sleep (or fail with
 * EAGAIN under O_NONBLOCK, ETIMEDOUT after a timeout), mq_notify signals
 * a registered process once when a message reaches an empty queue, and
 * mq_unlink removes the name but not open queues; a mount of the mqueue
 * file system lists the names, and unlink there is mq_unlink. Every
 * test unlinks the queues it makes.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <mqueue.h>
#include <dirent.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

/* A queue name of this test process. */
static const char *qname(const char *tag)
{
	static char name[64];
	snprintf(name, sizeof(name), "/gtest-%s-%d", tag, (int)getpid());
	return name;
}

/* A new queue of maxmsg messages of msgsize bytes, open read-write,
 * already unlinked unless keep. */
static mqd_t new_queue(const char *tag, long maxmsg, long msgsize, int flags, bool keep)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	const char *name = qname(tag);
	mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | flags, 0600, &a);
	if (q == (mqd_t)-1 && errno == ENOSYS)
		SKIP("no POSIX message queues");
	CHECK(q != (mqd_t)-1, "mq_open %s: %s", name, strerror(errno));
	if (!keep)
		CHECK_EQ(mq_unlink(name), 0);
	return q;
}

GTEST(mq_receive_highest_priority_first_fifo_within)
{
	mqd_t q = new_queue("prio", 8, 32, 0, false);
	CHECK_EQ(mq_send(q, "a", 1, 1), 0);
	CHECK_EQ(mq_send(q, "b", 1, 5), 0);
	CHECK_EQ(mq_send(q, "c", 1, 5), 0);
	CHECK_EQ(mq_send(q, "d", 1, 0), 0);
	const char *want = "bcad";
	unsigned prios[] = { 5, 5, 1, 0 };
	for (int i = 0; i < 4; i++) {
		char buf[32];
		unsigned prio = 99;
		CHECK_EQ(mq_receive(q, buf, sizeof(buf), &prio), 1);
		CHECK(buf[0] == want[i], "message %d is %c, expected %c", i, buf[0], want[i]);
		CHECK_EQ(prio, prios[i]);
	}
}

GTEST(mq_open_checks_names_flags_and_attributes)
{
	const char *name = qname("open");
	struct mq_attr bad = { .mq_maxmsg = 0, .mq_msgsize = 8 };
	CHECK_ERR(mq_open(name, O_RDWR | O_CREAT, 0600, &bad), EINVAL);
	bad = (struct mq_attr){ .mq_maxmsg = 4, .mq_msgsize = -1 };
	CHECK_ERR(mq_open(name, O_RDWR | O_CREAT, 0600, &bad), EINVAL);
	CHECK_ERR(mq_open(name, O_RDWR), ENOENT);
	mqd_t q = new_queue("open", 4, 16, 0, true);
	int eexist = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL) == (mqd_t)-1 ? errno : 0;
	int einval = syscall(SYS_mq_open, name + 1, O_ACCMODE, 0600, NULL) == -1 ? errno : 0;
	mqd_t again = mq_open(name, O_RDONLY);
	int unlinked = mq_unlink(name);
	CHECK_EQ(eexist, EEXIST);
	CHECK_EQ(einval, EINVAL);
	CHECK(again != (mqd_t)-1, "reopen: %s", strerror(errno));
	CHECK_EQ(unlinked, 0);
	CHECK_ERR(mq_unlink(name), ENOENT);
	/* The kernel's own name rules (the libcs strip the leading '/'). */
	CHECK_ERR(syscall(SYS_mq_open, "a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES);
	CHECK_ERR(syscall(SYS_mq_open, "", O_RDWR | O_CREAT, 0600, NULL), ENOENT);
	CHECK_ERR(syscall(SYS_mq_open, name + 1, O_ACCMODE, 0600, NULL), ENOENT);   /* gone */
	char buf[16];
	CHECK_ERR(mq_send(again, "x", 1, 0), EBADF);             /* read-only descriptor */
	CHECK_ERR(mq_receive(0, buf, sizeof(buf), NULL), EBADF); /* not a queue */
	CHECK_EQ(mq_send(q, "x", 1, 0), 0);
	CHECK_ERR(mq_send(q, "x", 1, 32768), EINVAL);            /* MQ_PRIO_MAX */
}

GTEST(mq_sizes_nonblock_and_attributes)
{
	mqd_t q = new_queue("sizes", 2, 8, O_NONBLOCK, false);
	char buf[64];
	CHECK_ERR(mq_send(q, "123456789", 9, 0), EMSGSIZE);
	CHECK_ERR(mq_receive(q, buf, 7, NULL), EMSGSIZE);
	CHECK_ERR(mq_receive(q, buf, sizeof(buf), NULL), EAGAIN);
	CHECK_EQ(mq_send(q, "one", 3, 0), 0);
	CHECK_EQ(mq_send(q, "two", 3, 0), 0);
	CHECK_ERR(mq_send(q, "three", 5, 0), EAGAIN);
	struct mq_attr a;
	CHECK_EQ(mq_getattr(q, &a), 0);
	CHECK_EQ(a.mq_maxmsg, 2);
	CHECK_EQ(a.mq_msgsize, 8);
	CHECK_EQ(a.mq_curmsgs, 2);
	CHECK(a.mq_flags & O_NONBLOCK);
	struct mq_attr set = { .mq_flags = 0 }, old;
	CHECK_EQ(mq_setattr(q, &set, &old), 0);
	CHECK(old.mq_flags & O_NONBLOCK);
	CHECK_EQ(mq_getattr(q, &a), 0);
	CHECK_EQ(a.mq_flags, 0);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK_ERR(mq_timedsend(q, "x", 1, 0, &ts), ETIMEDOUT);
	struct timespec bad = { ts.tv_sec, 1000000000 };
	CHECK_ERR(mq_timedsend(q, "x", 1, 0, &bad), EINVAL);
}

GTEST(mq_timedreceive_times_out)
{
	mqd_t q = new_queue("timeout", 2, 8, 0, false);
	char buf[8];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec -= 1;   /* already past: at once */
	CHECK_ERR(mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), ETIMEDOUT);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 30 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK_ERR(mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), ETIMEDOUT);
}

GTEST(mq_receiver_and_sender_sleep_for_each_other)
{
	mqd_t q = new_queue("sleep", 1, 16, 0, true);
	const char *name = qname("sleep");
	pid_t pid = xfork();
	if (pid == 0) {
		mqd_t c = mq_open(name, O_RDWR);
		CHECK(c != (mqd_t)-1);
		char buf[16];
		CHECK_EQ(mq_receive(c, buf, sizeof(buf), NULL), 5);   /* sleeps until the parent sends */
		CHECK(memcmp(buf, "hello", 5) == 0);
		CHECK_EQ(mq_send(c, "r1", 2, 0), 0);
		CHECK_EQ(mq_send(c, "r2", 2, 0), 0);                 /* sleeps: the queue holds one */
		_exit(0);
	}
	CHECK_EQ(mq_send(q, "hello", 5, 0), 0);
	char buf[16];
	for (int i = 0; i < 2; i++) {
		ssize_t n;
		do   /* our own "hello" may come back if the child was slow: send it again */
			n = mq_receive(q, buf, sizeof(buf), NULL);
		while (n == 5 && mq_send(q, "hello", 5, 0) == 0);
		CHECK_EQ(n, 2);
		CHECK(buf[0] == 'r' && buf[1] == '1' + i, "got %.2s", buf);
	}
	int st = wait_status(pid);
	mq_unlink(name);
	CHECK_EXITED(st, 0);
}

static volatile sig_atomic_t got_sig, got_code, got_pid, got_value;

static void on_notify(int sig, siginfo_t *si, void *uc)
{
	got_sig = sig;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_value = si->si_value.sival_int;
}

GTEST(mq_notify_signals_once_when_a_message_arrives)
{
	mqd_t q = new_queue("notify", 4, 16, 0, false);
	struct sigaction sa = { .sa_sigaction = on_notify, .sa_flags = SA_SIGINFO };
	sigaction(SIGUSR1, &sa, NULL);
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	sev.sigev_value.sival_int = 42;
	CHECK_EQ(mq_notify(q, &sev), 0);
	CHECK_ERR(mq_notify(q, &sev), EBUSY);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_ERR(mq_notify(q, &sev), EBUSY);   /* registered by the parent */
		CHECK_EQ(mq_send(q, "x", 1, 0), 0);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	for (int i = 0; i < 1000 && !got_sig; i++)
		sleep_ms(1);
	CHECK_EQ(got_sig, SIGUSR1);
	CHECK_EQ(got_code, SI_MESGQ);
	CHECK_EQ(got_pid, pid);
	CHECK_EQ(got_value, 42);
	got_sig = 0;
	CHECK_EQ(mq_send(q, "y", 1, 0), 0);   /* the registration was used up */
	sleep_ms(10);
	CHECK_EQ(got_sig, 0);
	CHECK_EQ(mq_notify(q, &sev), 0);      /* so it can be made again */
	CHECK_EQ(mq_notify(q, NULL), 0);
}

GTEST(mq_notify_takes_signal_0_and_checks_the_others)
{
	mqd_t q = new_queue("signo", 4, 16, 0, false);
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 65 };
	CHECK_ERR(mq_notify(q, &sev), EINVAL);
	sev.sigev_signo = -1;
	CHECK_ERR(mq_notify(q, &sev), EINVAL);
	sev.sigev_signo = SIGUSR1;
	sev.sigev_notify = 99;
	CHECK_ERR(mq_notify(q, &sev), EINVAL);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = 0;   /* valid: registers, and the message sends no signal */
	CHECK_EQ(mq_notify(q, &sev), 0);
	CHECK_ERR(mq_notify(q, &sev), EBUSY);
	CHECK_EQ(mq_send(q, "x", 1, 0), 0);
	CHECK_EQ(mq_notify(q, &sev), 0);   /* the registration was used up */
	CHECK_EQ(mq_notify(q, NULL), 0);
}

GTEST(mq_notify_given_up_when_its_descriptor_closes)
{
	mqd_t q = new_queue("release", 4, 16, 0, true);
	const char *name = qname("release");
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	pid_t pid = xfork();
	if (pid == 0) {
		mqd_t c = mq_open(name, O_RDONLY);
		CHECK_EQ(mq_notify(c, &sev), 0);
		CHECK_EQ(mq_close(c), 0);
		_exit(0);
	}
	int st = wait_status(pid);
	int r = mq_notify(q, &sev);
	mq_unlink(name);
	CHECK_EXITED(st, 0);
	CHECK(r == 0, "mq_notify after the other closed: %s", strerror(errno));
}

GTEST(mq_descriptor_reads_status_and_polls)
{
	mqd_t q = new_queue("status", 4, 16, 0, false);
	struct pollfd p = { .fd = (int)q, .events = POLLIN | POLLOUT };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLOUT);
	CHECK_EQ(mq_send(q, "hello", 5, 0), 0);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN | POLLOUT);
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	CHECK_EQ(mq_notify(q, &sev), 0);
	char line[128] = "";
	CHECK(read((int)q, line, sizeof(line) - 1) > 0, "read: %s", strerror(errno));
	char want[128];
	snprintf(want, sizeof(want), "QSIZE:%-10d NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", 5, 0,
		 SIGUSR2, (int)getpid());
	CHECK(strcmp(line, want) == 0, "read \"%s\", expected \"%s\"", line, want);
}

/* Is name an entry of directory dir? */
static bool dir_has(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;
	while (d && !found && (e = readdir(d)))
		found = strcmp(e->d_name, name) == 0;
	if (d)
		closedir(d);
	return found;
}

#define MQUEUE_MAGIC 0x19800202   /* Linux's, from ipc/mqueue.c */

/* mount -t mqueue: each queue is a regular file of its mode, named
 * without the slash; reading it gives the status line, statfs the
 * magic; unlink there removes the queue's name as mq_unlink does. */
GTEST(mqueue_mount_lists_queues_and_unlink_removes_them)
{
	char dir[64], path[128];
	snprintf(dir, sizeof(dir), "/tmp/gtest-mqfs-%d", (int)getpid());
	CHECK_EQ(mkdir(dir, 0700), 0);
	if (mount("none", dir, "mqueue", 0, NULL) != 0) {
		int err = errno;
		rmdir(dir);
		if (err == EPERM)
			SKIP("mount needs CAP_SYS_ADMIN");
		CHECK(0, "mount mqueue: %s", strerror(err));
	}
	mqd_t q = new_queue("fs", 4, 16, 0, true);
	const char *name = qname("fs");
	CHECK_EQ(mq_send(q, "hello", 5, 0), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name + 1);
	CHECK(dir_has(dir, name + 1), "%s not listed in %s", name + 1, dir);
	struct stat st;
	CHECK_EQ(stat(path, &st), 0);
	CHECK(S_ISREG(st.st_mode), "mode 0%o", st.st_mode);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(stat(dir, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 01777);
	struct statfs sf;
	CHECK_EQ(statfs(dir, &sf), 0);
	CHECK_EQ((unsigned long)sf.f_type, MQUEUE_MAGIC);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	char line[128] = "";
	CHECK(read(fd, line, sizeof(line) - 1) > 0, "read: %s", strerror(errno));
	CHECK(strncmp(line, "QSIZE:5 ", 8) == 0, "read \"%s\"", line);
	close(fd);
	CHECK_EQ(unlink(path), 0);
	CHECK(!dir_has(dir, name + 1));
	CHECK_EQ(stat(path, &st), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(mq_open(name, O_RDONLY), (mqd_t)-1);
	CHECK_EQ(errno, ENOENT);
	char buf[16];
	CHECK_EQ(mq_receive(q, buf, sizeof(buf), NULL), 5);   /* the open queue lives on */
	mq_close(q);
	CHECK_EQ(umount(dir), 0);
	CHECK_EQ(rmdir(dir), 0);
}
