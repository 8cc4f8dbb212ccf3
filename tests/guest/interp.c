/*
 * interp.c - execve of a program with PT_INTERP: the kernel loads the
 * interpreter beside the program and starts it first, with the program's
 * whereabouts in the auxiliary vector; an interpreter that cannot be
 * used fails the execve with Linux's error and the caller goes on.
 *
 * Every file is built here by hand and written to /tmp: a program
 * (ET_EXEC at 0x400000) whose code exits with 42 only if the
 * interpreter ran before it, and an interpreter (ET_DYN unless a test
 * says otherwise) whose code checks AT_BASE, AT_PHDR and AT_PHNUM, then
 * jumps to AT_ENTRY.
 */
#include "gtest.h"
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>

#define PROG_ADDR     0x400000UL
#define INTERP_EXEC_ADDR 0x800000UL   /* an ET_EXEC interpreter's place */
#define EXIT_CODE     42
#define EXEC_FAILED   100             /* child exit status: EXEC_FAILED + errno */
#define PATH_LEN      64
#define CODE_OFF      0x200           /* where code starts in every file */
#define FILE_SIZE     0x1000          /* whole pages: Linux 6.1 fails an interpreter
                                         * whose last, read-only page it must zero-fill */

/* The interpreter's code. It finds the auxiliary vector above argv and
 * envp, checks that it was loaded where AT_BASE says (its own address
 * minus AT_BASE is its link address, stored after the code), that
 * AT_PHDR and AT_PHNUM describe the program (also stored after the code),
 * sets r12 = 7 and jumps to AT_ENTRY. On a mismatch it exits with 11,
 * 12 or 13. Position-independent: it runs wherever it is loaded. */
__asm__(
	".pushsection .rodata\n"
	"interp_code:\n"
	"	mov (%rsp), %rcx\n"
	"	lea 16(%rsp,%rcx,8), %rsi\n"         /* envp */
	"1:	cmpq $0, (%rsi)\n"
	"	lea 8(%rsi), %rsi\n"
	"	jne 1b\n"                            /* rsi: auxv */
	"	xor %r8d, %r8d\n xor %r9d, %r9d\n xor %r10d, %r10d\n xor %r11d, %r11d\n"
	"2:	mov (%rsi), %rax\n"
	"	test %rax, %rax\n"
	"	jz 3f\n"
	"	cmp $7, %rax\n cmove 8(%rsi), %r8\n"   /* AT_BASE */
	"	cmp $9, %rax\n cmove 8(%rsi), %r9\n"   /* AT_ENTRY */
	"	cmp $3, %rax\n cmove 8(%rsi), %r10\n"  /* AT_PHDR */
	"	cmp $5, %rax\n cmove 8(%rsi), %r11\n"  /* AT_PHNUM */
	"	add $16, %rsi\n"
	"	jmp 2b\n"
	"3:	lea interp_code(%rip), %rax\n"
	"	sub %r8, %rax\n"
	"	mov $11, %edi\n"
	"	cmp interp_want_vaddr(%rip), %rax\n"
	"	jne 9f\n"
	"	mov $12, %edi\n"
	"	cmp interp_want_phdr(%rip), %r10\n"
	"	jne 9f\n"
	"	mov $13, %edi\n"
	"	cmp interp_want_phnum(%rip), %r11\n"
	"	jne 9f\n"
	"	mov $7, %r12d\n"
	"	jmp *%r9\n"
	"9:	mov $60, %eax\n"
	"	syscall\n"
	"	.balign 8\n"
	"interp_want_vaddr: .quad 0\n"
	"interp_want_phdr: .quad 0\n"
	"interp_want_phnum: .quad 0\n"
	"interp_code_end:\n"
	".popsection\n");
extern const unsigned char interp_code[], interp_code_end[];
#define WANT_SLOTS 3   /* the three quads at the end of interp_code */

/* The program's code: exit(35 + r12), which is 42 after the interpreter. */
static const unsigned char prog_code[] = {
	0x44, 0x89, 0xe7,             /* mov edi, r12d */
	0x83, 0xc7, 35,               /* add edi, 35 */
	0xb8, 60, 0, 0, 0,            /* mov eax, SYS_exit */
	0x0f, 0x05,                   /* syscall */
};

/* A file image: ELF header, up to four program headers, then the code at
 * CODE_OFF and any string at STR_OFF. */
#define MAX_PH  4
#define STR_OFF 0x100
struct image {
	union {
		struct {
			Elf64_Ehdr eh;
			Elf64_Phdr ph[MAX_PH];
		};
		unsigned char bytes[FILE_SIZE];
	};
};

static void fill_header(struct image *im, uint16_t type, uint64_t base, unsigned nph)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = type;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = base + CODE_OFF;
	im->eh.e_phoff = offsetof(struct image, ph);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = nph;
}

/* Program header i: one R+X PT_LOAD mapping the whole file at base. */
static void set_load(struct image *im, int i, uint64_t base)
{
	Elf64_Phdr *ph = &im->ph[i];
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_vaddr = ph->p_paddr = base;
	ph->p_filesz = ph->p_memsz = FILE_SIZE;
	ph->p_align = 0x1000;
}

/* Program header i: PT_INTERP of size bytes at STR_OFF holding path. */
static void set_interp(struct image *im, int i, const char *path, uint64_t size)
{
	im->ph[i].p_type = PT_INTERP;
	im->ph[i].p_flags = PF_R;
	im->ph[i].p_offset = STR_OFF;
	im->ph[i].p_filesz = im->ph[i].p_memsz = size;
	im->ph[i].p_align = 1;
	strcpy((char *)im->bytes + STR_OFF, path);
}

/* The program: PT_LOAD, PT_INTERP naming interp_path, the exit code. */
static struct image program(const char *interp_path)
{
	struct image im;
	fill_header(&im, ET_EXEC, PROG_ADDR, 2);
	set_load(&im, 0, PROG_ADDR);
	set_interp(&im, 1, interp_path, strlen(interp_path) + 1);
	memcpy(im.bytes + CODE_OFF, prog_code, sizeof(prog_code));
	return im;
}

/* An interpreter of type type at base (0 for ET_DYN), expecting a
 * program with phnum program headers. */
static struct image interpreter_for(uint16_t type, uint64_t base, uint64_t phnum)
{
	struct image im;
	size_t len = (size_t)(interp_code_end - interp_code);
	uint64_t want[WANT_SLOTS] = { base + CODE_OFF, PROG_ADDR + offsetof(struct image, ph), phnum };
	fill_header(&im, type, base, 1);
	set_load(&im, 0, base);
	memcpy(im.bytes + CODE_OFF, interp_code, len);
	memcpy(im.bytes + CODE_OFF + len - sizeof(want), want, sizeof(want));
	return im;
}

static struct image interpreter(uint16_t type, uint64_t base)
{
	return interpreter_for(type, base, 2);
}

static void tmp_path(char *buf, const char *what)
{
	snprintf(buf, PATH_LEN, "/tmp/interp-test.%s.%d", what, (int)getpid());
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	CHECK_EQ(write(fd, data, len), (ssize_t)len);
	CHECK_EQ(close(fd), 0);
}

/* execve path in a child; its wait status (EXEC_FAILED + errno when
 * execve failed). */
static int run(const char *path)
{
	pid_t pid = xfork();
	if (pid == 0) {
		char *argv[] = { (char *)path, "an-argument", NULL }, *envp[] = { "A=1", NULL };
		execve(path, argv, envp);
		_exit(EXEC_FAILED + errno);
	}
	return wait_status(pid);
}

/* Write the interpreter (len bytes of interp, mode) and a program naming
 * it, run the program, clean up; the wait status. */
static int run_with_interp(const void *interp, size_t len, mode_t mode)
{
	char ipath[PATH_LEN], ppath[PATH_LEN];
	tmp_path(ipath, "ld");
	tmp_path(ppath, "prog");
	write_file(ipath, interp, len, mode);
	struct image prog = program(ipath);
	write_file(ppath, &prog, sizeof(prog), 0755);
	int status = run(ppath);
	unlink(ipath);
	unlink(ppath);
	return status;
}

/* Run a program image as is (its PT_INTERP already set); the wait status. */
static int run_program(const struct image *prog)
{
	char ppath[PATH_LEN];
	tmp_path(ppath, "prog");
	write_file(ppath, prog, sizeof(*prog), 0755);
	int status = run(ppath);
	unlink(ppath);
	return status;
}

#define CHECK_EXEC_FAILS(status, err) do { int st_ = (status); \
	CHECK(WIFEXITED(st_) && WEXITSTATUS(st_) == EXEC_FAILED + (err), \
	      "%s; expected execve to fail with %s", status_str(st_), strerror(err)); } while (0)

GTEST(interp_runs_first_then_jumps_to_program)
{
	struct image ld = interpreter(ET_DYN, 0);
	CHECK_EXITED(run_with_interp(&ld, sizeof(ld), 0755), EXIT_CODE);
}

/* Linux maps an ET_EXEC interpreter at its own addresses; AT_BASE is 0. */
GTEST(interp_of_type_exec_loaded_at_its_address)
{
	struct image ld = interpreter(ET_EXEC, INTERP_EXEC_ADDR);
	CHECK_EXITED(run_with_interp(&ld, sizeof(ld), 0755), EXIT_CODE);
}

/* The interpreter's own PT_INTERP is ignored: nothing loads it. */
GTEST(interp_own_pt_interp_ignored)
{
	struct image ld = interpreter(ET_DYN, 0);
	ld.eh.e_phnum = 2;
	set_interp(&ld, 1, "/nonexistent/ld.so", sizeof("/nonexistent/ld.so"));
	CHECK_EXITED(run_with_interp(&ld, sizeof(ld), 0755), EXIT_CODE);
}

GTEST(interp_symlink_followed)
{
	char ipath[PATH_LEN], lpath[PATH_LEN];
	struct image ld = interpreter(ET_DYN, 0);
	tmp_path(ipath, "ld");
	tmp_path(lpath, "ld-link");
	write_file(ipath, &ld, sizeof(ld), 0755);
	unlink(lpath);
	CHECK_EQ(symlink(ipath, lpath), 0);
	struct image prog = program(lpath);
	int status = run_program(&prog);
	unlink(lpath);
	unlink(ipath);
	CHECK_EXITED(status, EXIT_CODE);
}

/* Only the first PT_INTERP counts. */
GTEST(second_pt_interp_ignored)
{
	char ipath[PATH_LEN];
	struct image ld = interpreter_for(ET_DYN, 0, 3);
	tmp_path(ipath, "ld");
	write_file(ipath, &ld, sizeof(ld), 0755);
	struct image prog = program(ipath);
	prog.eh.e_phnum = 3;
	prog.ph[2] = prog.ph[1];
	prog.ph[2].p_offset = STR_OFF + PATH_LEN;
	strcpy((char *)prog.bytes + STR_OFF + PATH_LEN, "/nonexistent/ld.so");
	prog.ph[2].p_filesz = sizeof("/nonexistent/ld.so");
	int status = run_program(&prog);
	unlink(ipath);
	CHECK_EXITED(status, EXIT_CODE);
}

GTEST(interp_missing_enoent)
{
	struct image prog = program("/nonexistent/ld-aspen-test.so");
	CHECK_EXEC_FAILS(run_program(&prog), ENOENT);
}

GTEST(interp_path_through_a_file_enotdir)
{
	struct image prog = program("/proc/self/status/ld.so");
	CHECK_EXEC_FAILS(run_program(&prog), ENOTDIR);
}

GTEST(interp_name_not_nul_terminated_enoexec)
{
	struct image prog = program("/lib64/ld-linux-x86-64.so.2");
	prog.ph[1].p_filesz -= 1;
	CHECK_EXEC_FAILS(run_program(&prog), ENOEXEC);
}

GTEST(interp_name_of_one_byte_enoexec)
{
	struct image prog = program("");
	prog.ph[1].p_filesz = 1;
	CHECK_EXEC_FAILS(run_program(&prog), ENOEXEC);
}

/* Longer than PATH_MAX: refused before anything is read. */
GTEST(interp_name_longer_than_path_max_enoexec)
{
	struct image prog = program("/lib64/ld-linux-x86-64.so.2");
	prog.ph[1].p_offset = 0;
	prog.ph[1].p_filesz = 4097;
	CHECK_EXEC_FAILS(run_program(&prog), ENOEXEC);
}

/* The name lies past the end of the file: Linux's read comes up short. */
GTEST(interp_name_past_end_of_file_eio)
{
	struct image prog = program("/lib64/ld-linux-x86-64.so.2");
	prog.ph[1].p_offset = FILE_SIZE - 8;
	CHECK_EXEC_FAILS(run_program(&prog), EIO);
}

GTEST(interp_not_executable_eacces)
{
	struct image ld = interpreter(ET_DYN, 0);
	CHECK_EXEC_FAILS(run_with_interp(&ld, sizeof(ld), 0644), EACCES);
}

GTEST(interp_directory_eacces)
{
	struct image prog = program("/tmp");
	CHECK_EXEC_FAILS(run_program(&prog), EACCES);
}

GTEST(interp_text_file_elibbad)
{
	char text[128];
	memset(text, '#', sizeof(text));
	memcpy(text, "#!/bin/sh\n", 10);
	CHECK_EXEC_FAILS(run_with_interp(text, sizeof(text), 0755), ELIBBAD);
}

/* Shorter than an ELF header: Linux's read comes up short. */
GTEST(interp_shorter_than_elf_header_eio)
{
	struct image ld = interpreter(ET_DYN, 0);
	CHECK_EXEC_FAILS(run_with_interp(&ld, sizeof(Elf64_Ehdr) - 1, 0755), EIO);
}

GTEST(interp_i386_elibbad)
{
	struct image ld = interpreter(ET_DYN, 0);
	ld.eh.e_ident[EI_CLASS] = ELFCLASS32;
	ld.eh.e_machine = EM_386;
	CHECK_EXEC_FAILS(run_with_interp(&ld, sizeof(ld), 0755), ELIBBAD);
}

GTEST(interp_wrong_machine_elibbad)
{
	struct image ld = interpreter(ET_DYN, 0);
	ld.eh.e_machine = EM_AARCH64;
	CHECK_EXEC_FAILS(run_with_interp(&ld, sizeof(ld), 0755), ELIBBAD);
}

GTEST(interp_bad_phentsize_elibbad)
{
	struct image ld = interpreter(ET_DYN, 0);
	ld.eh.e_phentsize = sizeof(Elf64_Phdr) + 8;
	CHECK_EXEC_FAILS(run_with_interp(&ld, sizeof(ld), 0755), ELIBBAD);
}

/* Linux finds an interpreter of the wrong type only after the point of
 * no return and kills the process with SIGSEGV; Aspen checks it before
 * and fails the execve with ELIBBAD. */
GTEST(interp_relocatable_object_elibbad_or_segv)
{
	struct image ld = interpreter(ET_DYN, 0);
	ld.eh.e_type = ET_REL;
	int status = run_with_interp(&ld, sizeof(ld), 0755);
	if (!on_aspen() && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		return;
	CHECK_EXEC_FAILS(status, ELIBBAD);
}

/* After all that, the caller is intact and a good pair still runs. */
GTEST(caller_survives_failed_interp_execs)
{
	struct image prog = program("/nonexistent/ld.so");
	int stack_var = 5;
	for (int i = 0; i < 3; i++)
		CHECK_EXEC_FAILS(run_program(&prog), ENOENT);
	CHECK_EQ(stack_var, 5);
	struct image ld = interpreter(ET_DYN, 0);
	CHECK_EXITED(run_with_interp(&ld, sizeof(ld), 0755), EXIT_CODE);
}
