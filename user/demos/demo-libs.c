/*
 * demo-libs - the layout of a dynamically linked process: seed 000's
 * picture (text, data, bss, heap, then the mmap area, then the stack)
 * with the shared libraries where the seed puts them, in the mmap area.
 * Built by plain gcc, like most Linux programs: the kernel loads this
 * program and its interpreter, ld.so, which maps libc.
 *
 * Then what sharing means for a library: a forked child and its parent
 * use the same frame for libc's code (and so does every other process
 * mapping libc); libc's writable data is copied when one of them writes
 * it; its relocated-then-protected part (RELRO) is read-only.
 */
#include "demo.h"
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/mman.h>

int initialized_global = 42;           /* .data */
int uninitialized_global;              /* .bss */

struct place {
	const char *what;
	const void *addr;
	const char *expect;   /* the region of the seed's picture */
};

static void show(const struct place *p)
{
	char line[512];
	const char *perm_and_name = "(no region)";
	if (demo_region_of(getpid(), p->addr, line, sizeof(line)))
		perm_and_name = strchr(line, ' ') + 1;
	printf("  %-24s %14p  %-7s  %s\n", p->what, p->addr, p->expect, perm_and_name);
}

/* libc's PT_GNU_RELRO in memory, found through ld.so's list of objects. */
struct span {
	uintptr_t start, end;
};

static int find_libc_relro(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct span *s = arg;
	(void)size;
	if (!strstr(info->dlpi_name, "libc.so"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_GNU_RELRO) {
			s->start = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
			s->end = s->start + info->dlpi_phdr[i].p_memsz;
			return 1;
		}
	return 0;
}

/* How many times frame pfn is mapped (/proc/kpagecount), -1 if unknown. */
static long mapcount(uint64_t pfn)
{
	uint64_t count;
	int fd = open("/proc/kpagecount", O_RDONLY);
	long ret = -1;
	if (fd >= 0 && pread(fd, &count, sizeof(count), (off_t)(pfn * sizeof(count))) == sizeof(count))
		ret = (long)count;
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The first region of /proc/self/maps with rights perms whose path
 * ends with name; false if none. */
static bool find_region(const char *name, const char *perms, uintptr_t *start, uintptr_t *end)
{
	char line[512], rights[8];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");
	while (f && !found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		const char *path = strrchr(line, ' ');
		size_t plen = path ? strlen(path + 1) : 0, nlen = strlen(name);
		found = sscanf(line, "%lx-%lx %7s", start, end, rights) == 3 && plen >= nlen &&
			!strcmp(path + 1 + plen - nlen, name) && !strcmp(rights, perms);
	}
	if (f)
		fclose(f);
	return found;
}

/* How many pages of [start, end) map another frame than frames[] says. */
static int pages_changed(uintptr_t start, uintptr_t end, const uint64_t *frames)
{
	int n = 0;
	for (uintptr_t a = start; a < end; a += DEMO_PAGE)
		n += demo_frame_of(getpid(), (void *)a) != frames[(a - start) / DEMO_PAGE];
	return n;
}

#define MAX_DATA_PAGES 16

/* Parent and child compare the frame of libc's code, and of libc's
 * writable data before and after the child calls srand(), which writes
 * libc's random state. */
static bool show_sharing(void)
{
	const void *code = (const void *)printf;
	uint64_t code_frame = demo_frame_of(getpid(), code), data[MAX_DATA_PAGES];
	uintptr_t dstart, dend;
	if (!code_frame) {
		printf("  (pagemap hides frame numbers here: run as root to see them)\n");
		return true;
	}
	if (!find_region("libc.so.6", "rw-p", &dstart, &dend) || dend - dstart > MAX_DATA_PAGES * DEMO_PAGE)
		return false;
	for (uintptr_t a = dstart; a < dend; a += DEMO_PAGE)
		data[(a - dstart) / DEMO_PAGE] = demo_frame_of(getpid(), (void *)a);
	printf("  parent: printf's page is frame %#llx, mapped %ld times in all (kpagecount);\n"
	       "          libc's data, %lu pages at %#lx, starts with frame %#llx\n",
	       (unsigned long long)code_frame, mapcount(code_frame),
	       (unsigned long)((dend - dstart) / DEMO_PAGE), (unsigned long)dstart,
	       (unsigned long long)data[0]);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t c = demo_frame_of(getpid(), code);
		int before = pages_changed(dstart, dend, data);
		srand(7);                              /* libc's data, written: copy on write */
		int after = pages_changed(dstart, dend, data);
		printf("  child:  printf's page is frame %#llx (%s), now mapped %ld times;\n"
		       "          libc's data pages of its own: %d before srand(), %d after (%s)\n",
		       (unsigned long long)c, c == code_frame ? "the same" : "DIFFERENT", mapcount(c),
		       before, after,
		       after > before ? "copied on write" : "NOT COPIED");
		_exit(c == code_frame && after > before ? 0 : 1);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	printf("  one copy of libc's code, data copied on write: %s\n", ok ? "yes" : "NO");
	return ok;
}

int main(int argc, char **argv)
{
	int stack_var = 1;
	int *heap_var = malloc(sizeof(int));
	*heap_var = 2;
	uintptr_t ld_so = getauxval(AT_BASE), vdso = getauxval(AT_SYSINFO_EHDR);
	struct place places[] = {
		{ "main()", (void *)main, "text" },
		{ "initialized_global", &initialized_global, "data" },
		{ "uninitialized_global", &uninitialized_global, "bss" },
		{ "malloc(4)", heap_var, "heap" },
		{ "printf() in libc", (void *)printf, "mmap" },
		{ "stdout's FILE in libc", stdout, "mmap" },
		{ "errno (thread's TLS)", &errno, "mmap" },
		{ "ld.so (AT_BASE)", (void *)ld_so, "mmap" },
		{ "vDSO (AT_SYSINFO_EHDR)", (void *)vdso, "mmap" },
		{ "stack_var", &stack_var, "stack" },
	};
	printf("demo-libs: the address space of a dynamically linked program, pid %d.\n", getpid());
	demo_section("where each thing lives (address, seed's name, region from /proc/self/maps)");
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		show(&places[i]);
	demo_show_own_maps();

	demo_section("the libraries lie in the mmap area, between heap and stack (checked)");
	bool order = (void *)main < (void *)&initialized_global &&
		     (void *)&initialized_global < (void *)heap_var &&
		     (void *)heap_var < (void *)printf && (uintptr_t)printf < ld_so &&
		     ld_so < (uintptr_t)&stack_var;
	printf("  code < globals < heap < libc < ld.so < stack: %s\n", order ? "yes" : "NO");
	printf("  The kernel mapped the program (at 0x555555554000: a PIE), ld.so at the\n"
	       "  top of the mmap area and the vDSO below it (exec_elf.c); ld.so then\n"
	       "  mapped libc with mmap, top-down below them, as any mapping goes.\n");

	demo_section("one copy of libc's code; its data copied on write");
	bool shared = show_sharing();

	demo_section("libc's RELRO: relocated by ld.so, then made read-only");
	struct span relro = { 0, 0 };
	char line[512] = "(not found)";
	bool ro = dl_iterate_phdr(find_libc_relro, &relro) == 1 &&
		  demo_region_of(getpid(), (void *)relro.start, line, sizeof(line)) &&
		  strstr(line, " r--p ") != NULL;
	printf("  %#lx-%#lx: %s\n  read-only: %s\n", (unsigned long)relro.start, (unsigned long)relro.end,
	       line, ro ? "yes" : "NO");
	(void)argc;
	(void)argv;
	return order && shared && ro ? 0 : 1;
}
