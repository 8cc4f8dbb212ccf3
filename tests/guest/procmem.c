/*
 * procmem.c - another process's memory: process_vm_readv/writev move
 * bytes between scattered pieces on both sides under the target's
 * protections (EFAULT for an unmapped or read-only piece, a short count
 * when a piece ends early, EINVAL, ESRCH, EPERM); /proc/PID/mem reads
 * and writes at an address (EIO where nothing is mapped) and, like a
 * debugger, writes through a read-only private mapping: the page is
 * copied for that process alone and the file never changes, even while
 * another thread throws the copy away with MADV_DONTNEED over and over
 * (the race known as Dirty COW); a read-only shared mapping stays
 * unwritable, and a PROT_NONE page it reads stays out of the process's
 * own reach.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define RACE_ROUNDS 3000

/* A child that fills a page with pattern, then waits on a pipe until
 * the parent closes it, exiting with the first byte of buf (so the
 * parent can see what its writes did). */
struct peer {
	pid_t pid;
	int go;          /* close to let the child finish */
};

static char *peer_page;

static struct peer start_peer(void)
{
	int ready[2], go[2];
	CHECK_EQ(pipe(ready), 0);
	CHECK_EQ(pipe(go), 0);
	peer_page = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(peer_page != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(munmap(peer_page + 2 * 4096, 4096), 0);   /* a hole after two pages */
	pid_t pid = xfork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		for (int i = 0; i < 2 * 4096; i++)
			peer_page[i] = (char)('a' + i % 26);
		mprotect(peer_page + 4096, 4096, PROT_READ);
		close(ready[1]);
		char c;
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit((unsigned char)peer_page[0]);
	}
	close(ready[1]);
	close(go[0]);
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 0);
	close(ready[0]);
	return (struct peer){ pid, go[1] };
}

static int finish_peer(struct peer p)
{
	close(p.go);
	return wait_status(p.pid);
}

GTEST(process_vm_readv_and_writev_move_scattered_bytes)
{
	struct peer p = start_peer();
	char a[10], b[20];
	struct iovec local[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct iovec remote[2] = { { peer_page, 5 }, { peer_page + 26, 25 } };
	ssize_t n = process_vm_readv(p.pid, local, 2, remote, 2, 0);
	if (n < 0 && errno == ENOSYS)
		SKIP("no process_vm_readv");
	CHECK_EQ(n, 30);
	CHECK(memcmp(a, "abcde", 5) == 0 && memcmp(a + 5, "abcde", 5) == 0, "a %.10s", a);
	CHECK(memcmp(b, "fghijklmnopqrstuvwxy", 20) == 0, "b %.20s", b);
	char z = 'Z';
	struct iovec one = { &z, 1 }, at0 = { peer_page, 1 };
	CHECK_EQ(process_vm_writev(p.pid, &one, 1, &at0, 1, 0), 1);
	CHECK_EXITED(finish_peer(p), 'Z');
}

GTEST(process_vm_rw_errors_and_short_counts)
{
	struct peer p = start_peer();
	char buf[8192];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec hole = { peer_page + 2 * 4096, 16 };
	struct iovec ro = { peer_page + 4096, 16 };
	struct iovec across = { peer_page + 4096 + 4000, 200 };  /* runs into the hole */
	CHECK_ERR(process_vm_readv(p.pid, &local, 1, &hole, 1, 0), EFAULT);
	CHECK_EQ(process_vm_readv(p.pid, &local, 1, &across, 1, 0), 96);
	CHECK_ERR(process_vm_writev(p.pid, &local, 1, &ro, 1, 0), EFAULT);   /* read-only there */
	CHECK_ERR(process_vm_readv(p.pid, &local, 1, &ro, 1, 1), EINVAL);
	CHECK_ERR(process_vm_readv(p.pid, &local, 1, &ro, 1025, 0), EINVAL);
	CHECK_ERR(process_vm_readv(p.pid, &local, 1, (struct iovec *)8, 1, 0), EFAULT);
	struct iovec bad_local = { (void *)8, 16 };
	CHECK_ERR(process_vm_readv(p.pid, &bad_local, 1, &ro, 1, 0), EFAULT);
	CHECK_EXITED(finish_peer(p), 'a');
	CHECK_ERR(process_vm_readv(p.pid, &local, 1, &ro, 1, 0), ESRCH);   /* reaped */
}

GTEST(proc_pid_mem_reads_and_writes_at_an_address)
{
	struct peer p = start_peer();
	char path[64], buf[32];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)p.pid);
	int fd = open(path, O_RDWR);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	CHECK_EQ(pread(fd, buf, 4, (off_t)(uintptr_t)(peer_page + 1)), 4);
	CHECK(memcmp(buf, "bcde", 4) == 0, "read %.4s", buf);
	CHECK_ERR(pread(fd, buf, 4, (off_t)(uintptr_t)(peer_page + 2 * 4096)), EIO);
	/* a read-only page of the target: written anyway, as a debugger does */
	CHECK_EQ(pwrite(fd, "XY", 2, (off_t)(uintptr_t)(peer_page + 4096)), 2);
	CHECK_EQ(pread(fd, buf, 3, (off_t)(uintptr_t)(peer_page + 4096)), 3);
	CHECK(memcmp(buf, "XYq", 3) == 0, "read %.3s", buf);   /* 4098 % 26 = 16: q */
	CHECK_EQ(lseek(fd, (off_t)(uintptr_t)peer_page, SEEK_SET), (off_t)(uintptr_t)peer_page);
	CHECK_EQ(write(fd, "Q", 1), 1);
	close(fd);
	CHECK_EXITED(finish_peer(p), 'Q');
}

/* A file of this test holding 8 KiB of 'A', mapped read-only, private. */
static char file_path[64];

static char *map_file_readonly(int *fdp)
{
	snprintf(file_path, sizeof(file_path), "/tmp/gtest-procmem-%d", (int)getpid());
	int fd = open(file_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "open: %s", strerror(errno));
	char page[4096];
	memset(page, 'A', sizeof(page));
	CHECK_EQ(write(fd, page, sizeof(page)), 4096);
	CHECK_EQ(write(fd, page, sizeof(page)), 4096);
	char *m = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
	*fdp = fd;
	return m;
}

/* The file still holds only 'A's. */
static void check_file_untouched(int fd)
{
	char page[8192];
	CHECK_EQ(pread(fd, page, sizeof(page), 0), 8192);
	for (int i = 0; i < 8192; i++)
		CHECK(page[i] == 'A', "the file changed at %d: %c", i, page[i]);
}

GTEST(proc_mem_write_to_a_readonly_private_mapping_copies_the_page)
{
	int fd;
	char *m = map_file_readonly(&fd);
	char *shared = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(shared != MAP_FAILED, "mmap shared: %s", strerror(errno));
	int mem = open("/proc/self/mem", O_RDWR);
	CHECK(mem >= 0, "open /proc/self/mem: %s", strerror(errno));
	CHECK_EQ(m[0], 'A');                                 /* the file's page, mapped */
	CHECK_EQ(pwrite(mem, "BB", 2, (off_t)(uintptr_t)m), 2);
	CHECK(m[0] == 'B' && m[1] == 'B' && m[2] == 'A', "mapping %.3s", m);
	CHECK_EQ(shared[0], 'A');                            /* another mapping of the file */
	check_file_untouched(fd);
	CHECK_EQ(madvise(m, 4096, MADV_DONTNEED), 0);       /* our copy dropped: the file again */
	CHECK_EQ(m[0], 'A');
	CHECK_ERR(pwrite(mem, "C", 1, (off_t)(uintptr_t)shared), EIO);   /* shared, read-only */
	close(mem);
	munmap(shared, 8192);
	munmap(m, 8192);
	close(fd);
	unlink(file_path);
}

static volatile int racing;

static void *dontneed_loop(void *page)
{
	while (__atomic_load_n(&racing, __ATOMIC_RELAXED))
		madvise(page, 4096, MADV_DONTNEED);
	return NULL;
}

GTEST(dirty_cow_race_never_reaches_the_file)
{
	int fd;
	char *m = map_file_readonly(&fd);
	pid_t other = xfork();
	if (other == 0) {   /* another process with the file mapped: must keep seeing 'A' */
		char *o = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		_exit(o != MAP_FAILED && o[0] == 'A' ? 0 : 1);
	}
	CHECK_EXITED(wait_status(other), 0);
	int mem = open("/proc/self/mem", O_RDWR);
	CHECK(mem >= 0, "open /proc/self/mem: %s", strerror(errno));
	racing = 1;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, dontneed_loop, m), 0);
	for (int i = 0; i < RACE_ROUNDS; i++)
		CHECK_EQ(pwrite(mem, "DIRTYCOW", 8, (off_t)(uintptr_t)(m + 64)), 8);
	racing = 0;
	CHECK_EQ(pthread_join(t, NULL), 0);
	close(mem);
	check_file_untouched(fd);
	CHECK_EQ(madvise(m, 8192, MADV_DONTNEED), 0);
	for (int i = 0; i < 8192; i++)
		CHECK(m[i] == 'A', "the mapping shows %c at %d after DONTNEED", m[i], i);
	other = xfork();
	if (other == 0) {
		char *o = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		_exit(o != MAP_FAILED && o[64] == 'A' ? 0 : 1);
	}
	CHECK_EXITED(wait_status(other), 0);
	munmap(m, 8192);
	close(fd);
	unlink(file_path);
}

GTEST(another_users_memory_is_out_of_reach)
{
	if (geteuid() != 0)
		SKIP("needs root to become another user");
	pid_t parent = getpid();
	pid_t pid = xfork();
	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(2);
		char buf[8], path[64];
		struct iovec local = { buf, 8 }, remote = { (void *)&racing, 4 };
		if (process_vm_readv(parent, &local, 1, &remote, 1, 0) != -1 || errno != EPERM)
			_exit(3);
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)parent);
		if (open(path, O_RDONLY) != -1 || errno != EACCES)
			_exit(4);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

static void on_segv(int sig) { _exit(0); }

GTEST(proc_mem_reads_prot_none_without_opening_it)
{
	char *guard = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(guard != MAP_FAILED, "mmap: %s", strerror(errno));
	strcpy(guard, "hidden");
	CHECK_EQ(mprotect(guard, 4096, PROT_NONE), 0);
	int mem = open("/proc/self/mem", O_RDWR);
	CHECK(mem >= 0, "open /proc/self/mem: %s", strerror(errno));
	char buf[8] = { 0 };
	CHECK_EQ(pread(mem, buf, 7, (off_t)(uintptr_t)guard), 7);   /* a debugger may */
	CHECK(strcmp(buf, "hidden") == 0, "read '%s'", buf);
	close(mem);
	pid_t pid = xfork();
	if (pid == 0) {   /* but the page stays out of the process's own reach */
		signal(SIGSEGV, on_segv);
		volatile char c = *(volatile char *)guard;
		(void)c;
		_exit(1);
	}
	CHECK_EXITED(wait_status(pid), 0);
	signal(SIGSEGV, on_segv);
	volatile char c = *(volatile char *)guard;   /* the forced read mapped it here */
	(void)c;
	CHECK(false, "a PROT_NONE page became readable after /proc/self/mem read it");
}
