/*
 * oom.c - running out of memory fails cleanly: fork without memory
 * returns ENOMEM, a fault that cannot get a frame kills only the process
 * that took it (SIGKILL, SIGSEGV or SIGBUS), and afterwards every frame
 * comes back and the system goes on. The boot has a small swap disk:
 * memory runs out only once it is full too, and the OOM killer's victim
 * is the process eating memory. Aspen-only: natively these tests would
 * exhaust the host.
 */
// DISKS: swap:32
#include "gtest.h"

#define PAGE_SIZE       4096UL
#define CHUNK_PAGES     4096 /* 16 MiB per mmap */
#define RESERVE_FRAMES  2048 /* left free for the kernel and page tables... */
#define RESERVE_SHIFT   8    /* ...plus 1/256 of the rest */
#define SETTLE_SLACK    16   /* frames the parent's own stack may take */
#define SETTLE_POLL_MS  10
#define SETTLE_POLLS    2000 /* up to 20 s on a busy host */
#define EXIT_ENOMEM     10   /* the child's mmap was refused */
#define EXIT_NO_OOM     11   /* the child never ran out */
#define OOM_TIMEOUT     300  /* seconds: touching all of memory under QEMU */
#define STACK_TOUCH     (64 * 1024)

static bool killed_for_memory(int status)
{
	return WIFSIGNALED(status) && (WTERMSIG(status) == SIGKILL ||
				       WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
}

/* Poll until the system's frames in use are back within slack of base. */
static void check_frames_settle(uint64_t base)
{
	struct aspen_counters c = counters_self();

	for (int i = 0; i < SETTLE_POLLS && c.sys_frames_used > base + SETTLE_SLACK; i++) {
		sleep_ms(SETTLE_POLL_MS);
		c = counters_self();
	}
	CHECK(c.sys_frames_used <= base + SETTLE_SLACK, "frames used %llu, %llu before",
	      (unsigned long long)c.sys_frames_used, (unsigned long long)base);
}

/* The system still forks and runs a child. */
static void check_fork_works(void)
{
	pid_t pid = xfork();

	if (pid == 0)
		_exit(0);
	CHECK_EXITED(wait_status(pid), 0);
}

/* Write every page of the STACK_TOUCH bytes below the caller's frame. */
__attribute__((noinline)) static void touch_stack(void)
{
	volatile char buf[STACK_TOUCH];

	for (size_t i = 0; i < sizeof(buf); i += PAGE_SIZE)
		buf[i] = 0;
}

/* Fork a child that runs hog(arg), which should run the system out of
 * memory, and return the child's wait status; -1 with errno if fork
 * failed. After fork the stack pages are shared, and a write to one
 * needs a frame: so both sides first write the stack they will use, and
 * the hog starts only then; the parent needs no frame until it is dead. */
static int run_hog(void (*hog)(void *arg), void *arg)
{
	int fds[2], status = -1, e;
	char go;
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	fflush(stdout);
	pid = fork();
	e = errno;
	touch_stack();
	if (pid == 0) {
		if (read(fds[0], &go, 1) == 1)
			hog(arg);
		_exit(EXIT_NO_OOM);
	}
	if (pid > 0) {
		CHECK_EQ(write(fds[1], "g", 1), 1);
		status = wait_status(pid);
	}
	close(fds[0]);
	close(fds[1]);
	errno = e;
	return status;
}

/* Hog: map and touch 16 MiB at a time, up to *limit_pages, until killed
 * or refused (then exit EXIT_ENOMEM). */
static void eat_memory(void *limit_pages)
{
	for (uint64_t eaten = 0; eaten < *(uint64_t *)limit_pages; eaten += CHUNK_PAGES) {
		char *p = mmap(NULL, CHUNK_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(errno == ENOMEM ? EXIT_ENOMEM : 1);
		for (size_t i = 0; i < CHUNK_PAGES; i++)
			p[i * PAGE_SIZE] = 1;
	}
}

GTEST_SLOW(touch_beyond_memory_kills_only_that_process, OOM_TIMEOUT)
{
	struct aspen_counters c;
	uint64_t limit;
	int status;

	ASPEN_ONLY();
	c = counters_self();
	limit = 2 * c.sys_frames_total;
	status = run_hog(eat_memory, &limit);
	CHECK(status != -1, "fork: %s", strerror(errno));
	CHECK(killed_for_memory(status) || (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_ENOMEM),
	      "%s", status_str(status));
	check_frames_settle(c.sys_frames_used);
	check_fork_works();
}

struct region {
	char *p;
	uint64_t npages;
};

/* Hog: write every page of a region shared copy-on-write with the parent. */
static void write_region(void *region)
{
	struct region *r = region;

	for (uint64_t i = 0; i < r->npages; i++)
		r->p[i * PAGE_SIZE] = 0;
}

/* The parent holds nearly all free memory, then forks: either fork says
 * ENOMEM, or the child's copy-on-write faults run out and kill it. The
 * parent's memory is intact either way. */
GTEST_SLOW(cow_without_frames_kills_only_child, OOM_TIMEOUT)
{
	struct aspen_counters c;
	uint64_t free_frames;
	struct region r;
	int status;

	ASPEN_ONLY();
	c = counters_self();
	free_frames = c.sys_frames_total - c.sys_frames_used;
	CHECK(free_frames > 2 * RESERVE_FRAMES, "only %llu frames free", (unsigned long long)free_frames);
	r.npages = free_frames - RESERVE_FRAMES - (free_frames >> RESERVE_SHIFT);
	r.p = mmap(NULL, r.npages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r.p != MAP_FAILED, "mmap %llu pages: %s", (unsigned long long)r.npages, strerror(errno));
	for (uint64_t i = 0; i < r.npages; i++)
		r.p[i * PAGE_SIZE] = (char)i;
	c = counters_self();
	status = run_hog(write_region, &r);
	if (status == -1)
		CHECK(errno == ENOMEM || errno == EAGAIN, "fork: %s", strerror(errno));
	else
		CHECK(killed_for_memory(status), "%s", status_str(status));
	for (uint64_t i = 0; i < r.npages; i++)
		CHECK(r.p[i * PAGE_SIZE] == (char)i, "parent page %llu changed", (unsigned long long)i);
	check_frames_settle(c.sys_frames_used);
	CHECK_EQ(munmap(r.p, r.npages * PAGE_SIZE), 0);
	check_fork_works();
}
