// GUEST: glibc
/*
 * mm.c - the memory system calls and the fault cases they lead to:
 * stack growth and its limit, MAP_FIXED and MAP_FIXED_NOREPLACE,
 * mprotect, munmap, MADV_DONTNEED, brk, NX, and private file mappings.
 * Each access that must fail runs in a child that must die of SIGSEGV.
 */
#include "gtest.h"
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL

/* Run fn(arg) in a child; return its wait status. */
static int in_child(void (*fn)(void *), void *arg)
{
	pid_t pid = xfork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return wait_status(pid);
}

static void write_byte(void *p) { *(volatile char *)p = 1; }
static void read_byte(void *p) { (void)*(volatile char *)p; }

static char *map_anon(size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Recurse with a 64 KiB frame per level, touching each frame. */
static __attribute__((noinline)) long deep(int levels)
{
	volatile char frame[64 * 1024];
	frame[0] = (char)levels;
	frame[sizeof(frame) - 1] = (char)levels;
	return levels ? deep(levels - 1) + frame[0] : frame[sizeof(frame) - 1];
}

GTEST(stack_grows_on_demand_to_four_mib)
{
	CHECK(deep(64) >= 0);   /* 4 MiB of stack, well under the 8 MiB limit */
}

static void recurse_forever(void *arg) { deep(1 << 20); }

GTEST(stack_beyond_its_limit_segfaults)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	CHECK(setrlimit(RLIMIT_STACK, &rl) == 0);
	CHECK_SIGNALED(in_child(recurse_forever, NULL), SIGSEGV);
}

GTEST(munmap_then_access_segfaults)
{
	char *p = map_anon(4 * PAGE, PROT_READ | PROT_WRITE);
	CHECK(p != NULL);
	p[PAGE] = 7;
	CHECK(munmap(p + PAGE, PAGE) == 0);
	CHECK_SIGNALED(in_child(read_byte, p + PAGE), SIGSEGV);
	p[0] = 1;           /* the neighbours stay */
	p[2 * PAGE] = 1;
	CHECK(munmap(p, 4 * PAGE) == 0);
}

GTEST(mprotect_read_only_then_write_segfaults)
{
	char *p = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
	CHECK(p != NULL);
	p[0] = 42;
	CHECK(mprotect(p, PAGE, PROT_READ) == 0);
	CHECK_EQ(p[0], 42);
	CHECK_SIGNALED(in_child(write_byte, p), SIGSEGV);
	p[PAGE] = 1;        /* the second page is still writable */
	CHECK(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0);
	p[0] = 43;
	CHECK_EQ(p[0], 43);
}

GTEST(prot_none_read_segfaults)
{
	char *p = map_anon(PAGE, PROT_NONE);
	CHECK(p != NULL);
	CHECK_SIGNALED(in_child(read_byte, p), SIGSEGV);
}

GTEST(mprotect_over_a_hole_is_enomem)
{
	char *p = map_anon(3 * PAGE, PROT_READ | PROT_WRITE);
	CHECK(p != NULL);
	CHECK(munmap(p + PAGE, PAGE) == 0);
	CHECK_ERR(mprotect(p, 3 * PAGE, PROT_READ), ENOMEM);
	/* raw: musl's wrapper rounds the address down */
	CHECK_ERR(syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
}

static void run_code_at(void *p) { ((void (*)(void))p)(); }

GTEST(executing_a_data_page_segfaults)
{
	char *p = map_anon(PAGE, PROT_READ | PROT_WRITE);
	CHECK(p != NULL);
	p[0] = (char)0xc3;  /* ret */
	CHECK_SIGNALED(in_child(run_code_at, p), SIGSEGV);
	CHECK(mprotect(p, PAGE, PROT_READ | PROT_EXEC) == 0);
	run_code_at(p);     /* now it may run */
}

GTEST(map_fixed_replaces_what_was_there)
{
	char *p = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
	CHECK(p != NULL);
	memset(p, 0x55, 2 * PAGE);
	char *q = mmap(p, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p);
	CHECK_EQ(p[0], 0);          /* a fresh zero page */
	CHECK_EQ(p[PAGE], 0x55);    /* the rest untouched */
}

GTEST(map_fixed_noreplace_refuses_occupied_range)
{
	char *p = map_anon(PAGE, PROT_READ | PROT_WRITE);
	CHECK(p != NULL);
	void *q = mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(q == MAP_FAILED && errno == EEXIST, "got %p errno %d", q, errno);
	CHECK(munmap(p, PAGE) == 0);
	q = mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(q == p);
}

GTEST(mmap_rejects_bad_arguments)
{
	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	CHECK_ERR(mmap((void *)(PAGE + 1), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 12345, 0), EBADF);
	CHECK_ERR(munmap((void *)(PAGE + 1), PAGE), EINVAL);
}

/* A length that wraps when rounded up to pages (raw calls: the libc
 * wrappers adjust some lengths): Linux's answers differ by call. */
GTEST(lengths_that_wrap_when_rounded)
{
	char *p = map_anon(PAGE, PROT_READ | PROT_WRITE);
	CHECK(p != NULL);
	p[0] = 'k';
	CHECK_ERR(syscall(SYS_mprotect, p, SIZE_MAX, PROT_READ), ENOMEM);
	CHECK_ERR(syscall(SYS_madvise, p, SIZE_MAX, MADV_DONTNEED), EINVAL);
	CHECK_ERR(syscall(SYS_madvise, p, SIZE_MAX, MADV_NORMAL), EINVAL);
	CHECK_ERR(syscall(SYS_munmap, p, SIZE_MAX), EINVAL);
	CHECK_ERR(syscall(SYS_munmap, p, SIZE_MAX - 2 * PAGE), EINVAL);
	CHECK_ERR(syscall(SYS_mremap, p, PAGE, SIZE_MAX, 0), EINVAL);
	CHECK_EQ(syscall(SYS_mlock, p, SIZE_MAX), 0);     /* covers nothing */
	CHECK_EQ(syscall(SYS_munlock, p + 1, SIZE_MAX), 0);
	CHECK_EQ(p[0], 'k');                              /* still mapped, still written */
	p[0] = 'l';
	CHECK(munmap(p, PAGE) == 0);
}

GTEST(madvise_dontneed_gives_zero_pages_back)
{
	char *p = map_anon(4 * PAGE, PROT_READ | PROT_WRITE);
	CHECK(p != NULL);
	memset(p, 0x77, 4 * PAGE);
	CHECK(madvise(p, 4 * PAGE, MADV_DONTNEED) == 0);
	for (unsigned long i = 0; i < 4 * PAGE; i += 512)
		CHECK_EQ(p[i], 0);
}

/* The raw system call: musl's sbrk refuses to move the break. */
static char *raw_brk(char *addr) { return (char *)syscall(SYS_brk, addr); }

GTEST(brk_grows_and_shrinks)
{
	char *start = raw_brk(NULL);
	CHECK(raw_brk(start + 64 * PAGE) == start + 64 * PAGE);
	memset(start, 1, 64 * PAGE);
	CHECK(raw_brk(start) == start);
	CHECK_SIGNALED(in_child(write_byte, start + 32 * PAGE), SIGSEGV);
	CHECK(raw_brk((char *)4096) == start);   /* refused: the break stays */
}

GTEST(private_file_mapping_sees_file_and_keeps_writes_private)
{
	char path[] = "/tmp/mm-private-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	char buf[2 * PAGE];
	memset(buf, 'f', sizeof(buf));
	CHECK_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf));
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(p[0], 'f');
	CHECK_EQ(p[2 * PAGE - 1], 'f');
	p[0] = 'p';
	char c = 0;
	CHECK_EQ(pread(fd, &c, 1, 0), 1);
	CHECK_EQ(c, 'f');   /* the write stayed in the private copy */
	CHECK(munmap(p, 2 * PAGE) == 0);
	close(fd);
	unlink(path);
}

GTEST(mapping_past_end_of_file_reads_zeros_in_last_page)
{
	char path[] = "/tmp/mm-tail-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "abc", 3), 3);
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(memcmp(p, "abc", 3) == 0);
	CHECK_EQ(p[3], 0);
	CHECK_EQ(p[PAGE - 1], 0);
	CHECK(munmap(p, PAGE) == 0);
	close(fd);
	unlink(path);
}

GTEST(mmap_places_top_down_below_the_last)
{
	char *a = map_anon(PAGE, PROT_READ);
	char *b = map_anon(PAGE, PROT_READ);
	CHECK(a != NULL && b != NULL);
	CHECK(b < a, "a %p b %p", (void *)a, (void *)b);
	CHECK((uintptr_t)a > (uintptr_t)sbrk(0));
}

GTEST(access_past_end_of_mapped_file_is_sigbus)
{
	char path[] = "/tmp/mm-bus-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "short", 5), 5);
	char *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(p[0], 's');
	CHECK_SIGNALED(in_child(read_byte, p + PAGE), SIGBUS);
	CHECK(munmap(p, 2 * PAGE) == 0);
	close(fd);
	unlink(path);
}

GTEST(private_mapping_of_a_hole_sees_later_file_writes)
{
	char path[] = "/tmp/mm-hole-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, 2 * PAGE) == 0);   /* all hole */
	char *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(p[PAGE], 0);                  /* read the hole: zeros */
	CHECK_EQ(pwrite(fd, "w", 1, PAGE), 1);
	CHECK_EQ(p[PAGE], 'w');                /* not written here, so the file shows */
	CHECK(munmap(p, 2 * PAGE) == 0);
	close(fd);
	unlink(path);
}
