/*
 * coredump_util.h - what coredump.c's tests are built from: a child
 * that fills its memory with known patterns and dies of a signal in a
 * directory of its own (cores allowed up to a limit), and a reader of
 * the ELF core it leaves (header, notes, the PT_LOAD holding an
 * address, pattern checks).
 */
#ifndef COREDUMP_UTIL_H
#define COREDUMP_UTIL_H
#include "gtest.h"
#include <dirent.h>
#include <elf.h>
#include <sys/file.h>
#include <sys/resource.h>
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

#endif
