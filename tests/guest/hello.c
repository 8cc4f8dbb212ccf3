// GUEST: glibc glibc-pie musl-dyn
/*
 * hello.c - the first user program: output works, and the initial stack
 * the kernel built (argc, argv, envp, auxv) reaches main and libc.
 * NOFORK: these tests must pass before fork exists.
 */
#include "gtest.h"
#include <elf.h>
#include <sys/auxv.h>
#include <string.h>

extern char **environ;
extern void _start(void);

GTEST_NOFORK(hello_prints)
{
	CHECK(printf("# hello from %s\n", gtest_argv[0]) > 0);
}

GTEST_NOFORK(argv_reaches_main)
{
	CHECK(gtest_argc >= 1);
	CHECK(gtest_argv[0] != NULL && gtest_argv[0][0] != '\0', "argv[0] empty");
	CHECK(gtest_argv[gtest_argc] == NULL, "argv not NULL-terminated");
}

/* The ABI puts envp right after argv's terminating NULL. */
GTEST_NOFORK(envp_follows_argv)
{
	CHECK(environ != NULL);
	CHECK(gtest_envp == environ);
	CHECK(gtest_envp == gtest_argv + gtest_argc + 1);
}

GTEST_NOFORK(auxv_page_size_is_4096)
{
	CHECK_EQ(getauxval(AT_PAGESZ), 4096);
	CHECK_EQ(sysconf(_SC_PAGESIZE), 4096);
}

GTEST_NOFORK(auxv_random_gives_16_bytes)
{
	const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
	unsigned or_all = 0;

	CHECK(r != NULL);
	for (int i = 0; i < 16; i++)
		or_all |= r[i];
	CHECK(or_all != 0, "AT_RANDOM bytes are all zero");
}

GTEST_NOFORK(auxv_entry_is_start)
{
	CHECK(getauxval(AT_ENTRY) != 0);
	CHECK_EQ(getauxval(AT_ENTRY), (uintptr_t)_start);
}

/* Where the program was loaded relative to its link addresses: 0 for a
 * fixed-address executable, the load bias of a static PIE. The ELF
 * header is mapped at the start of the page holding the program headers
 * (both sit at the start of the file), and its e_entry is unbiased. */
static uintptr_t load_bias(const Elf64_Phdr *ph, unsigned long n)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)((uintptr_t)ph & ~(uintptr_t)4095);
	(void)n;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_type != ET_DYN)
		return 0;
	return getauxval(AT_ENTRY) - eh->e_entry;
}

/* Does a PT_LOAD segment with flags flags cover address addr? */
static bool load_covers(const Elf64_Phdr *ph, unsigned long n, uintptr_t addr, unsigned flags)
{
	uintptr_t bias = load_bias(ph, n);
	for (unsigned long i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & flags) == flags &&
		    addr >= ph[i].p_vaddr + bias && addr < ph[i].p_vaddr + bias + ph[i].p_memsz)
			return true;
	return false;
}

GTEST_NOFORK(auxv_phdr_points_to_program_headers)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);

	CHECK(ph != NULL);
	CHECK_EQ(getauxval(AT_PHENT), sizeof(Elf64_Phdr));
	CHECK(n >= 1 && n < 64, "AT_PHNUM %lu", n);
	for (unsigned long i = 0; i < n; i++)
		CHECK(ph[i].p_type <= PT_TLS || (ph[i].p_type >= PT_LOOS && ph[i].p_type <= PT_HIOS),
		      "phdr %lu has type %#x", i, ph[i].p_type);
	CHECK(load_covers(ph, n, getauxval(AT_ENTRY), PF_R | PF_X), "no R+X PT_LOAD holds the entry");
	CHECK(load_covers(ph, n, (uintptr_t)&environ, PF_R | PF_W), "no R+W PT_LOAD holds data");
	CHECK(load_covers(ph, n, (uintptr_t)ph, PF_R), "the headers are not in a loaded segment");
}

GTEST_NOFORK(auxv_execfn_names_program)
{
	const char *fn = (const char *)getauxval(AT_EXECFN);

	CHECK(fn != NULL);
	CHECK(fn[0] != '\0', "AT_EXECFN is empty");
}
