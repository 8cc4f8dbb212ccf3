// GUEST: glibc
/*
 * sigqueue.c - real-time signals queue, standard ones merge: every
 * sigqueue of a blocked real-time signal is delivered, in order, with
 * its value; three kills of a blocked SIGUSR1 deliver it once.
 */
#include "gtest.h"
#include <signal.h>
#include <string.h>

#define SENT 5

static int values[16], nvalues;
static int usr1_count;

static void record_value(int sig, siginfo_t *si, void *ctx)
{
	if (nvalues < 16)
		values[nvalues++] = si->si_value.sival_int;
}

static void count_usr1(int sig) { usr1_count++; }

GTEST(realtime_signals_queue_with_their_values)
{
	struct sigaction sa = { .sa_sigaction = record_value, .sa_flags = SA_SIGINFO };
	CHECK(sigaction(SIGRTMIN, &sa, NULL) == 0);
	block_signal(SIGRTMIN);
	for (int i = 0; i < SENT; i++)
		CHECK(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 100 + i }) == 0);
	sigset_t pending;
	CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGRTMIN));
	unblock_signal(SIGRTMIN);   /* all five arrive now */
	CHECK_EQ(nvalues, SENT);
	for (int i = 0; i < SENT; i++)
		CHECK_EQ(values[i], 100 + i);
}

GTEST(standard_signals_merge_while_blocked)
{
	CHECK(signal(SIGUSR1, count_usr1) != SIG_ERR);
	block_signal(SIGUSR1);
	for (int i = 0; i < 3; i++)
		CHECK(kill(getpid(), SIGUSR1) == 0);
	unblock_signal(SIGUSR1);
	CHECK_EQ(usr1_count, 1);
}

GTEST(sigtimedwait_takes_queued_instances_one_by_one)
{
	sigset_t set = sigset_of(SIGRTMIN + 1);
	block_signal(SIGRTMIN + 1);
	CHECK(sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 7 }) == 0);
	CHECK(sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 8 }) == 0);
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	CHECK_EQ(sigtimedwait(&set, &si, &zero), SIGRTMIN + 1);
	CHECK_EQ(si.si_value.sival_int, 7);
	CHECK_EQ(si.si_code, SI_QUEUE);
	CHECK_EQ(si.si_pid, getpid());
	CHECK_EQ(sigtimedwait(&set, &si, &zero), SIGRTMIN + 1);
	CHECK_EQ(si.si_value.sival_int, 8);
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
}
