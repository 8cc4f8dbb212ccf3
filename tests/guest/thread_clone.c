/*
 * thread_clone.c - clone's flags one at a time, through libc's clone():
 * a CLONE_THREAD task with its tid stored for parent and child and
 * cleared (and futex-woken) at exit; CLONE_VM without CLONE_THREAD (a
 * process sharing memory); CLONE_VFORK; CLONE_PARENT; and the flag
 * combinations clone and clone3 refuse.
 */
// GUEST: glibc
#include "gtest.h"
#include <sched.h>

#define STACK_SIZE    (64 * 1024)
#define FUTEX_WAIT    0
#define CLONE_CLEAR_SIGHAND_FLAG 0x100000000ULL
#define PAGE          4096

/* struct clone_args, version 2 (88 bytes). */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

static char *new_stack_top(void)
{
	char *s = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(s != MAP_FAILED, "mmap: %s", strerror(errno));
	return s + STACK_SIZE;
}

/* ---- CLONE_THREAD with the tid words ---- */

static volatile pid_t ptid, ctid, seen_ctid, seen_tid, seen_pid;

/* Runs on a thread without TLS of its own: raw system calls only. */
static int thread_body(void *arg)
{
	seen_ctid = ctid;
	seen_tid = (pid_t)syscall(SYS_gettid);
	seen_pid = (pid_t)syscall(SYS_getpid);
	return 0;
}

/* The new thread's tid lands in the parent's word (PARENT_SETTID) and
 * the child's (CHILD_SETTID) before it runs; it shares the pid; at its
 * exit the kernel zeroes the CLEARTID word and wakes a futex waiter. */
GTEST(clone_thread_tid_words)
{
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		    CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
	pid_t v;

	int tid = clone(thread_body, new_stack_top(), flags, NULL, &ptid, NULL, &ctid);
	CHECK(tid > 0, "clone: %s", strerror(errno));
	CHECK_EQ(ptid, tid);
	while (!seen_pid)   /* CHILD_SETTID writes when the child first runs */
		sleep_ms(1);
	while ((v = ctid) != 0)
		syscall(SYS_futex, &ctid, FUTEX_WAIT, v, NULL, NULL, 0);
	CHECK_EQ(seen_ctid, tid);
	CHECK_EQ(seen_tid, tid);
	CHECK_EQ(seen_pid, getpid());
	CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);   /* a thread is no child */
}

/* ---- CLONE_VM without CLONE_THREAD ---- */

static volatile int shared_word;

static int set_word_and_exit(void *arg)
{
	shared_word = (int)(long)arg;
	return 5;
}

/* A process that shares our memory: its write is ours, and it is our
 * child, reaped by wait with its own pid and exit status. */
GTEST(clone_vm_process_shares_memory)
{
	pid_t pid = clone(set_word_and_exit, new_stack_top(), CLONE_VM | SIGCHLD, (void *)77L);

	CHECK(pid > 0 && pid != getpid(), "clone: %s", strerror(errno));
	CHECK_EXITED(wait_status(pid), 5);
	CHECK_EQ(shared_word, 77);
}

static int sleep_then_set(void *arg)
{
	struct timespec ts = { 0, 50 * 1000000L };

	syscall(SYS_nanosleep, &ts, NULL);
	shared_word = 1;
	return 0;
}

/* CLONE_VFORK: the caller sleeps until the child exits. */
GTEST(clone_vfork_parent_waits_for_exit)
{
	shared_word = 0;
	pid_t pid = clone(sleep_then_set, new_stack_top(), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);

	CHECK(pid > 0, "clone: %s", strerror(errno));
	CHECK_EQ(shared_word, 1);
	CHECK_EXITED(wait_status(pid), 0);
}

/* ---- CLONE_PARENT ---- */

static int report_parent(void *arg)
{
	((volatile pid_t *)arg)[1] = getppid();
	return 9;
}

/* A child cloned with CLONE_PARENT is its creator's sibling: our
 * grandchild by birth is our child, and its creator cannot wait for it. */
GTEST(clone_parent_makes_sibling)
{
	volatile pid_t *box = shared_map(PAGE);
	pid_t me = getpid(), pid = xfork();

	if (pid == 0) {
		pid_t g = clone(report_parent, new_stack_top(), CLONE_PARENT | SIGCHLD, (void *)box);
		if (g <= 0)
			_exit(2);
		box[0] = g;
		_exit(waitpid(g, NULL, 0) < 0 && errno == ECHILD ? 0 : 3);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EXITED(wait_status(box[0]), 9);
	CHECK_EQ(box[1], me);
}

/* ---- refused combinations ---- */

static long clone3_raw(const void *args, size_t size)
{
	return syscall(SYS_clone3, args, size);
}

/* clone refuses CLONE_SIGHAND without CLONE_VM and CLONE_THREAD
 * without CLONE_SIGHAND, before creating anything. */
GTEST(clone_invalid_flags_einval)
{
	CHECK_ERR(syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(syscall(SYS_clone, CLONE_THREAD | CLONE_FS | CLONE_FILES, 0, 0, 0, 0), EINVAL);
}

/* clone3's checks: size, trailing bytes, exit signal with THREAD or
 * PARENT, stack without size, CLEAR_SIGHAND with SIGHAND, unknown flags. */
GTEST(clone3_invalid_args)
{
	static uint8_t big[2 * PAGE];
	struct clone3_args a;

	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	CHECK_ERR(clone3_raw(&a, 32), EINVAL);
	CHECK_ERR(clone3_raw(big, PAGE + 8), E2BIG);
	memcpy(big, &a, sizeof(a));
	big[100] = 1;
	CHECK_ERR(clone3_raw(big, 128), E2BIG);

	a = (struct clone3_args){ .flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, .exit_signal = SIGCHLD };
	CHECK_ERR(clone3_raw(&a, sizeof(a)), EINVAL);
	a = (struct clone3_args){ .flags = CLONE_PARENT, .exit_signal = SIGCHLD };
	CHECK_ERR(clone3_raw(&a, sizeof(a)), EINVAL);
	a = (struct clone3_args){ .exit_signal = SIGCHLD, .stack = (uint64_t)(uintptr_t)big };
	CHECK_ERR(clone3_raw(&a, sizeof(a)), EINVAL);
	a = (struct clone3_args){ .exit_signal = SIGCHLD, .stack_size = PAGE };
	CHECK_ERR(clone3_raw(&a, sizeof(a)), EINVAL);
	a = (struct clone3_args){ .flags = CLONE_VM | CLONE_SIGHAND | CLONE_CLEAR_SIGHAND_FLAG,
				  .exit_signal = SIGCHLD };
	CHECK_ERR(clone3_raw(&a, sizeof(a)), EINVAL);
	a = (struct clone3_args){ .flags = 1ULL << 40, .exit_signal = SIGCHLD };
	CHECK_ERR(clone3_raw(&a, sizeof(a)), EINVAL);
	a = (struct clone3_args){ .exit_signal = 65 };
	CHECK_ERR(clone3_raw(&a, sizeof(a)), EINVAL);
}
