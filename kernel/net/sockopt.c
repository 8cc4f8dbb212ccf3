/*
 * sockopt.c - setsockopt and getsockopt at level SOL_SOCKET, kept in
 * struct socket (socket.h) and read by the families. Linux's rules:
 * SO_SNDBUF and SO_RCVBUF store twice the value asked (capped at
 * net.core.wmem_max/rmem_max, 212992, before doubling; at least
 * SOCK_MIN_*BUF), getsockopt truncates to the caller's length, and a
 * timeout is a struct timeval (0: none; usec out of range: EDOM).
 * Options Aspen has nothing behind (SO_REUSEADDR, SO_KEEPALIVE, ...)
 * are kept so that getsockopt returns what was set. Other levels go to
 * the family (inet.c); AF_UNIX has none: -EOPNOTSUPP, as Linux.
 */
#include "net/socket.h"
#include "fs/context.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/usercopy.h"
#include <linux/capability.h>

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define BUF_MAX 212992                   /* net.core.wmem_max = rmem_max */
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304

/* Linux's sock_set_timeout: a struct timeval to ns (0: wait for ever). */
static long timeout_in(const void *uval, unsigned len, uint64_t *ns)
{
	struct sock_timeval tv;
	if (len < sizeof(tv))
		return -EINVAL;
	if (copy_from_user(&tv, uval, sizeof(tv)))
		return -EFAULT;
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*ns = 1;   /* Linux: a timeout of 0 jiffies, an immediate EAGAIN */
		return 0;
	}
	if ((uint64_t)tv.tv_sec > UINT64_MAX / 2000000000ull)
		tv.tv_sec = UINT64_MAX / 2000000000ull;   /* far enough: for ever */
	*ns = (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000;
	return 0;
}

/* A buffer size as Linux stores it. */
static int buf_size(int v, int min, bool force)
{
	unsigned u = (unsigned)v;
	if (!force && u > BUF_MAX)
		u = BUF_MAX;
	if (u > INT32_MAX / 2)
		u = INT32_MAX / 2;
	return MAX((int)(u * 2), min);
}

static long set_int_opt(struct socket *s, int name, int v)
{
	switch (name) {
	case SO_SNDBUF: case SO_SNDBUFFORCE:
		if (name == SO_SNDBUFFORCE && !capable(CAP_NET_ADMIN))
			return -EPERM;
		STORE(s->sndbuf, buf_size(v, SOCK_MIN_SNDBUF, name == SO_SNDBUFFORCE));
		return 0;
	case SO_RCVBUF: case SO_RCVBUFFORCE:
		if (name == SO_RCVBUFFORCE && !capable(CAP_NET_ADMIN))
			return -EPERM;
		STORE(s->rcvbuf, buf_size(v, SOCK_MIN_RCVBUF, name == SO_RCVBUFFORCE));
		return 0;
	case SO_PASSCRED: STORE(s->passcred, v != 0); return 0;
	case SO_REUSEADDR: STORE(s->reuseaddr, v != 0); return 0;
	case SO_REUSEPORT: return 0;
	case SO_KEEPALIVE: STORE(s->keepalive, v != 0); return 0;
	case SO_BROADCAST: STORE(s->broadcast, v != 0); return 0;
	case SO_OOBINLINE: STORE(s->oobinline, v != 0); return 0;
	case SO_RCVLOWAT: STORE(s->rcvlowat, v < 1 ? 1 : v); return 0;
	case SO_DEBUG: case SO_DONTROUTE: case SO_PRIORITY: case SO_PASSSEC:
	case SO_TIMESTAMP_OLD: case SO_TIMESTAMPNS_OLD: case SO_ZEROCOPY:
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

long sys_setsockopt(int fd, int level, int name, const void *uval, unsigned len)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd_get(fd, &f, &err);
	if (!s)
		return err;
	if ((int)len < 0)
		err = -EINVAL;
	else if (level != SOL_SOCKET)
		err = s->fam->setsockopt ? s->fam->setsockopt(s, level, name, uval, len) : -EOPNOTSUPP;
	else if (name == SO_RCVTIMEO_OLD || name == SO_SNDTIMEO_OLD) {
		uint64_t ns;
		if (!(err = timeout_in(uval, len, &ns)))
			STORE(*(name == SO_RCVTIMEO_OLD ? &s->rcvtimeo : &s->sndtimeo), ns);
	} else if (name == SO_LINGER) {
		struct linger l;
		err = len < sizeof(l) ? -EINVAL : copy_from_user(&l, uval, sizeof(l)) ? -EFAULT : 0;
		if (!err)
			s->linger = l;
	} else {
		int v;
		err = len < sizeof(v) ? -EINVAL : copy_from_user(&v, uval, sizeof(v)) ? -EFAULT : 0;
		if (!err)
			err = set_int_opt(s, name, v);
	}
	file_put(f);
	return err;
}

/* An int option's value, or -ENOPROTOOPT (*v untouched). */
static long get_int_opt(struct socket *s, int name, int *v)
{
	switch (name) {
	case SO_TYPE: *v = s->type; return 0;
	case SO_DOMAIN: *v = s->family; return 0;
	case SO_PROTOCOL: *v = s->protocol; return 0;
	case SO_ERROR: *v = s->fam->take_error ? -s->fam->take_error(s) : 0; return 0;
	case SO_SNDBUF: *v = LOAD(s->sndbuf); return 0;
	case SO_RCVBUF: *v = LOAD(s->rcvbuf); return 0;
	case SO_PASSCRED: *v = LOAD(s->passcred); return 0;
	case SO_REUSEADDR: *v = LOAD(s->reuseaddr); return 0;
	case SO_KEEPALIVE: *v = LOAD(s->keepalive); return 0;
	case SO_BROADCAST: *v = LOAD(s->broadcast); return 0;
	case SO_OOBINLINE: *v = LOAD(s->oobinline); return 0;
	case SO_RCVLOWAT: *v = LOAD(s->rcvlowat); return 0;
	case SO_ACCEPTCONN: *v = s->fam->listening ? s->fam->listening(s) : 0; return 0;
	case SO_REUSEPORT: case SO_DEBUG: case SO_DONTROUTE: case SO_PRIORITY: case SO_PASSSEC:
		*v = 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* The bytes of option name into val (at most sizeof(*val)); its length. */
static long get_opt(struct socket *s, int name, void *val)
{
	int v;
	switch (name) {
	case SO_RCVTIMEO_OLD: case SO_SNDTIMEO_OLD: {
		uint64_t ns = LOAD(*(name == SO_RCVTIMEO_OLD ? &s->rcvtimeo : &s->sndtimeo));
		struct sock_timeval tv = { (int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull) / 1000 };
		memcpy(val, &tv, sizeof(tv));
		return sizeof(tv);
	}
	case SO_LINGER:
		memcpy(val, &s->linger, sizeof(s->linger));
		return sizeof(s->linger);
	case SO_PEERCRED: {
		struct ucred c = { 0, (uint32_t)-1, (uint32_t)-1 };
		long err = s->fam->peercred ? s->fam->peercred(s, &c) : -ENOTCONN;
		memcpy(val, &c, sizeof(c));
		return err ? err : (long)sizeof(c);
	}
	default: {
		long err = get_int_opt(s, name, &v);
		memcpy(val, &v, sizeof(v));
		return err ? err : (long)sizeof(v);
	}
	}
}

long sys_getsockopt(int fd, int level, int name, void *uval, int *ulen)
{
	struct file *f;
	long err;
	struct socket *s = sock_fd_get(fd, &f, &err);
	if (!s)
		return err;
	int len;
	char val[sizeof(struct sock_timeval)];
	if (level != SOL_SOCKET && !s->fam->getsockopt)
		err = -EOPNOTSUPP;
	else if (copy_from_user(&len, ulen, sizeof(len)))
		err = -EFAULT;
	else if (len < 0)
		err = -EINVAL;
	else if ((err = level == SOL_SOCKET ? get_opt(s, name, val) :
		  s->fam->getsockopt(s, level, name, val)) >= 0) {
		len = MIN(len, (int)err);
		err = copy_to_user(uval, val, (size_t)len) || copy_to_user(ulen, &len, sizeof(len)) ?
			-EFAULT : 0;
	}
	file_put(f);
	return err;
}
