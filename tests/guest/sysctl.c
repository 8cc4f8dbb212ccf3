/*
 * sysctl.c - /proc/sys as Linux has it: a tree of directories and files
 * that read as one value and a newline; root writes what the mode
 * allows, a value that does not parse or is out of range fails with
 * EINVAL and changes nothing, read-only files refuse even root. The
 * kernel names match uname and follow sethostname. The IPC limits are
 * sysctls that match IPC_INFO and bound the calls.
 *
 * Natively these tests must not disturb the host: they write only
 * values that are refused, or the value already there; changing a
 * setting is checked on Aspen.
 */
// GUEST: glibc
#include "gtest_cred.h"
#include <ctype.h>
#include <dirent.h>
#include <mqueue.h>
#include <sched.h>
#include <sys/msg.h>
#include <sys/param.h>
#include <sys/sem.h>
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
	CHECK(strcmp(u.sysname, "Linux") == 0, "sysname \"%s\"", u.sysname);   /* Aspen too */
	read_line("/proc/version", buf, sizeof(buf));
	char want[128];
	snprintf(want, sizeof(want), "Linux version %s ", u.release);
	CHECK(strncmp(buf, want, strlen(want)) == 0, "/proc/version \"%s\"", buf);
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

/* ---- kernel.*, fs.*, vm.* and /proc/config.gz ---- */

/* The text of a shell command's output into buf. */
static void command_output(const char *cmd, char *buf, size_t size)
{
	FILE *p = popen(cmd, "r");
	CHECK(p != NULL, "popen %s: %s", cmd, strerror(errno));
	size_t n = fread(buf, 1, size - 1, p);
	buf[n] = 0;
	CHECK_EQ(pclose(p), 0);
}

GTEST(config_gz_is_gzipped_linux_config)
{
	static char text[1 << 20];
	unsigned char magic[2];
	int fd = open("/proc/config.gz", O_RDONLY);
	if (fd < 0 && errno == ENOENT && !on_aspen())
		SKIP("no /proc/config.gz on this host");
	CHECK(fd >= 0, "open: %s", strerror(errno));
	CHECK_EQ(read(fd, magic, 2), 2);
	CHECK(magic[0] == 0x1f && magic[1] == 0x8b, "magic %02x %02x", magic[0], magic[1]);
	close(fd);
	command_output("zcat /proc/config.gz", text, sizeof(text));
	int lines = 0;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"), lines++) {
		bool set = strncmp(l, "CONFIG_", 7) == 0 && strchr(l, '=');
		bool unset = strncmp(l, "# CONFIG_", 9) == 0 && strstr(l, " is not set");
		CHECK(set || unset || l[0] == '#', "line \"%s\"", l);
		if (on_aspen() && strcmp(l, "CONFIG_MMU=y") == 0)
			lines += 1000;
		if (on_aspen() && strcmp(l, "# CONFIG_USER_NS is not set") == 0)
			lines += 1000000;
	}
	CHECK(lines > 10, "%d lines", lines);
	if (on_aspen())
		CHECK(lines > 1001000, "CONFIG_MMU=y and CONFIG_USER_NS unset expected");
}

GTEST(random_boot_id_stays_uuid_changes)
{
	char a[64], b[64], u[64], v[64];
	read_line("/proc/sys/kernel/random/boot_id", a, sizeof(a));
	read_line("/proc/sys/kernel/random/boot_id", b, sizeof(b));
	read_line("/proc/sys/kernel/random/uuid", u, sizeof(u));
	read_line("/proc/sys/kernel/random/uuid", v, sizeof(v));
	CHECK(strcmp(a, b) == 0 && strcmp(u, v) != 0);
	bool form = strlen(u) == 36 && u[14] == '4';          /* version 4 */
	for (int i = 0; i < 36; i++)
		form &= (i == 8 || i == 13 || i == 18 || i == 23) ? u[i] == '-' : isxdigit(u[i]) && !isupper(u[i]);
	CHECK(form, "uuid %s", u);
	CHECK(read_long("/proc/sys/kernel/random/entropy_avail") > 0);
}

GTEST(file_nr_and_printk_formats)
{
	char buf[128];
	long nr, unused, max;
	read_line("/proc/sys/fs/file-nr", buf, sizeof(buf));
	CHECK(sscanf(buf, "%ld\t%ld\t%ld", &nr, &unused, &max) == 3 && nr > 0 && max > 0, "%s", buf);
	CHECK_EQ(max, read_long("/proc/sys/fs/file-max"));
	int lv[4];
	read_line("/proc/sys/kernel/printk", buf, sizeof(buf));
	CHECK(sscanf(buf, "%d\t%d\t%d\t%d", &lv[0], &lv[1], &lv[2], &lv[3]) == 4, "%s", buf);
	if (!on_aspen())
		return;
	int fds[10];                               /* nothing else runs: the count is exact */
	for (int i = 0; i < 10; i++)
		fds[i] = open("/dev/null", O_RDONLY);
	read_line("/proc/sys/fs/file-nr", buf, sizeof(buf));
	CHECK_EQ(strtol(buf, NULL, 10), nr + 10);
	for (int i = 0; i < 10; i++)
		close(fds[i]);
}

/* Write a number to a /proc/sys file, failing the test if refused. */
static void set_sysctl(const char *path, long v)
{
	char text[32];
	snprintf(text, sizeof(text), "%ld", v);
	CHECK(write_text(path, text) == (ssize_t)strlen(text), "%s = %ld: %s", path, v, strerror(errno));
}

GTEST(file_max_gives_enfile_to_the_unprivileged)
{
	ASPEN_ONLY();                              /* a host-wide setting */
	char buf[128];
	long old = read_long("/proc/sys/fs/file-max");
	read_line("/proc/sys/fs/file-nr", buf, sizeof(buf));
	set_sysctl("/proc/sys/fs/file-max", strtol(buf, NULL, 10) + 3);
	pid_t pid = xfork();
	if (pid == 0) {
		become_nobody();
		int got = 0;
		while (open("/dev/null", O_RDONLY) >= 0)
			got++;
		CHECK_EQ(errno, ENFILE);
		CHECK(got == 3 || got == 4, "%d files past file-max", got);  /* file-nr's own fd counted */
		_exit(0);
	}
	int st = wait_status(pid);
	int fd = open("/dev/null", O_RDONLY);             /* root (CAP_SYS_ADMIN) still may */
	set_sysctl("/proc/sys/fs/file-max", old);
	CHECK(fd >= 0, "root: %s", strerror(errno));
	close(fd);
	CHECK_EXITED(st, 0);
}

GTEST(pipe_max_size_bounds_unprivileged_setpipe_sz)
{
	long max = read_long("/proc/sys/fs/pipe-max-size");
	pid_t pid = xfork();
	if (pid == 0) {
		become_nobody();
		int p[2];
		CHECK_EQ(pipe(p), 0);
		CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536);
		CHECK_EQ(fcntl(p[0], F_SETPIPE_SZ, max), max);
		CHECK_ERR(fcntl(p[0], F_SETPIPE_SZ, max * 2), EPERM);
		CHECK_EQ(fcntl(p[0], F_SETPIPE_SZ, 5000), 8192);     /* rounded up */
		CHECK_ERR(fcntl(p[0], F_SETPIPE_SZ, (1UL << 31) + 1), EINVAL);
		CHECK_EQ(fcntl(p[0], F_SETPIPE_SZ, 1UL << 32), 4096);  /* an unsigned int: 0 */
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	if (!on_aspen())
		return;                                    /* the rest changes host-wide settings */
	set_sysctl("/proc/sys/fs/pipe-max-size", 100000);
	CHECK_EQ(read_long("/proc/sys/fs/pipe-max-size"), 131072);
	CHECK_ERR(write_text("/proc/sys/fs/pipe-max-size", "4294967296"), EINVAL);
	set_sysctl("/proc/sys/fs/pipe-max-size", max);
}

GTEST(pipe_user_pages_soft_then_hard)
{
	ASPEN_ONLY();                                      /* host-wide settings */
	long soft = read_long("/proc/sys/fs/pipe-user-pages-soft");
	long hard = read_long("/proc/sys/fs/pipe-user-pages-hard");
	set_sysctl("/proc/sys/fs/pipe-user-pages-soft", 20);
	set_sysctl("/proc/sys/fs/pipe-user-pages-hard", 19);
	pid_t pid = xfork();
	if (pid == 0) {
		become_nobody();
		int a[2], b[2], c[2];
		CHECK_EQ(pipe(a), 0);
		CHECK_EQ(fcntl(a[0], F_GETPIPE_SZ), 65536);     /* 16 pages */
		CHECK_EQ(pipe(b), 0);
		CHECK_EQ(fcntl(b[0], F_GETPIPE_SZ), 8192);      /* past soft: 2 pages */
		CHECK_ERR(fcntl(b[0], F_SETPIPE_SZ, 32768), EPERM);  /* 16 + 8 > soft */
		CHECK_ERR(pipe(c), ENFILE);                     /* 16 + 2 + 2 > hard */
		CHECK_EQ(fcntl(a[0], F_SETPIPE_SZ, 4096), 4096);   /* shrinking: always */
		CHECK_EQ(pipe(c), 0);                           /* 1 + 2 + 16 fits again */
		_exit(0);
	}
	int st = wait_status(pid);
	set_sysctl("/proc/sys/fs/pipe-user-pages-soft", soft);
	set_sysctl("/proc/sys/fs/pipe-user-pages-hard", hard);
	CHECK_EXITED(st, 0);
}

GTEST(threads_max_and_max_map_count_enforced)
{
	ASPEN_ONLY();                                      /* host-wide settings */
	long threads = read_long("/proc/sys/kernel/threads-max");
	set_sysctl("/proc/sys/kernel/threads-max", 1);
	pid_t pid = fork();
	int err = errno;
	if (pid == 0)
		_exit(0);
	set_sysctl("/proc/sys/kernel/threads-max", threads);
	if (pid > 0)
		wait_status(pid);
	CHECK(pid == -1 && err == EAGAIN, "fork past threads-max: %d, %s", pid, strerror(err));
	long maps = read_long("/proc/sys/vm/max_map_count");
	pid = xfork();
	if (pid == 0) {
		char buf[65536];
		int regions = 0;
		CHECK(read_text("/proc/self/maps", buf, sizeof(buf)) > 0);
		for (char *c = buf; *c; c++)
			regions += *c == '\n';
		set_sysctl("/proc/sys/vm/max_map_count", regions + 4);
		int made = 0;
		while (made < 100 && mmap(NULL, 4096, made % 2 ? PROT_READ : PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED)
			made++;
		CHECK(made < 100 && errno == ENOMEM, "%d mappings, %s", made, strerror(errno));
		_exit(0);
	}
	int st = wait_status(pid);
	set_sysctl("/proc/sys/vm/max_map_count", maps);
	CHECK_EXITED(st, 0);
}

/* The numbers of a /proc/sys file, as many as fit in v; how many. */
static int read_ints(const char *path, long *v, int max)
{
	char buf[256], *p = buf, *end;
	int n = 0;

	CHECK(read_text(path, buf, sizeof(buf)) > 0, "read %s: %s", path, strerror(errno));
	for (; n < max; n++, p = end) {
		v[n] = strtol(p, &end, 10);
		if (end == p)
			break;
	}
	return n;
}

GTEST(ipc_limits_are_sysctls_and_match_ipc_info)
{
	long sem[4];
	struct seminfo si;
	struct msginfo mi;

	CHECK_EQ(read_ints("/proc/sys/kernel/sem", sem, 4), 4);
	CHECK(semctl(0, 0, IPC_INFO, (struct seminfo *)&si) >= 0, "IPC_INFO: %s", strerror(errno));
	CHECK_EQ(sem[0], si.semmsl);
	CHECK_EQ(sem[1], si.semmns);
	CHECK_EQ(sem[2], si.semopm);
	CHECK_EQ(sem[3], si.semmni);
	CHECK(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0, "IPC_INFO: %s", strerror(errno));
	CHECK_EQ(read_long("/proc/sys/kernel/msgmax"), mi.msgmax);
	CHECK_EQ(read_long("/proc/sys/kernel/msgmnb"), mi.msgmnb);
	CHECK_EQ(read_long("/proc/sys/kernel/msgmni"), mi.msgmni);

	/* refused writes change nothing: SEMMNI past IPCMNI, msgmni < 0 */
	char text[128];
	snprintf(text, sizeof(text), "%ld %ld %ld 40000", sem[0], sem[1], sem[2]);
	CHECK_ERR(write_text("/proc/sys/kernel/sem", text), ERANGE);
	long now[4];
	CHECK_EQ(read_ints("/proc/sys/kernel/sem", now, 4), 4);
	CHECK(memcmp(now, sem, sizeof(sem)) == 0, "kernel.sem changed");
	CHECK_ERR(write_text("/proc/sys/kernel/msgmni", "-1"), EINVAL);
	CHECK_ERR(write_text("/proc/sys/fs/mqueue/msg_max", "0"), EINVAL);
	CHECK_ERR(write_text("/proc/sys/fs/mqueue/msgsize_max", "127"), EINVAL);

	/* a queue opened without attributes gets the defaults */
	mqd_t q = mq_open("/sysctl_defaults", O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
	CHECK(q != (mqd_t)-1, "mq_open: %s", strerror(errno));
	struct mq_attr a;
	CHECK_EQ(mq_getattr(q, &a), 0);
	CHECK_EQ(mq_unlink("/sysctl_defaults"), 0);
	mq_close(q);
	CHECK_EQ(a.mq_maxmsg, MIN(read_long("/proc/sys/fs/mqueue/msg_default"),
				  read_long("/proc/sys/fs/mqueue/msg_max")));
	CHECK_EQ(a.mq_msgsize, MIN(read_long("/proc/sys/fs/mqueue/msgsize_default"),
				   read_long("/proc/sys/fs/mqueue/msgsize_max")));
	CHECK(read_long("/proc/sys/fs/mqueue/queues_max") > 0);
}

GTEST(ipc_sysctls_bound_semget_and_msgsnd)
{
	/* Natively in an IPC namespace of its own, whose settings these are:
	 * the host's stay untouched. */
	if (!on_aspen() && unshare(CLONE_NEWIPC) != 0)
		SKIP("no IPC namespace of its own: %s", strerror(errno));
	long sem[4];
	char text[128];
	CHECK_EQ(read_ints("/proc/sys/kernel/sem", sem, 4), 4);
	CHECK_EQ(write_text("/proc/sys/kernel/sem", "5"), 1);   /* SEMMSL alone */
	int too_many = semget(IPC_PRIVATE, 6, 0600), e = errno;
	int id = semget(IPC_PRIVATE, 5, 0600);
	snprintf(text, sizeof(text), "%ld\t%ld\t%ld\t%ld\n", sem[0], sem[1], sem[2], sem[3]);
	CHECK_EQ(write_text("/proc/sys/kernel/sem", text), (ssize_t)strlen(text));
	CHECK(too_many == -1 && e == EINVAL, "semget of 6: %d %s", too_many, strerror(e));
	CHECK(id >= 0, "semget of 5: %s", strerror(errno));
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);

	long msgmax = read_long("/proc/sys/kernel/msgmax");
	set_sysctl("/proc/sys/kernel/msgmax", 100);
	struct { long type; char text[101]; } m = { 1, { 0 } };
	int q = msgget(IPC_PRIVATE, 0600);
	int big = msgsnd(q, &m, 101, IPC_NOWAIT);
	e = errno;
	int fits = msgsnd(q, &m, 100, IPC_NOWAIT);
	set_sysctl("/proc/sys/kernel/msgmax", msgmax);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	CHECK(big == -1 && e == EINVAL, "msgsnd of 101: %d %s", big, strerror(e));
	CHECK_EQ(fits, 0);
}
