/*
 * sysv_msg.c - System V message queues: messages come back in order or
 * selected by type (exact, any but, lowest up to), a too small buffer
 * is E2BIG unless MSG_NOERROR cuts the message, MSG_COPY peeks by
 * position, senders wait for room and receivers for a message (or fail
 * at once with IPC_NOWAIT, with EINTR on a signal, with EIDRM when the
 * queue goes), and msgctl reports and changes a queue. Every test
 * removes the queues it makes.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct m64 {
	long mtype;
	char mtext[64];
};

static int new_queue(void)
{
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	CHECK(id >= 0, "msgget: %s", strerror(errno));
	return id;
}

static void rm(int id)
{
	CHECK_EQ(msgctl(id, IPC_RMID, NULL), 0);
}

static void send(int id, long type, const char *text)
{
	struct m64 m = { .mtype = type };
	strcpy(m.mtext, text);
	CHECK(msgsnd(id, &m, strlen(text), IPC_NOWAIT) == 0, "msgsnd: %s", strerror(errno));
}

/* Receive with msgtyp and flags; the type it got, text into out. */
static long recv_type(int id, long type, int flags, char *out)
{
	struct m64 m;
	ssize_t n = msgrcv(id, &m, sizeof(m.mtext), type, flags | IPC_NOWAIT);
	CHECK(n >= 0, "msgrcv type %ld: %s", type, strerror(errno));
	memcpy(out, m.mtext, (size_t)n);
	out[n] = 0;
	return m.mtype;
}

static struct msqid_ds stat_of(int id)
{
	struct msqid_ds ds;
	CHECK(msgctl(id, IPC_STAT, &ds) == 0, "IPC_STAT: %s", strerror(errno));
	return ds;
}

GTEST(msgsnd_msgrcv_round_trip_and_stat)
{
	int id = new_queue();
	send(id, 5, "hello");
	send(id, 6, "world!");
	struct msqid_ds ds = stat_of(id);
	char text[80];
	long t1 = recv_type(id, 0, 0, text);
	bool first = strcmp(text, "hello") == 0;
	struct msqid_ds after = stat_of(id);
	rm(id);
	CHECK_EQ(ds.msg_qnum, 2);
	CHECK_EQ(ds.msg_cbytes, 11);
	CHECK_EQ(ds.msg_lspid, getpid());
	CHECK_EQ(ds.msg_lrpid, 0);
	CHECK(ds.msg_qbytes >= 16384, "qbytes %lu", (unsigned long)ds.msg_qbytes);
	CHECK(ds.msg_stime > 0 && ds.msg_rtime == 0);
	CHECK_EQ(t1, 5);
	CHECK(first);
	CHECK_EQ(after.msg_qnum, 1);
	CHECK_EQ(after.msg_cbytes, 6);
	CHECK_EQ(after.msg_lrpid, getpid());
}

GTEST(msgrcv_selects_by_type)
{
	int id = new_queue();
	send(id, 3, "c");
	send(id, 1, "a");
	send(id, 2, "b");
	send(id, 1, "a2");
	char t[80];
	long got_eq = recv_type(id, 2, 0, t);          /* the first of type 2 */
	long got_le = recv_type(id, -3, 0, t);         /* the lowest type <= 3: the first 1 */
	bool le_first = strcmp(t, "a") == 0;
	long got_ex = recv_type(id, 1, MSG_EXCEPT, t); /* the first not of type 1 */
	long got_any = recv_type(id, 0, 0, t);
	int none = msgrcv(id, &(struct m64){ 0 }, 64, 0, IPC_NOWAIT) == -1 ? errno : 0;
	rm(id);
	CHECK_EQ(got_eq, 2);
	CHECK_EQ(got_le, 1);
	CHECK(le_first);
	CHECK_EQ(got_ex, 3);
	CHECK_EQ(got_any, 1);
	CHECK_EQ(none, ENOMSG);
}

GTEST(msgrcv_small_buffer_e2big_unless_noerror)
{
	int id = new_queue();
	send(id, 1, "0123456789");
	struct m64 m;
	int e = msgrcv(id, &m, 4, 0, IPC_NOWAIT) == -1 ? errno : 0;
	ssize_t n = msgrcv(id, &m, 4, 0, IPC_NOWAIT | MSG_NOERROR);
	unsigned long left = stat_of(id).msg_qnum;
	rm(id);
	CHECK_EQ(e, E2BIG);
	CHECK_EQ(n, 4);
	CHECK(memcmp(m.mtext, "0123", 4) == 0);
	CHECK_EQ(left, 0);   /* the rest of it is gone */
}

GTEST(msg_copy_peeks_by_position)
{
	int id = new_queue();
	send(id, 1, "first");
	send(id, 2, "second");
	struct m64 m;
	ssize_t n = msgrcv(id, &m, sizeof(m.mtext), 1, IPC_NOWAIT | MSG_COPY);
	int e = errno;
	if (n < 0 && e == ENOSYS) {
		rm(id);
		SKIP("MSG_COPY needs CONFIG_CHECKPOINT_RESTORE");
	}
	long type = m.mtype;
	unsigned long left = stat_of(id).msg_qnum;
	int past = msgrcv(id, &m, sizeof(m.mtext), 2, IPC_NOWAIT | MSG_COPY) == -1 ? errno : 0;
	int nowait = msgrcv(id, &m, sizeof(m.mtext), 0, MSG_COPY) == -1 ? errno : 0;
	int except = msgrcv(id, &m, sizeof(m.mtext), 0, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT) == -1 ? errno : 0;
	rm(id);
	CHECK(n == 6, "MSG_COPY: %zd %s", n, strerror(e));
	CHECK_EQ(type, 2);
	CHECK_EQ(left, 2);
	CHECK_EQ(past, ENOMSG);
	CHECK_EQ(nowait, EINVAL);
	CHECK_EQ(except, EINVAL);
}

GTEST(msgsnd_errors)
{
	int id = new_queue();
	struct m64 m = { .mtype = 0 };
	int e0 = msgsnd(id, &m, 1, IPC_NOWAIT) == -1 ? errno : 0;
	m.mtype = 1;
	int ebig = msgsnd(id, &m, 1 << 20, IPC_NOWAIT) == -1 ? errno : 0;
	int efault = msgsnd(id, (void *)16, 1, IPC_NOWAIT) == -1 ? errno : 0;
	rm(id);
	CHECK_EQ(e0, EINVAL);
	CHECK_EQ(ebig, EINVAL);
	CHECK_EQ(efault, EFAULT);
	CHECK_ERR(msgsnd(id, &m, 1, IPC_NOWAIT), EINVAL);
	CHECK_ERR(msgget(IPC_PRIVATE + 0x5c000000 + (getpid() & 0xffff), 0), ENOENT);
}

GTEST(msgrcv_sleeps_until_a_message_of_its_type)
{
	int id = new_queue();
	pid_t pid = xfork();
	if (pid == 0) {
		struct m64 m;
		CHECK_EQ(msgrcv(id, &m, sizeof(m.mtext), 7, 0), 3);
		CHECK(memcmp(m.mtext, "yes", 3) == 0);
		_exit(0);
	}
	wait_sleeping(pid);
	send(id, 6, "no");
	send(id, 7, "yes");
	int st = wait_status(pid);
	unsigned long left = stat_of(id).msg_qnum;
	rm(id);
	CHECK_EXITED(st, 0);
	CHECK_EQ(left, 1);   /* the type-6 message */
}

GTEST(msgsnd_sleeps_while_the_queue_is_full)
{
	int id = new_queue();
	struct msqid_ds ds = stat_of(id);
	ds.msg_qbytes = 8;
	CHECK_EQ(msgctl(id, IPC_SET, &ds), 0);
	send(id, 1, "12345678");
	struct m64 m = { .mtype = 2, .mtext = "abc" };
	int full = msgsnd(id, &m, 3, IPC_NOWAIT) == -1 ? errno : 0;
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(msgsnd(id, &m, 3, 0), 0);
		_exit(0);
	}
	wait_sleeping(pid);
	char t[80];
	long first = recv_type(id, 0, 0, t);
	int st = wait_status(pid);
	long second = recv_type(id, 0, 0, t);
	rm(id);
	CHECK_EQ(full, EAGAIN);
	CHECK_EQ(first, 1);
	CHECK_EXITED(st, 0);
	CHECK_EQ(second, 2);
}

static void on_usr1(int sig) { (void)sig; }

GTEST(msgrcv_fails_with_eintr_on_signal_and_eidrm_on_removal)
{
	int id = new_queue();
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
		sigaction(SIGUSR1, &sa, NULL);
		struct m64 m;
		CHECK_ERR(msgrcv(id, &m, sizeof(m.mtext), 0, 0), EINTR);
		CHECK_EQ(write(fds[1], "i", 1), 1);   /* so the removal comes after the signal */
		CHECK_ERR(msgrcv(id, &m, sizeof(m.mtext), 0, 0), EIDRM);
		_exit(0);
	}
	close(fds[1]);
	wait_sleeping(pid);
	kill(pid, SIGUSR1);
	char c;
	CHECK_EQ(read(fds[0], &c, 1), 1);
	close(fds[0]);
	wait_sleeping(pid);
	rm(id);
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(msgctl_info_stat_and_set_limits)
{
	int id = new_queue();
	send(id, 1, "abc");
	struct msginfo mi;
	int max = msgctl(0, IPC_INFO, (struct msqid_ds *)&mi);
	struct msqid_ds ds;
	int sid = msgctl(id & 0x7fff, MSG_STAT, &ds);
	int info = msgctl(0, MSG_INFO, (struct msqid_ds *)&mi);
	int in_use = mi.msgpool, msgs = mi.msgmap;
	rm(id);
	CHECK(max >= (id & 0x7fff), "IPC_INFO %d", max);
	CHECK_EQ(sid, id);
	CHECK_EQ(ds.msg_qnum, 1);
	CHECK(info >= 0);
	CHECK(in_use >= 1 && msgs >= 1, "MSG_INFO: %d queues, %d messages", in_use, msgs);
}

GTEST(msg_permissions_for_another_user)
{
	if (geteuid() != 0)
		SKIP("needs root to change uid");
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0622);
	CHECK(id >= 0);
	pid_t pid = xfork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			SKIP("setuid: %s", strerror(errno));
		send(id, 1, "w");                                  /* write: allowed */
		struct m64 m;
		CHECK_ERR(msgrcv(id, &m, 64, 0, IPC_NOWAIT), EACCES);
		CHECK_ERR(msgctl(id, IPC_RMID, NULL), EPERM);
		/* Its own queue: the owner may lower msg_qbytes, not raise it past msgmnb. */
		int mine = new_queue();
		struct msqid_ds ds = stat_of(mine);
		ds.msg_qbytes = 1 << 20;
		int big = msgctl(mine, IPC_SET, &ds) == -1 ? errno : 0;
		ds.msg_qbytes = 100;
		int small = msgctl(mine, IPC_SET, &ds);
		rm(mine);
		CHECK_EQ(big, EPERM);
		CHECK_EQ(small, 0);
		_exit(0);
	}
	int st = wait_status(pid);
	rm(id);
	CHECK_EXITED(st, 0);
}

GTEST(proc_sysvipc_msg_lists_the_queue)
{
	int id = new_queue();
	send(id, 1, "abcd");
	FILE *f = fopen("/proc/sysvipc/msg", "r");
	CHECK(f != NULL, "open: %s", strerror(errno));
	char line[256];
	bool found = false;
	CHECK(fgets(line, sizeof(line), f) && strstr(line, "msqid perms      cbytes       qnum"), "header %s", line);
	while (fgets(line, sizeof(line), f)) {
		int key, qid, lspid;
		unsigned perms;
		unsigned long cbytes, qnum;
		if (sscanf(line, "%d %d %o %lu %lu %d", &key, &qid, &perms, &cbytes, &qnum, &lspid) == 6 && qid == id)
			found = cbytes == 4 && qnum == 1 && lspid == getpid();
	}
	fclose(f);
	rm(id);
	CHECK(found, "queue %d not listed right", id);
}
