/*
 * sysctl_kernel.c - the tunables of /proc/sys/kernel that belong to no
 * other file: the taint flags, printk's levels and the random/ entries
 * (core_pattern and core_uses_pid live with the core dumps,
 * kernel/proc/coredump.c).
 *
 * The System V IPC tunables live beside the IPC code (kernel/ipc/shm.c:
 * shmmax, shmall, shmmni; msgmax, msgmnb, msgmni and sem go with message
 * queues and semaphores when they land).
 */
#include "sys/sysctl.h"
#include "proc/cred.h"
#include "fs/random.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define UUID_TEXT 37

/* kernel.tainted: Linux's taint bits; a write may add bits, never clear
 * them, and needs CAP_SYS_ADMIN. Aspen taints itself with nothing. */
static unsigned long tainted;

static long show_tainted(const struct sysctl *s, char *buf, size_t size)
{
	return snprintf(buf, size, "%lu\n", __atomic_load_n(&tainted, __ATOMIC_RELAXED));
}

static long store_tainted(const struct sysctl *s, const char *text, size_t len)
{
	long v;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	long took = sysctl_parse_long(text, len, &v);
	if (took < 0 || v < 0)
		return -EINVAL;
	__atomic_or_fetch(&tainted, (unsigned long)v, __ATOMIC_RELAXED);
	return took;
}
SYSCTL_PROC("kernel/tainted", 0644, show_tainted, store_tainted);

/* kernel.printk: the console's level, then Linux's default message,
 * minimum and boot levels (which Aspen does not use). A write sets the
 * first. */
static long show_printk(const struct sysctl *s, char *buf, size_t size)
{
	return snprintf(buf, size, "%d\t4\t1\t7\n", __atomic_load_n(&console_loglevel, __ATOMIC_RELAXED));
}

static long store_printk(const struct sysctl *s, const char *text, size_t len)
{
	long v;
	long took = sysctl_parse_long(text, len, &v);
	if (took < 0 || v < INT32_MIN || v > INT32_MAX)
		return -EINVAL;
	__atomic_store_n(&console_loglevel, (int)v, __ATOMIC_RELAXED);
	return (long)len;
}
SYSCTL_PROC("kernel/printk", 0644, show_printk, store_printk);

/* ---- random/ ---- */

/* A random (version 4) UUID as Linux prints it. */
static void uuid_text(char out[UUID_TEXT])
{
	uint8_t b[16];
	random_bytes(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, UUID_TEXT, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static long show_uuid(const struct sysctl *s, char *buf, size_t size)
{
	char u[UUID_TEXT];
	uuid_text(u);
	return snprintf(buf, size, "%s\n", u);
}

/* boot_id: made at its first read, the same until the next boot.
 * boot_id_lock is a leaf but for random_lock, taken inside it. */
static char boot_id[UUID_TEXT];
static struct spinlock boot_id_lock = SPINLOCK_INIT("boot_id");

static long show_boot_id(const struct sysctl *s, char *buf, size_t size)
{
	char u[UUID_TEXT];
	spin_lock(&boot_id_lock);
	if (!boot_id[0])
		uuid_text(boot_id);
	memcpy(u, boot_id, sizeof(u));
	spin_unlock(&boot_id_lock);
	return snprintf(buf, size, "%s\n", u);
}

static int entropy_bits = 256;          /* Linux 5.18+: always the whole pool */
SYSCTL_PROC("kernel/random/boot_id", 0444, show_boot_id, NULL);
SYSCTL_PROC("kernel/random/uuid", 0444, show_uuid, NULL);
SYSCTL_INT("kernel/random/entropy_avail", 0444, &entropy_bits, 0, 0);
SYSCTL_INT("kernel/random/poolsize", 0444, &entropy_bits, 0, 0);
