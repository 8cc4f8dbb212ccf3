/*
 * cred.c - credentials as Linux has them: real, effective, saved and
 * file-system ids and every set*id call's rules and errors, the
 * supplementary groups, root's capabilities (capget, capset, and how
 * they follow the uids), and a set-user-ID program's start (AT_SECURE).
 *
 * Each test changes ids in a forked child. On a Linux host running as
 * root, root's capabilities are those of its bounding set (a container
 * may lack some), so the tests compare against CapBnd, not all 41.
 *
 * With CRED_HELPER in its environment the program is a helper (run
 * set-user-ID): a constructor prints its ids and AT_SECURE and exits.
 */
// GUEST: glibc
#include "gtest_cred.h"
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#define CAP_CHOWN 0
#define CAP_KILL 5
#define CAP_SETUID 7

#define U1 1000
#define U2 2000
#define U3 3000

__attribute__((constructor)) static void cred_helper(void)
{
	if (!getenv("CRED_HELPER"))
		return;
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	dprintf(1, "%u %u %u %u %u %u %lu\n", r, e, s, gr, ge, gs, getauxval(AT_SECURE));
	_exit(0);
}

/* Run body in a child as root; the test fails if the child does. */
#define AS_ROOT_CHILD(...) do { \
	if (geteuid() != 0) SKIP("needs root"); \
	pid_t pid_ = xfork(); \
	if (pid_ == 0) { __VA_ARGS__; _exit(0); } \
	CHECK_EXITED(wait_status(pid_), 0); } while (0)

static void check_resuid(uid_t r, uid_t e, uid_t s)
{
	uid_t a, b, c;
	CHECK_EQ(getresuid(&a, &b, &c), 0);
	CHECK(a == r && b == e && c == s, "resuid %u %u %u, expected %u %u %u", a, b, c, r, e, s);
}

static void check_resgid(gid_t r, gid_t e, gid_t s)
{
	gid_t a, b, c;
	CHECK_EQ(getresgid(&a, &b, &c), 0);
	CHECK(a == r && b == e && c == s, "resgid %u %u %u, expected %u %u %u", a, b, c, r, e, s);
}

/* The bounding set, as prctl reads it one capability at a time. */
static uint64_t bounding_set(void)
{
	uint64_t b = 0;
	for (int cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_READ, cap) == 1)
			b |= 1ULL << cap;
	return b;
}

GTEST(root_starts_with_zero_ids_and_its_bounding_set)
{
	AS_ROOT_CHILD({
		check_resuid(0, 0, 0);
		check_resgid(0, 0, 0);
		struct caps c = caps_of(0);
		uint64_t b = bounding_set();
		CHECK(c.eff == b && c.perm == b, "eff %#lx perm %#lx bounding %#lx",
		      (unsigned long)c.eff, (unsigned long)c.perm, (unsigned long)b);
		CHECK(b & BIT(CAP_SETUID));
		CHECK_ERR(prctl(PR_CAPBSET_READ, 64), EINVAL);
	});
}

GTEST(setuid_as_root_sets_all_three_and_drops_caps)
{
	AS_ROOT_CHILD({
		CHECK_EQ(setuid(U1), 0);
		check_resuid(U1, U1, U1);
		struct caps c = caps_of(0);
		CHECK(c.eff == 0 && c.perm == 0, "caps %#lx %#lx", (unsigned long)c.eff,
		      (unsigned long)c.perm);
		CHECK_ERR(setuid(0), EPERM);
		CHECK_ERR(setuid(U2), EPERM);
		CHECK_EQ(setuid(U1), 0);
	});
}

GTEST(seteuid_keeps_saved_root_and_comes_back)
{
	AS_ROOT_CHILD({
		uint64_t all = caps_of(0).perm;
		CHECK_EQ(seteuid(U1), 0);
		check_resuid(0, U1, 0);
		struct caps c = caps_of(0);
		CHECK(c.eff == 0 && c.perm == all, "eff %#lx perm %#lx", (unsigned long)c.eff,
		      (unsigned long)c.perm);
		CHECK_ERR(setgroups(0, NULL), EPERM);      /* no effective CAP_SETGID */
		CHECK_EQ(seteuid(0), 0);
		CHECK_EQ(caps_of(0).eff, all);
		check_resuid(0, 0, 0);
	});
}

GTEST(setuid_unprivileged_moves_only_to_real_or_saved)
{
	AS_ROOT_CHILD({
		CHECK_EQ(setresuid(U1, U1, U2), 0);
		CHECK_EQ(setuid(U2), 0);              /* the saved id */
		check_resuid(U1, U2, U2);
		CHECK_EQ(setuid(U1), 0);              /* the real id */
		check_resuid(U1, U1, U2);
		CHECK_ERR(setuid(U3), EPERM);
		CHECK_ERR(setuid(-1), EINVAL);
		CHECK_ERR(setgid(-1), EINVAL);
	});
}

GTEST(setreuid_rules_and_saved_id)
{
	AS_ROOT_CHILD({
		CHECK_EQ(setreuid(U1, U2), 0);        /* root: anything; saved = new euid */
		check_resuid(U1, U2, U2);
		CHECK_ERR(setreuid(U3, -1), EPERM);   /* real: only real or effective */
		CHECK_ERR(setreuid(-1, U3), EPERM);
		CHECK_EQ(setreuid(-1, U1), 0);        /* euid moves to the real one: saved kept */
		check_resuid(U1, U1, U2);
		CHECK_EQ(setreuid(-1, U2), 0);        /* to the saved one, away from real: saved = euid */
		check_resuid(U1, U2, U2);
		CHECK_EQ(setreuid(U2, -1), 0);        /* real given: saved = euid */
		check_resuid(U2, U2, U2);
		CHECK_EQ(setreuid(-1, -1), 0);
	});
}

GTEST(setresuid_each_must_be_an_old_id)
{
	AS_ROOT_CHILD({
		CHECK_EQ(setresuid(U1, U2, U3), 0);
		CHECK_EQ(setresuid(U3, U1, U2), 0);   /* a permutation of the three */
		check_resuid(U3, U1, U2);
		CHECK_EQ(setresuid(-1, U3, -1), 0);
		check_resuid(U3, U3, U2);
		CHECK_ERR(setresuid(-1, -1, 4000), EPERM);
		check_resuid(U3, U3, U2);
		CHECK_EQ(setresuid(-1, -1, -1), 0);
	});
}

GTEST(setgid_family_as_for_uids)
{
	AS_ROOT_CHILD({
		CHECK_EQ(setresgid(U1, U2, U3), 0);
		check_resgid(U1, U2, U3);
		CHECK_EQ(setregid(U2, -1), 0);        /* real given: saved = egid */
		check_resgid(U2, U2, U2);
		CHECK_EQ(setgid(U1), 0);              /* root: all three */
		check_resgid(U1, U1, U1);
		CHECK_EQ(setresgid(U1, U2, U1), 0);
		CHECK_EQ(setuid(U1), 0);              /* no more CAP_SETGID */
		CHECK_ERR(setgid(U3), EPERM);
		CHECK_ERR(setgid(U2), EPERM);         /* only to the real or saved gid */
		CHECK_EQ(setgid(U1), 0);
		check_resgid(U1, U1, U1);
	});
}

GTEST(setfsuid_returns_old_and_follows_euid)
{
	AS_ROOT_CHILD({
		CHECK_EQ(setfsuid(U1), 0);
		CHECK_EQ(setfsuid(U1), U1);
		CHECK_EQ(setfsuid(-1), U1);           /* invalid: only reports */
		char buf[2048];
		CHECK(read_text("/proc/self/status", buf, sizeof(buf)) > 0);
		CHECK(strstr(buf, "Uid:\t0\t0\t0\t1000\n"), "status: %s", strstr(buf, "Uid:"));
		CHECK_EQ(setfsuid(0), U1);
		CHECK_EQ(seteuid(U2), 0);             /* fsuid follows the euid */
		CHECK_EQ(setfsuid(0), U2);            /* allowed: 0 is the real id */
		CHECK_EQ(seteuid(0), 0);
		CHECK_EQ(setresuid(U1, U1, U1), 0);
		CHECK_EQ(setfsuid(U2), U1);           /* not ours any more: refused */
		CHECK_EQ(setfsuid(U1), U1);
		CHECK_EQ(setfsgid(U1), 0);            /* no CAP_SETGID, not our gid */
		CHECK_EQ(setfsgid(-1), 0);
	});
}

GTEST(groups_set_sorted_and_checked)
{
	AS_ROOT_CHILD({
		gid_t set[] = { 30, 10, 20, 10 }, got[8];
		CHECK_EQ(setgroups(4, set), 0);
		CHECK_EQ(getgroups(0, NULL), 4);
		CHECK_ERR(getgroups(3, got), EINVAL);
		CHECK_ERR(syscall(SYS_getgroups, -1, got), EINVAL);
		CHECK_EQ(getgroups(8, got), 4);
		gid_t want[] = { 10, 10, 20, 30 };
		for (int i = 0; i < 4; i++)
			CHECK(got[i] == want[i], "group %d is %u", i, got[i]);
		char buf[2048];
		CHECK(read_text("/proc/self/status", buf, sizeof(buf)) > 0);
		CHECK(strstr(buf, "Groups:\t10 10 20 30 \n"), "status: %s", strstr(buf, "Groups:"));
		CHECK_ERR(syscall(SYS_setgroups, 65537, set), EINVAL);
		CHECK_ERR(syscall(SYS_setgroups, 2, (void *)8), EFAULT);
		CHECK_ERR(syscall(SYS_getgroups, 8, (void *)8), EFAULT);
		CHECK_EQ(setgroups(0, NULL), 0);
		CHECK_EQ(getgroups(0, NULL), 0);
		CHECK_EQ(setuid(U1), 0);
		CHECK_ERR(setgroups(1, set), EPERM);
	});
}

GTEST(capset_only_lowers_and_effective_within_permitted)
{
	AS_ROOT_CHILD({
		struct caps c = caps_of(0);
		uint64_t fewer = c.perm & ~BIT(CAP_CHOWN);
		CHECK_EQ(capset_self(fewer, c.perm, 0), 0);
		CHECK_EQ(caps_of(0).eff, fewer);
		int fd = open("/tmp/cred-capset", O_CREAT | O_WRONLY | O_TRUNC, 0600);
		CHECK(fd >= 0);
		CHECK_ERR(fchown(fd, U1, -1), EPERM);       /* CAP_CHOWN is not effective */
		CHECK_EQ(capset_self(c.perm, c.perm, 0), 0); /* permitted: may come back */
		CHECK_EQ(fchown(fd, U1, -1), 0);
		close(fd);
		unlink("/tmp/cred-capset");
		CHECK_EQ(capset_self(fewer, fewer, 0), 0);   /* permitted dropped: for good */
		CHECK_ERR(capset_self(c.perm, c.perm, 0), EPERM);
		CHECK_ERR(capset_self(c.perm, fewer, 0), EPERM);
		CHECK(!(caps_of(0).perm & BIT(CAP_CHOWN)));
	});
}

GTEST(capget_version_probe_and_errors)
{
	struct __user_cap_header_struct h = { 0x12345678, 0 };
	struct __user_cap_data_struct d[2];
	CHECK_EQ(syscall(SYS_capget, &h, NULL), 0);              /* libcap's probe */
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	h.version = 1;
	CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL);
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	h.pid = -1;
	CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL);
	h.pid = 0x7ffffff0;
	CHECK_ERR(syscall(SYS_capget, &h, d), ESRCH);
	CHECK_ERR(syscall(SYS_capget, (void *)8, d), EFAULT);
	h.pid = getppid();
	CHECK_EQ(syscall(SYS_capget, &h, d), 0);                 /* anyone's may be read */
	h.pid = getppid();
	CHECK_ERR(syscall(SYS_capset, &h, d), EPERM);            /* only one's own set */
}

GTEST(keepcaps_keeps_permitted_across_setuid)
{
	AS_ROOT_CHILD({
		uint64_t all = caps_of(0).perm;
		CHECK_EQ(prctl(PR_GET_KEEPCAPS), 0);
		CHECK_EQ(prctl(PR_SET_KEEPCAPS, 1), 0);
		CHECK_ERR(prctl(PR_SET_KEEPCAPS, 2), EINVAL);
		CHECK_EQ(setresuid(U1, U1, U1), 0);
		struct caps c = caps_of(0);
		CHECK(c.perm == all && c.eff == 0, "perm %#lx eff %#lx", (unsigned long)c.perm,
		      (unsigned long)c.eff);
		CHECK_EQ(capset_self(BIT(CAP_KILL), all, 0), 0);      /* and may use them */
		CHECK_EQ(caps_of(0).eff, BIT(CAP_KILL));
	});
}

GTEST(no_new_privs_is_one_way)
{
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
		CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);
		CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
		CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

/* Copy this program to path as a root-owned set-user-ID, set-group-ID file. */
static void make_setid_copy(const char *path)
{
	copy_self(path);
	CHECK_EQ(chown(path, 0, 0), 0);
	CHECK_EQ(chmod(path, 06755), 0);
}

/* Run the helper copy at path as the caller; its line of output. */
static void run_helper(const char *path, char *line, size_t size)
{
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		dup2(fds[1], 1);
		char *argv[] = { (char *)path, NULL }, *envp[] = { "CRED_HELPER=1", NULL };
		execve(path, argv, envp);
		_exit(127);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], line, size - 1);
	line[n > 0 ? n : 0] = 0;
	close(fds[0]);
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(setuid_program_runs_as_owner_with_at_secure)
{
	const char *path = "/tmp/cred-setid-helper";
	if (geteuid() != 0)
		SKIP("needs root");
	make_setid_copy(path);
	char line[128];
	run_helper(path, line, sizeof(line));            /* root runs it: nothing changes */
	CHECK(strcmp(line, "0 0 0 0 0 0 0\n") == 0, "as root: %s", line);
	pid_t pid = xfork();
	if (pid == 0) {
		become_nobody();
		run_helper(path, line, sizeof(line));
		CHECK(strcmp(line, "65534 0 0 65534 0 0 1\n") == 0, "as nobody: %s", line);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(chmod(path, 0755), 0);                  /* bits off: plain again */
	pid = xfork();
	if (pid == 0) {
		become_nobody();
		run_helper(path, line, sizeof(line));
		CHECK(strcmp(line, "65534 65534 65534 65534 65534 65534 0\n") == 0, "plain: %s", line);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	unlink(path);
}

GTEST(no_new_privs_ignores_setuid_bits)
{
	const char *path = "/tmp/cred-nnp-helper";
	if (geteuid() != 0)
		SKIP("needs root");
	make_setid_copy(path);
	pid_t pid = xfork();
	if (pid == 0) {
		become_nobody();
		CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
		char line[128];
		run_helper(path, line, sizeof(line));
		CHECK(strcmp(line, "65534 65534 65534 65534 65534 65534 0\n") == 0, "nnp: %s", line);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	unlink(path);
}

/* ---- acting on other processes ---- */

/* A child that becomes uid r/e/s, reports it is ready on a pipe, and
 * sleeps until killed. */
static pid_t spawn_as(uid_t r, uid_t e, uid_t s)
{
	int fds[2];
	char c;
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		close(fds[0]);
		if (setresuid(r, e, s) != 0)
			_exit(1);
		write(fds[1], "r", 1);
		for (;;)
			pause();
	}
	close(fds[1]);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

static void kill_and_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	CHECK_SIGNALED(wait_status(pid), SIGKILL);
}

GTEST(kill_needs_a_shared_uid_or_cap_kill)
{
	if (geteuid() != 0)
		SKIP("needs root");
	pid_t a = spawn_as(U1, U1, U1), b = spawn_as(U2, U2, U1);
	AS_ROOT_CHILD({
		CHECK_EQ(setresuid(U3, U3, U3), 0);
		CHECK_ERR(kill(a, SIGTERM), EPERM);
		CHECK_ERR(kill(a, 0), EPERM);
		CHECK_ERR(syscall(SYS_tgkill, a, a, SIGTERM), EPERM);
		CHECK_ERR(sigqueue(a, SIGUSR1, (union sigval){ 0 }), EPERM);
		CHECK_EQ(kill(-1, 0), 0);                 /* kill(-1) passes over the refusals */
	});
	AS_ROOT_CHILD({
		CHECK_EQ(setresuid(U1, U1, U1), 0);
		CHECK_EQ(kill(a, 0), 0);                  /* same real uid */
		CHECK_EQ(kill(b, 0), 0);                  /* b's saved uid is ours */
	});
	AS_ROOT_CHILD({
		CHECK_EQ(setresuid(U3, U2, U3), 0);
		CHECK_EQ(kill(b, 0), 0);                  /* our euid is b's real uid */
		CHECK_ERR(kill(a, 0), EPERM);
	});
	CHECK_EQ(kill(a, 0), 0);                          /* root: CAP_KILL */
	kill_and_reap(a);
	kill_and_reap(b);
}

GTEST(kill_group_eperm_only_if_no_member_took_it)
{
	if (geteuid() != 0)
		SKIP("needs root");
	pid_t a = spawn_as(U1, U1, U1);
	CHECK_EQ(setpgid(a, a), 0);
	AS_ROOT_CHILD({
		CHECK_EQ(setresuid(U3, U3, U3), 0);
		CHECK_ERR(kill(-a, 0), EPERM);
		CHECK_EQ(kill(a, SIGCONT), 0);            /* SIGCONT within the session is allowed */
	});
	kill_and_reap(a);
}

GTEST(setpgid_rules_across_sessions_and_exec)
{
	int fds[2];
	char c;
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		setsid();
		write(fds[1], "s", 1);
		pause();
		_exit(0);
	}
	CHECK_EQ(read(fds[0], &c, 1), 1);
	CHECK_ERR(setpgid(pid, pid), EPERM);              /* another session */
	CHECK_ERR(setpgid(pid, getpgrp()), EPERM);
	kill(pid, SIGKILL);
	wait_status(pid);
	int fence;
	pid = xfork_watching_exec(&fence);
	if (pid == 0) {
		dup2(fds[0], 0);
		execl("/bin/sh", "sh", "-c", "read x", NULL);   /* waits on the pipe */
		_exit(127);
	}
	wait_exec(fence);
	CHECK_ERR(setpgid(pid, pid), EACCES);             /* a child that has exec'd */
	CHECK_ERR(setpgid(0, 0x7ffffff0), EPERM);        /* no such group in our session */
	CHECK_ERR(setpgid(0x7ffffff0, 0), ESRCH);
	CHECK_ERR(setpgid(0, -1), EINVAL);
	close(fds[0]);
	close(fds[1]);
	kill(pid, SIGKILL);
	wait_status(pid);
}
