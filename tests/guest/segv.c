/*
 * segv.c - bad memory accesses kill the process that made them with
 * SIGSEGV, and only it: each access runs in a forked child and the
 * parent checks how the child died.
 */
#include "gtest.h"

#define PAGE_SIZE 4096UL

static const char rodata_string[] = "read-only";

/* Run access(addr) in a child; return its wait status. */
static int run_access(void (*access)(uintptr_t addr), uintptr_t addr)
{
	pid_t pid = xfork();

	if (pid == 0) {
		access(addr);
		_exit(0); /* the access did not fault */
	}
	return wait_status(pid);
}

#define expect_segv(access, addr) CHECK_SIGNALED(run_access(access, addr), SIGSEGV)

static void read_byte(uintptr_t addr) { (void)*(volatile char *)addr; }
static void write_byte(uintptr_t addr) { *(volatile char *)addr = 1; }
static void call_addr(uintptr_t addr) { ((void (*)(void))addr)(); }

/* A page that was mapped and then unmapped: certainly not mapped now. */
static uintptr_t unmapped_page(void)
{
	void *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(munmap(p, PAGE_SIZE), 0);
	return (uintptr_t)p;
}

GTEST(write_to_text_segfaults)
{
	expect_segv(write_byte, (uintptr_t)write_byte);
}

GTEST(write_to_rodata_segfaults)
{
	expect_segv(write_byte, (uintptr_t)rodata_string);
}

GTEST(read_null_page_segfaults)
{
	expect_segv(read_byte, 0);
	expect_segv(read_byte, 8);
}

GTEST(read_unmapped_page_segfaults)
{
	expect_segv(read_byte, unmapped_page());
}

GTEST(write_unmapped_page_segfaults)
{
	expect_segv(write_byte, unmapped_page());
}

/* The kernel half: canonical addresses above the user range. */
GTEST(read_kernel_address_segfaults)
{
	expect_segv(read_byte, 0xffff800000000000UL);
	expect_segv(read_byte, 0xffffffff81000000UL);
	expect_segv(write_byte, 0xffffffff81000000UL);
}

/* A non-canonical address raises #GP rather than #PF: still SIGSEGV. */
GTEST(read_noncanonical_address_segfaults)
{
	expect_segv(read_byte, 0x0000800000000000UL);
	expect_segv(read_byte, 0x8000000000000000UL);
}

GTEST(write_to_readonly_mapping_segfaults)
{
	void *p = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EXITED(run_access(read_byte, (uintptr_t)p), 0);
	expect_segv(write_byte, (uintptr_t)p);
}

/* Data pages are mapped without execute permission (NX). */
GTEST(jump_to_data_segfaults)
{
	static unsigned char ret_insn[] = { 0xc3 }; /* ret */

	expect_segv(call_addr, (uintptr_t)ret_insn);
}

GTEST(jump_to_unmapped_segfaults)
{
	expect_segv(call_addr, unmapped_page());
}

/* A child's crash leaves the parent's memory and its ability to fork. */
GTEST(parent_unharmed_by_child_segfault)
{
	int local = 7;

	expect_segv(write_byte, 0);
	CHECK_EQ(local, 7);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(local);
	CHECK_EXITED(wait_status(pid), 7);
}
