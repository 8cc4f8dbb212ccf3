/*
 * seccomp_bpf.c - classic BPF for seccomp filters: the checker a program
 * must pass before it is installed, and the interpreter that runs it on
 * each system call (Linux's bpf_check_classic, seccomp_check_filter and
 * the classic instruction set, without the translation to eBPF).
 *
 * A program sees only struct seccomp_data (64 bytes: nr, arch,
 * instruction_pointer, args[6]), read as aligned 32-bit words; it has
 * the accumulator A, the index X and 16 scratch words M[], which must be
 * written before they are read on every path. Jumps go forward only, so
 * every program ends: at most len instructions run. Pure code, no lock,
 * tested on the host (tests/unit/test_seccomp_bpf.c).
 */
#include "proc/seccomp.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

#define DATA_SIZE ((uint32_t)sizeof(struct seccomp_data))

/* Is code one of the instructions seccomp allows (after its loads are
 * rewritten: see rewrite_load)? */
static bool code_allowed(uint16_t code)
{
	switch (code) {
	case BPF_RET | BPF_K: case BPF_RET | BPF_A:
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_IMM: case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
	case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM:
	case BPF_ST: case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	default:
		return false;
	}
}

static bool is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* The length loads become loads of the constant sizeof(seccomp_data),
 * as Linux's seccomp_check_filter rewrites them. */
static void rewrite_load(struct sock_filter *f)
{
	if (f->code == (BPF_LD | BPF_W | BPF_LEN)) {
		f->code = BPF_LD | BPF_IMM;
		f->k = DATA_SIZE;
	} else if (f->code == (BPF_LDX | BPF_W | BPF_LEN)) {
		f->code = BPF_LDX | BPF_IMM;
		f->k = DATA_SIZE;
	}
}

/* One instruction's own rules at pc of len: operands and jump targets. */
static bool insn_ok(const struct sock_filter *f, uint32_t pc, uint32_t len)
{
	if (!code_allowed(f->code))
		return false;
	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		return f->k < DATA_SIZE && !(f->k & 3);
	case BPF_ALU | BPF_DIV | BPF_K:
		return f->k != 0;
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_K:
		return f->k < 32;
	case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM: case BPF_ST: case BPF_STX:
		return f->k < BPF_MEMWORDS;
	case BPF_JMP | BPF_JA:
		return f->k < len - pc - 1;
	default:
		if (is_cond_jump(f->code))
			return pc + f->jt + 1 < len && pc + f->jf + 1 < len;
		return true;
	}
}

/* Every scratch word is written before it is read, on every path
 * (Linux's check_load_and_stores). */
static int check_memory(const struct sock_filter *insns, uint32_t len)
{
	uint16_t *masks = kmalloc(len * sizeof(uint16_t));
	if (!masks)
		return -ENOMEM;
	memset(masks, 0xff, len * sizeof(uint16_t));
	uint16_t valid = 0;
	int err = 0;
	for (uint32_t pc = 0; pc < len && !err; pc++) {
		const struct sock_filter *f = &insns[pc];
		valid &= masks[pc];
		switch (f->code) {
		case BPF_ST: case BPF_STX:
			valid |= (uint16_t)(1u << f->k);
			break;
		case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM:
			if (!(valid & (1u << f->k)))
				err = -EINVAL;
			break;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + f->k] &= valid;
			valid = 0xffff;
			break;
		default:
			if (is_cond_jump(f->code)) {
				masks[pc + 1 + f->jt] &= valid;
				masks[pc + 1 + f->jf] &= valid;
				valid = 0xffff;
			}
		}
	}
	kfree(masks);
	return err;
}

int seccomp_bpf_check(struct sock_filter *insns, uint32_t len)
{
	if (len == 0 || len > BPF_MAXINSNS)
		return -EINVAL;
	for (uint32_t pc = 0; pc < len; pc++) {
		rewrite_load(&insns[pc]);
		if (!insn_ok(&insns[pc], pc, len))
			return -EINVAL;
	}
	uint16_t last = insns[len - 1].code;
	if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A))
		return -EINVAL;
	return check_memory(insns, len);
}

/* The 32-bit word of d at byte offset off (checked: aligned, inside). */
static uint32_t data_word(const struct seccomp_data *d, uint32_t off)
{
	uint32_t w;
	memcpy(&w, (const char *)d + off, sizeof(w));
	return w;
}

static uint32_t alu(uint16_t op, uint32_t a, uint32_t v, bool *div0)
{
	switch (op) {
	case BPF_ADD: return a + v;
	case BPF_SUB: return a - v;
	case BPF_MUL: return a * v;
	case BPF_DIV:
		if (!v)
			*div0 = true;
		return v ? a / v : 0;
	case BPF_AND: return a & v;
	case BPF_OR: return a | v;
	case BPF_XOR: return a ^ v;
	case BPF_LSH: return a << (v & 31);
	case BPF_RSH: return a >> (v & 31);
	default: return -a;   /* BPF_NEG */
	}
}

static bool jump_taken(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_JEQ: return a == v;
	case BPF_JGE: return a >= v;
	case BPF_JGT: return a > v;
	default: return (a & v) != 0;   /* BPF_JSET */
	}
}

uint32_t seccomp_bpf_run(const struct sock_filter *insns, uint32_t len, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	for (uint32_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &insns[pc];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		bool div0 = false;
		switch (BPF_CLASS(f->code)) {
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_LD:
			a = BPF_MODE(f->code) == BPF_ABS ? data_word(d, f->k) :
			    BPF_MODE(f->code) == BPF_MEM ? mem[f->k] : f->k;
			break;
		case BPF_LDX:
			x = BPF_MODE(f->code) == BPF_MEM ? mem[f->k] : f->k;
			break;
		case BPF_ST:
			mem[f->k] = a;
			break;
		case BPF_STX:
			mem[f->k] = x;
			break;
		case BPF_ALU:
			a = alu(BPF_OP(f->code), a, src, &div0);
			if (div0)
				return 0;   /* as Linux: the program ends, returning 0 (kill) */
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA)
				pc += f->k;
			else
				pc += jump_taken(BPF_OP(f->code), a, src) ? f->jt : f->jf;
			break;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return 0;   /* unreachable for a checked program: its last instruction returns */
}
