/*
 * unix_gc.c - AF_UNIX sockets that only their own messages in flight
 * keep are collected, as Linux's garbage collector does: a socket sent
 * over itself and closed, a ring of two, a listener whose unaccepted
 * connection carries it, cycles made by threads at once on every CPU;
 * and a socket that a live queue still carries is not. What shows it is the peer: once a garbage socket is freed, its
 * peer sees the hang-up (POLLHUP, EPIPE, ECONNREFUSED). Linux collects
 * from a work queue after a later close of an AF_UNIX socket (Aspen at
 * once, on the close): the tests close a spare pair and poll, up to ten
 * seconds in all, a bound for an event, not a speed requirement.
 */
// GUEST: glibc
#include "gtest.h"
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>

#define WAIT_POLLS 1000   /* of 10 ms: the bound on waiting for the collector */

static void xsocketpair(int type, int sv[2])
{
	CHECK(socketpair(AF_UNIX, type, 0, sv) == 0, "socketpair: %s", strerror(errno));
}

/* Send a one-byte message carrying fd on s. */
static void send_fd(int s, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { "f", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	CHECK(sendmsg(s, &mh, 0) == 1, "sendmsg: %s", strerror(errno));
}

/* Receive a one-byte message from s and the descriptor it carries (-1 if none). */
static int recv_fd(int s)
{
	char data, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &data, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	CHECK(recvmsg(s, &mh, MSG_DONTWAIT) == 1, "recvmsg: %s", strerror(errno));
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int fd = -1;
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

/* Close a spare pair: on Linux, the close that sets the collector going. */
static void nudge_collector(void)
{
	int t[2];
	xsocketpair(SOCK_STREAM, t);
	close(t[0]);
	close(t[1]);
}

/* Does fd see its peer hang up (poll's POLLHUP) within the bound? */
static bool hangup_seen(int fd)
{
	for (int i = 0; i < WAIT_POLLS; i++) {
		nudge_collector();
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 10) == 1 && (p.revents & POLLHUP))
			return true;
	}
	return false;
}

GTEST(stream_socket_sent_over_itself_then_closed_is_collected)
{
	int sv[2];
	xsocketpair(SOCK_STREAM, sv);
	send_fd(sv[1], sv[0]);    /* into sv[0]'s own queue */
	close(sv[0]);             /* only its own message holds it now */
	CHECK(hangup_seen(sv[1]), "the socket in its own queue was never freed");
	CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	char c;
	CHECK_EQ(read(sv[1], &c, 1), 0);
	close(sv[1]);
}

GTEST(datagram_socket_sent_over_itself_then_closed_is_collected)
{
	int sv[2];
	xsocketpair(SOCK_DGRAM, sv);
	send_fd(sv[1], sv[0]);
	close(sv[0]);
	int i = 0;
	while (i++ < WAIT_POLLS && send(sv[1], "x", 1, MSG_DONTWAIT) == 1) {
		nudge_collector();
		usleep(10000);
	}
	CHECK(i <= WAIT_POLLS, "its peer could still send to it");
	CHECK_EQ(errno, ECONNREFUSED);
	close(sv[1]);
}

GTEST(ring_of_two_sockets_is_collected)
{
	int a[2], b[2];
	xsocketpair(SOCK_STREAM, a);
	xsocketpair(SOCK_STREAM, b);
	send_fd(b[1], a[0]);      /* a[0] waits in b[0]'s queue */
	send_fd(a[1], b[0]);      /* and b[0] in a[0]'s */
	close(a[0]);
	close(b[0]);
	CHECK(hangup_seen(a[1]), "a[0] never freed");
	CHECK(hangup_seen(b[1]), "b[0] never freed");
	close(a[1]);
	close(b[1]);
}

GTEST(socket_a_live_queue_carries_is_kept)
{
	int self[2], carrier[2];
	xsocketpair(SOCK_STREAM, self);
	xsocketpair(SOCK_STREAM, carrier);
	send_fd(self[1], self[0]);      /* in its own queue ... */
	send_fd(carrier[0], self[0]);   /* ... and in a queue we can read */
	close(self[0]);
	for (int i = 0; i < 20; i++)
		nudge_collector();
	struct pollfd p = { self[1], POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 100), 0);  /* no hang-up: still alive */
	int back = recv_fd(carrier[1]);
	CHECK(back >= 0, "no descriptor received");
	int again = recv_fd(back);      /* the message in its own queue, with itself */
	CHECK(again >= 0, "no descriptor in its own queue");
	CHECK_EQ(write(again, "ok", 2), 2);
	char buf[4];
	CHECK_EQ(read(self[1], buf, sizeof(buf)), 2);
	close(back);
	close(again);
	CHECK(hangup_seen(self[1]), "closing every descriptor did not free it");
	close(self[1]);
	close(carrier[0]);
	close(carrier[1]);
}

/* A listener carried by its own unaccepted connection's queue. */
GTEST(listener_its_unaccepted_connection_carries_is_collected)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "aspen-unix-gc-%d", (int)getpid());
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1));
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0 && c >= 0);
	CHECK_EQ(bind(l, (struct sockaddr *)&a, len), 0);
	CHECK_EQ(listen(l, 4), 0);
	CHECK_EQ(connect(c, (struct sockaddr *)&a, len), 0);
	send_fd(c, l);            /* into the embryo's queue */
	close(l);
	CHECK(hangup_seen(c), "the listener was never freed");
	close(c);
}

/* Threads on every CPU make cycles and close them while others are
 * collected; each cycle also carries the write end of one pipe: once all
 * are collected, the pipe's reader sees end of file. */
#define CYCLE_THREADS 4
#define CYCLES 150

static int cycle_pipe[2];

static void *make_cycles(void *arg)
{
	for (int i = 0; i < CYCLES; i++) {
		int sv[2];
		xsocketpair(i % 2 ? SOCK_DGRAM : SOCK_STREAM, sv);
		send_fd(sv[1], sv[0]);
		send_fd(sv[1], cycle_pipe[1]);
		close(sv[0]);
		close(sv[1]);
	}
	return arg;
}

GTEST(cycles_made_by_threads_at_once_are_all_collected)
{
	pthread_t t[CYCLE_THREADS];
	CHECK_EQ(pipe(cycle_pipe), 0);
	for (int i = 0; i < CYCLE_THREADS; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, make_cycles, NULL), 0);
	for (int i = 0; i < CYCLE_THREADS; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	close(cycle_pipe[1]);
	bool eof = false;
	for (int i = 0; i < WAIT_POLLS && !eof; i++) {
		nudge_collector();
		struct pollfd p = { cycle_pipe[0], POLLIN, 0 };
		eof = poll(&p, 1, 10) == 1 && (p.revents & POLLHUP);
	}
	CHECK(eof, "a write end of the pipe is still held by a cycle");
	close(cycle_pipe[0]);
}
