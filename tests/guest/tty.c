/*
 * tty.c - the controlling terminal: termios, window size, the foreground
 * group and SIGTTIN for a background reader. Runs when standard input is
 * a terminal (in Aspen, the console); skipped otherwise (the native run
 * of the test runner has /dev/null).
 */
#include "gtest.h"
#include <sys/ioctl.h>
#include <termios.h>

static void need_tty(void)
{
	if (!isatty(STDIN_FILENO))
		SKIP("standard input is not a terminal");
}

GTEST(termios_round_trip)
{
	struct termios t, saved, back;
	need_tty();
	CHECK_EQ(tcgetattr(STDIN_FILENO, &saved), 0);
	CHECK(saved.c_lflag & ICANON);
	t = saved;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 1;
	CHECK_EQ(tcsetattr(STDIN_FILENO, TCSAFLUSH, &t), 0);   /* drops pending input */
	CHECK_EQ(tcgetattr(STDIN_FILENO, &back), 0);
	CHECK(!(back.c_lflag & ICANON) && !(back.c_lflag & ECHO));
	CHECK_EQ(back.c_cc[VTIME], 1);
	char c;
	CHECK_EQ(read(STDIN_FILENO, &c, 1), 0);   /* VMIN 0, VTIME 0.1 s: times out */
	CHECK_EQ(tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved), 0);
}

GTEST(window_size_is_24x80)
{
	struct winsize ws;
	need_tty();
	ASPEN_ONLY();
	CHECK_EQ(ioctl(STDIN_FILENO, TIOCGWINSZ, &ws), 0);
	CHECK_EQ(ws.ws_row, 24);
	CHECK_EQ(ws.ws_col, 80);
}

GTEST(foreground_group_and_session)
{
	need_tty();
	pid_t fg = tcgetpgrp(STDIN_FILENO);
	if (fg < 0)
		SKIP("no controlling terminal");
	CHECK_EQ(fg, getpgrp());
	pid_t sid;
	CHECK_EQ(ioctl(STDIN_FILENO, TIOCGSID, &sid), 0);
	CHECK_EQ(sid, getsid(0));
	int n = -1;
	CHECK_EQ(ioctl(STDIN_FILENO, FIONREAD, &n), 0);
	CHECK(n >= 0);
}

GTEST(background_reader_stopped_by_sigttin)
{
	int status;
	need_tty();
	if (tcgetpgrp(STDIN_FILENO) != getpgrp())
		SKIP("not in the foreground");
	pid_t pid = xfork();
	if (pid == 0) {
		char c;
		setpgid(0, 0);   /* a background group of the same session */
		(void)!read(STDIN_FILENO, &c, 1);
		_exit(3);
	}
	setpgid(pid, pid);
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	CHECK(WIFSTOPPED(status), "%s", status_str(status));
	CHECK_EQ(WSTOPSIG(status), SIGTTIN);
	/* Ignoring SIGTTIN turns the read into EIO instead. */
	pid_t pid2 = xfork();
	if (pid2 == 0) {
		char c;
		setpgid(0, 0);
		signal(SIGTTIN, SIG_IGN);
		_exit(read(STDIN_FILENO, &c, 1) < 0 && errno == EIO ? 0 : 4);
	}
	CHECK_EXITED(wait_status(pid2), 0);
	kill(pid, SIGKILL);
	CHECK_SIGNALED(wait_status(pid), SIGKILL);
}
