/*
 * inet_socket.c - TCP and UDP between processes on loopback (127.0.0.1
 * and ::1), as Linux has them: ephemeral ports and the names getsockname,
 * getpeername, accept and recvfrom report; EADDRINUSE (and SO_REUSEADDR),
 * ECONNREFUSED, EADDRNOTAVAIL; end of file, shutdown and EPIPE on TCP;
 * datagram boundaries, autobind on sendto and the connected filter on
 * UDP; options at the TCP level; argument errors. Aspen has no route
 * beyond loopback (ENETUNREACH): that check is Aspen-only, as the host
 * may well have one. (musl only, one CPU: the AF_UNIX tests, which run on
 * every flavour and two CPUs, cover the machinery underneath.)
 */
#include "gtest.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

static struct sockaddr_in lo4(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int xsock(int family, int type)
{
	int s = socket(family, type, 0);
	CHECK(s >= 0, "socket: %s", strerror(errno));
	return s;
}

/* A TCP listener on 127.0.0.1 at an ephemeral port, returned in *a. */
static int tcp_listener(struct sockaddr_in *a)
{
	int l = xsock(AF_INET, SOCK_STREAM);
	*a = lo4(0);
	CHECK_EQ(bind(l, (struct sockaddr *)a, sizeof(*a)), 0);
	CHECK_EQ(listen(l, 8), 0);
	socklen_t len = sizeof(*a);
	CHECK_EQ(getsockname(l, (struct sockaddr *)a, &len), 0);
	CHECK(ntohs(a->sin_port) != 0, "no port");
	return l;
}

GTEST(tcp_connect_accept_and_names)
{
	struct sockaddr_in la, ca, pa;
	int l = tcp_listener(&la);
	int c = xsock(AF_INET, SOCK_STREAM);
	CHECK(connect(c, (struct sockaddr *)&la, sizeof(la)) == 0, "connect: %s", strerror(errno));
	socklen_t len = sizeof(pa);
	int s = accept(l, (struct sockaddr *)&pa, &len);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	CHECK_EQ(len, sizeof(pa));
	len = sizeof(ca);
	CHECK_EQ(getsockname(c, (struct sockaddr *)&ca, &len), 0);
	CHECK_EQ(ca.sin_addr.s_addr, htonl(INADDR_LOOPBACK));   /* the route's source */
	CHECK(pa.sin_port == ca.sin_port && pa.sin_addr.s_addr == ca.sin_addr.s_addr,
	      "accept says %s:%d", inet_ntoa(pa.sin_addr), ntohs(pa.sin_port));
	len = sizeof(pa);
	CHECK_EQ(getpeername(c, (struct sockaddr *)&pa, &len), 0);
	CHECK_EQ(pa.sin_port, la.sin_port);
	len = sizeof(pa);
	CHECK_EQ(getsockname(s, (struct sockaddr *)&pa, &len), 0);
	CHECK_EQ(pa.sin_port, la.sin_port);
	char buf[16];
	CHECK_EQ(write(c, "ping", 4), 4);
	len = sizeof(pa);
	CHECK_EQ(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&pa, &len), 4);
	CHECK_EQ(len, 0);   /* TCP names no source */
	CHECK_EQ(write(s, "pong!", 5), 5);
	CHECK_EQ(read(c, buf, sizeof(buf)), 5);
	CHECK_EQ(shutdown(c, SHUT_WR), 0);
	CHECK_EQ(read(s, buf, sizeof(buf)), 0);
	close(s);
	CHECK_EQ(read(c, buf, sizeof(buf)), 0);
	close(c);
	close(l);
}

GTEST(tcp_between_processes)
{
	struct sockaddr_in la;
	int l = tcp_listener(&la);
	pid_t pid = xfork();
	if (pid == 0) {
		close(l);
		int c = xsock(AF_INET, SOCK_STREAM);
		CHECK_EQ(connect(c, (struct sockaddr *)&la, sizeof(la)), 0);
		static char big[100000];
		memset(big, 'z', sizeof(big));
		size_t done = 0;
		while (done < sizeof(big)) {
			ssize_t r = write(c, big + done, sizeof(big) - done);
			CHECK(r > 0, "write: %s", strerror(errno));
			done += (size_t)r;
		}
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	static char buf[8192];
	long got = 0;
	ssize_t r;
	while ((r = read(s, buf, sizeof(buf))) > 0)
		got += r;
	CHECK_EQ(r, 0);
	CHECK_EQ(got, 100000);
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(tcp_refused_without_listener)
{
	int b = xsock(AF_INET, SOCK_STREAM);
	struct sockaddr_in a = lo4(0);
	CHECK_EQ(bind(b, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t len = sizeof(a);
	CHECK_EQ(getsockname(b, (struct sockaddr *)&a, &len), 0);
	int c = xsock(AF_INET, SOCK_STREAM);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	char x;
	CHECK_ERR(recv(c, &x, 1, 0), ENOTCONN);
	CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_ERR(shutdown(c, SHUT_RDWR), ENOTCONN);
	len = sizeof(a);
	CHECK_ERR(getpeername(c, (struct sockaddr *)&a, &len), ENOTCONN);
}

GTEST(tcp_addrinuse_and_reuseaddr)
{
	struct sockaddr_in la;
	int l = tcp_listener(&la);
	int t = xsock(AF_INET, SOCK_STREAM), on = 1;
	CHECK_ERR(bind(t, (struct sockaddr *)&la, sizeof(la)), EADDRINUSE);
	struct sockaddr_in any = la;
	any.sin_addr.s_addr = htonl(INADDR_ANY);
	CHECK_ERR(bind(t, (struct sockaddr *)&any, sizeof(any)), EADDRINUSE);
	CHECK_EQ(setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)), 0);
	CHECK_EQ(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)), 0);
	CHECK_ERR(bind(t, (struct sockaddr *)&la, sizeof(la)), EADDRINUSE);   /* l listens */
	/* two unconnected, non-listening sockets with SO_REUSEADDR share a port */
	int u1 = xsock(AF_INET, SOCK_STREAM), u2 = xsock(AF_INET, SOCK_STREAM);
	setsockopt(u1, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	setsockopt(u2, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	struct sockaddr_in a = lo4(0);
	CHECK_EQ(bind(u1, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t len = sizeof(a);
	CHECK_EQ(getsockname(u1, (struct sockaddr *)&a, &len), 0);
	CHECK_EQ(bind(u2, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_ERR(bind(u2, (struct sockaddr *)&a, sizeof(a)), EINVAL);   /* bound already */
}

GTEST(tcp_nonblocking_accept_and_poll)
{
	struct sockaddr_in la;
	int l = tcp_listener(&la);
	CHECK_EQ(fcntl(l, F_SETFL, O_NONBLOCK), 0);
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
	struct pollfd p = { l, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 0), 0);
	int c = xsock(AF_INET, SOCK_STREAM);
	CHECK_EQ(connect(c, (struct sockaddr *)&la, sizeof(la)), 0);
	CHECK_EQ(poll(&p, 1, -1), 1);
	int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	CHECK(s >= 0, "accept4: %s", strerror(errno));
	CHECK(fcntl(s, F_GETFD) & FD_CLOEXEC, "no FD_CLOEXEC");
}

GTEST(tcp_over_ipv6_loopback)
{
	int l = xsock(AF_INET6, SOCK_STREAM);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0, "bind: %s", strerror(errno));
	CHECK_EQ(listen(l, 1), 0);
	socklen_t len = sizeof(a);
	CHECK_EQ(getsockname(l, (struct sockaddr *)&a, &len), 0);
	CHECK_EQ(len, sizeof(a));
	int c = xsock(AF_INET6, SOCK_STREAM);
	CHECK_EQ(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	struct sockaddr_in6 pa;
	len = sizeof(pa);
	int s = accept(l, (struct sockaddr *)&pa, &len);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	CHECK(IN6_IS_ADDR_LOOPBACK(&pa.sin6_addr), "peer is not ::1");
	char buf[4];
	CHECK_EQ(write(s, "v6", 2), 2);
	CHECK_EQ(read(c, buf, sizeof(buf)), 2);
}

GTEST(udp_datagrams_and_addresses)
{
	int r = xsock(AF_INET, SOCK_DGRAM), w = xsock(AF_INET, SOCK_DGRAM);
	struct sockaddr_in ra = lo4(0), from, wa;
	CHECK_EQ(bind(r, (struct sockaddr *)&ra, sizeof(ra)), 0);
	socklen_t len = sizeof(ra);
	CHECK_EQ(getsockname(r, (struct sockaddr *)&ra, &len), 0);
	CHECK_EQ(sendto(w, "first", 5, 0, (struct sockaddr *)&ra, sizeof(ra)), 5);   /* autobinds w */
	CHECK_EQ(sendto(w, "second!", 7, 0, (struct sockaddr *)&ra, sizeof(ra)), 7);
	char buf[16];
	len = sizeof(from);
	CHECK_EQ(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len), 5);
	CHECK_EQ(len, sizeof(from));
	CHECK_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	len = sizeof(wa);
	CHECK_EQ(getsockname(w, (struct sockaddr *)&wa, &len), 0);
	CHECK(wa.sin_port != 0 && wa.sin_port == from.sin_port, "port %d vs %d", ntohs(wa.sin_port),
	      ntohs(from.sin_port));
	CHECK_EQ(wa.sin_addr.s_addr, htonl(INADDR_ANY));
	CHECK_EQ(recv(r, buf, 3, MSG_TRUNC), 7);
	CHECK_ERR(recv(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_ERR(send(w, "x", 1, 0), EDESTADDRREQ);
}

GTEST(udp_connected_socket_filters_senders)
{
	int a = xsock(AF_INET, SOCK_DGRAM), b = xsock(AF_INET, SOCK_DGRAM), c = xsock(AF_INET, SOCK_DGRAM);
	struct sockaddr_in aa = lo4(0), ba = lo4(0);
	socklen_t len = sizeof(aa);
	CHECK_EQ(bind(a, (struct sockaddr *)&aa, sizeof(aa)), 0);
	CHECK_EQ(getsockname(a, (struct sockaddr *)&aa, &len), 0);
	CHECK_EQ(bind(b, (struct sockaddr *)&ba, sizeof(ba)), 0);
	len = sizeof(ba);
	CHECK_EQ(getsockname(b, (struct sockaddr *)&ba, &len), 0);
	CHECK_EQ(connect(a, (struct sockaddr *)&ba, sizeof(ba)), 0);
	CHECK_EQ(sendto(c, "no", 2, 0, (struct sockaddr *)&aa, sizeof(aa)), 2);   /* filtered */
	CHECK_EQ(sendto(b, "yes", 3, 0, (struct sockaddr *)&aa, sizeof(aa)), 3);
	char buf[8];
	CHECK_EQ(recv(a, buf, sizeof(buf), 0), 3);
	CHECK_ERR(recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_EQ(send(a, "back", 4, 0), 4);
	CHECK_EQ(recv(b, buf, sizeof(buf), 0), 4);
	struct sockaddr_in pa;
	len = sizeof(pa);
	CHECK_EQ(getpeername(a, (struct sockaddr *)&pa, &len), 0);
	CHECK_EQ(pa.sin_port, ba.sin_port);
}

GTEST(options_and_errors)
{
	int t = xsock(AF_INET, SOCK_STREAM), v;
	socklen_t len = sizeof(v);
	CHECK_EQ(getsockopt(t, SOL_SOCKET, SO_PROTOCOL, &v, &len), 0);
	CHECK_EQ(v, IPPROTO_TCP);
	v = 1;
	CHECK_EQ(setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)), 0);
	v = 0;
	CHECK_EQ(getsockopt(t, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
	CHECK_EQ(v, 1);
	int sv[2];
	CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
	struct sockaddr_in a = lo4(0);
	CHECK_ERR(bind(t, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL);
	a.sin_family = AF_INET6;
	CHECK_ERR(bind(t, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a = lo4(0);
	a.sin_addr.s_addr = inet_addr("192.0.2.7");   /* TEST-NET-1: nobody's */
	CHECK_ERR(bind(t, (struct sockaddr *)&a, sizeof(a)), EADDRNOTAVAIL);
	struct sockaddr_in n;
	len = sizeof(n);
	CHECK_EQ(getsockname(t, (struct sockaddr *)&n, &len), 0);   /* unbound: zeros */
	CHECK(len == sizeof(n) && n.sin_port == 0 && n.sin_addr.s_addr == 0, "unbound name");
	if (on_aspen()) {   /* the host may have a route there */
		int u = xsock(AF_INET, SOCK_DGRAM);
		CHECK_ERR(connect(u, (struct sockaddr *)&a, sizeof(a)), ENETUNREACH);
		CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)), ENETUNREACH);
	}
}

/* busybox's nc, an unmodified Linux program, talks to a listener here. */
GTEST(busybox_nc_sends_over_loopback)
{
	struct sockaddr_in la;
	int l = tcp_listener(&la);
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "echo hello | /bin/busybox nc 127.0.0.1 %d", ntohs(la.sin_port));
	pid_t pid = xfork();
	if (pid == 0) {
		close(l);
		execl("/bin/busybox", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	char buf[16];
	size_t got = 0;
	while (got < 6) {
		ssize_t r = read(s, buf + got, sizeof(buf) - got);
		CHECK(r > 0, "read: %zd %s", r, strerror(errno));
		got += (size_t)r;
	}
	CHECK(memcmp(buf, "hello\n", 6) == 0, "read %.6s", buf);
	close(s);
	CHECK_EXITED(wait_status(pid), 0);
}
