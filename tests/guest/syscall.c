// GUEST: glibc
/*
 * syscall.c - the system-call boundary itself: an unimplemented call
 * returns exactly -ENOSYS and is logged once by name (Aspen keeps the
 * kernel log that dmesg reads); numbers out of range are ENOSYS too.
 */
#include "gtest.h"
#include <string.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10

GTEST(unimplemented_syscall_returns_enosys)
{
	CHECK_ERR(syscall(SYS_uselib, "/nonexistent"), ENOSYS);   /* none on x86-64 Linux either */
	CHECK_ERR(syscall(999), ENOSYS);
	CHECK_ERR(syscall(-1L), ENOSYS);
	CHECK_ERR(syscall(0x7fffffffL), ENOSYS);
}

static int count_in(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

GTEST(unimplemented_syscall_logged_once_by_name)
{
	ASPEN_ONLY();
	syscall(SYS_uselib, "/nonexistent");
	syscall(SYS_uselib, "/nonexistent");
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	CHECK(size > 0);
	char *log = calloc(1, (size_t)size + 1);
	CHECK(log != NULL);
	int n = klogctl(SYSLOG_ACTION_READ_ALL, log, size);
	CHECK(n > 0);
	CHECK_EQ(count_in(log, "syscall uselib (134) not implemented"), 1);
	free(log);
}

GTEST(kernel_log_holds_the_boot_banner)
{
	ASPEN_ONLY();
	char log[65536];
	int n = klogctl(SYSLOG_ACTION_READ_ALL, log, sizeof(log) - 1);
	CHECK(n > 0);
	log[n] = 0;
	CHECK(strstr(log, "frames free of") != NULL, "no banner in %d bytes", n);
}
