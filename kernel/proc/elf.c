/*
 * elf.c - validate an x86-64 ELF executable and summarize what exec
 * must load.
 *
 * Everything in the file is untrusted: every size and offset is checked
 * against the file size and the user address space without overflow
 * before it is used, and anything odd is refused with -ENOEXEC rather
 * than guessed at. Headers are copied out of the buffer with memcpy, so
 * the buffer and e_phoff need no particular alignment.
 */
#include "lib/errno.h"
#include "lib/kernel.h"
#include "lib/string.h"
#include "mm/usercopy.h"
#include "proc/elf.h"

static bool ident_ok(const Elf64_Ehdr *eh)
{
	const unsigned char *id = eh->e_ident;

	return id[EI_MAG0] == ELFMAG0 && id[EI_MAG1] == ELFMAG1 &&
	       id[EI_MAG2] == ELFMAG2 && id[EI_MAG3] == ELFMAG3 &&
	       id[EI_CLASS] == ELFCLASS64 && id[EI_DATA] == ELFDATA2LSB &&
	       id[EI_VERSION] == EV_CURRENT;
}

static bool ehdr_ok(const Elf64_Ehdr *eh)
{
	return ident_ok(eh) && eh->e_version == EV_CURRENT &&
	       eh->e_machine == EM_X86_64 &&
	       (eh->e_type == ET_EXEC || eh->e_type == ET_DYN) &&
	       eh->e_ehsize == sizeof(Elf64_Ehdr) &&
	       eh->e_phentsize == sizeof(Elf64_Phdr) &&
	       eh->e_phnum >= 1 && eh->e_phnum <= ELF_MAX_PHNUM;
}

/* The program header table's size; ehdr_ok() bounds it to a few KiB. */
static uint64_t phdrs_size(const Elf64_Ehdr *eh)
{
	return (uint64_t)eh->e_phnum * eh->e_phentsize;
}

int elf_headers_span(const void *buf, size_t len, uint64_t file_size, uint64_t *need)
{
	Elf64_Ehdr eh;
	uint64_t limit = MIN(file_size, ELF_MAX_HEADERS_SPAN);

	if (len < sizeof(eh) || file_size < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, buf, sizeof(eh));
	if (!ehdr_ok(&eh))
		return -ENOEXEC;
	if (eh.e_phoff < sizeof(eh) || eh.e_phoff > limit ||
	    phdrs_size(&eh) > limit - eh.e_phoff)
		return -ENOEXEC;
	*need = eh.e_phoff + phdrs_size(&eh);
	return 0;
}

static uint32_t prot_from_flags(uint32_t p_flags)
{
	uint32_t prot = 0;

	if (p_flags & PF_R)
		prot |= ELF_PROT_READ;
	if (p_flags & PF_W)
		prot |= ELF_PROT_WRITE;
	if (p_flags & PF_X)
		prot |= ELF_PROT_EXEC;
	return prot;
}

/*
 * Check one PT_LOAD on its own and against the one before it, then
 * append it. Segments of no memory size load nothing and are skipped.
 */
static int add_load(struct elf_image *img, const Elf64_Phdr *ph, uint64_t file_size)
{
	struct elf_segment *prev = img->nsegs ? &img->segs[img->nsegs - 1] : NULL;
	struct elf_segment *s;

	if (ph->p_memsz == 0)
		return 0;
	if (ph->p_filesz > ph->p_memsz)
		return -ENOEXEC;
	if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset)
		return -ENOEXEC;
	if (ph->p_vaddr % PAGE_SIZE != ph->p_offset % PAGE_SIZE)
		return -ENOEXEC;
	if (ph->p_vaddr >= USER_TOP || ph->p_memsz > USER_TOP - ph->p_vaddr)
		return -ENOEXEC;
	if (prev && ph->p_vaddr < prev->vaddr + prev->memsz)
		return -ENOEXEC; /* overlapping or out of order */
	if (img->nsegs == ELF_MAX_LOADS)
		return -ENOEXEC;
	if (ph->p_align && !(ph->p_align & (ph->p_align - 1)))
		img->align = MAX(img->align, ph->p_align);
	s = &img->segs[img->nsegs++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->prot = prot_from_flags(ph->p_flags);
	return 0;
}

/* The first PT_INTERP names the interpreter; Linux ignores any other. */
static int note_interp(struct elf_image *img, const Elf64_Phdr *ph, uint64_t file_size)
{
	if (img->interp_size)
		return 0;
	if (ph->p_filesz < ELF_INTERP_MIN || ph->p_filesz > ELF_INTERP_MAX)
		return -ENOEXEC;
	if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset)
		return -EIO;
	img->interp_off = ph->p_offset;
	img->interp_size = ph->p_filesz;
	return 0;
}

/* Take note of one program header; -ENOEXEC if it makes the file unusable. */
static int note_phdr(struct elf_image *img, const Elf64_Phdr *ph, uint64_t file_size)
{
	switch (ph->p_type) {
	case PT_LOAD:
		return add_load(img, ph, file_size);
	case PT_INTERP:
		return note_interp(img, ph, file_size);
	case PT_PHDR:
		img->phdr_vaddr = ph->p_vaddr;
		return 0;
	case PT_GNU_STACK:
		img->stack_exec = (ph->p_flags & PF_X) != 0;
		return 0;
	case PT_TLS:
		img->has_tls = true;
		return 0;
	default:
		return 0;
	}
}

/* Where the program headers are in memory when no PT_PHDR says so: in the
 * PT_LOAD whose file bytes contain them; 0 if none does. */
static uint64_t phdr_vaddr_from_loads(const struct elf_image *img, uint64_t phoff, uint64_t size)
{
	for (unsigned int i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];

		if (phoff >= s->offset && phoff + size <= s->offset + s->filesz)
			return s->vaddr + (phoff - s->offset);
	}
	return 0;
}

static bool entry_ok(const struct elf_image *img)
{
	for (unsigned int i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];

		if ((s->prot & ELF_PROT_EXEC) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/* The whole image, moved by its load bias, lies in [ELF_MIN_VADDR, USER_TOP). */
static bool extent_ok(const struct elf_image *img)
{
	uint64_t start = img->lo + elf_load_bias(img);

	return start >= ELF_MIN_VADDR && start < USER_TOP &&
	       img->hi - img->lo <= USER_TOP - start;
}

static int scan_phdrs(const unsigned char *buf, const Elf64_Ehdr *eh,
		      uint64_t file_size, struct elf_image *img)
{
	Elf64_Phdr ph;
	int err;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		memcpy(&ph, buf + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		err = note_phdr(img, &ph, file_size);
		if (err)
			return err;
	}
	return 0;
}

int elf_parse(const void *hdr_buf, size_t buf_len, uint64_t file_size, struct elf_image *out)
{
	Elf64_Ehdr eh;
	uint64_t need;
	int err;

	err = elf_headers_span(hdr_buf, buf_len, file_size, &need);
	if (err)
		return err;
	if (buf_len < need)
		return -EINVAL;
	memcpy(&eh, hdr_buf, sizeof(eh));
	memset(out, 0, sizeof(*out));
	out->type = eh.e_type;
	out->entry = eh.e_entry;
	out->phnum = eh.e_phnum;
	out->phent = eh.e_phentsize;
	err = scan_phdrs(hdr_buf, &eh, file_size, out);
	if (err)
		return err;
	if (out->nsegs == 0)
		return -ENOEXEC;
	out->align = MAX(PAGE_ROUND_UP(out->align), PAGE_SIZE);
	out->lo = out->segs[0].vaddr;
	out->hi = out->segs[out->nsegs - 1].vaddr + out->segs[out->nsegs - 1].memsz;
	if (!extent_ok(out) || !entry_ok(out))
		return -ENOEXEC;
	if (out->phdr_vaddr == 0)
		out->phdr_vaddr = phdr_vaddr_from_loads(out, eh.e_phoff, phdrs_size(&eh));
	return 0;
}

uint64_t elf_load_bias(const struct elf_image *img)
{
	if (img->type != ET_DYN)
		return 0;
	if (img->interp_size)
		return PAGE_ROUND_DOWN((ELF_ET_DYN_BASE & ~(img->align - 1)) - img->lo);
	return ELF_DYN_TOP - PAGE_ROUND_UP(img->hi);
}
