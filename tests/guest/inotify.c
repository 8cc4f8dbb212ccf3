/*
 * inotify.c - inotify as Linux: a watched directory reports its
 * entries created, opened, modified, closed, moved (one cookie for both
 * halves) and deleted, with names NUL-padded to 16 bytes; a watched file
 * its attributes, its deletion (IN_DELETE_SELF, then IN_IGNORED);
 * IN_ONESHOT, IN_MASK_ADD, IN_MASK_CREATE, IN_ONLYDIR; identical events
 * merged; read's EINVAL for a buffer too small for the next record;
 * FIONREAD; poll and epoll readiness; IN_NONBLOCK and IN_CLOEXEC; the
 * errors of each call.
 *
 * Each test works in a fresh directory under /dev/shm (tmpfs on Linux,
 * ramfs in Aspen).
 */
#include "gtest.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static char dir[64];

static void setup(void)
{
	scratch_dir_enter(dir, sizeof(dir), "/dev/shm/inotify-XXXXXX");
}

static void cleanup(void)
{
	scratch_dir_leave(dir);
}

/* One event as read: its header and name. */
struct ev {
	int wd;
	uint32_t mask, cookie, len;
	char name[64];
};

/* Read the queued events (non-blocking fd) into evs; their number. */
static int read_events(int fd, struct ev *evs, int max)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0 && errno == EAGAIN)
		return 0;
	CHECK(n > 0, "read: %zd %s", n, strerror(errno));
	int count = 0;
	for (ssize_t off = 0; off < n && count < max; count++) {
		struct inotify_event *e = (struct inotify_event *)(buf + off);
		CHECK(e->len % 16 == 0, "len %u not padded", e->len);
		evs[count].wd = e->wd;
		evs[count].mask = e->mask;
		evs[count].cookie = e->cookie;
		evs[count].len = e->len;
		snprintf(evs[count].name, sizeof(evs[count].name), "%s", e->len ? e->name : "");
		off += (ssize_t)sizeof(*e) + e->len;
	}
	return count;
}

#define CHECK_EV(e, wd_, mask_, name_) do { \
	CHECK((e).wd == (wd_) && (e).mask == (uint32_t)(mask_) && strcmp((e).name, name_) == 0, \
	      "event wd %d mask %#x name '%s', wanted wd %d mask %#x name '%s'", \
	      (e).wd, (e).mask, (e).name, (int)(wd_), (unsigned)(mask_), name_); \
} while (0)

static int nb_inotify(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	CHECK(fd >= 0, "inotify_init1: %s", strerror(errno));
	return fd;
}

GTEST(directory_sees_create_open_modify_close_delete)
{
	setup();
	int in = nb_inotify();
	int wd = inotify_add_watch(in, ".", IN_CREATE | IN_OPEN | IN_MODIFY | IN_CLOSE | IN_DELETE);
	CHECK(wd >= 1, "add_watch: %s", strerror(errno));
	int fd = open("file", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "abc", 3), 3);
	close(fd);
	CHECK_EQ(mkdir("sub", 0755), 0);
	CHECK_EQ(unlink("file"), 0);
	CHECK_EQ(rmdir("sub"), 0);
	struct ev e[16];
	int n = read_events(in, e, 16);
	CHECK_EQ(n, 7);
	CHECK_EV(e[0], wd, IN_CREATE, "file");
	CHECK_EV(e[1], wd, IN_OPEN, "file");
	CHECK_EV(e[2], wd, IN_MODIFY, "file");
	CHECK_EV(e[3], wd, IN_CLOSE_WRITE, "file");
	CHECK_EV(e[4], wd, IN_CREATE | IN_ISDIR, "sub");
	CHECK_EV(e[5], wd, IN_DELETE, "file");
	CHECK_EV(e[6], wd, IN_DELETE | IN_ISDIR, "sub");
	CHECK_EQ(e[0].len, 16);                    /* "file" + NUL padded to 16 */
	close(in);
	cleanup();
}

GTEST(read_only_open_closes_nowrite_and_merges_repeats)
{
	setup();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	int in = nb_inotify();
	int wd = inotify_add_watch(in, "f", IN_MODIFY | IN_CLOSE | IN_OPEN);
	CHECK(wd >= 1);
	CHECK_EQ(write(fd, "a", 1), 1);
	CHECK_EQ(write(fd, "b", 1), 1);            /* the same event again: merged */
	int r = open("f", O_RDONLY);
	close(r);
	struct ev e[8];
	int n = read_events(in, e, 8);
	CHECK_EQ(n, 3);
	CHECK_EV(e[0], wd, IN_MODIFY, "");
	CHECK_EV(e[1], wd, IN_OPEN, "");
	CHECK_EV(e[2], wd, IN_CLOSE_NOWRITE, "");
	close(fd);
	close(in);
	cleanup();
}

GTEST(move_pairs_from_and_to_by_cookie)
{
	setup();
	CHECK_EQ(mkdir("a", 0755), 0);
	CHECK_EQ(mkdir("b", 0755), 0);
	close(open("a/x", O_CREAT | O_WRONLY, 0644));
	int in = nb_inotify();
	int wa = inotify_add_watch(in, "a", IN_MOVE);
	int wb = inotify_add_watch(in, "b", IN_MOVE);
	int wx = inotify_add_watch(in, "a/x", IN_MOVE_SELF);
	CHECK(wa >= 1 && wb > wa && wx > wb, "wds %d %d %d", wa, wb, wx);
	CHECK_EQ(rename("a/x", "b/y"), 0);
	struct ev e[8];
	int n = read_events(in, e, 8);
	CHECK_EQ(n, 3);
	CHECK_EV(e[0], wa, IN_MOVED_FROM, "x");
	CHECK_EV(e[1], wb, IN_MOVED_TO, "y");
	CHECK_EV(e[2], wx, IN_MOVE_SELF, "");
	CHECK(e[0].cookie != 0 && e[0].cookie == e[1].cookie, "cookies %u %u", e[0].cookie, e[1].cookie);
	close(in);
	cleanup();
}

GTEST(file_watch_sees_attrib_then_delete_self_and_ignored)
{
	setup();
	close(open("f", O_CREAT | O_WRONLY, 0644));
	int in = nb_inotify();
	int wd = inotify_add_watch(in, "f", IN_ATTRIB | IN_DELETE_SELF);
	CHECK(wd >= 1);
	CHECK_EQ(chmod("f", 0600), 0);
	CHECK_EQ(unlink("f"), 0);
	struct ev e[8];
	int n = read_events(in, e, 8);
	CHECK_EQ(n, 3);
	CHECK_EV(e[0], wd, IN_ATTRIB, "");          /* chmod; the link count's merged into it */
	CHECK_EV(e[1], wd, IN_DELETE_SELF, "");
	CHECK_EV(e[2], wd, IN_IGNORED, "");
	CHECK_ERR(inotify_rm_watch(in, wd), EINVAL); /* already gone */
	close(in);
	cleanup();
}

GTEST(oneshot_mask_add_mask_create_and_rm_watch)
{
	setup();
	close(open("f", O_CREAT | O_WRONLY, 0644));
	int in = nb_inotify();
	int wd = inotify_add_watch(in, "f", IN_ATTRIB | IN_ONESHOT);
	CHECK(wd >= 1);
	CHECK_EQ(chmod("f", 0600), 0);
	CHECK_EQ(chmod("f", 0644), 0);
	struct ev e[8];
	int n = read_events(in, e, 8);
	CHECK_EQ(n, 2);
	CHECK_EV(e[0], wd, IN_ATTRIB, "");
	CHECK_EV(e[1], wd, IN_IGNORED, "");
	int w2 = inotify_add_watch(in, "f", IN_OPEN);
	CHECK(w2 > wd, "a new wd: %d after %d", w2, wd);
	CHECK_EQ(inotify_add_watch(in, "f", IN_ATTRIB | IN_MASK_ADD), w2);   /* same watch */
	CHECK_ERR(inotify_add_watch(in, "f", IN_ATTRIB | IN_MASK_CREATE), EEXIST);
	CHECK_EQ(chmod("f", 0600), 0);
	close(open("f", O_RDONLY));
	n = read_events(in, e, 8);
	CHECK_EQ(n, 2);
	CHECK_EV(e[0], w2, IN_ATTRIB, "");
	CHECK_EV(e[1], w2, IN_OPEN, "");
	CHECK_EQ(inotify_add_watch(in, "f", IN_OPEN), w2);   /* replaces: no IN_ATTRIB now */
	CHECK_EQ(chmod("f", 0644), 0);
	CHECK_EQ(read_events(in, e, 8), 0);
	CHECK_EQ(inotify_rm_watch(in, w2), 0);
	n = read_events(in, e, 8);
	CHECK_EQ(n, 1);
	CHECK_EV(e[0], w2, IN_IGNORED, "");
	close(in);
	cleanup();
}

GTEST(read_needs_room_for_a_whole_record_and_fionread_counts)
{
	setup();
	int in = nb_inotify();
	int wd = inotify_add_watch(in, ".", IN_CREATE);
	CHECK(wd >= 1);
	close(open("a-longer-name", O_CREAT | O_WRONLY, 0644));     /* 13 chars: len 16 */
	close(open("b", O_CREAT | O_WRONLY, 0644));
	int avail = -1;
	CHECK_EQ(ioctl(in, FIONREAD, &avail), 0);
	CHECK_EQ(avail, 64);
	char buf[64] __attribute__((aligned(8)));
	CHECK_ERR(read(in, buf, 31), EINVAL);
	CHECK_EQ(read(in, buf, 40), 32);           /* one record; the next does not fit */
	struct inotify_event *e = (struct inotify_event *)buf;
	CHECK_EQ(e->len, 16);
	CHECK(strcmp(e->name, "a-longer-name") == 0 && e->name[15] == 0, "name %s", e->name);
	CHECK_EQ(ioctl(in, FIONREAD, &avail), 0);
	CHECK_EQ(avail, 32);
	CHECK_EQ(read(in, buf, sizeof(buf)), 32);
	CHECK_ERR(read(in, buf, sizeof(buf)), EAGAIN);
	CHECK_ERR(read(in, (void *)8, sizeof(buf)), EAGAIN);
	close(open("c", O_CREAT | O_WRONLY, 0644));
	CHECK_ERR(read(in, (void *)8, sizeof(buf)), EFAULT);
	close(in);
	cleanup();
}

GTEST(poll_and_epoll_see_queued_events)
{
	setup();
	int in = nb_inotify();
	CHECK(inotify_add_watch(in, ".", IN_CREATE) >= 1);
	struct pollfd p = { in, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 0), 0);
	int ep = epoll_create1(0);
	struct epoll_event ee = { .events = EPOLLIN, .data.u32 = 7 }, out;
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, in, &ee), 0);
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
	close(open("x", O_CREAT | O_WRONLY, 0644));
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_EQ(epoll_wait(ep, &out, 1, 1000), 1);
	CHECK_EQ(out.data.u32, 7);
	struct ev e[4];
	CHECK_EQ(read_events(in, e, 4), 1);
	CHECK_EQ(poll(&p, 1, 0), 0);
	close(ep);
	close(in);
	cleanup();
}

GTEST(blocking_read_waits_for_an_event)
{
	setup();
	int in = inotify_init();
	CHECK(in >= 0);
	CHECK_EQ(fcntl(in, F_GETFL) & O_NONBLOCK, 0);
	int wd = inotify_add_watch(in, ".", IN_CREATE);
	pid_t pid = xfork();
	if (pid == 0) {
		wait_sleeping(getppid());   /* the parent is blocked in its read */
		close(open("late", O_CREAT | O_WRONLY, 0644));
		_exit(0);
	}
	char buf[64] __attribute__((aligned(8)));
	CHECK_EQ(read(in, buf, sizeof(buf)), 32);
	struct inotify_event *e = (struct inotify_event *)buf;
	CHECK(e->wd == wd && e->mask == IN_CREATE && strcmp(e->name, "late") == 0, "%#x %s", e->mask, e->name);
	CHECK_EXITED(wait_status(pid), 0);
	close(in);
	cleanup();
}

GTEST(init_and_watch_errors)
{
	setup();
	CHECK_ERR(inotify_init1(IN_NONBLOCK << 1), EINVAL);
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	CHECK(in >= 0);
	CHECK_EQ(fcntl(in, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(in, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	close(open("f", O_CREAT | O_WRONLY, 0644));
	CHECK_ERR(inotify_add_watch(in, "f", 0), EINVAL);
	CHECK_ERR(inotify_add_watch(in, "f", IN_ATTRIB | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
	CHECK_ERR(inotify_add_watch(in, "f", IN_ATTRIB | IN_ONLYDIR), ENOTDIR);
	CHECK_ERR(inotify_add_watch(in, "missing", IN_ATTRIB), ENOENT);
	CHECK_ERR(inotify_add_watch(in, (const char *)8, IN_ATTRIB), EFAULT);
	CHECK_ERR(inotify_add_watch(-1, "f", IN_ATTRIB), EBADF);
	int plain = open("f", O_RDONLY);
	CHECK_ERR(inotify_add_watch(plain, "f", IN_ATTRIB), EINVAL);   /* not inotify */
	CHECK_ERR(inotify_rm_watch(plain, 1), EINVAL);
	CHECK_ERR(inotify_rm_watch(in, 12345), EINVAL);
	CHECK_EQ(symlink("f", "l"), 0);
	int w1 = inotify_add_watch(in, "l", IN_ATTRIB);                 /* follows: f */
	CHECK_EQ(inotify_add_watch(in, "f", IN_ATTRIB), w1);
	CHECK(inotify_add_watch(in, "l", IN_ATTRIB | IN_DONT_FOLLOW) != w1, "the link itself");
	close(plain);
	close(in);
	cleanup();
}

GTEST(proc_sys_fs_inotify_limits)
{
	char buf[32];
	int fd = open("/proc/sys/fs/inotify/max_queued_events", O_RDONLY);
	CHECK(fd >= 0, "open: %s", strerror(errno));
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n > 1);
	buf[n] = 0;
	CHECK_EQ(atoi(buf), 16384);
	close(fd);
	fd = open("/proc/sys/fs/inotify/max_user_instances", O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
	fd = open("/proc/sys/fs/inotify/max_user_watches", O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
}
