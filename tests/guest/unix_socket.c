/*
 * unix_socket.c - AF_UNIX sockets as Linux has them: socketpair of each
 * type, stream end of file, EPIPE and SIGPIPE, ECONNRESET, shutdown,
 * message boundaries and MSG_TRUNC, MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL;
 * filesystem names (the socket inode, EADDRINUSE, ENOENT after unlink,
 * ECONNREFUSED with nobody bound), abstract names and autobind,
 * listen/connect/accept4, datagram addresses and connected datagram
 * sockets; SCM_RIGHTS (files that arrive, and files never received
 * being closed), SCM_CREDENTIALS and SO_PEERCRED; socket options;
 * readiness through poll and epoll; argument errors. No test depends on
 * time: where one side must be asleep first, it is awaited by its state.
 */
// GUEST: glibc
#include "gtest.h"
#include <ctype.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static void xsocketpair(int type, int sv[2])
{
	CHECK(socketpair(AF_UNIX, type, 0, sv) == 0, "socketpair: %s", strerror(errno));
}

/* A filesystem address in /tmp, unique to this process. */
static socklen_t path_addr(struct sockaddr_un *a, const char *tag)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "/tmp/us-%s-%d", tag, (int)getpid());
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

/* An abstract address: "\0" then the tag and the pid. */
static socklen_t abstract_addr(struct sockaddr_un *a, const char *tag)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "aspen-%s-%d", tag, (int)getpid());
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* A listening socket of type at a. */
static int xlisten(int type, const struct sockaddr_un *a, socklen_t len)
{
	int s = socket(AF_UNIX, type, 0);
	CHECK(s >= 0, "socket: %s", strerror(errno));
	CHECK(bind(s, (const struct sockaddr *)a, len) == 0, "bind: %s", strerror(errno));
	CHECK_EQ(listen(s, 4), 0);
	return s;
}

static int xconnect(int type, const struct sockaddr_un *a, socklen_t len)
{
	int c = socket(AF_UNIX, type, 0);
	CHECK(c >= 0, "socket: %s", strerror(errno));
	CHECK(connect(c, (const struct sockaddr *)a, len) == 0, "connect: %s", strerror(errno));
	return c;
}

/* ---- socketpair ---- */

GTEST(socketpair_stream_carries_bytes_both_ways)
{
	int sv[2];
	char buf[16];
	xsocketpair(SOCK_STREAM, sv);
	CHECK_EQ(write(sv[0], "hello", 5), 5);
	CHECK_EQ(write(sv[0], "world", 5), 5);
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 10);   /* a stream merges writes */
	CHECK(memcmp(buf, "helloworld", 10) == 0, "read %.10s", buf);
	CHECK_EQ(send(sv[1], "back", 4, 0), 4);
	CHECK_EQ(recv(sv[0], buf, sizeof(buf), 0), 4);
	CHECK(memcmp(buf, "back", 4) == 0, "read %.4s", buf);
}

GTEST(socketpair_dgram_keeps_boundaries_and_truncates)
{
	int sv[2];
	char buf[16];
	xsocketpair(SOCK_DGRAM, sv);
	CHECK_EQ(send(sv[0], "one", 3, 0), 3);
	CHECK_EQ(send(sv[0], "second", 6, 0), 6);
	CHECK_EQ(send(sv[0], "", 0, 0), 0);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), 0), 3);
	/* a short buffer: the rest of the message is dropped */
	struct iovec iov = { buf, 3 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 3);
	CHECK(mh.msg_flags & MSG_TRUNC, "msg_flags %#x", mh.msg_flags);
	CHECK(memcmp(buf, "sec", 3) == 0, "read %.3s", buf);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0);   /* the empty datagram */
	CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_EQ(send(sv[0], "twelve bytes", 12, 0), 12);
	CHECK_EQ(recv(sv[1], buf, 4, MSG_TRUNC), 12);   /* MSG_TRUNC: the real length */
}

GTEST(seqpacket_keeps_boundaries_then_eof)
{
	int sv[2];
	char buf[16];
	xsocketpair(SOCK_SEQPACKET, sv);
	CHECK_EQ(write(sv[0], "ab", 2), 2);
	CHECK_EQ(write(sv[0], "cde", 3), 3);
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 2);
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 3);
	close(sv[0]);
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 0);
	CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
}

GTEST(stream_reads_rest_then_eof_after_peer_close)
{
	int sv[2];
	char buf[16];
	xsocketpair(SOCK_STREAM, sv);
	CHECK_EQ(write(sv[0], "last", 4), 4);
	close(sv[0]);
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 4);
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 0);
	struct pollfd p = { sv[1], POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK(p.revents & POLLHUP, "revents %#x", p.revents);
	CHECK(p.revents & POLLIN, "revents %#x", p.revents);
}

GTEST(stream_write_to_closed_peer_raises_sigpipe)
{
	int sv[2];
	xsocketpair(SOCK_STREAM, sv);
	close(sv[1]);
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	pid_t pid = xfork();
	if (pid == 0) {
		write(sv[0], "x", 1);
		_exit(0);
	}
	CHECK_SIGNALED(wait_status(pid), SIGPIPE);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(sv[0], "x", 1), EPIPE);
}

GTEST(stream_close_with_unread_data_resets_peer)
{
	int sv[2];
	char buf[4];
	xsocketpair(SOCK_STREAM, sv);
	CHECK_EQ(write(sv[0], "unread", 6), 6);
	close(sv[1]);   /* leaves "unread" unread */
	CHECK_ERR(read(sv[0], buf, sizeof(buf)), ECONNRESET);
	CHECK_EQ(read(sv[0], buf, sizeof(buf)), 0);
}

GTEST(shutdown_wr_gives_eof_and_rd_gives_epipe)
{
	int sv[2];
	char buf[4];
	xsocketpair(SOCK_STREAM, sv);
	CHECK_EQ(shutdown(sv[0], SHUT_WR), 0);
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 0);
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_EQ(write(sv[1], "ok", 2), 2);   /* the other direction still works */
	CHECK_EQ(read(sv[0], buf, sizeof(buf)), 2);
	CHECK_EQ(shutdown(sv[0], SHUT_RD), 0);
	CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_ERR(shutdown(sv[0], 7), EINVAL);
}

GTEST(nonblocking_stream_fills_then_drains)
{
	int sv[2];
	xsocketpair(SOCK_STREAM | SOCK_NONBLOCK, sv);
	CHECK(fcntl(sv[0], F_GETFL) & O_NONBLOCK, "no O_NONBLOCK");
	static char chunk[4096];
	long total = 0;
	ssize_t r;
	while ((r = write(sv[0], chunk, sizeof(chunk))) > 0)
		total += r;
	CHECK_EQ(errno, EAGAIN);
	CHECK(total >= 4096 && total <= 4 * 1024 * 1024, "buffered %ld", total);
	struct pollfd p = { sv[0], POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 0);
	int inq = 0;
	CHECK_EQ(ioctl(sv[1], FIONREAD, &inq), 0);
	CHECK_EQ(inq, total);
	long got = 0;
	while ((r = read(sv[1], chunk, sizeof(chunk))) > 0)
		got += r;
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(got, total);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK(p.revents & POLLOUT, "revents %#x", p.revents);
}

GTEST(peek_dontwait_and_waitall)
{
	int sv[2];
	char buf[16];
	xsocketpair(SOCK_STREAM, sv);
	CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_EQ(write(sv[0], "abc", 3), 3);
	CHECK_EQ(write(sv[0], "def", 3), 3);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 6);
	CHECK(memcmp(buf, "abcdef", 6) == 0, "peeked %.6s", buf);
	CHECK_EQ(recv(sv[1], buf, 2, 0), 2);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 4);
	CHECK(memcmp(buf, "cdef", 4) == 0, "peeked %.4s", buf);
	CHECK_EQ(recv(sv[1], buf, 4, 0), 4);
	/* MSG_WAITALL: one recv gets two writes made while it sleeps */
	pid_t pid = xfork();
	if (pid == 0) {
		wait_until_asleep(getppid(), getppid());
		write(sv[0], "12345", 5);
		wait_until_asleep(getppid(), getppid());
		write(sv[0], "67890", 5);
		_exit(0);
	}
	CHECK_EQ(recv(sv[1], buf, 10, MSG_WAITALL), 10);
	CHECK(memcmp(buf, "1234567890", 10) == 0, "read %.10s", buf);
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(blocked_reader_wakes_on_write)
{
	int sv[2];
	char buf[8];
	xsocketpair(SOCK_SEQPACKET, sv);
	pid_t pid = xfork();
	if (pid == 0) {
		wait_until_asleep(getppid(), getppid());
		write(sv[0], "wake", 4);
		_exit(0);
	}
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 4);
	CHECK_EXITED(wait_status(pid), 0);
}

/* ---- names and connections ---- */

GTEST(path_bind_makes_socket_inode_and_addrinuse)
{
	struct sockaddr_un a, got;
	socklen_t len = path_addr(&a, "inode");
	unlink(a.sun_path);
	umask(022);
	int s = xlisten(SOCK_STREAM, &a, len);
	struct stat st;
	CHECK_EQ(stat(a.sun_path, &st), 0);
	CHECK(S_ISSOCK(st.st_mode), "mode %o", st.st_mode);
	CHECK_EQ(st.st_mode & 0777, 0755);
	socklen_t gl = sizeof(got);
	CHECK_EQ(getsockname(s, (struct sockaddr *)&got, &gl), 0);
	CHECK_EQ(gl, len);
	CHECK(strcmp(got.sun_path, a.sun_path) == 0, "name %s", got.sun_path);
	int t = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(t, (struct sockaddr *)&a, len), EADDRINUSE);
	struct sockaddr_un other;
	socklen_t ol = path_addr(&other, "inode2");
	CHECK_ERR(bind(s, (struct sockaddr *)&other, ol), EINVAL);   /* bound already */
	CHECK_ERR(access(other.sun_path, F_OK), ENOENT);
	CHECK_ERR(open(a.sun_path, O_RDWR), ENXIO);
	close(t);
	close(s);
	CHECK_EQ(unlink(a.sun_path), 0);
}

GTEST(connect_accept_and_names)
{
	struct sockaddr_un a, got;
	socklen_t len = path_addr(&a, "conn");
	unlink(a.sun_path);
	int l = xlisten(SOCK_STREAM, &a, len);
	int c = xconnect(SOCK_STREAM, &a, len);
	CHECK_EQ(write(c, "early", 5), 5);   /* before accept */
	socklen_t gl = sizeof(got);
	int s = accept4(l, (struct sockaddr *)&got, &gl, SOCK_CLOEXEC | SOCK_NONBLOCK);
	CHECK(s >= 0, "accept4: %s", strerror(errno));
	CHECK_EQ(gl, sizeof(sa_family_t));   /* the client is unnamed */
	CHECK(fcntl(s, F_GETFD) & FD_CLOEXEC, "no FD_CLOEXEC");
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK, "no O_NONBLOCK");
	char buf[8];
	CHECK_EQ(read(s, buf, sizeof(buf)), 5);
	gl = sizeof(got);
	CHECK_EQ(getpeername(c, (struct sockaddr *)&got, &gl), 0);
	CHECK(gl == len && strcmp(got.sun_path, a.sun_path) == 0, "peer %s", got.sun_path);
	gl = sizeof(got);
	CHECK_EQ(getsockname(s, (struct sockaddr *)&got, &gl), 0);
	CHECK(gl == len && strcmp(got.sun_path, a.sun_path) == 0, "name %s", got.sun_path);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, len), EISCONN);
	CHECK_EQ(fcntl(l, F_SETFL, O_NONBLOCK), 0);
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
	close(s);
	close(c);
	close(l);
	unlink(a.sun_path);
}

GTEST(connect_errors_without_listener)
{
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, "refused");
	unlink(a.sun_path);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, len), ENOENT);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_EQ(bind(s, (struct sockaddr *)&a, len), 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, len), ECONNREFUSED);   /* bound, not listening */
	close(s);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, len), ECONNREFUSED);   /* the file stays, nobody is bound */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(connect(d, (struct sockaddr *)&a, len), ECONNREFUSED);
	CHECK_EQ(unlink(a.sun_path), 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, len), ENOENT);
	int l = xlisten(SOCK_STREAM, &a, len);
	CHECK_ERR(connect(d, (struct sockaddr *)&a, len), EPROTOTYPE);
	close(l);
	unlink(a.sun_path);
}

GTEST(unlinked_name_unreachable_while_bound)
{
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, "unl");
	unlink(a.sun_path);
	int l = xlisten(SOCK_STREAM, &a, len);
	CHECK_EQ(unlink(a.sun_path), 0);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, len), ENOENT);
	int l2 = xlisten(SOCK_STREAM, &a, len);   /* the name is free again */
	CHECK_EQ(connect(c, (struct sockaddr *)&a, len), 0);
	CHECK_EQ(fcntl(l, F_SETFL, O_NONBLOCK), 0);
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN);   /* the connection went to the new one */
	int s = accept(l2, NULL, NULL);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	close(s);
	close(l2);
	close(l);
	close(c);
	unlink(a.sun_path);
}

GTEST(abstract_names_and_autobind)
{
	struct sockaddr_un a, got;
	socklen_t len = abstract_addr(&a, "abs");
	int l = xlisten(SOCK_SEQPACKET, &a, len);
	int t = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR(bind(t, (struct sockaddr *)&a, len), EADDRINUSE);
	close(t);
	int c = xconnect(SOCK_SEQPACKET, &a, len);
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	socklen_t gl = sizeof(got);
	CHECK_EQ(getpeername(c, (struct sockaddr *)&got, &gl), 0);
	CHECK(gl == len && memcmp(&got, &a, len) == 0, "peer length %u", gl);
	/* autobind: the family alone gives "\0" and 5 hex digits */
	int b = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un fam = { .sun_family = AF_UNIX };
	CHECK_EQ(bind(b, (struct sockaddr *)&fam, sizeof(sa_family_t)), 0);
	gl = sizeof(got);
	CHECK_EQ(getsockname(b, (struct sockaddr *)&got, &gl), 0);
	CHECK_EQ(gl, offsetof(struct sockaddr_un, sun_path) + 6);
	CHECK(got.sun_path[0] == 0 && isxdigit((unsigned char)got.sun_path[1]), "autobind name");
	close(b);
	close(s);
	close(c);
	close(l);
}

GTEST(listener_close_resets_pending_connection)
{
	struct sockaddr_un a;
	socklen_t len = abstract_addr(&a, "pend");
	int l = xlisten(SOCK_STREAM, &a, len);
	int c = xconnect(SOCK_STREAM, &a, len);
	struct pollfd p = { l, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);   /* a listener is readable with a connection queued */
	close(l);
	char buf[4];
	CHECK_ERR(read(c, buf, sizeof(buf)), ECONNRESET);
	CHECK_EQ(read(c, buf, sizeof(buf)), 0);
	CHECK_ERR(connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, len), ECONNREFUSED);
}

GTEST(blocked_accept_wakes_on_connect)
{
	struct sockaddr_un a;
	socklen_t len = abstract_addr(&a, "wake");
	int l = xlisten(SOCK_STREAM, &a, len);
	pid_t pid = xfork();
	if (pid == 0) {
		wait_until_asleep(getppid(), getppid());
		int c = xconnect(SOCK_STREAM, &a, len);
		write(c, "hi", 2);
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	char buf[4];
	CHECK_EQ(read(s, buf, sizeof(buf)), 2);
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(dgram_addresses_and_connected_filter)
{
	struct sockaddr_un a, b, from;
	socklen_t la = abstract_addr(&a, "dga"), lb = abstract_addr(&b, "dgb");
	int sa = socket(AF_UNIX, SOCK_DGRAM, 0), sb = socket(AF_UNIX, SOCK_DGRAM, 0);
	int sc = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_EQ(bind(sa, (struct sockaddr *)&a, la), 0);
	CHECK_EQ(bind(sb, (struct sockaddr *)&b, lb), 0);
	CHECK_ERR(send(sa, "x", 1, 0), ENOTCONN);
	CHECK_EQ(sendto(sb, "to a", 4, 0, (struct sockaddr *)&a, la), 4);
	char buf[8];
	socklen_t fl = sizeof(from);
	CHECK_EQ(recvfrom(sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 4);
	CHECK(fl == lb && memcmp(&from, &b, lb) == 0, "from length %u", fl);
	CHECK_EQ(sendto(sc, "anon", 4, 0, (struct sockaddr *)&a, la), 4);
	fl = sizeof(from);
	CHECK_EQ(recvfrom(sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 4);
	CHECK_EQ(fl, 0);   /* an unbound sender has no name */
	/* connected to b, a takes datagrams from b only */
	CHECK_EQ(connect(sa, (struct sockaddr *)&b, lb), 0);
	CHECK_ERR(sendto(sc, "x", 1, 0, (struct sockaddr *)&a, la), EPERM);
	CHECK_EQ(send(sa, "hey", 3, 0), 3);
	CHECK_EQ(recv(sb, buf, sizeof(buf), 0), 3);
	close(sb);
	CHECK_ERR(send(sa, "x", 1, 0), ECONNREFUSED);
	CHECK_ERR(send(sa, "x", 1, 0), ENOTCONN);   /* disconnected by the refusal */
	close(sa);
	close(sc);
}

/* ---- control messages ---- */

static void send_fds(int s, const int *fds, int n, const char *data)
{
	char ctl[CMSG_SPACE(8 * sizeof(int))];
	struct iovec iov = { (void *)data, strlen(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	CHECK(sendmsg(s, &mh, 0) == (ssize_t)iov.iov_len, "sendmsg: %s", strerror(errno));
}

GTEST(scm_rights_passes_a_pipe)
{
	int sv[2], p[2];
	xsocketpair(SOCK_STREAM, sv);
	CHECK_EQ(pipe(p), 0);
	send_fds(sv[0], &p[1], 1, "fd");
	close(p[1]);
	char data[4], ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	CHECK_EQ(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC), 2);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	CHECK(c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS, "no SCM_RIGHTS");
	CHECK_EQ(c->cmsg_len, CMSG_LEN(sizeof(int)));
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "no FD_CLOEXEC");
	CHECK_EQ(write(fd, "via", 3), 3);
	char buf[4];
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 3);
	close(fd);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0);   /* the last writer was the passed one */
}

GTEST(scm_rights_never_received_are_closed)
{
	int sv[2], p[2];
	char buf[4];
	xsocketpair(SOCK_DGRAM, sv);
	CHECK_EQ(pipe(p), 0);
	send_fds(sv[0], &p[1], 1, "x");
	close(p[1]);
	close(sv[1]);   /* the message dies in the queue */
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(sv[0]);
	/* a control buffer too small: MSG_CTRUNC, and the file is closed */
	xsocketpair(SOCK_STREAM, sv);
	CHECK_EQ(pipe(p), 0);
	send_fds(sv[0], &p[1], 1, "y");
	close(p[1]);
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 1);
	CHECK(mh.msg_flags & MSG_CTRUNC, "msg_flags %#x", mh.msg_flags);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0);
}

/* A one-byte message carrying one descriptor, built in r. */
struct rights_msg {
	struct iovec iov;
	char ctl[CMSG_SPACE(sizeof(int))];
};

static struct msghdr rights_msg(struct rights_msg *r, int fd)
{
	r->iov = (struct iovec){ "f", 1 };
	struct msghdr mh = { .msg_iov = &r->iov, .msg_iovlen = 1, .msg_control = r->ctl,
			     .msg_controllen = sizeof(r->ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	return mh;
}

/* An unprivileged user's files in flight are bounded by its RLIMIT_NOFILE
 * (ETOOMANYREFS); receiving them gives the allowance back. */
GTEST(scm_rights_in_flight_limited_per_user)
{
	if (geteuid() != 0)
		SKIP("needs root to become another user");
	pid_t pid = xfork();
	if (pid == 0) {
		int sv[2], p[2];
		xsocketpair(SOCK_STREAM, sv);
		CHECK_EQ(pipe(p), 0);
		struct rlimit rl = { 16, 16 };
		CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
		CHECK_EQ(setgid(65534), 0);
		CHECK_EQ(setuid(65534), 0);
		int sent = 0;
		struct rights_msg r;
		struct msghdr mh = rights_msg(&r, p[1]);
		while (sent < 100 && sendmsg(sv[0], &mh, MSG_DONTWAIT) == 1)
			sent++;
		CHECK_EQ(errno, ETOOMANYREFS);
		CHECK(sent > 8 && sent <= 20, "%d sent before ETOOMANYREFS", sent);
		char buf[4], rctl[CMSG_SPACE(sizeof(int))];
		struct iovec riov = { buf, 1 };
		struct msghdr rh = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = rctl,
				     .msg_controllen = sizeof(rctl) };
		CHECK_EQ(recvmsg(sv[1], &rh, 0), 1);
		int fd;
		memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&rh)), sizeof(fd));
		close(fd);
		CHECK_EQ(sendmsg(sv[0], &mh, MSG_DONTWAIT), 1);   /* room again */
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(scm_rights_errors)
{
	int sv[2];
	xsocketpair(SOCK_STREAM, sv);
	struct rights_msg r;
	struct msghdr mh = rights_msg(&r, 9999);
	CHECK_ERR(sendmsg(sv[0], &mh, 0), EBADF);
	CMSG_FIRSTHDR(&mh)->cmsg_len = sizeof(r.ctl) + 8;
	CHECK_ERR(sendmsg(sv[0], &mh, 0), EINVAL);
	mh.msg_control = (void *)8;   /* musl copies the control buffer itself */
	CHECK_ERR(syscall(SYS_sendmsg, sv[0], &mh, 0), EFAULT);
}

GTEST(scm_credentials_and_peercred)
{
	int sv[2], on = 1;
	xsocketpair(SOCK_DGRAM, sv);
	struct ucred pc;
	socklen_t pl = sizeof(pc);
	CHECK_EQ(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &pc, &pl), 0);
	CHECK_EQ(pl, sizeof(pc));
	CHECK_EQ(pc.pid, getpid());
	CHECK_EQ(pc.uid, geteuid());
	CHECK_EQ(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(send(sv[0], "c", 1, 0), 1);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	char data[2], ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 1);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	CHECK(c && c->cmsg_type == SCM_CREDENTIALS, "no SCM_CREDENTIALS");
	struct ucred uc;
	memcpy(&uc, CMSG_DATA(c), sizeof(uc));
	CHECK_EQ(uc.pid, pid);
	CHECK_EQ(uc.uid, getuid());
	CHECK_EQ(uc.gid, getgid());
}

GTEST(peercred_of_accepted_connection)
{
	struct sockaddr_un a;
	socklen_t len = abstract_addr(&a, "cred");
	int l = xlisten(SOCK_STREAM, &a, len);
	pid_t pid = xfork();
	if (pid == 0) {
		int c = xconnect(SOCK_STREAM, &a, len);
		struct ucred pc;
		socklen_t pl = sizeof(pc);
		CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &pc, &pl), 0);
		CHECK_EQ(pc.pid, getppid());   /* the listener's */
		char b;
		read(c, &b, 1);
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	struct ucred pc;
	socklen_t pl = sizeof(pc);
	CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &pc, &pl), 0);
	CHECK_EQ(pc.pid, pid);
	write(s, "x", 1);
	CHECK_EXITED(wait_status(pid), 0);
}

/* ---- options, readiness, errors ---- */

GTEST(socket_options)
{
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0), v;
	socklen_t l = sizeof(v);
	CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l), 0);
	CHECK_EQ(v, SOCK_SEQPACKET);
	CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l), 0);
	CHECK_EQ(v, AF_UNIX);
	CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &l), 0);
	CHECK_EQ(v, 0);
	v = 8192;
	CHECK_EQ(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
	CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l), 0);
	CHECK_EQ(v, 16384);   /* Linux doubles it */
	v = 1;
	CHECK_EQ(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0);
	CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &l), 0);
	CHECK_EQ(v, 1);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL);
	CHECK_ERR(getsockopt(s, SOL_SOCKET, 9999, &v, &l), ENOPROTOOPT);
	CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_TYPE, (void *)8, &l), EFAULT);
	short sh;
	l = sizeof(sh);
	CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_TYPE, &sh, &l), 0);
	CHECK_EQ(l, sizeof(sh));   /* cut to the caller's length */
	struct timeval tv = { 0, 20000 };
	CHECK_EQ(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	l = sizeof(tv);
	CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l), 0);
	CHECK(tv.tv_sec == 0 && tv.tv_usec == 20000, "timeout %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	tv.tv_usec = 2000000;
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), EDOM);
	CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &l), 0);
	CHECK_EQ(v, 0);
}

GTEST(rcvtimeo_ends_a_blocked_recv)
{
	int sv[2];
	char b;
	xsocketpair(SOCK_STREAM, sv);
	struct timeval tv = { 0, 20000 };
	CHECK_EQ(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	CHECK_ERR(read(sv[1], &b, 1), EAGAIN);
}

GTEST(epoll_sees_data_and_hangup)
{
	int sv[2];
	xsocketpair(SOCK_STREAM, sv);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = 7 };
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev), 0);
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		wait_until_asleep(getppid(), getppid());
		write(sv[0], "e", 1);
		_exit(0);
	}
	CHECK_EQ(epoll_wait(ep, &ev, 1, -1), 1);
	CHECK(ev.events & EPOLLIN, "events %#x", ev.events);
	CHECK_EXITED(wait_status(pid), 0);
	char b;
	CHECK_EQ(read(sv[1], &b, 1), 1);
	close(sv[0]);
	CHECK_EQ(epoll_wait(ep, &ev, 1, -1), 1);
	CHECK(ev.events & EPOLLRDHUP && ev.events & EPOLLHUP, "events %#x", ev.events);
}

GTEST(socket_fd_is_a_socket_file)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct stat st;
	CHECK_EQ(fstat(s, &st), 0);
	CHECK(S_ISSOCK(st.st_mode), "mode %o", st.st_mode);
	CHECK(fcntl(s, F_GETFD) & FD_CLOEXEC, "no FD_CLOEXEC");
	char path[64], link[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", s);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0, "readlink: %s", strerror(errno));
	link[n] = 0;
	CHECK(strncmp(link, "socket:[", 8) == 0, "link %s", link);
	char b;
	CHECK_ERR(read(s, &b, 1), EINVAL);   /* an unconnected stream */
	CHECK_ERR(write(s, &b, 1), ENOTCONN);
}

GTEST(argument_errors)
{
	int p[2], sv[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM | 0x100, 0), EINVAL);
	CHECK_ERR(socket(AF_UNIX, 15, 0), EINVAL);
	CHECK_ERR(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
	CHECK_ERR(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, (int *)8), EFAULT);
	CHECK_ERR(listen(p[0], 1), ENOTSOCK);
	CHECK_ERR(listen(999, 1), EBADF);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(listen(s, 1), EINVAL);   /* not bound */
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof(a) + 1), EINVAL);
	CHECK_ERR(bind(s, (struct sockaddr *)8, sizeof(a)), EFAULT);
	a.sun_family = AF_INET;
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	socklen_t l = sizeof(a);
	CHECK_ERR(getpeername(s, (struct sockaddr *)&a, &l), ENOTCONN);
	CHECK_ERR(syscall(SYS_getsockname, s, (void *)8, &l), EFAULT);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(listen(d, 1), EOPNOTSUPP);
	CHECK_ERR(accept(d, NULL, NULL), EOPNOTSUPP);
	xsocketpair(SOCK_DGRAM, sv);
	static char big[300 * 1024];
	CHECK_ERR(send(sv[0], big, sizeof(big), 0), EMSGSIZE);
	CHECK_ERR(send(sv[0], (void *)8, 10, 0), EFAULT);
	CHECK_ERR(send(sv[0], "x", 1, MSG_OOB), EOPNOTSUPP);
}
