/*
 * flock.c - advisory file locks as Linux has them: fcntl record locks
 * (conflicts between processes, F_GETLK's answer, ranges split and
 * merged, not inherited by fork, all dropped when the process closes any
 * descriptor of the file, F_SETLKW sleeping until the way is free,
 * EDEADLK for a wait that would close a circle), open-file-description
 * locks (conflicting even within a process, shared by dup, dropped at the
 * last close, l_pid -1) and flock (whole file, its own namespace,
 * conversions, LOCK_NB), on files with or without an inode of their own,
 * with the EBADF and EINVAL cases. Each test uses a file of its own under
 * /tmp.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>

static char path[64];

/* A fresh 4 KiB file of this test process, opened read-write. */
static int new_file(void)
{
	snprintf(path, sizeof(path), "/tmp/gtest-flock-%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	CHECK_EQ(ftruncate(fd, 4096), 0);
	return fd;
}

static int reopen(int flags)
{
	int fd = open(path, flags);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

/* fcntl(fd, cmd) with a lock of type on [start, start+len). */
static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* F_GETLK (or F_OFD_GETLK) for type on [start, start+len). */
static struct flock getlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	CHECK(fcntl(fd, cmd, &fl) == 0, "GETLK: %s", strerror(errno));
	return fl;
}

#define CHECK_LOCK(fl, type, start, len, pid) do { struct flock f_ = (fl); \
	CHECK(f_.l_type == (type) && f_.l_start == (start) && f_.l_len == (len) && f_.l_pid == (pid), \
	      "lock type %d start %ld len %ld pid %d", f_.l_type, (long)f_.l_start, \
	      (long)f_.l_len, (int)f_.l_pid); } while (0)

/* Run check(fd) in a child with its own open of the file; its exit status. */
static int in_child(void (*check)(int fd, pid_t parent))
{
	pid_t parent = getpid();
	pid_t pid = xfork();
	if (pid == 0) {
		check(reopen(O_RDWR), parent);
		_exit(0);
	}
	return wait_status(pid);
}

static void child_sees_parent_lock(int fd, pid_t parent)
{
	CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, 5, 10), EAGAIN);
	CHECK_ERR(lk(fd, F_SETLK, F_RDLCK, 9, 1), EAGAIN);
	CHECK_LOCK(getlk(fd, F_GETLK, F_RDLCK, 5, 10), F_WRLCK, 0, 10, parent);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 10, 10), 0);           /* just past it */
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 100, 100), 0);         /* read locks share */
	CHECK_LOCK(getlk(fd, F_GETLK, F_WRLCK, 150, 0), F_RDLCK, 100, 100, parent);
}

GTEST(fcntl_locks_conflict_between_processes_and_getlk_names_the_holder)
{
	int fd = new_file();
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 10), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 100, 100), 0);
	CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 0, 0).l_type, F_UNLCK);   /* our own: no conflict */
	CHECK_EXITED(in_child(child_sees_parent_lock), 0);
	unlink(path);
}

static void child_sees_split(int fd, pid_t parent)
{
	CHECK_LOCK(getlk(fd, F_GETLK, F_RDLCK, 0, 45), F_WRLCK, 0, 40, parent);
	CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 40, 10).l_type, F_UNLCK);
	CHECK_LOCK(getlk(fd, F_GETLK, F_RDLCK, 55, 10), F_WRLCK, 60, 0, parent);
	CHECK_LOCK(getlk(fd, F_GETLK, F_WRLCK, 50, 5), F_RDLCK, 50, 10, parent);
}

static void child_sees_merged(int fd, pid_t parent)
{
	CHECK_LOCK(getlk(fd, F_GETLK, F_RDLCK, 10, 1), F_WRLCK, 0, 0, parent);
}

GTEST(fcntl_locks_split_convert_and_merge)
{
	int fd = new_file();
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 0), 0);        /* the whole file */
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 40, 20), 0);      /* a hole [40, 60) */
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 50, 10), 0);      /* read lock [50, 60) */
	CHECK_EXITED(in_child(child_sees_split), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 40, 20), 0);      /* back to one write lock */
	CHECK_EXITED(in_child(child_sees_merged), 0);
	unlink(path);
}

/* A child's open of the file tries to lock all of it: 0 if it could. */
static int child_try_lock_all(void)
{
	pid_t pid = xfork();
	if (pid == 0)
		_exit(lk(reopen(O_RDWR), F_SETLK, F_WRLCK, 0, 0) == 0 ? 0 : 1);
	int status = wait_status(pid);
	CHECK(WIFEXITED(status), "child %s", status_str(status));
	return WEXITSTATUS(status);
}

GTEST(fcntl_locks_go_with_any_close_and_are_not_inherited)
{
	int fd = new_file();
	int other = reopen(O_RDONLY);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 0), 0);
	pid_t pid = xfork();
	if (pid == 0) {   /* the child's copy of fd carries no lock of its own */
		CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(child_try_lock_all() != 0, "the lock must still be held");
	close(other);                                       /* another descriptor */
	CHECK_EQ(child_try_lock_all(), 0);
	close(fd);
	unlink(path);
}

GTEST(fcntl_setlkw_waits_for_the_holder)
{
	int fd = new_file();
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 10), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		int mine = reopen(O_RDWR);
		if (lk(mine, F_SETLKW, F_RDLCK, 5, 1) != 0)
			_exit(2);
		/* the parent's unlock let us in, and its lock is gone */
		_exit(getlk(mine, F_GETLK, F_WRLCK, 0, 10).l_type == F_UNLCK ? 0 : 3);
	}
	wait_sleeping(pid);
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	CHECK_EXITED(wait_status(pid), 0);
	unlink(path);
}

GTEST(fcntl_setlkw_that_would_deadlock_is_EDEADLK)
{
	int fd = new_file();
	int sync[2];
	CHECK_EQ(pipe(sync), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 1), 0);        /* we hold A */
	pid_t pid = xfork();
	if (pid == 0) {
		int mine = reopen(O_RDWR);
		if (lk(mine, F_SETLK, F_WRLCK, 1, 1) != 0)       /* the child holds B */
			_exit(2);
		close(sync[1]);
		_exit(lk(mine, F_SETLKW, F_WRLCK, 0, 1) == 0 ? 0 : 3);   /* and waits for A */
	}
	close(sync[1]);
	char c;
	CHECK_EQ(read(sync[0], &c, 1), 0);
	wait_sleeping(pid);
	CHECK_ERR(lk(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK);   /* waiting for B: a circle */
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 1), 0);
	CHECK_EXITED(wait_status(pid), 0);
	close(sync[0]);
	unlink(path);
}

GTEST(ofd_locks_belong_to_the_open_file)
{
	int a = new_file();
	int b = reopen(O_RDWR);
	CHECK_EQ(lk(a, F_OFD_SETLK, F_WRLCK, 0, 10), 0);
	CHECK_ERR(lk(b, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);   /* same process, other file */
	CHECK_ERR(lk(b, F_SETLK, F_RDLCK, 5, 1), EAGAIN);       /* POSIX locks meet them */
	CHECK_LOCK(getlk(b, F_OFD_GETLK, F_RDLCK, 0, 0), F_WRLCK, 0, 10, -1);
	CHECK_LOCK(getlk(b, F_GETLK, F_RDLCK, 0, 0), F_WRLCK, 0, 10, -1);
	struct flock bad = { .l_type = F_RDLCK, .l_pid = 1 };
	CHECK_ERR(fcntl(b, F_OFD_SETLK, &bad), EINVAL);
	int d = dup(a);
	close(d);                                   /* not the last close of the file */
	CHECK_ERR(lk(b, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);
	CHECK_EQ(lk(a, F_OFD_SETLK, F_RDLCK, 0, 10), 0);        /* converted to read */
	CHECK_EQ(lk(b, F_OFD_SETLK, F_RDLCK, 5, 1), 0);
	CHECK_EQ(lk(b, F_OFD_SETLK, F_UNLCK, 0, 0), 0);
	close(a);                                   /* the last close drops it */
	CHECK_EQ(lk(b, F_OFD_SETLK, F_WRLCK, 0, 0), 0);
	close(b);
	unlink(path);
}

GTEST(flock_whole_file_locks_apart_from_fcntl_locks)
{
	int a = new_file();
	int b = reopen(O_RDONLY);
	CHECK_EQ(flock(a, LOCK_EX), 0);
	CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	CHECK_EQ(lk(a, F_SETLK, F_WRLCK, 0, 0), 0);             /* another namespace */
	CHECK_EQ(lk(a, F_SETLK, F_UNLCK, 0, 0), 0);
	CHECK_EQ(flock(a, LOCK_EX | LOCK_NB), 0);               /* held already */
	pid_t pid = xfork();
	if (pid == 0)   /* the child shares the open file, so its lock */
		_exit(flock(a, LOCK_SH) == 0 ? 0 : 2);          /* converts it to shared */
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(flock(b, LOCK_SH | LOCK_NB), 0);
	CHECK_ERR(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);   /* and, as Linux, */
	CHECK_EQ(flock(b, LOCK_EX | LOCK_NB), 0);              /* a's lock went first */
	CHECK_ERR(flock(a, 0), EINVAL);
	CHECK_ERR(flock(-1, LOCK_SH), EBADF);
	int pfd[2];   /* any open file can be flocked (a kernel crash once) */
	CHECK_EQ(pipe(pfd), 0);
	CHECK_EQ(flock(pfd[0], LOCK_EX | LOCK_NB), 0);
	close(pfd[0]);
	close(pfd[1]);
	CHECK_EQ(flock(b, LOCK_UN), 0);
	CHECK_EQ(flock(a, LOCK_EX), 0);
	int d = dup(a);
	close(a);                                   /* d still holds the file open */
	CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	close(d);
	CHECK_EQ(flock(b, LOCK_EX | LOCK_NB), 0);
	close(b);
	unlink(path);
}

/* A file without an inode of its own (a timerfd) takes locks too: on
 * Linux, on the one anonymous inode all such files share. Only shared
 * locks here: that inode is the whole machine's. */
GTEST(files_without_an_inode_take_locks)
{
	int a = timerfd_create(CLOCK_MONOTONIC, 0), b = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(a >= 0 && b >= 0, "timerfd_create: %s", strerror(errno));
	CHECK_EQ(flock(a, LOCK_SH | LOCK_NB), 0);
	CHECK_EQ(flock(b, LOCK_SH | LOCK_NB), 0);
	CHECK_EQ(flock(a, LOCK_UN), 0);
	CHECK_EQ(lk(a, F_SETLK, F_RDLCK, 0, 1), 0);
	CHECK_EQ(lk(a, F_SETLK, F_UNLCK, 0, 1), 0);
	CHECK_EQ(lk(b, F_OFD_SETLK, F_RDLCK, 0, 1), 0);
	close(a);
	close(b);                                   /* takes its locks with it */
}

GTEST(fcntl_lock_errors)
{
	int fd = new_file();
	int ro = reopen(O_RDONLY);
	int wo = reopen(O_WRONLY);
	CHECK_ERR(lk(ro, F_SETLK, F_WRLCK, 0, 1), EBADF);
	CHECK_ERR(lk(wo, F_SETLK, F_RDLCK, 0, 1), EBADF);
	CHECK_EQ(lk(ro, F_SETLK, F_RDLCK, 0, 1), 0);
	CHECK_ERR(lk(fd, F_SETLK, 7, 0, 1), EINVAL);
	CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, -1, 1), EINVAL);
	CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, 0, -1), EINVAL);      /* before byte 0 */
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 10, -5), 0);           /* [5, 10) */
	struct flock fl = { .l_type = F_WRLCK, .l_whence = 9 };
	CHECK_ERR(fcntl(fd, F_SETLK, &fl), EINVAL);
	CHECK_ERR(fcntl(fd, F_SETLK, (void *)8), EFAULT);
	fl.l_type = F_UNLCK;
	fl.l_whence = SEEK_SET;
	CHECK_ERR(fcntl(fd, F_GETLK, &fl), EINVAL);
	close(ro);
	close(wo);
	unlink(path);
}

/* The line of /proc/locks that ends with "pid dev:ino range", or fail. */
static void check_proc_locks(const char *kind, const char *type, int pid, struct stat *st,
			     const char *range)
{
	char want[128], line[256];
	snprintf(want, sizeof(want), "%-6s ADVISORY  %s %d %02x:%02x:%lu %s\n", kind, type, pid,
		 major(st->st_dev), minor(st->st_dev), (unsigned long)st->st_ino, range);
	FILE *f = fopen("/proc/locks", "r");
	CHECK(f != NULL, "open /proc/locks: %s", strerror(errno));
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *rest = strchr(line, ' ');
		found = rest && strcmp(rest + 1, want) == 0;
	}
	fclose(f);
	CHECK(found, "no line \"%.*s\" in /proc/locks", (int)strlen(want) - 1, want);
}

GTEST(proc_locks_lists_every_kind)
{
	int fd = new_file();
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 10), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 100, 0), 0);
	int other = reopen(O_RDWR);
	CHECK_EQ(lk(other, F_OFD_SETLK, F_RDLCK, 20, 5), 0);
	CHECK_EQ(flock(fd, LOCK_EX), 0);
	check_proc_locks("POSIX", "WRITE", getpid(), &st, "0 9");
	check_proc_locks("POSIX", "READ", getpid(), &st, "100 EOF");
	check_proc_locks("OFDLCK", "READ", -1, &st, "20 24");
	check_proc_locks("FLOCK", "WRITE", getpid(), &st, "0 EOF");
	close(other);
	close(fd);
	unlink(path);
}
