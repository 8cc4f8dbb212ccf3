/*
 * pmap - the memory map of a process, in the format of procps' pmap
 * (Debian's busybox has no pmap applet). Reads /proc/PID/maps, and with
 * -x /proc/PID/smaps for the resident and dirty sizes. For the sharing
 * between processes, see vmmap.
 *
 *   pmap [-x] PID...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mapping {
	unsigned long start, end;
	char perms[5];
	char name[256];
	unsigned long rss_kb, dirty_kb;
};

/* The name procps prints: the file's last component, or [ anon ],
 * [ stack ], [ heap ]. */
static void display_name(const char *path, char *out, size_t size)
{
	if (!path[0])
		snprintf(out, size, "  [ anon ]");
	else if (path[0] == '[')
		snprintf(out, size, "  [ %.*s ]", (int)strcspn(path + 1, "]"), path + 1);
	else {
		const char *slash = strrchr(path, '/');
		snprintf(out, size, "%s", slash ? slash + 1 : path);
	}
}

/* Parse one maps line; 1 if it was a mapping line (m untouched if not:
 * smaps' field lines can begin with hex digits too). */
static int parse_maps_line(const char *line, struct mapping *m)
{
	char path[256] = "", perms[5];
	unsigned long start, end;
	int n = 0;
	if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &start, &end, perms, &n) < 3 || n == 0)
		return 0;
	m->start = start;
	m->end = end;
	memcpy(m->perms, perms, sizeof(perms));
	sscanf(line + n, "%255[^\n]", path);
	display_name(path, m->name, sizeof(m->name));
	m->rss_kb = m->dirty_kb = 0;
	return 1;
}

/* Mode as procps writes it: r w x, then s for shared, then - . */
static void mode_of(const struct mapping *m, char mode[6])
{
	mode[0] = m->perms[0];
	mode[1] = m->perms[1];
	mode[2] = m->perms[2];
	mode[3] = m->perms[3] == 's' ? 's' : '-';
	mode[4] = '-';
	mode[5] = 0;
}

static int show(const char *pid, int extended)
{
	char path[64], line[512], cmd[256] = "";
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	FILE *f = fopen(path, "r");
	if (f) {
		size_t n = fread(cmd, 1, sizeof(cmd) - 1, f);
		for (size_t i = 0; i + 1 < n; i++)
			if (!cmd[i])
				cmd[i] = ' ';
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%s/%s", pid, extended ? "smaps" : "maps");
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "pmap: no process %s\n", pid);
		return 1;
	}
	printf("%s:   %s\n", pid, cmd);
	if (extended)
		printf("Address           Kbytes     RSS   Dirty Mode  Mapping\n");
	unsigned long total = 0, total_rss = 0, total_dirty = 0;
	struct mapping m;
	int have = 0;
	char mode[6];
	while (fgets(line, sizeof(line), f)) {
		unsigned long kb;
		if (parse_maps_line(line, &m)) {
			have = 1;
			mode_of(&m, mode);
			total += (m.end - m.start) / 1024;
			if (!extended)
				printf("%016lx %6luK %s %s\n", m.start, (m.end - m.start) / 1024, mode, m.name);
			continue;
		}
		if (!extended || !have)
			continue;
		if (sscanf(line, "Rss: %lu kB", &kb) == 1)
			m.rss_kb = kb;
		else if (sscanf(line, "Private_Dirty: %lu kB", &kb) == 1 || sscanf(line, "Shared_Dirty: %lu kB", &kb) == 1)
			m.dirty_kb += kb;
		else if (strncmp(line, "VmFlags:", 8) == 0) {
			printf("%016lx %7lu %7lu %7lu %s %s\n", m.start, (m.end - m.start) / 1024, m.rss_kb,
			       m.dirty_kb, mode, m.name);
			total_rss += m.rss_kb;
			total_dirty += m.dirty_kb;
			have = 0;
		}
	}
	fclose(f);
	if (extended)
		printf("---------------- ------- ------- -------\ntotal kB         %7lu %7lu %7lu\n", total,
		       total_rss, total_dirty);
	else
		printf(" total %16luK\n", total);
	return 0;
}

int main(int argc, char **argv)
{
	int extended = 0, status = 0, first = 1;
	if (first < argc && strcmp(argv[first], "-x") == 0) {
		extended = 1;
		first++;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: pmap [-x] PID...\n");
		return 2;
	}
	for (int i = first; i < argc; i++)
		status |= show(argv[i], extended);
	return status;
}
