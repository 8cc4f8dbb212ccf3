/*
 * elf.h - ELF64 file structures and the checked summary of an executable
 * that exec loads.
 *
 * Aspen runs x86-64 Linux binaries: ET_EXEC and ET_DYN, static (no
 * PT_INTERP: static and static-pie) or dynamically linked (PT_INTERP
 * names the program interpreter, ld.so, which exec loads beside the
 * program: proc/exec_elf.c).
 *
 * elf_parse() reads nothing itself: the caller hands it the start of the
 * file. It validates every field exec relies on, so the loader may trust
 * a struct elf_image without further checks.
 */
#ifndef ASPEN_PROC_ELF_H
#define ASPEN_PROC_ELF_H
#include "lib/kernel.h"

/* ---- the file format (System V ABI, ELF-64 object file format) ---- */

typedef uint64_t Elf64_Addr;
typedef uint64_t Elf64_Off;
typedef uint16_t Elf64_Half;
typedef uint32_t Elf64_Word;
typedef uint64_t Elf64_Xword;

#define EI_NIDENT 16

typedef struct {
	unsigned char e_ident[EI_NIDENT];
	Elf64_Half e_type;
	Elf64_Half e_machine;
	Elf64_Word e_version;
	Elf64_Addr e_entry;
	Elf64_Off e_phoff;
	Elf64_Off e_shoff;
	Elf64_Word e_flags;
	Elf64_Half e_ehsize;
	Elf64_Half e_phentsize;
	Elf64_Half e_phnum;
	Elf64_Half e_shentsize;
	Elf64_Half e_shnum;
	Elf64_Half e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	Elf64_Word p_type;
	Elf64_Word p_flags;
	Elf64_Off p_offset;
	Elf64_Addr p_vaddr;
	Elf64_Addr p_paddr;
	Elf64_Xword p_filesz;
	Elf64_Xword p_memsz;
	Elf64_Xword p_align;
} Elf64_Phdr;

/* e_ident indices and values */
#define EI_MAG0 0
#define EI_MAG1 1
#define EI_MAG2 2
#define EI_MAG3 3
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFMAG0 0x7f
#define ELFMAG1 'E'
#define ELFMAG2 'L'
#define ELFMAG3 'F'
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ELFDATA2MSB 2
#define EV_CURRENT 1

/* e_type */
#define ET_NONE 0
#define ET_REL 1
#define ET_EXEC 2
#define ET_DYN 3
#define ET_CORE 4

/* e_machine */
#define EM_386 3
#define EM_X86_64 62

/* p_type */
#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_SHLIB 5
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_STACK 0x6474e551

/* p_flags */
#define PF_X 0x1
#define PF_W 0x2
#define PF_R 0x4

/* ---- what exec needs to know ---- */

/* Limits: more program headers, or more PT_LOADs, than this is refused.
 * Real static binaries have about 10 headers and 2 to 5 loads. */
#define ELF_MAX_PHNUM 64
#define ELF_MAX_LOADS 16
/* The program header table must end within this many bytes of the start
 * of the file, so exec reads the headers with one small buffer. Linkers
 * put it right after the ELF header (e_phoff 64). */
#define ELF_MAX_HEADERS_SPAN (4 * PAGE_SIZE)

/*
 * Where an ET_DYN file goes (Linux 6.1 without randomization; Aspen
 * never randomizes). A PIE with an interpreter is loaded at
 * ELF_ET_DYN_BASE (2/3 of the 47-bit user space) rounded down to its
 * largest segment alignment: 0x555555554000 for the usual 4 KiB. One
 * without (a static PIE, or ld.so run as a program) is loaded as an
 * interpreter is: top-down in the mmap area, so that its last page ends
 * at the mmap base (ELF_DYN_TOP, TASK_SIZE - 128 MiB), and its heap
 * moves to the page at ELF_ET_DYN_BASE, where a PIE would have gone.
 */
#define ELF_DYN_TOP 0x00007ffff7fff000UL
#define ELF_ET_DYN_BASE 0x555555554aaaUL

/* PT_INTERP's size, NUL included, as Linux allows: 2 to PATH_MAX. */
#define ELF_INTERP_MIN 2
#define ELF_INTERP_MAX 4096

/* Nothing may be loaded below this (Linux's default vm.mmap_min_addr),
 * so that a NULL pointer dereference in user space always faults. */
#define ELF_MIN_VADDR 0x10000UL

/* Segment rights, with PROT_* values (the same as REGION_READ/WRITE/EXEC). */
#define ELF_PROT_READ 0x1
#define ELF_PROT_WRITE 0x2
#define ELF_PROT_EXEC 0x4

/* One PT_LOAD: file bytes [offset, offset+filesz) appear at vaddr, the
 * rest up to memsz reads as zeros (bss). Addresses are unbiased. */
struct elf_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset;
	uint64_t filesz;
	uint32_t prot;          /* ELF_PROT_* */
};

/*
 * The checked summary of an executable. Addresses are as written in the
 * file: add elf_load_bias() to get user addresses. Segments are in
 * ascending address order and do not overlap byte-wise (two may still
 * share one page: the end of one and the start of the next).
 */
struct elf_image {
	uint16_t type;          /* ET_EXEC or ET_DYN */
	uint64_t entry;         /* e_entry; inside an executable segment */
	struct elf_segment segs[ELF_MAX_LOADS];
	unsigned int nsegs;     /* 1..ELF_MAX_LOADS */
	uint64_t phdr_vaddr;    /* the program headers in memory (AT_PHDR), 0 if unmapped */
	uint16_t phnum;         /* AT_PHNUM */
	uint16_t phent;         /* AT_PHENT: sizeof(Elf64_Phdr) */
	bool stack_exec;        /* PT_GNU_STACK asks for PF_X (absent: not executable) */
	bool has_tls;           /* a PT_TLS header is present (libc sets up TLS itself) */
	uint64_t interp_off;    /* the first PT_INTERP: the interpreter's path, */
	uint64_t interp_size;   /* its bytes with the NUL; 0 for a static program */
	uint64_t align;         /* largest power-of-two p_align of a PT_LOAD (at least a page) */
	uint64_t lo;            /* lowest segment address (vaddr of segs[0]) */
	uint64_t hi;            /* end of the highest segment (vaddr + memsz) */
};

/*
 * elf_headers_span - how many bytes from the start of the file hold the
 * ELF header and all program headers, in *need (at most file_size and
 * ELF_MAX_HEADERS_SPAN). buf holds the first len bytes of a file of
 * file_size bytes. Returns 0, or -ENOEXEC if the ELF header is short or
 * invalid or its program header table lies outside those bounds.
 * Pure; does not sleep.
 */
int elf_headers_span(const void *buf, size_t len, uint64_t file_size, uint64_t *need);

/*
 * elf_parse - validate an executable and summarize it in *out.
 * hdr_buf holds the first buf_len bytes of a file of file_size bytes;
 * buf_len must reach the span given by elf_headers_span(). Returns 0;
 * -ENOEXEC if the file is malformed, not an x86-64 executable, beyond
 * the limits above, or its PT_INTERP's size is outside [ELF_INTERP_MIN,
 * ELF_INTERP_MAX]; -EIO if the interpreter's name lies past the end of
 * the file (Linux's short read); -EINVAL if the file is well formed but
 * buf_len is too short for its program headers. Pure; does not sleep.
 */
int elf_parse(const void *hdr_buf, size_t buf_len, uint64_t file_size, struct elf_image *out);

/*
 * elf_load_bias - what to add to every address of the image when it is
 * the program exec runs: 0 for ET_EXEC; for ET_DYN with an interpreter
 * the amount that puts it at ELF_ET_DYN_BASE (aligned down to
 * img->align); for ET_DYN without, the amount that ends the image's
 * last page at ELF_DYN_TOP. elf_parse() has checked that the biased
 * image fits in user space. (An interpreter goes wherever the mmap area
 * has room: the loader decides.)
 */
uint64_t elf_load_bias(const struct elf_image *img);

#endif
