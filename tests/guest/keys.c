/* keys.c - the key retention service as Linux: add_key, request_key and
 * keyctl on "user" keys and keyrings; the special keyrings (thread and
 * process made on demand and dropped by exec, the session keyring
 * inherited by fork, joined anonymous or by name; the user keyrings);
 * descriptions, reads, updates, revocation, invalidation, timeouts,
 * links, searches, permissions for possessor, user, group and other,
 * and the non-root quota. Every test first joins a new session keyring
 * of its own, which goes when its child exits. Natively it needs a
 * kernel with keys (a container's seccomp may refuse them: then it
 * skips, saying so). */
#include "gtest.h"
#include <grp.h>
#include <pthread.h>
#include <linux/keyctl.h>

#define POS_ALL 0x3f000000u
#define USR_VIEW 0x00010000u
#define DEF_PERM 0x3f010000u   /* a new key's: possessor all, owner view */
#define TEST_UID 4321
#define TEST_GID 4322

static long keyctl(int op, unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
	return syscall(SYS_keyctl, op, a, b, c, d);
}

static long add_key(const char *type, const char *desc, const void *p, size_t n, long ring)
{
	return syscall(SYS_add_key, type, desc, p, n, ring);
}

static long request_key(const char *type, const char *desc, const char *callout, long dest)
{
	return syscall(SYS_request_key, type, desc, callout, dest);
}

static long ring_id(long spec, int create)
{
	return keyctl(KEYCTL_GET_KEYRING_ID, spec, create, 0, 0);
}

/* new_session - join a new anonymous session keyring (skip when the
 * kernel or a sandbox refuses keys); its serial. */
static long new_session(void)
{
	long r = keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
	if (r < 0 && (errno == ENOSYS || errno == EPERM || errno == EACCES))
		SKIP("keyctl refused here: %s (no keys, or seccomp)", strerror(errno));
	CHECK(r > 0, "join session: %s", strerror(errno));
	return r;
}

/* describe - KEYCTL_DESCRIBE into buf; its length with the NUL. */
static long describe(long id, char *buf, size_t size)
{
	return keyctl(KEYCTL_DESCRIBE, id, (unsigned long)buf, size, 0);
}

static void check_describe(long id, const char *want)
{
	char buf[256];
	long n = describe(id, buf, sizeof(buf));
	CHECK(n > 0, "describe %ld: %s", id, strerror(errno));
	CHECK_EQ(n, (long)strlen(want) + 1);
	CHECK(strcmp(buf, want) == 0, "describe: \"%s\", expected \"%s\"", buf, want);
}

/* ring_holds - the keyring's serials (KEYCTL_READ) include id. */
static bool ring_holds(long ring, long id)
{
	int32_t ids[64];
	long n = keyctl(KEYCTL_READ, ring, (unsigned long)ids, sizeof(ids), 0);
	CHECK(n >= 0 && n % 4 == 0 && n <= (long)sizeof(ids), "read keyring: %ld %s", n, strerror(errno));
	for (long i = 0; i < n / 4; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* gone_soon - op on id fails with ENOKEY within 5 s: Linux frees a key
 * whose last link went after an RCU grace period, and unlinks an
 * invalidated one in its garbage collector; Aspen at once. */
static bool gone_soon(int op, long id)
{
	char buf[64];
	for (int i = 0; i < 500; i++) {
		errno = 0;
		if (keyctl(op, id, (unsigned long)buf, sizeof(buf), 0) == -1 && errno == ENOKEY)
			return true;
		if (on_aspen())
			return false;
		usleep(10000);
	}
	return false;
}

GTEST(user_key_added_described_and_read)
{
	long s = new_session();
	long k = add_key("user", "gtest:a", "hello world", 11, KEY_SPEC_SESSION_KEYRING);
	CHECK(k > 0, "add_key: %s", strerror(errno));
	char want[128], buf[64];
	snprintf(want, sizeof(want), "user;%d;%d;%08x;gtest:a", geteuid(), getegid(), DEF_PERM);
	check_describe(k, want);
	CHECK_EQ(keyctl(KEYCTL_READ, k, 0, 0, 0), 11);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), 11);
	CHECK(memcmp(buf, "hello world", 11) == 0 && buf[11] == 'x');
	/* A buffer too small gets nothing, only the length (Linux 5.8 on). */
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(keyctl(KEYCTL_READ, k, (unsigned long)buf, 4, 0), 11);
	CHECK_EQ(buf[0], 'x');
	CHECK_EQ(describe(k, buf, 4), (long)strlen(want) + 1);
	CHECK_EQ(buf[0], 'x');
	CHECK(ring_holds(s, k));
	CHECK_EQ(ring_id(KEY_SPEC_SESSION_KEYRING, 0), s);
}

GTEST(add_key_same_description_updates_in_place)
{
	long s = new_session();
	long k = add_key("user", "gtest:u", "one", 3, s);
	CHECK(k > 0);
	CHECK_EQ(keyctl(KEYCTL_SET_TIMEOUT, k, 1000, 0, 0), 0);
	CHECK_EQ(add_key("user", "gtest:u", "second", 6, s), k);
	char buf[16];
	CHECK_EQ(keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), 6);
	CHECK(memcmp(buf, "second", 6) == 0);
	CHECK_EQ(keyctl(KEYCTL_READ, s, 0, 0, 0), 4);   /* still one link */
	CHECK_EQ(keyctl(KEYCTL_UPDATE, k, (unsigned long)"third!!", 7, 0), 0);
	CHECK_EQ(keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), 7);
	CHECK_ERR(keyctl(KEYCTL_UPDATE, k, (unsigned long)"x", 0, 0), EINVAL);
	CHECK_ERR(keyctl(KEYCTL_UPDATE, k, 8, 3, 0), EFAULT);
	CHECK_ERR(keyctl(KEYCTL_UPDATE, s, (unsigned long)"x", 1, 0), EOPNOTSUPP);
	/* Another keyring of the same name replaces the link. */
	long r1 = add_key("keyring", "gtest:r", NULL, 0, s), r2 = add_key("keyring", "gtest:r", NULL, 0, s);
	CHECK(r1 > 0 && r2 > 0 && r1 != r2);
	CHECK(!ring_holds(s, r1) && ring_holds(s, r2));
	CHECK(gone_soon(KEYCTL_DESCRIBE, r1));   /* freed with its last link */
}

GTEST(add_key_bad_arguments_as_linux)
{
	static char big[40000];
	long s = new_session();
	long k = add_key("user", "gtest:k", "v", 1, s);
	CHECK(k > 0);
	CHECK_ERR(add_key("nosuchtype", "d", "v", 1, s), ENODEV);
	CHECK_ERR(add_key(".user", "d", "v", 1, s), EPERM);
	CHECK_ERR(add_key("", "d", "v", 1, s), EINVAL);
	CHECK_ERR(add_key("user", "", "v", 1, s), EINVAL);
	CHECK_ERR(add_key("user", NULL, "v", 1, s), EINVAL);
	CHECK_ERR(add_key("user", "d", "v", 0, s), EINVAL);
	CHECK_ERR(add_key("user", "d", big, 32768, s), EINVAL);
	CHECK_ERR(add_key("user", "d", big, 1024 * 1024, s), EINVAL);
	CHECK_ERR(add_key("keyring", "d", "v", 1, s), EINVAL);
	CHECK_ERR(add_key("keyring", ".d", NULL, 0, s), EPERM);
	CHECK_ERR(add_key("user", "d", "v", 1, k), ENOTDIR);
	CHECK_ERR(add_key("user", "d", "v", 1, 0), EINVAL);
	CHECK_ERR(add_key("user", "d", "v", 1, 1), ENOKEY);       /* serials start at 3 */
	CHECK_ERR(add_key("user", "d", "v", 1, KEY_SPEC_GROUP_KEYRING), EINVAL);
	CHECK_ERR(add_key("user", "d", "v", 1, KEY_SPEC_REQKEY_AUTH_KEY), ENOKEY);
	CHECK_ERR(add_key("user", "d", "v", 1, -9), EINVAL);
	CHECK_ERR(add_key((char *)8, "d", "v", 1, s), EFAULT);
	CHECK_ERR(add_key("user", (char *)8, "v", 1, s), EFAULT);
	CHECK_ERR(add_key("user", "d", (char *)8, 1, s), EFAULT);
	CHECK_ERR(add_key("user", "d", (char *)8, 40000, s), EFAULT);
	memset(big, 'd', 5000);
	CHECK_ERR(add_key("user", big, "v", 1, s), EINVAL);      /* description past 4095 */
	CHECK_EQ(add_key("user", "d", big, 32767, s) > 0, 1);
	CHECK_ERR(keyctl(999, 0, 0, 0, 0), EOPNOTSUPP);
	CHECK_ERR(keyctl(KEYCTL_DESCRIBE, k, 8, 100, 0), EFAULT);
	CHECK_ERR(keyctl(KEYCTL_READ, k, 8, 100, 0), EFAULT);
	CHECK_ERR(describe(0, big, 100), EINVAL);
	CHECK_ERR(keyctl(KEYCTL_READ, 0, (unsigned long)big, 100, 0), ENOKEY);
	CHECK_ERR(keyctl(KEYCTL_SETPERM, k, 0x40000000, 0, 0), EINVAL);
	CHECK_EQ(keyctl(KEYCTL_CHOWN, 1, -1, -1, 0), 0);          /* nothing to change: no lookup */
}

GTEST(thread_and_process_keyrings_made_on_demand)
{
	new_session();
	char want[64];
	CHECK_ERR(ring_id(KEY_SPEC_THREAD_KEYRING, 0), ENOKEY);
	CHECK_ERR(ring_id(KEY_SPEC_PROCESS_KEYRING, 0), ENOKEY);
	CHECK_ERR(add_key("user", "d", "v", 1, 0), EINVAL);
	long t = ring_id(KEY_SPEC_THREAD_KEYRING, 1), p = ring_id(KEY_SPEC_PROCESS_KEYRING, 1);
	CHECK(t > 0 && p > 0 && t != p);
	CHECK_EQ(ring_id(KEY_SPEC_THREAD_KEYRING, 0), t);
	CHECK_EQ(ring_id(KEY_SPEC_PROCESS_KEYRING, 0), p);
	snprintf(want, sizeof(want), "keyring;%d;%d;%08x;_tid", getuid(), getgid(), POS_ALL | USR_VIEW);
	check_describe(t, want);
	snprintf(want, sizeof(want), "keyring;%d;%d;%08x;_pid", getuid(), getgid(), POS_ALL | USR_VIEW);
	check_describe(p, want);
	/* add_key makes them too. */
	long k = add_key("user", "gtest:t", "v", 1, KEY_SPEC_THREAD_KEYRING);
	CHECK(ring_holds(t, k));
	/* A child process has neither; it shares the session. */
	pid_t pid = fork();
	if (pid == 0) {
		_exit(ring_id(KEY_SPEC_THREAD_KEYRING, 0) == -1 && errno == ENOKEY &&
		      ring_id(KEY_SPEC_PROCESS_KEYRING, 0) == -1 && errno == ENOKEY &&
		      request_key("user", "gtest:t", NULL, 0) == -1 && errno == ENOKEY ? 0 : 1);
	}
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
}

static long thread_result[3];

static void *thread_probe(void *arg)
{
	thread_result[0] = ring_id(KEY_SPEC_THREAD_KEYRING, 0);
	thread_result[1] = ring_id(KEY_SPEC_PROCESS_KEYRING, 0);
	thread_result[2] = ring_id(KEY_SPEC_SESSION_KEYRING, 0);
	return arg;
}

/* A new thread shares the process and session keyrings; it gets a new
 * thread keyring of its own when its creator has one (Linux's copy_creds). */
GTEST(threads_share_the_process_keyring_not_the_thread_keyring)
{
	long s = new_session();
	long t = ring_id(KEY_SPEC_THREAD_KEYRING, 1), p = ring_id(KEY_SPEC_PROCESS_KEYRING, 1);
	CHECK(t > 0 && p > 0);
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, thread_probe, NULL), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK(thread_result[0] > 0 && thread_result[0] != t, "thread keyring %ld (creator's %ld)", thread_result[0], t);
	CHECK_EQ(thread_result[1], p);
	CHECK_EQ(thread_result[2], s);
}

GTEST(session_keyring_joined_and_inherited_by_fork)
{
	long s = new_session();
	char want[96];
	snprintf(want, sizeof(want), "keyring;%d;%d;%08x;_ses", getuid(), getgid(), POS_ALL | USR_VIEW | 0x20000);
	check_describe(s, want);
	long k = add_key("user", "gtest:s", "v", 1, KEY_SPEC_SESSION_KEYRING);
	pid_t pid = fork();
	if (pid == 0)
		_exit(ring_id(KEY_SPEC_SESSION_KEYRING, 0) == s && request_key("user", "gtest:s", NULL, 0) == k ? 0 : 1);
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
	/* A named one: made when no keyring of that name may be searched. */
	long n1 = keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)"gtest-named", 0, 0, 0);
	CHECK(n1 > 0 && n1 != s);
	CHECK_EQ(ring_id(KEY_SPEC_SESSION_KEYRING, 0), n1);
	snprintf(want, sizeof(want), "keyring;%d;%d;%08x;gtest-named", getuid(), getgid(), POS_ALL | 0x130000);
	check_describe(n1, want);
	CHECK_ERR(request_key("user", "gtest:s", NULL, 0), ENOKEY);   /* the old session is not searched */
	/* Searchable by its owner, joining it again is "already there": 0. */
	CHECK_EQ(keyctl(KEYCTL_SETPERM, n1, POS_ALL | 0x3f0000, 0, 0), 0);
	CHECK_EQ(keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)"gtest-named", 0, 0, 0), 0);
	CHECK_ERR(keyctl(KEYCTL_JOIN_SESSION_KEYRING, 8, 0, 0, 0), EFAULT);
	/* With create, a missing session keyring is a new anonymous one. */
	CHECK(ring_id(KEY_SPEC_SESSION_KEYRING, 1) == n1);
}

GTEST(user_keyrings_belong_to_the_uid)
{
	new_session();
	long u = ring_id(KEY_SPEC_USER_KEYRING, 0), us = ring_id(KEY_SPEC_USER_SESSION_KEYRING, 0);
	CHECK(u > 0 && us > 0 && u != us);
	char want[96];
	snprintf(want, sizeof(want), "keyring;%d;65534;1f3f0000;_uid.%d", getuid(), getuid());
	check_describe(u, want);
	snprintf(want, sizeof(want), "keyring;%d;65534;1f3f0000;_uid_ses.%d", getuid(), getuid());
	check_describe(us, want);
	CHECK(ring_holds(us, u));
	CHECK_EQ(ring_id(KEY_SPEC_USER_KEYRING, 1), u);
}

GTEST(request_key_searches_the_callers_keyrings)
{
	long s = new_session();
	long inner = add_key("keyring", "gtest:inner", NULL, 0, s);
	long k = add_key("user", "gtest:deep", "v", 1, inner);
	CHECK(inner > 0 && k > 0);
	CHECK_EQ(request_key("user", "gtest:deep", NULL, 0), k);
	CHECK_ERR(request_key("user", "gtest:none", NULL, 0), ENOKEY);
	CHECK_ERR(request_key("nosuchtype", "gtest:deep", NULL, 0), ENOKEY);
	CHECK_ERR(request_key(".user", "gtest:deep", NULL, 0), EPERM);
	CHECK_ERR(request_key("user", (char *)8, NULL, 0), EFAULT);
	/* No /sbin/request-key: the upcall fails (ENOENT on this Debian). */
	errno = 0;
	CHECK_EQ(request_key("user", "gtest:none2", "callout", 0), -1);
	CHECK(errno == ENOENT || errno == ENOKEY, "errno %s", strerror(errno));
	/* Found, it is linked into the destination. */
	long dest = add_key("keyring", "gtest:dest", NULL, 0, s);
	CHECK_EQ(request_key("user", "gtest:deep", NULL, dest), k);
	CHECK(ring_holds(dest, k));
	/* A nested keyring the caller may not search hides its keys. */
	CHECK_EQ(keyctl(KEYCTL_SETPERM, inner, 0x37000000, 0, 0), 0);
	CHECK_EQ(keyctl(KEYCTL_SEARCH, s, (unsigned long)"user", (unsigned long)"gtest:deep", 0), k);
	CHECK_EQ(keyctl(KEYCTL_UNLINK, k, dest, 0, 0), 0);
	CHECK_ERR(keyctl(KEYCTL_SEARCH, s, (unsigned long)"user", (unsigned long)"gtest:deep", 0), ENOKEY);
}

GTEST(keyctl_search_link_unlink_clear)
{
	long s = new_session();
	long a = add_key("keyring", "gtest:A", NULL, 0, s), b = add_key("keyring", "gtest:B", NULL, 0, s);
	long k = add_key("user", "gtest:x", "v", 1, b);
	CHECK(a > 0 && b > 0 && k > 0);
	CHECK_EQ(keyctl(KEYCTL_LINK, b, a, 0, 0), 0);
	CHECK_ERR(keyctl(KEYCTL_LINK, a, b, 0, 0), EDEADLK);
	CHECK_ERR(keyctl(KEYCTL_LINK, a, a, 0, 0), EDEADLK);
	CHECK_ERR(keyctl(KEYCTL_LINK, a, k, 0, 0), ENOTDIR);
	CHECK_EQ(keyctl(KEYCTL_SEARCH, a, (unsigned long)"user", (unsigned long)"gtest:x", 0), k);
	CHECK_ERR(keyctl(KEYCTL_SEARCH, a, (unsigned long)"user", (unsigned long)"gtest:y", 0), ENOKEY);
	CHECK_ERR(keyctl(KEYCTL_SEARCH, a, (unsigned long)"nosuchtype", (unsigned long)"gtest:x", 0), ENOKEY);
	CHECK_EQ(keyctl(KEYCTL_SEARCH, b, (unsigned long)"user", (unsigned long)"gtest:x", a), k);
	CHECK(ring_holds(a, k));
	CHECK_ERR(keyctl(KEYCTL_UNLINK, k, s, 0, 0), ENOENT);
	CHECK_ERR(keyctl(KEYCTL_UNLINK, k, k, 0, 0), ENOTDIR);
	CHECK_EQ(keyctl(KEYCTL_UNLINK, k, a, 0, 0), 0);
	CHECK(!ring_holds(a, k));
	int32_t ids[4];
	CHECK_ERR(keyctl(KEYCTL_READ, a, (unsigned long)ids, 3, 0), EINVAL);
	CHECK_EQ(keyctl(KEYCTL_CLEAR, b, 0, 0, 0), 0);
	CHECK_EQ(keyctl(KEYCTL_READ, b, 0, 0, 0), 0);
	CHECK(gone_soon(KEYCTL_DESCRIBE, k));   /* its last link went */
	CHECK_ERR(keyctl(KEYCTL_CLEAR, add_key("user", "gtest:z", "v", 1, s), 0, 0, 0), ENOTDIR);
}

GTEST(revoked_key_refuses_all_but_unlink)
{
	long s = new_session();
	long k = add_key("user", "gtest:r", "v", 1, s);
	char buf[64];
	CHECK_EQ(keyctl(KEYCTL_REVOKE, k, 0, 0, 0), 0);
	CHECK_ERR(keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), EKEYREVOKED);
	CHECK_ERR(describe(k, buf, sizeof(buf)), EKEYREVOKED);
	CHECK_ERR(keyctl(KEYCTL_UPDATE, k, (unsigned long)"x", 1, 0), EKEYREVOKED);
	CHECK_ERR(keyctl(KEYCTL_SETPERM, k, DEF_PERM, 0, 0), EKEYREVOKED);
	CHECK_ERR(keyctl(KEYCTL_SEARCH, s, (unsigned long)"user", (unsigned long)"gtest:r", 0), EKEYREVOKED);
	CHECK_ERR(request_key("user", "gtest:r", NULL, 0), EKEYREVOKED);
	long k2 = add_key("user", "gtest:r", "w", 1, s);   /* a new key, not an update */
	CHECK(k2 > 0 && k2 != k);
	CHECK_EQ(keyctl(KEYCTL_REVOKE, k2, 0, 0, 0), 0);
	CHECK_EQ(keyctl(KEYCTL_UNLINK, k2, s, 0, 0), 0);
	CHECK(!ring_holds(s, k2));
}

GTEST(invalidated_key_is_gone)
{
	long s = new_session();
	long k = add_key("user", "gtest:i", "v", 1, s);
	char buf[64];
	CHECK_EQ(keyctl(KEYCTL_INVALIDATE, k, 0, 0, 0), 0);
	CHECK_ERR(describe(k, buf, sizeof(buf)), ENOKEY);
	CHECK(gone_soon(KEYCTL_READ, k));
}

GTEST_SLOW(timeout_expires_the_key, 40)
{
	long s = new_session();
	long k = add_key("user", "gtest:t", "v", 1, s), k2 = add_key("user", "gtest:t2", "v", 1, s);
	char buf[64];
	CHECK_EQ(keyctl(KEYCTL_SET_TIMEOUT, k, 1, 0, 0), 0);
	CHECK_EQ(keyctl(KEYCTL_SET_TIMEOUT, k2, 1, 0, 0), 0);
	CHECK_EQ(keyctl(KEYCTL_SET_TIMEOUT, k2, 0, 0, 0), 0);      /* 0: never */
	struct timespec t0, t;
	clock_gettime(CLOCK_REALTIME, &t0);
	long r;
	do {   /* expiry is whole seconds of the real-time clock: at most 2 s */
		usleep(100000);
		r = keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0);
		clock_gettime(CLOCK_REALTIME, &t);
	} while (r == 1 && t.tv_sec - t0.tv_sec < 20);
	CHECK_ERR(keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), EKEYEXPIRED);
	CHECK_ERR(describe(k, buf, sizeof(buf)), EKEYEXPIRED);
	CHECK_ERR(keyctl(KEYCTL_SEARCH, s, (unsigned long)"user", (unsigned long)"gtest:t", 0), EKEYEXPIRED);
	CHECK_ERR(request_key("user", "gtest:t", NULL, 0), ENOKEY);   /* it skips expired keys */
	CHECK_EQ(keyctl(KEYCTL_READ, k2, (unsigned long)buf, sizeof(buf), 0), 1);
	/* add_key updates an expired key, and an update makes it permanent. */
	CHECK_EQ(add_key("user", "gtest:t", "w", 1, s), k);
	CHECK_EQ(keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), 1);
	CHECK_EQ(buf[0], 'w');
}

/* as_other - in a child: a new session (so nothing of the test's is
 * possessed), then uid and gid; 0 or -1. */
static int as_other(uid_t uid, gid_t gid)
{
	if (keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) < 0)
		return -1;
	return setgroups(0, NULL) || setgid(gid) || setuid(uid) ? -1 : 0;
}

GTEST(permissions_possessor_owner_group_other)
{
	long s = new_session();
	long k = add_key("user", "gtest:p", "v", 1, s);
	char buf[64];
	/* Possessor view only: no search, so not even possessed for read. */
	CHECK_EQ(keyctl(KEYCTL_SETPERM, k, 0x01010000, 0, 0), 0);
	CHECK_ERR(keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), EACCES);
	CHECK_ERR(keyctl(KEYCTL_UPDATE, k, (unsigned long)"x", 1, 0), EACCES);
	CHECK_ERR(add_key("user", "gtest:p", "w", 1, s), EACCES);
	CHECK_ERR(keyctl(KEYCTL_SEARCH, s, (unsigned long)"user", (unsigned long)"gtest:p", 0), EACCES);
	CHECK_ERR(keyctl(KEYCTL_SETPERM, k, DEF_PERM, 0, 0), EACCES);     /* no SETATTR */
	CHECK_ERR(keyctl(KEYCTL_CHOWN, k, 1000, -1, 0), EACCES);
	CHECK_ERR(keyctl(KEYCTL_REVOKE, k, 0, 0, 0), EACCES);
	CHECK_EQ(describe(k, buf, sizeof(buf)) > 0, 1);
	/* Another user, who does not possess it: owner, group and other bits. */
	long o = add_key("user", "gtest:o", "v", 1, s);
	CHECK_EQ(keyctl(KEYCTL_CHOWN, o, 0, TEST_GID, 0), 0);
	CHECK_EQ(keyctl(KEYCTL_SETPERM, o, POS_ALL | 0x3f0000 | 0x0100, 0, 0), 0);   /* group: view */
	char b[64];
	pid_t pid = fork();
	if (pid == 0) {
		if (as_other(TEST_UID, TEST_GID))
			_exit(10);
		if (describe(o, b, sizeof(b)) <= 0)
			_exit(11);     /* group view */
		_exit(keyctl(KEYCTL_READ, o, (unsigned long)b, sizeof(b), 0) == -1 && errno == EACCES ? 0 : 12);
	}
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
	pid = fork();
	if (pid == 0)   /* in no group of the key's: other, nothing */
		_exit(as_other(TEST_UID, TEST_GID + 1) ? 10 : describe(o, b, sizeof(b)) == -1 && errno == EACCES ? 0 : 11);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
	CHECK_EQ(keyctl(KEYCTL_CHOWN, o, TEST_UID, -1, 0), 0);      /* root may */
	snprintf(buf, sizeof(buf), "user;%d;%d;%08x;gtest:o", TEST_UID, TEST_GID, POS_ALL | 0x3f0100);
	check_describe(o, buf);
	pid = fork();
	if (pid == 0) {
		if (as_other(TEST_UID, TEST_GID + 1))
			_exit(10);
		if (keyctl(KEYCTL_READ, o, (unsigned long)b, sizeof(b), 0) != 1)
			_exit(11);     /* owner: read */
		if (keyctl(KEYCTL_CHOWN, o, 0, -1, 0) != -1 || errno != EACCES)
			_exit(12);     /* not to another owner */
		if (keyctl(KEYCTL_SETPERM, o, POS_ALL, 0, 0) != 0)
			_exit(13);     /* the owner sets them */
		_exit(describe(o, b, sizeof(b)) == -1 && errno == EACCES ? 0 : 14);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
	CHECK_EQ(describe(o, buf, sizeof(buf)) > 0, 1);   /* root possesses it */
}

GTEST(quota_limits_a_users_bytes)
{
	static char big[32767];
	new_session();
	FILE *f = fopen("/proc/sys/kernel/keys/maxbytes", "r");
	int maxbytes = 20000;
	if (f && (fscanf(f, "%d", &maxbytes) != 1 || maxbytes != 20000))
		SKIP("kernel.keys.maxbytes is not Linux's default 20000");
	if (f)
		fclose(f);
	pid_t pid = fork();
	if (pid == 0) {
		if (keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) < 0 || setuid(TEST_UID))
			_exit(10);
		if (add_key("user", "gtest:q1", big, sizeof(big), KEY_SPEC_SESSION_KEYRING) != -1 || errno != EDQUOT)
			_exit(11);
		if (add_key("user", "gtest:q2", big, 12000, KEY_SPEC_SESSION_KEYRING) <= 0)
			_exit(12);
		if (add_key("user", "gtest:q3", big, 12000, KEY_SPEC_SESSION_KEYRING) != -1 || errno != EDQUOT)
			_exit(13);
		long k = request_key("user", "gtest:q2", NULL, 0);
		if (keyctl(KEYCTL_UPDATE, k, (unsigned long)big, 4096, 0) != 0)
			_exit(14);
		if (add_key("user", "gtest:q3", big, 12000, KEY_SPEC_SESSION_KEYRING) <= 0)
			_exit(15);     /* room again */
		_exit(0);
	}
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
}

/* In the program exec'd by exec_drops_thread_and_process_keyrings. */
__attribute__((constructor)) static void keys_exec_helper(void)
{
	const char *want = getenv("KEYS_HELPER_SESSION");
	if (!want)
		return;
	if (ring_id(KEY_SPEC_THREAD_KEYRING, 0) != -1 || errno != ENOKEY)
		_exit(21);
	if (ring_id(KEY_SPEC_PROCESS_KEYRING, 0) != -1 || errno != ENOKEY)
		_exit(22);
	_exit(ring_id(KEY_SPEC_SESSION_KEYRING, 0) == atol(want) ? 0 : 23);
}

GTEST(exec_drops_thread_and_process_keyrings)
{
	long s = new_session();
	if (gtest_argv[0][0] != '/')
		SKIP("run with a relative argv[0]");
	char env[64];
	snprintf(env, sizeof(env), "KEYS_HELPER_SESSION=%ld", s);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { gtest_argv[0], NULL }, *envp[] = { env, NULL };
		if (ring_id(KEY_SPEC_THREAD_KEYRING, 1) <= 0 || ring_id(KEY_SPEC_PROCESS_KEYRING, 1) <= 0)
			_exit(19);
		execve(gtest_argv[0], argv, envp);
		_exit(20);
	}
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
}

GTEST(persistent_keyrings_as_configured)
{
	new_session();
	long r = keyctl(KEYCTL_GET_PERSISTENT, -1, KEY_SPEC_SESSION_KEYRING, 0, 0);
	if (on_aspen())
		CHECK(r == -1 && errno == EOPNOTSUPP, "Aspen has no persistent keyrings: %ld", r);
	else
		CHECK(r > 0 || errno == EOPNOTSUPP, "%s", strerror(errno));
}

/* proc_keys_line - the /proc/keys line of key id into line; false if none. */
static bool proc_keys_line(long id, char *line, size_t size)
{
	FILE *f = fopen("/proc/keys", "r");
	CHECK(f != NULL, "/proc/keys: %s", strerror(errno));
	char want[16];
	snprintf(want, sizeof(want), "%08lx ", id);
	bool found = false;
	while (!found && fgets(line, (int)size, f))
		found = strncmp(line, want, 9) == 0;
	fclose(f);
	return found;
}

GTEST(proc_keys_lists_what_the_reader_may_view)
{
	long s = new_session();
	long k = add_key("user", "gtest:pk", "hello", 5, s);
	char line[256], want[256];
	CHECK(proc_keys_line(k, line, sizeof(line)), "key %lx not in /proc/keys", k);
	snprintf(want, sizeof(want), "%08lx I--Q---     1 perm 3f010000 %5d %5d user      gtest:pk: 5\n",
		 k, geteuid(), getegid());
	CHECK(strcmp(line, want) == 0, "\"%s\", expected \"%s\"", line, want);
	CHECK(proc_keys_line(s, line, sizeof(line)));
	CHECK(strstr(line, " keyring   _ses: 1\n") != NULL, "%s", line);
	CHECK_EQ(keyctl(KEYCTL_SET_TIMEOUT, k, 100, 0, 0), 0);
	CHECK(proc_keys_line(k, line, sizeof(line)));
	CHECK(strstr(line, " 1m 3f010000 ") != NULL || strstr(line, " 99s 3f010000 ") != NULL, "%s", line);
	/* Another user sees nothing of it (possessor view only). */
	pid_t pid = fork();
	if (pid == 0)
		_exit(as_other(TEST_UID, TEST_GID) ? 10 : proc_keys_line(k, line, sizeof(line)) ? 11 : 0);
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
}
