// GUEST: glibc-dyn musl-dyn no-musl
/*
 * dynlink.c - a dynamically linked program (built by plain gcc: a PIE
 * with /lib64/ld-linux-x86-64.so.2 as its interpreter; or by musl-gcc:
 * a PIE whose interpreter /lib/ld-musl-x86_64.so.1 is musl's libc
 * itself): where the kernel and the loader put the program, the
 * interpreter and libc; dlopen of a library with a constructor and
 * thread-local storage; libc's RELRO read-only after relocation; libc's
 * text one copy in memory however many processes map it.
 */
#include "gtest.h"
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <fcntl.h>
#include <sys/personality.h>

#define LINE_MAX_LEN 512
#define TEXT_TOP     0x555555554000UL    /* a PIE's place without randomization */
#define MMAP_TOP     0x7ffff7fff000UL    /* the interpreter ends here */
#define THREADS      4
#define SHARERS      4                   /* processes that map libc at once */
#define PAGE         4096UL
#define MAX_TEXT_PAGES 1024
#define PM_PRESENT   (1ULL << 63)
#define PM_PFN_MASK  ((1ULL << 55) - 1)

/* How each libc's files show in /proc/self/maps (the ends of the paths)
 * and in dl_iterate_phdr, and the test library built for it. */
#ifdef __GLIBC__
#define LIBC_MAP     "/libc.so.6"
#define LDSO_MAP     "/ld-linux-x86-64.so.2"
#define GTDYN_LIB    "libgtdyn.so"
#define LIBC_DL_NAME "libc.so.6"
#else /* musl: the loader is libc.so, the file /lib/ld-musl-x86_64.so.1 links to */
#define LIBC_MAP     "/libc.so"
#define LDSO_MAP     LIBC_MAP
#define GTDYN_LIB    "libgtdyn-musl.so"
#define LIBC_DL_NAME "ld-musl-x86_64.so.1"
#endif

/* The mappings of /proc/self/maps whose path ends with name (and whose
 * rights are perms, unless NULL): the start of the first, the end of the
 * last. false if none. */
static bool find_mapping_perms(const char *name, const char *perms, uintptr_t *start, uintptr_t *end)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[LINE_MAX_LEN], rights[8];
	bool found = false;
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		uintptr_t s, e;
		line[strcspn(line, "\n")] = '\0';
		char *path = strrchr(line, ' ');
		if (sscanf(line, "%lx-%lx %7s", &s, &e, rights) != 3 || !path)
			continue;
		size_t plen = strlen(path + 1), nlen = strlen(name);
		if (plen < nlen || strcmp(path + 1 + plen - nlen, name) != 0 ||
		    (perms && strcmp(rights, perms) != 0))
			continue;
		if (!found)
			*start = s;
		*end = e;
		found = true;
	}
	fclose(f);
	return found;
}

static bool find_mapping(const char *name, uintptr_t *start, uintptr_t *end)
{
	return find_mapping_perms(name, NULL, start, end);
}

/* The end of library name's image in memory: its last mapping, or the
 * anonymous mapping right after it that holds its bss (musl's libc has
 * one). 0 if it is not mapped. */
static uintptr_t image_end(const char *name)
{
	uintptr_t start, end;
	if (!find_mapping(name, &start, &end))
		return 0;
	FILE *f = fopen("/proc/self/maps", "r");
	char line[LINE_MAX_LEN];
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		uintptr_t s, e;
		line[strcspn(line, "\n")] = '\0';
		char *path = strrchr(line, ' ');
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s == end && path && path[1] == '\0')
			end = e;
	}
	fclose(f);
	return end;
}

static bool is_elf_header(uintptr_t addr, uint16_t type)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)addr;
	return memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_type == type;
}

GTEST(interp_is_ld_so_at_at_base)
{
	uintptr_t base = getauxval(AT_BASE), start, end;
	CHECK(base != 0, "AT_BASE is 0 in a dynamically linked program");
	CHECK(is_elf_header(base, ET_DYN), "no ELF header at AT_BASE %#lx", base);
	CHECK(find_mapping(LDSO_MAP, &start, &end), "ld.so not in maps");
	CHECK_EQ(start, base);
}

/* Program, heap, libc, ld.so and stack in Linux's order. */
GTEST(pie_heap_libc_interp_stack_ascend)
{
	uintptr_t prog = getauxval(AT_PHDR) & ~0xfffUL, heap = (uintptr_t)sbrk(0);
	uintptr_t libc_lo, libc_hi, ld_lo, ld_hi;
	int local;
	CHECK(is_elf_header(prog, ET_DYN), "the program is not a PIE");
	CHECK(find_mapping(LIBC_MAP, &libc_lo, &libc_hi));
	CHECK(find_mapping(LDSO_MAP, &ld_lo, &ld_hi));
	printf("# program %#lx heap %#lx libc %#lx ld.so %#lx stack %p\n", prog, heap, libc_lo, ld_lo,
	       (void *)&local);
	CHECK(prog < heap && heap < libc_lo && (libc_hi <= ld_lo || libc_lo == ld_lo) &&
	      ld_hi < (uintptr_t)&local);
}

/* The same program re-run without address-space randomization (Linux's
 * setarch -R; Aspen never randomizes) prints its maps: the PIE at
 * 0x555555554000, ld.so (with its bss) ending at the top of the mmap area, the vDSO
 * right below it. */
#define PRINT_MAPS_ENV "DYNLINK_PRINT_MAPS"
__attribute__((constructor)) static void print_maps_and_exit(void)
{
	if (!getenv(PRINT_MAPS_ENV))
		return;
	uintptr_t s, e, ls, le, vs, ve;
	bool ok = find_mapping("/dynlink", &s, &e) &&
		  find_mapping(LDSO_MAP, &ls, &le) && find_mapping("[vdso]", &vs, &ve);
	le = image_end(LDSO_MAP);
	printf("%lx %lx %lx %lx\n", ok ? s : 0, ok ? ls : 0, ok ? le : 0, ok ? ve : 0);
	fflush(stdout);
	_exit(0);
}

GTEST(layout_without_randomization_as_linux)
{
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		dup2(fds[1], 1);
		personality(ADDR_NO_RANDOMIZE);   /* ENOSYS on Aspen: nothing to turn off */
		char *envp[] = { PRINT_MAPS_ENV "=1", NULL };
		execle("/proc/self/exe", gtest_argv[0], (char *)NULL, envp);
		_exit(127);
	}
	close(fds[1]);
	char buf[128] = "";
	CHECK(read(fds[0], buf, sizeof(buf) - 1) > 0);
	close(fds[0]);
	CHECK_EXITED(wait_status(pid), 0);
	unsigned long prog, ld, ld_end, vdso_end;
	CHECK(sscanf(buf, "%lx %lx %lx %lx", &prog, &ld, &ld_end, &vdso_end) == 4, "child said %s", buf);
	CHECK_EQ(prog, TEXT_TOP);
	CHECK_EQ(ld_end, MMAP_TOP);
	CHECK_EQ(vdso_end, ld);   /* the vDSO right below the interpreter */
}

/* /tests/lib beside /tests/glibc-dyn and /tests/musl-dyn (build/gtest/lib natively). */
static void lib_path(char *buf, size_t size, const char *name)
{
	char exe[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0, "readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(buf, size, "%s/../lib/%s", exe, name);
}

static void *open_gtdyn(void)
{
	char path[300];
	lib_path(path, sizeof(path), GTDYN_LIB);
	void *h = dlopen(path, RTLD_NOW);
	CHECK(h != NULL, "dlopen %s: %s", path, dlerror());
	return h;
}

GTEST(dlopen_runs_constructor_and_finds_symbols)
{
	void *h = open_gtdyn();
	int *ran = dlsym(h, "gtdyn_ctor_ran");
	int (*answer)(void) = (int (*)(void))dlsym(h, "gtdyn_answer");
	CHECK(ran && answer, "dlsym: %s", dlerror());
	CHECK_EQ(*ran, 1);
	CHECK_EQ(answer(), 42);
	CHECK_EQ(dlclose(h), 0);
	CHECK(dlopen("/nonexistent/libnothing.so", RTLD_NOW) == NULL);
}

GTEST(dlopen_system_library_by_soname)
{
	void *h = dlopen("libm.so.6", RTLD_NOW);
	CHECK(h != NULL, "dlopen libm.so.6: %s", dlerror());
	double (*cosine)(double) = (double (*)(double))dlsym(h, "cos");
	CHECK(cosine != NULL);
	CHECK(cosine(0.0) == 1.0);
	dlclose(h);
}

struct tls_seen {
	int *(*addr)(void);
	int *mine;
	int first;
};

static void *tls_thread(void *arg)
{
	struct tls_seen *s = arg;
	s->mine = s->addr();
	s->first = *s->mine;
	*s->mine = 100;   /* only this thread's copy */
	return NULL;
}

/* A library's __thread variable: every thread its own copy, starting
 * at the initial value. */
GTEST(library_tls_is_per_thread)
{
	void *h = open_gtdyn();
	int *(*addr)(void) = (int *(*)(void))dlsym(h, "gtdyn_tls_addr");
	CHECK(addr != NULL);
	*addr() = 7;
	pthread_t t[THREADS];
	struct tls_seen seen[THREADS];
	for (int i = 0; i < THREADS; i++) {
		seen[i] = (struct tls_seen){ addr, NULL, 0 };
		CHECK_EQ(pthread_create(&t[i], NULL, tls_thread, &seen[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < THREADS; i++) {
		CHECK_EQ(seen[i].first, 5);
		CHECK(seen[i].mine != addr());
		for (int j = 0; j < i; j++)
			CHECK(seen[i].mine != seen[j].mine);
	}
	CHECK_EQ(*addr(), 7);
}

/* Debian's musl-gcc -static-pie output names musl's loader: it runs. */
GTEST(musl_static_pie_output_runs)
{
	char path[300], buf[128] = "";
	int fds[2];
	lib_path(path, sizeof(path), "hello-musl-static-pie");
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		dup2(fds[1], 1);
		execl(path, path, "aspen", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	CHECK(read(fds[0], buf, sizeof(buf) - 1) > 0);
	close(fds[0]);
	CHECK_EXITED(wait_status(pid), 7);
	CHECK(strcmp(buf, "hello from aspen, 1 argument(s)\n") == 0, "it said %s", buf);
}

/* libc's PT_GNU_RELRO, relocated then made read-only by ld.so. */
struct relro {
	uintptr_t start, end;
};

static int find_libc_relro(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct relro *r = arg;
	if (!strstr(info->dlpi_name, LIBC_DL_NAME))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_GNU_RELRO) {
			r->start = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
			r->end = r->start + info->dlpi_phdr[i].p_memsz;
			return 1;
		}
	return 0;
}

GTEST(libc_relro_read_only_after_relocation)
{
	struct relro r = { 0, 0 };
	CHECK(dl_iterate_phdr(find_libc_relro, &r) == 1, "libc has no PT_GNU_RELRO");
	/* Both loaders protect from the page holding its start to the page
	 * boundary below its end (the rest of that page is writable data). */
	uintptr_t page = r.start & ~0xfffUL;
	CHECK(page < (r.end & ~0xfffUL), "RELRO ends in its first page");
	volatile int *p = (volatile int *)page;
	int before = *p;
	pid_t pid = xfork();
	if (pid == 0) {
		*p = before + 1;
		_exit(0);
	}
	CHECK_SIGNALED(wait_status(pid), SIGSEGV);
	CHECK_EQ(*p, before);
}

/* ---- one copy of libc's text for every process ---- */

/* The libraries whose text every process shares: libc, mapped by ld.so,
 * and ld.so itself, mapped by the kernel. */
#ifdef __GLIBC__
static const char *const shared_texts[] = { LIBC_MAP, LDSO_MAP };
#else
static const char *const shared_texts[] = { LIBC_MAP };
#endif
#define NTEXTS (sizeof(shared_texts) / sizeof(shared_texts[0]))

/* Touch every page of this process's text of library lib and give the
 * frame number of each (0 where pagemap hides it: not root on Linux).
 * The count. */
static size_t text_frames(const char *lib, uint64_t *pfns)
{
	uintptr_t start, end;
	CHECK(find_mapping_perms(lib, "r-xp", &start, &end), "no text of %s in maps", lib);
	size_t n = (end - start) / PAGE;
	CHECK(n > 0 && n <= MAX_TEXT_PAGES);
	for (size_t i = 0; i < n; i++)
		(void)*(volatile const char *)(start + i * PAGE);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(pread(fd, pfns, n * 8, (off_t)(start / PAGE * 8)) == (ssize_t)(n * 8));
	close(fd);
	for (size_t i = 0; i < n; i++)
		pfns[i] = pfns[i] & PM_PRESENT ? pfns[i] & PM_PFN_MASK : 0;
	return n;
}

/* A child's part (DYNLINK_LIBC_FRAMES set): print the frames of each
 * library's text, then stay alive, mapping them, until the parent closes
 * our stdin. */
#define LIBC_FRAMES_ENV "DYNLINK_LIBC_FRAMES"
__attribute__((constructor)) static void print_libc_frames_and_wait(void)
{
	if (!getenv(LIBC_FRAMES_ENV))
		return;
	static uint64_t pfns[MAX_TEXT_PAGES];
	for (size_t t = 0; t < NTEXTS; t++) {
		size_t n = text_frames(shared_texts[t], pfns);
		printf("%zu", n);
		for (size_t i = 0; i < n; i++)
			printf(" %llx", (unsigned long long)pfns[i]);
		printf("\n");
	}
	fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0)
		;
	_exit(0);
}

struct sharer {
	pid_t pid;
	int to_child, from_child;
};

/* Start the program again with LIBC_FRAMES_ENV: a process mapping libc. */
static struct sharer start_sharer(void)
{
	int in[2], out[2];   /* close-on-exec: the other sharers must not hold our ends */
	CHECK_EQ(pipe2(in, O_CLOEXEC), 0);
	CHECK_EQ(pipe2(out, O_CLOEXEC), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		char *envp[] = { LIBC_FRAMES_ENV "=1", NULL };
		personality(ADDR_NO_RANDOMIZE);   /* every sharer's libc at one address, for vmmap */
		execle("/proc/self/exe", gtest_argv[0], (char *)NULL, envp);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	return (struct sharer){ pid, in[1], out[0] };
}

/* Read a sharer's frame list from f; its page count. */
static size_t read_frames(FILE *f, uint64_t *pfns)
{
	size_t n = 0;
	CHECK(fscanf(f, "%zu", &n) == 1 && n <= MAX_TEXT_PAGES, "no frame list");
	for (size_t i = 0; i < n; i++) {
		unsigned long long v;
		CHECK(fscanf(f, "%llx", &v) == 1);
		pfns[i] = v;
	}
	return n;
}

static uint64_t kpagecount(uint64_t pfn)
{
	uint64_t count = 0;
	int fd = open("/proc/kpagecount", O_RDONLY);
	CHECK(fd >= 0, "open /proc/kpagecount: %s", strerror(errno));
	CHECK(pread(fd, &count, 8, (off_t)(pfn * 8)) == 8);
	close(fd);
	return count;
}

/* vmmap (user/vmmap.c) of two processes: its output in out. */
static void run_vmmap(pid_t a, pid_t b, char *out, size_t size)
{
	char path[300], pa[16], pb[16];
	if (on_aspen())
		snprintf(path, sizeof(path), "/bin/vmmap");
	else
		lib_path(path, sizeof(path), "../../user/vmmap");   /* build/user/vmmap */
	snprintf(pa, sizeof(pa), "%d", (int)a);
	snprintf(pb, sizeof(pb), "%d", (int)b);
	char *argv[] = { "vmmap", pa, pb, NULL };
	CHECK_EXITED(run_output(path, argv, out, size), 0);
}

/* vmmap shows the sharing too: in the first process's table, the row of
 * libc's text is all resident and all shared; in the comparison of the
 * two, every page of it is the same frame. */
static void check_vmmap_shows_libc_text_shared(pid_t a, pid_t b, size_t pages)
{
	static char out[64 * 1024];
	run_vmmap(a, b, out, sizeof(out));
	char kind[16], perms[8], units[4][4];
	unsigned long start = 0, end, kb[4], same = 0, copied = 1, one = 1;
	bool row = false, pair = false;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		/* REGION RANGE PERM SIZE RESIDENT SHARED PRIVATE ... MAPPING */
		const char *file = strrchr(line, ' ');
		size_t flen = file ? strlen(file) : 0;
		if (!row && sscanf(line, " %15s %lx-%lx %7s %lu %3s %lu %3s %lu %3s %lu %3s", kind,
				   &start, &end, perms, &kb[0], units[0], &kb[1], units[1], &kb[2], units[2],
				   &kb[3], units[3]) == 12 &&
		    !strcmp(perms, "r-xp") && flen >= strlen(LIBC_MAP) &&
		    !strcmp(file + flen - strlen(LIBC_MAP), LIBC_MAP)) {
			row = true;
			printf("# vmmap: %s\n", line);
			CHECK(!strcmp(kind, "lib") && kb[1] > 0 && kb[1] == kb[2] &&
			      !strcmp(units[1], units[2]) && kb[3] == 0,
			      "libc's text not all resident and shared: %s", line);
		}
		unsigned long s2;
		if (row && !pair && strstr(line, "lib") && sscanf(line, " lib %lx %lu %lu %lu", &s2, &same,
								   &copied, &one) == 4 && s2 == start) {
			pair = true;
			printf("# vmmap: %s\n", line);
		}
	}
	CHECK(row, "no row of libc's text in vmmap's table");
	CHECK(pair, "no comparison row of libc's text");
	CHECK(same == pages && copied == 0 && one == 0,
	      "libc's text of %d and %d: %lu same frames, %lu copied, %lu in one only, of %zu pages",
	      (int)a, (int)b, same, copied, one, pages);
}

/* SHARERS processes running this program, and this one: every page of
 * libc's text, and of ld.so's, is the same frame in all of them (the
 * page cache's), /proc/kpagecount sees each mapped by all of them, and
 * vmmap shows it. */
GTEST_SLOW(libc_text_is_one_copy_for_every_process, 60)
{
	static uint64_t mine[NTEXTS][MAX_TEXT_PAGES], theirs[MAX_TEXT_PAGES];
	size_t n[NTEXTS];
	for (size_t t = 0; t < NTEXTS; t++)
		n[t] = text_frames(shared_texts[t], mine[t]);
	if (mine[0][0] == 0)
		SKIP("pagemap hides frame numbers (not root)");
	struct sharer sh[SHARERS];
	for (int k = 0; k < SHARERS; k++)
		sh[k] = start_sharer();
	for (int k = 0; k < SHARERS; k++) {
		FILE *f = fdopen(dup(sh[k].from_child), "r");
		CHECK(f != NULL);
		for (size_t t = 0; t < NTEXTS; t++) {
			CHECK_EQ(read_frames(f, theirs), n[t]);
			for (size_t i = 0; i < n[t]; i++)
				CHECK(theirs[i] == mine[t][i], "page %zu of %s's text: frame %#llx here, %#llx in %d",
				      i, shared_texts[t], (unsigned long long)mine[t][i],
				      (unsigned long long)theirs[i], (int)sh[k].pid);
		}
		fclose(f);
	}
	check_vmmap_shows_libc_text_shared(sh[0].pid, sh[1].pid, n[0]);
	for (size_t t = 0; t < NTEXTS; t++)
		for (size_t i = 0; i < n[t]; i++)
			CHECK(kpagecount(mine[t][i]) >= SHARERS + 1, "page %zu of %s mapped %llu times", i,
			      shared_texts[t], (unsigned long long)kpagecount(mine[t][i]));
	if (on_aspen()) {
		struct aspen_counters c;
		CHECK_EQ(aspen_counters(sh[0].pid, &c), 0);
		size_t texts = 0;
		for (size_t t = 0; t < NTEXTS; t++)
			texts += n[t];
		CHECK(c.shared_pages >= texts, "a sharer shares %llu pages, the texts alone are %zu",
		      (unsigned long long)c.shared_pages, texts);
	}
	for (int k = 0; k < SHARERS; k++) {
		close(sh[k].to_child);
		close(sh[k].from_child);
		CHECK_EXITED(wait_status(sh[k].pid), 0);
	}
}
