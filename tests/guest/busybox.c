/*
 * busybox.c - a real shell on Aspen: busybox sh (spawned with
 * posix_spawn, as /bin/busybox in Aspen and natively) runs pipelines of
 * applets, redirections, ls -la, head, exit statuses and loops, and
 * prints what it prints on Linux.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>

#define BUSYBOX "/bin/busybox"

extern char **environ;

/* Run `busybox sh -c cmd` with stdout (and stderr) into buf; its wait
 * status. */
static int sh(const char *cmd, char *buf, size_t size)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	int fds[2];
	pid_t pid;
	size_t got = 0;
	ssize_t r;

	if (access(BUSYBOX, X_OK) != 0)
		SKIP("no " BUSYBOX);
	setenv("PATH", "/bin:/usr/bin", 1);
	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
	CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, fds[1], 1), 0);
	CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, fds[1], 2), 0);
	CHECK_EQ(posix_spawn_file_actions_addclose(&fa, fds[0]), 0);
	CHECK_EQ(posix_spawn_file_actions_addclose(&fa, fds[1]), 0);
	int err = posix_spawn(&pid, BUSYBOX, &fa, NULL, argv, environ);
	CHECK(err == 0, "spawn busybox: %s", strerror(err));
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (got < size - 1 && (r = read(fds[0], buf + got, size - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = 0;
	close(fds[0]);
	return wait_status(pid);
}

/* Run cmd and check that it exits 0 printing exactly want. */
static void sh_expect(const char *cmd, const char *want)
{
	char buf[4096];

	CHECK_EXITED(sh(cmd, buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, want) == 0, "`%s` printed \"%s\", expected \"%s\"", cmd, buf, want);
}

GTEST(busybox_sh_pipeline_of_three_applets)
{
	sh_expect("printf 'b\\na\\nc\\n' | sort | head -n 1", "a\n");
	sh_expect("echo one two three | tr ' ' '\\n' | wc -l", "3\n");
}

GTEST(busybox_cat_of_file_written_by_redirection)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "f=bb-redir.%d; echo hello > $f; echo more >> $f; cat $f; cat < $f | wc -c; rm $f",
		 (int)getpid());
	sh_expect(cmd, "hello\nmore\n11\n");
}

GTEST(busybox_head_5_of_file)
{
	char name[64], cmd[128];
	FILE *f;

	snprintf(name, sizeof(name), "bb-head.%d", (int)getpid());
	f = fopen(name, "w");
	CHECK(f != NULL);
	for (int i = 1; i <= 10; i++)
		fprintf(f, "line %d\n", i);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "head -5 %s", name);
	sh_expect(cmd, "line 1\nline 2\nline 3\nline 4\nline 5\n");
	unlink(name);
}

GTEST(busybox_ls_la_lists_entries_with_modes)
{
	char dir[64], path[128], cmd[160], buf[4096];

	snprintf(dir, sizeof(dir), "bb-ls.%d", (int)getpid());
	CHECK_EQ(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/afile", dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	CHECK_EQ(write(fd, "12345", 5), 5);
	close(fd);
	CHECK_EQ(chmod(path, 0640), 0);
	snprintf(cmd, sizeof(cmd), "ls -la %s", dir);
	CHECK_EXITED(sh(cmd, buf, sizeof(buf)), 0);
	CHECK(strstr(buf, "total ") == buf, "ls -la printed \"%s\"", buf);
	CHECK(strstr(buf, " .\n") && strstr(buf, " ..\n"), "no . or .. in \"%s\"", buf);
	char *line = strstr(buf, "-rw-r-----");
	CHECK(line != NULL, "no -rw-r----- line in \"%s\"", buf);
	CHECK(strstr(line, " 5 ") && strstr(line, " afile\n"), "file line in \"%s\"", buf);
	CHECK(strstr(buf, "\ndrwxr-xr-x"), "no directory line in \"%s\"", buf);
	unlink(path);
	rmdir(dir);
}

GTEST(busybox_exit_status_reaches_shell_and_caller)
{
	char buf[64];

	sh_expect("sh -c 'exit 3'; echo $?", "3\n");
	CHECK_EXITED(sh("exit 42", buf, sizeof(buf)), 42);
	sh_expect("false || echo fell through", "fell through\n");
	sh_expect("true && echo and then", "and then\n");
}

GTEST(busybox_loops_variables_and_subshells)
{
	sh_expect("for i in 1 2 3; do echo $i; done | wc -l", "3\n");
	sh_expect("x=5; y=$((x * 2)); echo $y", "10\n");
	sh_expect("echo $(echo inner) outer", "inner outer\n");
	sh_expect("(cd / && pwd); cd /tmp 2>/dev/null || cd /; echo ok", "/\nok\n");
}

GTEST(busybox_missing_command_is_127)
{
	char buf[256];

	CHECK_EXITED(sh("no-such-command-here", buf, sizeof(buf)), 127);
	CHECK(strstr(buf, "not found"), "printed \"%s\"", buf);
}

/* busybox sysctl reads (-n, -a) and writes (-w) /proc/sys; natively the
 * write sets the value already there. */
GTEST(busybox_sysctl_reads_lists_and_writes)
{
	char buf[4096], want[300];
	struct utsname u;

	CHECK_EQ(uname(&u), 0);
	snprintf(want, sizeof(want), "%s\n", u.sysname);
	sh_expect("sysctl -n kernel.ostype", want);
	sh_expect("sysctl -a 2>/dev/null | grep -c '^kernel\\.ostype = '", "1\n");
	sh_expect("sysctl kernel/osrelease | grep -c '^kernel.osrelease = '", "1\n");
	const char *name = on_aspen() ? "bb-host" : u.nodename;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "sysctl -w kernel.hostname=%s && hostname", name);
	snprintf(want, sizeof(want), "kernel.hostname = %s\n%s\n", name, name);
	sh_expect(cmd, want);
	CHECK_EXITED(sh("sysctl -w kernel.pid_max=nonsense", buf, sizeof(buf)), 1);
	CHECK(sethostname(u.nodename, strlen(u.nodename)) == 0);
}

GTEST(busybox_id_and_su_use_the_accounts_in_etc)
{
	if (geteuid() != 0)
		SKIP("su without a password needs root");
	sh_expect("id -un; id -gn; id -u", "root\nroot\n0\n");
	/* Debian gives nobody /usr/sbin/nologin: name the shell */
	sh_expect("busybox su -s /bin/sh nobody -c 'id -u; id -g; id -un; id -gn'",
		  "65534\n65534\nnobody\nnogroup\n");
	sh_expect("busybox su -s /bin/sh daemon -c 'id -u; id -gn'", "1\ndaemon\n");
}
