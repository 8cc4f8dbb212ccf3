// GUEST: glibc musl-dyn
/*
 * vdso.c - the vDSO: a shared object the kernel maps into every process
 * (AT_SYSINFO_EHDR, [vdso] with its data page [vvar] below), through
 * which libc reads the clock without a system call. Its functions give
 * the values the system calls give; clocks it does not know (CPU time,
 * bad ids) reach the kernel. Built with musl and glibc, static and
 * dynamic: both libcs find it by name and version.
 */
#include "gtest.h"
#include <elf.h>
#include <sched.h>
#include <stddef.h>
#include <sys/auxv.h>
#include <sys/time.h>

#define NSEC_PER_SEC 1000000000LL

/* Classic BPF and seccomp, as <linux/filter.h> and <linux/seccomp.h>
 * define them (musl's headers lack them). */
struct bpf_insn_ {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
struct bpf_prog_ {
	unsigned short len;
	struct bpf_insn_ *filter;
};
#define BPF_LD_W_ABS   0x20     /* BPF_LD | BPF_W | BPF_ABS */
#define BPF_JEQ_K      0x15     /* BPF_JMP | BPF_JEQ | BPF_K */
#define BPF_RET_K      0x06     /* BPF_RET | BPF_K */
#define SECCOMP_DATA_NR 0       /* offsetof(struct seccomp_data, nr) */
#define SECCOMP_SET_MODE_FILTER_ 1
#define SECCOMP_RET_ALLOW_ 0x7fff0000U
#define SECCOMP_RET_KILL_PROCESS_ 0x80000000U
#define LOOPS 1000

static const clockid_t vdso_clocks[] = {
	CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
	CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME,
};

static long long ts_ns(struct timespec ts) { return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec; }

static long long sys_clock_ns(clockid_t clock)
{
	struct timespec ts;
	CHECK_EQ(syscall(SYS_clock_gettime, clock, &ts), 0);
	return ts_ns(ts);
}

/* [start, end) of the /proc/self/maps line named name; false if none. */
static bool maps_find(const char *name, uintptr_t *start, uintptr_t *end)
{
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");
	bool found = false;
	CHECK(f != NULL);
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		const char *p = strrchr(line, ' ');
		found = p && strcmp(p + 1, name) == 0 && sscanf(line, "%lx-%lx", start, end) == 2;
	}
	fclose(f);
	return found;
}

GTEST(vdso_mapped_at_at_sysinfo_ehdr_above_vvar)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR), start, end, vstart, vend;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	CHECK(base != 0, "no AT_SYSINFO_EHDR");
	CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_type == ET_DYN);
	CHECK(maps_find("[vdso]", &start, &end), "no [vdso] in maps");
	CHECK_EQ(start, base);
	CHECK(maps_find("[vvar]", &vstart, &vend), "no [vvar] in maps");
	CHECK(vend <= start && start - vend <= 4 * 4096, "[vvar] %#lx-%#lx, [vdso] at %#lx",
	      vstart, vend, start);
	if (on_aspen())
		CHECK_EQ(vend, start);   /* Linux 6.1's layout: four vvar pages right below */
}

/* Find a symbol of the vDSO by name and version, as musl does: through
 * DT_HASH's symbol count, DT_SYMTAB, DT_STRTAB, DT_VERSYM and DT_VERDEF. */
static void *vdso_sym(const char *name, const char *version)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)eh + eh->e_phoff);
	uintptr_t base = 0;
	const Elf64_Dyn *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			base = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
		else if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)((const char *)eh + ph[i].p_offset);
	}
	CHECK(base && dyn, "the vDSO has no PT_LOAD or PT_DYNAMIC");
	const Elf64_Sym *syms = NULL;
	const char *strs = NULL;
	const uint32_t *hash = NULL;
	const uint16_t *versym = NULL;
	const Elf64_Verdef *verdef = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		void *p = (void *)(base + dyn->d_un.d_ptr);
		switch (dyn->d_tag) {
		case DT_SYMTAB: syms = p; break;
		case DT_STRTAB: strs = p; break;
		case DT_HASH: hash = p; break;
		case DT_VERSYM: versym = p; break;
		case DT_VERDEF: verdef = p; break;
		}
	}
	CHECK(syms && strs && hash && versym && verdef, "a dynamic table is missing");
	for (uint32_t i = 0; i < hash[1]; i++) {
		if (!syms[i].st_shndx || strcmp(strs + syms[i].st_name, name) != 0)
			continue;
		const Elf64_Verdef *d = verdef;
		while (d->vd_ndx != (versym[i] & 0x7fff) && d->vd_next)
			d = (const Elf64_Verdef *)((const char *)d + d->vd_next);
		const Elf64_Verdaux *aux = (const Elf64_Verdaux *)((const char *)d + d->vd_aux);
		if (d->vd_ndx == (versym[i] & 0x7fff) && strcmp(strs + aux->vda_name, version) == 0)
			return (void *)(base + syms[i].st_value);
	}
	return NULL;
}

GTEST(vdso_exports_linux_2_6_functions)
{
	static const char *const names[] = { "__vdso_clock_gettime", "__vdso_gettimeofday",
		"__vdso_time", "__vdso_getcpu", "__vdso_clock_getres" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(vdso_sym(names[i], "LINUX_2.6") != NULL, "no %s@LINUX_2.6", names[i]);
	CHECK(vdso_sym("__vdso_clock_gettime", "LINUX_9.9") == NULL);
}

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

/* Read each clock the vDSO serves through cgt, n times, each between two
 * system calls, and check it lies between them. */
static void check_between_syscalls(clock_gettime_fn cgt, int n)
{
	for (size_t i = 0; i < sizeof(vdso_clocks) / sizeof(vdso_clocks[0]); i++)
		for (int k = 0; k < n; k++) {
			struct timespec ts;
			long long before = sys_clock_ns(vdso_clocks[i]);
			CHECK_EQ(cgt(vdso_clocks[i], &ts), 0);
			long long after = sys_clock_ns(vdso_clocks[i]);
			CHECK(before <= ts_ns(ts) && ts_ns(ts) <= after, "clock %d: %lld %lld %lld",
			      vdso_clocks[i], before, ts_ns(ts), after);
			CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < NSEC_PER_SEC);
		}
}

GTEST(vdso_clock_gettime_called_directly_agrees_with_syscall)
{
	clock_gettime_fn cgt = (clock_gettime_fn)vdso_sym("__vdso_clock_gettime", "LINUX_2.6");
	CHECK(cgt != NULL);
	check_between_syscalls(cgt, 1);
	CHECK_EQ(cgt(12345, &(struct timespec){ 0, 0 }), -EINVAL);   /* the kernel's answer */
}

GTEST(libc_clock_gettime_agrees_with_syscall)
{
	check_between_syscalls(clock_gettime, LOOPS / 10);
}

GTEST(gettimeofday_and_time_agree_with_the_realtime_clock)
{
	struct timeval tv;
	long long before = sys_clock_ns(CLOCK_REALTIME);
	CHECK_EQ(gettimeofday(&tv, NULL), 0);
	time_t t = time(NULL);
	long long after = sys_clock_ns(CLOCK_REALTIME);
	long long us = tv.tv_sec * 1000000LL + tv.tv_usec;
	CHECK(before / 1000 <= us && us <= after / 1000, "%lld %lld %lld", before, us, after);
	CHECK(before / NSEC_PER_SEC <= t && t <= after / NSEC_PER_SEC);
}

GTEST(clock_getres_agrees_with_syscall)
{
	for (size_t i = 0; i < sizeof(vdso_clocks) / sizeof(vdso_clocks[0]); i++) {
		struct timespec a, b;
		CHECK_EQ(clock_getres(vdso_clocks[i], &a), 0);
		CHECK_EQ(syscall(SYS_clock_getres, vdso_clocks[i], &b), 0);
		CHECK(a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec, "clock %d", vdso_clocks[i]);
	}
}

GTEST(cpu_clocks_and_bad_ids_reach_the_kernel)
{
	struct timespec ts;
	CHECK_EQ(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	CHECK_EQ(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts), 0);
	CHECK_ERR(clock_gettime(12345, &ts), EINVAL);
	CHECK_ERR(clock_getres(12345, &ts), EINVAL);
}

/* Pinned to one CPU, getcpu through libc (the vDSO) names that CPU. */
GTEST(getcpu_names_the_cpu_the_kernel_says)
{
	unsigned cpu = 0, node = 0;
	CHECK_EQ(syscall(SYS_getcpu, &cpu, &node, NULL), 0);
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	CHECK_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
	long (*vgetcpu)(unsigned *, unsigned *, void *) =
		(long (*)(unsigned *, unsigned *, void *))vdso_sym("__vdso_getcpu", "LINUX_2.6");
	CHECK(vgetcpu != NULL);
	for (int n = 0; n < LOOPS / 10; n++) {
		unsigned c = ~0u, nd = ~0u, sc = ~0u;
		CHECK_EQ(vgetcpu(&c, &nd, NULL), 0);
		CHECK_EQ(syscall(SYS_getcpu, &sc, NULL, NULL), 0);
		CHECK_EQ(c, sc);
		CHECK_EQ(nd, 0);
		CHECK_EQ(sched_getcpu(), (int)sc);
	}
}

/* Aspen counts each process's system calls: the clock reads add none. */
GTEST(clock_reads_make_no_syscall_aspen_counts)
{
	ASPEN_ONLY();
	struct timespec ts;
	struct timeval tv;
	struct aspen_counters before = counters_self();
	for (int n = 0; n < LOOPS; n++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		clock_gettime(CLOCK_REALTIME, &ts);
		gettimeofday(&tv, NULL);
		(void)time(NULL);
	}
	struct aspen_counters after = counters_self();
	CHECK_EQ(after.syscalls - before.syscalls, 1);   /* the second counters call itself */
	for (int n = 0; n < 10; n++)
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	before = counters_self();
	CHECK_EQ(before.syscalls - after.syscalls, 11);  /* CPU time is the kernel's */
}

/* A seccomp filter that kills the process on the clock system calls:
 * reading the clock through libc still works (Linux; Aspen has no
 * seccomp and counts instead, above). */
GTEST(clock_reads_survive_a_filter_that_kills_clock_syscalls)
{
	struct bpf_insn_ code[] = {
		{ BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_NR },
		{ BPF_JEQ_K, 2, 0, SYS_clock_gettime },
		{ BPF_JEQ_K, 1, 0, SYS_gettimeofday },
		{ BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW_ },
		{ BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS_ },
	};
	struct bpf_prog_ prog = { sizeof(code) / sizeof(code[0]), code };
	pid_t pid = xfork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER_, 0, &prog) != 0)
			_exit(77);
		struct timespec ts;
		struct timeval tv;
		for (int n = 0; n < LOOPS; n++) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			clock_gettime(CLOCK_REALTIME, &ts);
			gettimeofday(&tv, NULL);
		}
		_exit(0);
	}
	int status = wait_status(pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		SKIP("no seccomp");
	CHECK_EXITED(status, 0);
}

/* The data page cannot be made writable, nor written. */
GTEST(vvar_is_read_only)
{
	uintptr_t start, end;
	CHECK(maps_find("[vvar]", &start, &end));
	CHECK_ERR(mprotect((void *)start, 4096, PROT_READ | PROT_WRITE), EACCES);
	pid_t pid = xfork();
	if (pid == 0) {
		*(volatile char *)start = 1;
		_exit(0);
	}
	CHECK_SIGNALED(wait_status(pid), SIGSEGV);
}
