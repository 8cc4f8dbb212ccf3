/*
 * demo.h - what the walkthrough programs share: headings, and reading
 * a process's memory figures back from /proc (maps, smaps, status,
 * pagemap), so that each demo can show its claim as numbers and check
 * it. Everything here works the same on Linux, where the demos also run.
 */
#ifndef ASPEN_DEMO_H
#define ASPEN_DEMO_H
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEMO_PAGE 4096UL

/* Line-buffered output even into a pipe, so that children ending with
 * _exit() lose nothing and lines come out in the order they happened. */
__attribute__((constructor)) static void demo_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* A heading, then the text that says what to look at. */
static inline void demo_section(const char *title)
{
	printf("\n== %s ==\n", title);
}

/* The maps line of pid's region containing addr, into line (size bytes);
 * false when no region holds it. */
static inline bool demo_region_of(int pid, const void *addr, char *line, size_t size)
{
	char path[64];
	unsigned long a = (unsigned long)addr, start, end;
	bool found = false;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "r");
	while (f && !found && fgets(line, (int)size, f))
		found = sscanf(line, "%lx-%lx", &start, &end) == 2 && a >= start && a < end;
	if (f)
		fclose(f);
	if (found)
		line[strcspn(line, "\n")] = '\0';
	return found;
}

/* Memory figures (kB) of pid's region containing addr, from smaps. */
struct demo_figures {
	long rss, shared, private_, private_dirty;
};

static inline bool demo_smaps_of(int pid, const void *addr, struct demo_figures *fig)
{
	char path[64], line[512];
	unsigned long a = (unsigned long)addr, start, end;
	bool in = false, found = false;
	long kb;
	memset(fig, 0, sizeof(*fig));
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = a >= start && a < end;
			found |= in;
		} else if (in && sscanf(line, "%*s %ld kB", &kb) == 1) {
			if (!strncmp(line, "Rss:", 4))
				fig->rss = kb;
			else if (!strncmp(line, "Shared_", 7))
				fig->shared += kb;
			else if (!strncmp(line, "Private_", 8))
				fig->private_ += kb;
			if (!strncmp(line, "Private_Dirty:", 14))
				fig->private_dirty = kb;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* The number after "key:" in /proc/PID/status, or -1 if absent. */
static inline long demo_status_field(int pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	size_t klen = strlen(key);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			v = strtol(line + klen + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* The "State:" letter of pid (R, S, Z...), or '?' when it is gone. */
static inline char demo_state(int pid)
{
	char path[64], line[256];
	char c = '?';
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6))
			sscanf(line + 6, " %c", &c);
	if (f)
		fclose(f);
	return c;
}

/* The physical frame number behind addr in pid (pagemap), 0 when not
 * mapped or hidden (Linux shows frame numbers to root only). */
static inline uint64_t demo_frame_of(int pid, const void *addr)
{
	char path[64];
	uint64_t e = 0;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	off_t off = (off_t)((unsigned long)addr / DEMO_PAGE * sizeof(e));
	if (pread(fd, &e, sizeof(e), off) != (ssize_t)sizeof(e))
		e = 0;
	close(fd);
	return (e >> 63) ? (e & ((1ULL << 55) - 1)) : 0;
}

/* Run another program (by PATH, else beside this one's directory:
 * build/user/demos/../NAME when run from the build tree) and wait. */
static inline int demo_run(char *const argv[])
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char self[512], alt[600];
		execvp(argv[0], argv);
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n > 0) {
			self[n] = '\0';
			snprintf(alt, sizeof(alt), "%s/../%s", dirname(self), argv[0]);
			execv(alt, argv);
		}
		printf("(cannot run %s: %s)\n", argv[0], strerror(errno));
		_exit(127);
	}
	int status = 0;
	if (pid > 0)
		waitpid(pid, &status, 0);
	return status;
}

/* Show this process's whole map: cat /proc/PID/maps (cat's own
 * /proc/self/maps would be cat's). */
static inline void demo_show_own_maps(void)
{
	char maps[32];
	snprintf(maps, sizeof(maps), "/proc/%d/maps", getpid());
	demo_section("the whole map: cat /proc/PID/maps");
	char *cat[] = { "cat", maps, NULL };
	demo_run(cat);
}

/* vmmap of two processes: both tables, then the pair compared. */
static inline void demo_vmmap(pid_t a, pid_t b)
{
	char pa[16], pb[16];
	snprintf(pa, sizeof(pa), "%d", a);
	snprintf(pb, sizeof(pb), "%d", b);
	char *argv[] = { "vmmap", pa, pb, NULL };
	demo_run(argv);
}
#endif
