// GUEST: glibc
/* coredump.c - core dumps: a process killed by a core-dumping signal
 * leaves an ELF core (ET_CORE) named by kernel.core_pattern in its cwd,
 * and its parent's wait status says so (WCOREDUMP); RLIMIT_CORE,
 * PR_SET_DUMPABLE and the file's rules decide whether it is written;
 * the notes carry every thread's registers, the process, the signal,
 * the auxv and the mapped files; the PT_LOAD segments hold the memory
 * coredump_filter selects, at the right addresses. */
#include "gtest.h"
#include <dirent.h>
#include <elf.h>
#include <pthread.h>
#include <sys/procfs.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/stat.h>

#define PATTERN_PAGES 4
#define CORE_MAX (64UL << 20)

/* Addresses the crashing child tells its parent. */
struct crash_info {
	uintptr_t heap, stack, anon, shared;
	pid_t tid;
	int ready;
};

/* ---- the child that dies ---- */

#define CORE_PATTERN "/proc/sys/kernel/core_pattern"
#define CORE_USES_PID "/proc/sys/kernel/core_uses_pid"
#define CORE_TEST_LOCK "/tmp/aspen-coredump-test.lock"

static bool read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* The tests expect cores named "core"; those that change the pattern
 * restore it. On a host that runs this program twice at once (two test
 * suites), a lock held for the whole test keeps one from seeing or
 * restoring the other's pattern; a host set up otherwise is skipped. */
static void take_pattern_lock(void)
{
	char pattern[256], uses_pid[16];
	if (on_aspen())
		return;   /* one boot runs one test at a time, and leaves no file behind */
	int fd = open(CORE_TEST_LOCK, O_CREAT | O_RDWR | O_CLOEXEC, 0666);
	CHECK(fd >= 0 && flock(fd, LOCK_EX) == 0, "lock: %s", strerror(errno));
	/* fd stays open: the lock goes with the test's processes */
	if (!read_text(CORE_PATTERN, pattern, sizeof(pattern)) ||
	    !read_text(CORE_USES_PID, uses_pid, sizeof(uses_pid)) ||
	    strcmp(pattern, "core\n") || strcmp(uses_pid, "0\n"))
		SKIP("the host's core_pattern is not \"core\" (or core_uses_pid is set)");
}

/* A fresh directory for the core (with the pattern lock taken). */
static void make_dir(char *dir, size_t size)
{
	take_pattern_lock();
	snprintf(dir, size, "/tmp/coredump.XXXXXX");
	CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
}

/* Make a core possible (gtest's main makes itself not dumpable) up to
 * soft bytes. */
static void allow_core(rlim_t soft)
{
	struct rlimit rl;
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	CHECK_EQ(getrlimit(RLIMIT_CORE, &rl), 0);
	rl.rlim_cur = soft;
	CHECK_EQ(setrlimit(RLIMIT_CORE, &rl), 0);
}

/* The byte pattern of the region tagged tag at offset i. */
static unsigned char pat(int tag, size_t i)
{
	return (unsigned char)(tag * 37 + i * 7 + (i >> 12));
}

static void fill(void *p, size_t len, int tag)
{
	for (size_t i = 0; i < len; i++)
		((unsigned char *)p)[i] = pat(tag, i);
}

/* In the child: put patterns in the heap, private and shared anonymous
 * memory. */
static void prepare_memory(struct crash_info *ci)
{
	unsigned char *heap = malloc(PATTERN_PAGES * 4096);
	unsigned char *anon = mmap(NULL, PATTERN_PAGES * 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *shared = mmap(NULL, PATTERN_PAGES * 4096, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!heap || anon == MAP_FAILED || shared == MAP_FAILED)
		_exit(91);
	fill(heap, PATTERN_PAGES * 4096, 1);
	fill(anon, PATTERN_PAGES * 4096, 3);
	fill(shared, PATTERN_PAGES * 4096, 4);
	ci->heap = (uintptr_t)heap;
	ci->anon = (uintptr_t)anon;
	ci->shared = (uintptr_t)shared;
	ci->tid = (pid_t)syscall(SYS_gettid);
}

/* Fork a child that starts in dir with cores allowed up to limit. */
static pid_t fork_in(const char *dir, rlim_t limit)
{
	pid_t pid = xfork();
	if (pid == 0) {
		if (chdir(dir))
			_exit(90);
		allow_core(limit);
		/* a shell's background job starts with SIGQUIT ignored */
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
	}
	return pid;
}

static void crash_now(void)
{
	*(volatile int *)8 = 1;
	_exit(92);
}

/* Fork a child that prepares its memory in dir and dies of SIGSEGV;
 * its wait status. */
static int crash_child(const char *dir, struct crash_info *ci, rlim_t limit)
{
	pid_t pid = fork_in(dir, limit);
	if (pid == 0) {
		unsigned char stack_buf[4096];
		prepare_memory(ci);
		fill(stack_buf, sizeof(stack_buf), 2);
		ci->stack = (uintptr_t)stack_buf;
		__asm__ volatile("" : : "r"(stack_buf) : "memory");
		crash_now();
	}
	return wait_status(pid);
}

/* ---- reading the core ---- */

struct core {
	unsigned char *data;
	size_t size;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
};

/* Read dir/name; false if there is none. */
static bool core_read(const char *dir, const char *name, struct core *c)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK((size_t)st.st_size < CORE_MAX, "core of %lld bytes", (long long)st.st_size);
	c->size = (size_t)st.st_size;
	c->data = malloc(c->size + 1);
	CHECK(c->data != NULL);
	size_t got = 0;
	while (got < c->size) {
		ssize_t n = read(fd, c->data + got, c->size - got);
		CHECK(n > 0, "read core: %zd", n);
		got += (size_t)n;
	}
	close(fd);
	c->eh = (Elf64_Ehdr *)c->data;
	c->ph = (Elf64_Phdr *)(c->data + c->eh->e_phoff);
	return true;
}

static void core_check_header(const struct core *c)
{
	CHECK(c->size >= sizeof(Elf64_Ehdr) && memcmp(c->eh->e_ident, ELFMAG, SELFMAG) == 0,
	      "not an ELF file");
	CHECK_EQ(c->eh->e_ident[EI_CLASS], ELFCLASS64);
	CHECK_EQ(c->eh->e_type, ET_CORE);
	CHECK_EQ(c->eh->e_machine, EM_X86_64);
	CHECK_EQ(c->eh->e_phentsize, sizeof(Elf64_Phdr));
	CHECK(c->eh->e_phoff + c->eh->e_phnum * sizeof(Elf64_Phdr) <= c->size, "phdrs past the end");
	CHECK_EQ(c->ph[0].p_type, PT_NOTE);
}

/* The next note of type type (any if 0) after *off in the PT_NOTE; its
 * descriptor, size in *len; NULL at the end. */
static void *core_note(const struct core *c, uint32_t type, size_t *off, size_t *len)
{
	const Elf64_Phdr *n = &c->ph[0];
	while (*off + sizeof(Elf64_Nhdr) <= n->p_filesz) {
		Elf64_Nhdr *h = (Elf64_Nhdr *)(c->data + n->p_offset + *off);
		unsigned char *desc = (unsigned char *)(h + 1) + ((h->n_namesz + 3) & ~3u);
		*off += sizeof(*h) + ((h->n_namesz + 3) & ~3u) + ((h->n_descsz + 3) & ~3u);
		if (!type || h->n_type == type) {
			*len = h->n_descsz;
			return desc;
		}
	}
	return NULL;
}

static int count_notes(const struct core *c, uint32_t type)
{
	size_t off = 0, len;
	int n = 0;
	while (core_note(c, type, &off, &len))
		n++;
	return n;
}

/* The PT_LOAD holding va. */
static const Elf64_Phdr *core_load(const struct core *c, uintptr_t va)
{
	for (int i = 1; i < c->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &c->ph[i];
		if (p->p_type == PT_LOAD && va >= p->p_vaddr && va < p->p_vaddr + p->p_memsz)
			return p;
	}
	return NULL;
}

/* Does the core hold len bytes of tag's pattern at va, starting at the
 * pattern's byte from? */
static bool core_has_pattern_from(const struct core *c, uintptr_t va, size_t len, int tag,
				  size_t from)
{
	const Elf64_Phdr *p = core_load(c, va);
	if (!p || va + len > p->p_vaddr + p->p_filesz || p->p_offset + p->p_filesz > c->size)
		return false;
	const unsigned char *b = c->data + p->p_offset + (va - p->p_vaddr);
	for (size_t i = 0; i < len; i++)
		if (b[i] != pat(tag, from + i))
			return false;
	return true;
}

static bool core_has_pattern(const struct core *c, uintptr_t va, size_t len, int tag)
{
	return core_has_pattern_from(c, va, len, tag, 0);
}

static void core_free(struct core *c)
{
	free(c->data);
	c->data = NULL;
}

/* Make a directory, crash a child there (cores unlimited) and read its
 * core, checking the wait status and the ELF header. */
static void crash_and_read(char *dir, size_t size, struct crash_info *ci, struct core *c)
{
	make_dir(dir, size);
	int st = crash_child(dir, ci, RLIM_INFINITY);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %s", status_str(st));
	CHECK(WCOREDUMP(st), "no core-dump bit: status %#x", st);
	CHECK(core_read(dir, "core", c), "no %s/core", dir);
	core_check_header(c);
}

/* Remove dir and what is in it. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static bool exists(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* ---- the tests ---- */

GTEST(segv_leaves_core_with_wcoredump)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	struct core c;
	crash_and_read(dir, sizeof(dir), ci, &c);
	core_free(&c);
	remove_dir(dir);
}

GTEST(core_limit_zero_leaves_nothing)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	make_dir(dir, sizeof(dir));
	int st = crash_child(dir, ci, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %s", status_str(st));
	CHECK(!WCOREDUMP(st), "core-dump bit with RLIMIT_CORE 0");
	CHECK(!exists(dir, "core"), "a core with RLIMIT_CORE 0");
	remove_dir(dir);
}

GTEST(core_limit_below_a_page_leaves_nothing)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	make_dir(dir, sizeof(dir));
	int st = crash_child(dir, ci, 1000);
	CHECK(!WCOREDUMP(st), "core-dump bit with RLIMIT_CORE 1000");
	CHECK(!exists(dir, "core"), "a core with RLIMIT_CORE 1000");
	remove_dir(dir);
}

GTEST(core_limit_truncates_the_file)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	make_dir(dir, sizeof(dir));
	int st = crash_child(dir, ci, 3 * 4096);
	CHECK(WCOREDUMP(st), "status %s: no core-dump bit", status_str(st));
	struct core c;
	CHECK(core_read(dir, "core", &c), "no core");
	/* written bytes stay within the limit; the file may end a page of
	 * padding (a hole) further */
	CHECK(c.size <= 4 * 4096, "core of %zu bytes past RLIMIT_CORE", c.size);
	CHECK(memcmp(c.eh->e_ident, ELFMAG, SELFMAG) == 0, "no ELF header");
	core_free(&c);
	remove_dir(dir);
}

GTEST(not_dumpable_leaves_nothing)
{
	char dir[64];
	make_dir(dir, sizeof(dir));
	pid_t pid = fork_in(dir, RLIM_INFINITY);
	if (pid == 0) {
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
			_exit(91);
		crash_now();
	}
	int st = wait_status(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %s", status_str(st));
	CHECK(!WCOREDUMP(st), "core-dump bit though not dumpable");
	CHECK(!exists(dir, "core"), "a core though not dumpable");
	remove_dir(dir);
}

/* Die of sig sent by the parent (kill), or by abort() in the child. */
static int die_of(const char *dir, int sig, bool self)
{
	int *ready = shared_map(sizeof(int));
	pid_t pid = fork_in(dir, RLIM_INFINITY);
	if (pid == 0) {
		if (self)
			abort();
		__atomic_store_n(ready, 1, __ATOMIC_RELEASE);
		for (;;)
			pause();
	}
	while (!self && !__atomic_load_n(ready, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	if (!self)
		CHECK_EQ(kill(pid, sig), 0);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	CHECK_EQ(si.si_code, CLD_DUMPED);
	CHECK_EQ(si.si_status, sig);
	return wait_status(pid);
}

GTEST(sigquit_from_kill_dumps_core)
{
	char dir[64];
	make_dir(dir, sizeof(dir));
	int st = die_of(dir, SIGQUIT, false);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGQUIT && WCOREDUMP(st), "status %#x", st);
	struct core c;
	CHECK(core_read(dir, "core", &c), "no core");
	size_t off = 0, len;
	siginfo_t *si = core_note(&c, NT_SIGINFO, &off, &len);
	CHECK(si && len == sizeof(siginfo_t), "NT_SIGINFO");
	CHECK_EQ(si->si_signo, SIGQUIT);
	CHECK_EQ(si->si_code, SI_USER);
	CHECK_EQ(si->si_pid, getpid());
	core_free(&c);
	remove_dir(dir);
}

GTEST(abort_dumps_core)
{
	char dir[64];
	make_dir(dir, sizeof(dir));
	int st = die_of(dir, SIGABRT, true);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && WCOREDUMP(st), "status %#x", st);
	CHECK(exists(dir, "core"), "no core");
	remove_dir(dir);
}

GTEST(sigterm_leaves_no_core)
{
	char dir[64];
	make_dir(dir, sizeof(dir));
	pid_t pid = fork_in(dir, RLIM_INFINITY);
	if (pid == 0) {
		raise(SIGTERM);
		_exit(91);
	}
	int st = wait_status(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && !WCOREDUMP(st), "status %#x", st);
	CHECK(!exists(dir, "core"), "a core after SIGTERM");
	remove_dir(dir);
}

GTEST(notes_describe_process_signal_and_registers)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	struct core c;
	crash_and_read(dir, sizeof(dir), ci, &c);
	size_t off = 0, len;
	struct elf_prstatus *ps = core_note(&c, NT_PRSTATUS, &off, &len);
	CHECK(ps && len == sizeof(*ps), "NT_PRSTATUS of %zu bytes", ps ? len : 0);
	CHECK_EQ(ps->pr_pid, ci->tid);
	CHECK_EQ(ps->pr_ppid, getpid());
	CHECK_EQ(ps->pr_cursig, SIGSEGV);
	CHECK(ps->pr_fpvalid, "pr_fpvalid 0");
	/* rsp lies in the stack, below the child's pattern buffer */
	uint64_t rsp = ps->pr_reg[19];
	CHECK(rsp < ci->stack && ci->stack - rsp < (1 << 20), "rsp %#lx, buffer %#lx",
	      (unsigned long)rsp, (unsigned long)ci->stack);
	off = 0;
	struct elf_prpsinfo *pi = core_note(&c, NT_PRPSINFO, &off, &len);
	CHECK(pi && len == sizeof(*pi), "NT_PRPSINFO");
	CHECK(strcmp(pi->pr_fname, "coredump") == 0, "pr_fname %.16s", pi->pr_fname);
	CHECK(strstr(pi->pr_psargs, "coredump") != NULL, "pr_psargs %.80s", pi->pr_psargs);
	CHECK_EQ(pi->pr_pid, ci->tid);
	off = 0;
	siginfo_t *si = core_note(&c, NT_SIGINFO, &off, &len);
	CHECK(si && si->si_signo == SIGSEGV && si->si_code == SEGV_MAPERR, "NT_SIGINFO");
	CHECK_EQ((uintptr_t)si->si_addr, 8);
	off = 0;
	uint64_t *auxv = core_note(&c, NT_AUXV, &off, &len);
	CHECK(auxv && len >= 16 && len % 16 == 0, "NT_AUXV");
	bool pagesz = false;
	for (size_t i = 0; i + 1 < len / 8; i += 2)
		pagesz |= auxv[i] == AT_PAGESZ && auxv[i + 1] == 4096;
	CHECK(pagesz, "no AT_PAGESZ 4096 in NT_AUXV");
	CHECK_EQ(count_notes(&c, NT_FPREGSET), 1);
	core_free(&c);
	remove_dir(dir);
}

GTEST(file_note_names_the_program)
{
	char dir[64], exe[256];
	struct crash_info *ci = shared_map(sizeof(*ci));
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0);
	exe[n] = '\0';
	struct core c;
	crash_and_read(dir, sizeof(dir), ci, &c);
	size_t off = 0, len;
	uint64_t *f = core_note(&c, NT_FILE, &off, &len);
	CHECK(f && len > 16, "NT_FILE");
	uint64_t count = f[0];
	CHECK_EQ(f[1], 4096);
	CHECK(count >= 1 && 16 + count * 24 < len, "NT_FILE count %lu", (unsigned long)count);
	const char *name = (const char *)&f[2 + 3 * count];
	bool found = false;
	for (uint64_t i = 0; i < count; i++, name += strlen(name) + 1)
		found |= strcmp(name, exe) == 0 && f[2 + 3 * i] < f[3 + 3 * i];
	CHECK(found, "%s not in NT_FILE", exe);
	core_free(&c);
	remove_dir(dir);
}

GTEST(memory_patterns_at_their_addresses)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	struct core c;
	crash_and_read(dir, sizeof(dir), ci, &c);
	CHECK(core_has_pattern(&c, ci->heap, PATTERN_PAGES * 4096, 1), "heap at %#lx", (long)ci->heap);
	CHECK(core_has_pattern(&c, ci->stack, 4096, 2), "stack at %#lx", (long)ci->stack);
	CHECK(core_has_pattern(&c, ci->anon, PATTERN_PAGES * 4096, 3), "mmap at %#lx", (long)ci->anon);
	CHECK(core_has_pattern(&c, ci->shared, PATTERN_PAGES * 4096, 4), "shared at %#lx",
	      (long)ci->shared);
	const Elf64_Phdr *p = core_load(&c, ci->anon);
	CHECK((p->p_flags & (PF_R | PF_W)) == (PF_R | PF_W), "p_flags %#x", p->p_flags);
	core_free(&c);
	remove_dir(dir);
}

GTEST(coredump_filter_reads_writes_and_is_inherited)
{
	char buf[32] = { 0 };
	int fd = open("/proc/self/coredump_filter", O_RDWR);
	CHECK(fd >= 0, "open: %s", strerror(errno));
	CHECK(read(fd, buf, sizeof(buf) - 1) == 9 && strcmp(buf, "00000033\n") == 0, "read %s", buf);
	CHECK_EQ(write(fd, "0x5\n", 4), 4);
	CHECK_ERR(write(fd, "zz", 2), EINVAL);
	close(fd);
	pid_t pid = xfork();
	if (pid == 0) {
		char b[32] = { 0 };
		int f = open("/proc/self/coredump_filter", O_RDONLY);
		CHECK(f >= 0 && read(f, b, sizeof(b) - 1) == 9, "read in child");
		CHECK(strcmp(b, "00000005\n") == 0, "child reads %s", b);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

static void write_filter(unsigned v)
{
	char b[16];
	int fd = open("/proc/self/coredump_filter", O_WRONLY);
	int n = snprintf(b, sizeof(b), "%#x", v);
	CHECK(fd >= 0 && write(fd, b, (size_t)n) == n, "coredump_filter: %s", strerror(errno));
	close(fd);
}

GTEST(filter_without_anon_shared_leaves_it_out)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	write_filter(0x1);
	struct core c;
	crash_and_read(dir, sizeof(dir), ci, &c);
	const Elf64_Phdr *p = core_load(&c, ci->shared);
	CHECK(p != NULL, "no PT_LOAD for the shared mapping");
	CHECK_EQ(p->p_filesz, 0);
	CHECK_EQ(p->p_memsz, PATTERN_PAGES * 4096);
	CHECK(core_has_pattern(&c, ci->anon, PATTERN_PAGES * 4096, 3), "private mmap missing");
	core_free(&c);
	remove_dir(dir);
}

GTEST(madv_dontdump_leaves_a_range_out)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	make_dir(dir, sizeof(dir));
	pid_t pid = fork_in(dir, RLIM_INFINITY);
	if (pid == 0) {
		prepare_memory(ci);
		/* the first half of the private mapping out, the second half out and back in */
		if (madvise((void *)ci->anon, PATTERN_PAGES * 4096, MADV_DONTDUMP) ||
		    madvise((void *)(ci->anon + PATTERN_PAGES / 2 * 4096), PATTERN_PAGES / 2 * 4096,
			    MADV_DODUMP))
			_exit(93);
		crash_now();
	}
	CHECK(WCOREDUMP(wait_status(pid)), "no core");
	struct core c;
	CHECK(core_read(dir, "core", &c), "no core");
	size_t half = PATTERN_PAGES / 2 * 4096;
	const Elf64_Phdr *p = core_load(&c, ci->anon);
	CHECK(p && p->p_filesz == 0, "MADV_DONTDUMP range dumped (%lu bytes)",
	      p ? (unsigned long)p->p_filesz : 0UL);
	CHECK(core_has_pattern_from(&c, ci->anon + half, half, 3, half), "MADV_DODUMP range missing");
	core_free(&c);
	remove_dir(dir);
}

GTEST(swapped_out_pages_are_read_back)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	int *resident = shared_map(sizeof(int));
	make_dir(dir, sizeof(dir));
	pid_t pid = fork_in(dir, RLIM_INFINITY);
	if (pid == 0) {
		unsigned char vec[PATTERN_PAGES];
		prepare_memory(ci);
		if (madvise((void *)ci->anon, PATTERN_PAGES * 4096, MADV_PAGEOUT) ||
		    mincore((void *)ci->anon, PATTERN_PAGES * 4096, vec))
			_exit(93);
		for (int i = 0; i < PATTERN_PAGES; i++)
			*resident += vec[i] & 1;
		crash_now();
	}
	CHECK(WCOREDUMP(wait_status(pid)), "no core");
	if (on_aspen())   /* Aspen's tests have swap; a Linux host may have none */
		CHECK_EQ(*resident, 0);
	struct core c;
	CHECK(core_read(dir, "core", &c), "no core");
	CHECK(core_has_pattern(&c, ci->anon, PATTERN_PAGES * 4096, 3), "paged-out memory missing");
	core_free(&c);
	remove_dir(dir);
}

GTEST(untouched_pages_read_as_zeros)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	make_dir(dir, sizeof(dir));
	pid_t pid = fork_in(dir, RLIM_INFINITY);
	if (pid == 0) {
		unsigned char *m = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(91);
		fill(m, 4096, 5);
		fill(m + 63 * 4096, 4096, 5);
		ci->anon = (uintptr_t)m;
		crash_now();
	}
	CHECK(WCOREDUMP(wait_status(pid)), "no core");
	struct core c;
	CHECK(core_read(dir, "core", &c), "no core");
	const Elf64_Phdr *p = core_load(&c, ci->anon);
	CHECK(p && p->p_vaddr <= ci->anon && p->p_filesz >= ci->anon - p->p_vaddr + 64 * 4096,
	      "the mapping is not dumped whole");
	CHECK(core_has_pattern(&c, ci->anon, 4096, 5), "first page");
	CHECK(core_has_pattern(&c, ci->anon + 63 * 4096, 4096, 5), "last page");
	const unsigned char *mid = c.data + p->p_offset + (ci->anon - p->p_vaddr) + 4096;
	for (size_t i = 0; i < 62 * 4096; i++)
		CHECK(mid[i] == 0, "byte %zu of the untouched pages is %d", i, mid[i]);
	core_free(&c);
	remove_dir(dir);
}

/* ---- threads ---- */

static void *parked(void *arg)
{
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
	return NULL;
}

GTEST(every_thread_has_prstatus)
{
	char dir[64];
	struct crash_info *ci = shared_map(sizeof(*ci));
	make_dir(dir, sizeof(dir));
	pid_t pid = fork_in(dir, RLIM_INFINITY);
	if (pid == 0) {
		static int started;
		pthread_t th[3];
		for (int i = 0; i < 3; i++)
			if (pthread_create(&th[i], NULL, parked, &started))
				_exit(91);
		while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < 3)
			sched_yield();
		ci->tid = (pid_t)syscall(SYS_gettid);
		crash_now();
	}
	int st = wait_status(pid);
	CHECK(WCOREDUMP(st), "status %s", status_str(st));
	struct core c;
	CHECK(core_read(dir, "core", &c), "no core");
	CHECK_EQ(count_notes(&c, NT_PRSTATUS), 4);
	CHECK_EQ(count_notes(&c, NT_FPREGSET), 4);
	CHECK_EQ(count_notes(&c, NT_PRPSINFO), 1);
	size_t off = 0, len;
	struct elf_prstatus *ps = core_note(&c, NT_PRSTATUS, &off, &len);
	CHECK_EQ(ps->pr_pid, ci->tid);   /* the thread that faulted comes first */
	pid_t seen[4];
	for (int i = 0; i < 4; i++) {
		seen[i] = ps->pr_pid;
		for (int j = 0; j < i; j++)
			CHECK(seen[j] != seen[i], "thread %d twice", seen[i]);
		CHECK(seen[i] >= pid, "thread id %d", seen[i]);
		ps = core_note(&c, NT_PRSTATUS, &off, &len);
		CHECK(i == 3 || ps, "prstatus %d", i + 1);
	}
	core_free(&c);
	remove_dir(dir);
}

/* ---- the file's rules ---- */

GTEST(existing_core_is_replaced)
{
	char dir[64], path[128];
	struct crash_info *ci = shared_map(sizeof(*ci));
	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/core", dir);
	int fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	char junk[100000];
	memset(junk, 'x', sizeof(junk));
	CHECK_EQ(write(fd, junk, sizeof(junk)), sizeof(junk));
	close(fd);
	int st = crash_child(dir, ci, RLIM_INFINITY);
	CHECK(WCOREDUMP(st), "status %s", status_str(st));
	struct core c;
	CHECK(core_read(dir, "core", &c), "no core");
	core_check_header(&c);
	CHECK(core_has_pattern(&c, ci->heap, 4096, 1), "old contents remain");
	core_free(&c);
	remove_dir(dir);
}

GTEST(symlink_named_core_is_replaced_not_followed)
{
	char dir[64], path[128];
	struct crash_info *ci = shared_map(sizeof(*ci));
	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/core", dir);
	CHECK_EQ(symlink("target", path), 0);
	int st = crash_child(dir, ci, RLIM_INFINITY);
	CHECK(WCOREDUMP(st), "status %s", status_str(st));
	CHECK(!exists(dir, "target"), "the symlink was followed");
	struct stat s;
	CHECK(lstat(path, &s) == 0 && S_ISREG(s.st_mode), "core is not a regular file");
	CHECK_EQ(s.st_mode & 07777, 0600);
	remove_dir(dir);
}

GTEST(hard_linked_core_keeps_the_other_name)
{
	char dir[64], path[128], other[128];
	struct crash_info *ci = shared_map(sizeof(*ci));
	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/core", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	int fd = open(other, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0 && write(fd, "keep", 4) == 4);
	close(fd);
	CHECK_EQ(link(other, path), 0);
	int st = crash_child(dir, ci, RLIM_INFINITY);
	CHECK(WCOREDUMP(st), "status %s", status_str(st));
	struct stat s;
	CHECK(stat(other, &s) == 0 && s.st_size == 4 && s.st_nlink == 1, "the other name changed");
	remove_dir(dir);
}

/* ---- kernel.core_pattern ---- */

static bool write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n = fd >= 0 ? write(fd, text, strlen(text)) : -1;
	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text);
}

/* Set core_pattern and core_uses_pid for one crash and restore them;
 * the crashing child's pid. Skips when they cannot be written. */
static pid_t crash_with_pattern(const char *dir, const char *pattern, int uses_pid, int *st)
{
	char old[256], old_pid[16];
	struct crash_info *ci = shared_map(sizeof(*ci));
	if (!read_text(CORE_PATTERN, old, sizeof(old)) || !read_text(CORE_USES_PID, old_pid, sizeof(old_pid)))
		SKIP("cannot read core_pattern");
	if (!write_text(CORE_PATTERN, pattern))
		SKIP("cannot write core_pattern: %s", strerror(errno));
	write_text(CORE_USES_PID, uses_pid ? "1" : "0");
	pid_t pid = fork_in(dir, RLIM_INFINITY);
	if (pid == 0) {
		prepare_memory(ci);
		crash_now();
	}
	*st = wait_status(pid);
	write_text(CORE_PATTERN, old);
	write_text(CORE_USES_PID, old_pid);
	return pid;
}

GTEST(core_pattern_specifiers_expand)
{
	char dir[64], name[256];
	make_dir(dir, sizeof(dir));
	int st;
	pid_t pid = crash_with_pattern(dir, "c.%p.%s.%e.%u.%g.%%.%c.%z", 0, &st);
	CHECK(WCOREDUMP(st), "status %s", status_str(st));
	snprintf(name, sizeof(name), "c.%d.%d.coredump.%u.%u.%%.%lu.", pid, SIGSEGV, getuid(),
		 getgid(), (unsigned long)RLIM_INFINITY);
	CHECK(exists(dir, name), "no %s/%s", dir, name);
	remove_dir(dir);
}

GTEST(core_uses_pid_appends_the_pid)
{
	char dir[64], name[64];
	make_dir(dir, sizeof(dir));
	int st;
	pid_t pid = crash_with_pattern(dir, "core", 1, &st);
	CHECK(WCOREDUMP(st), "status %s", status_str(st));
	snprintf(name, sizeof(name), "core.%d", pid);
	CHECK(exists(dir, name), "no %s/%s", dir, name);
	CHECK(!exists(dir, "core"), "a plain core too");
	remove_dir(dir);
}

GTEST(core_pattern_absolute_path)
{
	char dir[64], pattern[128], name[64];
	make_dir(dir, sizeof(dir));
	snprintf(pattern, sizeof(pattern), "%s/abs-%%i", dir);
	int st;
	pid_t pid = crash_with_pattern("/", pattern, 0, &st);
	CHECK(WCOREDUMP(st), "status %s", status_str(st));
	snprintf(name, sizeof(name), "abs-%d", pid);
	CHECK(exists(dir, name), "no %s/%s", dir, name);
	remove_dir(dir);
}

GTEST(core_pattern_pipe_is_refused)
{
	ASPEN_ONLY();   /* Linux runs the program the pipe names */
	char dir[64];
	make_dir(dir, sizeof(dir));
	int st;
	crash_with_pattern(dir, "|/bin/cat", 0, &st);
	CHECK(WIFSIGNALED(st) && !WCOREDUMP(st), "status %#x", st);
	remove_dir(dir);
}
