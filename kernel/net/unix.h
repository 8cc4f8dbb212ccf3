/*
 * unix.h - AF_UNIX internals shared by unix.c (sockets, names,
 * connections), unix_msg.c (sending and receiving) and unix_scm.c
 * (SCM_RIGHTS and SCM_CREDENTIALS). See docs/sockets.md.
 *
 * Locks: (l) the socket's own lock, a mutex ("unix_sock"); it is held
 * across copies to and from user memory, and never together with
 * another socket's lock: an operation on two sockets (connect, send,
 * close) takes one, then the other. (T) unix_table_lock, a spinlock
 * (leaf): the bound sockets. (a) atomic. (c) constant once set.
 * Conditions that sleepers and ->poll test read (l) fields with
 * atomic loads; every change is followed by a wake_up of wq.
 */
#ifndef ASPEN_NET_UNIX_H
#define ASPEN_NET_UNIX_H
#include "net/socket.h"
#include "lib/list.h"
#include "sync/mutex.h"
#include "sync/wait.h"

#define RCV_SHUTDOWN  1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

#define UNIX_DGRAM_QLEN 512         /* net.unix.max_dgram_qlen */
#define UNIX_MAX_LEVEL 4            /* Linux's MAX_RECURSION_LEVEL of in-flight sockets */

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* A bound name: shared by the socket, its accepted sockets and the
 * messages it sent. (a) refs; the rest (c). */
struct unix_addr {
	uint32_t refs;
	int len;                        /* bytes of sun as getsockname gives them */
	struct sockaddr_un sun;
};

/* Files in flight (SCM_RIGHTS): references owned by the message. */
struct unix_fp {
	int count;
	unsigned level;                 /* 1 + the deepest in-flight socket passed */
	bool charged;                   /* count is charged to user's in-flight files */
	uint32_t user;                  /* the sender's real uid */
	struct file *files[];
};

/* One message (a datagram, or a piece of a stream) in a receive queue. */
struct unix_skb {
	struct list_head link;          /* (l of the receiver) */
	struct unix_sock *from;         /* (c) referenced: its wmem holds charge */
	struct unix_addr *addr;         /* (c) the sender's name, referenced, or NULL */
	struct unix_fp *fp;             /* (l) files in flight, or NULL */
	struct ucred cred;              /* (c) the sender's pid, uid, gid */
	size_t charge;                  /* (c) bytes charged to from->wmem */
	size_t len;                     /* (c) */
	size_t off;                     /* (l) stream: bytes already read */
	char data[];
};

enum unix_state { UNIX_UNCONNECTED, UNIX_CONNECTING, UNIX_CONNECTED, UNIX_LISTENING, UNIX_CLOSED };

struct unix_sock {
	struct socket sock;             /* first: the generic part */
	uint32_t refs;                  /* (a) file or accept queue, peers, messages sent */
	struct mutex lock;              /* "unix_sock" */
	enum unix_state state;          /* (l) */
	bool dead;                      /* (l) released: nothing more is queued to it */
	bool embryo;                    /* (l) made by connect, not yet accepted */
	int shut;                       /* (l) RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;                        /* (l) pending error for SO_ERROR / the next call */
	struct unix_sock *peer;         /* (l) referenced, or NULL */
	struct list_head rq;            /* (l) struct unix_skb, oldest first */
	size_t rq_bytes;                /* (l) unread bytes */
	unsigned rq_len;                /* (l) messages queued */
	struct list_head accq;          /* (l) listener: embryos, oldest first */
	struct list_head acc_link;      /* (l of the listener) in its accq */
	unsigned nacc, backlog;         /* (l) listener */
	struct ucred peercred;          /* (l) SO_PEERCRED */
	struct ucred owncred;           /* (l) who listened or made the pair */
	struct unix_addr *addr;         /* (T) set once (read with an acquire load), or NULL */
	struct unix_addr *src;          /* (T) inet: addr as peers see it (wildcard made
	                                   loopback), set with addr; AF_UNIX: NULL */
	struct unix_addr *dst;          /* (l) inet datagram: the connected destination */
	bool nodelay;                   /* (a) inet stream: TCP_NODELAY, kept */
	struct inode *inode;            /* (T) the bound path's socket inode, referenced */
	struct list_head bound_link;    /* (T) in unix_bound */
	uint32_t wmem;                  /* (a) bytes sent and not yet taken by the receiver */
	unsigned level;                 /* (a) deepest in-flight nesting queued to it */
	/* In flight (SCM_RIGHTS, AF_UNIX only): its file is carried by
	 * inflight messages, counted from send to receive (unix_scm.c). */
	unsigned inflight;              /* (I) */
	struct file *file;              /* (I) its file, noted when it first goes in flight */
	struct list_head inflight_link; /* (I) in unix_inflight_socks while inflight > 0 */
	/* The running garbage collection's (G: unix_gc.c's gc_busy) */
	struct list_head gc_link;       /* (G) a candidate, or an embryo being read */
	bool gc_candidate, gc_alive;    /* (G) */
	unsigned gc_inflight, gc_internal; /* (G) in-flight references; those in candidates' queues */
	struct wait_queue wq;           /* readers, writers, connectors, acceptors, pollers */
};

static inline struct unix_sock *unix_sk(struct socket *s)
{
	return (struct unix_sock *)s;
}

static inline bool unix_is_inet(const struct unix_sock *u)
{
	return u->sock.family != AF_UNIX;
}

/* unix.c */
extern struct spinlock unix_table_lock;   /* (T) */
extern struct list_head unix_bound;       /* (T) every bound socket, AF_UNIX and inet */
struct unix_sock *unix_alloc(const struct sock_family *fam, int type);
/* unix_src_of - the name u's messages and connections carry
 * (referenced), or NULL. */
struct unix_addr *unix_src_of(struct unix_sock *u);
/* The ops inet shares (see struct sock_family). */
void unix_release(struct socket *s);
int unix_connect(struct socket *s, const struct sockaddr_storage *a, int len, bool nonblock);
int unix_listen(struct socket *s, int backlog);
int unix_accept(struct socket *s, struct socket **out, bool nonblock);
int unix_getname(struct socket *s, struct sockaddr_storage *a, int *len, bool peer);
int unix_shutdown(struct socket *s, int how);
int unix_take_error(struct socket *s);
int unix_peercred(struct socket *s, struct ucred *out);
bool unix_listening(struct socket *s);
void unix_get(struct unix_sock *u);
void unix_put(struct unix_sock *u);
void unix_addr_put(struct unix_addr *a);
struct unix_addr *unix_addr_of(struct unix_sock *u);   /* referenced, or NULL */
/* unix_find - the bound socket from sends to at a (referenced): -EINVAL
 * for a bad address, the path lookup's error, -ECONNREFUSED, -EACCES,
 * -EPROTOTYPE; inet_find's errors for an inet socket. */
int unix_find(struct unix_sock *from, const struct sockaddr_storage *a, int len,
	      struct unix_sock **out);
/* unix_peer_get - u's peer, referenced, or NULL. Takes u->lock. */
struct unix_sock *unix_peer_get(struct unix_sock *u);
/* unix_current_cred - the caller's pid and real uid and gid. */
struct ucred unix_current_cred(void);

/* unix_msg.c */
long unix_sendmsg(struct socket *s, struct sock_msg *m, int flags, bool nonblock);
long unix_recvmsg(struct socket *s, struct sock_msg *m, int flags, bool nonblock);
unsigned unix_poll(struct socket *s, struct poll_table *pt);
long unix_ioctl(struct socket *s, unsigned cmd, uint64_t arg);
/* unix_skb_free - give back a message: its files, its charge (waking the
 * sender), its references. No lock held; may sleep. */
void unix_skb_free(struct unix_skb *skb);
/* unix_purge - free every message on list (taken off a queue). */
void unix_purge(struct list_head *list);

/* inet.c */
/* inet_find - the socket of from's family and type bound at a (a
 * listener for a stream), referenced: -EINVAL, -EAFNOSUPPORT,
 * -ENETUNREACH (not loopback), -ECONNREFUSED (nobody). */
int inet_find(struct unix_sock *from, const struct sockaddr_storage *a, int len,
	      struct unix_sock **out);
/* inet_autobind - bind an unbound u to an ephemeral port (to_connect:
 * at the loopback address, else the wildcard): 0 or -errno. */
int inet_autobind(struct unix_sock *u, bool to_connect);
/* inet_dest - a checked destination address for u (as inet_find's
 * errors), made into a new unix_addr. */
int inet_dest(struct unix_sock *u, const struct sockaddr_storage *a, int len, struct unix_addr **out);
/* inet_unbound_name - the name of an unbound socket of family; its length. */
int inet_unbound_name(int family, struct sockaddr_storage *a);

/* unix_scm.c */
extern struct spinlock unix_inflight_lock;  /* (I) a leaf */
extern struct list_head unix_inflight_socks; /* (I) the AF_UNIX sockets in flight */
extern unsigned long unix_inflight_sockets;  /* (I) their number (read without, atomically) */
struct unix_scm {
	struct unix_fp *fp;
	struct ucred cred;
};
/* unix_scm_send - the control messages of m: SCM_RIGHTS files
 * (referenced), SCM_CREDENTIALS (checked) or the caller's own. */
int unix_scm_send(struct sock_msg *m, struct unix_scm *scm);
void unix_fp_put(struct unix_fp *fp);
struct unix_fp *unix_fp_dup(struct unix_fp *fp);
/* unix_scm_recv - deliver fp's files as new descriptors in an
 * SCM_RIGHTS message (what does not fit is closed, MSG_CTRUNC); fp is
 * consumed. */
int unix_scm_recv_fds(struct sock_msg *m, struct unix_fp *fp, int flags);

/* unix_gc.c */
/* unix_gc - free the sockets only their own messages in flight keep
 * (sockets sent over themselves, or in rings, then closed). Called after
 * an AF_UNIX socket is released; returns at once when none is in flight.
 * No lock held; may sleep. */
void unix_gc(void);
#endif
