/*
 * exec_elf.h - building a new address space from an ELF executable
 * (proc/exec_elf.c), for execve (proc/exec.c).
 */
#ifndef ASPEN_PROC_EXEC_ELF_H
#define ASPEN_PROC_EXEC_ELF_H
#include "lib/kernel.h"

struct inode;
struct cred;
struct mm;

/* What the new program is given, in kernel copies. */
struct exec_strings {
	const char *const *argv;
	size_t argc;
	const char *const *envp;
	size_t envc;
	const char *path;       /* the name execve was given (AT_EXECFN) */
	const struct cred *cred; /* the ids the program starts with (AT_UID, ...) */
	bool secure;            /* AT_SECURE */
};

/* The new program's start: the address space and the first registers. */
struct exec_start {
	struct mm *mm;
	uint64_t entry;         /* the interpreter's entry, or the program's */
	uint64_t rsp;           /* argc, argv, envp, auxv from here up */
};

/*
 * exec_load_elf - read the headers of ip (hdr: its first hdr_len bytes)
 * and, for a dynamically linked program, of its interpreter, then build
 * the whole new address space: program, interpreter, vDSO, stack. The
 * caller's own address space is untouched. Returns 0 with *out filled
 * (the caller owns out->mm), or -errno: -ENOEXEC (a bad program),
 * -ENOENT/-EACCES/... (the interpreter cannot be opened), -ELIBBAD (it
 * is no x86-64 ELF program), -EIO (short file), -ENOMEM. May sleep.
 */
int exec_load_elf(const struct exec_strings *s, struct inode *ip, const void *hdr, size_t hdr_len,
		  struct exec_start *out);

/*
 * exec_check_file - may the caller run ip (a program or an interpreter)?
 * 0, -ELOOP (a symlink: looked up without following), -EACCES (not a
 * regular file, or no exec permission). Does not sleep.
 */
int exec_check_file(struct inode *ip);
#endif
