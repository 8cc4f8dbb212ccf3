/*
 * unix_msg.c - AF_UNIX sending and receiving, readiness (poll) and
 * FIONREAD. See unix.h for the structures and their locks.
 *
 * A message is copied from the sender's memory into a unix_skb with no
 * lock held, then queued on the receiver under the receiver's lock.
 * Its bytes are charged to the sender (wmem) until the receiver takes
 * them, as Linux does: a sender waits while its wmem reaches its
 * SO_SNDBUF; a stream is cut in pieces of at most half of it. A
 * datagram socket also waits while its destination holds more than
 * UNIX_DGRAM_QLEN messages, unless the destination is connected back to
 * it. Receivers copy out under their own lock (as pipes do), so that
 * two readers of one stream never interleave.
 *
 *   stream     recv returns what is queued (up to the size asked;
 *              MSG_WAITALL: all of it unless a signal, an error or the
 *              end comes first), stopping after a message that carried
 *              files; end of file once the peer has gone or shut its
 *              writing side. Send to a gone or read-shut peer: EPIPE and
 *              SIGPIPE (not with MSG_NOSIGNAL).
 *   dgram      one message per recv, its rest dropped (MSG_TRUNC in
 *              msg_flags; the flag MSG_TRUNC returns its full length).
 *              Sending to a gone connected peer: ECONNREFUSED, and the
 *              socket is disconnected.
 *   seqpacket  connected like a stream, records like datagrams; a gone
 *              peer: EPIPE without a signal, end of file on recv.
 */
#include "net/unix.h"
#include "fs/poll.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/signal.h"
#include <asm/ioctls.h>

#define STREAM_CHUNK_MAX (64 * 1024)   /* the largest piece of a stream send */

/* ---- messages ---- */

void unix_skb_free(struct unix_skb *skb)
{
	unix_fp_put(skb->fp);
	struct unix_sock *from = skb->from;
	__atomic_sub_fetch(&from->wmem, (uint32_t)skb->charge, __ATOMIC_RELAXED);
	wake_up(&from->wq);
	unix_put(from);
	unix_addr_put(skb->addr);
	kfree(skb);
}

void unix_purge(struct list_head *list)
{
	while (!list_empty(list)) {
		struct unix_skb *skb = list_first_entry(list, struct unix_skb, link);
		list_del(&skb->link);
		unix_skb_free(skb);
	}
}

/* A message of len bytes from u, charged to it; NULL when out of memory. */
static struct unix_skb *skb_alloc(struct unix_sock *u, size_t len, const struct unix_scm *scm)
{
	struct unix_skb *skb = kmalloc(sizeof(*skb) + len);
	if (!skb)
		return NULL;
	memset(skb, 0, sizeof(*skb));
	skb->len = len;
	skb->charge = sizeof(*skb) + len;
	skb->cred = scm->cred;
	skb->addr = unix_src_of(u);
	unix_get(u);
	skb->from = u;
	__atomic_add_fetch(&u->wmem, (uint32_t)skb->charge, __ATOMIC_RELAXED);
	return skb;
}

static bool wmem_room(struct unix_sock *u)
{
	return LOAD(u->wmem) < (uint32_t)LOAD(u->sock.sndbuf) || LOAD(u->shut) & SEND_SHUTDOWN;
}

/* Wait until u may charge another message: 0, -EAGAIN, a signal's error. */
static int wait_wmem(struct unix_sock *u, bool nonblock, uint64_t deadline)
{
	if (wmem_room(u))
		return 0;
	if (nonblock)
		return -EAGAIN;
	return sock_wait_event(u->wq, wmem_room(u), deadline);
}

/* Queue skb on t (locked): room already checked. The files it carries
 * raise t's in-flight level. */
static void enqueue_locked(struct unix_sock *t, struct unix_skb *skb)
{
	list_add_tail(&skb->link, &t->rq);
	t->rq_bytes += skb->len;
	t->rq_len++;
	if (skb->fp && skb->fp->level > t->level)
		__atomic_store_n(&t->level, skb->fp->level, __ATOMIC_RELAXED);
}

/* ---- stream send ---- */

static long pipe_error(long sent, int flags)
{
	if (!(flags & MSG_NOSIGNAL))
		send_sig_current(SIGPIPE);
	return sent ? sent : -EPIPE;
}

/* Send one piece (size bytes, with the scm's files if any) to peer. */
static long stream_send_piece(struct unix_sock *u, struct unix_sock *peer, struct sock_msg *m,
			      size_t size, struct unix_scm *scm)
{
	struct unix_skb *skb = skb_alloc(u, size, scm);
	if (!skb)
		return -ENOMEM;
	if (sock_iter_from(&m->it, skb->data, size)) {
		unix_skb_free(skb);
		return -EFAULT;
	}
	mutex_lock(&peer->lock);
	if (peer->dead || (peer->shut & RCV_SHUTDOWN)) {
		mutex_unlock(&peer->lock);
		unix_skb_free(skb);
		return -EPIPE;
	}
	skb->fp = scm->fp;
	scm->fp = NULL;
	enqueue_locked(peer, skb);
	mutex_unlock(&peer->lock);
	wake_up(&peer->wq);
	return (long)size;
}

static long stream_send(struct unix_sock *u, struct sock_msg *m, int flags, bool nonblock,
			struct unix_scm *scm)
{
	if (m->namelen && !unix_is_inet(u))   /* TCP ignores an address */
		return LOAD(u->state) == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	struct unix_sock *peer = unix_peer_get(u);
	if (!peer || LOAD(u->state) != UNIX_CONNECTED) {
		if (peer)
			unix_put(peer);
		return unix_is_inet(u) ? pipe_error(0, flags) : -ENOTCONN;   /* TCP: EPIPE */
	}
	uint64_t deadline = sock_deadline(LOAD(u->sock.sndtimeo));
	size_t total = m->it.left, sent = 0;
	long err = 0;
	while (!err && sent < total) {
		if (LOAD(u->shut) & SEND_SHUTDOWN) {
			err = -EPIPE;
			break;
		}
		if ((err = wait_wmem(u, nonblock, deadline)))
			break;
		size_t max = MIN((size_t)LOAD(u->sock.sndbuf) / 2 - 64, (size_t)STREAM_CHUNK_MAX);
		long r = stream_send_piece(u, peer, m, MIN(total - sent, max), scm);
		if (r < 0)
			err = r;
		else
			sent += (size_t)r;
	}
	unix_put(peer);
	if (err == -EPIPE)
		return pipe_error((long)sent, flags);
	return sent ? (long)sent : err;
}

/* ---- datagram and seqpacket send ---- */

static bool same_addr(const struct unix_addr *a, const struct unix_addr *b)
{
	return a && b && a->len == b->len && !memcmp(&a->sun, &b->sun, (size_t)a->len);
}

static bool dgram_room(struct unix_sock *u, struct unix_sock *t)
{
	return LOAD(t->peer) == u || LOAD(t->rq_len) <= UNIX_DGRAM_QLEN || LOAD(t->dead);
}

/* Forget a connected peer found gone (if it still is u's peer). */
static void dgram_disconnect(struct unix_sock *u, struct unix_sock *t)
{
	mutex_lock(&u->lock);
	bool was = u->peer == t;
	if (was) {
		u->peer = NULL;
		u->state = UNIX_UNCONNECTED;
	}
	mutex_unlock(&u->lock);
	if (was)
		unix_put(t);
}

/* Queue skb on t: 0 (skb taken), or -errno (skb still the caller's). */
static long dgram_deliver(struct unix_sock *u, struct unix_sock *t, struct unix_skb *skb,
			  bool nonblock, uint64_t deadline)
{
	for (;;) {
		mutex_lock(&t->lock);
		long err = 0;
		if (t->dead)
			err = u->sock.type == SOCK_SEQPACKET ? -EPIPE : -ECONNREFUSED;
		else if (unix_is_inet(u) ? t->dst && !same_addr(t->dst, skb->addr) :
			 t->peer && t->peer != u)
			err = unix_is_inet(u) ? 1 : -EPERM;   /* UDP: dropped, as by the filter */
		else if (t->shut & RCV_SHUTDOWN)
			err = -EPIPE;
		else if (dgram_room(u, t)) {
			enqueue_locked(t, skb);
			mutex_unlock(&t->lock);
			wake_up(&t->wq);
			return 0;
		}
		mutex_unlock(&t->lock);
		if (err)
			return err;
		if (unix_is_inet(u) && t->sock.type == SOCK_DGRAM && t->peer != u && nonblock)
			return 1;   /* a full UDP queue drops */
		if (nonblock)
			return -EAGAIN;
		if ((err = sock_wait_event(t->wq, dgram_room(u, t), deadline)))
			return err;
	}
}

/* A UDP datagram's destination: its address, or the connected one; the
 * sender is bound first. -ECONNREFUSED: nobody there. */
static long udp_target(struct unix_sock *u, struct sock_msg *m, struct unix_sock **t, bool *connected)
{
	*connected = !m->namelen;
	long err = inet_autobind(u, false);
	if (err)
		return err;
	if (m->namelen)
		return inet_find(u, &m->name, m->namelen, t);
	mutex_lock(&u->lock);
	struct unix_addr *d = u->dst;
	if (d)
		__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
	mutex_unlock(&u->lock);
	if (!d)
		return -EDESTADDRREQ;
	struct sockaddr_storage a;
	memcpy(&a, &d->sun, (size_t)d->len);
	err = inet_find(u, &a, d->len, t);
	unix_addr_put(d);
	return err;
}

/* The destination of a datagram: its address, or the connected peer. */
static long dgram_target(struct unix_sock *u, struct sock_msg *m, struct unix_sock **t, bool *connected)
{
	if (unix_is_inet(u))
		return udp_target(u, m, t, connected);
	*connected = false;
	if (u->sock.type == SOCK_SEQPACKET || !m->namelen) {
		*t = unix_peer_get(u);
		*connected = true;
		if (*t && LOAD(u->state) == UNIX_CONNECTED)
			return 0;
		if (*t)
			unix_put(*t);
		return u->sock.type == SOCK_SEQPACKET && LOAD(u->shut) & SEND_SHUTDOWN ? -EPIPE :
			-ENOTCONN;
	}
	return unix_find(u, &m->name, m->namelen, t);
}

static long dgram_send(struct unix_sock *u, struct sock_msg *m, int flags, bool nonblock,
		       struct unix_scm *scm)
{
	size_t len = m->it.left;
	if (len > (size_t)LOAD(u->sock.sndbuf) - 32)
		return -EMSGSIZE;
	if (LOAD(u->shut) & SEND_SHUTDOWN)
		return -EPIPE;
	struct unix_sock *t;
	bool connected;
	long err = dgram_target(u, m, &t, &connected);
	if (err == -ECONNREFUSED && unix_is_inet(u) && !connected)
		return (long)len;   /* UDP to nobody: dropped on the way */
	if (err)
		return err;
	uint64_t deadline = sock_deadline(LOAD(u->sock.sndtimeo));
	struct unix_skb *skb = NULL;
	if (!(err = wait_wmem(u, nonblock, deadline)) && !(skb = skb_alloc(u, len, scm)))
		err = -ENOMEM;
	if (skb && sock_iter_from(&m->it, skb->data, len))
		err = -EFAULT;
	if (!err) {
		skb->fp = scm->fp;
		if (!(err = dgram_deliver(u, t, skb, nonblock, deadline)))
			scm->fp = NULL;
		else
			skb->fp = NULL;
		if (err == 1)
			err = 0;   /* dropped: the skb is freed below */
		else if (!err)
			skb = NULL;
	}
	if (skb)
		unix_skb_free(skb);
	if (err == -ECONNREFUSED && connected && !unix_is_inet(u))
		dgram_disconnect(u, t);
	unix_put(t);
	(void)flags;
	return err ? err : (long)len;
}

long unix_sendmsg(struct socket *s, struct sock_msg *m, int flags, bool nonblock)
{
	struct unix_sock *u = unix_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	struct unix_scm scm;
	long err = unix_scm_send(m, &scm);
	if (err)
		return err;
	if (scm.fp && scm.fp->level > UNIX_MAX_LEVEL)
		err = -ETOOMANYREFS;
	else if (s->type == SOCK_STREAM)
		err = stream_send(u, m, flags, nonblock, &scm);
	else
		err = dgram_send(u, m, flags, nonblock, &scm);
	unix_fp_put(scm.fp);   /* not sent */
	return err;
}

/* ---- receive ---- */

static bool readable(struct unix_sock *u, size_t skip)
{
	return LOAD(u->rq_bytes) > skip || (LOAD(u->rq_len) > 0 && u->sock.type != SOCK_STREAM) ||
	       (LOAD(u->shut) & RCV_SHUTDOWN) || LOAD(u->err);
}

/* Wait, lock dropped, for something to read beyond skip bytes (u locked
 * on entry and return): 0, -EAGAIN, or a signal's error. */
static int wait_readable_locked(struct unix_sock *u, size_t skip, bool nonblock, uint64_t deadline)
{
	if (nonblock)
		return -EAGAIN;
	mutex_unlock(&u->lock);
	int err = sock_wait_event(u->wq, readable(u, skip), deadline);
	mutex_lock(&u->lock);
	return err;
}

/* What a receive hands over once u is unlocked: files and credentials. */
struct recv_out {
	struct unix_fp *fp;
	struct ucred cred;
	bool have_cred;
	struct list_head done;          /* messages to free */
};

/* Record the first message's source address, credentials and files. */
static void take_extras_locked(struct sock_msg *m, struct unix_skb *skb, struct recv_out *o,
			       bool peek)
{
	if (!o->have_cred) {
		o->cred = skb->cred;
		o->have_cred = true;
		m->namelen = 0;
		if (skb->addr) {
			memcpy(&m->name, &skb->addr->sun, (size_t)skb->addr->len);
			m->namelen = skb->addr->len;
		}
	}
	if (skb->fp && !o->fp) {
		o->fp = peek ? unix_fp_dup(skb->fp) : skb->fp;
		if (!peek)
			skb->fp = NULL;
	}
}

/* Take a message off u's queue into o->done. */
static void dequeue_locked(struct unix_sock *u, struct unix_skb *skb, struct recv_out *o)
{
	list_del(&skb->link);
	u->rq_len--;
	list_add_tail(&skb->link, &o->done);
}

/* The message holding the byte *pos bytes past the head of u's queue;
 * *pos becomes its offset past skb->off. NULL: the queue is shorter. */
static struct unix_skb *skb_at_locked(struct unix_sock *u, size_t *pos)
{
	struct unix_skb *skb;
	list_for_each_entry(skb, &u->rq, link) {
		size_t avail = skb->len - skb->off;
		if (*pos < avail)
			return skb;
		*pos -= avail;
	}
	return NULL;
}

/* Copy up to n bytes of a stream: the bytes read, or -errno. MSG_PEEK
 * reads on through the queue without taking anything. */
static long stream_recv_locked(struct unix_sock *u, struct sock_msg *m, int flags, bool nonblock,
			       struct recv_out *o)
{
	bool peek = flags & MSG_PEEK;
	size_t total = m->it.left, target = flags & MSG_WAITALL ? total : MIN(total, (size_t)1);
	size_t copied = 0;
	uint64_t deadline = sock_deadline(LOAD(u->sock.rcvtimeo));
	while (copied < total) {
		size_t in = peek ? copied : 0;
		struct unix_skb *skb = skb_at_locked(u, &in);
		if (!skb) {
			if (copied >= target || (u->shut & RCV_SHUTDOWN && !u->err))
				break;
			long err = -u->err;
			u->err = 0;
			if (!err)
				err = wait_readable_locked(u, peek ? copied : 0, nonblock, deadline);
			if (err)
				return copied ? (long)copied : err;
			continue;
		}
		if (copied && LOAD(u->sock.passcred) && memcmp(&skb->cred, &o->cred, sizeof(o->cred)))
			break;
		size_t chunk = MIN(skb->len - skb->off - in, total - copied);
		if (sock_iter_to(&m->it, skb->data + skb->off + in, chunk))
			return copied ? (long)copied : -EFAULT;
		copied += chunk;
		take_extras_locked(m, skb, o, peek);
		if (!peek) {
			skb->off += chunk;
			u->rq_bytes -= chunk;
			if (skb->off == skb->len)
				dequeue_locked(u, skb, o);
		}
		if (o->fp)
			break;   /* files end a read, as Linux */
	}
	return (long)copied;
}

/* One record (datagram or seqpacket): its bytes (or full length with
 * MSG_TRUNC), or -errno. */
static long record_recv_locked(struct unix_sock *u, struct sock_msg *m, int flags, bool nonblock,
			       struct recv_out *o)
{
	uint64_t deadline = sock_deadline(LOAD(u->sock.rcvtimeo));
	while (list_empty(&u->rq)) {
		if (u->err) {
			long e = -u->err;
			u->err = 0;
			return e;
		}
		if (u->shut & RCV_SHUTDOWN)
			return 0;
		int err = wait_readable_locked(u, 0, nonblock, deadline);
		if (err)
			return err;
	}
	struct unix_skb *skb = list_first_entry(&u->rq, struct unix_skb, link);
	size_t n = MIN(skb->len, m->it.left);
	if (n && sock_iter_to(&m->it, skb->data, n))
		return -EFAULT;
	if (n < skb->len)
		m->flags |= MSG_TRUNC;
	take_extras_locked(m, skb, o, flags & MSG_PEEK);
	if (!(flags & MSG_PEEK)) {
		u->rq_bytes -= skb->len;
		dequeue_locked(u, skb, o);
	}
	return flags & MSG_TRUNC ? (long)skb->len : (long)n;
}

long unix_recvmsg(struct socket *s, struct sock_msg *m, int flags, bool nonblock)
{
	struct unix_sock *u = unix_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	struct recv_out o = { .fp = NULL };
	list_init(&o.done);
	m->namelen = 0;
	mutex_lock(&u->lock);
	long r;
	if (s->type != SOCK_DGRAM && u->state != UNIX_CONNECTED)
		r = s->type == SOCK_STREAM && !unix_is_inet(u) ? -EINVAL : -ENOTCONN;
	else if (s->type == SOCK_STREAM)
		r = stream_recv_locked(u, m, flags, nonblock, &o);
	else
		r = record_recv_locked(u, m, flags, nonblock, &o);
	mutex_unlock(&u->lock);
	if (unix_is_inet(u) && s->type == SOCK_STREAM)
		m->namelen = 0;   /* TCP's recvfrom names nobody */
	if (r >= 0 && o.have_cred && LOAD(s->passcred))
		r = put_cmsg(m, SOL_SOCKET, SCM_CREDENTIALS, &o.cred, sizeof(o.cred)) ?: r;
	if (o.fp) {
		int err = unix_scm_recv_fds(m, o.fp, flags);
		if (err && r >= 0)
			r = err;
	}
	unix_purge(&o.done);
	return r;
}

/* ---- readiness ---- */

static bool recvq_full(struct unix_sock *t)
{
	return LOAD(t->rq_len) > UNIX_DGRAM_QLEN;
}

/* Linux's unix_poll and unix_dgram_poll. */
unsigned unix_poll(struct socket *s, struct poll_table *pt)
{
	struct unix_sock *u = unix_sk(s);
	poll_wait(pt, &u->wq);
	unsigned mask = 0;
	int state = LOAD(u->state), shut = LOAD(u->shut);
	if (LOAD(u->err))
		mask |= POLLERR;
	if (shut == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (shut & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (LOAD(u->rq_len) || (state == UNIX_LISTENING && LOAD(u->nacc)))
		mask |= POLLIN | POLLRDNORM;
	if (s->type != SOCK_DGRAM && state == UNIX_UNCONNECTED)
		mask |= POLLHUP;
	if (state == UNIX_LISTENING)
		return mask;
	bool writable = s->type == SOCK_STREAM ? LOAD(u->wmem) << 2 <= (uint32_t)LOAD(u->sock.sndbuf) :
		LOAD(u->wmem) < (uint32_t)LOAD(u->sock.sndbuf);
	if (s->type == SOCK_DGRAM && writable) {
		struct unix_sock *p = unix_peer_get(u);
		if (p) {
			poll_wait(pt, &p->wq);
			if (LOAD(p->peer) != u && recvq_full(p))
				writable = false;
			unix_put(p);
		}
	}
	if (writable)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

/* FIONREAD (SIOCINQ): unread bytes (a datagram socket: the next
 * message's); TIOCOUTQ (SIOCOUTQ): bytes sent and not yet read. */
long unix_ioctl(struct socket *s, unsigned cmd, uint64_t arg)
{
	struct unix_sock *u = unix_sk(s);
	int v;
	if (cmd == TIOCOUTQ) {
		v = (int)LOAD(u->wmem);
	} else if (cmd == FIONREAD) {
		mutex_lock(&u->lock);
		if (u->state == UNIX_LISTENING)
			v = -1;
		else if (s->type == SOCK_STREAM || list_empty(&u->rq))
			v = (int)u->rq_bytes;
		else
			v = (int)list_first_entry(&u->rq, struct unix_skb, link)->len;
		mutex_unlock(&u->lock);
		if (v < 0)
			return -EINVAL;
	} else {
		return -ENOTTY;
	}
	return copy_to_user((void *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}
