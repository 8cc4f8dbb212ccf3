/*
 * memfd.h - memfd_create(2) and file seals (F_ADD_SEALS, F_GET_SEALS).
 *
 * A memfd is an unlinked file of the shared-memory file system
 * (mm/shmem.c) with a name for /proc (memfd:NAME) and a set of seals
 * that limit what may be done to it from then on. The seals are
 * enforced where the file changes: writes (inode_write_at), size
 * changes (file_truncate_inode), fallocate and new shared mappings
 * (sys_mmap). Other files of the memory file systems report
 * F_SEAL_SEAL, as Linux's tmpfs files do; files of other file systems
 * have no seals (EINVAL).
 */
#ifndef ASPEN_FS_MEMFD_H
#define ASPEN_FS_MEMFD_H
#include "lib/kernel.h"
#include "fs/vfs.h"
#include "lib/errno.h"

struct file;

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#define MEMFD_ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | \
			 F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

/* What a memfd inode carries beyond a shmem file (inode->memfd). */
struct memfd {
	uint32_t seals;          /* inode->lock: F_SEAL_* */
	char name[NAME_MAX + 1]; /* (c) "memfd:" and the caller's name */
};

/* memfd_fcntl - F_ADD_SEALS / F_GET_SEALS on f: the seals, 0, or
 * -EINVAL (not a sealable file, unknown seal), -EPERM (not open for
 * writing, or F_SEAL_SEAL), -EBUSY (F_SEAL_WRITE while a writable
 * shared mapping exists). Takes inode->lock. */
long memfd_fcntl(struct file *f, unsigned cmd, unsigned arg);
/* memfd_check_write_locked - may *len bytes at pos be written? 0 or
 * -EPERM (SEAL_WRITE, SEAL_FUTURE_WRITE; SEAL_GROW at or past the end).
 * Under SEAL_GROW a write crossing the end is cut there, as Linux's.
 * inode->lock held. */
static inline int memfd_check_write_locked(struct inode *inode, uint64_t pos, size_t *len)
{
	uint32_t seals = inode->memfd ? inode->memfd->seals : 0;
	if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if ((seals & F_SEAL_GROW) && *len && pos >= inode->size)
		return -EPERM;
	if ((seals & F_SEAL_GROW) && pos + *len > inode->size)
		*len = inode->size - pos;
	return 0;
}

/* memfd_seals - the seals of a memfd, read under its lock (0 for other
 * files). Takes inode->lock. */
static inline uint32_t memfd_seals(struct inode *inode)
{
	if (!inode->memfd)
		return 0;
	mutex_lock(&inode->lock);
	uint32_t s = inode->memfd->seals;
	mutex_unlock(&inode->lock);
	return s;
}

/* memfd_check_size - may the file's size become size? 0 or -EPERM. */
static inline int memfd_check_size(struct inode *inode, uint64_t size)
{
	uint32_t seals = memfd_seals(inode);
	uint64_t cur = __atomic_load_n(&inode->size, __ATOMIC_RELAXED);
	if ((size < cur && (seals & F_SEAL_SHRINK)) || (size > cur && (seals & F_SEAL_GROW)))
		return -EPERM;
	return 0;
}

/* memfd_check_fallocate - fallocate's mode on [off, off+len): 0 or
 * -EPERM (a hole punched under a write seal, growth under SEAL_GROW). */
static inline int memfd_check_fallocate(struct inode *inode, int mode, uint64_t off, uint64_t len)
{
	uint32_t seals = memfd_seals(inode);
	if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) &&
	    (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	if ((seals & F_SEAL_GROW) && off + len > __atomic_load_n(&inode->size, __ATOMIC_RELAXED))
		return -EPERM;
	return 0;
}

/* memfd_check_mmap - may inode be mapped shared (shared) with prot
 * (PROT_WRITE: 2)? 0 or -EPERM; *no_maywrite is set when a read-only
 * shared mapping must never become writable (mprotect: EACCES). */
static inline int memfd_check_mmap(struct inode *inode, int prot, bool shared, bool *no_maywrite)
{
	uint32_t seals = memfd_seals(inode);
	*no_maywrite = false;
	if (!shared || !(seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return 0;
	if (prot & 0x2)
		return -EPERM;
	*no_maywrite = true;
	return 0;
}
/* memfd_name - "/memfd:NAME (deleted)" for /proc if inode is a memfd. */
bool memfd_name(const struct inode *inode, char *buf, size_t size);
#endif
