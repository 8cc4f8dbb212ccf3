/*
 * msg.c - sending and receiving on sockets: send, sendto, sendmsg,
 * sendmmsg, recv(from), recvmsg, recvmmsg. Each copies the user's
 * struct msghdr, address and iovec array in (bounded: an address of at
 * most sizeof(sockaddr_storage), UIO_MAXIOV iovecs, a control buffer of
 * at most SOCK_CTL_MAX bytes), calls the family, and copies the source
 * address, control length and flags back out as Linux's ____sys_recvmsg.
 */
#include "net/socket.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"

#define IOV_MAX 1024                     /* UIO_MAXIOV */
#define MAX_RW_COUNT 0x7ffff000          /* Linux's cap on one transfer */
#define SOCK_CTL_MAX (64 * 1024)         /* a control buffer's size (ENOBUFS beyond) */
#define MMSG_MAX 1024                    /* sendmmsg/recvmmsg: UIO_MAXIOV messages */

/* ---- iterators ---- */

/* Copy n bytes between the iterator's user buffers and kernel memory. */
static int iter_copy(struct sock_iter *it, void *kbuf, size_t n, bool to_user)
{
	char *k = kbuf;
	while (n) {
		if (it->idx >= it->nr)
			return -EFAULT;
		struct iovec *v = &it->iov[it->idx];
		size_t chunk = MIN(n, v->iov_len - it->off);
		char *u = (char *)v->iov_base + it->off;
		if (chunk && (to_user ? copy_to_user(u, k, chunk) : copy_from_user(k, u, chunk)))
			return -EFAULT;
		k += chunk;
		n -= chunk;
		it->left -= chunk;
		it->off += chunk;
		if (it->off == v->iov_len) {
			it->idx++;
			it->off = 0;
		}
	}
	return 0;
}

int sock_iter_from(struct sock_iter *it, void *dst, size_t n) { return iter_copy(it, dst, n, false); }
int sock_iter_to(struct sock_iter *it, const void *src, size_t n)
{
	return iter_copy(it, (void *)src, n, true);
}

/* put_cmsg - see socket.h (Linux's put_cmsg). */
int put_cmsg(struct sock_msg *m, int level, int type, const void *data, size_t len)
{
	size_t room = m->ctllen - m->ctlused;
	if (!m->uctl || room < sizeof(struct cmsghdr)) {
		m->flags |= MSG_CTRUNC;
		return 0;
	}
	struct cmsghdr h = { CMSG_LEN(len), level, type };
	if (h.cmsg_len > room) {
		m->flags |= MSG_CTRUNC;
		h.cmsg_len = room;
	}
	char *u = (char *)m->uctl + m->ctlused;
	if (copy_to_user(u, &h, sizeof(h)) ||
	    copy_to_user(u + sizeof(h), data, h.cmsg_len - sizeof(h)))
		return -EFAULT;
	m->ctlused += MIN(CMSG_SPACE(len), room);
	return 0;
}

/* ---- importing a message ---- */

/* Copy the iovec array in: -EMSGSIZE past IOV_MAX, -EINVAL for a length
 * that is negative as a ssize_t; the total is cut to MAX_RW_COUNT. */
static long iov_in(struct sock_msg *m, const struct iovec *uiov, size_t nr)
{
	if (nr > IOV_MAX)
		return -EMSGSIZE;
	m->it.iov = nr ? kmalloc(nr * sizeof(struct iovec)) : NULL;
	if (nr && !m->it.iov)
		return -ENOMEM;
	m->it.nr = (unsigned)nr;
	if (nr && copy_from_user(m->it.iov, uiov, nr * sizeof(struct iovec)))
		return -EFAULT;
	size_t total = 0;
	for (size_t i = 0; i < nr; i++) {
		if ((int64_t)m->it.iov[i].iov_len < 0)
			return -EINVAL;
		size_t room = MAX_RW_COUNT - total;
		if (m->it.iov[i].iov_len > room)
			m->it.iov[i].iov_len = room;
		total += m->it.iov[i].iov_len;
	}
	m->it.left = total;
	return 0;
}

/* Import a user msghdr into m (send: with its address). */
static long msg_in(struct sock_msg *m, const struct msghdr *uh, struct msghdr *h, bool send)
{
	memset(m, 0, sizeof(*m));
	if (copy_from_user(h, uh, sizeof(*h)))
		return -EFAULT;
	if (h->msg_controllen > SOCK_CTL_MAX)
		return -ENOBUFS;
	if ((int)h->msg_namelen < 0)
		return -EINVAL;
	if (send && h->msg_name) {
		long err = sock_addr_in(h->msg_name, (int)h->msg_namelen, &m->name);
		if (err)
			return err;
		m->namelen = (int)h->msg_namelen;
	}
	m->uctl = h->msg_controllen ? h->msg_control : NULL;
	m->ctllen = h->msg_controllen;
	return iov_in(m, h->msg_iov, h->msg_iovlen);
}

/* ---- the syscalls ---- */

static long do_sendmsg(struct socket *s, struct file *f, struct sock_msg *m, int flags)
{
	return s->fam->sendmsg(s, m, flags, (flags & MSG_DONTWAIT) || (file_flags(f) & O_NONBLOCK));
}

static long do_recvmsg(struct socket *s, struct file *f, struct sock_msg *m, int flags)
{
	return s->fam->recvmsg(s, m, flags, (flags & MSG_DONTWAIT) || (file_flags(f) & O_NONBLOCK));
}

long sys_sendto(int fd, const void *ubuf, size_t len, int flags, const void *uaddr, int alen)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd_get(fd, &f, &err);
	if (!s)
		return err;
	struct iovec iov = { (void *)ubuf, MIN(len, (size_t)MAX_RW_COUNT) };
	struct sock_msg m = { .it = { &iov, 1, 0, 0, iov.iov_len } };
	err = 0;
	if (uaddr) {
		err = sock_addr_in(uaddr, alen, &m.name);
		m.namelen = alen;
	}
	if (!err)
		err = do_sendmsg(s, f, &m, flags);
	file_put(f);
	return err;
}

long sys_recvfrom(int fd, void *ubuf, size_t len, int flags, void *uaddr, int *ualen)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd_get(fd, &f, &err);
	if (!s)
		return err;
	struct iovec iov = { ubuf, MIN(len, (size_t)MAX_RW_COUNT) };
	struct sock_msg m = { .it = { &iov, 1, 0, 0, iov.iov_len } };
	long r = do_recvmsg(s, f, &m, flags);
	if (r >= 0 && uaddr) {
		err = sock_addr_out(&m.name, m.namelen, uaddr, ualen);
		if (err)
			r = err;
	}
	file_put(f);
	return r;
}

static long sendmsg_one(struct socket *s, struct file *f, const struct msghdr *uh, int flags)
{
	struct sock_msg m;
	struct msghdr h;
	long err = msg_in(&m, uh, &h, true);
	if (!err)
		err = do_sendmsg(s, f, &m, flags);
	kfree(m.it.iov);
	return err;
}

/* Receive one message and write back msg_namelen, msg_controllen and
 * msg_flags, as Linux does. */
static long recvmsg_one(struct socket *s, struct file *f, struct msghdr *uh, int flags)
{
	struct sock_msg m;
	struct msghdr h;
	long r = msg_in(&m, uh, &h, false);
	if (!r)
		r = do_recvmsg(s, f, &m, flags);
	kfree(m.it.iov);
	if (r < 0)
		return r;
	if (h.msg_name && sock_addr_out(&m.name, m.namelen, h.msg_name, (int *)&uh->msg_namelen))
		return -EFAULT;
	int oflags = m.flags;
	size_t used = m.ctlused;
	if (copy_to_user(&uh->msg_flags, &oflags, sizeof(oflags)) ||
	    copy_to_user(&uh->msg_controllen, &used, sizeof(used)))
		return -EFAULT;
	return r;
}

long sys_sendmsg(int fd, const struct msghdr *uh, int flags)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd_get(fd, &f, &err);
	if (!s)
		return err;
	err = sendmsg_one(s, f, uh, flags);
	file_put(f);
	return err;
}

long sys_recvmsg(int fd, struct msghdr *uh, int flags)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd_get(fd, &f, &err);
	if (!s)
		return err;
	err = recvmsg_one(s, f, uh, flags);
	file_put(f);
	return err;
}

/* sendmmsg/recvmmsg - up to vlen messages; the count done, or the
 * first message's error. recvmmsg's timeout is not supported (EINVAL
 * when given); MSG_WAITFORONE makes messages after the first
 * non-blocking. */
static long do_mmsg(int fd, struct mmsghdr *uv, unsigned vlen, int flags, bool send)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd_get(fd, &f, &err);
	if (!s)
		return err;
	if (vlen > MMSG_MAX)
		vlen = MMSG_MAX;
	unsigned done = 0;
	err = 0;
	for (; done < vlen; done++) {
		long r = send ? sendmsg_one(s, f, &uv[done].msg_hdr, flags) :
			recvmsg_one(s, f, &uv[done].msg_hdr, flags);
		if (r < 0) {
			err = r;
			break;
		}
		unsigned len = (unsigned)r;
		if (copy_to_user(&uv[done].msg_len, &len, sizeof(len))) {
			err = -EFAULT;
			break;
		}
		if (!send && (flags & MSG_WAITFORONE))
			flags |= MSG_DONTWAIT;
	}
	file_put(f);
	return done ? (long)done : err;
}

long sys_sendmmsg(int fd, struct mmsghdr *uv, unsigned vlen, int flags)
{
	return do_mmsg(fd, uv, vlen, flags, true);
}

long sys_recvmmsg(int fd, struct mmsghdr *uv, unsigned vlen, int flags, void *utimeout)
{
	if (utimeout)
		return -EINVAL;
	return do_mmsg(fd, uv, vlen, flags, false);
}
