/*
 * init.c - Aspen's /sbin/init, the first user process (pid 1).
 *
 * Every process whose parent exits is handed to init, so init's other
 * duty, besides starting things, is to wait() for whatever child ends:
 * without that, dead orphans would stay zombies forever.
 *
 * First it enables the swap disks the boot attached (/etc/aspen-disks,
 * or aspen.swap=NAME[,NAME]... on the kernel command line: make run).
 * Three modes:
 *  - /etc/aspen-run exists (tools/aspen-exec wrote it): run that one
 *    program, report the frames (and swap slots) in use before and after, and exit with
 *    its status. The kernel then prints "[aspen] init exited with
 *    status N" and powers off.
 *  - /etc/aspen-run-each exists (aspen-exec --each): run each program it
 *    names in turn, alone, each between "[aspen] run PROGRAM" and
 *    "[aspen] PROGRAM exited with status N" with its own frames line;
 *    exit 0 if every one exited 0, else 1.
 *  - otherwise (make run): a login shell, started again whenever it exits.
 *    With "aspen.view" on the kernel command line (VIEW=1 make run), each
 *    shell is traced (/proc/aspen-trace) and a copier started once sends
 *    the trace to the second serial port, for the live memory view
 *    (docs/view.md).
 *
 * With "aspen.persist=NAME" on the kernel command line (make run puts it
 * there), init mounts the ext2 disk /dev/NAME at /disk in every mode
 * (around each program it runs) and unmounts it when the program ends, or when busybox's
 * poweroff, halt or reboot asks init to stop the machine (SIGUSR2,
 * SIGUSR1, SIGTERM, as busybox's own init takes them): init then ends
 * every process, unmounts the disk (so it is clean for e2fsck) and
 * powers off. docs/ext2.md, "The persistent disk".
 *
 * /etc/aspen-run: the first line is the working directory, each further
 * line one argument (the program first); lines are raw bytes ending at
 * a newline. /etc/aspen-run-each: the working directory, then one
 * program (without arguments) per line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uapi/aspen.h>
#include "tools.h"

#define RUN_FILE      "/etc/aspen-run"
#define DISKS_FILE    "/etc/aspen-disks"   /* the disks of this boot (scripts/disks.sh) */
#define RUN_EACH_FILE "/etc/aspen-run-each"
#define CLEAN_FILE    "/etc/aspen-clean"   /* tools/aspen-exec --clean: see remove_new_entries */
#define RUN_FILE_MAX  65536  /* bytes of /etc/aspen-run we accept */
#define RUN_ARGS_MAX  256    /* arguments, the program included */
#define ORPHAN_GRACE_MS 1000 /* how long to wait for orphans after the program */
#define POLL_MS       10
#define VIEW_FLAG     "aspen.view"
#define TRACE_FILE    "/proc/aspen-trace"
#define PERSIST_FLAG  "aspen.persist="
#define SWAP_FLAG     "aspen.swap="
#define PERSIST_DIR   "/disk"
#define STOP_GRACE_MS 2000   /* from SIGTERM to SIGKILL at power-off */

/* Set by the power-off signals; the wait loops then stop the machine. */
static volatile sig_atomic_t stop_requested;
/* The persistent disk's name from the command line ("" if none), and
 * is it mounted at PERSIST_DIR? */
static char persist_name[32];
static int persist_mounted;

static char *const child_env[] = {
	"PATH=/usr/local/bin:/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/root", "TERM=vt100", NULL
};

/* Make sure fds 0, 1 and 2 are open, on the console. */
static void open_console(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int c = open("/dev/console", O_RDWR);
		if (c >= 0 && c != fd) {
			dup2(c, fd);
			close(c);
		}
	}
}

/* Reap children until pid ends (orphans included); returns pid's status. */
static int wait_for(pid_t pid)
{
	int status;

	for (;;) {
		pid_t r = wait(&status);
		if (r == pid)
			return status;
		if (stop_requested)
			return SIGTERM;    /* as if killed: the caller stops */
		if (r < 0 && errno != EINTR) {
			printf("init: wait: %s\n", strerror(errno));
			return EXIT_CANNOT_RUN << 8;
		}
	}
}

/* Reap the children left (orphans that are still ending), for up to
 * ms milliseconds: a zombie still holds memory until it is reaped.
 * Returns 0 when none is left, 1 when some still run. */
static int reap_leftovers(int ms)
{
	struct timespec poll = { 0, POLL_MS * 1000000L };

	for (int waited = 0; waited < ms; waited += POLL_MS) {
		pid_t r = waitpid(-1, NULL, WNOHANG);
		if (r < 0)
			return 0;             /* ECHILD: no children left */
		if (r == 0)
			nanosleep(&poll, NULL);
	}
	return 1;
}

/* What init reports around the program: frames in use in the whole
 * system (less those only the swap cache holds, which reclaim takes
 * first), swap slots in use, pages written to and read from swap. */
struct usage {
	long long frames, swap_slots, swap_out, swap_in;
};

static struct usage usage_now(void)
{
	struct aspen_counters c;

	if (syscall(SYS_aspen_counters, 0, &c, sizeof(c)) < 0)
		return (struct usage){ -1, -1, -1, -1 };
	/* frames the swap cache alone holds are free for the asking: a
	 * read-ahead page of an earlier program may go while this one runs */
	return (struct usage){ (long long)(c.sys_frames_used - c.sys_swap_cache_idle),
			       (long long)(c.sys_swap_total - c.sys_swap_free),
			       (long long)c.sys_pswpout, (long long)c.sys_pswpin };
}

/* /proc/meminfo around a program: when its frames are not back at the
 * baseline, the lines that changed tell what kind they are (slab, other
 * kernel memory, page tables, page cache, anonymous memory). */
#define MEMINFO_MAX 2048

static void meminfo_read(char *buf, size_t size)
{
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, buf, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[got > 0 ? got : 0] = 0;
}

static void meminfo_print_changes(const char *before, const char *after)
{
	while (*before && *after) {
		size_t lb = strcspn(before, "\n"), la = strcspn(after, "\n");
		if (lb != la || memcmp(before, after, lb))
			printf("[aspen] meminfo before: %.*s; after: %.*s\n", (int)lb, before, (int)la, after);
		before += lb + (before[lb] != 0);
		after += la + (after[la] != 0);
	}
}

static const char *cmdline_value(const char *word, char *out, size_t size);

static void swap_on(const char *name)
{
	char path[64];
	snprintf(path, sizeof(path), "/dev/%s", name);
	if (swapon(path, 0) < 0)
		printf("init: swapon %s: %s\n", path, strerror(errno));
}

/* Enable the swap disks the boot attached: /etc/aspen-disks (written by
 * scripts/disks.sh, added to the image by tools/aspen-exec) has a line
 * "NAME swap BYTES" for each; make run names them on the kernel command
 * line instead (aspen.swap=NAME[,NAME]...), which needs no image of its
 * own for each boot. */
static void enable_swap(void)
{
	char line[256], name[32], kind[16];
	FILE *f;

	if (cmdline_value(SWAP_FLAG, line, sizeof(line))) {
		for (char *n = strtok(line, ","); n; n = strtok(NULL, ","))
			swap_on(n);
		return;
	}
	f = fopen(DISKS_FILE, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %15s", name, kind) == 2 && !strcmp(kind, "swap"))
			swap_on(name);
	}
	if (f)
		fclose(f);
}

/* Start argv[0] (searched in PATH) in a child, in directory dir, with
 * child_env. The child gets a session of its own (so its own process
 * group) with the console as its terminal, as a login would give it.
 * Returns the child's pid, or -1.
 * vfork: until its exec the child borrows init's address space, so no
 * copy-on-write copy of init's pages ever exists. With fork, reclaim
 * could send a page of that copy to swap in the moment before exec; the
 * frame, still mapped (and locked) in init, then stayed in the swap
 * cache with its slot, as on Linux, and init counted a swap slot taken
 * by the program (swap_back_to_baseline, aspen-lowmem). Hence too the
 * child's few calls, and dprintf rather than init's stdout. */
static pid_t spawn(const char *dir, char **argv)
{
	fflush(stdout);
	environ = (char **)child_env;   /* execvp searches this PATH; init reads none */
	pid_t pid = vfork();
	if (pid < 0) {
		printf("init: vfork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		setsid();
		ioctl(STDIN_FILENO, TIOCSCTTY, 0);
		if (chdir(dir) < 0) {   /* not run elsewhere: its files would outlive it */
			dprintf(STDOUT_FILENO, "init: cd %s: %s\n", dir, strerror(errno));
			_exit(EXIT_CANNOT_RUN);
		}
		execvp(argv[0], argv);
		dprintf(STDOUT_FILENO, "init: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(EXIT_CANNOT_RUN);
	}
	return pid;
}

/* Read file (/etc/aspen-run or -each) into buf and split it: *dir, then
 * argv (NULL-terminated). Returns the count, or -1 if there is no file. */
static int read_run_file(const char *file, char *buf, size_t size, char **dir, char **argv)
{
	int fd = open(file, O_RDONLY);
	size_t len = 0;
	ssize_t n;
	int argc = -1;

	if (fd < 0)
		return -1;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len && buf[len - 1] == '\n')
		len--;                     /* the last line's newline ends it, no more */
	buf[len] = '\0';
	*dir = buf;
	for (char *p = buf; (p = strchr(p, '\n')) && argc + 1 < RUN_ARGS_MAX - 1; ) {
		*p++ = '\0';
		argv[++argc] = p;
	}
	argv[++argc] = NULL;
	return argc;
}

/* The value of word=VALUE on the kernel command line (word given with
 * its '='), copied to out; NULL if absent. Without '=', "" if present. */
static const char *cmdline_value(const char *word, char *out, size_t size)
{
	char line[1024];
	int fd = open("/proc/cmdline", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, line, sizeof(line) - 1);
	size_t len = strlen(word);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return NULL;
	line[n] = '\0';
	for (char *w = strtok(line, " \n"); w; w = strtok(NULL, " \n")) {
		if (strncmp(w, word, len) || (word[len - 1] != '=' && w[len]))
			continue;
		snprintf(out, size, "%s", w + len);
		return out;
	}
	return NULL;
}

/* Was the kernel started with word on its command line? */
static int cmdline_has(const char *word)
{
	char value[8];
	return cmdline_value(word, value, sizeof(value)) != NULL;
}

/* Mount the persistent disk named on the command line at PERSIST_DIR;
 * say so when tell. Failures are reported, and the boot goes on. */
static void mount_persistent(int tell)
{
	const char *name = persist_name;
	char dev[48];

	if (!name[0])
		return;
	snprintf(dev, sizeof(dev), "/dev/%s", name);
	if (strchr(name, '/') || (mkdir(PERSIST_DIR, 0755) < 0 && errno != EEXIST) ||
	    mount(dev, PERSIST_DIR, "ext2", 0, NULL) < 0) {
		printf("init: cannot mount the persistent disk %s at %s: %s\n", dev, PERSIST_DIR,
		       strerror(errno));
		return;
	}
	persist_mounted = 1;
	if (tell)
		printf("%s (the persistent disk, ext2) is mounted at %s: files there survive a reboot.\n"
		       "Leave with `poweroff` (or run `sync` before Ctrl-A X).\n", dev, PERSIST_DIR);
}

/* Unmount the persistent disk, writing everything back. */
static void unmount_persistent(void)
{
	if (persist_mounted && umount(PERSIST_DIR) < 0)
		printf("init: umount %s: %s\n", PERSIST_DIR, strerror(errno));
	persist_mounted = 0;
}

/* The power-off signals' handler: the wait loops look at the flag. */
static void request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Take busybox's poweroff (SIGUSR2), halt (SIGUSR1) and reboot (SIGTERM);
 * no SA_RESTART, so init's wait() returns to look at the flag. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = request_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Kill every process but init and reap them all; one that cannot be
 * killed keeps init waiting here, and the boot's hang report shows where
 * it is stuck. */
static void kill_leftovers(void)
{
	kill(-1, SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

/* End every other process: SIGTERM, STOP_GRACE_MS to finish, then
 * SIGKILL; every child reaped. */
static void stop_everything(void)
{
	kill(-1, SIGTERM);
	if (reap_leftovers(STOP_GRACE_MS))
		kill_leftovers();
}

#define KEEP_MAX 64   /* entries of the program's directory before it ran */
static char keep[KEEP_MAX][256];
static int nkeep;

/* Note the names in dir now (remove_new_entries keeps them). */
static void note_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	nkeep = 0;
	while (d && (e = readdir(d)) && nkeep < KEEP_MAX)
		snprintf(keep[nkeep++], sizeof(keep[0]), "%s", e->d_name);
	if (d)
		closedir(d);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (remove(path) < 0)
		printf("init: rm %s: %s\n", path, strerror(errno));
	return 0;
}

/* With /etc/aspen-clean (fault injection makes tests fail before they
 * clean up): remove what the program left in its directory, so that the
 * frame count that follows sees kernel leaks, not its files. In a child:
 * the walk's stack and heap must not grow init's own memory. */
static void remove_new_entries(const char *dir)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid != 0) {
		if (pid > 0)
			wait_for(pid);
		return;
	}
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	while (d && (e = readdir(d))) {
		bool kept = false;
		for (int i = 0; i < nkeep && !kept; i++)
			kept = strcmp(keep[i], e->d_name) == 0;
		if (kept)
			continue;
		snprintf(path, sizeof(path), "%.3000s/%.255s", dir, e->d_name);
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (d)
		closedir(d);
	_exit(0);
}

/* Run one program (argv) in dir and report the frames and swap slots in
 * use before and after; returns its status code (EXIT_CANNOT_RUN if it
 * could not be started; 0 when it asked for a power-off, which stops it
 * and everything else). */
static int run_once(char *dir, char **argv)
{
	pid_t warm = fork();       /* a first fork+exit, so lasting kernel */
	if (warm == 0)             /* caches are filled before we measure */
		_exit(0);
	if (warm > 0)
		wait_for(warm);

	bool clean = access(CLEAN_FILE, F_OK) == 0;
	if (clean)
		note_entries(dir);
	struct usage before = usage_now();
	static char meminfo_before[MEMINFO_MAX], meminfo_after[MEMINFO_MAX];
	meminfo_read(meminfo_before, sizeof(meminfo_before));
	mount_persistent(0);
	pid_t pid = spawn(dir, argv);
	int code = pid < 0 ? EXIT_CANNOT_RUN : status_code(wait_for(pid));
	if (stop_requested) {
		stop_everything();
		code = 0;
	}
	reap_leftovers(ORPHAN_GRACE_MS);
	if (clean) {
		/* a test that failed half way (fault injection) may leave
		 * processes behind, paused or stopped */
		kill_leftovers();
		remove_new_entries(dir);
	}
	unmount_persistent();
	struct usage after = usage_now();
	if (after.frames != before.frames) {
		meminfo_read(meminfo_after, sizeof(meminfo_after));
		meminfo_print_changes(meminfo_before, meminfo_after);
	}
	printf("[aspen] frames in use: before %lld after %lld\n", before.frames, after.frames);
	printf("[aspen] swap slots in use: before %lld after %lld (pages out %lld, in %lld)\n",
	       before.swap_slots, after.swap_slots, after.swap_out - before.swap_out,
	       after.swap_in - before.swap_in);
	return code;
}

/* Run each of the argc programs of progs alone, in order; 0 if all
 * exited 0, else 1. */
static int run_each(char *dir, int argc, char **progs)
{
	int failed = 0;

	for (int i = 0; i < argc; i++) {
		char *argv[] = { progs[i], NULL };
		printf("[aspen] run %s\n", progs[i]);
		int code = run_once(dir, argv);
		printf("[aspen] %s exited with status %d\n", progs[i], code);
		failed |= code != 0;
	}
	return failed;
}

/* The live view: trace the shell (and so all it runs); the first time,
 * start the copier of the trace to the second serial port. */
static void view_trace(pid_t shell)
{
	static int copier_started;
	char cmd[32];
	int fd = open(TRACE_FILE, O_WRONLY);
	int len = snprintf(cmd, sizeof(cmd), "pid %d", (int)shell);
	if (fd < 0 || write(fd, cmd, (size_t)len) != len)
		printf("init: live view: cannot trace the shell: %s\n", strerror(errno));
	if (fd >= 0)
		close(fd);
	if (copier_started++)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "vmtrace", "-o", "/dev/ttyS1", "--pump", NULL };
		execv("/bin/vmtrace", argv);
		_exit(EXIT_CANNOT_RUN);
	}
}

/* Stop the machine in order: every process ended, the persistent disk
 * unmounted, the rest written back, then power off. */
static void power_off(void)
{
	printf("init: stopping every process and powering off\n");
	stop_everything();
	unmount_persistent();
	sync();
	reboot(RB_POWER_OFF);
	printf("init: reboot: %s\n", strerror(errno));
	stop_requested = 0;
}

/* Interactive: a login shell on the console, for ever. */
static void run_shells(void)
{
	char *sh_argv[] = { "/bin/sh", "-l", NULL };
	int view = cmdline_has(VIEW_FLAG);

	printf("\nWelcome to Aspen. This is busybox sh; type `ls /bin` for the commands.\n"
	       "Quit QEMU with Ctrl-A X.\n");
	mount_persistent(1);
	printf("\n");
	if (view)
		printf("The memory view follows this shell and what it runs (docs/view.md).\n\n");
	for (;;) {
		pid_t pid = spawn("/root", sh_argv);
		if (pid > 0 && view)
			view_trace(pid);
		if (pid > 0) {
			int code = status_code(wait_for(pid));
			if (!stop_requested)
				printf("init: the shell exited with status %d; starting a new one\n", code);
		}
		if (stop_requested)
			power_off();
		sleep(1);          /* so a shell that cannot start does not spin */
	}
}

int main(void)
{
	static char buf[RUN_FILE_MAX];
	char *dir, *argv[RUN_ARGS_MAX];

	open_console();
	setvbuf(stdout, NULL, _IONBF, 0);
	catch_stop_signals();
	cmdline_value(PERSIST_FLAG, persist_name, sizeof(persist_name));
	enable_swap();
	int argc = read_run_file(RUN_FILE, buf, sizeof(buf), &dir, argv);
	if (argc == 0)
		printf("init: %s names no program\n", RUN_FILE);
	int each = argc > 0 ? 0 : read_run_file(RUN_EACH_FILE, buf, sizeof(buf), &dir, argv);
	/* Running tests: init's own pages stay in RAM, so that the frames
	 * it counts before and after a program are comparable. */
	if (argc > 0 || each > 0)
		mlockall(MCL_CURRENT | MCL_FUTURE);
	if (argc > 0)
		return run_once(dir, argv);
	if (each > 0)
		return run_each(dir, each, argv);
	run_shells();
}
