// GUEST: glibc
/*
 * mlock.c - keeping pages in RAM and asking where they are, and the
 * errors of swapon/swapoff that need no swap device: mlock, mlock2,
 * munlock, mlockall, MAP_LOCKED (VmLck, smaps' "lo"), mincore,
 * madvise(MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED), /proc/swaps,
 * /proc/meminfo's swap lines, /proc/PID/oom_score and friends.
 */
#include "gtest.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <sys/syscall.h>

#define PAGE 4096UL
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

static long vm_lck_kb(void) { return proc_number("/proc/self/status", "VmLck:"); }

static char *map_anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* The residency byte of each of n pages at p. */
static int resident_pages(char *p, size_t n)
{
	unsigned char vec[64];
	int count = 0;
	if (n > sizeof(vec) || mincore(p, n * PAGE, vec) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		count += vec[i] & 1;
	return count;
}

GTEST(mlock_counts_in_vmlck_and_populates)
{
	char *p = map_anon(16 * PAGE);
	long before = vm_lck_kb();
	CHECK(p != NULL);
	CHECK_EQ(resident_pages(p, 16), 0);
	CHECK_EQ(mlock(p, 16 * PAGE), 0);
	CHECK_EQ(vm_lck_kb(), before + 64);
	CHECK_EQ(resident_pages(p, 16), 16);
	CHECK_EQ(munlock(p + 4 * PAGE, 4 * PAGE), 0);
	CHECK_EQ(vm_lck_kb(), before + 48);
	CHECK_EQ(munmap(p, 16 * PAGE), 0);
	CHECK_EQ(vm_lck_kb(), before);
}

GTEST(mlock2_onfault_locks_without_populating)
{
	char *p = map_anon(8 * PAGE);
	CHECK(p != NULL);
	CHECK_EQ(syscall(SYS_mlock2, p, 8 * PAGE, MLOCK_ONFAULT), 0);
	CHECK_EQ(resident_pages(p, 8), 0);
	p[0] = 1;
	CHECK_EQ(resident_pages(p, 8), 1);
	CHECK_ERR(syscall(SYS_mlock2, p, PAGE, 0x100), EINVAL);
}

GTEST(mlock_of_a_hole_is_enomem)
{
	char *p = map_anon(4 * PAGE);
	CHECK(p != NULL);
	CHECK_EQ(munmap(p + PAGE, PAGE), 0);
	CHECK_ERR(mlock(p, 4 * PAGE), ENOMEM);
	CHECK_ERR(munlock(p, 4 * PAGE), ENOMEM);
}

GTEST(map_locked_is_locked_and_resident)
{
	char *p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(resident_pages(p, 8), 8);
	CHECK(vm_lck_kb() >= 32, "VmLck %ld kB", vm_lck_kb());
}

GTEST(mlockall_flags_and_munlockall)
{
	CHECK_ERR(mlockall(0), EINVAL);
	CHECK_ERR(mlockall(MCL_ONFAULT), EINVAL);
	CHECK_EQ(mlockall(MCL_CURRENT | MCL_FUTURE), 0);
	long locked = vm_lck_kb();
	CHECK(locked > 0);
	char *p = map_anon(4 * PAGE);   /* MCL_FUTURE: locked too */
	CHECK(p != NULL);
	CHECK_EQ(vm_lck_kb(), locked + 16);
	CHECK_EQ(munlockall(), 0);
	CHECK_EQ(vm_lck_kb(), 0);
}

GTEST(locked_region_shows_lo_in_smaps)
{
	char *p = map_anon(2 * PAGE), line[64], buf[65536];
	CHECK(p != NULL);
	CHECK_EQ(mlock(p, 2 * PAGE), 0);
	int fd = open("/proc/self/smaps", O_RDONLY);
	ssize_t n = 0, r;
	while (fd >= 0 && n < (ssize_t)sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	snprintf(line, sizeof(line), "%lx-", (unsigned long)p);
	char *at = strstr(buf, line);
	CHECK(at != NULL);
	char *flags = strstr(at, "VmFlags:");
	CHECK(flags != NULL && strstr(at, "Swap:") && strstr(at, "Locked:"));
	char *eol = strchr(flags, '\n');
	*eol = 0;
	CHECK(strstr(flags, " lo") != NULL, "%s", flags);
}

GTEST(mincore_reports_touched_pages_and_rejects_bad_ranges)
{
	char *p = map_anon(8 * PAGE);
	unsigned char vec[8];
	CHECK(p != NULL);
	p[0] = 1;
	p[5 * PAGE] = 1;
	CHECK_EQ(mincore(p, 8 * PAGE, vec), 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(vec[i] & 1, i == 0 || i == 5);
	CHECK_ERR(mincore(p + 1, PAGE, vec), EINVAL);
	CHECK_EQ(munmap(p + 2 * PAGE, PAGE), 0);
	CHECK_ERR(mincore(p, 8 * PAGE, vec), ENOMEM);
	CHECK_ERR(mincore(p, PAGE, (unsigned char *)8), EFAULT);
}

GTEST(madvise_cold_pageout_willneed_keep_contents)
{
	char *p = map_anon(8 * PAGE);
	CHECK(p != NULL);
	for (int i = 0; i < 8; i++)
		p[i * PAGE] = (char)('a' + i);
	CHECK_EQ(madvise(p, 8 * PAGE, MADV_COLD), 0);
	CHECK_EQ(madvise(p, 8 * PAGE, MADV_PAGEOUT), 0);
	CHECK_EQ(madvise(p, 8 * PAGE, MADV_WILLNEED), 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(p[i * PAGE], 'a' + i);
	CHECK_ERR(madvise(p + 1, PAGE, MADV_PAGEOUT), EINVAL);
	CHECK_EQ(mlock(p, PAGE), 0);
	CHECK_ERR(madvise(p, PAGE, MADV_PAGEOUT), EINVAL);
	CHECK_ERR(madvise(p, PAGE, MADV_COLD), EINVAL);
}

GTEST(swapon_errors_without_a_device)
{
	const char *f = "/tmp/gtest-notswap";
	char zeros[PAGE];
	memset(zeros, 0, sizeof(zeros));
	int fd = open(f, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	CHECK(fd >= 0);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(write(fd, zeros, sizeof(zeros)), (ssize_t)sizeof(zeros));
	close(fd);
	CHECK_ERR(swapon("/nonexistent-swap", 0), ENOENT);
	CHECK_ERR(swapon(f, 0), EINVAL);              /* no signature (or tmpfs) */
	CHECK_ERR(swapon(f, 0x80000000), EINVAL);     /* unknown flags */
	CHECK_ERR(swapon("/tmp", 0), EISDIR);
	CHECK_ERR(swapon("/dev/null", 0), EINVAL);    /* a character device */
	CHECK_ERR(swapoff(f), EINVAL);                /* not swap */
	CHECK_ERR(swapoff("/nonexistent-swap"), ENOENT);
	unlink(f);
}

GTEST(proc_swaps_and_meminfo_show_swap)
{
	char buf[4096];
	int fd = open("/proc/swaps", O_RDONLY);
	CHECK(fd >= 0);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = 0;
	const char *header = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
	CHECK(strncmp(buf, header, strlen(header)) == 0, "%s", buf);
	long total = proc_number("/proc/meminfo", "SwapTotal:");
	long free_kb = proc_number("/proc/meminfo", "SwapFree:");
	CHECK(total >= 0 && free_kb >= 0 && free_kb <= total);
	CHECK(proc_number("/proc/meminfo", "SwapCached:") >= 0);
	CHECK(proc_number("/proc/vmstat", "pswpin ") >= 0);
	CHECK(proc_number("/proc/vmstat", "pgmajfault ") >= 0);
	CHECK(proc_number("/proc/self/status", "VmSwap:") >= 0);
}

GTEST(oom_score_files_read_as_linux)
{
	CHECK_EQ(proc_number("/proc/self/oom_score_adj", ""), 0);
	CHECK_EQ(proc_number("/proc/self/oom_adj", ""), 0);
	long score = proc_number("/proc/self/oom_score", "");
	CHECK(score >= 0 && score <= 2000, "oom_score %ld", score);
}

/* Write text to an oom file of this process: 0, or the errno. */
static int write_oom(const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/%s", file);
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	int err = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : errno;
	close(fd);
	return err;
}

/* Does this process have capability cap (CapEff of /proc/self/status)? */
static bool has_capability(int cap)
{
	char buf[4096];
	read_file("/proc/self/status", buf, sizeof(buf));
	const char *at = strstr(buf, "CapEff:");
	unsigned long long eff = 0;
	return at && sscanf(at + 7, "%llx", &eff) == 1 && (eff >> cap & 1);
}

/* Lowering oom_score_adj below the process's floor needs CAP_SYS_RESOURCE
 * (EACCES without it, as in a container's root; Aspen's root has it). */
GTEST(oom_score_adj_writes_as_linux)
{
	bool privileged = has_capability(24);   /* CAP_SYS_RESOURCE */
	int lowering = privileged ? 0 : EACCES;
	pid_t pid = xfork();
	if (pid == 0) {   /* a child, so the runner's own value stays */
		CHECK_EQ(write_oom("oom_score_adj", "500\n"), 0);
		CHECK_EQ(proc_number("/proc/self/oom_score_adj", ""), 500);
		CHECK_EQ(proc_number("/proc/self/oom_adj", ""), 8);   /* 500 * 17 / 1000 */
		CHECK_EQ(write_oom("oom_score_adj", "1001"), EINVAL);
		CHECK_EQ(write_oom("oom_score_adj", "-1001"), EINVAL);
		CHECK_EQ(write_oom("oom_score_adj", "12x"), EINVAL);
		CHECK_EQ(write_oom("oom_adj", "16"), EINVAL);
		CHECK_EQ(write_oom("oom_adj", "15"), 0);
		CHECK_EQ(proc_number("/proc/self/oom_score_adj", ""), 1000);
		CHECK_EQ(write_oom("oom_score_adj", "0"), 0);         /* back to the floor: allowed */
		CHECK_EQ(write_oom("oom_adj", "-17"), lowering);      /* OOM_DISABLE */
		CHECK_EQ(proc_number("/proc/self/oom_score_adj", ""), privileged ? -1000 : 0);
		CHECK_EQ(write_oom("oom_score_adj", "-300"), lowering);
		int now = privileged ? -300 : 0;
		pid_t grandchild = xfork();
		if (grandchild == 0) {
			CHECK_EQ(proc_number("/proc/self/oom_score_adj", ""), now);   /* inherited */
			_exit(0);
		}
		CHECK_EQ(wait_status(grandchild), 0);
		_exit(0);   /* a failed CHECK exits non-zero */
	}
	CHECK_EQ(wait_status(pid), 0);
}
