/*
 * perm.c - file permissions as Linux checks them: the owner's, group's
 * or others' mode bits for open, exec, search, create, unlink and
 * rename; root passing them except for running a file with no x bit;
 * the sticky bit on /tmp; chmod, chown and utimensat's ownership rules
 * and the set-id bits they clear; access and faccessat2 with the real
 * or the effective ids; umask; set-group-ID directories; CAP_MKNOD for
 * device nodes.
 *
 * Files are made in a fresh directory under /tmp by root; the checks
 * run in children that drop to nobody (65534) or to uid 1000.
 */
// GUEST: glibc
#include "gtest_cred.h"
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#define U1 1000
#define CAP_MKNOD 27

/* The test's directory: setup() makes a fresh one under /tmp (a name of
 * its own: other runs may share the host's /tmp) and makes it the
 * working directory, so that DIR_ "/f" names a file in it. */
#define DIR_ "."
static char dir_path[64];

/* A fresh directory DIR_ (0755, root's) and a file in it with mode. */
static void setup(const char *file, mode_t mode)
{
	if (geteuid() != 0)
		SKIP("needs root");
	snprintf(dir_path, sizeof(dir_path), "/tmp/perm-XXXXXX");
	CHECK(mkdtemp(dir_path) != NULL, "mkdtemp: %s", strerror(errno));
	CHECK_EQ(chmod(dir_path, 0755), 0);
	CHECK_EQ(chdir(dir_path), 0);
	if (file) {
		int fd = open(file, O_CREAT | O_WRONLY, 0600);
		CHECK(fd >= 0, "create %s: %s", file, strerror(errno));
		CHECK_EQ(write(fd, "#!/bin/sh\nexit 7\n", 17), 17);
		close(fd);
		CHECK_EQ(chmod(file, mode), 0);
	}
}

static void cleanup(void)
{
	char cmd[96];

	CHECK_EQ(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir_path);
	CHECK_EQ(system(cmd), 0);
}

/* Run body in a child as uid (gid the same), no groups. */
#define AS_USER(uid, ...) do { \
	pid_t pid_ = xfork(); \
	if (pid_ == 0) { \
		CHECK_EQ(setgroups(0, NULL), 0); \
		CHECK_EQ(setresgid(uid, uid, uid), 0); \
		CHECK_EQ(setresuid(uid, uid, uid), 0); \
		__VA_ARGS__; \
		_exit(0); \
	} \
	CHECK_EXITED(wait_status(pid_), 0); } while (0)

GTEST(open_obeys_owner_group_other_bits)
{
	setup(DIR_ "/f", 0640);
	CHECK_EQ(chown(DIR_ "/f", U1, NOBODY), 0);
	AS_USER(U1, {                                  /* the owner: rw- */
		int fd = open(DIR_ "/f", O_RDWR);
		CHECK(fd >= 0, "owner rw: %s", strerror(errno));
		close(fd);
	});
	AS_USER(NOBODY, {                              /* the group: r-- */
		int fd = open(DIR_ "/f", O_RDONLY);
		CHECK(fd >= 0, "group r: %s", strerror(errno));
		close(fd);
		CHECK_ERR(open(DIR_ "/f", O_WRONLY), EACCES);
		CHECK_ERR(open(DIR_ "/f", O_RDONLY | O_TRUNC), EACCES);
	});
	AS_USER(2000, CHECK_ERR(open(DIR_ "/f", O_RDONLY), EACCES));   /* others: --- */
	CHECK_EQ(chmod(DIR_ "/f", 0), 0);
	int fd = open(DIR_ "/f", O_RDWR);              /* root: mode 0 is no obstacle */
	CHECK(fd >= 0, "root on mode 0: %s", strerror(errno));
	close(fd);
	cleanup();
}

GTEST(exec_needs_an_x_bit_even_for_root)
{
	setup(DIR_ "/s", 0644);
	CHECK_ERR(execl(DIR_ "/s", "s", NULL), EACCES);
	CHECK_ERR(access(DIR_ "/s", X_OK), EACCES);
	CHECK_EQ(chmod(DIR_ "/s", 0701), 0);         /* x for others only */
	CHECK_EQ(access(DIR_ "/s", X_OK), 0);          /* root: any x bit will do */
	AS_USER(U1, {
		pid_t pid = xfork();
		if (pid == 0) {
			execl(DIR_ "/s", "s", NULL);   /* others may run it, and sh need not read it... */
			_exit(errno == EACCES ? 99 : 98);
		}
		int st = wait_status(pid);
		/* ... but the shell must read the script: it fails to open it */
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) != 98, "%s", status_str(st));
	});
	CHECK_EQ(chmod(DIR_ "/s", 0754), 0);
	AS_USER(U1, CHECK_ERR(execl(DIR_ "/s", "s", NULL), EACCES));
	CHECK_ERR(execl(DIR_, "d", NULL), EACCES);     /* a directory is never run */
	cleanup();
}

GTEST(search_and_create_need_dir_bits)
{
	setup(DIR_ "/f", 0644);
	CHECK_EQ(chmod(DIR_, 0754), 0);               /* others: r-- (list, no search) */
	AS_USER(U1, {
		CHECK_ERR(open(DIR_ "/f", O_RDONLY), EACCES);
		struct stat st;
		CHECK_ERR(stat(DIR_ "/f", &st), EACCES);
		CHECK_ERR(chdir(DIR_), EACCES);
	});
	CHECK_EQ(chmod(DIR_, 0755), 0);
	AS_USER(U1, {
		CHECK_ERR(open(DIR_ "/new", O_CREAT | O_WRONLY, 0644), EACCES);
		CHECK_ERR(mkdir(DIR_ "/sub", 0755), EACCES);
		CHECK_ERR(unlink(DIR_ "/f"), EACCES);
		CHECK_ERR(rename(DIR_ "/f", DIR_ "/g"), EACCES);
		CHECK_ERR(symlink("x", DIR_ "/l"), EACCES);
	});
	CHECK_EQ(chmod(DIR_, 0777), 0);
	AS_USER(U1, {
		int fd = open(DIR_ "/new", O_CREAT | O_WRONLY, 0644);
		CHECK(fd >= 0, "create: %s", strerror(errno));
		struct stat st;
		CHECK_EQ(fstat(fd, &st), 0);
		CHECK(st.st_uid == U1 && st.st_gid == U1, "owner %u:%u", st.st_uid, st.st_gid);
		close(fd);
		CHECK_EQ(unlink(DIR_ "/f"), 0);      /* not sticky: anyone who may write the dir */
	});
	cleanup();
}

GTEST(sticky_tmp_protects_others_files)
{
	struct stat st;
	CHECK_EQ(stat("/tmp", &st), 0);
	CHECK((st.st_mode & 07777) == 01777, "/tmp mode %o", st.st_mode & 07777);
	setup(NULL, 0);
	CHECK_EQ(chmod(DIR_, 01777), 0);
	AS_USER(U1, {
		int fd = open(DIR_ "/mine", O_CREAT | O_WRONLY, 0666);
		CHECK(fd >= 0);
		close(fd);
	});
	AS_USER(NOBODY, {
		CHECK_ERR(unlink(DIR_ "/mine"), EPERM);
		CHECK_ERR(rename(DIR_ "/mine", DIR_ "/taken"), EPERM);
		int fd = open(DIR_ "/nobodys", O_CREAT | O_WRONLY, 0666);
		CHECK(fd >= 0);
		close(fd);
		CHECK_ERR(rename(DIR_ "/nobodys", DIR_ "/mine"), EPERM);   /* nor replace it */
		CHECK_EQ(unlink(DIR_ "/nobodys"), 0);
	});
	AS_USER(U1, CHECK_EQ(unlink(DIR_ "/mine"), 0));
	cleanup();
}

GTEST(chmod_only_by_owner_and_drops_sgid_outside_group)
{
	setup(DIR_ "/f", 0644);
	CHECK_EQ(chown(DIR_ "/f", U1, 0), 0);
	AS_USER(NOBODY, CHECK_ERR(chmod(DIR_ "/f", 0777), EPERM));
	AS_USER(U1, {
		CHECK_EQ(chmod(DIR_ "/f", 02755), 0);   /* not in group 0: S_ISGID silently dropped */
		struct stat st;
		CHECK_EQ(stat(DIR_ "/f", &st), 0);
		CHECK((st.st_mode & 07777) == 0755, "mode %o", st.st_mode & 07777);
		CHECK_EQ(chmod(DIR_ "/f", 04755), 0);   /* S_ISUID: the owner may */
		CHECK_EQ(stat(DIR_ "/f", &st), 0);
		CHECK((st.st_mode & 07777) == 04755, "mode %o", st.st_mode & 07777);
	});
	cleanup();
}

GTEST(chown_gives_away_only_with_cap_and_clears_setid)
{
	setup(DIR_ "/f", 0644);
	CHECK_EQ(chown(DIR_ "/f", U1, U1), 0);
	AS_USER(U1, {
		CHECK_ERR(chown(DIR_ "/f", NOBODY, -1), EPERM);
		CHECK_ERR(chown(DIR_ "/f", -1, NOBODY), EPERM);   /* not a group of ours */
		CHECK_EQ(chown(DIR_ "/f", U1, U1), 0);            /* to what it is: fine */
		CHECK_EQ(chown(DIR_ "/f", -1, -1), 0);
	});
	AS_USER(NOBODY, {
		CHECK_ERR(chown(DIR_ "/f", U1, -1), EPERM);   /* not even to the owner it has */
		CHECK_EQ(chown(DIR_ "/f", -1, -1), 0);         /* no change asked: nothing checked */
	});
	CHECK_EQ(chmod(DIR_ "/f", 06755), 0);
	CHECK_EQ(chown(DIR_ "/f", U1, U1), 0);                 /* even root's chown clears them */
	struct stat st;
	CHECK_EQ(stat(DIR_ "/f", &st), 0);
	CHECK((st.st_mode & 07777) == 0755, "after chown: mode %o", st.st_mode & 07777);
	CHECK_EQ(chmod(DIR_ "/f", 02745), 0);                 /* S_ISGID without S_IXGRP stays */
	CHECK_EQ(chown(DIR_ "/f", -1, -1), 0);
	CHECK_EQ(stat(DIR_ "/f", &st), 0);
	CHECK((st.st_mode & 07777) == 02745, "mode %o", st.st_mode & 07777);
	cleanup();
}

/* Mode bits of path (lstat: a symlink's own). */
static unsigned mode_of(const char *path)
{
	struct stat st;
	CHECK_EQ(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

GTEST(every_chown_form_clears_setid_but_not_on_directories)
{
	setup(DIR_ "/f", 06755);
	int fd = open(DIR_ "/f", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(fchown(fd, -1, -1), 0);
	CHECK(mode_of(DIR_ "/f") == 0755, "fchown: mode %o", mode_of(DIR_ "/f"));
	CHECK_EQ(fchmod(fd, 06755), 0);
	CHECK_EQ(fchownat(AT_FDCWD, DIR_ "/f", 0, -1, 0), 0);
	CHECK(mode_of(DIR_ "/f") == 0755, "fchownat: mode %o", mode_of(DIR_ "/f"));
	CHECK_EQ(fchmod(fd, 06755), 0);
	CHECK_EQ(fchownat(fd, "", -1, 0, AT_EMPTY_PATH), 0);
	CHECK(mode_of(DIR_ "/f") == 0755, "AT_EMPTY_PATH: mode %o", mode_of(DIR_ "/f"));
	CHECK_EQ(fchmod(fd, 06755), 0);
	CHECK_EQ(symlink("f", DIR_ "/l"), 0);
	CHECK_EQ(lchown(DIR_ "/l", -1, -1), 0);                /* the link, not the file */
	CHECK(mode_of(DIR_ "/f") == 06755, "lchown: mode %o", mode_of(DIR_ "/f"));
	close(fd);
	CHECK_EQ(mkdir(DIR_ "/d", 0755), 0);
	CHECK_EQ(chmod(DIR_ "/d", 06755), 0);
	CHECK_EQ(chown(DIR_ "/d", U1, U1), 0);                 /* a directory keeps both */
	CHECK(mode_of(DIR_ "/d") == 06755, "dir: mode %o", mode_of(DIR_ "/d"));
	cleanup();
}

GTEST(chown_drops_sgid_without_group_exec_only_outside_the_group)
{
	setup(DIR_ "/f", 0644);
	CHECK_EQ(chown(DIR_ "/f", U1, U1), 0);
	CHECK_EQ(chmod(DIR_ "/f", 02644), 0);
	AS_USER(U1, CHECK_EQ(chown(DIR_ "/f", -1, -1), 0));   /* in its group: stays */
	CHECK(mode_of(DIR_ "/f") == 02644, "member: mode %o", mode_of(DIR_ "/f"));
	CHECK_EQ(chown(DIR_ "/f", U1, 0), 0);                  /* root has CAP_FSETID: stays */
	CHECK(mode_of(DIR_ "/f") == 02644, "root: mode %o", mode_of(DIR_ "/f"));
	AS_USER(U1, CHECK_EQ(chown(DIR_ "/f", -1, -1), 0));   /* owner outside group 0 */
	CHECK(mode_of(DIR_ "/f") == 0644, "outsider: mode %o", mode_of(DIR_ "/f"));
	cleanup();
}

GTEST(writing_a_setuid_file_clears_the_bit)
{
	setup(DIR_ "/f", 0666);
	CHECK_EQ(chmod(DIR_ "/f", 04777), 0);
	AS_USER(U1, {
		int fd = open(DIR_ "/f", O_WRONLY);
		CHECK(fd >= 0);
		CHECK_EQ(write(fd, "x", 1), 1);
		close(fd);
	});
	struct stat st;
	CHECK_EQ(stat(DIR_ "/f", &st), 0);
	CHECK((st.st_mode & 07777) == 0777, "mode %o", st.st_mode & 07777);
	cleanup();
}

GTEST(utimensat_now_needs_write_explicit_needs_owner)
{
	setup(DIR_ "/f", 0666);
	struct timespec t[2] = { { 1000, 0 }, { 2000, 0 } };
	AS_USER(U1, {
		CHECK_EQ(utimensat(AT_FDCWD, DIR_ "/f", NULL, 0), 0);        /* writable: may touch */
		CHECK_ERR(utimensat(AT_FDCWD, DIR_ "/f", t, 0), EPERM);       /* explicit: owner only */
	});
	CHECK_EQ(chmod(DIR_ "/f", 0644), 0);
	AS_USER(U1, CHECK_ERR(utimensat(AT_FDCWD, DIR_ "/f", NULL, 0), EACCES));
	CHECK_EQ(utimensat(AT_FDCWD, DIR_ "/f", t, 0), 0);
	struct stat st;
	CHECK_EQ(stat(DIR_ "/f", &st), 0);
	CHECK_EQ(st.st_mtime, 2000);
	cleanup();
}

GTEST(access_uses_real_ids_unless_eaccess)
{
	setup(DIR_ "/f", 0600);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(setresuid(U1, 0, 0), 0);          /* real uid 1000, effective root */
		CHECK_ERR(access(DIR_ "/f", R_OK), EACCES);
		CHECK_EQ(access(DIR_ "/f", F_OK), 0);
		CHECK_EQ(syscall(SYS_faccessat2, AT_FDCWD, DIR_ "/f", R_OK | W_OK, AT_EACCESS), 0);
		CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, DIR_ "/f", R_OK, 0x8000), EINVAL);
		CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, DIR_ "/f", 8, 0), EINVAL);
		int fd = open(DIR_ "/f", O_RDONLY);       /* open itself goes by the effective id */
		CHECK(fd >= 0);
		close(fd);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(chmod(DIR_, 0700), 0);
	pid = xfork();
	if (pid == 0) {                                /* the lookup too is by the real id */
		CHECK_EQ(setresuid(U1, 0, 0), 0);
		CHECK_ERR(access(DIR_ "/f", F_OK), EACCES);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	cleanup();
}

GTEST(umask_masks_new_files_and_dirs)
{
	setup(NULL, 0);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(umask(027), 022);
		CHECK_EQ(umask(027), 027);
		int fd = open(DIR_ "/f", O_CREAT | O_WRONLY, 0666);
		CHECK(fd >= 0);
		close(fd);
		CHECK_EQ(mkdir(DIR_ "/d", 0777), 0);
		struct stat st;
		CHECK_EQ(stat(DIR_ "/f", &st), 0);
		CHECK((st.st_mode & 0777) == 0640, "file %o", st.st_mode & 0777);
		CHECK_EQ(stat(DIR_ "/d", &st), 0);
		CHECK((st.st_mode & 0777) == 0750, "dir %o", st.st_mode & 0777);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	cleanup();
}

GTEST(setgid_directory_passes_its_group_on)
{
	setup(NULL, 0);
	CHECK_EQ(chown(DIR_, 0, 50), 0);
	CHECK_EQ(chmod(DIR_, 02777), 0);
	AS_USER(U1, {
		int fd = open(DIR_ "/f", O_CREAT | O_WRONLY, 02775);
		CHECK(fd >= 0);
		close(fd);
		CHECK_EQ(mkdir(DIR_ "/d", 0755), 0);
		struct stat st;
		CHECK_EQ(stat(DIR_ "/f", &st), 0);
		CHECK(st.st_gid == 50, "file group %u", st.st_gid);
		CHECK((st.st_mode & 02000) == 0, "S_ISGID kept outside the group: %o", st.st_mode);
		CHECK_EQ(stat(DIR_ "/d", &st), 0);
		CHECK(st.st_gid == 50 && (st.st_mode & 02000), "dir group %u mode %o", st.st_gid,
		      st.st_mode);
		CHECK_EQ(mkfifo(DIR_ "/p", 0600), 0);      /* mknod's nodes too */
		CHECK_EQ(stat(DIR_ "/p", &st), 0);
		CHECK(st.st_gid == 50, "fifo group %u", st.st_gid);
	});
	cleanup();
}

/* A device node is CAP_MKNOD's, whatever the uid: root without it is
 * refused, uid 1000 with it may; the directory's permission comes first. */
GTEST(mknod_of_a_device_needs_cap_mknod)
{
	setup(NULL, 0);
	if (!(caps_of(0).eff & BIT(CAP_MKNOD)))
		SKIP("needs CAP_MKNOD");
	CHECK_EQ(mkdir(DIR_ "/open", 0777), 0);
	CHECK_EQ(chmod(DIR_ "/open", 0777), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		const dev_t null = makedev(1, 3);
		uint64_t all = caps_of(0).perm;
		CHECK_EQ(capset_self(all & ~BIT(CAP_MKNOD), all, 0), 0);
		CHECK_ERR(mknod(DIR_ "/open/n", S_IFCHR | 0600, null), EPERM);
		CHECK_EQ(mknod(DIR_ "/open/p", S_IFIFO | 0600, 0), 0);   /* a FIFO needs none */
		CHECK_EQ(prctl(PR_SET_KEEPCAPS, 1), 0);
		CHECK_EQ(setresuid(U1, U1, U1), 0);
		CHECK_ERR(mknod(DIR_ "/n", S_IFCHR | 0600, null), EACCES);   /* 0755, root's */
		CHECK_EQ(capset_self(BIT(CAP_MKNOD), all, 0), 0);
		CHECK_EQ(mknod(DIR_ "/open/n", S_IFCHR | 0600, null), 0);
		struct stat st;
		CHECK_EQ(stat(DIR_ "/open/n", &st), 0);
		CHECK(S_ISCHR(st.st_mode) && st.st_rdev == null && st.st_uid == U1,
		      "mode %o rdev %#lx uid %u", st.st_mode, (unsigned long)st.st_rdev, st.st_uid);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	cleanup();
}

GTEST(moving_a_directory_needs_write_on_it)
{
	setup(NULL, 0);
	CHECK_EQ(chmod(DIR_, 0777), 0);
	CHECK_EQ(mkdir(DIR_ "/a", 0777), 0);
	CHECK_EQ(mkdir(DIR_ "/a/sub", 0755), 0);       /* root's, not writable by others */
	CHECK_EQ(mkdir(DIR_ "/b", 0777), 0);
	CHECK_EQ(chmod(DIR_ "/a", 0777), 0);           /* whatever the umask */
	CHECK_EQ(chmod(DIR_ "/b", 0777), 0);
	AS_USER(U1, {
		CHECK_ERR(rename(DIR_ "/a/sub", DIR_ "/b/sub"), EACCES);   /* its ".." must change */
		CHECK_EQ(rename(DIR_ "/a/sub", DIR_ "/a/sub2"), 0);         /* same parent: fine */
	});
	cleanup();
}
