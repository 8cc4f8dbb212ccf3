// GUEST: glibc glibc-pie
/*
 * fork.c - fork gives the child a copy of the parent's memory: the same
 * virtual addresses, the same values at first, and after that each side
 * sees only its own writes. The isolation tests need only fork, exit and
 * wait (the child checks its side and reports by exit status); the
 * address report uses a MAP_SHARED page.
 */
#include "gtest.h"

#define HEAP_WORDS 1024

long global_var = 1;

struct report {
	uintptr_t global_addr, stack_addr, heap_addr;
	long global_val, stack_val, heap_val;
	pid_t pid, ppid, fork_ret;
};

GTEST(fork_returns_child_pid_in_parent_zero_in_child)
{
	struct report *r = shared_map(sizeof(*r));
	pid_t pid = xfork();

	if (pid == 0) {
		r->fork_ret = pid;
		r->pid = getpid();
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(r->fork_ret, 0);
	CHECK_EQ(pid, r->pid);
	CHECK(pid != getpid());
}

GTEST(fork_child_getppid_is_parent)
{
	pid_t parent = getpid(), pid = xfork();

	if (pid == 0)
		_exit(getppid() == parent ? 0 : 1);
	CHECK_EXITED(wait_status(pid), 0);
}

/* The child starts with the parent's values, writes its own, and the
 * parent's stay. */
GTEST(fork_child_write_isolated)
{
	long stack_var = 2;
	long *heap = malloc(HEAP_WORDS * sizeof(*heap));
	pid_t pid;

	CHECK(heap != NULL);
	for (int i = 0; i < HEAP_WORDS; i++)
		heap[i] = i;
	global_var = 1;
	pid = xfork();
	if (pid == 0) {
		CHECK(global_var == 1 && stack_var == 2 && heap[HEAP_WORDS - 1] == HEAP_WORDS - 1,
		      "child does not see the parent's values");
		global_var = 10;
		stack_var = 20;
		for (int i = 0; i < HEAP_WORDS; i++)
			heap[i] = -i;
		CHECK(global_var == 10 && stack_var == 20 && heap[HEAP_WORDS - 1] == 1 - HEAP_WORDS,
		      "child does not see its own writes");
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(global_var, 1);
	CHECK_EQ(stack_var, 2);
	for (int i = 0; i < HEAP_WORDS; i++)
		CHECK_EQ(heap[i], i);
	free(heap);
}

/* The parent's writes after fork do not reach the child either. */
GTEST(fork_parent_write_isolated)
{
	int fds[2];
	char go;
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	global_var = 1;
	pid = xfork();
	if (pid == 0) {
		close(fds[1]);
		CHECK_EQ(read(fds[0], &go, 1), 1); /* the parent has written */
		_exit(global_var == 1 ? 0 : 1);
	}
	close(fds[0]);
	global_var = 99;
	CHECK_EQ(write(fds[1], "g", 1), 1);
	CHECK_EXITED(wait_status(pid), 0);
}

/* The child reports where its copies live and what they hold. */
GTEST(fork_child_addresses_match_parent)
{
	struct report *r = shared_map(sizeof(*r));
	long stack_var = 2;
	long *heap = malloc(sizeof(*heap));
	pid_t pid;

	CHECK(heap != NULL);
	*heap = 3;
	global_var = 1;
	pid = xfork();
	if (pid == 0) {
		global_var = 10;
		stack_var = 20;
		*heap = 30;
		*r = (struct report){ (uintptr_t)&global_var, (uintptr_t)&stack_var, (uintptr_t)heap,
				      global_var, stack_var, *heap, getpid(), getppid(), 0 };
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(r->global_addr, (uintptr_t)&global_var);
	CHECK_EQ(r->stack_addr, (uintptr_t)&stack_var);
	CHECK_EQ(r->heap_addr, (uintptr_t)heap);
	CHECK(r->global_val == 10 && r->stack_val == 20 && r->heap_val == 30);
	CHECK(global_var == 1 && stack_var == 2 && *heap == 3);
	CHECK_EQ(r->ppid, getpid());
	free(heap);
}

/* Open file descriptors are inherited: the child writes to the pipe the
 * parent made. */
GTEST(fork_child_inherits_fds)
{
	int fds[2];
	char buf[8] = { 0 };
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	pid = xfork();
	if (pid == 0)
		_exit(write(fds[1], "child", 5) == 5 ? 0 : 1);
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 5);
	CHECK(strcmp(buf, "child") == 0, "read \"%s\"", buf);
}

/* A child of a child: pids differ and the chain of parents holds. */
GTEST(fork_grandchild_parent_chain)
{
	pid_t top = getpid(), pid = xfork();

	if (pid == 0) {
		pid_t mid = getpid(), gpid = xfork();
		if (gpid == 0)
			_exit(getppid() == mid && mid != top ? 0 : 1);
		CHECK_EXITED(wait_status(gpid), 0);
		_exit(getppid() == top ? 0 : 1);
	}
	CHECK_EXITED(wait_status(pid), 0);
}
