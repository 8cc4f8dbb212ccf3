/*
 * sysctl.c - /proc/sys as Linux has it: a tree of directories and files
 * that read as one value and a newline; root writes what the mode
 * allows, a value that does not parse or is out of range fails with
 * EINVAL and changes nothing, read-only files refuse even root. The
 * kernel names match uname and follow sethostname.
 *
 * Natively these tests must not disturb the host: they write only
 * values that are refused, or the value already there; changing a
 * setting is checked on Aspen.
 */
// GUEST: glibc
#include "gtest_cred.h"
#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#define PID_MAX "/proc/sys/kernel/pid_max"
#define LAST_PID "/proc/sys/kernel/ns_last_pid"
#define HOSTNAME "/proc/sys/kernel/hostname"

/* Does directory path hold an entry name of type dtype? */
static bool dir_has(const char *path, const char *name, unsigned char dtype)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool found = false;

	CHECK(d != NULL, "opendir %s: %s", path, strerror(errno));
	while ((e = readdir(d)))
		if (strcmp(e->d_name, name) == 0)
			found = e->d_type == dtype;
	closedir(d);
	return found;
}

/* The value of a one-line file without its newline. */
static void read_line(const char *path, char *buf, size_t size)
{
	CHECK(read_text(path, buf, size) > 0, "read %s: %s", path, strerror(errno));
	CHECK(buf[strlen(buf) - 1] == '\n', "%s: \"%s\" does not end in a newline", path, buf);
	buf[strlen(buf) - 1] = 0;
}

GTEST(proc_sys_lists_directories_and_files)
{
	struct stat a, b;

	CHECK(dir_has("/proc/sys", "kernel", DT_DIR));
	CHECK(dir_has("/proc/sys/kernel", "hostname", DT_REG));
	CHECK(dir_has("/proc/sys/kernel", "pid_max", DT_REG));
	CHECK(dir_has("/proc/sys/kernel", "ostype", DT_REG));
	CHECK_EQ(stat("/proc/sys/kernel/hostname", &a), 0);
	CHECK_EQ(stat("/proc/sys/kernel/pid_max", &b), 0);
	CHECK(a.st_ino != b.st_ino, "two files share inode %lu", (unsigned long)a.st_ino);
	CHECK_EQ(a.st_mode, S_IFREG | 0644);
	CHECK_EQ(a.st_uid, 0);
	CHECK_EQ(stat("/proc/sys/kernel/ostype", &a), 0);
	CHECK_EQ(a.st_mode, S_IFREG | 0444);
	CHECK_EQ(stat("/proc/sys/kernel/../kernel/./pid_max", &a), 0);
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_ERR(stat("/proc/sys/kernel/no_such_thing", &a), ENOENT);
}

GTEST(proc_sys_kernel_names_match_uname)
{
	struct utsname u;
	char buf[256];

	CHECK_EQ(uname(&u), 0);
	read_line("/proc/sys/kernel/ostype", buf, sizeof(buf));
	CHECK(strcmp(buf, u.sysname) == 0, "ostype \"%s\", uname \"%s\"", buf, u.sysname);
	read_line("/proc/sys/kernel/osrelease", buf, sizeof(buf));
	CHECK(strcmp(buf, u.release) == 0, "osrelease \"%s\", uname \"%s\"", buf, u.release);
	read_line("/proc/sys/kernel/version", buf, sizeof(buf));
	CHECK(strcmp(buf, u.version) == 0, "version \"%s\", uname \"%s\"", buf, u.version);
	read_line(HOSTNAME, buf, sizeof(buf));
	CHECK(strcmp(buf, u.nodename) == 0, "hostname \"%s\", uname \"%s\"", buf, u.nodename);
	read_line("/proc/sys/kernel/domainname", buf, sizeof(buf));
	CHECK(strcmp(buf, u.domainname) == 0, "domainname \"%s\", uname \"%s\"", buf, u.domainname);
}

/* Writing kernel.hostname is sethostname; sethostname shows in the file. */
GTEST(hostname_written_shows_in_uname)
{
	struct utsname u;
	char old[256], buf[256];

	read_line(HOSTNAME, old, sizeof(old));
	const char *name = on_aspen() ? "gtest-host" : old;
	char text[300];
	snprintf(text, sizeof(text), "%s\n", name);
	CHECK_EQ(write_text(HOSTNAME, text), (ssize_t)strlen(text));
	CHECK_EQ(uname(&u), 0);
	CHECK(strcmp(u.nodename, name) == 0, "uname says \"%s\"", u.nodename);
	CHECK_EQ(sethostname(old, strlen(old)), 0);
	read_line(HOSTNAME, buf, sizeof(buf));
	CHECK(strcmp(buf, old) == 0, "hostname \"%s\" after sethostname(\"%s\")", buf, old);
}

GTEST(sethostname_checks_length_and_pointer)
{
	char big[80];

	memset(big, 'x', sizeof(big));
	CHECK_ERR(sethostname(big, 65), EINVAL);
	CHECK_ERR(syscall(SYS_sethostname, big, -1), EINVAL);
	CHECK_ERR(syscall(SYS_sethostname, (void *)8, 5), EFAULT);
	CHECK_ERR(syscall(SYS_setdomainname, big, 65), EINVAL);
	pid_t pid = xfork();
	if (pid == 0) {
		become_nobody();
		CHECK_ERR(sethostname("x", 1), EPERM);
		CHECK_ERR(setdomainname("x", 1), EPERM);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

/* Values that do not parse or are out of range: EINVAL, value kept. */
GTEST(sysctl_bad_value_einval_and_kept)
{
	static const char *bad[] = { "abc", "12x", "\n", " \t", "-", "0x", "1", "300",
				     "99999999999999999999", "2147483648", "1 2x" };
	long before = read_long(PID_MAX);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ssize_t r = write_text(PID_MAX, bad[i]);
		CHECK(r == -1 && errno == EINVAL, "writing \"%s\": %zd, %s", bad[i], r, strerror(errno));
		CHECK_EQ(read_long(PID_MAX), before);
	}
	CHECK_ERR(write_text(LAST_PID, "-1"), EINVAL);
}

/* A number is taken with blanks around it, in base 10, 16 or 8, and a
 * write past offset 0 is ignored (sysctl_writes_strict). */
GTEST(sysctl_number_forms_and_offset)
{
	long before = read_long(PID_MAX);
	char text[64];
	int fd;

	snprintf(text, sizeof(text), "  %ld \n", before);
	CHECK_EQ(write_text(PID_MAX, text), (ssize_t)strlen(text));
	snprintf(text, sizeof(text), "%#lx", before);
	CHECK_EQ(write_text(PID_MAX, text), (ssize_t)strlen(text));
	snprintf(text, sizeof(text), "%#lo", before);
	CHECK_EQ(write_text(PID_MAX, text), (ssize_t)strlen(text));
	CHECK_EQ(read_long(PID_MAX), before);
	CHECK((fd = open(PID_MAX, O_WRONLY)) >= 0);
	CHECK_EQ(pwrite(fd, "400", 3, 1), 3);
	close(fd);
	CHECK_EQ(read_long(PID_MAX), before);
}

GTEST(sysctl_readonly_file_refuses_root)
{
	CHECK_ERR(open("/proc/sys/kernel/ostype", O_WRONLY), EACCES);
	CHECK_ERR(open("/proc/sys/kernel/osrelease", O_RDWR), EACCES);
	CHECK_ERR(open("/proc/sys/kernel/new_file", O_WRONLY | O_CREAT, 0644), ENOENT);
	CHECK_ERR(access("/proc/sys/kernel/pid_max", X_OK), EACCES);
}

GTEST(sysctl_unprivileged_reads_but_cannot_write)
{
	pid_t pid = xfork();
	if (pid == 0) {
		become_nobody();
		CHECK(read_long(PID_MAX) > 0);
		CHECK_ERR(open(PID_MAX, O_WRONLY), EACCES);
		CHECK_ERR(open(HOSTNAME, O_RDWR), EACCES);
		/* ns_last_pid is 0666 but only root may set it */
		CHECK_ERR(write_text(LAST_PID, "500"), EPERM);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

/* Forked child's pid; the child exits at once. */
static pid_t fork_one(void)
{
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	CHECK_EXITED(wait_status(pid), 0);
	return pid;
}

/* Pids stay below pid_max and, once past 300, wrap to 300 (Linux's
 * RESERVED_PIDS). Changing pid_max natively would disturb the host. */
GTEST(pid_max_bounds_new_pids)
{
	ASPEN_ONLY();
	long old = read_long(PID_MAX);
	CHECK_EQ(write_text(PID_MAX, "400"), 3);
	CHECK_EQ(write_text(LAST_PID, "397"), 3);
	CHECK_EQ(read_long(LAST_PID), 397);
	CHECK_EQ(fork_one(), 398);
	CHECK_EQ(fork_one(), 399);
	pid_t wrapped = fork_one();
	CHECK(wrapped >= 300 && wrapped < 400, "pid %d after 399 with pid_max 400", (int)wrapped);
	char text[32];
	snprintf(text, sizeof(text), "%ld", old);
	CHECK_EQ(write_text(PID_MAX, text), (ssize_t)strlen(text));
}
