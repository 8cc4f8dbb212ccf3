/*
 * pipe.h - pipes: a ring buffer between a read end and a write end.
 */
#ifndef ASPEN_FS_PIPE_H
#define ASPEN_FS_PIPE_H
#include "lib/kernel.h"

struct file;

#define PIPE_BUF 4096                    /* writes up to this size are atomic */
#define PIPE_DEF_SIZE (16 * PAGE_SIZE)   /* 64 KiB, Linux's default capacity */
#define PIPE_MAX_SIZE (1024 * 1024)      /* fs.pipe-max-size's default, as Linux */

/* pipe_fops - the ops of both ends of a pipe and of every open FIFO
 * (file_open_inode gives them to an S_IFIFO inode). */
extern const struct file_ops pipe_fops;

/* pipe_create - a new pipe and its two open files: *rd (O_RDONLY) and
 * *wr (O_WRONLY), each with status flags `flags` (O_NONBLOCK; O_DIRECT,
 * packet mode, on *wr only) and
 * refcount 1. 0 or -ENFILE (out of memory, or past the caller's pipe
 * pages, as Linux). May sleep. */
int pipe_create(uint32_t flags, struct file **rd, struct file **wr);

/* pipe_fcntl - F_GETPIPE_SZ / F_SETPIPE_SZ on f: the capacity in bytes,
 * or -EBADF (f is not a pipe), -EINVAL, -EPERM (above fs.pipe-max-size
 * or the user's pipe pages without CAP_SYS_RESOURCE),
 * -EBUSY (more unread bytes than the new size), -ENOMEM. May sleep. */
long pipe_fcntl(struct file *f, unsigned cmd, unsigned long arg);

/* pipe_peek - tee(2)'s read: up to n bytes of the pipe of f copied to
 * user memory and left in it; waits for data unless nonblock (or
 * O_NONBLOCK): -EAGAIN; 0 at end of file; -EINVAL if f is no pipe. */
long pipe_peek(struct file *f, char *ubuf, size_t n, bool nonblock);

/* sys_pipe / sys_pipe2 - the syscalls (fs/pipe.def). */
long sys_pipe(int *fds);
long sys_pipe2(int *fds, int flags);
#endif
