/*
 * syscalls.h - the file system's Linux syscalls (listed for the table in
 * fs/syscalls.def). Each returns a result >= 0 or -errno; every pointer
 * argument is a user pointer.
 */
#ifndef ASPEN_FS_SYSCALLS_H
#define ASPEN_FS_SYSCALLS_H
#include "lib/kernel.h"
#include "fs/uapi.h"

/* sys_file.c */
long sys_read(int fd, char *buf, size_t count);
long sys_write(int fd, const char *buf, size_t count);
long sys_readv(int fd, const struct iovec *iov, int iovcnt);
long sys_writev(int fd, const struct iovec *iov, int iovcnt);
long sys_pread64(int fd, char *buf, size_t count, int64_t pos);
long sys_pwrite64(int fd, const char *buf, size_t count, int64_t pos);
long sys_preadv(int fd, const struct iovec *iov, int iovcnt, int64_t pos);
long sys_pwritev(int fd, const struct iovec *iov, int iovcnt, int64_t pos);
long sys_open(const char *path, int flags, uint32_t mode);
long sys_openat(int dirfd, const char *path, int flags, uint32_t mode);
long sys_creat(const char *path, uint32_t mode);
long sys_name_to_handle_at(int dirfd, const char *path, void *handle, int *mnt_id, int flags);
long sys_open_by_handle_at(int mount_fd, const void *handle, int flags);
long sys_close(int fd);
long sys_lseek(int fd, int64_t off, unsigned whence);
long sys_dup(int oldfd);
long sys_dup2(int oldfd, int newfd);
long sys_dup3(int oldfd, int newfd, int flags);
long sys_fcntl(int fd, unsigned cmd, unsigned long arg);
long sys_ioctl(int fd, unsigned cmd, unsigned long arg);
long sys_getdents64(int fd, void *dirent, unsigned count);
long sys_getdents(int fd, void *dirent, unsigned count);
long sys_vmsplice(int fd, const struct iovec *iov, unsigned long nr_segs, unsigned flags);
/* sys_splice.c */
long sys_sendfile(int out_fd, int in_fd, int64_t *off, size_t count);
long sys_splice(int in_fd, int64_t *off_in, int out_fd, int64_t *off_out, size_t len, unsigned flags);
long sys_tee(int in_fd, int out_fd, size_t len, unsigned flags);
long sys_copy_file_range(int in_fd, int64_t *off_in, int out_fd, int64_t *off_out, size_t len,
			 unsigned flags);
long sys_sync_file_range(int fd, int64_t off, int64_t nbytes, unsigned flags);
long sys_preadv2(int fd, const struct iovec *iov, int iovcnt, int64_t pos_lo, int64_t pos_hi, int rwf);
long sys_pwritev2(int fd, const struct iovec *iov, int iovcnt, int64_t pos_lo, int64_t pos_hi, int rwf);
long sys_ftruncate(int fd, int64_t length);
long sys_sync(void);
long sys_fsync(int fd);
long sys_fdatasync(int fd);
struct open_how;
long sys_openat2(int dirfd, const char *path, const struct open_how *how, size_t size);

/* sys_fd.c, memfd.c */
long sys_close_range(unsigned first, unsigned last, unsigned flags);
long sys_memfd_create(const char *name, unsigned flags);

/* sys_stat.c */
long sys_stat(const char *path, struct stat *st);
long sys_lstat(const char *path, struct stat *st);
long sys_fstat(int fd, struct stat *st);
long sys_newfstatat(int dirfd, const char *path, struct stat *st, int flags);
long sys_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *stx);
long sys_statfs(const char *path, struct statfs *buf);
long sys_fstatfs(int fd, struct statfs *buf);
/* fs/mount.c */
long sys_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
	       const void *data);
long sys_umount2(const char *target, int flags);
long sys_sysfs(int option, unsigned long arg1, unsigned long arg2);
/* fs/inotify.c */
long sys_inotify_init(void);
long sys_inotify_init1(int flags);
long sys_inotify_add_watch(int fd, const char *path, uint32_t mask);
long sys_inotify_rm_watch(int fd, int wd);
long sys_syncfs(int fd);
long sys_access(const char *path, int mode);
long sys_faccessat(int dirfd, const char *path, int mode);
long sys_faccessat2(int dirfd, const char *path, int mode, int flags);

/* sys_namei.c */
long sys_mkdir(const char *path, uint32_t mode);
long sys_mkdirat(int dirfd, const char *path, uint32_t mode);
long sys_flock(int fd, unsigned op);
long sys_fallocate(int fd, int mode, int64_t off, int64_t len);
long sys_mknod(const char *path, uint32_t mode, unsigned dev);
long sys_mknodat(int dirfd, const char *path, uint32_t mode, unsigned dev);
long sys_rmdir(const char *path);
long sys_unlink(const char *path);
long sys_unlinkat(int dirfd, const char *path, int flags);
long sys_rename(const char *oldpath, const char *newpath);
long sys_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);
long sys_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		   unsigned flags);
long sys_link(const char *oldpath, const char *newpath);
long sys_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
long sys_symlink(const char *target, const char *linkpath);
long sys_symlinkat(const char *target, int newdirfd, const char *linkpath);
long sys_readlink(const char *path, char *buf, int bufsiz);
long sys_readlinkat(int dirfd, const char *path, char *buf, int bufsiz);
long sys_chdir(const char *path);
long sys_fchdir(int fd);
long sys_chroot(const char *path);
long sys_getcwd(char *buf, unsigned long size);
long sys_umask(int mask);
long sys_chmod(const char *path, uint32_t mode);
long sys_fchmod(int fd, uint32_t mode);
long sys_fchmodat(int dirfd, const char *path, uint32_t mode);
long sys_chown(const char *path, uint32_t uid, uint32_t gid);
long sys_fchown(int fd, uint32_t uid, uint32_t gid);
long sys_lchown(const char *path, uint32_t uid, uint32_t gid);
long sys_fchownat(int dirfd, const char *path, uint32_t uid, uint32_t gid, int flags);
long sys_truncate(const char *path, int64_t length);
long sys_utimensat(int dirfd, const char *path, const struct __kernel_timespec *times, int flags);
struct user_timeval;
long sys_utimes(const char *path, const struct user_timeval *times);
long sys_futimesat(int dirfd, const char *path, const struct user_timeval *times);
#endif
