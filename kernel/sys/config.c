/*
 * config.c - /proc/config.gz: what Aspen has, under Linux's CONFIG_
 * names, in Linux's .config format ("CONFIG_X=y", "# CONFIG_X is not
 * set"), gzip-wrapped (lib/gzip.c), so that programs that read the
 * kernel configuration (container runtimes, test suites) decide
 * correctly.
 *
 * THE ONE LIST: keep it honest. When a feature lands, its author flips
 * its line here from OFF to ON (or adds one) in the same commit:
 * swap did CONFIG_SWAP, System V shared memory CONFIG_SYSVIPC; loop
 * devices CONFIG_BLK_DEV_LOOP, ext2 CONFIG_EXT2_FS. docs/proc.md says so.
 */
#include "sys/config.h"
#include "lib/string.h"
#include "arch.h"

#define STR2(x) #x
#define STR(x) STR2(x)


struct config_line {
	const char *name;       /* without CONFIG_; NULL: a section heading */
	const char *value;      /* "y", a number or a quoted string; NULL: not set */
	const char *heading;
};

#define SECTION(h) { NULL, NULL, h }
#define ON(n) { n, "y", NULL }          /* CONFIG_n=y */
#define OFF(n) { n, NULL, NULL }        /* # CONFIG_n is not set */
#define VAL(n, v) { n, v, NULL }        /* CONFIG_n=v */

static const struct config_line config[] = {
	SECTION("General setup"),
	VAL("LOCALVERSION", "\"-aspen\""),
	VAL("DEFAULT_HOSTNAME", "\"aspen\""),
	ON("SYSVIPC"),
	ON("POSIX_MQUEUE"),
	OFF("AUDIT"),
	ON("MULTIUSER"),
	ON("FHANDLE"),
	ON("HIGH_RES_TIMERS"),
	ON("NO_HZ_IDLE"),
	ON("POSIX_TIMERS"),
	OFF("BPF_SYSCALL"),
	ON("IKCONFIG"),
	ON("IKCONFIG_PROC"),
	OFF("CGROUPS"),
	OFF("MEMCG"),
	OFF("NAMESPACES"),
	OFF("UTS_NS"),
	OFF("IPC_NS"),
	OFF("USER_NS"),
	OFF("PID_NS"),
	OFF("NET_NS"),
	OFF("CHECKPOINT_RESTORE"),
	ON("KCMP"),
	ON("SYSCTL"),
	ON("FUTEX"),
	ON("EPOLL"),
	ON("SIGNALFD"),
	ON("TIMERFD"),
	ON("EVENTFD"),
	ON("SHMEM"),
	OFF("AIO"),
	OFF("IO_URING"),
	ON("ADVISE_SYSCALLS"),
	ON("MEMBARRIER"),
	OFF("RSEQ"),
	ON("MEMFD_CREATE"),
	ON("CROSS_MEMORY_ATTACH"),
	ON("FILE_LOCKING"),
	ON("KALLSYMS"),
	OFF("USERFAULTFD"),
	OFF("PERF_EVENTS"),
	ON("SECCOMP"),
	ON("SECCOMP_FILTER"),
	OFF("MODULES"),
	SECTION("Processor type and features"),
	ON("64BIT"),
	ON("X86_64"),
	ON("X86"),
	ON("MMU"),
	ON("SMP"),
	VAL("NR_CPUS", STR(ARCH_MAX_CPUS)),
	OFF("NUMA"),
	OFF("X86_VSYSCALL_EMULATION"),
	ON("X86_INTEL_MEMORY_PROTECTION_KEYS"),   /* the calls exist; the CPU has no PKU (mm/sys_mm.c) */
	OFF("IA32_EMULATION"),
	SECTION("Executable file formats"),
	ON("BINFMT_ELF"),
	ON("BINFMT_SCRIPT"),
	OFF("BINFMT_MISC"),
	ON("COREDUMP"),
	SECTION("Memory Management options"),
	ON("SWAP"),
	OFF("TRANSPARENT_HUGEPAGE"),
	OFF("HUGETLB_PAGE"),
	OFF("KSM"),
	OFF("MEMORY_FAILURE"),
	ON("BLOCK"),
	SECTION("Bus options"),
	ON("PCI"),
	ON("PCI_MSI"),
	SECTION("Networking support"),
	ON("NET"),
	ON("UNIX"),
	ON("INET"),
	ON("IPV6"),
	SECTION("Device Drivers"),
	ON("BLK_DEV"),
	ON("BLK_DEV_LOOP"),
	VAL("BLK_DEV_LOOP_MIN_COUNT", "8"),
	ON("VIRTIO_BLK"),
	OFF("BLK_DEV_NVME"),
	OFF("ATA"),
	OFF("SCSI"),
	ON("TTY"),
	ON("UNIX98_PTYS"),
	ON("SERIAL_8250"),
	ON("SERIAL_8250_CONSOLE"),
	ON("DEVTMPFS"),
	OFF("DEVTMPFS_MOUNT"),
	ON("VIRTIO"),
	ON("VIRTIO_PCI"),
	ON("VIRTIO_PCI_LEGACY"),
	SECTION("File systems"),
	ON("EXT2_FS"),
	ON("EXT2_FS_XATTR"),
	OFF("EXT3_FS"),
	OFF("EXT4_FS"),
	ON("INOTIFY_USER"),
	OFF("FANOTIFY"),
	ON("PROC_FS"),
	ON("PROC_SYSCTL"),
	ON("PROC_PAGE_MONITOR"),
	OFF("SYSFS"),
	ON("TMPFS"),
	ON("TMPFS_XATTR"),
	OFF("TMPFS_POSIX_ACL"),
	OFF("FS_POSIX_ACL"),
	OFF("HUGETLBFS"),
	OFF("CONFIGFS_FS"),
	SECTION("Security options"),
	ON("KEYS"),
	OFF("SECURITY"),
	SECTION("Kernel hacking"),
	OFF("FTRACE"),
	OFF("KPROBES"),
};

/* Append at *at in buf (size bytes), as snprintf would; *at counts on. */
static void put(char *buf, size_t size, size_t *at, const char *a, const char *b, const char *c)
{
	int n = snprintf(*at < size ? buf + *at : NULL, *at < size ? size - *at : 0, "%s%s%s", a, b, c);
	*at += (size_t)n;
}

size_t config_text(char *buf, size_t size)
{
	size_t at = 0;
	put(buf, size, &at, "#\n# Automatically generated file; DO NOT EDIT.\n",
	    "# Linux/x86 6.1.0-aspen Kernel Configuration\n", "#\n");
	for (size_t i = 0; i < ARRAY_SIZE(config); i++) {
		const struct config_line *c = &config[i];
		if (!c->name)
			put(buf, size, &at, "\n#\n# ", c->heading, "\n#\n");
		else if (c->value) {
			put(buf, size, &at, "CONFIG_", c->name, "=");
			put(buf, size, &at, c->value, "\n", "");
		} else
			put(buf, size, &at, "# CONFIG_", c->name, " is not set\n");
	}
	return at;
}
