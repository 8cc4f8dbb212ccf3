/* proc.c - /proc in Linux's formats: maps line by line against the
 * program's own addresses, smaps and status figures around a fork of
 * 64 MiB, pagemap and kpagecount frame numbers, cmdline, fd links, task
 * dirs, and busybox ps and free reading them. */
#include "gtest.h"
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <sys/syscall.h>

#define MIB (1024UL * 1024)
#define BIG (64 * MIB)
#define PAGE 4096UL
#define KB_SLACK 1024          /* stack, libc data and the like around the buffer */
#define MAPS_NAME_COLUMN 73    /* Linux pads the name to start here */

int data_global = 1;

/* The maps line of the region holding addr (in pid's maps), or NULL. */
static char *maps_line_of(const char *maps, const void *addr, char *line, size_t size)
{
	unsigned long a = (unsigned long)addr, s, e;
	for (const char *p = maps; *p; ) {
		size_t n = strcspn(p, "\n");
		if (sscanf(p, "%lx-%lx", &s, &e) == 2 && a >= s && a < e) {
			snprintf(line, size, "%.*s", (int)n, p);
			return line;
		}
		p += n + (p[n] == '\n');
	}
	return NULL;
}

GTEST(maps_lines_match_linux_format)
{
	static char maps[64 * 1024];
	regex_t re;
	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK_EQ(regcomp(&re, "^[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-][ps] [0-9a-f]{8,} "
			 "[0-9a-f]{2,}:[0-9a-f]{2,} [0-9]+ ( *[^ ].*)?$", REG_EXTENDED | REG_NOSUB), 0);
	int lines = 0;
	for (char *line = strtok(maps, "\n"); line; line = strtok(NULL, "\n"), lines++) {
		CHECK(regexec(&re, line, 0, NULL, 0) == 0, "line \"%s\"", line);
		int name_at = 0, ino_end = 0;
		sscanf(line, "%*x-%*x %*s %*x %*s %*u%n %n", &ino_end, &name_at);
		if (name_at && line[name_at] && ino_end < MAPS_NAME_COLUMN - 1)
			CHECK(name_at == MAPS_NAME_COLUMN, "name at column %d: \"%s\"", name_at, line);
	}
	regfree(&re);
	CHECK(lines >= 4, "only %d lines", lines);
}

GTEST(maps_regions_hold_the_programs_addresses)
{
	static char maps[64 * 1024];
	char line[512], exe[256];
	int stack_var = 0;
	char *brk0 = (char *)syscall(SYS_brk, 0);
	CHECK((char *)syscall(SYS_brk, brk0 + PAGE) == brk0 + PAGE);
	brk0[0] = 1;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0, "readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK(maps_line_of(maps, (void *)maps_line_of, line, sizeof(line)), "no region for code");
	CHECK(strstr(line, " r-xp ") && strstr(line, exe), "code in \"%s\" (exe %s)", line, exe);
	CHECK(maps_line_of(maps, &data_global, line, sizeof(line)));
	CHECK(strstr(line, " rw-p "), "data in \"%s\"", line);
	CHECK(maps_line_of(maps, &stack_var, line, sizeof(line)));
	CHECK(strstr(line, "[stack]"), "stack variable in \"%s\"", line);
	CHECK(maps_line_of(maps, brk0, line, sizeof(line)));
	CHECK(strstr(line, "[heap]"), "brk memory in \"%s\"", line);
}

/* Shared_* and Private_Dirty (kB) of pid's region holding addr. */
static void smaps_of(pid_t pid, const void *addr, long *shared, long *private_dirty)
{
	static char buf[256 * 1024];
	char path[64];
	unsigned long a = (unsigned long)addr, s, e;
	bool in = false;
	long kb;
	*shared = *private_dirty = -1;
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	read_file(path, buf, sizeof(buf));
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		if (sscanf(l, "%lx-%lx ", &s, &e) == 2 && strchr(l, ' ') > strchr(l, '-'))
			in = a >= s && a < e;
		else if (in && sscanf(l, "%*s %ld kB", &kb) == 1) {
			if (!strncmp(l, "Shared_", 7))
				*shared = (*shared < 0 ? 0 : *shared) + kb;
			if (!strncmp(l, "Private_Dirty:", 14))
				*private_dirty = kb;
		}
	}
}

/* The number of field key ("Threads:") in /proc/PID/status, or -1. */
static long status_field(pid_t pid, const char *key)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return proc_number(path, key);
}

GTEST_SLOW(smaps_shared_after_fork_then_private_after_write, 120)
{
	char *big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2], done[2];
	char c;
	long shared, dirty;
	if (fork_strategy() == ASPEN_FORK_COPY)
		SKIP("fork_strategy copy: fork shares no private frame (cow.c checks what it copies)");
	CHECK(big != MAP_FAILED);
	memset(big, 1, BIG);
	CHECK(pipe(go) == 0 && pipe(done) == 0);
	pid_t pid = xfork();
	if (pid == 0) {
		long copies0 = status_field(getpid(), "AspenCowCopies:");
		smaps_of(getpid(), big, &shared, &dirty);
		CHECK(shared >= (long)(BIG / 1024), "child right after fork: Shared %ld kB", shared);
		CHECK(read(go[0], &c, 1) == 1);       /* the parent has looked too */
		for (size_t off = 0; off < BIG / 2; off += PAGE)
			big[off] = 2;
		smaps_of(getpid(), big, &shared, &dirty);
		CHECK(dirty >= (long)(BIG / 2 / 1024), "child after writing half: Private_Dirty %ld kB", dirty);
		CHECK(shared <= (long)(BIG / 2 / 1024) + KB_SLACK, "child: still Shared %ld kB", shared);
		if (on_aspen())    /* Aspen's own counter: one copy per page written */
			CHECK(status_field(getpid(), "AspenCowCopies:") - copies0 >= (long)(BIG / 2 / PAGE));
		CHECK(write(done[1], "w", 1) == 1 && read(go[0], &c, 1) == 1);
		_exit(0);
	}
	smaps_of(getpid(), big, &shared, &dirty);
	CHECK(shared >= (long)(BIG / 1024), "parent right after fork: Shared %ld kB", shared);
	CHECK(write(go[1], "g", 1) == 1 && read(done[0], &c, 1) == 1);
	smaps_of(getpid(), big, &shared, &dirty);
	CHECK(shared >= (long)(BIG / 2 / 1024) && shared <= (long)(BIG / 2 / 1024) + KB_SLACK,
	      "parent after the child wrote half: Shared %ld kB", shared);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK_EXITED(wait_status(pid), 0);
}

/* The frame number of addr in pid, or 0 if hidden (not root on Linux). */
static uint64_t frame_of(pid_t pid, const void *addr)
{
	char path[64];
	uint64_t e = 0;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	CHECK(pread(fd, &e, 8, (off_t)((uintptr_t)addr / PAGE * 8)) == 8);
	close(fd);
	CHECK(e >> 63, "page %p not present in %d", addr, (int)pid);
	return e & ((1ULL << 55) - 1);
}

GTEST(pagemap_same_frame_after_fork_different_after_write)
{
	char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	page[0] = 1;
	if (frame_of(getpid(), page) == 0)
		SKIP("pagemap hides frame numbers (not root)");
	pid_t pid = xfork();
	if (pid == 0) {
		uint64_t mine = frame_of(getpid(), page), parents = frame_of(getppid(), page);
		bool copied = fork_strategy() == ASPEN_FORK_COPY;   /* Aspen: copied at fork */
		CHECK(copied ? mine != parents : mine == parents, "after fork: child %#llx, parent %#llx",
		      (unsigned long long)mine, (unsigned long long)parents);
		int kfd = open("/proc/kpagecount", O_RDONLY);
		uint64_t count = 0;
		CHECK(kfd >= 0 && pread(kfd, &count, 8, (off_t)(mine * 8)) == 8);
		CHECK(copied ? count == 1 : count >= 2, "kpagecount of a frame %s: %llu",
		      copied ? "the child alone maps" : "two processes map", (unsigned long long)count);
		close(kfd);
		page[0] = 2;
		mine = frame_of(getpid(), page);
		CHECK(mine != parents, "after the child's write both still map %#llx", (unsigned long long)mine);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(page[0], 1);
}

GTEST(status_names_the_process)
{
	char buf[4096];
	read_file("/proc/self/status", buf, sizeof(buf));
	static const char *const keys[] = { "Name:", "State:", "Tgid:", "Pid:", "PPid:", "Threads:",
		"VmSize:", "VmRSS:", "VmData:", "VmStk:", "VmExe:" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK(strstr(buf, keys[i]), "no %s in status", keys[i]);
	CHECK_EQ(status_field(getpid(), "Pid:"), getpid());
	CHECK_EQ(status_field(getpid(), "PPid:"), getppid());
	CHECK(status_field(getpid(), "VmRSS:") > 0);
	if (on_aspen()) {
		struct aspen_counters c = counters_self();
		long copies = status_field(getpid(), "AspenCowCopies:");
		CHECK(copies >= 0 && (uint64_t)copies <= c.cow_copies + 2,
		      "status %ld, syscall %llu", copies, (unsigned long long)c.cow_copies);
	}
}

GTEST(stat_and_statm_parse)
{
	char buf[2048], comm[64], state;
	int pid, ppid;
	unsigned long size, resident;
	read_file("/proc/self/stat", buf, sizeof(buf));
	CHECK(sscanf(buf, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid) == 4, "stat: %s", buf);
	CHECK_EQ(pid, getpid());
	CHECK_EQ(ppid, getppid());
	CHECK(state == 'R', "state %c", state);
	read_file("/proc/self/statm", buf, sizeof(buf));
	CHECK(sscanf(buf, "%lu %lu", &size, &resident) == 2 && resident > 0 && size >= resident,
	      "statm: %s", buf);
}

GTEST(cmdline_is_argv)
{
	char buf[4096], want[4096];
	size_t len = read_file("/proc/self/cmdline", buf, sizeof(buf)), wlen = 0;
	for (int i = 0; i < gtest_argc; i++) {
		size_t n = strlen(gtest_argv[i]) + 1;
		memcpy(want + wlen, gtest_argv[i], n);
		wlen += n;
	}
	CHECK_EQ(len, wlen);
	CHECK(memcmp(buf, want, len) == 0, "cmdline starts \"%s\"", buf);
}

GTEST(fd_links_name_files)
{
	char path[64], target[256];
	int fd = open("/tmp/proc-fd-link", O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	unlink("/tmp/proc-fd-link");
	CHECK(n > 0, "readlink %s: %s", path, strerror(errno));
	target[n] = '\0';
	CHECK(!strcmp(target, "/tmp/proc-fd-link"), "link says %s", target);
	int p[2];
	CHECK(pipe(p) == 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	n = readlink(path, target, sizeof(target) - 1);
	CHECK(n > 0);
	target[n] = '\0';
	CHECK(!strncmp(target, "pipe:[", 6), "pipe link says %s", target);
}

static volatile int sleeper_released;

/* A second thread that lives until the test is done looking at it. */
static void *sleeper(void *arg)
{
	while (!sleeper_released)
		sleep_ms(1);
	return arg;
}

GTEST(task_dir_lists_threads)
{
	pthread_t t;
	char path[64], buf[256];
	CHECK(pthread_create(&t, NULL, sleeper, NULL) == 0);
	CHECK_EQ(status_field(getpid(), "Threads:"), 2);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", getpid(), getpid());
	read_file(path, buf, sizeof(buf));
	CHECK(atoi(buf) == getpid(), "task stat: %s", buf);
	sleeper_released = 1;
	pthread_join(t, NULL);
}

/* Run busybox APPLET ARGS... with its output into buf. */
static void busybox(char *buf, size_t size, char *const argv[])
{
	CHECK_EXITED(run_output("busybox", argv, buf, size), 0);
}

GTEST_SLOW(ps_shows_a_pipeline_with_parents, 60)
{
	static char out[256 * 1024];
	pid_t sh = xfork();
	if (sh == 0) {
		setpgid(0, 0);
		execlp("sh", "sh", "-c", "sleep 20 | cat", (char *)NULL);
		_exit(127);
	}
	int found = 0;
	for (int tries = 0; tries < 400 && found < 2; tries++) {   /* 40 s on a busy host */
		sleep_ms(100);
		char *argv[] = { "busybox", "ps", "-o", "pid,ppid,comm", NULL };
		busybox(out, sizeof(out), argv);
		found = 0;
		for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
			int pid, ppid;
			char comm[64];
			if (sscanf(l, "%d %d %63s", &pid, &ppid, comm) == 3 && ppid == sh &&
			    (!strcmp(comm, "sleep") || !strcmp(comm, "cat")))
				found++;
		}
	}
	kill(-sh, SIGKILL);
	wait_status(sh);
	CHECK_EQ(found, 2);
}

/* busybox free's "used" column (KiB). */
static long free_used(void)
{
	static char out[4096];
	char *argv[] = { "busybox", "free", NULL };
	long total, used;
	busybox(out, sizeof(out), argv);
	char *mem = strstr(out, "Mem:");
	CHECK(mem && sscanf(mem, "Mem: %ld %ld", &total, &used) == 2, "free said: %s", out);
	return used;
}

GTEST_SLOW(free_sees_an_allocation, 60)
{
	ASPEN_ONLY();    /* natively the rest of the host moves the figures too */
	long before = free_used();
	char *big = mmap(NULL, BIG / 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(big != MAP_FAILED);
	memset(big, 1, BIG / 2);
	long after = free_used();
	CHECK(after - before >= (long)(BIG / 2 / 1024) * 3 / 4, "used %ld kB then %ld kB", before, after);
}

/* The counters structure only grows at its end: a program built against
 * the first version's size still gets its fields; a smaller size is EINVAL. */
GTEST(counters_accept_the_first_version_size)
{
	ASPEN_ONLY();
	struct aspen_counters c;
	memset(&c, 0xff, sizeof(c));
	CHECK_EQ(syscall(SYS_aspen_counters, 0, &c, ASPEN_COUNTERS_SIZE_V1), 0);
	CHECK(c.sys_frames_total > 0 && c.sys_frames_total != ~0UL, "sys_frames_total %lu", (unsigned long)c.sys_frames_total);
	CHECK(c.major_faults == ~0UL, "a field past the size asked for was written");
	errno = 0;
	CHECK_ERR(syscall(SYS_aspen_counters, 0, &c, ASPEN_COUNTERS_SIZE_V1 - 8), EINVAL);
}
