/*
 * badelf.c - execve of a corrupt ELF file fails with ENOEXEC and the
 * caller goes on. Every file is a minimal valid executable (which exits
 * with EXIT_CODE, checked first) with exactly one thing broken, written
 * to /tmp with mode 0755 and exec'd in a forked child.
 */
#include "gtest.h"
#include <elf.h>
#include <fcntl.h>

#define LOAD_ADDR   0x400000UL
#define EXIT_CODE   42
#define EXEC_FAILED 100   /* child exit status: EXEC_FAILED + errno */
#define FAR_OFFSET  0x10000UL

/* x86-64: exit(42) */
static const unsigned char exit42_64[] = {
	0xbf, EXIT_CODE, 0, 0, 0,  /* mov edi, 42 */
	0xb8, 60, 0, 0, 0,         /* mov eax, SYS_exit */
	0x0f, 0x05,                /* syscall */
};
/* i386: exit(42) */
static const unsigned char exit42_32[] = {
	0xbb, EXIT_CODE, 0, 0, 0,  /* mov ebx, 42 */
	0xb8, 1, 0, 0, 0,          /* mov eax, __NR_exit */
	0xcd, 0x80,                /* int 0x80 */
};

struct image64 {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned char code[sizeof(exit42_64)];
};
#define IMAGE64_SIZE offsetof(struct image64, code[sizeof(exit42_64)])

struct image32 {
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	unsigned char code[sizeof(exit42_32)];
};
#define IMAGE32_SIZE offsetof(struct image32, code[sizeof(exit42_32)])

/* Fill image im (struct image64 or image32) as a valid static executable:
 * one R+X PT_LOAD holding the whole file, entry at the code. The two ELF
 * classes have the same fields in different widths, hence a macro. */
#define FILL_IMAGE(im, class, machine, prog, size) do { \
	memset(&(im), 0, sizeof(im)); \
	memcpy((im).eh.e_ident, ELFMAG, SELFMAG); \
	(im).eh.e_ident[EI_CLASS] = (class); \
	(im).eh.e_ident[EI_DATA] = ELFDATA2LSB; \
	(im).eh.e_ident[EI_VERSION] = EV_CURRENT; \
	(im).eh.e_type = ET_EXEC; \
	(im).eh.e_machine = (machine); \
	(im).eh.e_version = EV_CURRENT; \
	(im).eh.e_entry = LOAD_ADDR + offsetof(__typeof__(im), code); \
	(im).eh.e_phoff = offsetof(__typeof__(im), ph); \
	(im).eh.e_ehsize = sizeof((im).eh); \
	(im).eh.e_phentsize = sizeof((im).ph); \
	(im).eh.e_phnum = 1; \
	(im).ph.p_type = PT_LOAD; \
	(im).ph.p_flags = PF_R | PF_X; \
	(im).ph.p_vaddr = (im).ph.p_paddr = LOAD_ADDR; \
	(im).ph.p_filesz = (im).ph.p_memsz = (size); \
	(im).ph.p_align = 0x1000; \
	memcpy((im).code, (prog), sizeof(prog)); } while (0)

static struct image64 good64(void)
{
	struct image64 im;

	FILL_IMAGE(im, ELFCLASS64, EM_X86_64, exit42_64, IMAGE64_SIZE);
	return im;
}

static struct image32 good32(void)
{
	struct image32 im;

	FILL_IMAGE(im, ELFCLASS32, EM_386, exit42_32, IMAGE32_SIZE);
	return im;
}

/* Write len bytes of img to a 0755 file in /tmp, execve it in a child
 * and return the child's wait status: EXIT_CODE if the program ran,
 * EXEC_FAILED + errno if execve failed. */
static int exec_image(const void *img, size_t len)
{
	char path[64];
	int fd, status;
	pid_t pid;

	snprintf(path, sizeof(path), "/tmp/badelf.%d", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	CHECK_EQ(write(fd, img, len), (ssize_t)len);
	CHECK_EQ(close(fd), 0);
	pid = xfork();
	if (pid == 0) {
		char *argv[] = { path, NULL }, *envp[] = { NULL };
		execve(path, argv, envp);
		_exit(EXEC_FAILED + errno);
	}
	status = wait_status(pid);
	unlink(path);
	return status;
}

/* Did the child's execve fail with err, or with err2 (0: no second choice)? */
static bool exec_failed_with(int status, int err, int err2)
{
	if (!WIFEXITED(status))
		return false;
	return WEXITSTATUS(status) == EXEC_FAILED + err ||
	       (err2 != 0 && WEXITSTATUS(status) == EXEC_FAILED + err2);
}

#define CHECK_EXEC_FAILS(status, err, err2) do { int st_ = (status); \
	CHECK(exec_failed_with(st_, err, err2), "%s; expected execve to fail with errno %d or %d", \
	      status_str(st_), (err), (err2)); } while (0)

GTEST(minimal_elf_runs)
{
	struct image64 im = good64();

	CHECK_EXITED(exec_image(&im, IMAGE64_SIZE), EXIT_CODE);
}

GTEST(bad_magic_enoexec)
{
	struct image64 im = good64();

	im.eh.e_ident[EI_MAG1] = 'X';
	CHECK_EXEC_FAILS(exec_image(&im, IMAGE64_SIZE), ENOEXEC, 0);
}

GTEST(empty_file_enoexec)
{
	CHECK_EXEC_FAILS(exec_image("", 0), ENOEXEC, 0);
}

GTEST(truncated_inside_header_enoexec)
{
	struct image64 im = good64();

	CHECK_EXEC_FAILS(exec_image(&im, sizeof(Elf64_Ehdr) / 2), ENOEXEC, 0);
}

/* The program headers are missing. Older Linux says EIO (a short read). */
GTEST(truncated_after_header_enoexec)
{
	struct image64 im = good64();

	CHECK_EXEC_FAILS(exec_image(&im, sizeof(Elf64_Ehdr)), ENOEXEC, on_aspen() ? 0 : EIO);
}

GTEST(phoff_past_end_enoexec)
{
	struct image64 im = good64();

	im.eh.e_phoff = FAR_OFFSET;
	CHECK_EXEC_FAILS(exec_image(&im, IMAGE64_SIZE), ENOEXEC, on_aspen() ? 0 : EIO);
}

GTEST(bad_phentsize_enoexec)
{
	struct image64 im = good64();

	im.eh.e_phentsize = sizeof(Elf64_Phdr) - 8;
	CHECK_EXEC_FAILS(exec_image(&im, IMAGE64_SIZE), ENOEXEC, 0);
}

GTEST(no_program_headers_enoexec)
{
	struct image64 im = good64();

	im.eh.e_phnum = 0;
	CHECK_EXEC_FAILS(exec_image(&im, IMAGE64_SIZE), ENOEXEC, 0);
}

GTEST(wrong_machine_enoexec)
{
	struct image64 im = good64();

	im.eh.e_machine = EM_AARCH64;
	CHECK_EXEC_FAILS(exec_image(&im, IMAGE64_SIZE), ENOEXEC, 0);
}

GTEST(relocatable_object_enoexec)
{
	struct image64 im = good64();

	im.eh.e_type = ET_REL;
	CHECK_EXEC_FAILS(exec_image(&im, IMAGE64_SIZE), ENOEXEC, 0);
}

/* Aspen runs 64-bit programs only; a Linux host may run i386 ones. */
GTEST(elf32_enoexec)
{
	struct image32 im = good32();
	int status = exec_image(&im, IMAGE32_SIZE);

	if (!on_aspen() && WIFEXITED(status) && WEXITSTATUS(status) == EXIT_CODE)
		return;
	CHECK_EXEC_FAILS(status, ENOEXEC, 0);
}

/* Aspen checks every segment before the point of no return; Linux finds
 * this one after it and kills the process with SIGSEGV. */
GTEST(filesz_above_memsz_enoexec)
{
	struct image64 im = good64();
	int status;

	im.ph.p_memsz = im.ph.p_filesz - 1;
	status = exec_image(&im, IMAGE64_SIZE);
	if (!on_aspen() && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		return;
	CHECK_EXEC_FAILS(status, ENOEXEC, 0);
}

/* Several failed execs in a row leave the caller fully working. */
GTEST(caller_survives_failed_execs)
{
	struct image64 im = good64();
	int stack_var = 5;

	im.eh.e_ident[EI_MAG0] = 0;
	for (int i = 0; i < 3; i++) {
		CHECK_ERR(execve("/tmp/nonexistent-aspen-badelf", (char *[]){ NULL }, (char *[]){ NULL }),
			  ENOENT);
	}
	CHECK_EXEC_FAILS(exec_image(&im, IMAGE64_SIZE), ENOEXEC, 0);
	CHECK_EQ(stack_var, 5);
	im = good64();
	CHECK_EXITED(exec_image(&im, IMAGE64_SIZE), EXIT_CODE);
}
