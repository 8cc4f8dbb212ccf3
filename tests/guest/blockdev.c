/*
 * blockdev.c - a raw disk through its block device node: its size by
 * every ioctl and by lseek, reads and writes of patterns at odd offsets
 * and lengths (partial sectors keep their other bytes), the file
 * position, the end of the disk (short writes, ENOSPC, EINVAL seeks),
 * fsync, /proc/partitions and /proc/diskstats, several processes and
 * threads doing I/O at once, and a disk whose I/O fails (EIO, and the
 * kernel goes on).
 *
 * In Aspen the disks are the ones the harness attached (the DISKS line
 * below; tools/aspen-exec lists them in /etc/aspen-disks). On Linux the
 * test makes its own disk of the same size: a loop device over a file
 * (as root; skipped where the host forbids it). The faulty disk exists
 * only in Aspen's harness (QEMU's blkdebug), so that test is Aspen-only.
 */
// DISKS: blank:8 faulty:1
#include "gtest.h"
#include "loopdev.h"
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#define SCRATCH_BYTES (8u << 20)       /* the DISKS line's blank:8 */
#define SECTOR 512
#define FAULTY_SECTOR 8                /* scripts/disks.sh */
#define WORKERS 4                      /* processes, each with THREADS threads */
#define THREADS 2
#define REGION (64 * 1024)             /* each thread's part of the disk */
#define ROUNDS 4

struct disk {
	int fd;
	char path[64];
	char name[32];                     /* as in /proc/partitions */
	unsigned long long bytes;          /* what was attached */
};

/* Find the harness's disk of this kind in /etc/aspen-disks. */
static bool aspen_disk(const char *kind, struct disk *d)
{
	FILE *f = fopen("/etc/aspen-disks", "r");
	char name[32], k[32];
	unsigned long long bytes;
	bool found = false;

	if (!f)
		return false;
	while (!found && fscanf(f, "%31s %31s %llu%*[^\n]", name, k, &bytes) == 3)
		if (strcmp(k, kind) == 0) {
			snprintf(d->name, sizeof(d->name), "%s", name);
			snprintf(d->path, sizeof(d->path), "/dev/%s", name);
			d->bytes = bytes;
			found = true;
		}
	fclose(f);
	return found;
}

/* On Linux: a loop device over a fresh file of SCRATCH_BYTES, detached
 * when its last descriptor closes (LO_FLAGS_AUTOCLEAR). */
static bool loop_disk(struct disk *d)
{
	char file[] = "/tmp/blockdev-XXXXXX";
	int back = mkstemp(file);
	bool ok = back >= 0 && ftruncate(back, SCRATCH_BYTES) == 0;

	if (ok) {
		d->fd = loop_attach(back, LO_FLAGS_AUTOCLEAR, file, O_RDWR, d->path, sizeof(d->path));
		ok = d->fd >= 0;
		snprintf(d->name, sizeof(d->name), "%s", d->path + 5);
		d->bytes = SCRATCH_BYTES;
	}
	if (back >= 0) {
		unlink(file);
		close(back);
	}
	return ok;
}

/* The scratch disk, open read-write (skips the test if there is none). */
static struct disk scratch(void)
{
	struct disk d = { .fd = -1 };

	if (on_aspen() ? !aspen_disk("blank", &d) : !loop_disk(&d))
		SKIP("no scratch disk (Aspen: run with --blank 8; Linux: needs root and loop devices)");
	CHECK(d.bytes == SCRATCH_BYTES, "attached %llu bytes", d.bytes);
	if (d.fd < 0)
		d.fd = open(d.path, O_RDWR);
	CHECK(d.fd >= 0, "open %s: %s", d.path, strerror(errno));
	return d;
}

static unsigned char pattern_byte(unsigned long long off, unsigned seed)
{
	return (unsigned char)((off * 2654435761u) >> 13 ^ seed);
}

static void fill(unsigned char *buf, size_t len, unsigned long long off, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern_byte(off + i, seed);
}

/* The first offset in [off, off + len) whose byte differs from the
 * pattern, or -1. */
static long long mismatch(const unsigned char *buf, size_t len, unsigned long long off, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern_byte(off + i, seed))
			return (long long)(off + i);
	return -1;
}

static void pwrite_pattern(int fd, unsigned long long off, size_t len, unsigned seed)
{
	unsigned char *buf = malloc(len);

	fill(buf, len, off, seed);
	CHECK_EQ(pwrite(fd, buf, len, (off_t)off), (long long)len);
	free(buf);
}

/* Read [off, off + len) and check it holds the pattern of seed. */
static void check_pattern(int fd, unsigned long long off, size_t len, unsigned seed)
{
	unsigned char *buf = malloc(len);
	long long bad;

	CHECK_EQ(pread(fd, buf, len, (off_t)off), (long long)len);
	bad = mismatch(buf, len, off, seed);
	CHECK(bad < 0, "byte %lld differs (seed %u)", bad, seed);
	free(buf);
}

GTEST(blockdev_size_by_ioctl_and_lseek)
{
	struct disk d = scratch();
	unsigned long long bytes = 0;
	unsigned long sectors = 0;
	int ssz = 0, ro = -1;
	struct stat st;

	CHECK_EQ(ioctl(d.fd, BLKGETSIZE64, &bytes), 0);
	CHECK_EQ(bytes, d.bytes);
	CHECK_EQ(ioctl(d.fd, BLKGETSIZE, &sectors), 0);
	CHECK_EQ(sectors, d.bytes / SECTOR);
	CHECK_EQ(ioctl(d.fd, BLKSSZGET, &ssz), 0);
	CHECK_EQ(ssz, SECTOR);
	CHECK_EQ(ioctl(d.fd, BLKROGET, &ro), 0);
	CHECK_EQ(ro, 0);
	CHECK_EQ(lseek(d.fd, 0, SEEK_END), (long long)d.bytes);
	CHECK_EQ(fstat(d.fd, &st), 0);
	CHECK(S_ISBLK(st.st_mode), "mode %o", st.st_mode);
	CHECK_EQ(stat(d.path, &st), 0);
	CHECK(S_ISBLK(st.st_mode), "mode %o", st.st_mode);
	CHECK_ERR(ioctl(d.fd, BLKGETSIZE64, (void *)8), EFAULT);
	errno = 0;
	CHECK_EQ(ioctl(d.fd, TCGETS, &(struct termios){ 0 }), -1);
	CHECK(errno == ENOTTY || errno == EINVAL, "TCGETS: %s", strerror(errno));
	if (on_aspen()) {   /* as Linux's virtio-blk: ENOTTY; major 254, 16 minors a disk */
		CHECK_EQ(errno, ENOTTY);
		CHECK_EQ(major(st.st_rdev), 254);
		CHECK_EQ(minor(st.st_rdev) % 16, 0);
	}
}

GTEST(blockdev_patterns_at_odd_offsets_read_back)
{
	struct disk d = scratch();
	static const struct { unsigned long long off; size_t len; } w[] = {
		{ 1, 1 }, { 511, 2 }, { 1000, 1000 }, { 4096 * 3 + 5, 70000 },
		{ 200 * SECTOR, SECTOR }, { 300 * SECTOR + 17, 3 * SECTOR },
		{ SCRATCH_BYTES - 3, 3 },
	};

	/* A background, then the writes over it: their neighbours keep it. */
	pwrite_pattern(d.fd, 0, 256 * 1024, 1);
	pwrite_pattern(d.fd, SCRATCH_BYTES - 8192, 8192, 1);
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		pwrite_pattern(d.fd, w[i].off, w[i].len, 2 + (unsigned)i);
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		check_pattern(d.fd, w[i].off, w[i].len, 2 + (unsigned)i);
		if (w[i].off >= 8 && w[i].off < 256 * 1024)
			check_pattern(d.fd, w[i].off - 8, 8, 1);
		if (w[i].off + w[i].len + 8 <= 256 * 1024)
			check_pattern(d.fd, w[i].off + w[i].len, 8, 1);
	}
	check_pattern(d.fd, SCRATCH_BYTES - 8192, 8192 - 3, 1);
	CHECK_EQ(fsync(d.fd), 0);
	CHECK_EQ(fdatasync(d.fd), 0);
	CHECK_EQ(ioctl(d.fd, BLKFLSBUF, 0), 0);
	/* Through a second descriptor, after the flush. */
	int fd2 = open(d.path, O_RDONLY);
	CHECK(fd2 >= 0);
	check_pattern(fd2, w[3].off, w[3].len, 5);
}

GTEST(blockdev_position_and_end_of_disk)
{
	struct disk d = scratch();
	char buf[SECTOR];

	CHECK_EQ(lseek(d.fd, 777, SEEK_SET), 777);
	pwrite_pattern(d.fd, 0, 4096, 9);
	CHECK_EQ(read(d.fd, buf, 100), 100);
	CHECK(mismatch((unsigned char *)buf, 100, 777, 9) < 0);
	CHECK_EQ(lseek(d.fd, 0, SEEK_CUR), 877);
	CHECK_EQ(write(d.fd, buf, 10), 10);
	CHECK_EQ(lseek(d.fd, 0, SEEK_CUR), 887);
	/* The end: reads give 0, writes ENOSPC, a write across it is cut short. */
	CHECK_EQ(lseek(d.fd, 0, SEEK_END), (long long)d.bytes);
	CHECK_EQ(read(d.fd, buf, sizeof(buf)), 0);
	CHECK_ERR(write(d.fd, buf, 1), ENOSPC);
	CHECK_EQ(pwrite(d.fd, buf, sizeof(buf), (off_t)d.bytes - 100), 100);
	CHECK_EQ(pread(d.fd, buf, sizeof(buf), (off_t)d.bytes - 10), 10);
	CHECK_EQ(pread(d.fd, buf, sizeof(buf), (off_t)d.bytes + SECTOR), 0);
	/* Seeks stay within the disk. */
	CHECK_ERR(lseek(d.fd, 1, SEEK_END), EINVAL);
	CHECK_ERR(lseek(d.fd, -1, SEEK_SET), EINVAL);
	CHECK_ERR(lseek(d.fd, 0, SEEK_DATA), EINVAL);
	CHECK_EQ(lseek(d.fd, -(off_t)SECTOR, SEEK_END), (long long)d.bytes - SECTOR);
	CHECK_ERR(read(d.fd, (void *)16, 1), EFAULT);
}

/* /proc/partitions and /proc/diskstats have a line for the disk. */
GTEST(blockdev_listed_in_proc)
{
	struct disk d = scratch();
	char line[256], name[64];
	unsigned maj, min;
	unsigned long long blocks, v[17];
	bool part = false, stats = false;
	FILE *f = fopen("/proc/partitions", "r");
	char buf[SECTOR];

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %u %llu %63s", &maj, &min, &blocks, name) == 4 &&
		    strcmp(name, d.name) == 0) {
			CHECK_EQ(blocks, d.bytes / 1024);
			part = true;
		}
	fclose(f);
	CHECK(part, "no %s in /proc/partitions", d.name);
	CHECK_EQ(pread(d.fd, buf, sizeof(buf), 12345 * SECTOR), SECTOR);
	f = fopen("/proc/diskstats", "r");
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %u %63s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu"
			   " %llu %llu %llu %llu %llu %llu", &maj, &min, name, &v[0], &v[1], &v[2],
			   &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12],
			   &v[13], &v[14], &v[15], &v[16]) == 20 && strcmp(name, d.name) == 0) {
			CHECK(v[0] >= 1, "%s: %llu reads", d.name, v[0]);
			CHECK(v[2] >= v[0], "%llu sectors in %llu reads", v[2], v[0]);
			stats = true;
		}
	fclose(f);
	CHECK(stats, "no 20-field line for %s in /proc/diskstats", d.name);
}

struct job {
	int fd;
	unsigned worker, thread;
};

/* One thread's work: ROUNDS times, write its region with a new pattern
 * at an odd offset and length, and read it back. 0, or the bad offset + 1. */
static void *worker_thread(void *arg)
{
	struct job *j = arg;
	unsigned long long base = (unsigned long long)(j->worker * THREADS + j->thread) * REGION;
	size_t len = REGION - 2 * SECTOR + 3;
	unsigned char *buf = malloc(REGION);
	long long bad = -1;

	for (unsigned round = 0; round < ROUNDS && bad < 0; round++) {
		unsigned seed = j->worker * 64 + j->thread * 8 + round;
		unsigned long long off = base + SECTOR / 2 + round;

		fill(buf, len, off, seed);
		if (pwrite(j->fd, buf, len, (off_t)off) != (ssize_t)len)
			bad = (long long)off;
		else if (pread(j->fd, buf, len, (off_t)off) != (ssize_t)len)
			bad = (long long)off;
		else
			bad = mismatch(buf, len, off, seed);
	}
	free(buf);
	return (void *)(intptr_t)(bad + 1);
}

/* A worker process: THREADS threads on its own descriptor. */
static void worker(const char *path, unsigned w)
{
	pthread_t t[THREADS];
	struct job jobs[THREADS];
	int fd = open(path, O_RDWR), failed = 0;

	for (unsigned i = 0; i < THREADS; i++) {
		jobs[i] = (struct job){ fd, w, i };
		pthread_create(&t[i], NULL, worker_thread, &jobs[i]);
	}
	for (unsigned i = 0; i < THREADS; i++) {
		void *r;

		pthread_join(t[i], &r);
		if (r) {
			printf("# worker %u thread %u: byte %lld wrong\n", w, i, (long long)(intptr_t)r - 1);
			failed = 1;
		}
	}
	_exit(fd < 0 || failed);
}

GTEST(blockdev_processes_and_threads_at_once)
{
	struct disk d = scratch();
	pid_t pids[WORKERS];

	for (unsigned w = 0; w < WORKERS; w++) {
		pids[w] = xfork();
		if (pids[w] == 0)
			worker(d.path, w);
	}
	for (unsigned w = 0; w < WORKERS; w++)
		CHECK_EXITED(wait_status(pids[w]), 0);
	/* Each region holds its last round, and the sectors between stayed. */
	for (unsigned w = 0; w < WORKERS; w++)
		for (unsigned t = 0; t < THREADS; t++) {
			unsigned long long off = (unsigned long long)(w * THREADS + t) * REGION +
						 SECTOR / 2 + ROUNDS - 1;

			check_pattern(d.fd, off, REGION - 2 * SECTOR + 3, w * 64 + t * 8 + ROUNDS - 1);
		}
}

GTEST(blockdev_faulty_disk_gives_eio_and_goes_on)
{
	struct disk d;
	char buf[3 * 4096];

	ASPEN_ONLY();
	if (!aspen_disk("faulty", &d))
		SKIP("no faulty disk attached (--faulty 1)");
	d.fd = open(d.path, O_RDWR);
	CHECK(d.fd >= 0, "open %s: %s", d.path, strerror(errno));
	CHECK_EQ(pread(d.fd, buf, SECTOR, 0), SECTOR);
	CHECK_ERR(pread(d.fd, buf, SECTOR, FAULTY_SECTOR * SECTOR), EIO);
	CHECK_ERR(pread(d.fd, buf, 200, FAULTY_SECTOR * SECTOR - 100), EIO);
	CHECK_ERR(pwrite(d.fd, buf, SECTOR, FAULTY_SECTOR * SECTOR), EIO);
	CHECK_ERR(pwrite(d.fd, buf, 10, FAULTY_SECTOR * SECTOR + 5), EIO);
	/* A read across it returns what came before it, or EIO. */
	errno = 0;
	ssize_t r = pread(d.fd, buf, sizeof(buf), 0);
	CHECK((r >= 0 && r < FAULTY_SECTOR * SECTOR + SECTOR) || (r < 0 && errno == EIO),
	      "read across the bad sector gave %zd (%s)", r, strerror(errno));
	/* The rest of the disk still works. */
	pwrite_pattern(d.fd, (FAULTY_SECTOR + 1) * SECTOR, 3 * SECTOR + 1, 42);
	check_pattern(d.fd, (FAULTY_SECTOR + 1) * SECTOR, 3 * SECTOR + 1, 42);
	CHECK_EQ(fsync(d.fd), 0);
}
