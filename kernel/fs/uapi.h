/*
 * uapi.h - the Linux ABI values and layouts the file system uses, taken
 * from the installed UAPI headers so they match Linux exactly.
 *
 * Two wrinkles: <asm/stat.h> names a padding field __unused, which
 * lib/kernel.h defines as an attribute, so the macro is hidden around it;
 * and <linux/stat.h> leaves out the S_IF* and permission constants when
 * glibc is present (host unit tests), so they are defined here with the
 * values from <linux/stat.h>.
 */
#ifndef ASPEN_FS_UAPI_H
#define ASPEN_FS_UAPI_H
#include "lib/kernel.h"

#pragma push_macro("__unused")
#undef __unused
#include <asm/stat.h>
#pragma pop_macro("__unused")
#include <asm/statfs.h>
#include <linux/stat.h>
#include <linux/fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/uio.h>
#include <linux/time_types.h>
#include <linux/magic.h>
#include <asm/ioctls.h>

#ifndef S_IFMT /* values from <linux/stat.h> */
#define S_IFMT   00170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISUID  0004000
#define S_ISGID  0002000
#define S_ISVTX  0001000
#define S_ISLNK(m)  (((m) & S_IFMT) == S_IFLNK)
#define S_ISREG(m)  (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m)  (((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m)  (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)
#define S_IRWXU 00700
#define S_IRUSR 00400
#define S_IWUSR 00200
#define S_IXUSR 00100
#define S_IRWXG 00070
#define S_IRGRP 00040
#define S_IWGRP 00020
#define S_IXGRP 00010
#define S_IRWXO 00007
#define S_IROTH 00004
#define S_IWOTH 00002
#define S_IXOTH 00001
#endif

/* utimensat's special tv_nsec values (Linux's include/linux/stat.h). */
#define UTIME_NOW  ((1L << 30) - 1L)
#define UTIME_OMIT ((1L << 30) - 2L)
/* statfs f_flags: the flags are valid (Linux's include/linux/statfs.h). */
#define ST_VALID 0x0020

/* Limits from <linux/limits.h>. */
#define NAME_MAX 255        /* bytes in one path component */
#define PATH_MAX 4096       /* bytes in a path, with its NUL */
#define SYMLOOP_MAX 40      /* symlinks followed in one lookup (Linux's MAXSYMLINKS) */

/* The record getdents64 returns (Linux's, not in the UAPI headers). */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

/* d_type values (as <dirent.h>'s DT_*): the S_IF* type shifted down. */
#define DT_UNKNOWN 0
#define IFTODT(mode) (((mode) & S_IFMT) >> 12)

/* Device numbers as Linux encodes them in st_rdev (new_encode_dev). */
#define MKDEV(major, minor) \
	((((uint32_t)(minor) & 0xff) | (((uint32_t)(major) & 0xfff) << 8) | (((uint32_t)(minor) & ~0xffu) << 12)))
#define DEV_MAJOR(dev) (((dev) >> 8) & 0xfff)
#define DEV_MINOR(dev) (((dev) & 0xff) | (((dev) >> 12) & 0xfff00))
#endif
