// UNIT-SRCS: kernel/proc/seccomp_bpf.c
/*
 * test_seccomp_bpf.c - the classic BPF checker and interpreter of
 * seccomp filters: every instruction class computes what the BPF
 * definition says, length loads read sizeof(seccomp_data), division by a
 * zero X ends the program with 0, and the checker refuses what Linux's
 * refuses (bad loads, jumps out of the program, unset scratch words on
 * some path, a missing return, opcodes seccomp does not allow).
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "proc/seccomp.h"
#include "lib/errno.h"

void *kmalloc(size_t n) { return malloc(n); }
void kfree(const void *p) { free((void *)p); }

#define N(prog) ((uint32_t)(sizeof(prog) / sizeof((prog)[0])))

static const struct seccomp_data data = {
	.nr = 39, .arch = AUDIT_ARCH_X86_64, .instruction_pointer = 0x401000,
	.args = { 0x1111222233334444ULL, 7, 0, 0, 0, 0xffffffffULL },
};

/* Check prog and run it on data: its return value, or 0xdeadbeef if
 * the checker refused it. */
static uint32_t run(struct sock_filter *prog, uint32_t n)
{
	if (seccomp_bpf_check(prog, n))
		return 0xdeadbeef;
	return seccomp_bpf_run(prog, n, &data);
}

UNIT_TEST(loads_read_the_words_of_seccomp_data)
{
	struct sock_filter nr[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(run(nr, 2), 39);
	struct sock_filter arch[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(run(arch, 2), AUDIT_ARCH_X86_64);
	struct sock_filter lo[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(run(lo, 2), 0x33334444);
	struct sock_filter hi[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 20), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(run(hi, 2), 0x11112222);
	struct sock_filter len[] = { BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(run(len, 2), 64);
	struct sock_filter xlen[] = { BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_MISC | BPF_TXA, 0),
				      BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(run(xlen, 3), 64);
}

UNIT_TEST(alu_jumps_and_scratch_memory_compute_as_bpf_says)
{
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 10),
		BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 6),        /* 60 */
		BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 4),        /* 56 */
		BPF_STMT(BPF_ST, 2),
		BPF_STMT(BPF_LDX | BPF_IMM, 3),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),        /* 18 */
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 4),        /* 288 */
		BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 1),         /* 289 */
		BPF_STMT(BPF_ALU | BPF_XOR | BPF_K, 0x100),    /* 33 */
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 32, 0, 3), /* taken */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 2, 0, 2), /* 33 & 2 = 0: not taken */
		BPF_STMT(BPF_RET | BPF_K, 1),
		BPF_STMT(BPF_RET | BPF_K, 2),
		BPF_STMT(BPF_LDX | BPF_MEM, 2),                /* X = 56 */
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),        /* 89 */
		BPF_STMT(BPF_ALU | BPF_NEG, 0),
		BPF_STMT(BPF_ALU | BPF_NEG, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	/* 33 > 32: jump 0, so JSET; 33 & 2 == 0: its false branch skips 2 */
	CHECK_EQ(run(prog, N(prog)), 89);
	struct sock_filter shifts[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 0x80000000),
		BPF_STMT(BPF_LDX | BPF_IMM, 33),               /* a shift by X uses its low 5 bits */
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(run(shifts, N(shifts)), 0x40000000);
	struct sock_filter ja[] = {
		BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
		BPF_STMT(BPF_RET | BPF_K, 1),
		BPF_STMT(BPF_RET | BPF_K, 2),
	};
	CHECK_EQ(run(ja, N(ja)), 2);
}

UNIT_TEST(division_by_a_zero_x_returns_0)
{
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 5),
		BPF_STMT(BPF_LDX | BPF_IMM, 0),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	CHECK_EQ(run(prog, N(prog)), 0);
}

static int check(struct sock_filter *prog, uint32_t n)
{
	return seccomp_bpf_check(prog, n);
}

UNIT_TEST(checker_refuses_what_linux_refuses)
{
	struct sock_filter ret = BPF_STMT(BPF_RET | BPF_K, 0);
	CHECK_EQ(check(&ret, 0), -EINVAL);
	struct sock_filter bad_load[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 62), ret };
	CHECK_EQ(check(bad_load, 2), -EINVAL);
	struct sock_filter half[] = { BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), ret };
	CHECK_EQ(check(half, 2), -EINVAL);
	struct sock_filter ind[] = { BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), ret };
	CHECK_EQ(check(ind, 2), -EINVAL);
	struct sock_filter far[] = { BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), ret };
	CHECK_EQ(check(far, 2), -EINVAL);
	struct sock_filter shift[] = { BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), ret };
	CHECK_EQ(check(shift, 2), -EINVAL);
	struct sock_filter no_ret[] = { ret, BPF_STMT(BPF_MISC | BPF_TAX, 0) };
	CHECK_EQ(check(no_ret, 2), -EINVAL);
	/* M[0] written on one path only */
	struct sock_filter one_path[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_ST, 0),
		BPF_STMT(BPF_LD | BPF_MEM, 0),
		ret,
	};
	CHECK_EQ(check(one_path, N(one_path)), -EINVAL);
	/* ... and on both */
	struct sock_filter both[] = {
		BPF_STMT(BPF_ST, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_ST, 1),
		BPF_STMT(BPF_LD | BPF_MEM, 0),
		ret,
	};
	CHECK_EQ(check(both, N(both)), 0);
}
