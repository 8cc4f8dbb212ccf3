/*
 * ustack.h - the initial user stack of a new program, laid out as Linux
 * lays it out on x86-64, so that unmodified libc start code finds its
 * arguments, environment and auxiliary vector.
 *
 * From the top of the stack down:
 *
 *	stack_top ->	8 bytes of zero (end marker)
 *			AT_EXECFN's file name string
 *			envp strings (envp[0] lowest)
 *			argv strings (argv[0] lowest)
 *			"x86_64" (AT_PLATFORM)
 *			16 random bytes (AT_RANDOM)
 *			padding to 16 bytes
 *			auxv pairs, ending with AT_NULL
 *			envp[0..envc-1], NULL
 *			argv[0..argc-1], NULL
 *	rsp ->		argc			(rsp is 16-byte aligned)
 *
 * Padding between rsp's block and the random bytes makes rsp aligned.
 */
#ifndef ASPEN_PROC_USTACK_H
#define ASPEN_PROC_USTACK_H
#include "lib/kernel.h"

#define USTACK_RANDOM_BYTES 16
#define USTACK_CLKTCK 100               /* AT_CLKTCK: times() ticks per second */
#define USTACK_PLATFORM "x86_64"        /* AT_PLATFORM */

/*
 * What the new program is given. Strings are kernel copies; argv_len and
 * envp_len give their lengths without the NUL (when NULL, strlen is used,
 * and the strings must be NUL-terminated). Addresses are user addresses,
 * the load bias already added.
 */
struct ustack_args {
	size_t argc;
	const char *const *argv;
	const size_t *argv_len;
	size_t envc;
	const char *const *envp;
	const size_t *envp_len;
	const char *execfn;             /* NUL-terminated path given to execve */
	uint8_t random[USTACK_RANDOM_BYTES];
	uint32_t uid, euid, gid, egid;
	bool secure;                    /* AT_SECURE: set-id exec */
	uint64_t hwcap, hwcap2;         /* AT_HWCAP (CPUID 1 edx), AT_HWCAP2 */
	uint64_t phdr, phent, phnum;    /* AT_PHDR, AT_PHENT, AT_PHNUM */
	uint64_t entry;                 /* AT_ENTRY */
	uint64_t base;                  /* AT_BASE: where the interpreter went (0: none) */
	uint64_t sysinfo_ehdr;          /* AT_SYSINFO_EHDR: the vDSO; omitted when 0 */
	uint64_t minsigstksz;           /* AT_MINSIGSTKSZ; omitted when 0 */
};

/*
 * ustack_size_needed - the bytes from the stack top down to the final rsp
 * for these arguments (for a 16-byte aligned top). Pure.
 */
size_t ustack_size_needed(const struct ustack_args *a);

/*
 * ustack_build - write the initial stack image into buf, a kernel buffer
 * of buf_size bytes that will appear in user space just below
 * stack_top_va (buf[buf_size - 1] is the byte at stack_top_va - 1).
 * Every pointer in the image is a user address. Bytes between the final
 * rsp and the top that hold nothing are zeroed; bytes below are untouched.
 * Sets *rsp_out to the user address of argc. Returns 0, -EINVAL if
 * stack_top_va is not 16-byte aligned, or -E2BIG if the image does not
 * fit in buf_size bytes. Pure; does not sleep.
 */
int ustack_build(void *buf, size_t buf_size, uint64_t stack_top_va,
		 const struct ustack_args *a, uint64_t *rsp_out);

/*
 * ustack_string_areas - where the argv and envp strings lie in the image
 * built for stack_top_va: [*arg_start, *arg_end) holds the argv strings
 * with their NULs, [*env_start, *env_end) the envp strings (Linux's
 * mm->arg_start... fields, shown by /proc/PID/cmdline and environ). Pure.
 */
void ustack_string_areas(const struct ustack_args *a, uint64_t stack_top_va,
			 uint64_t *arg_start, uint64_t *arg_end, uint64_t *env_start, uint64_t *env_end);
/* ustack_auxv_area - [*start, *end): the auxiliary vector's pairs, AT_NULL
 * included, in the image built for stack_top_va (a core dump's NT_AUXV). Pure. */
void ustack_auxv_area(const struct ustack_args *a, uint64_t stack_top_va, uint64_t *start,
		      uint64_t *end);

#endif
