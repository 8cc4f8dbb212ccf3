/*
 * fuzz.c - bad input never crashes the kernel (Aspen-only: run natively
 * as root it would damage the host). Children make thousands of system
 * calls with arguments drawn from values that break careless kernels:
 * null, unmapped and kernel-half pointers, pointers into read-only text,
 * huge and negative sizes, odd flags. A child may die (a signal, a fault
 * it provoked itself); the kernel must not, and every frame must come
 * back (init checks that after the test). The calls run in FUZZ_DIR,
 * so that what they create by relative paths can be removed.
 */
#include "gtest.h"
#include "ipc_cleanup.h"
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHILDREN 48
#define CALLS_PER_CHILD 800
#define MAX_NR 335
#define CHILD_SECONDS 1

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static char buffer[8192];

/* A value that might be a pointer, a size, a descriptor or flags. */
static uint64_t nasty(void)
{
	static const uint64_t fixed[] = {
		0, 1, 2, 3, 4096, 65536, (uint64_t)-1, (uint64_t)-4095, 0x7fffffff, 0x80000000,
		0xffffffffULL, 0x00007ffffffff000ULL, 0x0000800000000000ULL,
		0xffff800000000000ULL, 0xffff888000000000ULL, 0xffffffff80100000ULL,
		0x10, 0x1000, 0xdead0000, 1UL << 62,
	};
	switch (rnd() % 6) {
	case 0: return fixed[rnd() % (sizeof(fixed) / sizeof(fixed[0]))];
	case 1: return (uint64_t)buffer + (rnd() % sizeof(buffer));
	case 2: return (uint64_t)&nasty;           /* read-only text */
	case 3: return rnd() % 64;                 /* small: descriptors, signals, flags */
	case 4: return rnd();
	default: return (uint64_t)buffer;
	}
}

/* Calls that would end the test rather than the kernel: leaving,
 * killing others (init!) or writing into them, replacing the program,
 * multiplying processes, silencing the console the harness reads,
 * sleeping for ever. */
static bool skipped(long nr)
{
	switch (nr) {
	case SYS_exit: case SYS_exit_group: case SYS_reboot: case SYS_kill: case SYS_tkill:
	case SYS_tgkill: case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo:
	case SYS_execve: case SYS_execveat: case SYS_fork: case SYS_vfork: case SYS_clone:
	case SYS_clone3: case SYS_syslog: case SYS_pause: case SYS_rt_sigsuspend:
	case SYS_vhangup: case SYS_setsid: case SYS_ioctl: case SYS_process_vm_writev:
		return true;
	default:
		return false;
	}
}

#define FUZZ_DIR "/tmp/fuzz"   /* where the calls' relative paths land */

static void fuzz_child(int seed)
{
	if (chdir(FUZZ_DIR))
		_exit(2);
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0);   /* what the calls read and write is noise */
	dup2(null, 1);
	dup2(null, 2);
	rng_state ^= (uint64_t)seed * 0x9E3779B97F4A7C15ULL;
	for (int i = 0; i < CALLS_PER_CHILD; i++) {
		long nr = (long)(rnd() % MAX_NR);
		if (skipped(nr))
			continue;
		syscall(nr, nasty(), nasty(), nasty(), nasty(), nasty(), nasty());
	}
	_exit(0);
}

/* Wait for pid up to CHILD_SECONDS; then SIGKILL, which must end it
 * whatever it was doing. Returns its wait status. */
static int wait_or_kill(pid_t pid)
{
	int status;
	for (int i = 0; i < CHILD_SECONDS * 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	return wait_status(pid);
}

/* Another seed for exploring: a number in /tmp/fuzz-seed (tools/aspen-exec
 * --add FILE:/tmp/fuzz-seed). The default run, seed 0, is always the
 * same (fuzz_long.c's sample changes its seed each run). */
static void read_seed(void)
{
	FILE *f = fopen("/tmp/fuzz-seed", "r");
	unsigned long long seed = 0;
	if (f && fscanf(f, "%llu", &seed) != 1)
		seed = 0;
	rng_state ^= seed * 0x9E3779B97F4A7C15ULL;
	printf("# seed %llu\n", seed);
	if (f)
		fclose(f);
}

GTEST_SLOW(random_syscalls_never_crash_the_kernel, 120)
{
	ASPEN_ONLY();
	read_seed();
	int died = 0;
	CHECK(mkdir(FUZZ_DIR, 0777) == 0);
	for (int c = 0; c < CHILDREN; c++) {
		pid_t pid = xfork();
		if (pid == 0)
			fuzz_child(c);
		int status = wait_or_kill(pid);
		died += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	printf("# %d of %d children died of what they did\n", died, CHILDREN);
	/* The files, links and directories the calls made are state, not
	 * leaks: remove them so that init's frame count is a leak check. */
	CHECK(system("chmod -R u+rwx " FUZZ_DIR " && rm -rf " FUZZ_DIR) == 0);
	printf("# removed %d System V IPC objects\n", remove_sysv_objects());
	int queues = remove_posix_mqueues();
	CHECK(queues >= 0);
	printf("# removed %d POSIX message queues\n", queues);
	/* Still here, and the kernel answers as before. */
	CHECK_EQ(getppid() > 0, 1);
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	p[0] = 1;
}
