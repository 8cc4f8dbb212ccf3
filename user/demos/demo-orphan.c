/*
 * demo-orphan - an orphan adopted by init. A middle process forks a
 * child and exits at once; the child, still running, finds its parent
 * gone and init (pid 1) its new parent, both from getppid() and from
 * the PPid line of /proc/self/status.
 */
#include "demo.h"
#include <time.h>

int main(void)
{
	int fds[2], done[2];     /* orphan -> middle: "go"; done: EOF when the orphan ends */
	if (pipe(fds) || pipe(done))
		return 1;
	printf("demo-orphan: pid %d forks a middle process, which forks the orphan.\n", getpid());
	fflush(stdout);
	pid_t middle = fork();
	if (middle == 0) {
		pid_t orphan = fork();
		if (orphan == 0) {
			close(done[0]);
			pid_t first = getppid();
			printf("  orphan (pid %d): my parent is %d, the middle process\n", getpid(), first);
			fflush(stdout);
			if (write(fds[1], "x", 1) != 1)   /* tell the middle it may exit */
				_exit(1);
			struct timespec ms = { 0, 10 * 1000 * 1000 };
			for (int i = 0; i < 500 && getppid() == first; i++)
				nanosleep(&ms, NULL);
			printf("  orphan (pid %d): my parent exited; getppid() = %d, status PPid = %ld\n",
			       getpid(), getppid(), demo_status_field(getpid(), "PPid"));
			printf("  orphan: adopted by pid %d (%s)\n", getppid(),
			       getppid() == 1 ? "init" : "a subreaper, not init");
			_exit(0);
		}
		char c;
		if (read(fds[0], &c, 1) != 1)
			_exit(1);
		printf("  middle (pid %d): exiting while my child %d still runs\n", getpid(), orphan);
		fflush(stdout);
		_exit(0);
	}
	close(fds[0]);
	close(fds[1]);
	close(done[1]);
	waitpid(middle, NULL, 0);
	char c;
	(void)!read(done[0], &c, 1);        /* EOF once the orphan has exited */
	demo_section("why");
	printf("  When a process exits, do_exit_thread -> reparent_children_locked hands its\n"
	       "  children to init. init waits for them, so an orphan that exits does not\n"
	       "  stay a zombie for ever (Aspen's /sbin/init reaps any child).\n");
	return 0;
}
