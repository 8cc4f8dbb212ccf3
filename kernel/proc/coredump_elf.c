/*
 * coredump_elf.c - the ELF core file of a dying process, laid out as
 * Linux's binfmt_elf writes it, so that gdb, readelf and eu-stack read
 * it (docs/coredump.md):
 *
 *   ELF header (ET_CORE)
 *   program headers: PT_NOTE, then one PT_LOAD per region, in address order
 *   notes: the dumping thread's NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO,
 *          NT_AUXV, NT_FILE, NT_PRFPREG, NT_X86_XSTATE; then each other
 *          thread's NT_PRSTATUS, NT_PRFPREG, NT_X86_XSTATE
 *   from the next page boundary: each region's first p_filesz bytes
 *
 * How much of a region is written follows coredump_filter as Linux's
 * vma_dump_size decides: all of it or nothing, except the first page of
 * a file mapping that holds an ELF header. Within it, a page never
 * touched (anonymous private memory with no frame and no swap entry) is
 * a hole in the file; pages in swap are read back, file pages read.
 * RLIMIT_CORE bounds the bytes written (holes do not count): the first
 * piece that would pass it ends the writing, and the file stays short.
 */
#include "proc/coredump.h"
#include "proc/elf.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "arch/regs.h"
#include "fs/vfs.h"
#include "fs/procfs/procfs.h"
#include "ipc/ipc.h"
#include "mm/fault.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/remote.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "mm/vm_report.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Note types and the structures they carry (Linux's <linux/elfcore.h>). */
#define NT_PRSTATUS   1
#define NT_PRFPREG    2
#define NT_PRPSINFO   3
#define NT_AUXV       6
#define NT_X86_XSTATE 0x202
#define NT_SIGINFO    0x53494749
#define NT_FILE       0x46494c45
#define XSTATE_SIZE   576      /* the fxsave area and the xsave header: x87 and SSE */
#define XFEATURES_FP_SSE 0x3
#define PSARGS_SIZE   80
#define AUXV_MAX      64       /* words */
#define FILE_NOTE_MAX (4UL << 20)

struct elf_siginfo {
	int32_t si_signo, si_code, si_errno;
};

struct core_timeval {
	int64_t tv_sec, tv_usec;
};

struct elf_prstatus {
	struct elf_siginfo pr_info;
	int16_t pr_cursig;
	uint64_t pr_sigpend, pr_sighold;
	int32_t pr_pid, pr_ppid, pr_pgrp, pr_sid;
	struct core_timeval pr_utime, pr_stime, pr_cutime, pr_cstime;
	struct user_regs_struct pr_reg;
	int32_t pr_fpvalid;
};
_Static_assert(sizeof(struct elf_prstatus) == 336, "x86-64 elf_prstatus");

struct elf_prpsinfo {
	char pr_state, pr_sname, pr_zomb, pr_nice;
	uint64_t pr_flag;
	uint32_t pr_uid, pr_gid;
	int32_t pr_pid, pr_ppid, pr_pgrp, pr_sid;
	char pr_fname[16];
	char pr_psargs[PSARGS_SIZE];
};
_Static_assert(sizeof(struct elf_prpsinfo) == 136, "x86-64 elf_prpsinfo");

/* ---- writing with a limit ---- */

struct core_out {
	struct inode *ip;
	uint64_t pos;         /* where the next byte goes */
	uint64_t written;     /* bytes written: what RLIMIT_CORE counts */
	uint64_t limit;
	bool stopped;         /* the limit, or the file system, ended the writing */
};

/* Write len bytes at the current position: false once the writing has stopped. */
static bool out_emit(struct core_out *o, const void *buf, size_t len)
{
	if (o->stopped || o->written + len > o->limit) {
		o->stopped = true;
		return false;
	}
	if (len && inode_write_kernel(o->ip, o->pos, buf, len) != (long)len) {
		o->stopped = true;
		return false;
	}
	o->pos += len;
	o->written += len;
	return true;
}

/* A file that ends in a hole still has its full length: one last byte. */
static void out_finish(struct core_out *o)
{
	if (o->stopped || o->ip->size >= o->pos)
		return;
	o->pos--;
	out_emit(o, "", 1);
}

/* ---- the threads and their registers ---- */

struct core_thread {
	struct task *task;
	struct elf_prstatus status;
	struct user_fpregs_struct fp;
};

static struct core_timeval ticks_to_timeval(uint64_t ticks)
{
	uint64_t us = ticks * (1000000 / TIMER_HZ);
	return (struct core_timeval){ (int64_t)(us / 1000000), (int64_t)(us % 1000000) };
}

/* NT_PRSTATUS of t, which took or shares signo. (T) held. */
static void fill_prstatus_locked(struct core_thread *c, int signo)
{
	struct task *t = c->task;
	struct process *p = t->proc;
	struct elf_prstatus *s = &c->status;
	s->pr_info.si_signo = s->pr_cursig = (int16_t)signo;
	s->pr_sigpend = t->pending.set;
	s->pr_sighold = t->sig_blocked;
	s->pr_pid = t->tid;
	s->pr_ppid = p->parent ? p->parent->pid : 0;
	s->pr_pgrp = p->pgid;
	s->pr_sid = p->sid;
	s->pr_utime = ticks_to_timeval(t->times.user);
	s->pr_stime = ticks_to_timeval(t->times.system);
	s->pr_cutime = ticks_to_timeval(p->child_times.user);
	s->pr_cstime = ticks_to_timeval(p->child_times.system);
	s->pr_fpvalid = 1;
}

/* The dumping thread, then the threads the dump waited for (stopped in
 * coredump_thread_exit): a kmalloc'd array, count in *n. */
static struct core_thread *collect_threads(int signo, size_t *n)
{
	struct task *self = current;
	struct process *p = self->proc;
	spin_lock(&tasklist_lock);
	size_t max = (size_t)p->nthreads;
	spin_unlock(&tasklist_lock);
	struct core_thread *th = kzalloc(MAX(max, 1) * sizeof(*th));
	if (!th)
		return NULL;
	spin_lock(&tasklist_lock);
	th[0].task = self;
	*n = 1;
	struct task *o;
	list_for_each_entry(o, &p->threads, thread_link)
		if (o->core_counted && *n < max)
			th[(*n)++].task = o;
	for (size_t i = 0; i < *n; i++)
		fill_prstatus_locked(&th[i], signo);
	spin_unlock(&tasklist_lock);
	for (size_t i = 0; i < *n; i++) {
		arch_regs_get(th[i].task, &th[i].status.pr_reg);
		arch_fpregs_get(th[i].task, &th[i].fp);
	}
	return th;
}

/* NT_X86_XSTATE: the fxsave image with XCR0 in the bytes software may
 * use (464..471, where gdb reads it), then the xsave header: x87 and SSE
 * are all the state Aspen keeps. */
static void fill_xstate(const struct user_fpregs_struct *fp, uint8_t *x)
{
	uint64_t xcr0 = XFEATURES_FP_SSE;
	memset(x, 0, XSTATE_SIZE);
	memcpy(x, fp, sizeof(*fp));
	memset(x + 464, 0, 48);
	memcpy(x + 464, &xcr0, sizeof(xcr0));
	memcpy(x + 512, &xcr0, sizeof(xcr0));   /* xstate_bv */
}

/* ---- the process ---- */

static void fill_psinfo(struct elf_prpsinfo *ps, struct mm *mm)
{
	struct task *t = current;
	struct process *p = t->proc;
	memset(ps, 0, sizeof(*ps));
	ps->pr_sname = 'R';
	ps->pr_uid = t->cred->uid;
	ps->pr_gid = t->cred->gid;
	spin_lock(&tasklist_lock);
	ps->pr_pid = p->pid;
	ps->pr_ppid = p->parent ? p->parent->pid : 0;
	ps->pr_pgrp = p->pgid;
	ps->pr_sid = p->sid;
	spin_unlock(&tasklist_lock);
	strlcpy(ps->pr_fname, p->comm, sizeof(ps->pr_fname));
	size_t len = MIN(mm->arg_end - mm->arg_start, (uint64_t)PSARGS_SIZE - 1);
	long got = len ? vm_access_remote(mm, mm->arg_start, ps->pr_psargs, len, false, true) : 0;
	for (long i = 0; i < got; i++)
		if (!ps->pr_psargs[i])
			ps->pr_psargs[i] = ' ';
	ps->pr_psargs[got > 0 ? got : 0] = '\0';
}

/* The auxiliary vector as exec left it on the stack: words read. */
static size_t read_auxv(struct mm *mm, uint64_t *auxv)
{
	size_t len = MIN(mm->auxv_end - mm->auxv_start, (uint64_t)AUXV_MAX * 8);
	long got = len ? vm_access_remote(mm, mm->auxv_start, auxv, len, false, true) : 0;
	return got > 0 ? (size_t)got / 8 : 0;
}

/* The name a file region goes by, as /proc/PID/maps names it. */
static void region_file_name(struct inode *file, char *buf, size_t size)
{
	if (procfs_inode_path(file, buf, size) && !shm_region_name(file, buf, size))
		snprintf(buf, size, "/dev/zero (deleted)");
}

static bool region_has_file(const struct vm_region_report *r)
{
	return r->file && !(r->flags & REGION_SPECIAL);
}

/* NT_FILE: count, page size, {start, end, page offset} per file region,
 * then their names. A kmalloc'd blob, its size in *size; NULL if none. */
static void *build_file_note(const struct vm_region_report *r, size_t n, size_t *size)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += region_has_file(&r[i]);
	char *name = kmalloc(PATH_MAX);
	size_t cap = 16 + count * 24 + count * 64, used = 16 + count * 24;
	uint64_t *blob = count && name ? kmalloc(cap) : NULL;
	if (!blob) {
		kfree(name);
		return NULL;
	}
	blob[0] = count;
	blob[1] = PAGE_SIZE;
	size_t k = 0;
	for (size_t i = 0; i < n && blob; i++) {
		if (!region_has_file(&r[i]))
			continue;
		uint64_t *e = &blob[2 + 3 * k++];
		e[0] = r[i].start;
		e[1] = r[i].end;
		e[2] = r[i].file_off / PAGE_SIZE;
		region_file_name(r[i].file, name, PATH_MAX);
		size_t len = strlen(name) + 1;
		if (used + len > cap) {
			size_t ncap = MIN(MAX(cap * 2, used + len), FILE_NOTE_MAX);
			uint64_t *nb = used + len <= ncap ? kmalloc(ncap) : NULL;
			if (nb)
				memcpy(nb, blob, used);
			kfree(blob);
			blob = nb;
			cap = ncap;
			if (!blob)
				break;
		}
		memcpy((char *)blob + used, name, len);
		used += len;
	}
	kfree(name);
	*size = blob ? used : 0;
	return blob;
}

/* ---- what of each region is dumped ---- */

static bool file_starts_with_elf(struct inode *file)
{
	unsigned char magic[4];
	return inode_read_kernel(file, 0, magic, 4) == 4 && magic[0] == ELFMAG0 &&
	       magic[1] == ELFMAG1 && magic[2] == ELFMAG2 && magic[3] == ELFMAG3;
}

/* Linux's vma_dump_size: the bytes of r the core holds under filter. */
static uint64_t region_dump_size(const struct vm_region_report *r, uint32_t filter)
{
	uint64_t whole = r->end - r->start;
	if (r->flags & REGION_VDSO)
		return whole;
	if (r->flags & (REGION_VVAR | REGION_DONTDUMP))
		return 0;
	bool anon_file = r->file && r->file->nlink == 0;   /* shared anonymous memory, shm */
	if ((r->flags & REGION_SHARED) && (anon_file || (r->flags & REGION_MAYWRITE)))
		return filter & (anon_file ? DUMP_ANON_SHARED : DUMP_MAPPED_SHARED) ? whole : 0;
	if ((r->pages.anon || r->pages.swap) && (filter & DUMP_ANON_PRIVATE))
		return whole;   /* written to (Linux: it has an anon_vma) */
	if (!r->file)
		return 0;
	if (filter & DUMP_MAPPED_PRIVATE)
		return whole;
	if ((filter & DUMP_ELF_HEADERS) && r->file_off == 0 && (r->prot & REGION_READ) &&
	    ((r->file->mode & 0111) || file_starts_with_elf(r->file)))
		return PAGE_SIZE;
	return 0;
}

/* Write the first size bytes of [start, ...) of mm page by page; a page
 * that cannot be had (never touched, or unreadable) is a hole. */
static void dump_range(struct core_out *o, struct mm *mm, vaddr_t start, uint64_t size)
{
	for (vaddr_t va = start; va < start + size && !o->stopped; va += PAGE_SIZE) {
		int err;
		paddr_t pa = vm_dump_page(mm, va, &err);
		if (!pa) {
			o->pos += PAGE_SIZE;
			continue;
		}
		out_emit(o, phys_to_virt(pa), PAGE_SIZE);
		user_page_put(pa);
	}
}

/* ---- notes ---- */

static size_t note_size(const char *name, size_t descsz)
{
	return 12 + ALIGN_UP(strlen(name) + 1, 4) + ALIGN_UP(descsz, 4);
}

static void emit_note(struct core_out *o, const char *name, uint32_t type, const void *desc,
		      size_t descsz)
{
	static const char zeros[4];
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	uint32_t hdr[3] = { namesz, (uint32_t)descsz, type };
	out_emit(o, hdr, sizeof(hdr));
	out_emit(o, name, namesz);
	out_emit(o, zeros, ALIGN_UP(namesz, 4) - namesz);
	out_emit(o, desc, descsz);
	out_emit(o, zeros, ALIGN_UP(descsz, 4) - descsz);
}

/* Everything the notes hold, gathered before any is written. */
struct core_notes {
	struct core_thread *threads;
	size_t nthreads;
	struct elf_prpsinfo psinfo;
	struct user_siginfo siginfo;
	uint64_t auxv[AUXV_MAX];
	size_t auxv_words;
	void *files;
	size_t files_size;
	uint8_t xstate[XSTATE_SIZE];
};

static size_t notes_size(const struct core_notes *cn)
{
	size_t per_thread = note_size("CORE", sizeof(struct elf_prstatus)) +
			    note_size("CORE", sizeof(struct user_fpregs_struct)) +
			    note_size("LINUX", XSTATE_SIZE);
	return cn->nthreads * per_thread + note_size("CORE", sizeof(cn->psinfo)) +
	       note_size("CORE", sizeof(cn->siginfo)) + note_size("CORE", cn->auxv_words * 8) +
	       note_size("CORE", cn->files_size);
}

static void emit_thread_regsets(struct core_out *o, struct core_notes *cn, size_t i)
{
	emit_note(o, "CORE", NT_PRFPREG, &cn->threads[i].fp, sizeof(cn->threads[i].fp));
	fill_xstate(&cn->threads[i].fp, cn->xstate);
	emit_note(o, "LINUX", NT_X86_XSTATE, cn->xstate, XSTATE_SIZE);
}

static void emit_notes(struct core_out *o, struct core_notes *cn)
{
	for (size_t i = 0; i < cn->nthreads; i++) {
		emit_note(o, "CORE", NT_PRSTATUS, &cn->threads[i].status, sizeof(cn->threads[i].status));
		if (i == 0) {
			emit_note(o, "CORE", NT_PRPSINFO, &cn->psinfo, sizeof(cn->psinfo));
			emit_note(o, "CORE", NT_SIGINFO, &cn->siginfo, sizeof(cn->siginfo));
			emit_note(o, "CORE", NT_AUXV, cn->auxv, cn->auxv_words * 8);
			emit_note(o, "CORE", NT_FILE, cn->files, cn->files_size);
		}
		emit_thread_regsets(o, cn, i);
	}
}

/* ---- the file ---- */

static void emit_headers(struct core_out *o, const struct vm_region_report *r, const uint64_t *dump,
			 size_t n, size_t notes, uint64_t data_off)
{
	Elf64_Ehdr eh;
	memset(&eh, 0, sizeof(eh));
	eh.e_ident[EI_MAG0] = ELFMAG0;
	eh.e_ident[EI_MAG1] = ELFMAG1;
	eh.e_ident[EI_MAG2] = ELFMAG2;
	eh.e_ident[EI_MAG3] = ELFMAG3;
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)(n + 1);
	out_emit(o, &eh, sizeof(eh));
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_offset = sizeof(eh) + (n + 1) * sizeof(ph),
			  .p_filesz = notes, .p_align = 4 };
	out_emit(o, &ph, sizeof(ph));
	for (size_t i = 0; i < n; i++) {
		ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = data_off, .p_vaddr = r[i].start,
			.p_filesz = dump[i], .p_memsz = r[i].end - r[i].start, .p_align = PAGE_SIZE,
			.p_flags = (r[i].prot & REGION_READ ? PF_R : 0) |
				   (r[i].prot & REGION_WRITE ? PF_W : 0) |
				   (r[i].prot & REGION_EXEC ? PF_X : 0) };
		out_emit(o, &ph, sizeof(ph));
		data_off += dump[i];
	}
}

/* Headers, notes, then memory: the regions r[0..n) of mm. */
static void write_core(struct core_out *o, struct core_notes *cn, struct mm *mm,
		       const struct vm_region_report *r, const uint64_t *dump, size_t n)
{
	size_t notes = notes_size(cn);
	uint64_t data_off = ALIGN_UP(sizeof(Elf64_Ehdr) + (n + 1) * sizeof(Elf64_Phdr) + notes,
				     PAGE_SIZE);
	emit_headers(o, r, dump, n, notes, data_off);
	emit_notes(o, cn);
	o->pos = data_off;
	for (size_t i = 0; i < n && !o->stopped; i++)
		dump_range(o, mm, r[i].start, dump[i]);
	out_finish(o);
}

int core_write_elf(struct inode *ip, const struct ksiginfo *info, uint64_t limit)
{
	struct mm *mm = current->mm;
	struct vm_region_report *r = NULL;
	size_t n = 0;
	struct core_notes *cn = kzalloc(sizeof(*cn));
	int err = cn ? vm_report_regions(mm, true, &r, &n) : -ENOMEM;
	uint64_t *dump = err ? NULL : kmalloc(MAX(n, 1) * sizeof(*dump));
	if (!err && dump)
		cn->threads = collect_threads(info->signo, &cn->nthreads);
	if (!err && (!dump || !cn->threads))
		err = -ENOMEM;
	if (!err) {
		uint32_t filter = coredump_filter_get(mm);
		for (size_t i = 0; i < n; i++)
			dump[i] = region_dump_size(&r[i], filter);
		fill_psinfo(&cn->psinfo, mm);
		siginfo_to_user(info, &cn->siginfo);
		cn->auxv_words = read_auxv(mm, cn->auxv);
		cn->files = build_file_note(r, n, &cn->files_size);
		struct core_out o = { .ip = ip, .limit = limit };
		write_core(&o, cn, mm, r, dump, n);
	}
	if (r)
		vm_report_free(r, n);
	kfree(dump);
	if (cn) {
		kfree(cn->threads);
		kfree(cn->files);
	}
	kfree(cn);
	return err;
}
