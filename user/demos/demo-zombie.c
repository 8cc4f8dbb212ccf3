/*
 * demo-zombie - a zombie until it is reaped. The child exits at once;
 * until the parent calls waitpid, it stays in the process table with
 * state Z, holding nothing but its pid and exit status. ps and
 * /proc/PID/status show it; after waitpid it is gone.
 */
#include "demo.h"

static void show_ps(pid_t child)
{
	char cmd[128], line[256];
	snprintf(cmd, sizeof(cmd), "ps -o pid,ppid,stat,comm 2>/dev/null");
	fflush(stdout);
	FILE *p = popen(cmd, "r");
	for (int n = 0; p && fgets(line, sizeof(line), p); n++) {
		int pid = atoi(line);
		if (n == 0 || pid == child || pid == getpid())
			printf("    %s", line);
	}
	if (p)
		pclose(p);
}

int main(void)
{
	printf("demo-zombie: pid %d.\n", getpid());
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	for (int i = 0; i < 200 && demo_state(pid) != 'Z'; i++)
		usleep(10000);
	demo_section("the child has exited; nobody has waited for it yet");
	char state = demo_state(pid);
	printf("  /proc/%d/status says State: %c%s\n", pid, state, state == 'Z' ? " (zombie)" : "");
	printf("  ps:\n");
	show_ps(pid);
	int status;
	waitpid(pid, &status, 0);
	demo_section("after waitpid");
	char after = demo_state(pid);
	printf("  waitpid returned exit code %d; /proc/%d is %s\n", WEXITSTATUS(status), pid,
	       after == '?' ? "gone" : "still there");
	demo_section("why");
	printf("  do_exit_thread frees the memory, files and stack of the last thread, and\n"
	       "  process_become_zombie_locked keeps only the struct process (pid, exit\n"
	       "  code) for the parent. wait4 (do_wait) hands over the status and frees it.\n");
	return state == 'Z' && after == '?' && WEXITSTATUS(status) == 7 ? 0 : 1;
}
