/* demos.c - every walkthrough of user/demos runs to completion and shows
 * what it claims: same address with different values after fork, the
 * shared part falling as copies rise, threads sharing a global but not a
 * __thread variable, and so on; and vmmap compares two processes. In
 * Aspen the programs are /bin/NAME; natively, build/user/demos/NAME
 * beside this test's build directory. */
#include "gtest.h"
#include <libgen.h>

#define OUT_MAX (256 * 1024)

/* The path of program name (a demo when demo is true). */
static void program_path(const char *name, bool demo, char *path, size_t size)
{
	char self[512];
	if (on_aspen()) {
		snprintf(path, size, "/bin/%s", name);
		return;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);   /* build/gtest/musl/demos */
	CHECK(n > 0);
	self[n] = '\0';
	snprintf(path, size, "%s/../../user/%s%s", dirname(self), demo ? "demos/" : "", name);
}

/* Run the program with up to one argument; its output in out; returns
 * the wait status. */
static int run(const char *name, bool demo, const char *arg, char *out)
{
	char path[600];
	program_path(name, demo, path, sizeof(path));
	char *argv[] = { (char *)name, (char *)arg, NULL };
	int status = run_output(path, argv, out, OUT_MAX);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("# %s said:\n%s", name, out);
	return status;
}

static char out[OUT_MAX];

GTEST(demo_layout_addresses_in_the_seed_order)
{
	CHECK_EXITED(run("demo-layout", true, NULL, out), 0);
	CHECK(strstr(out, "code < globals < heap < mmap < stack: yes"));
	CHECK(strstr(out, "[heap]") && strstr(out, "[stack]"));
	const char *map = strstr(out, "the whole map");
	CHECK(map && strstr(map, "/demo-layout\n"), "the whole map is not the demo's");
}

/* A dynamically linked demo (plain gcc): libraries in the mmap area. */
GTEST(demo_libs_in_the_mmap_area_code_shared)
{
	CHECK_EXITED(run("demo-libs", true, NULL, out), 0);
	CHECK(strstr(out, "code < globals < heap < libc < ld.so < stack: yes"));
	const char *map = strstr(out, "the whole map");
	CHECK(map && strstr(map, "/demo-libs\n") && strstr(map, "/libc.so.6\n") &&
	      strstr(map, "/ld-linux-x86-64.so.2\n") && strstr(map, "[vdso]\n"),
	      "the whole map is not the demo's");
	CHECK(strstr(out, "run as root") || strstr(out, "data copied on write: yes"));
}

GTEST(demo_fork_same_address_different_value)
{
	char *c, *p;
	void *ca, *pa;
	int cv, pv;
	CHECK_EXITED(run("demo-fork", true, NULL, out), 0);
	CHECK((c = strstr(out, "child:  global_var = ")), "no child line");
	p = strstr(out, "== parent, after");
	CHECK(p && (p = strstr(p, "parent: global_var = ")), "no parent line");
	CHECK(sscanf(c, "child:  global_var = %d at %p", &cv, &ca) == 2);
	CHECK(sscanf(p, "parent: global_var = %d at %p", &pv, &pa) == 2);
	CHECK(ca == pa, "addresses %p and %p", ca, pa);
	CHECK(cv == 111 && pv == 100, "values %d and %d", cv, pv);
}

GTEST_SLOW(demo_cow_shared_falls_as_copies_rise, 120)
{
	long shared[5], priv[5], copies[5];
	CHECK_EXITED(run("demo-cow", true, "8", out), 0);
	for (int s = 0; s <= 4; s++) {
		char key[32];
		snprintf(key, sizeof(key), "step %d:", s);
		char *l = strstr(out, key);
		CHECK(l && sscanf(l, "step %*d: child has written %*d pages: shared %ld KiB, private %ld KiB,"
				  " cow copies %ld", &shared[s], &priv[s], &copies[s]) == 3, "no %s", key);
		if (s == 0)
			continue;
		CHECK(shared[s] < shared[s - 1] && priv[s] > priv[s - 1], "step %d: shared %ld -> %ld, "
		      "private %ld -> %ld", s, shared[s - 1], shared[s], priv[s - 1], priv[s]);
		if (on_aspen())
			CHECK(copies[s] - copies[s - 1] >= 512, "step %d: copies %ld -> %ld", s,
			      copies[s - 1], copies[s]);
	}
	CHECK(strstr(out, "still share"), "no vmmap comparison in the output");
}

/* The figures one strategy's fork printed, from its "strategy" line. */
struct strategy_figures {
	long long frames, tables, shared;
};

static void strategy_line(const char *name, struct strategy_figures *f)
{
	char key[32];
	snprintf(key, sizeof(key), "strategy %s:", name);
	char *l = strstr(out, key);
	CHECK(l && sscanf(l + strlen(key), " fork %*u us, frames +%lld, child page tables %lld (%lld shared)",
			  &f->frames, &f->tables, &f->shared) == 3, "no line for %s", name);
}

GTEST_SLOW(demo_fork_strategies_shows_what_each_costs, 120)
{
	struct strategy_figures copy, cow, shared;
	CHECK_EXITED(run("demo-fork-strategies", true, "8", out), 0);
	if (!on_aspen()) {
		CHECK(strstr(out, "Linux's fork"));
		return;
	}
	strategy_line("copy", &copy);
	strategy_line("cow", &cow);
	strategy_line("shared", &shared);
	CHECK(copy.frames >= 2048, "copy: frames +%lld for 8 MiB", copy.frames);
	CHECK(cow.frames < 256 && shared.frames < 256, "cow +%lld, shared +%lld", cow.frames, shared.frames);
	CHECK(copy.shared == 0 && cow.shared == 0, "copy %lld, cow %lld shared tables", copy.shared, cow.shared);
	CHECK(shared.shared >= 4, "shared: %lld shared tables", shared.shared);
	CHECK(strstr(out, "1 page table copied"), "no table copied on the first write");
	CHECK(strstr(out, "page tables together"), "no vmmap line for the shared tables");
}

GTEST(demo_threads_share_globals_not_thread_locals)
{
	CHECK_EXITED(run("demo-threads", true, NULL, out), 0);
	CHECK(strstr(out, "same address in every thread: yes"));
	CHECK(strstr(out, "different address in each thread: yes"));
	CHECK(strstr(out, "global_counter = 300"));
}

GTEST(demo_vfork_parent_resumes_at_exec)
{
	CHECK_EXITED(run("demo-vfork", true, NULL, out), 0);
	CHECK(strstr(out, "still running: yes"));
	CHECK(strstr(out, "marker = 1"));
}

GTEST(demo_spawn_redirects_output)
{
	CHECK_EXITED(run("demo-spawn", true, NULL, out), 0);
	CHECK(strstr(out, "not here: yes"));
}

GTEST(demo_orphan_is_adopted)
{
	CHECK_EXITED(run("demo-orphan", true, NULL, out), 0);
	CHECK(strstr(out, "adopted by pid"), "no adoption line");
	if (on_aspen())       /* natively a subreaper may adopt it instead */
		CHECK(strstr(out, "adopted by pid 1 (init)"));
}

GTEST(demo_zombie_until_reaped)
{
	CHECK_EXITED(run("demo-zombie", true, NULL, out), 0);
	CHECK(strstr(out, "State: Z (zombie)"));
	CHECK(strstr(out, "is gone"));
}

GTEST(vmmap_compares_forked_processes)
{
	char pid[16], both[40];
	int go[2];
	CHECK(pipe(go) == 0);
	pid_t child = xfork();
	if (child == 0) {
		char c;
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	snprintf(pid, sizeof(pid), "%d", getpid());
	CHECK_EXITED(run("vmmap", false, pid, out), 0);
	CHECK(strstr(out, "REGION") && strstr(out, "total"), "no table");
	snprintf(both, sizeof(both), "%d", (int)child);
	char path[600];
	program_path("vmmap", false, path, sizeof(path));
	char *argv[] = { "vmmap", pid, both, NULL };
	CHECK_EXITED(run_output(path, argv, out, OUT_MAX), 0);
	CHECK(write(go[1], "x", 1) == 1);
	CHECK_EXITED(wait_status(child), 0);
	CHECK(strstr(out, "still share"), "vmmap said:\n%s", out);
}

/* pmap prints this process's mappings in procps' format: its own text
 * at the address of a function here, its stack, and a total that is the
 * sum of the sizes. */
GTEST(pmap_lists_own_mappings_with_total)
{
	char pid[16], want[40];
	snprintf(pid, sizeof(pid), "%d", getpid());
	CHECK_EXITED(run("pmap", false, pid, out), 0);
	CHECK(strstr(out, "[ stack ]") != NULL, "no stack line");
	unsigned long text = (unsigned long)&program_path, sum = 0, total = 0, start, kb;
	bool text_found = false;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char mode[8];
		if (sscanf(line, "%lx %luK %7s", &start, &kb, mode) == 3) {
			sum += kb;
			text_found |= start <= text && text < start + kb * 1024 && mode[2] == 'x';
		}
		sscanf(line, " total %luK", &total);
	}
	CHECK(text_found, "no executable mapping holds %s", (snprintf(want, sizeof(want), "%lx", text), want));
	CHECK_EQ(total, sum);
}
