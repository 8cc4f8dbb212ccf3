/*
 * demo-fork - fork leaves the same addresses with different values.
 * The child changes a global, a stack and a heap variable and prints
 * them with their addresses; the parent, after the child is gone,
 * prints its own: same addresses, old values. pagemap shows why: the
 * same virtual page is backed by different physical frames once the
 * child has written.
 */
#include "demo.h"

int global_var = 100;

static void show(const char *who, int g, const int *gp, int s, const int *sp, int h, const int *hp)
{
	printf("  %-7s global_var = %d at %p, stack_var = %d at %p, heap_var = %d at %p\n",
	       who, g, (void *)gp, s, (void *)sp, h, (void *)hp);
}

int main(void)
{
	int stack_var = 200;
	int *heap_var = malloc(sizeof(int));
	int pipefd[2];
	*heap_var = 300;
	printf("demo-fork: same virtual addresses, different values after fork.\n");
	demo_section("before fork");
	show("parent:", global_var, &global_var, stack_var, &stack_var, *heap_var, heap_var);
	uint64_t frame_before = demo_frame_of(getpid(), &global_var);
	if (pipe(pipefd))
		return 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		global_var = 111;
		stack_var = 222;
		*heap_var = 333;
		demo_section("child, after changing all three");
		show("child:", global_var, &global_var, stack_var, &stack_var, *heap_var, heap_var);
		printf("  physical frame of &global_var: child %#llx, parent %#llx\n",
		       (unsigned long long)demo_frame_of(getpid(), &global_var),
		       (unsigned long long)demo_frame_of(getppid(), &global_var));
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	demo_section("parent, after the child exited");
	show("parent:", global_var, &global_var, stack_var, &stack_var, *heap_var, heap_var);
	printf("  frame of &global_var in the parent: %#llx (before fork %#llx)\n",
	       (unsigned long long)demo_frame_of(getpid(), &global_var),
	       (unsigned long long)frame_before);
	demo_section("why");
	bool ok = global_var == 100 && stack_var == 200 && *heap_var == 300;
	printf("  same addresses, parent's values unchanged: %s\n", ok ? "yes" : "NO");
	printf("  The addresses are virtual. fork (do_clone -> mm_fork) gave the child\n"
	       "  page tables pointing at the same frames, read-only (by default Aspen\n"
	       "  shares the parent's page tables themselves: demo-fork-strategies). The\n"
	       "  child's first write faulted, and fault_cow_copy gave it a frame of its\n"
	       "  own: one virtual address, two physical pages.\n"
	       "  (Frame numbers read 0 on Linux unless you are root.)\n");
	return ok ? 0 : 1;
}
