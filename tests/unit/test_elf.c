// UNIT-SRCS: kernel/proc/elf.c
/*
 * test_elf.c - elf_parse() on executables built by hand in memory, on
 * each kind of corruption, on random byte flips, and on a real static
 * binary from the host when one is installed.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "lib/errno.h"
#include "mm/usercopy.h"
#include "proc/elf.h"

#define FILE_SIZE 0x3000
#define TEXT_VA 0x400000UL
#define DATA_VA 0x402000UL
#define DATA_OFF 0x2000UL
#define ENTRY_VA (TEXT_VA + 0x1100)
#define PHOFF sizeof(Elf64_Ehdr)

/* Program header slots of the full fixture. */
enum { PH_PHDR, PH_TEXT, PH_DATA, PH_TLS, PH_STACK, NPH };

static _Alignas(16) unsigned char file[FILE_SIZE];

static Elf64_Ehdr *ehdr(void) { return (Elf64_Ehdr *)file; }
static Elf64_Phdr *phdr(int i) { return (Elf64_Phdr *)(file + PHOFF) + i; }

static void set_phdr(int i, uint32_t type, uint32_t flags, uint64_t off,
		     uint64_t va, uint64_t filesz, uint64_t memsz)
{
	*phdr(i) = (Elf64_Phdr){ .p_type = type, .p_flags = flags, .p_offset = off,
		.p_vaddr = va, .p_paddr = va, .p_filesz = filesz, .p_memsz = memsz,
		.p_align = PAGE_SIZE };
}

/* An ET_EXEC with one read+exec PT_LOAD covering the first page. */
static void build_minimal(void)
{
	Elf64_Ehdr *eh = ehdr();

	memset(file, 0, sizeof(file));
	memcpy(eh->e_ident, "\x7f" "ELF", 4);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = TEXT_VA + 0x100;
	eh->e_phoff = PHOFF;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 1;
	set_phdr(0, PT_LOAD, PF_R | PF_X, 0, TEXT_VA, PAGE_SIZE, PAGE_SIZE);
}

/* An ET_EXEC shaped like a real static binary: PT_PHDR, text, data+bss,
 * TLS and a non-executable GNU stack. */
static void build_full(void)
{
	build_minimal();
	ehdr()->e_phnum = NPH;
	ehdr()->e_entry = ENTRY_VA;
	set_phdr(PH_PHDR, PT_PHDR, PF_R, PHOFF, TEXT_VA + PHOFF,
		 NPH * sizeof(Elf64_Phdr), NPH * sizeof(Elf64_Phdr));
	set_phdr(PH_TEXT, PT_LOAD, PF_R | PF_X, 0, TEXT_VA, 0x1800, 0x1800);
	set_phdr(PH_DATA, PT_LOAD, PF_R | PF_W, DATA_OFF, DATA_VA, 0x800, 0x3000);
	set_phdr(PH_TLS, PT_TLS, PF_R, DATA_OFF, DATA_VA, 0x10, 0x20);
	set_phdr(PH_STACK, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
}

static int parse(struct elf_image *img)
{
	return elf_parse(file, FILE_SIZE, FILE_SIZE, img);
}

UNIT_TEST(minimal_exec_parses_with_expected_fields)
{
	struct elf_image img;

	build_minimal();
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.type, ET_EXEC);
	CHECK_EQ(img.entry, TEXT_VA + 0x100);
	CHECK_EQ(img.nsegs, 1);
	CHECK_EQ(img.segs[0].vaddr, TEXT_VA);
	CHECK_EQ(img.segs[0].memsz, PAGE_SIZE);
	CHECK_EQ(img.segs[0].offset, 0);
	CHECK_EQ(img.segs[0].filesz, PAGE_SIZE);
	CHECK_EQ(img.segs[0].prot, ELF_PROT_READ | ELF_PROT_EXEC);
	CHECK_EQ(img.phnum, 1);
	CHECK_EQ(img.phent, sizeof(Elf64_Phdr));
	CHECK_EQ(img.lo, TEXT_VA);
	CHECK_EQ(img.hi, TEXT_VA + PAGE_SIZE);
	CHECK(!img.stack_exec);
	CHECK(!img.has_tls);
	CHECK_EQ(elf_load_bias(&img), 0);
}

UNIT_TEST(phdr_address_found_in_load_when_no_pt_phdr)
{
	struct elf_image img;

	build_minimal();
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.phdr_vaddr, TEXT_VA + PHOFF);
}

UNIT_TEST(phdr_address_zero_when_no_load_maps_the_headers)
{
	struct elf_image img;

	build_minimal();
	set_phdr(0, PT_LOAD, PF_R | PF_X, PAGE_SIZE, TEXT_VA + PAGE_SIZE, PAGE_SIZE, PAGE_SIZE);
	ehdr()->e_entry = TEXT_VA + PAGE_SIZE;
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.phdr_vaddr, 0);
}

UNIT_TEST(full_exec_records_segments_phdr_tls_and_stack)
{
	struct elf_image img;

	build_full();
	phdr(PH_PHDR)->p_vaddr = TEXT_VA + 0x200; /* PT_PHDR wins over the computed place */
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.nsegs, 2);
	CHECK_EQ(img.segs[1].vaddr, DATA_VA);
	CHECK_EQ(img.segs[1].offset, DATA_OFF);
	CHECK_EQ(img.segs[1].filesz, 0x800);
	CHECK_EQ(img.segs[1].memsz, 0x3000);
	CHECK_EQ(img.segs[1].prot, ELF_PROT_READ | ELF_PROT_WRITE);
	CHECK_EQ(img.phdr_vaddr, TEXT_VA + 0x200);
	CHECK_EQ(img.phnum, NPH);
	CHECK(img.has_tls);
	CHECK(!img.stack_exec);
	CHECK_EQ(img.lo, TEXT_VA);
	CHECK_EQ(img.hi, DATA_VA + 0x3000);
}

UNIT_TEST(gnu_stack_with_exec_flag_makes_stack_executable)
{
	struct elf_image img;

	build_full();
	phdr(PH_STACK)->p_flags |= PF_X;
	CHECK_EQ(parse(&img), 0);
	CHECK(img.stack_exec);
}

UNIT_TEST(empty_load_is_skipped)
{
	struct elf_image img;

	build_full();
	set_phdr(PH_TLS, PT_LOAD, PF_R, 0, 0, 0, 0);
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.nsegs, 2);
}

/* The fixture as a static PIE: ET_DYN linked at 0. */
static void build_static_pie(void)
{
	build_full();
	ehdr()->e_type = ET_DYN;
	ehdr()->e_entry = 0x1100;
	phdr(PH_PHDR)->p_vaddr = PHOFF;
	phdr(PH_TEXT)->p_vaddr = 0;
	phdr(PH_DATA)->p_vaddr = 0x2000;
}

UNIT_TEST(static_pie_bias_ends_last_page_at_mmap_top)
{
	struct elf_image img;

	build_static_pie();
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.type, ET_DYN);
	CHECK_EQ(img.entry, 0x1100);
	CHECK_EQ(elf_load_bias(&img) + PAGE_ROUND_UP(img.hi), ELF_DYN_TOP);
	CHECK_EQ(elf_load_bias(&img) & (PAGE_SIZE - 1), 0);
	CHECK_EQ(img.phdr_vaddr + elf_load_bias(&img), elf_load_bias(&img) + PHOFF);
}

UNIT_TEST(static_pie_linked_high_still_ends_at_mmap_top)
{
	struct elf_image img;

	build_full();
	ehdr()->e_type = ET_DYN;
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(PAGE_ROUND_UP(img.hi) + elf_load_bias(&img), ELF_DYN_TOP);
}

UNIT_TEST(static_pie_too_big_for_space_below_top_rejected)
{
	struct elf_image img;

	build_full();
	ehdr()->e_type = ET_DYN;
	phdr(PH_DATA)->p_memsz = ELF_DYN_TOP;
	CHECK_EQ(parse(&img), -ENOEXEC);
}

/* The fixture as a PIE: ET_DYN linked at 0, PT_TLS turned into a
 * PT_INTERP naming "/lib/ld.so" (its bytes in the file at INTERP_OFF). */
#define INTERP_OFF 0x2800UL
static void build_pie(void)
{
	build_static_pie();
	set_phdr(PH_TLS, PT_INTERP, PF_R, INTERP_OFF, 0, sizeof("/lib/ld.so"), sizeof("/lib/ld.so"));
	memcpy(file + INTERP_OFF, "/lib/ld.so", sizeof("/lib/ld.so"));
}

UNIT_TEST(pie_with_interp_records_it_and_loads_at_et_dyn_base)
{
	struct elf_image img;

	build_pie();
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.interp_off, INTERP_OFF);
	CHECK_EQ(img.interp_size, sizeof("/lib/ld.so"));
	CHECK_EQ(img.align, PAGE_SIZE);
	CHECK_EQ(elf_load_bias(&img), 0x555555554000UL);   /* Linux, without randomization */
}

UNIT_TEST(pie_aligned_to_its_largest_power_of_two_p_align)
{
	struct elf_image img;

	build_pie();
	phdr(PH_DATA)->p_align = 0x200000;
	phdr(PH_TEXT)->p_align = 0x3000;   /* not a power of two: ignored */
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.align, 0x200000);
	CHECK_EQ(elf_load_bias(&img), 0x555555400000UL);
}

UNIT_TEST(exec_with_interp_stays_at_its_address)
{
	struct elf_image img;

	build_full();
	set_phdr(PH_TLS, PT_INTERP, PF_R, INTERP_OFF, 0, 2, 2);
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.interp_size, 2);
	CHECK_EQ(elf_load_bias(&img), 0);
}

UNIT_TEST(second_interp_ignored)
{
	struct elf_image img;

	build_pie();
	set_phdr(PH_STACK, PT_INTERP, PF_R, 0, 0, 1, 1);   /* bad, but not the first */
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.interp_off, INTERP_OFF);
}

UNIT_TEST(interp_size_outside_two_to_path_max_rejected)
{
	struct elf_image img;

	build_pie();
	phdr(PH_TLS)->p_filesz = 1;
	CHECK_EQ(parse(&img), -ENOEXEC);
	phdr(PH_TLS)->p_filesz = ELF_INTERP_MAX + 1;
	CHECK_EQ(parse(&img), -ENOEXEC);
	phdr(PH_TLS)->p_offset = 0;
	phdr(PH_TLS)->p_filesz = ELF_INTERP_MAX;
	CHECK_EQ(parse(&img), 0);
}

UNIT_TEST(interp_past_end_of_file_is_a_short_read)
{
	struct elf_image img;

	build_pie();
	phdr(PH_TLS)->p_offset = FILE_SIZE - 4;
	CHECK_EQ(parse(&img), -EIO);
	phdr(PH_TLS)->p_offset = ~0ULL - 2;
	CHECK_EQ(parse(&img), -EIO);
}

UNIT_TEST(headers_span_covers_the_program_header_table)
{
	uint64_t need = 0;

	build_full();
	CHECK_EQ(elf_headers_span(file, sizeof(Elf64_Ehdr), FILE_SIZE, &need), 0);
	CHECK_EQ(need, PHOFF + NPH * sizeof(Elf64_Phdr));
	ehdr()->e_phoff = 0x1000;
	CHECK_EQ(elf_headers_span(file, sizeof(Elf64_Ehdr), FILE_SIZE, &need), 0);
	CHECK_EQ(need, 0x1000 + NPH * sizeof(Elf64_Phdr));
	CHECK_EQ(elf_headers_span(file, sizeof(Elf64_Ehdr) - 1, FILE_SIZE, &need), -ENOEXEC);
}

UNIT_TEST(headers_span_beyond_limit_rejected)
{
	static unsigned char big[ELF_MAX_HEADERS_SPAN + PAGE_SIZE];
	uint64_t need;

	build_full();
	ehdr()->e_phoff = ELF_MAX_HEADERS_SPAN - sizeof(Elf64_Phdr);
	memcpy(big, file, sizeof(Elf64_Ehdr));
	CHECK_EQ(elf_headers_span(big, sizeof(big), sizeof(big), &need), -ENOEXEC);
}

UNIT_TEST(buffer_shorter_than_headers_returns_einval)
{
	struct elf_image img;

	build_full();
	CHECK_EQ(elf_parse(file, PHOFF + sizeof(Elf64_Phdr), FILE_SIZE, &img), -EINVAL);
}

UNIT_TEST(sixteen_loads_accepted_seventeen_rejected)
{
	struct elf_image img;
	int i;

	build_minimal();
	for (i = 0; i < ELF_MAX_LOADS + 1; i++)
		set_phdr(i, PT_LOAD, PF_R | PF_X, 0, TEXT_VA + i * PAGE_SIZE, 0x10, PAGE_SIZE);
	ehdr()->e_phnum = ELF_MAX_LOADS;
	CHECK_EQ(parse(&img), 0);
	CHECK_EQ(img.nsegs, ELF_MAX_LOADS);
	ehdr()->e_phnum = ELF_MAX_LOADS + 1;
	CHECK_EQ(parse(&img), -ENOEXEC);
}

UNIT_TEST(tiny_file_rejected)
{
	struct elf_image img;

	build_minimal();
	CHECK_EQ(elf_parse(file, FILE_SIZE, sizeof(Elf64_Ehdr) - 1, &img), -ENOEXEC);
	CHECK_EQ(elf_parse(file, FILE_SIZE, PHOFF + 8, &img), -ENOEXEC);
}

/*
 * Each REJECTS(name, mutation) test applies one corruption to the full
 * fixture and expects -ENOEXEC. eh is the ELF header, ph the program
 * headers.
 */
static int parse_mutated(void (*mutate)(Elf64_Ehdr *eh, Elf64_Phdr *ph))
{
	struct elf_image img;

	build_full();
	if (parse(&img) != 0)
		return -1; /* the fixture itself must be valid */
	mutate(ehdr(), phdr(0));
	return parse(&img);
}

#define REJECTS(name_, mutation) \
	static void mutate_##name_(Elf64_Ehdr *eh, Elf64_Phdr *ph) { mutation; } \
	UNIT_TEST(name_) { CHECK_EQ(parse_mutated(mutate_##name_), -ENOEXEC); }

REJECTS(bad_magic_rejected, eh->e_ident[EI_MAG1] = 'e')
REJECTS(class32_rejected, eh->e_ident[EI_CLASS] = ELFCLASS32)
REJECTS(big_endian_rejected, eh->e_ident[EI_DATA] = ELFDATA2MSB)
REJECTS(bad_ident_version_rejected, eh->e_ident[EI_VERSION] = 0)
REJECTS(bad_version_rejected, eh->e_version = 2)
REJECTS(i386_machine_rejected, eh->e_machine = EM_386)
REJECTS(relocatable_type_rejected, eh->e_type = ET_REL)
REJECTS(core_type_rejected, eh->e_type = ET_CORE)
REJECTS(wrong_ehsize_rejected, eh->e_ehsize = 52)
REJECTS(wrong_phentsize_rejected, eh->e_phentsize = sizeof(Elf64_Phdr) + 8)
REJECTS(zero_phnum_rejected, eh->e_phnum = 0)
REJECTS(phnum_above_bound_rejected, eh->e_phnum = ELF_MAX_PHNUM + 1)
REJECTS(phnum_65535_rejected, eh->e_phnum = 65535)
REJECTS(phoff_past_file_rejected, eh->e_phoff = FILE_SIZE)
REJECTS(phdr_table_crossing_file_end_rejected, eh->e_phoff = FILE_SIZE - sizeof(Elf64_Phdr))
REJECTS(phoff_inside_elf_header_rejected, eh->e_phoff = 8)
REJECTS(phoff_huge_rejected, eh->e_phoff = ~0ULL - 8)
REJECTS(filesz_above_memsz_rejected, ph[PH_DATA].p_filesz = ph[PH_DATA].p_memsz + 1)
REJECTS(load_past_file_end_rejected, ph[PH_DATA].p_filesz = FILE_SIZE - DATA_OFF + 1)
REJECTS(load_offset_past_file_rejected, ph[PH_DATA].p_offset = FILE_SIZE + PAGE_SIZE)
REJECTS(load_offset_plus_filesz_overflow_rejected,
	ph[PH_DATA].p_offset = ~0ULL - PAGE_SIZE + 1; ph[PH_DATA].p_filesz = 2 * PAGE_SIZE;
	ph[PH_DATA].p_memsz = 2 * PAGE_SIZE)
REJECTS(vaddr_misaligned_to_offset_rejected, ph[PH_DATA].p_vaddr += 8)
REJECTS(segment_above_user_top_rejected,
	ph[PH_DATA].p_vaddr = USER_TOP - PAGE_SIZE; ph[PH_DATA].p_memsz = 2 * PAGE_SIZE)
REJECTS(segment_at_user_top_rejected, ph[PH_DATA].p_vaddr = USER_TOP)
REJECTS(segment_wrapping_address_space_rejected,
	ph[PH_DATA].p_vaddr = ~0ULL - PAGE_SIZE + 1; ph[PH_DATA].p_memsz = 2 * PAGE_SIZE)
REJECTS(segment_below_min_vaddr_rejected,
	ph[PH_TEXT].p_vaddr = 0; eh->e_entry = 0x100)
REJECTS(overlapping_segments_rejected, ph[PH_DATA].p_vaddr = TEXT_VA + PAGE_SIZE)
REJECTS(descending_segments_rejected,
	Elf64_Phdr t = ph[PH_TEXT]; ph[PH_TEXT] = ph[PH_DATA]; ph[PH_DATA] = t)
REJECTS(no_load_rejected, ph[PH_TEXT].p_type = PT_NOTE; ph[PH_DATA].p_type = PT_NOTE)
REJECTS(entry_in_data_rejected, eh->e_entry = DATA_VA + 0x10)
REJECTS(entry_outside_every_segment_rejected, eh->e_entry = 0x500000)
REJECTS(entry_just_past_text_rejected, eh->e_entry = TEXT_VA + 0x1800)

/* A small xorshift generator: the fuzz run is the same every time. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* What a successful parse promises its caller. */
static bool image_consistent(const struct elf_image *img)
{
	uint64_t bias = elf_load_bias(img);
	bool entry_found = false;

	if (img->nsegs < 1 || img->nsegs > ELF_MAX_LOADS)
		return false;
	for (unsigned int i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];

		if (s->filesz > s->memsz || s->offset + s->filesz > FILE_SIZE)
			return false;
		if (i > 0 && s->vaddr < img->segs[i - 1].vaddr + img->segs[i - 1].memsz)
			return false;
		if ((s->prot & ELF_PROT_EXEC) && img->entry >= s->vaddr &&
		    img->entry < s->vaddr + s->memsz)
			entry_found = true;
	}
	return entry_found && img->lo + bias >= ELF_MIN_VADDR &&
	       img->hi + bias <= USER_TOP && img->hi + bias > img->lo + bias;
}

UNIT_TEST(random_byte_flips_never_crash_and_parse_or_fail_cleanly)
{
	const size_t header_bytes = PHOFF + NPH * sizeof(Elf64_Phdr);
	int accepted = 0, rejected = 0;

	for (int iter = 0; iter < 5000; iter++) {
		struct elf_image img;
		uint64_t file_size = iter % 4 ? FILE_SIZE : rng() % (FILE_SIZE + 1);
		int flips = 1 + rng() % 4, rc;

		build_full();
		for (int k = 0; k < flips; k++)
			file[rng() % header_bytes] = rng();
		rc = elf_parse(file, FILE_SIZE, file_size, &img);
		CHECK(rc == 0 || rc == -ENOEXEC || rc == -EIO);
		if (rc == 0) {
			CHECK(image_consistent(&img));
			accepted++;
		} else {
			rejected++;
		}
	}
	CHECK(accepted > 100);
	CHECK(rejected > 100);
}

/* Read the start of a host file into buf; its size in *size. NULL if absent. */
static FILE *open_binary(unsigned char *buf, size_t len, size_t *got, uint64_t *size)
{
	static const char *const paths[] = { "/usr/bin/busybox", "/bin/busybox" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *fp = fopen(paths[i], "rb");

		if (!fp)
			continue;
		fseek(fp, 0, SEEK_END);
		*size = ftell(fp);
		rewind(fp);
		*got = fread(buf, 1, len, fp);
		return fp;
	}
	return NULL;
}

UNIT_TEST(host_busybox_parses_when_installed)
{
	static _Alignas(16) unsigned char buf[ELF_MAX_HEADERS_SPAN];
	struct elf_image img;
	uint64_t size, need;
	size_t got;
	FILE *fp = open_binary(buf, sizeof(buf), &got, &size);

	if (!fp) {
		printf("    (no busybox on this host: skipped)\n");
		return;
	}
	fclose(fp);
	CHECK_EQ(elf_headers_span(buf, got, size, &need), 0);
	CHECK(need <= got);
	CHECK_EQ(elf_parse(buf, got, size, &img), 0);
	CHECK_EQ(img.phnum, ((const Elf64_Ehdr *)buf)->e_phnum);
	CHECK(img.nsegs >= 2);
	CHECK(img.entry >= img.lo && img.entry < img.hi);
	CHECK(img.phdr_vaddr >= img.lo && img.phdr_vaddr < img.hi);
	CHECK(img.hi + elf_load_bias(&img) <= USER_TOP);
}

/* A dynamically linked PIE of the host (bash) names its interpreter. */
UNIT_TEST(host_dynamic_program_names_its_interpreter)
{
	static _Alignas(16) unsigned char buf[ELF_MAX_HEADERS_SPAN];
	struct elf_image img;
	FILE *fp = fopen("/bin/bash", "rb");

	if (!fp) {
		printf("    (no /bin/bash on this host: skipped)\n");
		return;
	}
	fseek(fp, 0, SEEK_END);
	uint64_t size = ftell(fp);
	rewind(fp);
	size_t got = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	CHECK_EQ(elf_parse(buf, got, size, &img), 0);
	CHECK(img.interp_size > 2 && img.interp_off + img.interp_size <= got);
	CHECK(strcmp((const char *)buf + img.interp_off, "/lib64/ld-linux-x86-64.so.2") == 0);
	if (img.type == ET_DYN && img.align == PAGE_SIZE && img.lo == 0)
		CHECK_EQ(elf_load_bias(&img), 0x555555554000UL);
}
