/*
 * demo-layout - the layout of a process. Prints where its code,
 * constants, initialized and uninitialized globals, heap, a large
 * allocation, stack and arguments live, and for each address the
 * region of /proc/self/maps that holds it. Then checks the order the
 * seeds draw: text below data below heap, the stack at the top.
 */
#include "demo.h"
#include <sys/mman.h>
#include <sys/syscall.h>

int initialized_global = 42;           /* .data */
int uninitialized_global;              /* .bss */
const int const_global = 100;          /* .rodata */

static void sample_function(void) { }

struct place {
	const char *what;
	const void *addr;
	const char *expect;   /* the region the seeds put it in */
};

static void show(const struct place *p)
{
	char line[512];
	const char *perm_and_name = "(no region)";
	if (demo_region_of(getpid(), p->addr, line, sizeof(line)))
		perm_and_name = strchr(line, ' ') + 1;
	printf("  %-22s %14p  %-7s  %s\n", p->what, p->addr, p->expect, perm_and_name);
}

int main(int argc, char **argv)
{
	int stack_var = 1;
	/* The heap proper is the brk area; musl's malloc mostly uses mmap
	 * instead, so take a page of it by hand, as old malloc()s did. */
	char *brk0 = (char *)syscall(SYS_brk, 0);
	int *heap_var = (int *)brk0;
	if ((char *)syscall(SYS_brk, brk0 + DEMO_PAGE) != brk0 + DEMO_PAGE)
		return 1;
	int *malloced = malloc(sizeof(int));
	char *big = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*heap_var = 2;
	*malloced = 4;
	big[0] = 3;
	struct place places[] = {
		{ "main()", (void *)main, "text" },
		{ "sample_function()", (void *)sample_function, "text" },
		{ "const_global", &const_global, "rodata" },
		{ "initialized_global", &initialized_global, "data" },
		{ "uninitialized_global", &uninitialized_global, "bss" },
		{ "heap_var (brk)", heap_var, "heap" },
		{ "malloc(4)", malloced, "heap*" },
		{ "big (mmap 1 MiB)", big, "mmap" },
		{ "stack_var", &stack_var, "stack" },
		{ "argv[0] string", argv[0], "stack" },
	};
	printf("demo-layout: the address space of pid %d, region by region.\n", getpid());
	demo_section("where each thing lives (address, seed's name, region from /proc/self/maps)");
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		show(&places[i]);
	demo_show_own_maps();
	demo_section("the order the seeds draw, checked");
	bool ok = (void *)main < (void *)&initialized_global &&
		  (void *)&initialized_global < (void *)heap_var &&
		  (void *)heap_var < (void *)big && (void *)big < (void *)&stack_var;
	printf("  code < globals < heap < mmap < stack: %s\n", ok ? "yes" : "NO");
	printf("  (*) malloc may take memory from brk or from mmap: musl's mostly mmaps.\n");
	printf("  The code and constants come from the program file (read-only, shared\n"
	       "  by every process running it); data is a private copy of the file's\n"
	       "  bytes; bss, heap, mmap and stack are zero-filled memory that exists\n"
	       "  only once touched. Kernel: exec's map_segments and vm_setup_stack lay\n"
	       "  it out; the fault handler (fault_zero_fill, fault_file_map) fills it.\n");
	(void)argc;
	return ok ? 0 : 1;
}
