/*
 * gtest_cred.h - helpers for the tests of credentials, permissions,
 * limits and /proc/sys: becoming an unprivileged user, reading and
 * writing small text files.
 */
#ifndef ASPEN_GTEST_CRED_H
#define ASPEN_GTEST_CRED_H
#include "gtest.h"
#include <fcntl.h>
#include <grp.h>

#define NOBODY 65534    /* Debian's nobody and nogroup */

/* Become nobody:nogroup with no supplementary groups, for good (real,
 * effective and saved ids). Needs root: skips the test otherwise. */
static inline void become_nobody(void)
{
	if (geteuid() != 0)
		SKIP("needs root to drop to nobody");
	CHECK(setgroups(0, NULL) == 0, "setgroups: %s", strerror(errno));
	CHECK(setresgid(NOBODY, NOBODY, NOBODY) == 0, "setresgid: %s", strerror(errno));
	CHECK(setresuid(NOBODY, NOBODY, NOBODY) == 0, "setresuid: %s", strerror(errno));
}

/* The text of a small file, NUL-terminated, into buf; its length, or -1
 * with errno. */
static inline ssize_t read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	int e = errno;
	close(fd);
	errno = e;
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* Write text to path in one write(2) at offset 0; write's result, or -1
 * with errno (of the open or the write). */
static inline ssize_t write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return n;
}

/* A number read from a small file (a /proc/sys value); fails the test if
 * it cannot be read. */
static inline long read_long(const char *path)
{
	char buf[64];
	CHECK(read_text(path, buf, sizeof(buf)) > 0, "read %s: %s", path, strerror(errno));
	return strtol(buf, NULL, 0);
}

/* capget/capset's ABI (<linux/capability.h>, which musl lacks). */
#define _LINUX_CAPABILITY_VERSION_3 0x20080522
struct __user_cap_header_struct {
	uint32_t version;
	int pid;
};
struct __user_cap_data_struct {
	uint32_t effective, permitted, inheritable;
};
#define BIT(cap) (1ULL << (cap))

/* The capability sets of thread pid (0: the caller). */
struct caps {
	uint64_t eff, perm, inh;
};

static inline struct caps caps_of(pid_t pid)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
	struct __user_cap_data_struct d[2];
	CHECK(syscall(SYS_capget, &h, d) == 0, "capget: %s", strerror(errno));
	return (struct caps){ d[0].effective | (uint64_t)d[1].effective << 32,
			      d[0].permitted | (uint64_t)d[1].permitted << 32,
			      d[0].inheritable | (uint64_t)d[1].inheritable << 32 };
}

/* capset of the caller's own sets: 0, or -1 with errno. */
static inline int capset_self(uint64_t eff, uint64_t perm, uint64_t inh)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) } };
	return (int)syscall(SYS_capset, &h, d);
}
#endif
