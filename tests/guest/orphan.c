/*
 * orphan.c - when a process dies its children are re-parented: on Aspen
 * to init (pid 1), which reaps them. On a Linux host a subreaper (systemd,
 * a container's init) may adopt them instead, so natively the test only
 * requires a parent other than the dead one.
 *
 * The test (T) forks a middle process (M), which forks the orphan (O)
 * and exits; O reports through a MAP_SHARED page, as T cannot wait for it.
 */
#include "gtest.h"

#define POLL_MS    1
#define POLL_LIMIT 20000 /* polls: 20 s, on a busy host; the test's timeout is 30 s */

struct orphan_report {
	pid_t pid;           /* O's pid */
	pid_t parent_before; /* O's parent while M lives */
	pid_t parent_after;  /* O's parent once M is gone */
	int done;
};

/* Poll until *flag (written by another process) is non-zero, or time out. */
static void wait_until_set(int *flag)
{
	for (int i = 0; i < POLL_LIMIT && !__atomic_load_n(flag, __ATOMIC_ACQUIRE); i++)
		sleep_ms(POLL_MS);
}

/* O: note the parent, wait until it changes, note the new one. */
static void orphan_main(struct orphan_report *r)
{
	r->pid = getpid();
	__atomic_store_n(&r->parent_before, getppid(), __ATOMIC_RELEASE);
	for (int i = 0; i < POLL_LIMIT && getppid() == r->parent_before; i++)
		sleep_ms(POLL_MS);
	r->parent_after = getppid();
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	_exit(0);
}

/* Run T's side: fork M, M forks O and exits once O has noted its parent. */
static pid_t make_orphan(struct orphan_report *r)
{
	pid_t mid = xfork();

	if (mid == 0) {
		if (xfork() == 0)
			orphan_main(r);
		wait_until_set(&r->parent_before);
		_exit(0);
	}
	CHECK_EXITED(wait_status(mid), 0);
	wait_until_set(&r->done);
	CHECK(r->done, "the orphan did not report within %d ms", POLL_LIMIT * POLL_MS);
	CHECK_EQ(r->parent_before, mid);
	return mid;
}

GTEST(orphan_reparented_to_init)
{
	struct orphan_report *r = shared_map(sizeof(*r));
	pid_t mid = make_orphan(r);

	if (on_aspen())
		CHECK_EQ(r->parent_after, 1);
	else
		CHECK(r->parent_after != mid, "still the dead parent %d", (int)mid);
	/* the orphan never becomes its grandparent's child */
	CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
}

/* Once the orphan exits, init reaps it: it does not stay a zombie. */
GTEST(orphan_zombie_reaped_by_init)
{
	struct orphan_report *r;
	int i;

	ASPEN_ONLY(); /* a Linux host's subreaper may be slow or absent */
	r = shared_map(sizeof(*r));
	make_orphan(r);
	for (i = 0; i < POLL_LIMIT && kill(r->pid, 0) == 0; i++)
		sleep_ms(POLL_MS);
	CHECK_ERR(kill(r->pid, 0), ESRCH);
}
