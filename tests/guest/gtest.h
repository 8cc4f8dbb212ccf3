/*
 * gtest.h - the guest-test framework: static programs that run inside
 * Aspen and, unchanged, on a Linux host (a test that fails on Linux is a
 * wrong test). Header-only; it defines main().
 *
 *   GTEST(name) { CHECK(x > 0, "x is %d", x); CHECK_EQ(f(), 3); }
 *
 * main() runs the tests in file order, each in a forked child judged by
 * its exit status, with an alarm() timeout. GTEST_NOFORK(name) runs in
 * the main process instead (for tests that must not depend on fork).
 * One line per test, exactly one of
 *   ok NAME
 *   not ok NAME: reason
 *   skip NAME: reason
 * preceded by diagnostics on lines starting with "# ". argv[1], if
 * given, runs only the test of that name. main exits 0 when no test
 * failed, 1 otherwise. See docs/testing.md.
 */
#ifndef ASPEN_GTEST_H
#define ASPEN_GTEST_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uapi/aspen.h>

#define GTEST_TIMEOUT   30 /* seconds; generous for QEMU without KVM */
#define GTEST_F_NOFORK  1  /* run in the main process, not a child */
#define GTEST_EXIT_FAIL 1  /* a test child's exit status on CHECK failure */
#define GTEST_EXIT_SKIP 77 /* ... after printing its own "skip" line */

struct gtest {
	const char *name;
	void (*fn)(void);
	unsigned flags;   /* GTEST_F_* */
	unsigned timeout; /* seconds */
	struct gtest *next;
};

static struct gtest *gtest_head, **gtest_tail = &gtest_head;
static const char *gtest_current;  /* name of the running test */
static pid_t gtest_nofork_pid;     /* main's pid while a NOFORK test runs */
static jmp_buf gtest_nofork_jmp;   /* where a NOFORK test's CHECK lands */

static inline void gtest_register(struct gtest *t)
{
	*gtest_tail = t;
	gtest_tail = &t->next;
}

#define GTEST_DEFINE(name_, flags_, timeout_) \
	static void gtest_fn_##name_(void); \
	static struct gtest gtest_##name_ = { #name_, gtest_fn_##name_, flags_, timeout_, NULL }; \
	__attribute__((constructor)) static void gtest_reg_##name_(void) \
	{ gtest_register(&gtest_##name_); } \
	static void gtest_fn_##name_(void)
#define GTEST(name)             GTEST_DEFINE(name, 0, GTEST_TIMEOUT)
#define GTEST_NOFORK(name)      GTEST_DEFINE(name, GTEST_F_NOFORK, GTEST_TIMEOUT)
#define GTEST_SLOW(name, secs)  GTEST_DEFINE(name, 0, secs)

/* Leave the running test with outcome 1 (failed) or 2 (skipped). In a
 * NOFORK test that is a longjmp back to main; anywhere else (the test's
 * child, or a process the test forked) it is _exit(). */
__attribute__((noreturn)) static inline void gtest_leave(int outcome)
{
	if (gtest_nofork_pid && getpid() == gtest_nofork_pid)
		longjmp(gtest_nofork_jmp, outcome);
	_exit(outcome == 1 ? GTEST_EXIT_FAIL : GTEST_EXIT_SKIP);
}

/* Print "# file:line: check failed: COND[: message]" and fail the test.
 * fmt starts with a space that is not printed (see CHECK). */
__attribute__((noreturn, format(printf, 4, 5)))
static inline void gtest_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;
	printf("# %s:%d: check failed: %s", file, line, cond);
	if (fmt[1]) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt + 1, ap);
		va_end(ap);
	}
	printf("\n");
	gtest_leave(1);
}

/* Print "skip NAME: reason" and end the test as skipped. */
__attribute__((noreturn, format(printf, 1, 2)))
static inline void gtest_skip(const char *fmt, ...)
{
	va_list ap;
	printf("skip %s: ", gtest_current);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	gtest_leave(2);
}

/* CHECK(cond) or CHECK(cond, fmt, ...): fail the test unless cond holds. */
#define CHECK(cond, ...) do { if (!(cond)) \
	gtest_fail(__FILE__, __LINE__, #cond, " " __VA_ARGS__); } while (0)
/* CHECK_EQ(a, b): integers, both values printed on failure. */
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) \
	gtest_fail(__FILE__, __LINE__, #a " == " #b, " %lld (%#llx) != %lld (%#llx)", a_, a_, b_, b_); \
	} while (0)
/* CHECK_ERR(call, err): call returns -1 with errno err. */
#define CHECK_ERR(call, err) do { errno = 0; long r_ = (long)(call); int e_ = errno; \
	if (r_ != -1 || e_ != (err)) gtest_fail(__FILE__, __LINE__, #call, \
		" returned %ld, errno %d (%s), expected -1, errno %d (%s)", \
		r_, e_, strerror(e_), (err), strerror(err)); } while (0)
#define SKIP(...) gtest_skip(__VA_ARGS__)

/* scratch_dir_enter - make a fresh directory from pattern (ending in
 * XXXXXX; dir holds at least 64 bytes) and chdir into it;
 * scratch_dir_leave - chdir to / and remove it with all it holds. */
static inline void scratch_dir_enter(char *dir, size_t size, const char *pattern)
{
	snprintf(dir, size, "%s", pattern);
	CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	CHECK_EQ(chdir(dir), 0);
}

static inline void scratch_dir_leave(const char *dir)
{
	char cmd[96];
	CHECK_EQ(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
}

/* True when running inside Aspen rather than natively on Linux. */
static inline bool on_aspen(void)
{
	static int cached = -1;
	struct utsname u;

	if (cached < 0)
		cached = uname(&u) == 0 && strstr(u.version, "Aspen") != NULL;
	return cached;
}

/* Skip the rest of the test unless running on Aspen. */
#define ASPEN_ONLY() do { if (!on_aspen()) SKIP("Aspen-only"); } while (0)

/* True inside an Aspen boot under QEMU's -icount (tools/aspen-exec
 * --icount, run-all's aspen-icount pass for programs marked "// ICOUNT"):
 * guest time then counts executed instructions, so bounds on how long
 * things take in guest time hold whatever the host's load. */
static inline bool guest_time_exact(void)
{
	return on_aspen() && access("/etc/aspen-icount", F_OK) == 0;
}

/* Aspen's counters for process pid (0: the caller) and the system.
 * Returns 0, or -1 with errno (ENOSYS on Linux). */
static inline int aspen_counters(pid_t pid, struct aspen_counters *out)
{
	return (int)syscall(SYS_aspen_counters, pid, out, sizeof(*out));
}

/* The fork strategy the caller's next fork uses (ASPEN_FORK_COPY, _COW
 * or _SHARED, docs/fork.md); natively, ASPEN_FORK_COW (what Linux does). */
static inline int fork_strategy(void)
{
	int s = on_aspen() ? prctl(PR_ASPEN_GET_FORK_STRATEGY, 0, 0, 0, 0) : -1;
	return s > 0 ? s : ASPEN_FORK_COW;
}

/* The caller's counters; fails the test if they cannot be read. */
static inline struct aspen_counters counters_self(void)
{
	struct aspen_counters c;

	CHECK(aspen_counters(0, &c) == 0, "aspen_counters: %s", strerror(errno));
	return c;
}

/* Pages moved to or from swap between two readings of the counters (in
 * the low-memory boot, reclaim runs beside the test at a pace the host
 * sets): frame, resident and fault counts are then not exact. */
static inline bool paged_between(const struct aspen_counters *a, const struct aspen_counters *b)
{
	return a->sys_pswpin != b->sys_pswpin || a->sys_pswpout != b->sys_pswpout;
}

/* ---- helpers for tests that fork ---- */

/* fork(), failing the test if it fails. */
static inline pid_t xfork(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	return pid;
}

/* Wait for child pid (retrying on EINTR) and return its wait status. */
static inline int wait_status(pid_t pid)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	CHECK(r == pid, "waitpid(%d) returned %d: %s", (int)pid, (int)r, strerror(errno));
	return status;
}

/* Run program path (searched in PATH if it has no slash) with argv, its
 * standard output into out (NUL-terminated; at most size - 1 bytes, the
 * rest read and dropped); the wait status. */
static inline int run_output(const char *path, char *const argv[], char *out, size_t size)
{
	int p[2];
	char drop[256];
	size_t len = 0;
	ssize_t n;

	CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
	pid_t pid = xfork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execvp(path, argv);
		printf("exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	while ((n = len < size - 1 ? read(p[0], out + len, size - 1 - len)
				   : read(p[0], drop, sizeof(drop))) > 0)
		len += len < size - 1 ? (size_t)n : 0;
	out[len] = '\0';
	close(p[0]);
	return wait_status(pid);
}

/* xfork_watching_exec(&fence): xfork(); in the parent, *fence is a
 * descriptor that reads end of file once the child has passed execve
 * (its copy closes there: O_CLOEXEC) or died. wait_exec(fence) waits
 * for that and closes it. A test that must act on a child that has
 * exec'd waits for this rather than polling for a guessed time. */
static inline pid_t xfork_watching_exec(int *fence)
{
	int p[2];

	CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	pid_t pid = xfork();
	if (pid == 0) {
		close(p[0]);
		return 0;
	}
	close(p[1]);
	*fence = p[0];
	return pid;
}

static inline void wait_exec(int fence)
{
	char c;
	ssize_t n;

	do
		n = read(fence, &c, 1);
	while (n < 0 && errno == EINTR);
	CHECK_EQ(n, 0);
	close(fence);
}

/* Copy this program (/proc/self/exe) to path, mode 0755, for tests
 * that exec a copy they own; fails the test if it cannot. */
static inline void copy_self(const char *path)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY);
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;

	CHECK(in >= 0 && out >= 0, "open: %s", strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CHECK_EQ(write(out, buf, (size_t)n), n);
	CHECK_EQ(n, 0);
	close(in);
	close(out);
}

/* argc and argv before main, for a helper run in a constructor (musl
 * does not pass them to constructors): on the initial stack argc,
 * argv[] and its NULL lie right below envp[], where environ still
 * points. Exits 97 if they are not there. */
static inline char **initial_argv(int *argc)
{
	extern char **environ;

	for (long n = 0; n < 4096; n++) {
		if ((long)environ[-2 - n] == n) {
			*argc = (int)n;
			return environ - 1 - n;
		}
	}
	_exit(97);
}

/* Describe a wait status: "exit status N" or "killed by signal N (NAME)". */
static inline const char *status_str(int status)
{
	static char buf[64];

	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof(buf), "wait status %#x", status);
	return buf;
}

/* CHECK_EXITED(status, code), CHECK_SIGNALED(status, sig): a wait status
 * (evaluated once) says exited with code, or killed by signal sig. */
#define CHECK_EXITED(status, code) do { int s_ = (status); \
	if (!WIFEXITED(s_) || WEXITSTATUS(s_) != (code)) gtest_fail(__FILE__, __LINE__, #status, \
		" %s, expected exit status %d", status_str(s_), (code)); } while (0)
#define CHECK_SIGNALED(status, sig) do { int s_ = (status); \
	if (!WIFSIGNALED(s_) || WTERMSIG(s_) != (sig)) gtest_fail(__FILE__, __LINE__, #status, \
		" %s, expected signal %d (%s)", status_str(s_), (sig), strsignal(sig)); } while (0)

/* len bytes of zeroed anonymous memory shared with children forked later. */
static inline void *shared_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap shared: %s", strerror(errno));
	return p;
}

/* clock_ns - clock c now, in nanoseconds; ns_timespec - the reverse. */
static inline long long clock_ns(clockid_t c)
{
	struct timespec ts;

	CHECK(clock_gettime(c, &ts) == 0, "clock %d: %s", (int)c, strerror(errno));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline struct timespec ns_timespec(long long ns)
{
	return (struct timespec){ ns / 1000000000LL, ns % 1000000000LL };
}

static inline void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* task_state(pid, tid) - the state letter of thread tid of process pid
 * in /proc/PID/task/TID/stat ('R', 'S', 'D', 'T', 'Z' ...), or 0 if it
 * cannot be read (the thread is gone). */
static inline char task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512];
	FILE *f;
	size_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* wait_until_asleep(pid, tid) - return once thread tid of process pid
 * sleeps ('S'), i.e. is blocked in a call. A test that must act while
 * another process or thread is blocked (a signal that must interrupt its
 * read, a write that must wake its poll) waits for this rather than
 * sleeping for a guessed time, which a busy host can overrun. No time
 * limit of its own: the test's timeout is the bound. */
static inline void wait_until_asleep(pid_t pid, pid_t tid)
{
	while (task_state(pid, tid) != 'S')
		sleep_ms(1);
}

/* wait_sleeping(pid) - wait_until_asleep for a single-threaded process. */
static inline void wait_sleeping(pid_t pid)
{
	wait_until_asleep(pid, pid);
}

/* wait_until_zombie(pid, flags) - return once child pid has exited,
 * leaving it a zombie (waitid with WNOWAIT): a test of what holds
 * between a child's death and its reaping waits for this rather than
 * sleeping. flags: 0, or __WCLONE/__WALL for a clone child. */
static inline void wait_until_zombie(pid_t pid, int flags)
{
	siginfo_t si;
	int r;

	do
		r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | flags);
	while (r < 0 && errno == EINTR);
	CHECK(r == 0, "waitid(%d, WNOWAIT): %s", (int)pid, strerror(errno));
}

/* ---- small helpers many tests share ---- */

/* sigset_of(sig) - the signal set holding sig alone. */
static inline sigset_t sigset_of(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

/* block_signal(sig), unblock_signal(sig) - change the calling thread's
 * mask for one signal. */
static inline void block_signal(int sig)
{
	sigset_t s = sigset_of(sig);

	CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0, "block %d: %s", sig, strerror(errno));
}

static inline void unblock_signal(int sig)
{
	sigset_t s = sigset_of(sig);

	CHECK(sigprocmask(SIG_UNBLOCK, &s, NULL) == 0, "unblock %d: %s", sig, strerror(errno));
}

/* read_file(path, buf, size) - the whole of a small text file (as much
 * as fits) into buf, NUL-terminated; its length. Fails the test if the
 * file cannot be opened. */
static inline size_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* read_exactly(fd, buf, n) - read n bytes, in as many reads as it takes;
 * fails the test at end of file or on an error. */
static inline void read_exactly(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		CHECK(r > 0, "read returned %zd after %zu of %zu bytes: %s", r, got, n, strerror(errno));
		got += (size_t)r;
	}
}

/* proc_number(path, key) - the number after key at the start of a line
 * of file path (proc_number("/proc/self/status", "VmLck:") is the kB
 * locked; key "" reads a file that holds one number), or -1 if the file
 * cannot be read or has no such line. Reads the first 16 KiB. */
static inline long proc_number(const char *path, const char *key)
{
	char buf[16384];
	size_t n = 0, klen = strlen(key);
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	for (const char *line = buf; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0))
		if (strncmp(line, key, klen) == 0)
			return strtol(line + klen, NULL, 10);
	return -1;
}

/* ---- the runner ---- */

static int gtest_argc;
static char **gtest_argv, **gtest_envp;

/* Run t in the main process; returns 0 passed, 1 failed, 2 skipped. */
static int gtest_run_nofork(struct gtest *t)
{
	int outcome;

	gtest_nofork_pid = getpid();
	outcome = setjmp(gtest_nofork_jmp);
	if (outcome == 0) {
		alarm(t->timeout);
		t->fn();
	}
	alarm(0);
	gtest_nofork_pid = 0;
	return outcome;
}

/* Run t in a child; returns 0 passed, 1 failed, 2 skipped. */
static int gtest_run_forked(struct gtest *t)
{
	pid_t pid, r;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("not ok %s: fork: %s\n", t->name, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		alarm(t->timeout);
		t->fn();
		_exit(0);
	}
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r != pid) {
		printf("not ok %s: waitpid: %s\n", t->name, strerror(errno));
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == GTEST_EXIT_SKIP)
		return 2;
	if (WIFEXITED(status) && WEXITSTATUS(status) == GTEST_EXIT_FAIL)
		printf("not ok %s: check failed\n", t->name);
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		printf("not ok %s: timed out after %u s\n", t->name, t->timeout);
	else
		printf("not ok %s: %s\n", t->name, status_str(status));
	return 1;
}

int main(int argc, char **argv, char **envp)
{
	int counts[3] = { 0, 0, 0 }, outcome;
	const char *only = argc > 1 ? argv[1] : NULL;

	gtest_argc = argc;
	gtest_argv = argv;
	gtest_envp = envp;
	setvbuf(stdout, NULL, _IONBF, 0); /* no buffered output to duplicate at fork */
	prctl(PR_SET_DUMPABLE, 0);         /* expected crashes leave no core files */
	for (struct gtest *t = gtest_head; t; t = t->next) {
		if (only && strcmp(only, t->name) != 0)
			continue;
		gtest_current = t->name;
		if (t->flags & GTEST_F_NOFORK)
			outcome = gtest_run_nofork(t);
		else
			outcome = gtest_run_forked(t);
		if (outcome == 0)
			printf("ok %s\n", t->name);
		else if (outcome == 1 && (t->flags & GTEST_F_NOFORK))
			printf("not ok %s: check failed\n", t->name);
		counts[outcome]++;
	}
	if (only && counts[0] + counts[1] + counts[2] == 0) {
		printf("not ok %s: no such test\n", only);
		return 1;
	}
	printf("# %d passed, %d failed, %d skipped\n", counts[0], counts[1], counts[2]);
	return counts[1] ? 1 : 0;
}
#endif
