// GUEST: glibc-dyn no-musl
/*
 * dynlink.c - a dynamically linked program (built by plain gcc: a PIE
 * with /lib64/ld-linux-x86-64.so.2 as its interpreter): where the kernel
 * and ld.so put the program, the interpreter and libc; dlopen of a
 * library with a constructor and thread-local storage; libc's RELRO
 * read-only after relocation.
 */
#include "gtest.h"
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/personality.h>

#define LINE_MAX_LEN 512
#define TEXT_TOP     0x555555554000UL    /* a PIE's place without randomization */
#define MMAP_TOP     0x7ffff7fff000UL    /* the interpreter ends here */
#define THREADS      4

/* The mappings of /proc/self/maps whose path ends with name: the start
 * of the first, the end of the last. false if none. */
static bool find_mapping(const char *name, uintptr_t *start, uintptr_t *end)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[LINE_MAX_LEN];
	bool found = false;
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		uintptr_t s, e;
		line[strcspn(line, "\n")] = '\0';
		char *path = strrchr(line, ' ');
		if (sscanf(line, "%lx-%lx", &s, &e) != 2 || !path)
			continue;
		size_t plen = strlen(path + 1), nlen = strlen(name);
		if (plen < nlen || strcmp(path + 1 + plen - nlen, name) != 0)
			continue;
		if (!found)
			*start = s;
		*end = e;
		found = true;
	}
	fclose(f);
	return found;
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
	CHECK(find_mapping("ld-linux-x86-64.so.2", &start, &end), "ld.so not in maps");
	CHECK_EQ(start, base);
}

/* Program, heap, libc, ld.so and stack in Linux's order. */
GTEST(pie_heap_libc_interp_stack_ascend)
{
	uintptr_t prog = getauxval(AT_PHDR) & ~0xfffUL, heap = (uintptr_t)sbrk(0);
	uintptr_t libc_lo, libc_hi, ld_lo, ld_hi;
	int local;
	CHECK(is_elf_header(prog, ET_DYN), "the program is not a PIE");
	CHECK(find_mapping("libc.so.6", &libc_lo, &libc_hi));
	CHECK(find_mapping("ld-linux-x86-64.so.2", &ld_lo, &ld_hi));
	printf("# program %#lx heap %#lx libc %#lx ld.so %#lx stack %p\n", prog, heap, libc_lo, ld_lo,
	       (void *)&local);
	CHECK(prog < heap && heap < libc_lo && libc_hi <= ld_lo && ld_hi < (uintptr_t)&local);
}

/* The same program re-run without address-space randomization (Linux's
 * setarch -R; Aspen never randomizes) prints its maps: the PIE at
 * 0x555555554000, ld.so ending at the top of the mmap area, the vDSO
 * right below it. */
#define PRINT_MAPS_ENV "DYNLINK_PRINT_MAPS"
__attribute__((constructor)) static void print_maps_and_exit(void)
{
	if (!getenv(PRINT_MAPS_ENV))
		return;
	uintptr_t s, e, ls, le, vs, ve;
	bool ok = find_mapping("/dynlink", &s, &e) &&
		  find_mapping("ld-linux-x86-64.so.2", &ls, &le) && find_mapping("[vdso]", &vs, &ve);
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

/* /tests/lib beside /tests/glibc-dyn (build/gtest/lib natively). */
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
	lib_path(path, sizeof(path), "libgtdyn.so");
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

/* libc's PT_GNU_RELRO, relocated then made read-only by ld.so. */
struct relro {
	uintptr_t start, end;
};

static int find_libc_relro(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct relro *r = arg;
	if (!strstr(info->dlpi_name, "libc.so.6"))
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
	uintptr_t page = (r.start + 0xfff) & ~0xfffUL;
	CHECK(page < r.end, "RELRO holds no whole page");
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
