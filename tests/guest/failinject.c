/*
 * failinject.c - fault injection through /proc/sys/debug/fail_alloc
 * (kernel/mm/fail_alloc.c, docs/testing.md): only root reads or writes
 * it, it takes fail_alloc='s settings and shows them back, a bad line is
 * EINVAL; turned on in a child for its fork or its mmap, the call fails
 * with ENOMEM, and once it is off again the same call works and every
 * frame comes back. Aspen-only: Linux has no such file (its
 * /sys/kernel/debug/fail_page_alloc is debugfs, and the host must not
 * be made to fail).
 */
#include "gtest_cred.h"
#include <sys/mman.h>
#include <sys/stat.h>

#define FAIL_ALLOC "/proc/sys/debug/fail_alloc"
#define MAP_PAGES 4
#define SETTLE_POLLS 200     /* frames freed by exiting children, polled */
#define SETTLE_POLL_MS 10

/* A fork whose child exits at once: 0, or the errno of a failed fork. */
static int op_fork(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	CHECK_EXITED(wait_status(pid), 0);
	return 0;
}

/* A shared anonymous mapping (its shmem object is always allocated):
 * 0, or the errno of a failed mmap. */
static int op_mmap(void)
{
	size_t len = MAP_PAGES * (size_t)getpagesize();
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return errno;
	memset(p, 1, len);
	CHECK_EQ(munmap(p, len), 0);
	return 0;
}

/* In a child: injection set to setting (NULL: left off), op run, then
 * injection off; the child's wait status, exit code op's errno. */
static int in_child(const char *setting, int (*op)(void))
{
	pid_t pid = xfork();
	if (pid == 0) {
		if (setting)
			CHECK(write_text(FAIL_ALLOC, setting) == (ssize_t)strlen(setting), "write %s: %s",
			      setting, strerror(errno));
		int err = op();
		CHECK(write_text(FAIL_ALLOC, "off") == 3, "write off: %s", strerror(errno));
		_exit(err);
	}
	return wait_status(pid);
}

/* Wait until the system's frames in use are back to base's. */
static void check_frames_back(const struct aspen_counters *base)
{
	struct aspen_counters now = { 0 };
	for (int i = 0; i < SETTLE_POLLS; i++) {
		now = counters_self();
		if (now.sys_frames_used == base->sys_frames_used)
			break;
		sleep_ms(SETTLE_POLL_MS);
	}
	CHECK_EQ(now.sys_frames_used, base->sys_frames_used);
}

/* op works without injection, fails with ENOMEM in a child that turned
 * injection on with setting, works again after; frames all come back. */
static void check_injected(const char *setting, int (*op)(void))
{
	char buf[128];

	CHECK_EXITED(in_child(NULL, op), 0);      /* the kernel's caches warm */
	struct aspen_counters base = counters_self();
	CHECK_EXITED(in_child(setting, op), ENOMEM);
	CHECK(read_text(FAIL_ALLOC, buf, sizeof(buf)) > 0, "read: %s", strerror(errno));
	CHECK(strcmp(buf, "off\n") == 0, "after the child: \"%s\"", buf);
	CHECK_EXITED(in_child(NULL, op), 0);
	check_frames_back(&base);
}

GTEST(fail_alloc_file_takes_the_command_line_settings)
{
	char buf[128];

	ASPEN_ONLY();
	CHECK(read_text(FAIL_ALLOC, buf, sizeof(buf)) > 0, "read: %s", strerror(errno));
	CHECK(strcmp(buf, "off\n") == 0, "read \"%s\"", buf);
	/* A setting that cannot fail anything here: after=, past any count. */
	const char *set = "every=7,after=1000000000,times=2,paths=fork+mmap+pt";
	CHECK_EQ(write_text(FAIL_ALLOC, set), (ssize_t)strlen(set));
	CHECK(read_text(FAIL_ALLOC, buf, sizeof(buf)) > 0, "read: %s", strerror(errno));
	CHECK(strcmp(buf, "every=7,after=1000000000,times=2,paths=fork+mmap+pt\n") == 0, "read \"%s\"", buf);
	CHECK_EQ(write_text(FAIL_ALLOC, "prob=5,seed=42\n"), 15);
	CHECK(read_text(FAIL_ALLOC, buf, sizeof(buf)) > 0, "read: %s", strerror(errno));
	CHECK(strcmp(buf, "prob=5,seed=42\n") == 0, "read \"%s\"", buf);
	CHECK_EQ(write_text(FAIL_ALLOC, "off"), 3);
	/* Lines that do not parse change nothing. */
	CHECK_ERR(write_text(FAIL_ALLOC, "every=x"), EINVAL);
	CHECK_ERR(write_text(FAIL_ALLOC, "paths=fork+nowhere,every=1"), EINVAL);
	CHECK_ERR(write_text(FAIL_ALLOC, "prob=1001"), EINVAL);
	CHECK(read_text(FAIL_ALLOC, buf, sizeof(buf)) > 0, "read: %s", strerror(errno));
	CHECK(strcmp(buf, "off\n") == 0, "read \"%s\"", buf);
}

GTEST(fail_alloc_file_is_root_only)
{
	char buf[128];
	struct stat st;

	ASPEN_ONLY();
	CHECK_EQ(stat(FAIL_ALLOC, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	pid_t pid = xfork();
	if (pid == 0) {
		become_nobody();
		CHECK_ERR(read_text(FAIL_ALLOC, buf, sizeof(buf)), EACCES);
		CHECK_ERR(write_text(FAIL_ALLOC, "every=1"), EACCES);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(read_text(FAIL_ALLOC, buf, sizeof(buf)) > 0, "read: %s", strerror(errno));
	CHECK(strcmp(buf, "off\n") == 0, "read \"%s\"", buf);
}

GTEST(injected_fork_fails_enomem_and_frames_come_back)
{
	ASPEN_ONLY();
	check_injected("every=1,times=1,paths=fork", op_fork);
}

GTEST(injected_mmap_fails_enomem_and_frames_come_back)
{
	ASPEN_ONLY();
	check_injected("every=1,times=1,paths=mmap", op_mmap);
}
