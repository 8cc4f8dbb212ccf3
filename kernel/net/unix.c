/*
 * unix.c - AF_UNIX sockets: making them, names (bind, autobind,
 * getsockname), connections (socketpair, listen, connect, accept),
 * shutdown and release. Sending and receiving are in unix_msg.c, the
 * control messages in unix_scm.c; unix.h has the structures and their
 * locks, docs/sockets.md the design.
 *
 * Names. A filesystem name is a socket inode made by bind (mknod
 * S_IFSOCK, mode 0777 & ~umask; EADDRINUSE if the name exists); the
 * bound socket keeps a reference on that inode, and connect finds the
 * socket by the inode its path resolves to. Unlinking the name makes
 * the socket unreachable (ENOENT), while it stays bound; a new bind of
 * the path makes a new inode. An abstract name (sun_path[0] == 0) is
 * the bytes given, in no file system; bind with only the family
 * (autobind) picks "\0XXXXX" (5 hex digits). Both kinds are kept in
 * one list, unix_bound (unix_table_lock).
 *
 * Connections (stream and seqpacket) follow Linux: connect makes the
 * server's socket at once (an embryo), pairs it with the client and
 * queues it on the listener; accept takes it off. The client can send
 * before accept. A listener that goes with embryos queued releases them,
 * and their clients see ECONNRESET, then end of file.
 *
 * AF_INET and AF_INET6 sockets (inet.c) are these same sockets with
 * Internet names: where TCP or UDP differ, the code asks unix_is_inet().
 */
#include "net/unix.h"
#include "fs/context.h"
#include "fs/file.h"
#include "fs/sysutil.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lib/kernel.h"
#include "mm/kmalloc.h"
#include "proc/cred.h"
#include "proc/task.h"

/* (T) the bound sockets: a leaf spinlock. */
struct spinlock unix_table_lock = SPINLOCK_INIT("unix_table");
LIST_HEAD(unix_bound);
static unsigned autobind_next;       /* (T) the next autobind name to try */

#define SUN_PATH_OFF 2               /* offsetof(struct sockaddr_un, sun_path) */

/* ---- references ---- */

void unix_get(struct unix_sock *u)
{
	__atomic_add_fetch(&u->refs, 1, __ATOMIC_RELAXED);
}

void unix_put(struct unix_sock *u)
{
	if (__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL))
		return;
	unix_addr_put(u->addr);
	unix_addr_put(u->src);
	unix_addr_put(u->dst);
	kfree(u);
}

void unix_addr_put(struct unix_addr *a)
{
	if (a && !__atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL))
		kfree(a);
}

struct unix_addr *unix_addr_of(struct unix_sock *u)
{
	struct unix_addr *a = __atomic_load_n(&u->addr, __ATOMIC_ACQUIRE);
	if (a)
		__atomic_add_fetch(&a->refs, 1, __ATOMIC_RELAXED);
	return a;
}

struct unix_addr *unix_src_of(struct unix_sock *u)
{
	if (!unix_is_inet(u))
		return unix_addr_of(u);
	if (!__atomic_load_n(&u->addr, __ATOMIC_ACQUIRE))
		return NULL;
	__atomic_add_fetch(&u->src->refs, 1, __ATOMIC_RELAXED);
	return u->src;
}

struct unix_sock *unix_peer_get(struct unix_sock *u)
{
	mutex_lock(&u->lock);
	struct unix_sock *p = u->peer;
	if (p)
		unix_get(p);
	mutex_unlock(&u->lock);
	return p;
}

struct ucred unix_current_cred(void)
{
	const struct cred *c = current_cred();
	return (struct ucred){ current->proc->pid, c->uid, c->gid };
}

/* SO_PEERCRED reports the effective ids, as Linux's cred_to_ucred. */
static struct ucred current_peercred(void)
{
	const struct cred *c = current_cred();
	return (struct ucred){ current->proc->pid, c->euid, c->egid };
}

/* ---- making and releasing ---- */

/* unix_alloc - a new unconnected socket of fam (AF_UNIX or inet). */
struct unix_sock *unix_alloc(const struct sock_family *fam, int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));
	if (!u)
		return NULL;
	sock_defaults(&u->sock, fam, type, 0);
	u->refs = 1;
	mutex_init(&u->lock, "unix_sock");
	list_init(&u->rq);
	list_init(&u->accq);
	list_init(&u->bound_link);
	wait_queue_init(&u->wq, "unix_wq");
	u->peercred = (struct ucred){ 0, (uint32_t)-1, (uint32_t)-1 };
	return u;
}

/* socket(AF_UNIX, type, protocol): SOCK_RAW is taken as SOCK_DGRAM, as
 * Linux does. */
static int unix_create(int type, int protocol, struct socket **out)
{
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (type == SOCK_RAW)
		type = SOCK_DGRAM;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	struct unix_sock *u = unix_alloc(&unix_family, type);
	if (!u)
		return -ENOMEM;
	*out = &u->sock;
	return 0;
}

static void unix_release_sock(struct unix_sock *u);

/* Tell u's connected peer that u is gone: it reads to the end of what
 * it has, then end of file (ECONNRESET first if u left data unread or
 * was never accepted); its sends fail with EPIPE. */
static void unix_peer_hangup(struct unix_sock *u, struct unix_sock *peer, bool reset)
{
	mutex_lock(&peer->lock);
	if (u->sock.type != SOCK_DGRAM && peer->peer == u) {
		peer->shut = SHUTDOWN_MASK;
		if (reset)
			peer->err = ECONNRESET;
	}
	mutex_unlock(&peer->lock);
	wake_up(&peer->wq);
}

static void unix_unbind(struct unix_sock *u)
{
	spin_lock(&unix_table_lock);
	list_del(&u->bound_link);   /* leaves it empty: a second unbind is harmless */
	struct inode *inode = u->inode;
	u->inode = NULL;
	spin_unlock(&unix_table_lock);
	inode_put(inode);
}

/* Release u: its file is gone (or, an embryo, its listener). Drops the
 * reference the file (or accept queue) held. No lock held; may sleep. */
static void unix_release_sock(struct unix_sock *u)
{
	LIST_HEAD(msgs);
	LIST_HEAD(embryos);
	mutex_lock(&u->lock);
	u->dead = true;
	u->state = UNIX_CLOSED;
	u->shut = SHUTDOWN_MASK;
	struct unix_sock *peer = u->peer;
	u->peer = NULL;
	bool reset = !list_empty(&u->rq) || u->embryo;
	list_splice_init(&u->rq, &msgs);
	list_splice_init(&u->accq, &embryos);
	u->rq_bytes = u->rq_len = u->nacc = 0;
	mutex_unlock(&u->lock);
	wake_up(&u->wq);
	unix_unbind(u);
	if (peer) {
		unix_peer_hangup(u, peer, reset);
		unix_put(peer);
	}
	while (!list_empty(&embryos)) {
		struct unix_sock *e = list_first_entry(&embryos, struct unix_sock, acc_link);
		list_del(&e->acc_link);
		unix_release_sock(e);
	}
	unix_purge(&msgs);
	unix_put(u);
}

void unix_release(struct socket *s)
{
	bool local = s->family == AF_UNIX;   /* s may be freed below */
	unix_release_sock(unix_sk(s));
	if (local)
		unix_gc();   /* s may have held the last way to sockets in flight */
}

/* ---- names ---- */

/* The name a (len bytes) asks for, as Linux stores it: a path is cut
 * at its NUL (len = its length + 3); abstract names are kept whole. */
static int unix_mkname(const struct sockaddr_storage *a, int len, struct unix_addr **out)
{
	if (len <= SUN_PATH_OFF || (size_t)len > sizeof(struct sockaddr_un) ||
	    a->ss_family != AF_UNIX)
		return -EINVAL;
	struct unix_addr *n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->refs = 1;
	memcpy(&n->sun, a, (size_t)len);
	if (n->sun.sun_path[0])
		len = SUN_PATH_OFF + (int)strnlen(n->sun.sun_path, sizeof(n->sun.sun_path)) + 1;
	n->len = MIN(len, (int)sizeof(n->sun));
	*out = n;
	return 0;
}

static bool abstract(const struct unix_addr *a)
{
	return a->sun.sun_path[0] == 0;
}

/* The socket bound to an abstract name (T). */
static struct unix_sock *find_abstract_locked(const struct unix_addr *n)
{
	struct unix_sock *u;
	list_for_each_entry(u, &unix_bound, bound_link)
		if (u->addr && abstract(u->addr) && u->addr->len == n->len &&
		    !memcmp(u->addr->sun.sun_path, n->sun.sun_path, (size_t)n->len - SUN_PATH_OFF))
			return u;
	return NULL;
}

/* Enter u in the table under name n (and inode, for a path); -EINVAL
 * if u is bound already, -EADDRINUSE if an abstract n is taken. */
static int bind_locked(struct unix_sock *u, struct unix_addr *n, struct inode *inode)
{
	if (u->addr)
		return -EINVAL;
	if (!inode && find_abstract_locked(n))
		return -EADDRINUSE;
	u->inode = inode;
	list_add(&u->bound_link, &unix_bound);
	__atomic_store_n(&u->addr, n, __ATOMIC_RELEASE);
	return 0;
}

/* Make the socket inode of a path bind: -EADDRINUSE if the name exists. */
static int make_sock_inode(const char *path, struct inode **out)
{
	struct inode *dir, *old;
	struct vfs_last last;
	int err = vfs_lookup_parent(NULL, path, &dir, &last);
	if (err)
		return err;
	uint32_t mode = S_IFSOCK | (0777 & ~fs_get_umask(current_fs())), uid, gid;
	inode_init_owner(dir, &mode, &uid, &gid);
	if (last.type != LAST_NORM || last.trailing_slash) {
		err = -EADDRINUSE;
	} else if (!vfs_lookup_child(dir, last.name, last.len, &old)) {
		inode_put(old);
		err = -EADDRINUSE;
	} else if (!(err = may_create_in(dir))) {
		err = dir->iops->mknod ? dir->iops->mknod(dir, last.name, last.len, mode, 0, uid, gid, out) :
			-EPERM;
		if (err == -EEXIST)
			err = -EADDRINUSE;
	}
	inode_put(dir);
	return err;
}

/* Bind u to "\0XXXXX", the first free one from a counter, as Linux. */
static int unix_autobind(struct unix_sock *u)
{
	struct unix_addr *n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->refs = 1;
	n->sun.sun_family = AF_UNIX;
	n->len = SUN_PATH_OFF + 6;
	int err = -ENOSPC;
	spin_lock(&unix_table_lock);
	for (unsigned tries = 0; tries < 0x100000; tries++) {
		unsigned v = autobind_next++ & 0xfffff;
		for (int i = 0; i < 5; i++)
			n->sun.sun_path[5 - i] = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
		if ((err = bind_locked(u, n, NULL)) != -EADDRINUSE)
			break;
	}
	spin_unlock(&unix_table_lock);
	if (err)
		kfree(n);
	return err == -EINVAL ? 0 : err;   /* bound meanwhile: fine */
}

static int unix_bind(struct socket *s, const struct sockaddr_storage *a, int len)
{
	struct unix_sock *u = unix_sk(s);
	if (len >= (int)sizeof(uint16_t) && a->ss_family == AF_UNIX && len == SUN_PATH_OFF)
		return LOAD(u->addr) ? -EINVAL : unix_autobind(u);
	struct unix_addr *n;
	int err = unix_mkname(a, len, &n);
	if (err)
		return err;
	struct inode *inode = NULL;
	mutex_lock(&u->lock);   /* one bind at a time: the inode is made once */
	if (!abstract(n) && !vfs_lookup_at(NULL, n->sun.sun_path, 0, &inode)) {
		inode_put(inode);   /* Linux tries the name first */
		inode = NULL;
		err = -EADDRINUSE;
	} else if (LOAD(u->addr))
		err = -EINVAL;
	else if (!abstract(n))
		err = make_sock_inode(n->sun.sun_path, &inode);
	if (!err) {
		spin_lock(&unix_table_lock);
		err = bind_locked(u, n, inode);
		spin_unlock(&unix_table_lock);
	}
	mutex_unlock(&u->lock);
	if (err) {
		inode_put(inode);
		kfree(n);
	}
	return err;
}

/* The socket bound to inode (T). */
static struct unix_sock *find_inode_locked(struct inode *inode)
{
	struct unix_sock *u;
	list_for_each_entry(u, &unix_bound, bound_link)
		if (u->inode == inode)
			return u;
	return NULL;
}

/* A path's bound socket: the lookup's error, -ECONNREFUSED for a file
 * that is no socket or one nobody is bound to, -EACCES without write
 * permission. */
static int find_path(const char *path, struct unix_sock **out)
{
	struct inode *inode;
	int err = vfs_lookup_at(NULL, path, LOOKUP_FOLLOW, &inode);
	if (err)
		return err;
	if (!S_ISSOCK(inode->mode))
		err = -ECONNREFUSED;
	else if (!(err = inode_permission(inode, MAY_WRITE))) {
		spin_lock(&unix_table_lock);
		*out = find_inode_locked(inode);
		if (*out)
			unix_get(*out);
		spin_unlock(&unix_table_lock);
		err = *out ? 0 : -ECONNREFUSED;
	}
	inode_put(inode);
	return err;
}

int unix_find(struct unix_sock *from, const struct sockaddr_storage *a, int len,
	      struct unix_sock **out)
{
	int type = from->sock.type;
	if (unix_is_inet(from))
		return inet_find(from, a, len, out);
	struct unix_addr *n;
	int err = unix_mkname(a, len, &n);
	if (err)
		return err;
	if (!abstract(n)) {
		err = find_path(n->sun.sun_path, out);
	} else {
		spin_lock(&unix_table_lock);
		*out = find_abstract_locked(n);
		if (*out)
			unix_get(*out);
		spin_unlock(&unix_table_lock);
		err = *out ? 0 : -ECONNREFUSED;
	}
	kfree(n);
	if (!err && (*out)->sock.type != type) {
		unix_put(*out);
		err = -EPROTOTYPE;
	}
	return err;
}

/* The name of u's peer (referenced; NULL: unnamed): -ENOTCONN without one. */
static int peer_name(struct unix_sock *u, struct unix_addr **out)
{
	if (unix_is_inet(u) && u->sock.type == SOCK_DGRAM) {
		mutex_lock(&u->lock);
		*out = u->dst;
		if (*out)
			__atomic_add_fetch(&(*out)->refs, 1, __ATOMIC_RELAXED);
		mutex_unlock(&u->lock);
		return *out ? 0 : -ENOTCONN;
	}
	struct unix_sock *p = unix_peer_get(u);
	if (!p || (unix_is_inet(u) && LOAD(u->state) != UNIX_CONNECTED)) {
		if (p)
			unix_put(p);
		return -ENOTCONN;
	}
	*out = unix_src_of(p);
	unix_put(p);
	return 0;
}

int unix_getname(struct socket *s, struct sockaddr_storage *a, int *len, bool peer)
{
	struct unix_sock *u = unix_sk(s);
	struct unix_addr *n;
	if (peer) {
		int err = peer_name(u, &n);
		if (err)
			return err;
	} else {
		n = unix_addr_of(u);
	}
	memset(a, 0, sizeof(*a));
	a->ss_family = AF_UNIX;
	*len = SUN_PATH_OFF;
	if (!n && unix_is_inet(u))
		*len = inet_unbound_name(s->family, a);
	if (n) {
		memcpy(a, &n->sun, (size_t)n->len);
		*len = n->len;
		unix_addr_put(n);
	}
	return 0;
}

/* ---- connections ---- */

static int unix_socketpair(struct socket *sa, struct socket *sb)
{
	struct unix_sock *a = unix_sk(sa), *b = unix_sk(sb);
	struct ucred c = current_peercred();
	unix_get(a);
	unix_get(b);
	a->peer = b;
	b->peer = a;
	a->state = b->state = UNIX_CONNECTED;
	a->peercred = b->peercred = a->owncred = b->owncred = c;
	return 0;
}

int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = unix_sk(s);
	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	int err = unix_is_inet(u) ? inet_autobind(u, false) : 0;
	if (err)
		return err;
	mutex_lock(&u->lock);
	if (u->state != UNIX_UNCONNECTED && u->state != UNIX_LISTENING)
		err = -EINVAL;
	else if (!LOAD(u->addr))
		err = -EINVAL;
	else {
		if (u->state == UNIX_UNCONNECTED)
			u->owncred = current_peercred();
		u->state = UNIX_LISTENING;
		u->backlog = (unsigned)backlog;
	}
	mutex_unlock(&u->lock);
	wake_up(&u->wq);   /* a larger backlog may let connectors in */
	return err;
}

static bool listener_has_room(struct unix_sock *l)
{
	return LOAD(l->nacc) <= LOAD(l->backlog) || LOAD(l->state) != UNIX_LISTENING;
}

/* Queue embryo e on listener l (referenced) once there is room:
 * 0, -ECONNREFUSED, -EAGAIN, or a signal's error. *lcred gets the
 * listener's credentials (the client's SO_PEERCRED). */
static int queue_embryo(struct unix_sock *l, struct unix_sock *e, bool nonblock, uint64_t deadline,
			struct ucred *lcred)
{
	for (;;) {
		mutex_lock(&l->lock);
		if (l->state != UNIX_LISTENING) {
			mutex_unlock(&l->lock);
			return -ECONNREFUSED;
		}
		if (l->nacc <= l->backlog) {
			e->addr = unix_src_of(l);
			if (unix_is_inet(l))
				e->src = unix_src_of(l);
			e->owncred = *lcred = l->owncred;
			list_add_tail(&e->acc_link, &l->accq);
			l->nacc++;
			mutex_unlock(&l->lock);
			wake_up(&l->wq);
			return 0;
		}
		mutex_unlock(&l->lock);
		if (nonblock)
			return -EAGAIN;
		int err = sock_wait_event(l->wq, listener_has_room(l), deadline);
		if (err)
			return err;
	}
}

/* Mark u as connecting (only an unconnected socket may): 0 or the error
 * connect gives in u's state. */
static int start_connect(struct unix_sock *u, struct unix_sock *e)
{
	int err = 0;
	mutex_lock(&u->lock);
	if (u->state == UNIX_LISTENING)
		err = -EINVAL;
	else if (u->state == UNIX_CONNECTED)
		err = -EISCONN;
	else if (u->state != UNIX_UNCONNECTED)
		err = -EALREADY;
	else {
		u->state = UNIX_CONNECTING;
		unix_get(e);
		u->peer = e;
	}
	mutex_unlock(&u->lock);
	return err;
}

/* The end of a connect: connected (err 0), or back to unconnected. */
static void end_connect(struct unix_sock *u, const struct ucred *lcred, int err)
{
	struct unix_sock *drop = NULL;
	mutex_lock(&u->lock);
	if (err) {
		drop = u->peer;
		u->peer = NULL;
		u->state = UNIX_UNCONNECTED;
	} else {
		u->state = UNIX_CONNECTED;
		u->peercred = *lcred;
	}
	mutex_unlock(&u->lock);
	if (drop)
		unix_put(drop);
	wake_up(&u->wq);
}

static int stream_connect(struct unix_sock *u, const struct sockaddr_storage *a, int len,
			  bool nonblock)
{
	struct unix_sock *l;
	int err = unix_find(u, a, len, &l);
	if (!err && unix_is_inet(u) && (err = inet_autobind(u, true)))
		unix_put(l);
	if (err)
		return err;
	struct unix_sock *e = unix_alloc(u->sock.fam, u->sock.type);
	if (!e) {
		unix_put(l);
		return -ENOMEM;
	}
	e->embryo = true;
	e->sock.protocol = u->sock.protocol;
	e->state = UNIX_CONNECTED;
	e->peercred = current_peercred();
	if ((err = start_connect(u, e))) {
		unix_put(e);
		unix_put(l);
		return err;
	}
	unix_get(u);
	e->peer = u;
	struct ucred lcred;
	err = queue_embryo(l, e, nonblock, sock_deadline(LOAD(u->sock.sndtimeo)), &lcred);
	if (err) {
		e->peer = NULL;
		unix_put(u);
		unix_put(e);   /* the accept queue's reference it never got */
	}
	end_connect(u, &lcred, err);
	unix_put(l);
	return err;
}

/* A datagram socket's connect: its default destination (AF_UNSPEC:
 * none), and the only sender it accepts from. */
static int dgram_connect(struct unix_sock *u, const struct sockaddr_storage *a, int len)
{
	struct unix_sock *t = NULL;
	if (len >= (int)sizeof(uint16_t) && a->ss_family == AF_UNSPEC) {
		t = NULL;
	} else {
		int err = unix_find(u, a, len, &t);
		if (err)
			return err;
	}
	mutex_lock(&u->lock);
	struct unix_sock *old = u->peer;
	u->peer = t;
	u->state = t ? UNIX_CONNECTED : UNIX_UNCONNECTED;
	mutex_unlock(&u->lock);
	if (old)
		unix_put(old);
	wake_up(&u->wq);
	return 0;
}

/* A UDP socket's connect: its destination is an address, which need
 * not be bound yet; the socket is bound to an ephemeral port. */
static int udp_connect(struct unix_sock *u, const struct sockaddr_storage *a, int len)
{
	struct unix_addr *d = NULL;
	int err = 0;
	if (!(len >= (int)sizeof(uint16_t) && a->ss_family == AF_UNSPEC) &&
	    !(err = inet_dest(u, a, len, &d)))
		err = inet_autobind(u, false);
	if (err) {
		unix_addr_put(d);
		return err;
	}
	mutex_lock(&u->lock);
	struct unix_addr *old = u->dst;
	u->dst = d;
	u->state = d ? UNIX_CONNECTED : UNIX_UNCONNECTED;
	mutex_unlock(&u->lock);
	unix_addr_put(old);
	return 0;
}

int unix_connect(struct socket *s, const struct sockaddr_storage *a, int len, bool nonblock)
{
	struct unix_sock *u = unix_sk(s);
	if (s->type == SOCK_DGRAM && unix_is_inet(u))
		return udp_connect(u, a, len);
	if (s->type == SOCK_DGRAM)
		return dgram_connect(u, a, len);
	return stream_connect(u, a, len, nonblock);
}

static bool accept_ready(struct unix_sock *l)
{
	return LOAD(l->nacc) || LOAD(l->state) != UNIX_LISTENING;
}

int unix_accept(struct socket *s, struct socket **out, bool nonblock)
{
	struct unix_sock *l = unix_sk(s);
	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	uint64_t deadline = sock_deadline(LOAD(s->rcvtimeo));
	mutex_lock(&l->lock);
	for (;;) {
		if (l->state != UNIX_LISTENING) {
			mutex_unlock(&l->lock);
			return -EINVAL;
		}
		if (!list_empty(&l->accq))
			break;
		mutex_unlock(&l->lock);
		if (nonblock)
			return -EAGAIN;
		int err = sock_wait_event(l->wq, accept_ready(l), deadline);
		if (err)
			return err;
		mutex_lock(&l->lock);
	}
	struct unix_sock *e = list_first_entry(&l->accq, struct unix_sock, acc_link);
	list_del(&e->acc_link);
	l->nacc--;
	mutex_unlock(&l->lock);
	wake_up(&l->wq);   /* room for a connector */
	mutex_lock(&e->lock);
	e->embryo = false;
	mutex_unlock(&e->lock);
	*out = &e->sock;
	return 0;
}

int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = unix_sk(s);
	int mode = (how + 1) & SHUTDOWN_MASK;   /* SHUT_RD: RCV, SHUT_WR: SEND */
	mutex_lock(&u->lock);
	/* Linux's inet_shutdown: the bits are set, but it is ENOTCONN */
	int err = unix_is_inet(u) && u->state != UNIX_CONNECTED ? -ENOTCONN : 0;
	u->shut |= mode;
	struct unix_sock *p = s->type != SOCK_DGRAM ? u->peer : NULL;
	if (p)
		unix_get(p);
	mutex_unlock(&u->lock);
	wake_up(&u->wq);
	if (!p)
		return err;
	int pmode = (mode & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) | (mode & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
	mutex_lock(&p->lock);
	p->shut |= pmode;
	mutex_unlock(&p->lock);
	wake_up(&p->wq);
	unix_put(p);
	return err;
}

/* ---- options ---- */

int unix_take_error(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);
	mutex_lock(&u->lock);
	int e = u->err;
	u->err = 0;
	mutex_unlock(&u->lock);
	return e;
}

int unix_peercred(struct socket *s, struct ucred *out)
{
	struct unix_sock *u = unix_sk(s);
	mutex_lock(&u->lock);
	*out = u->peercred;
	mutex_unlock(&u->lock);
	return 0;
}

bool unix_listening(struct socket *s)
{
	return LOAD(unix_sk(s)->state) == UNIX_LISTENING;
}

const struct sock_family unix_family = {
	.family = AF_UNIX,
	.create = unix_create,
	.release = unix_release,
	.bind = unix_bind,
	.connect = unix_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.socketpair = unix_socketpair,
	.getname = unix_getname,
	.sendmsg = unix_sendmsg,
	.recvmsg = unix_recvmsg,
	.shutdown = unix_shutdown,
	.poll = unix_poll,
	.take_error = unix_take_error,
	.peercred = unix_peercred,
	.listening = unix_listening,
	.ioctl = unix_ioctl,
};
