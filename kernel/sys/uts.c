/*
 * uts.c - the system's names: uname, sethostname, setdomainname, and
 * the same names under /proc/sys/kernel (ostype, osrelease, version,
 * hostname, domainname). One copy of each, guarded by sysctl_lock.
 */
#include "sys/sysctl.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/utsname.h>

/* As every kernel implementing Linux's ABI tells programs: "Linux".
 * The release and version name Aspen (gtest.h's on_aspen() looks at the
 * version); the boot banner is Aspen's own. */
#define UTS_SYSNAME "Linux"
#define UTS_RELEASE "6.1.0-aspen"
#define UTS_VERSION "#1 SMP Aspen"

static char uts_ostype[] = UTS_SYSNAME;
static char uts_release[] = UTS_RELEASE;
static char uts_version[] = UTS_VERSION;
static char uts_hostname[__NEW_UTS_LEN + 1] = "aspen";
static char uts_domainname[__NEW_UTS_LEN + 1] = "(none)";

SYSCTL_STRING("kernel/ostype", 0444, uts_ostype);
SYSCTL_STRING("kernel/osrelease", 0444, uts_release);
SYSCTL_STRING("kernel/version", 0444, uts_version);
SYSCTL_STRING("kernel/hostname", 0644, uts_hostname);
SYSCTL_STRING("kernel/domainname", 0644, uts_domainname);

void uts_nodename(char *buf, size_t size)
{
	sysctl_string_get(buf, uts_hostname, MIN(size, sizeof(uts_hostname)));
}

#define PER_MASK 0xff
#define PER_LINUX32 0x0008
#define UNAME26 0x0020000
#define UNAME26_MINOR 1   /* UTS_RELEASE's minor number: 6.1 reads 2.6.61 */

/* With personality UNAME26 the release reads "2.6.(60 + minor)" and
 * what follows the release's numbers, as Linux's override_release. */
static void release_as_2_6(char *buf, size_t size)
{
	const char *rest = uts_release;
	int dots = 0;
	while (*rest && (*rest == '.' ? ++dots < 3 : *rest >= '0' && *rest <= '9'))
		rest++;
	snprintf(buf, size, "2.6.%u%s", 60 + UNAME26_MINOR, rest);
}

long sys_uname(struct new_utsname *u)
{
	struct new_utsname n;
	unsigned persona = current->personality;
	memset(&n, 0, sizeof(n));
	strlcpy(n.sysname, uts_ostype, sizeof(n.sysname));
	sysctl_string_get(n.nodename, uts_hostname, sizeof(n.nodename));
	strlcpy(n.release, uts_release, sizeof(n.release));
	if (persona & UNAME26)
		release_as_2_6(n.release, sizeof(n.release));
	strlcpy(n.version, uts_version, sizeof(n.version));
	/* personality PER_LINUX32 (linux32, setarch i686): a 32-bit machine */
	strlcpy(n.machine, (persona & PER_MASK) == PER_LINUX32 ? "i686" : "x86_64", sizeof(n.machine));
	sysctl_string_get(n.domainname, uts_domainname, sizeof(n.domainname));
	return copy_to_user(u, &n, sizeof(n));
}

/* Set one name from user memory: Linux's checks (root, 0..64 bytes). */
static long set_name(char *dst, size_t size, const char *uname, int len)
{
	char buf[__NEW_UTS_LEN];
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len < 0 || len > __NEW_UTS_LEN)
		return -EINVAL;
	if (copy_from_user(buf, uname, (size_t)len))
		return -EFAULT;
	sysctl_string_set(dst, size, buf, (size_t)len);
	return 0;
}

long sys_sethostname(const char *name, int len)
{
	return set_name(uts_hostname, sizeof(uts_hostname), name, len);
}

long sys_setdomainname(const char *name, int len)
{
	return set_name(uts_domainname, sizeof(uts_domainname), name, len);
}
