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

#include "coredump_util.h"

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
