/*
 * uapi.h - the socket ABI: Linux's numbers and layouts. The installed
 * UAPI headers give the SO_* options and sockaddr_un; what only libc's
 * headers define (struct msghdr, cmsghdr, ucred, the SOCK_* types, the
 * MSG_* flags) is written here with Linux's values.
 */
#ifndef ASPEN_NET_UAPI_H
#define ASPEN_NET_UAPI_H
#include "lib/kernel.h"
#include <linux/socket.h>
#include <linux/un.h>
#include <asm/socket.h>
#include <linux/uio.h>

#define AF_UNSPEC 0
#define AF_UNIX   1
#define AF_INET   2
#define AF_INET6  10
#define AF_MAX    46                 /* Linux's NPROTO */

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_RAW       3
#define SOCK_RDM       4
#define SOCK_SEQPACKET 5
#define SOCK_MAX       11
#define SOCK_TYPE_MASK 0xf
#define SOCK_CLOEXEC   02000000      /* O_CLOEXEC */
#define SOCK_NONBLOCK  04000         /* O_NONBLOCK */

#define SOL_SOCKET 1

#define SHUT_RD   0
#define SHUT_WR   1
#define SHUT_RDWR 2

#define MSG_OOB          0x1
#define MSG_PEEK         0x2
#define MSG_DONTROUTE    0x4
#define MSG_CTRUNC       0x8
#define MSG_TRUNC        0x20
#define MSG_DONTWAIT     0x40
#define MSG_EOR          0x80
#define MSG_WAITALL      0x100
#define MSG_NOSIGNAL     0x4000
#define MSG_MORE         0x8000
#define MSG_WAITFORONE   0x10000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SCM_RIGHTS      1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD      253          /* descriptors in one SCM_RIGHTS */

#define SOMAXCONN 4096               /* net.core.somaxconn */

typedef uint32_t socklen_t;

struct sockaddr {
	uint16_t sa_family;
	char sa_data[14];
};

struct sockaddr_storage {
	uint16_t ss_family;
	char data[126];
} __attribute__((aligned(8)));

struct msghdr {
	void *msg_name;
	socklen_t msg_namelen;
	struct iovec *msg_iov;
	size_t msg_iovlen;
	void *msg_control;
	size_t msg_controllen;
	int msg_flags;
};

struct mmsghdr {
	struct msghdr msg_hdr;
	unsigned int msg_len;
};

struct cmsghdr {
	size_t cmsg_len;
	int cmsg_level;
	int cmsg_type;
};

#define CMSG_ALIGN(len) (((len) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))
#define CMSG_SPACE(len) (sizeof(struct cmsghdr) + CMSG_ALIGN(len))
#define CMSG_LEN(len)   (sizeof(struct cmsghdr) + (len))

struct ucred {
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
};

struct linger {
	int l_onoff;
	int l_linger;
};

/* SO_RCVTIMEO_OLD's struct timeval on x86-64. */
struct sock_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};
#endif
