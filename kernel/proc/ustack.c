/*
 * ustack.c - build the initial user stack image (see ustack.h for the
 * picture).
 *
 * The image is planned first as depths, bytes below the stack top, which
 * do not depend on where the stack is: a 16-byte aligned top keeps every
 * alignment the same. Then each part is written at top - depth, and each
 * pointer stored in the image is the user address stack_top_va - depth.
 */
#include "lib/errno.h"
#include "lib/kernel.h"
#include "lib/string.h"
#include "proc/ustack.h"
#include <linux/auxvec.h>

#define USTACK_ALIGN 16
#define USTACK_MAX_AUXV 24
#define WORD sizeof(uint64_t)

struct auxv_entry {
	uint64_t type;
	uint64_t val;
};

/* Depths below the top of where each part of the image begins. */
struct ustack_layout {
	uint64_t execfn;        /* AT_EXECFN string */
	uint64_t env_strs;      /* envp[0]'s string; the others follow upward */
	uint64_t arg_strs;      /* argv[0]'s string */
	uint64_t platform;      /* AT_PLATFORM string */
	uint64_t random;        /* AT_RANDOM bytes */
	uint64_t rsp;           /* argc; the whole image's size */
	size_t nauxv;           /* auxv entries including AT_NULL */
};

/* The image being written: top is the byte just past the buffer, and
 * corresponds to user address top_va. */
struct stack_image {
	unsigned char *top;
	uint64_t top_va;
};

static size_t str_len(const char *const *strs, const size_t *lens, size_t i)
{
	return lens ? lens[i] : strlen(strs[i]);
}

static uint64_t strings_size(const char *const *strs, const size_t *lens, size_t n)
{
	uint64_t size = 0;

	for (size_t i = 0; i < n; i++)
		size += str_len(strs, lens, i) + 1;
	return size;
}

/* The auxiliary vector, in Linux's order; returns the number of entries
 * including the closing AT_NULL. The three addresses are user addresses. */
static size_t fill_auxv(const struct ustack_args *a, uint64_t random_va,
			uint64_t execfn_va, uint64_t platform_va, struct auxv_entry *aux)
{
	size_t n = 0;

#define AUX(t, v) (aux[n].type = (t), aux[n].val = (v), n++)
	if (a->sysinfo_ehdr)
		AUX(AT_SYSINFO_EHDR, a->sysinfo_ehdr);
	if (a->minsigstksz)
		AUX(AT_MINSIGSTKSZ, a->minsigstksz);
	AUX(AT_HWCAP, a->hwcap);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, USTACK_CLKTCK);
	AUX(AT_PHDR, a->phdr);
	AUX(AT_PHENT, a->phent);
	AUX(AT_PHNUM, a->phnum);
	AUX(AT_BASE, a->base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, a->entry);
	AUX(AT_UID, a->uid);
	AUX(AT_EUID, a->euid);
	AUX(AT_GID, a->gid);
	AUX(AT_EGID, a->egid);
	AUX(AT_SECURE, a->secure);
	AUX(AT_RANDOM, random_va);
	AUX(AT_HWCAP2, a->hwcap2);
	AUX(AT_EXECFN, execfn_va);
	AUX(AT_PLATFORM, platform_va);
	AUX(AT_NULL, 0);
#undef AUX
	return n;
}

static void plan_layout(const struct ustack_args *a, struct ustack_layout *l)
{
	struct auxv_entry aux[USTACK_MAX_AUXV];
	uint64_t d = WORD;      /* the zero end marker at the very top */
	uint64_t words;

	d += strlen(a->execfn) + 1;
	l->execfn = d;
	d += strings_size(a->envp, a->envp_len, a->envc);
	l->env_strs = d;
	d += strings_size(a->argv, a->argv_len, a->argc);
	l->arg_strs = d;
	d += sizeof(USTACK_PLATFORM);
	l->platform = d;
	d += USTACK_RANDOM_BYTES;
	l->random = d;
	l->nauxv = fill_auxv(a, 0, 0, 0, aux);
	/* argc, argv[] and NULL, envp[] and NULL, auxv pairs */
	words = 1 + (a->argc + 1) + (a->envc + 1) + 2 * l->nauxv;
	l->rsp = ALIGN_UP(ALIGN_UP(d, USTACK_ALIGN) + words * WORD, USTACK_ALIGN);
}

size_t ustack_size_needed(const struct ustack_args *a)
{
	struct ustack_layout l;

	plan_layout(a, &l);
	return l.rsp;
}

static void put_bytes(const struct stack_image *s, uint64_t depth, const void *src, size_t n)
{
	memcpy(s->top - depth, src, n);
}

static void put_word(const struct stack_image *s, uint64_t depth, uint64_t w)
{
	put_bytes(s, depth, &w, WORD);
}

/* Copy n strings upward from depth strs, each NUL-terminated, and store
 * their user addresses in the pointer array that starts at depth ptrs. */
static void put_strings(const struct stack_image *s, uint64_t strs, uint64_t ptrs,
			const char *const *v, const size_t *lens, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = str_len(v, lens, i);

		put_bytes(s, strs, v[i], len);
		put_bytes(s, strs - len, "", 1);
		put_word(s, ptrs - i * WORD, s->top_va - strs);
		strs -= len + 1;
	}
}

static void put_auxv(const struct stack_image *s, const struct ustack_layout *l,
		     const struct ustack_args *a, uint64_t depth)
{
	struct auxv_entry aux[USTACK_MAX_AUXV];
	size_t n = fill_auxv(a, s->top_va - l->random, s->top_va - l->execfn,
			     s->top_va - l->platform, aux);

	for (size_t i = 0; i < n; i++) {
		put_word(s, depth - 2 * i * WORD, aux[i].type);
		put_word(s, depth - (2 * i + 1) * WORD, aux[i].val);
	}
}

void ustack_string_areas(const struct ustack_args *a, uint64_t stack_top_va,
			 uint64_t *arg_start, uint64_t *arg_end, uint64_t *env_start, uint64_t *env_end)
{
	struct ustack_layout l;

	plan_layout(a, &l);
	*arg_start = stack_top_va - l.arg_strs;
	*arg_end = *env_start = stack_top_va - l.env_strs;
	*env_end = stack_top_va - l.execfn;
}

void ustack_auxv_area(const struct ustack_args *a, uint64_t stack_top_va, uint64_t *start,
		      uint64_t *end)
{
	struct ustack_layout l;

	plan_layout(a, &l);
	/* above rsp: argc, argv[] and NULL, envp[] and NULL, then the pairs */
	*start = stack_top_va - l.rsp + (1 + (a->argc + 1) + (a->envc + 1)) * WORD;
	*end = *start + 2 * l.nauxv * WORD;
}

int ustack_build(void *buf, size_t buf_size, uint64_t stack_top_va,
		 const struct ustack_args *a, uint64_t *rsp_out)
{
	struct stack_image s = { (unsigned char *)buf + buf_size, stack_top_va };
	struct ustack_layout l;
	uint64_t argv_ptrs, envp_ptrs;

	if (stack_top_va % USTACK_ALIGN)
		return -EINVAL;
	plan_layout(a, &l);
	if (l.rsp > buf_size || l.rsp > stack_top_va)
		return -E2BIG;
	memset(s.top - l.rsp, 0, l.rsp);
	put_bytes(&s, l.execfn, a->execfn, strlen(a->execfn) + 1);
	put_bytes(&s, l.platform, USTACK_PLATFORM, sizeof(USTACK_PLATFORM));
	put_bytes(&s, l.random, a->random, USTACK_RANDOM_BYTES);
	put_word(&s, l.rsp, a->argc);
	argv_ptrs = l.rsp - WORD;
	envp_ptrs = argv_ptrs - (a->argc + 1) * WORD;
	put_strings(&s, l.arg_strs, argv_ptrs, a->argv, a->argv_len, a->argc);
	put_strings(&s, l.env_strs, envp_ptrs, a->envp, a->envp_len, a->envc);
	put_auxv(&s, &l, a, envp_ptrs - (a->envc + 1) * WORD);
	*rsp_out = stack_top_va - l.rsp;
	return 0;
}
