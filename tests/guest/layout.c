// GUEST: glibc
/*
 * layout.c - the address space the kernel built for a static binary:
 * text < data < bss < heap (the program break) < mmap area < stack.
 * No /proc needed: the addresses come from the program itself.
 */
#include "gtest.h"

#define MMAP_LEN  (1UL << 20)
#define BRK_GROW  (64UL << 10)

int data_var = 42;  /* initialised: .data */
int bss_var;        /* zero: .bss */
extern char etext[], edata[], end[]; /* set by the default linker script */

static uintptr_t text_addr(void) { return (uintptr_t)text_addr; }

static uintptr_t brk_now(void) { return (uintptr_t)syscall(SYS_brk, 0); }

/* Each region above the one before, in the classic order. */
GTEST(layout_text_data_bss_heap_mmap_stack_ascend)
{
	int stack_var = 1;
	void *map = mmap(NULL, MMAP_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t heap = brk_now();

	CHECK(map != MAP_FAILED, "mmap: %s", strerror(errno));
	printf("# text %#lx data %#lx bss %#lx heap %#lx mmap %#lx stack %#lx\n",
	       text_addr(), (uintptr_t)&data_var, (uintptr_t)&bss_var, heap,
	       (uintptr_t)map, (uintptr_t)&stack_var);
	CHECK(text_addr() < (uintptr_t)&data_var, "text above data");
	CHECK((uintptr_t)&data_var < (uintptr_t)&bss_var, "data above bss");
	CHECK((uintptr_t)&bss_var < heap, "bss above the program break");
	CHECK(heap < (uintptr_t)map, "program break above mmap");
	CHECK((uintptr_t)map < (uintptr_t)&stack_var, "mmap above the stack");
	munmap(map, MMAP_LEN);
}

/* The linker's boundary symbols agree with where the variables landed. */
GTEST(layout_linker_symbols_bound_sections)
{
	CHECK(text_addr() < (uintptr_t)etext);
	CHECK((uintptr_t)etext <= (uintptr_t)&data_var);
	CHECK((uintptr_t)&data_var < (uintptr_t)edata);
	CHECK((uintptr_t)edata <= (uintptr_t)&bss_var);
	CHECK((uintptr_t)&bss_var < (uintptr_t)end);
	CHECK((uintptr_t)end <= brk_now(), "the break starts below the end of bss");
}

/* The kernel loaded .data from the file and zeroed .bss. */
GTEST(layout_data_initialised_bss_zeroed)
{
	static char big_bss[3 * 4096 + 123];

	CHECK_EQ(data_var, 42);
	CHECK_EQ(bss_var, 0);
	for (size_t i = 0; i < sizeof(big_bss); i++)
		CHECK(big_bss[i] == 0, "big_bss[%zu] = %d", i, big_bss[i]);
}

/* brk moves the break up and the new memory is zeroed and writable. */
GTEST(brk_grows_heap_writable)
{
	uintptr_t old = brk_now(), want = old + BRK_GROW;
	unsigned char *p = (unsigned char *)old;

	CHECK_EQ(syscall(SYS_brk, want), want);
	CHECK_EQ(brk_now(), want);
	for (size_t i = 0; i < BRK_GROW; i++)
		CHECK(p[i] == 0, "byte %zu of new heap is %#x", i, p[i]);
	memset(p, 0x5a, BRK_GROW);
	CHECK_EQ(syscall(SYS_brk, old), old);
}

/* Stack grows down: a deeper frame has a lower address. */
static uintptr_t deeper(int depth)
{
	volatile char here = 0;

	if (depth == 0)
		return (uintptr_t)&here;
	return deeper(depth - 1) + (here & 0);
}

GTEST(layout_stack_grows_down)
{
	volatile char here = 0;

	CHECK(deeper(8) < (uintptr_t)&here);
}
