/*
 * inet.c - AF_INET and AF_INET6 on loopback only: TCP and UDP between
 * processes through 127.0.0.0/8 and ::1. There is no network device and
 * no packet: a TCP connection is an AF_UNIX-style stream pair, a UDP
 * socket an AF_UNIX-style datagram socket (unix*.c carries the bytes,
 * the queues, connect and accept); this file gives them Internet names.
 *
 *   bind      an address that is the wildcard (0.0.0.0, ::) or loopback
 *             (127.x.y.z, ::1), else EADDRNOTAVAIL; port 0 picks an
 *             ephemeral port (32768-60999, net.ipv4.ip_local_port_range);
 *             a port taken by an overlapping address is EADDRINUSE unless
 *             both sockets set SO_REUSEADDR and the other one is not
 *             listening; ports below 1024 need CAP_NET_BIND_SERVICE.
 *   connect,  to loopback (0.0.0.0 and :: mean it too), else ENETUNREACH
 *   sendto    as Linux without a route; an unbound socket is bound to an
 *             ephemeral port first. TCP to a port nobody listens on:
 *             ECONNREFUSED. UDP to a port nobody has: the datagram is
 *             dropped (a connected socket gets ECONNREFUSED).
 *
 * Names live in unix.c's table of bound sockets, told apart by family.
 * IPv4 and IPv6 ports are separate spaces, and an IPv6 socket talks to
 * IPv6 addresses only (as with IPV6_V6ONLY set).
 */
#include "net/unix.h"
#include "fs/context.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include <linux/capability.h>

#define IPPROTO_IP   0
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17
#define IPPROTO_IPV6 41
#define TCP_NODELAY  1
#define IPV6_V6ONLY  26

#define PORT_LOW  32768
#define PORT_HIGH 60999

/* An Internet name, decoded from the bytes of a sockaddr_in(6). */
struct inet_key {
	int family;
	uint16_t port;              /* host order */
	bool any;                   /* the wildcard address */
	uint8_t addr[16];           /* IPv4: the first 4 bytes */
};

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static size_t sockaddr_size(int family)
{
	return family == AF_INET ? 16 : 28;   /* sockaddr_in, sockaddr_in6 */
}

static const uint8_t *raw_addr(const void *sa, int family)
{
	return (const uint8_t *)sa + (family == AF_INET ? 4 : 8);
}

static void key_of(const void *sa, int family, struct inet_key *k)
{
	const uint8_t *p = sa;
	memset(k, 0, sizeof(*k));
	k->family = family;
	k->port = (uint16_t)(p[2] << 8 | p[3]);
	memcpy(k->addr, raw_addr(sa, family), addr_len(family));
	static const uint8_t zero[16];
	k->any = !memcmp(k->addr, zero, addr_len(family));
}

static bool loopback(const struct inet_key *k)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	return k->family == AF_INET ? k->addr[0] == 127 : !memcmp(k->addr, lo6, 16);
}

/* The loopback address of family (127.0.0.1 or ::1) into k. */
static void make_loopback(struct inet_key *k)
{
	memset(k->addr, 0, sizeof(k->addr));
	if (k->family == AF_INET) {
		k->addr[0] = 127;
		k->addr[3] = 1;
	} else {
		k->addr[15] = 1;
	}
	k->any = false;
}

/* A unix_addr holding k as a sockaddr_in(6); NULL when out of memory. */
static struct unix_addr *addr_of_key(const struct inet_key *k)
{
	struct unix_addr *n = kzalloc(sizeof(*n));
	if (!n)
		return NULL;
	uint8_t *p = (uint8_t *)&n->sun;
	n->refs = 1;
	n->len = (int)sockaddr_size(k->family);
	*(uint16_t *)p = (uint16_t)k->family;
	p[2] = (uint8_t)(k->port >> 8);
	p[3] = (uint8_t)k->port;
	memcpy((uint8_t *)raw_addr(p, k->family), k->addr, addr_len(k->family));
	return n;
}

/* Check a user address for family (Linux's order): -EINVAL when short,
 * -EAFNOSUPPORT for another family. */
static int key_in(const struct sockaddr_storage *a, int len, int family, struct inet_key *k)
{
	if (len < (family == AF_INET ? 16 : 24))
		return -EINVAL;
	if (a->ss_family != family)
		return -EAFNOSUPPORT;
	key_of(a, family, k);
	return 0;
}

/* ---- the table ---- */

static bool bound_key(struct unix_sock *u, int family, int type, struct inet_key *k)
{
	if (u->sock.family != family || u->sock.type != type || !u->addr)
		return false;
	key_of(&u->addr->sun, family, k);
	return true;
}

/* Whether n (for socket u) may be bound beside the bound socket b (T). */
static bool port_conflict_locked(struct unix_sock *u, const struct inet_key *n, struct unix_sock *b)
{
	struct inet_key k;
	if (b == u || !bound_key(b, n->family, u->sock.type, &k) || k.port != n->port)
		return false;
	if (!k.any && !n->any && memcmp(k.addr, n->addr, 16))
		return false;
	return !(LOAD(u->sock.reuseaddr) && LOAD(b->sock.reuseaddr) && LOAD(b->state) != UNIX_LISTENING);
}

static bool port_free_locked(struct unix_sock *u, const struct inet_key *n)
{
	struct unix_sock *b;
	list_for_each_entry(b, &unix_bound, bound_link)
		if (port_conflict_locked(u, n, b))
			return false;
	return true;
}

/* Bind u to k (port 0: an ephemeral one) with its names made (T held
 * inside): 0, -EINVAL (bound already), -EADDRINUSE, -ENOMEM. */
static int inet_bind_key(struct unix_sock *u, struct inet_key *k)
{
	static uint16_t next_port = PORT_LOW;   /* (T) */
	struct inet_key src = *k;
	struct unix_addr *a = addr_of_key(k), *s = addr_of_key(k);
	if (!a || !s) {
		kfree(a);
		kfree(s);
		return -ENOMEM;
	}
	int err = 0;
	spin_lock(&unix_table_lock);
	if (u->addr)
		err = -EINVAL;
	for (int tries = 0; !err && !k->port && tries <= PORT_HIGH - PORT_LOW; tries++) {
		k->port = next_port;
		next_port = next_port == PORT_HIGH ? PORT_LOW : next_port + 1;
		if (!port_free_locked(u, k))
			k->port = 0;
	}
	if (!err && (!k->port || !port_free_locked(u, k)))
		err = -EADDRINUSE;
	if (!err) {
		src = *k;
		if (src.any)
			make_loopback(&src);
		for (int i = 0; i < 2; i++) {   /* the port, now known */
			uint8_t *p = (uint8_t *)&(i ? s : a)->sun;
			p[2] = (uint8_t)(k->port >> 8);
			p[3] = (uint8_t)k->port;
		}
		memcpy((uint8_t *)raw_addr(&s->sun, k->family), src.addr, addr_len(k->family));
		u->src = s;
		list_add(&u->bound_link, &unix_bound);
		__atomic_store_n(&u->addr, a, __ATOMIC_RELEASE);
	}
	spin_unlock(&unix_table_lock);
	if (err) {
		kfree(a);
		kfree(s);
	}
	return err;
}

/* inet_autobind - see unix.h. */
int inet_autobind(struct unix_sock *u, bool to_connect)
{
	if (LOAD(u->addr))
		return 0;
	struct inet_key k = { .family = u->sock.family, .any = true };
	if (to_connect)
		make_loopback(&k);   /* the source address the route gives */
	int err = inet_bind_key(u, &k);
	return err == -EINVAL ? 0 : err;   /* bound meanwhile */
}

static int inet_bind(struct socket *s, const struct sockaddr_storage *a, int len)
{
	struct inet_key k;
	int err = key_in(a, len, s->family, &k);
	if (err)
		return err;
	if (!k.any && !loopback(&k))
		return -EADDRNOTAVAIL;
	if (k.port && k.port < 1024 && !capable(CAP_NET_BIND_SERVICE))
		return -EACCES;
	return inet_bind_key(unix_sk(s), &k);
}

/* inet_find - see unix.h. A listener for a stream, any socket for
 * datagrams; an exact address is preferred to a wildcard. */
int inet_find(struct unix_sock *from, const struct sockaddr_storage *a, int len,
	      struct unix_sock **out)
{
	struct inet_key d, k;
	int family = from->sock.family, type = from->sock.type;
	int err = key_in(a, len, family, &d);
	if (err)
		return err;
	if (d.any)
		make_loopback(&d);   /* Linux: the wildcard destination is this host */
	if (!loopback(&d))
		return -ENETUNREACH;
	struct unix_sock *b, *best = NULL;
	spin_lock(&unix_table_lock);
	list_for_each_entry(b, &unix_bound, bound_link) {
		if (!bound_key(b, family, type, &k) || k.port != d.port ||
		    (!k.any && memcmp(k.addr, d.addr, 16)))
			continue;
		if (type == SOCK_STREAM && LOAD(b->state) != UNIX_LISTENING)
			continue;
		if (!best || !k.any)
			best = b;
	}
	if (best)
		unix_get(best);
	spin_unlock(&unix_table_lock);
	*out = best;
	return best ? 0 : -ECONNREFUSED;
}

/* inet_dest - see unix.h. */
int inet_dest(struct unix_sock *u, const struct sockaddr_storage *a, int len, struct unix_addr **out)
{
	struct inet_key d;
	int err = key_in(a, len, u->sock.family, &d);
	if (err)
		return err;
	if (d.any)
		make_loopback(&d);
	if (!loopback(&d))
		return -ENETUNREACH;
	*out = addr_of_key(&d);
	return *out ? 0 : -ENOMEM;
}

/* inet_unbound_name - see unix.h. */
int inet_unbound_name(int family, struct sockaddr_storage *a)
{
	memset(a, 0, sizeof(*a));
	a->ss_family = (uint16_t)family;
	return (int)sockaddr_size(family);
}

/* ---- sockets ---- */

static int inet_create(int family, int type, int protocol, struct socket **out)
{
	int proto = type == SOCK_STREAM ? IPPROTO_TCP : type == SOCK_DGRAM ? IPPROTO_UDP : -1;
	if (proto < 0)
		return -ESOCKTNOSUPPORT;
	if (protocol && protocol != proto)
		return -EPROTONOSUPPORT;
	struct unix_sock *u = unix_alloc(family == AF_INET ? &inet_family : &inet6_family, type);
	if (!u)
		return -ENOMEM;
	u->sock.protocol = proto;
	*out = &u->sock;
	return 0;
}

static int inet4_create(int type, int protocol, struct socket **out)
{
	return inet_create(AF_INET, type, protocol, out);
}

static int inet6_create(int type, int protocol, struct socket **out)
{
	return inet_create(AF_INET6, type, protocol, out);
}

/* Options at the IP, TCP and IPv6 levels: TCP_NODELAY and IPV6_V6ONLY
 * (always on, in effect) are kept; the others are accepted as Linux
 * accepts them and read back as 0. */
static long inet_setsockopt(struct socket *s, int level, int name, const void *uval, unsigned len)
{
	int v;
	if (level != IPPROTO_IP && level != IPPROTO_TCP && level != IPPROTO_IPV6)
		return -ENOPROTOOPT;
	if (level == IPPROTO_TCP && s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	if (len < sizeof(v))
		return -EINVAL;
	if (copy_from_user(&v, uval, sizeof(v)))
		return -EFAULT;
	if (level == IPPROTO_TCP && name == TCP_NODELAY)
		__atomic_store_n(&unix_sk(s)->nodelay, v != 0, __ATOMIC_RELAXED);
	return 0;
}

static long inet_getsockopt(struct socket *s, int level, int name, void *val)
{
	int v = 0;
	if (level != IPPROTO_IP && level != IPPROTO_TCP && level != IPPROTO_IPV6)
		return -ENOPROTOOPT;
	if (level == IPPROTO_TCP && s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	if (level == IPPROTO_TCP && name == TCP_NODELAY)
		v = LOAD(unix_sk(s)->nodelay);
	else if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY)
		v = 1;
	memcpy(val, &v, sizeof(v));
	return sizeof(v);
}

#define INET_OPS                                        \
	.release = unix_release,                        \
	.bind = inet_bind,                              \
	.connect = unix_connect,                        \
	.listen = unix_listen,                          \
	.accept = unix_accept,                          \
	.getname = unix_getname,                        \
	.sendmsg = unix_sendmsg,                        \
	.recvmsg = unix_recvmsg,                        \
	.shutdown = unix_shutdown,                      \
	.poll = unix_poll,                              \
	.take_error = unix_take_error,                  \
	.peercred = unix_peercred,                      \
	.listening = unix_listening,                    \
	.ioctl = unix_ioctl,                            \
	.setsockopt = inet_setsockopt,                  \
	.getsockopt = inet_getsockopt

const struct sock_family inet_family = { .family = AF_INET, .create = inet4_create, INET_OPS };
const struct sock_family inet6_family = { .family = AF_INET6, .create = inet6_create, INET_OPS };
