/*
 * pty.c - pseudo-terminals: posix_openpt, grantpt, unlockpt, ptsname and
 * the /dev/pts node; the slave's line discipline seen from the master
 * (echo, erase, ONLCR, EOF, raw mode); packet mode; the window size and
 * SIGWINCH; job control on a pty (the controlling terminal taken by
 * opening, SIGTTIN, tcsetpgrp, ^C and ^Z typed at the master); hangups
 * both ways; /dev/tty naming the pty; an interactive shell on a pty
 * (busybox sh in Aspen, dash on Debian) running a pipeline.
 *
 * Linux pushes what one end writes to the other asynchronously, so the
 * tests read until they have what they expect, and test an absence
 * with a later marker, never with a timed poll.
 */
#include "gtest.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

struct pair {
	int master, slave;
	char name[64];
};

/* A master and its unlocked slave (opened without O_NOCTTY if ctty). */
static struct pair open_pair(bool ctty)
{
	struct pair p;
	p.master = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(p.master >= 0, "posix_openpt: %s", strerror(errno));
	CHECK_EQ(grantpt(p.master), 0);
	CHECK_EQ(unlockpt(p.master), 0);
	CHECK_EQ(ptsname_r(p.master, p.name, sizeof(p.name)), 0);
	p.slave = open(p.name, O_RDWR | (ctty ? 0 : O_NOCTTY));
	CHECK(p.slave >= 0, "open %s: %s", p.name, strerror(errno));
	return p;
}

/* The next n bytes of fd are expect. */
static void expect_bytes(int fd, const char *expect, size_t n)
{
	char buf[256];
	read_exactly(fd, buf, n);
	CHECK(memcmp(buf, expect, n) == 0, "read \"%.*s\", expected \"%.*s\"", (int)n, buf, (int)n,
	      expect);
}
#define EXPECT(fd, s) expect_bytes(fd, s, sizeof(s) - 1)

static void put(int fd, const char *s)
{
	CHECK_EQ(write(fd, s, strlen(s)), (long)strlen(s));
}

GTEST(pty_pair_nodes_and_lock)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), n = -1, locked = -1;
	char name[64], expect[64];
	struct stat st;

	CHECK(m >= 0, "posix_openpt: %s", strerror(errno));
	CHECK(isatty(m));
	CHECK_EQ(grantpt(m), 0);
	CHECK_EQ(ioctl(m, TIOCGPTN, &n), 0);
	CHECK_EQ(ptsname_r(m, name, sizeof(name)), 0);
	snprintf(expect, sizeof(expect), "/dev/pts/%d", n);
	CHECK(strcmp(name, expect) == 0, "ptsname %s, TIOCGPTN %d", name, n);
	CHECK_EQ(stat(name, &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(major(st.st_rdev), 136);
	CHECK_EQ(minor(st.st_rdev), n);
	CHECK_EQ(st.st_uid, geteuid());
	CHECK_EQ(ioctl(m, TIOCGPTLCK, &locked), 0);
	CHECK_EQ(locked, 1);                              /* until unlockpt */
	CHECK_ERR(open(name, O_RDWR | O_NOCTTY), EIO);
	CHECK_EQ(unlockpt(m), 0);
	CHECK_EQ(ioctl(m, TIOCGPTLCK, &locked), 0);
	CHECK_EQ(locked, 0);
	int s = open(name, O_RDWR | O_NOCTTY);
	CHECK(s >= 0, "open %s: %s", name, strerror(errno));
	CHECK(isatty(s));
	CHECK_ERR(ioctl(s, TIOCGPTN, &n), ENOTTY);        /* a slave has no number to give */
	int m2 = posix_openpt(O_RDWR | O_NOCTTY), n2 = -1;
	CHECK_EQ(ioctl(m2, TIOCGPTN, &n2), 0);
	CHECK(n2 != n, "two masters, one number %d", n);
	close(m2);
	close(s);
	close(m);
	CHECK_ERR(stat(name, &st), ENOENT);               /* gone with the master */
}

GTEST(pty_canonical_echo_and_onlcr)
{
	struct pair p = open_pair(false);
	char buf[64];

	put(p.master, "hello\n");
	CHECK_EQ(read(p.slave, buf, sizeof(buf)), 6);     /* one line */
	CHECK(memcmp(buf, "hello\n", 6) == 0);
	EXPECT(p.master, "hello\r\n");                    /* the echo, through ONLCR */
	put(p.master, "abc\x7f\n");                       /* VERASE */
	CHECK_EQ(read(p.slave, buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "ab\n", 3) == 0);
	EXPECT(p.master, "abc\b \b\r\n");
	put(p.master, "\x04");                            /* VEOF at a line's start */
	CHECK_EQ(read(p.slave, buf, sizeof(buf)), 0);
	put(p.slave, "out\nput");                         /* the slave's output */
	EXPECT(p.master, "out\r\nput");
	struct termios t;
	CHECK_EQ(tcgetattr(p.slave, &t), 0);
	t.c_oflag &= ~(tcflag_t)ONLCR;
	CHECK_EQ(tcsetattr(p.slave, TCSANOW, &t), 0);
	put(p.slave, "a\nb");
	EXPECT(p.master, "a\nb");
	int avail = -1;
	put(p.master, "xy");                              /* no newline yet */
	EXPECT(p.master, "xy");
	CHECK_EQ(ioctl(p.slave, FIONREAD, &avail), 0);
	CHECK_EQ(avail, 0);                               /* canonical: no line yet */
}

GTEST(pty_raw_mode)
{
	struct pair p = open_pair(false);
	struct termios t;
	char buf[8];

	CHECK_EQ(tcgetattr(p.slave, &t), 0);
	cfmakeraw(&t);
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	CHECK_EQ(tcsetattr(p.slave, TCSANOW, &t), 0);
	put(p.master, "x\x03z");                          /* ^C is data without ISIG */
	CHECK_EQ(read(p.slave, buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "x\x03z", 3) == 0);
	put(p.slave, "!\n");                              /* no echo came before it; no OPOST */
	EXPECT(p.master, "!\n");
	CHECK_EQ(fcntl(p.slave, F_SETFL, O_NONBLOCK), 0);
	CHECK_ERR(read(p.slave, buf, sizeof(buf)), EAGAIN);
}

GTEST(pty_packet_mode)
{
	struct pair p = open_pair(false);
	int on = 1, got = -1;
	char buf[16];

	CHECK_EQ(ioctl(p.master, TIOCPKT, &on), 0);
	CHECK_EQ(ioctl(p.master, TIOCGPKT, &got), 0);
	CHECK_EQ(got, 1);
	put(p.slave, "hi");
	size_t data = 0;
	while (data < 2) {                                /* each read: TIOCPKT_DATA, then data */
		ssize_t r = read(p.master, buf, sizeof(buf));
		CHECK(r >= 2, "packet read %zd", r);
		CHECK_EQ(buf[0], TIOCPKT_DATA);
		CHECK(memcmp(buf + 1, "hi" + data, (size_t)r - 1) == 0);
		data += (size_t)r - 1;
	}
	CHECK_EQ(tcflush(p.slave, TCIFLUSH), 0);
	struct pollfd pfd = { .fd = p.master, .events = POLLIN | POLLPRI };
	CHECK_EQ(poll(&pfd, 1, -1), 1);
	CHECK(pfd.revents & POLLPRI, "revents %#x", pfd.revents);
	CHECK_EQ(read(p.master, buf, sizeof(buf)), 1);   /* a status byte alone */
	CHECK_EQ(buf[0], TIOCPKT_FLUSHREAD);
	CHECK_EQ(tcflush(p.slave, TCOFLUSH), 0);
	CHECK_EQ(read(p.master, buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], TIOCPKT_FLUSHWRITE);
	CHECK_EQ(tcflow(p.slave, TCOOFF), 0);
	CHECK_EQ(read(p.master, buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], TIOCPKT_STOP);
	CHECK_EQ(tcflow(p.slave, TCOON), 0);
	CHECK_EQ(read(p.master, buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], TIOCPKT_START);
	on = 0;
	CHECK_EQ(ioctl(p.master, TIOCPKT, &on), 0);
	put(p.slave, "z");
	EXPECT(p.master, "z");                            /* no status byte any more */
}

/* In a child: a new session whose controlling terminal is the slave,
 * taken by opening it (no O_NOCTTY). Returns the slave's descriptor. */
static int become_session_on(const char *name)
{
	CHECK(setsid() > 0, "setsid: %s", strerror(errno));
	int s = open(name, O_RDWR);
	CHECK(s >= 0, "open %s: %s", name, strerror(errno));
	CHECK_EQ(tcgetsid(s), getpid());
	CHECK_EQ(tcgetpgrp(s), getpgrp());
	return s;
}

GTEST(pty_winsize_sigwinch)
{
	struct pair p = open_pair(false);
	struct winsize ws = { 0 };
	int ready[2];

	CHECK_EQ(ioctl(p.slave, TIOCGWINSZ, &ws), 0);
	CHECK_EQ(ws.ws_row, 0);                           /* a new pty: 0x0 */
	CHECK_EQ(pipe(ready), 0);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t winch;
		sigemptyset(&winch);
		sigaddset(&winch, SIGWINCH);
		sigprocmask(SIG_BLOCK, &winch, NULL);
		int s = become_session_on(p.name);
		CHECK_EQ(write(ready[1], "r", 1), 1);
		CHECK_EQ(sigwaitinfo(&winch, NULL), SIGWINCH);
		CHECK_EQ(ioctl(s, TIOCGWINSZ, &ws), 0);
		CHECK_EQ(ws.ws_row, 40);
		CHECK_EQ(ws.ws_col, 100);
		_exit(0);
	}
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	ws = (struct winsize){ .ws_row = 40, .ws_col = 100 };
	CHECK_EQ(ioctl(p.master, TIOCSWINSZ, &ws), 0);    /* the terminal emulator's side */
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
	CHECK_EQ(ioctl(p.master, TIOCGWINSZ, &ws), 0);
	CHECK_EQ(ws.ws_col, 100);
}

/* The session leader's part of pty_job_control. */
static void job_control_leader(const char *name, int ready)
{
	int s = become_session_on(name), status;
	pid_t job = fork();
	if (job == 0) {                                   /* a background job that reads */
		char line[16];
		setpgid(0, 0);
		ssize_t r = read(s, line, sizeof(line));   /* SIGTTIN first */
		_exit(r == 5 && memcmp(line, "line\n", 5) == 0 ? 0 : 1);
	}
	setpgid(job, job);
	CHECK_EQ(waitpid(job, &status, WUNTRACED), job);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTTIN, "status %#x", status);
	CHECK_EQ(tcsetpgrp(s, job), 0);                   /* to the foreground */
	CHECK_EQ(tcgetpgrp(s), job);
	CHECK_EQ(kill(job, SIGCONT), 0);
	CHECK_EQ(write(ready, "1", 1), 1);                /* the master types a line */
	CHECK_EQ(waitpid(job, &status, 0), job);
	CHECK_EXITED(status, 0);

	job = fork();
	if (job == 0) {                                   /* a foreground job: ^Z, then ^C */
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(job, job);
	signal(SIGTTOU, SIG_IGN);
	CHECK_EQ(tcsetpgrp(s, job), 0);
	CHECK_EQ(write(ready, "2", 1), 1);                /* the master types ^Z */
	CHECK_EQ(waitpid(job, &status, WUNTRACED), job);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP, "status %#x", status);
	CHECK_EQ(kill(job, SIGCONT), 0);
	CHECK_EQ(write(ready, "3", 1), 1);                /* the master types ^C */
	CHECK_EQ(waitpid(job, &status, 0), job);
	CHECK_SIGNALED(status, SIGINT);
	_exit(0);
}

GTEST(pty_job_control)
{
	struct pair p = open_pair(false);
	int ready[2], status;
	char c;

	CHECK_EQ(pipe(ready), 0);
	pid_t leader = fork();
	if (leader == 0) {
		close(ready[0]);
		job_control_leader(p.name, ready[1]);
	}
	close(ready[1]);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	put(p.master, "line\n");
	CHECK_EQ(read(ready[0], &c, 1), 1);
	put(p.master, "\x1a");                            /* VSUSP */
	CHECK_EQ(read(ready[0], &c, 1), 1);
	put(p.master, "\x03");                            /* VINTR */
	CHECK_EQ(waitpid(leader, &status, 0), leader);
	CHECK_EXITED(status, 0);
}

GTEST(pty_master_close_hangs_up_the_slave)
{
	struct pair p = open_pair(false);
	int ready[2], status;
	char c;

	CHECK_EQ(pipe(ready), 0);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t hup = sigset_of(SIGHUP);
		block_signal(SIGHUP);
		close(p.master);
		int s = become_session_on(p.name);
		CHECK_EQ(write(ready[1], "r", 1), 1);
		CHECK_EQ(sigwaitinfo(&hup, NULL), SIGHUP);    /* the session leader hears */
		CHECK_EQ(read(s, &c, 1), 0);                  /* then reads end */
		CHECK_ERR(write(s, "x", 1), EIO);
		_exit(0);
	}
	close(p.slave);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	close(p.master);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
}

GTEST(pty_slave_close_gives_the_master_eio)
{
	struct pair p = open_pair(false);
	char buf[8];

	put(p.slave, "left");
	close(p.slave);
	EXPECT(p.master, "left");                         /* what was written is still read */
	CHECK_ERR(read(p.master, buf, sizeof(buf)), EIO);
	struct pollfd pfd = { .fd = p.master, .events = POLLIN };
	CHECK_EQ(poll(&pfd, 1, -1), 1);
	CHECK(pfd.revents & POLLHUP, "revents %#x", pfd.revents);
	int s = open(p.name, O_RDWR | O_NOCTTY);          /* a new slave: the master lives again */
	CHECK(s >= 0, "reopen: %s", strerror(errno));
	put(s, "back");
	EXPECT(p.master, "back");
	close(s);
}

GTEST(dev_tty_is_the_pty)
{
	struct pair p = open_pair(false);
	int status;

	pid_t pid = fork();
	if (pid == 0) {
		become_session_on(p.name);
		int t = open("/dev/tty", O_RDWR);
		CHECK(t >= 0, "open /dev/tty: %s", strerror(errno));
		CHECK_EQ(write(t, "via tty\n", 8), 8);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
	EXPECT(p.master, "via tty\r\n");
}

GTEST(shell_session_on_a_pty)
{
	struct pair p = open_pair(false);
	static char out[16384];
	size_t got = 0;
	int status;

	pid_t pid = fork();
	if (pid == 0) {                                   /* as a terminal emulator starts one */
		int s = become_session_on(p.name);
		close(p.master);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		if (s > 2)
			close(s);
		execl("/bin/sh", "sh", "-i", (char *)NULL);
		_exit(127);
	}
	close(p.slave);
	/* What the shell prints is checked, not what the echo repeats. */
	put(p.master, "echo mark-$((6*7))\necho cat-$((1+1)) | cat\nexit 3\n");
	for (;;) {                                        /* until the slave closes: EIO */
		ssize_t r = read(p.master, out + got, sizeof(out) - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	out[got] = '\0';
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 3);
	CHECK(strstr(out, "mark-42\r\n"), "no mark-42 in: %s", out);
	CHECK(strstr(out, "cat-2\r\n"), "no cat-2 in: %s", out);
}
