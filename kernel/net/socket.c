/*
 * socket.c - the generic socket layer: socket files and the syscalls
 * that make, name, connect and shut sockets (socket, socketpair, bind,
 * listen, accept, accept4, connect, shutdown, getsockname, getpeername).
 * Sending, receiving and the options are in msg.c and sockopt.c; the
 * address families behind struct sock_family (socket.h): AF_UNIX in
 * unix*.c. docs/sockets.md tells the design.
 *
 * A socket's file sits on an inode of its own (sockfs: S_IFSOCK, mode
 * 0777, owned by its creator), so fstat and /proc/PID/fd show it as
 * Linux does ("socket:[ino]"). Closing the last descriptor releases
 * the socket through its family.
 */
#include "net/socket.h"
#include "arch.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/sysutil.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/signal.h"
#include "sync/wait.h"
#include <asm/ioctls.h>

/* The families, by number. */
static const struct sock_family *family_of(int family)
{
	switch (family) {
	case AF_UNIX:
		return &unix_family;
	case AF_INET:
		return &inet_family;
	case AF_INET6:
		return &inet6_family;
	default:
		return NULL;
	}
}

/* ---- socket files ---- */

static const struct file_ops socket_fops;
static uint32_t sockfs_dev;          /* st_dev of every socket; set once (atomic) */

struct socket *sock_of(struct file *f)
{
	return f->fops == &socket_fops ? f->private : NULL;
}

/* A socket's read: recv with no flags; EINVAL/ENOTCONN as recv gives. */
static long sock_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	struct socket *s = f->private;
	struct iovec iov = { ubuf, n };
	struct sock_msg m = { .it = { &iov, 1, 0, 0, n } };
	(void)pos;
	return s->fam->recvmsg(s, &m, 0, file_flags(f) & O_NONBLOCK);
}

/* A socket's write: send with no flags (SIGPIPE on a broken stream). */
static long sock_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	struct socket *s = f->private;
	struct iovec iov = { (void *)ubuf, n };
	struct sock_msg m = { .it = { &iov, 1, 0, 0, n } };
	(void)pos;
	return s->fam->sendmsg(s, &m, 0, file_flags(f) & O_NONBLOCK);
}

static unsigned sock_poll(struct file *f, struct poll_table *pt)
{
	struct socket *s = f->private;
	return s->fam->poll(s, pt);
}

/* FIONBIO sets O_NONBLOCK; the rest (FIONREAD, TIOCOUTQ) is the family's. */
static long sock_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct socket *s = f->private;
	if (cmd == FIONBIO) {
		int on;
		if (copy_from_user(&on, (void *)arg, sizeof(on)))
			return -EFAULT;
		spin_lock(&f->flags_lock);
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		spin_unlock(&f->flags_lock);
		return 0;
	}
	return s->fam->ioctl ? s->fam->ioctl(s, cmd, arg) : -ENOTTY;
}

static void sock_release(struct file *f)
{
	struct socket *s = f->private;
	s->fam->release(s);
}

static const struct file_ops socket_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.release = sock_release,
};

static void sock_inode_evict(struct inode *inode)
{
	kfree(inode);
}

static const struct inode_ops sock_iops = { .evict = sock_inode_evict };


/* sock_alloc_file - see socket.h. */
struct file *sock_alloc_file(struct socket *s, uint32_t flags)
{
	struct inode *inode = kmalloc(sizeof(*inode));
	if (!inode)
		return NULL;
	uint32_t uid, gid;
	current_fsids(&uid, &gid);
	inode_init(inode, vfs_alloc_dev_once(&sockfs_dev), S_IFSOCK | 0777, uid, gid, &sock_iops, &socket_fops);
	struct file *f = file_alloc_raw(inode, O_RDWR | flags, &socket_fops, s);
	inode_put(inode);   /* the file holds it now */
	return f;
}

/* sock_defaults - see socket.h. Linux's defaults: net.core.wmem_default
 * and rmem_default (212992 bytes), no timeouts. */
void sock_defaults(struct socket *s, const struct sock_family *fam, int type, int protocol)
{
	s->fam = fam;
	s->family = fam->family;
	s->type = type;
	s->protocol = protocol;
	s->sndbuf = 212992;
	s->rcvbuf = 212992;
	s->rcvlowat = 1;
}

/* Give a new socket a file and a descriptor; on failure it is released. */
static long sock_install(struct socket *s, int flags)
{
	struct file *f = sock_alloc_file(s, flags & O_NONBLOCK);
	if (!f) {
		s->fam->release(s);
		return -ENOMEM;
	}
	int fd = fd_install(current_files(), f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);   /* releases s */
	return fd;
}

/* Check socket()'s arguments as Linux's __sys_socket and __sock_create:
 * flags, then the family's range, then the type's, then the family. */
static long sock_check(int domain, int type, const struct sock_family **fam)
{
	if ((type & ~SOCK_TYPE_MASK) & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	if (domain < 0 || domain >= AF_MAX)
		return -EAFNOSUPPORT;
	if ((type & SOCK_TYPE_MASK) >= SOCK_MAX)
		return -EINVAL;
	*fam = family_of(domain);
	return *fam ? 0 : -EAFNOSUPPORT;
}

long sys_socket(int domain, int type, int protocol)
{
	const struct sock_family *fam;
	long err = sock_check(domain, type, &fam);
	if (err)
		return err;
	struct socket *s;
	if ((err = fam->create(type & SOCK_TYPE_MASK, protocol, &s)))
		return err;
	return sock_install(s, type & ~SOCK_TYPE_MASK);
}

long sys_socketpair(int domain, int type, int protocol, int *usv)
{
	const struct sock_family *fam;
	long err = sock_check(domain, type, &fam);
	if (err)
		return err;
	if (!fam->socketpair)
		return -EOPNOTSUPP;
	struct socket *a, *b;
	if ((err = fam->create(type & SOCK_TYPE_MASK, protocol, &a)))
		return err;
	if ((err = fam->create(type & SOCK_TYPE_MASK, protocol, &b))) {
		fam->release(a);
		return err;
	}
	if ((err = fam->socketpair(a, b))) {
		fam->release(a);
		fam->release(b);
		return err;
	}
	int flags = type & ~SOCK_TYPE_MASK;
	int fds[2] = { (int)sock_install(a, flags), -1 };
	if (fds[0] < 0) {
		fam->release(b);
		return fds[0];
	}
	if ((fds[1] = (int)sock_install(b, flags)) < 0) {
		fd_close(current_files(), fds[0]);
		return fds[1];
	}
	if (copy_to_user(usv, fds, sizeof(fds))) {
		fd_close(current_files(), fds[0]);
		fd_close(current_files(), fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* sock_fd - see socket.h (sock_fd_get). */
static struct socket *sock_fd(int fd, struct file **fp, long *err)
{
	struct file *f = fd_file(fd);
	*err = -EBADF;
	if (!f)
		return NULL;
	struct socket *s = sock_of(f);
	if (!s) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return s;
}

/* sock_addr_in - copy a user address of len bytes (Linux's
 * move_addr_to_kernel): -EINVAL beyond sockaddr_storage, -EFAULT. */
long sock_addr_in(const void *uaddr, int len, struct sockaddr_storage *a)
{
	if (len < 0 || (size_t)len > sizeof(*a))
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	return len && copy_from_user(a, uaddr, (size_t)len) ? -EFAULT : 0;
}

/* sock_addr_out - give an address of len bytes to a user buffer whose
 * size is at *ulen (Linux's move_addr_to_user: what fits is copied, the
 * full length is written back). */
long sock_addr_out(const struct sockaddr_storage *a, int len, void *uaddr, int *ulen)
{
	int have;
	if (copy_from_user(&have, ulen, sizeof(have)))
		return -EFAULT;
	if (have < 0)
		return -EINVAL;
	if (have > len)
		have = len;
	if (have && copy_to_user(uaddr, a, (size_t)have))
		return -EFAULT;
	return copy_to_user(ulen, &len, sizeof(len)) ? -EFAULT : 0;
}

/* bind or connect fd to the user address uaddr. */
static long addr_call(int fd, const void *uaddr, int len, bool connect)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd(fd, &f, &err);
	if (!s)
		return err;
	struct sockaddr_storage a;
	err = sock_addr_in(uaddr, len, &a);
	if (!err && connect)
		err = s->fam->connect ? s->fam->connect(s, &a, len, file_flags(f) & O_NONBLOCK) :
			-EOPNOTSUPP;
	else if (!err)
		err = s->fam->bind ? s->fam->bind(s, &a, len) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_bind(int fd, const void *uaddr, int len) { return addr_call(fd, uaddr, len, false); }
long sys_connect(int fd, const void *uaddr, int len) { return addr_call(fd, uaddr, len, true); }

/* listen - a backlog past net.core.somaxconn is cut to it, as Linux. */
long sys_listen(int fd, int backlog)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd(fd, &f, &err);
	if (!s)
		return err;
	if ((unsigned)backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	err = s->fam->listen ? s->fam->listen(s, backlog) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/* Put an accepted socket in a file and a descriptor, and tell the
 * caller its peer's address; on failure the socket is released. */
static long accept_install(struct socket *n, int flags, void *uaddr, int *ulen)
{
	struct file *nf = sock_alloc_file(n, flags & O_NONBLOCK);
	if (!nf) {
		n->fam->release(n);
		return -ENOMEM;
	}
	long err = 0;
	if (uaddr) {
		struct sockaddr_storage a;
		int len = 0;
		err = n->fam->getname(n, &a, &len, true);
		if (!err)
			err = sock_addr_out(&a, len, uaddr, ulen);
	}
	int fd = err ? (int)err : fd_install(current_files(), nf, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(nf);   /* releases n: its peer sees the connection reset */
	return fd;
}

long sys_accept4(int fd, void *uaddr, int *ulen, int flags)
{
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	struct file *f;
	long err;
	struct socket *s = sock_fd(fd, &f, &err);
	if (!s)
		return err;
	struct socket *n;
	if (!s->fam->accept)
		err = -EOPNOTSUPP;
	else if (!(err = s->fam->accept(s, &n, file_flags(f) & O_NONBLOCK)))
		err = accept_install(n, flags, uaddr, ulen);
	file_put(f);
	return err;
}

long sys_accept(int fd, void *uaddr, int *ulen)
{
	return sys_accept4(fd, uaddr, ulen, 0);
}

long sys_shutdown(int fd, int how)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd(fd, &f, &err);
	if (!s)
		return err;
	if (how < SHUT_RD || how > SHUT_RDWR)
		err = -EINVAL;
	else
		err = s->fam->shutdown ? s->fam->shutdown(s, how) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

static long getname(int fd, void *uaddr, int *ulen, bool peer)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd(fd, &f, &err);
	if (!s)
		return err;
	struct sockaddr_storage a;
	int len = 0;
	if (!(err = s->fam->getname(s, &a, &len, peer)))
		err = sock_addr_out(&a, len, uaddr, ulen);
	file_put(f);
	return err;
}

long sys_getsockname(int fd, void *uaddr, int *ulen) { return getname(fd, uaddr, ulen, false); }
long sys_getpeername(int fd, void *uaddr, int *ulen) { return getname(fd, uaddr, ulen, true); }

/* sock_fd_get - for msg.c and sockopt.c: as sock_fd. */
struct socket *sock_fd_get(int fd, struct file **fp, long *err)
{
	return sock_fd(fd, fp, err);
}

/* sock_deadline - see socket.h. */
uint64_t sock_deadline(uint64_t timeout)
{
	return timeout ? arch_clock_ns() + timeout : SOCK_NO_DEADLINE;
}
