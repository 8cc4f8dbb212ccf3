/*
 * exec_elf.c - the new address space of an ELF program, as Linux 6.1's
 * binfmt_elf builds it with randomization off:
 *
 *   1. the program's PT_LOAD segments: ET_EXEC at its own addresses; a
 *      PIE (ET_DYN with PT_INTERP) at ELF_ET_DYN_BASE; a static PIE
 *      (ET_DYN without) at the top of the mmap area;
 *   2. for a dynamically linked program, the interpreter PT_INTERP
 *      names (ld.so): an ET_DYN one top-down in the mmap area, wherever
 *      the whole span of its segments fits, like an mmap without hint;
 *   3. the vDSO and its data page ([vvar], [vdso]), top-down again;
 *   4. the stack with argc, argv, envp and the auxiliary vector, which
 *      tells ld.so where the program is (AT_PHDR, AT_ENTRY) and where it
 *      was itself put (AT_BASE).
 * The new process starts at the interpreter's entry when there is one.
 *
 * Each segment is a private file mapping of its file bytes (text pages
 * are the page cache's own frames, shared by every process mapping the
 * file, whole pages included when the segment ends within one; written
 * pages are copied) plus, past the last file page, an anonymous region
 * for the rest of its bss, as Linux maps it.
 *
 * Errors are Linux's, and all of them come before the point of no
 * return: -ENOEXEC for a bad program, the lookup's errors for an
 * interpreter that cannot be opened, -ELIBBAD for one that is no usable
 * x86-64 ELF program (Linux finds some of those only after the point of
 * no return and kills the process with SIGSEGV instead), -EIO where
 * Linux's read comes up short. An interpreter's own PT_INTERP is
 * ignored, as on Linux.
 */
#include "proc/task.h"
#include "proc/exec.h"
#include "proc/exec_elf.h"
#include "proc/elf.h"
#include "proc/ustack.h"
#include "proc/cred.h"
#include "proc/rlimit.h"
#include "mm/vm.h"
#include "mm/vdso.h"
#include "mm/kmalloc.h"
#include "fs/vfs.h"
#include "fs/random.h"
#include "arch.h"
#include "lib/errno.h"
#include "lib/string.h"

/* An ELF file being loaded: the checked summary and where it went. */
struct elf_file {
	struct inode *ip;
	struct elf_image img;
	uint64_t bias;          /* added to every address of img */
};

int exec_check_file(struct inode *ip)
{
	if (S_ISLNK(ip->mode))
		return -ELOOP;   /* AT_SYMLINK_NOFOLLOW and the name is a symlink */
	if (!S_ISREG(ip->mode))
		return -EACCES;
	return inode_permission(ip, MAY_EXEC);
}

/* Read and check the headers of f->ip, whose first hdr_len bytes are
 * hdr. -ENOEXEC for a bad file; -EIO, -ENOMEM. */
static int elf_read_headers(struct elf_file *f, const void *hdr, size_t hdr_len)
{
	uint64_t need;
	int err = elf_headers_span(hdr, hdr_len, f->ip->size, &need);
	if (err)
		return err;
	void *buf = kmalloc(need);
	if (!buf)
		return -ENOMEM;
	long n = inode_read_kernel(f->ip, 0, buf, need);
	err = n < 0 ? (int)n : elf_parse(buf, (size_t)n, f->ip->size, &f->img);
	kfree(buf);
	return err == -EINVAL ? -ENOEXEC : err;
}

/* Map one segment at bias: its file pages, then an anonymous region for
 * the bss past the last of them. As Linux, the last file page shows the
 * file's bytes past p_filesz, unless bss follows: then they read as zeros
 * (that page is a private copy). 0 or -errno. */
static int map_segment(struct mm *mm, const struct elf_segment *s, uint64_t bias, struct inode *ip)
{
	vaddr_t va = s->vaddr + bias;
	vaddr_t start = PAGE_ROUND_DOWN(va);
	vaddr_t file_end = PAGE_ROUND_UP(va + s->filesz);
	vaddr_t end = PAGE_ROUND_UP(va + s->memsz);
	uint64_t lead = va - start;
	uint64_t file_bytes = s->memsz > s->filesz ? s->filesz + lead : file_end - start;
	long r = 0;
	if (file_end > start)
		r = vm_map_segment(mm, start, file_end - start, (int)s->prot, ip, s->offset - lead,
				   file_bytes);
	if (r >= 0 && end > MAX(file_end, start))
		r = vm_map_segment(mm, MAX(file_end, start), end - MAX(file_end, start), (int)s->prot,
				   NULL, 0, 0);
	return r < 0 ? (int)r : 0;
}

static int map_segments(struct mm *mm, const struct elf_file *f)
{
	for (unsigned i = 0; i < f->img.nsegs; i++) {
		int err = map_segment(mm, &f->img.segs[i], f->bias, f->ip);
		if (err)
			return err;
	}
	return 0;
}

/* Where the program's parts are, for /proc (Linux's mm fields), and its
 * heap: after its last page, or for a static PIE at ELF_ET_DYN_BASE. */
static void note_program_layout(struct mm *mm, const struct elf_file *f)
{
	const struct elf_image *img = &f->img;
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		vaddr_t va = s->vaddr + f->bias;
		if (s->prot & ELF_PROT_EXEC) {
			mm->start_code = mm->start_code ? MIN(mm->start_code, va) : va;
			mm->end_code = MAX(mm->end_code, va + s->filesz);
		} else {
			mm->start_data = mm->start_data ? MIN(mm->start_data, va) : va;
			mm->end_data = MAX(mm->end_data, va + s->filesz);
		}
	}
	bool static_pie = img->type == ET_DYN && !img->interp_size;
	mm->brk_start = mm->brk = static_pie ? PAGE_ROUND_UP(ELF_ET_DYN_BASE)
					     : PAGE_ROUND_UP(img->hi + f->bias);
}

/* The interpreter's path from the program's PT_INTERP, in a new kernel
 * string (kfree it). -ENOEXEC if it is not NUL-terminated. */
static int read_interp_path(const struct elf_file *prog, char **out)
{
	uint64_t size = prog->img.interp_size;
	char *path = kmalloc(size);
	if (!path)
		return -ENOMEM;
	long n = inode_read_kernel(prog->ip, prog->img.interp_off, path, size);
	int err = n < 0 ? (int)n : (uint64_t)n < size ? -EIO : path[size - 1] ? -ENOEXEC : 0;
	if (err) {
		kfree(path);
		return err;
	}
	*out = path;
	return 0;
}

/* Open the interpreter and check its headers: interp->ip (referenced)
 * and interp->img. Linux's errors: the lookup's, -EACCES, -EIO when it
 * is shorter than an ELF header, else -ELIBBAD for anything unusable. */
static int open_interp(const struct elf_file *prog, struct elf_file *interp)
{
	char *path;
	int err = read_interp_path(prog, &path);
	if (err)
		return err;
	err = vfs_lookup_at(NULL, path, LOOKUP_FOLLOW, &interp->ip);
	kfree(path);
	if (err)
		return err;
	err = exec_check_file(interp->ip);
	Elf64_Ehdr eh;
	long n = err ? 0 : inode_read_kernel(interp->ip, 0, &eh, sizeof(eh));
	if (!err)
		err = n < 0 ? (int)n : (size_t)n < sizeof(eh) ? -EIO : 0;
	if (!err && (err = elf_read_headers(interp, &eh, sizeof(eh))) != 0 && err != -ENOMEM)
		err = -ELIBBAD;
	if (err) {
		inode_put(interp->ip);
		interp->ip = NULL;
	}
	return err;
}

/* Map the interpreter: an ET_DYN one where an mmap of its whole span
 * without hint would go (the highest free gap below the mmap base), an
 * ET_EXEC one at its own addresses. */
static int map_interp(struct mm *mm, struct elf_file *interp)
{
	const struct elf_image *img = &interp->img;
	interp->bias = 0;
	if (img->type == ET_DYN) {
		vaddr_t lo = PAGE_ROUND_DOWN(img->lo);
		vaddr_t at = vm_unmapped_area(mm, PAGE_ROUND_UP(img->hi) - lo);
		if (!at)
			return -ENOMEM;
		interp->bias = at - lo;
	}
	return map_segments(mm, interp);
}

static void fill_stack_args(struct ustack_args *u, const struct exec_strings *s,
			    const struct elf_file *prog, const struct elf_file *interp, vaddr_t vdso)
{
	const struct elf_image *img = &prog->img;
	memset(u, 0, sizeof(*u));
	u->argc = s->argc;
	u->argv = s->argv;
	u->envc = s->envc;
	u->envp = s->envp;
	u->execfn = s->path;
	random_bytes(u->random, sizeof(u->random));
	u->uid = s->cred->uid;
	u->euid = s->cred->euid;
	u->gid = s->cred->gid;
	u->egid = s->cred->egid;
	u->secure = s->secure;
	u->hwcap = arch_hwcap();
	u->hwcap2 = arch_hwcap2();
	u->minsigstksz = arch_min_sigstack_size();
	u->sysinfo_ehdr = vdso;
	u->phdr = img->phdr_vaddr ? img->phdr_vaddr + prog->bias : 0;
	u->phent = img->phent;
	u->phnum = img->phnum;
	u->entry = img->entry + prog->bias;
	u->base = interp->ip ? interp->bias : 0;
}

/* Build the stack region and write argc, argv, envp and auxv into it. */
static int build_stack(struct mm *mm, const struct ustack_args *u, uint64_t *rsp)
{
	size_t need = ustack_size_needed(u);
	size_t size = PAGE_ROUND_UP(need);
	int err = vm_setup_stack(mm, size + STACK_INITIAL_SIZE);
	if (err)
		return err;
	void *buf = kmalloc(size);
	if (!buf)
		return -ENOMEM;
	err = ustack_build(buf, size, mm->stack_top, u, rsp);
	if (!err)
		err = vm_write_to_mm(mm, mm->stack_top - size, buf, size);
	kfree(buf);
	ustack_string_areas(u, mm->stack_top, &mm->arg_start, &mm->arg_end, &mm->env_start,
			    &mm->env_end);
	ustack_auxv_area(u, mm->stack_top, &mm->auxv_start, &mm->auxv_end);
	return err;
}

/* Everything after the headers are known: map, then the stack. */
static int build_mm(struct mm *mm, const struct exec_strings *s, struct elf_file *prog,
		    struct elf_file *interp, uint64_t *rsp)
{
	struct ustack_args u;
	vaddr_t vdso = 0;
	int err = map_segments(mm, prog);
	if (!err)
		note_program_layout(mm, prog);
	if (!err && interp->ip)
		err = map_interp(mm, interp);
	if (!err)
		err = vdso_map(mm, &vdso);
	if (!err) {
		fill_stack_args(&u, s, prog, interp, vdso);
		err = build_stack(mm, &u, rsp);
	}
	return err;
}

int exec_load_elf(const struct exec_strings *s, struct inode *ip, const void *hdr, size_t hdr_len,
		  struct exec_start *out)
{
	struct elf_file prog = { .ip = ip }, interp = { .ip = NULL };
	int err = elf_read_headers(&prog, hdr, hdr_len);
	if (err)
		return err;
	prog.bias = elf_load_bias(&prog.img);
	if (prog.img.interp_size && (err = open_interp(&prog, &interp)) != 0)
		return err;
	struct mm *mm = mm_create();
	err = mm ? 0 : -ENOMEM;
	if (mm) {
		mm->stack_limit = rlimit_cur(RLIMIT_STACK);
		if (current->mm)   /* coredump_filter survives execve, as Linux's */
			mm->dump_filter = __atomic_load_n(&current->mm->dump_filter, __ATOMIC_RELAXED);
		err = build_mm(mm, s, &prog, &interp, &out->rsp);
	}
	if (interp.ip)
		inode_put(interp.ip);
	if (err) {
		if (mm)
			mm_put(mm);
		return err;
	}
	mm->exe = inode_get(ip);
	inode_deny_write_access(ip);   /* the mm's own, beside exec's: cannot fail */
	out->mm = mm;
	out->entry = prog.img.interp_size ? interp.img.entry + interp.bias : prog.img.entry + prog.bias;
	return 0;
}
