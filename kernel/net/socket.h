/*
 * socket.h - the generic socket layer (net/socket.c, net/msg.c) and the
 * small interface each address family implements (struct sock_family).
 *
 * A socket is a file whose ->private is a struct socket, on an inode of
 * its own (S_IFSOCK, what fstat shows). The generic layer checks the
 * syscalls' arguments, copies addresses and iovecs in, keeps the
 * SOL_SOCKET options, and calls the family for everything else. A
 * family embeds struct socket in its own socket structure.
 *
 * Locks: (o) atomic loads and stores (options, read without a lock);
 * (c) constant after creation.
 */
#ifndef ASPEN_NET_SOCKET_H
#define ASPEN_NET_SOCKET_H
#include "lib/kernel.h"
#include "fs/uapi.h"
#include "net/uapi.h"
#include "sync/wait.h"

struct file;
struct poll_table;
struct inode;

#define SOCK_NO_DEADLINE WAIT_NO_DEADLINE

struct socket {
	const struct sock_family *fam;   /* (c) */
	int family, type, protocol;      /* (c) */
	int sndbuf, rcvbuf;              /* (o) bytes (as getsockopt reports them) */
	uint64_t rcvtimeo, sndtimeo;     /* (o) ns; 0: none (wait for ever) */
	bool passcred;                   /* (o) SO_PASSCRED */
	bool reuseaddr, keepalive, broadcast, oobinline;   /* (o) accepted, kept */
	int rcvlowat;                    /* (o) kept */
	struct linger linger;            /* (o) kept */
};

/* One send or receive: the user's iovecs and, copied in or out by the
 * generic layer, the address and the control buffer. */
struct sock_iter {
	struct iovec *iov;               /* kernel copy of the user's array */
	unsigned nr, idx;                /* entries; the current one */
	size_t off;                      /* bytes done in iov[idx] */
	size_t left;                     /* bytes left in all */
};

struct sock_msg {
	struct sock_iter it;
	struct sockaddr_storage name;    /* send: the destination; recv: the source */
	int namelen;                     /* send: 0 for none; recv: set by the family (0: none) */
	void *uctl;                      /* user control buffer (cmsgs), or NULL */
	size_t ctllen;                   /* its size */
	size_t ctlused;                  /* recv: bytes of cmsgs written */
	int flags;                       /* recv: MSG_TRUNC, MSG_CTRUNC, MSG_EOR out */
};

/* What a family does. Each op returns 0 (or a count) or -errno, may
 * sleep, and is called with no lock held. nonblock is O_NONBLOCK or
 * MSG_DONTWAIT. Unset ops give Linux's -EOPNOTSUPP. */
struct sock_family {
	int family;
	/* create - a new socket of type (SOCK_STREAM ...) and protocol;
	 * *out is the family's structure's embedded socket. */
	int (*create)(int type, int protocol, struct socket **out);
	/* release - the socket's file is gone (or an unaccepted one dies). */
	void (*release)(struct socket *s);
	int (*bind)(struct socket *s, const struct sockaddr_storage *a, int len);
	int (*connect)(struct socket *s, const struct sockaddr_storage *a, int len, bool nonblock);
	int (*listen)(struct socket *s, int backlog);
	int (*accept)(struct socket *s, struct socket **out, bool nonblock);
	int (*socketpair)(struct socket *a, struct socket *b);
	/* getname - the socket's own (peer false) or its peer's address
	 * into *a, its length into *len. */
	int (*getname)(struct socket *s, struct sockaddr_storage *a, int *len, bool peer);
	long (*sendmsg)(struct socket *s, struct sock_msg *m, int flags, bool nonblock);
	long (*recvmsg)(struct socket *s, struct sock_msg *m, int flags, bool nonblock);
	int (*shutdown)(struct socket *s, int how);
	unsigned (*poll)(struct socket *s, struct poll_table *pt);
	/* SO_ERROR (taken: cleared), SO_PEERCRED, SO_ACCEPTCONN, FIONREAD. */
	int (*take_error)(struct socket *s);
	int (*peercred)(struct socket *s, struct ucred *out);
	bool (*listening)(struct socket *s);
	long (*ioctl)(struct socket *s, unsigned cmd, uint64_t arg);
	/* Options of levels other than SOL_SOCKET (NULL: -EOPNOTSUPP).
	 * getsockopt writes at most 16 bytes to val and returns their
	 * number, or -errno. */
	long (*setsockopt)(struct socket *s, int level, int name, const void *uval, unsigned len);
	long (*getsockopt)(struct socket *s, int level, int name, void *val);
};

/* sock_alloc_file - the file (and inode) of a new socket s: O_RDWR plus
 * flags (O_NONBLOCK). NULL when out of memory (s untouched). */
struct file *sock_alloc_file(struct socket *s, uint32_t flags);
/* sock_defaults - the generic fields of a new socket. */
void sock_defaults(struct socket *s, const struct sock_family *fam, int type, int protocol);
/* sock_of - the socket behind f, or NULL if f is not one. */
struct socket *sock_of(struct file *f);

/* sock_fd_get - the socket at fd, its file referenced in *fp (file_put
 * it); NULL with *err -EBADF or -ENOTSOCK. */
struct socket *sock_fd_get(int fd, struct file **fp, long *err);
/* sock_addr_in - copy a user address of len bytes into *a (zeroed
 * first): -EINVAL when len is negative or past sockaddr_storage, -EFAULT. */
long sock_addr_in(const void *uaddr, int len, struct sockaddr_storage *a);
/* sock_addr_out - give an address of len bytes to a user buffer whose
 * size is at *ulen: what fits is copied, the full length written back
 * (Linux's move_addr_to_user). 0, -EINVAL, -EFAULT. */
long sock_addr_out(const struct sockaddr_storage *a, int len, void *uaddr, int *ulen);

/* Copies between an iterator and kernel memory: 0 or -EFAULT (part of
 * the bytes may have moved). */
int sock_iter_from(struct sock_iter *it, void *dst, size_t n);
int sock_iter_to(struct sock_iter *it, const void *src, size_t n);

/* put_cmsg - append one control message to m's user buffer; 0, or
 * MSG_CTRUNC set in m->flags when it does not fit (what fits of the
 * data goes, as Linux), -EFAULT. */
int put_cmsg(struct sock_msg *m, int level, int type, const void *data, size_t len);

/* The deadline of a wait bounded by timeout ns (0: none). */
uint64_t sock_deadline(uint64_t timeout);

/* sock_wait_event - sleep on wq until cond, a signal (-ERESTARTSYS, or
 * -EINTR when a deadline is set, as Linux's sock_intr_errno) or the
 * deadline (-EAGAIN). */
#define sock_wait_event(wq, cond, deadline) ({                           \
	uint64_t __sdl = (deadline);                                     \
	int __r = wait_event_interruptible_deadline(wq, cond, __sdl);    \
	__r == -ERESTARTSYS && __sdl != SOCK_NO_DEADLINE ? -EINTR :      \
	__r == -ETIMEDOUT ? -EAGAIN : __r;                               \
})

extern const struct sock_family unix_family, inet_family, inet6_family;
#endif
