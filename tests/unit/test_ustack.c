// UNIT-SRCS: kernel/proc/ustack.c
/*
 * test_ustack.c - build initial stacks and read them back the way a C
 * runtime's start code does: argc at rsp, then argv, envp and auxv,
 * following every pointer as a user address inside the image.
 */
#include <string.h>
#include <linux/auxvec.h>
#include "unit.h"
#include "lib/errno.h"
#include "proc/ustack.h"

#define BUF_SIZE 4096
#define STACK_TOP 0x7ffffffff000UL
#define FILL 0xa5

static _Alignas(16) unsigned char buf[BUF_SIZE];

static const char *const test_argv[] = { "prog", "-x", "hello world" };
static const char *const test_envp[] = { "HOME=/", "PATH=/bin:/usr/bin" };

static struct ustack_args test_args(void)
{
	struct ustack_args a = {
		.argc = 3, .argv = test_argv, .envc = 2, .envp = test_envp,
		.execfn = "/bin/prog",
		.uid = 1000, .euid = 1001, .gid = 100, .egid = 101, .secure = false,
		.hwcap = 0x178bfbff, .hwcap2 = 0x2,
		.phdr = 0x400040, .phent = 56, .phnum = 10, .entry = 0x401520,
	};

	for (int i = 0; i < USTACK_RANDOM_BYTES; i++)
		a.random[i] = 0x10 + i;
	return a;
}

/* The image byte at user address va, or NULL outside [lo, STACK_TOP). */
static void *user_ptr(uint64_t va, uint64_t lo, size_t len)
{
	if (va < lo || va + len > STACK_TOP)
		return NULL;
	return buf + BUF_SIZE - (STACK_TOP - va);
}

static uint64_t word_at(uint64_t va)
{
	uint64_t w;

	memcpy(&w, user_ptr(va, STACK_TOP - BUF_SIZE, sizeof(w)), sizeof(w));
	return w;
}

/* The string at va, if it lies in the image above rsp and ends there. */
static const char *user_str(uint64_t va, uint64_t rsp)
{
	const char *s = user_ptr(va, rsp, 1);

	if (!s || !memchr(s, 0, STACK_TOP - va))
		return NULL;
	return s;
}

/* The value of auxv entry type, the vector starting at va; -1 if absent. */
static uint64_t auxv_get(uint64_t va, uint64_t type)
{
	for (; word_at(va) != AT_NULL; va += 16)
		if (word_at(va) == type)
			return word_at(va + 8);
	return (uint64_t)-1;
}

static int build(const struct ustack_args *a, uint64_t *rsp)
{
	memset(buf, FILL, sizeof(buf));
	return ustack_build(buf, BUF_SIZE, STACK_TOP, a, rsp);
}

UNIT_TEST(argc_argv_envp_read_back_like_crt_start)
{
	struct ustack_args a = test_args();
	uint64_t rsp, argv, envp;

	CHECK_EQ(build(&a, &rsp), 0);
	CHECK_EQ(rsp % 16, 0);
	CHECK_EQ(word_at(rsp), 3);
	argv = rsp + 8;
	for (int i = 0; i < 3; i++) {
		const char *s = user_str(word_at(argv + 8 * i), rsp);
		CHECK(s && strcmp(s, test_argv[i]) == 0);
	}
	CHECK_EQ(word_at(argv + 8 * 3), 0);
	envp = argv + 8 * 4;
	for (int i = 0; i < 2; i++) {
		const char *s = user_str(word_at(envp + 8 * i), rsp);
		CHECK(s && strcmp(s, test_envp[i]) == 0);
	}
	CHECK_EQ(word_at(envp + 8 * 2), 0);
}

UNIT_TEST(auxv_holds_every_expected_value)
{
	struct ustack_args a = test_args();
	uint64_t rsp, auxv;

	CHECK_EQ(build(&a, &rsp), 0);
	auxv = rsp + 8 * (1 + 4 + 3);
	CHECK_EQ(auxv_get(auxv, AT_HWCAP), 0x178bfbff);
	CHECK_EQ(auxv_get(auxv, AT_PAGESZ), 4096);
	CHECK_EQ(auxv_get(auxv, AT_CLKTCK), 100);
	CHECK_EQ(auxv_get(auxv, AT_PHDR), 0x400040);
	CHECK_EQ(auxv_get(auxv, AT_PHENT), 56);
	CHECK_EQ(auxv_get(auxv, AT_PHNUM), 10);
	CHECK_EQ(auxv_get(auxv, AT_BASE), 0);
	CHECK_EQ(auxv_get(auxv, AT_FLAGS), 0);
	CHECK_EQ(auxv_get(auxv, AT_ENTRY), 0x401520);
	CHECK_EQ(auxv_get(auxv, AT_UID), 1000);
	CHECK_EQ(auxv_get(auxv, AT_EUID), 1001);
	CHECK_EQ(auxv_get(auxv, AT_GID), 100);
	CHECK_EQ(auxv_get(auxv, AT_EGID), 101);
	CHECK_EQ(auxv_get(auxv, AT_SECURE), 0);
	CHECK_EQ(auxv_get(auxv, AT_HWCAP2), 2);
	CHECK_EQ(auxv_get(auxv, AT_SYSINFO_EHDR), (uint64_t)-1);
	CHECK_EQ(auxv_get(auxv, AT_MINSIGSTKSZ), (uint64_t)-1);
}

UNIT_TEST(auxv_pointers_reach_random_execfn_and_platform)
{
	struct ustack_args a = test_args();
	uint64_t rsp, auxv, random;
	const char *s;

	CHECK_EQ(build(&a, &rsp), 0);
	auxv = rsp + 8 * (1 + 4 + 3);
	random = auxv_get(auxv, AT_RANDOM);
	CHECK(user_ptr(random, rsp, USTACK_RANDOM_BYTES) != NULL);
	CHECK(memcmp(user_ptr(random, rsp, USTACK_RANDOM_BYTES), a.random, USTACK_RANDOM_BYTES) == 0);
	s = user_str(auxv_get(auxv, AT_EXECFN), rsp);
	CHECK(s && strcmp(s, "/bin/prog") == 0);
	s = user_str(auxv_get(auxv, AT_PLATFORM), rsp);
	CHECK(s && strcmp(s, "x86_64") == 0);
}

UNIT_TEST(strings_sit_above_vectors_in_linux_order)
{
	struct ustack_args a = test_args();
	uint64_t rsp, argv, envp, execfn, random;

	CHECK_EQ(build(&a, &rsp), 0);
	argv = rsp + 8;
	envp = argv + 8 * 4;
	execfn = auxv_get(envp + 8 * 3, AT_EXECFN);
	random = auxv_get(envp + 8 * 3, AT_RANDOM);
	CHECK(random > envp + 8 * 3);
	CHECK(random + USTACK_RANDOM_BYTES <= word_at(argv));
	CHECK(word_at(argv) < word_at(argv + 8) && word_at(argv + 8) < word_at(argv + 16));
	CHECK(word_at(argv + 16) < word_at(envp) && word_at(envp) < word_at(envp + 8));
	CHECK(word_at(envp + 8) < execfn);
	CHECK_EQ(execfn + sizeof("/bin/prog") + 8, STACK_TOP);
	CHECK_EQ(word_at(STACK_TOP - 8), 0);
}

UNIT_TEST(size_needed_matches_image_and_bytes_below_are_untouched)
{
	static unsigned char first[BUF_SIZE];
	struct ustack_args a = test_args();
	uint64_t rsp;
	size_t need = ustack_size_needed(&a);

	CHECK_EQ(build(&a, &rsp), 0);
	CHECK_EQ(STACK_TOP - rsp, need);
	CHECK_EQ(buf[BUF_SIZE - need - 1], FILL);
	memcpy(first, buf, BUF_SIZE);
	/* Built over other old contents, the image is the same: every gap was zeroed. */
	memset(buf, ~FILL, sizeof(buf));
	CHECK_EQ(ustack_build(buf, BUF_SIZE, STACK_TOP, &a, &rsp), 0);
	CHECK(memcmp(first + BUF_SIZE - need, buf + BUF_SIZE - need, need) == 0);
}

UNIT_TEST(too_small_buffer_returns_e2big_exact_fit_succeeds)
{
	struct ustack_args a = test_args();
	size_t need = ustack_size_needed(&a);
	uint64_t rsp = 0;

	CHECK_EQ(ustack_build(buf + BUF_SIZE - need + 1, need - 1, STACK_TOP, &a, &rsp), -E2BIG);
	CHECK_EQ(rsp, 0);
	CHECK_EQ(ustack_build(buf + BUF_SIZE - need, need, STACK_TOP, &a, &rsp), 0);
	CHECK_EQ(rsp, STACK_TOP - need);
	CHECK_EQ(ustack_build(buf, 64, STACK_TOP, &a, &rsp), -E2BIG);
}

UNIT_TEST(misaligned_stack_top_returns_einval)
{
	struct ustack_args a = test_args();
	uint64_t rsp;

	CHECK_EQ(ustack_build(buf, BUF_SIZE, STACK_TOP - 8, &a, &rsp), -EINVAL);
}

UNIT_TEST(explicit_lengths_copy_only_that_many_bytes)
{
	static const char *const argv[] = { "abcdef" };
	static const size_t argv_len[] = { 3 };
	static const char *const envp[] = { "X=1junk" };
	static const size_t envp_len[] = { 3 };
	struct ustack_args a = test_args();
	uint64_t rsp;
	const char *s;

	a.argc = 1, a.argv = argv, a.argv_len = argv_len;
	a.envc = 1, a.envp = envp, a.envp_len = envp_len;
	CHECK_EQ(build(&a, &rsp), 0);
	s = user_str(word_at(rsp + 8), rsp);
	CHECK(s && strcmp(s, "abc") == 0);
	s = user_str(word_at(rsp + 24), rsp);
	CHECK(s && strcmp(s, "X=1") == 0);
}

UNIT_TEST(minsigstksz_given_appears_in_auxv)
{
	struct ustack_args a = test_args();
	uint64_t rsp;

	a.minsigstksz = 3632;
	CHECK_EQ(build(&a, &rsp), 0);
	CHECK_EQ(auxv_get(rsp + 8 * (1 + 4 + 3), AT_MINSIGSTKSZ), 3632);
	CHECK_EQ(STACK_TOP - rsp, ustack_size_needed(&a));
}

UNIT_TEST(rsp_aligned_for_any_argument_count_and_lengths)
{
	static const char *const words[] = { "", "a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g" };
	struct ustack_args a = test_args();
	uint64_t rsp;

	for (size_t argc = 0; argc <= 8; argc++) {
		for (size_t envc = 0; envc <= 3; envc++) {
			a.argc = argc, a.argv = words;
			a.envc = envc, a.envp = words + 5 - envc;
			CHECK_EQ(build(&a, &rsp), 0);
			CHECK_EQ(rsp % 16, 0);
			CHECK_EQ(word_at(rsp), argc);
			CHECK_EQ(word_at(rsp + 8 * (argc + 1)), 0);
			CHECK_EQ(word_at(rsp + 8 * (argc + 2 + envc)), 0);
			CHECK_EQ(STACK_TOP - rsp, ustack_size_needed(&a));
		}
	}
}

UNIT_TEST(auxv_area_spans_the_pairs_through_at_null)
{
	struct ustack_args a = test_args();
	uint64_t rsp, start, end;

	CHECK_EQ(build(&a, &rsp), 0);
	ustack_auxv_area(&a, STACK_TOP, &start, &end);
	CHECK_EQ(start, rsp + 8 * (1 + 4 + 3));
	CHECK_EQ((end - start) % 16, 0);
	CHECK_EQ(word_at(end - 16), AT_NULL);
	for (uint64_t va = start; va < end - 16; va += 16)
		CHECK(word_at(va) != AT_NULL);
}
