/*
 * sysv_shm.c - System V shared memory: segments are made, found by key,
 * attached read-write or read-only at a chosen or rounded address,
 * shared with forked children, detached by shmdt, exec and exit, and
 * outlive IPC_RMID until their last detach; shmctl's commands, and the
 * segment as /proc/PID/maps, smaps and /proc/sysvipc/shm show it.
 * Every test removes what it makes (segments outlive processes).
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/resource.h>
#include <sys/shm.h>

#define SEG_SIZE 10000
#ifdef __GLIBC__
#define KEY_FIELD __key   /* glibc's name for ipc_perm's key */
#else
#define KEY_FIELD key
#endif

/* A private segment marked for removal at once: it goes with the last
 * detach even if the test fails. */
static int private_seg(size_t size, int mode, void **at)
{
	int id = shmget(IPC_PRIVATE, size, IPC_CREAT | mode);
	CHECK(id >= 0, "shmget: %s", strerror(errno));
	*at = shmat(id, NULL, 0);
	CHECK(*at != (void *)-1, "shmat: %s", strerror(errno));
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	return id;
}

static struct shmid_ds stat_of(int id)
{
	struct shmid_ds ds;
	CHECK(shmctl(id, IPC_STAT, &ds) == 0, "IPC_STAT %d: %s", id, strerror(errno));
	return ds;
}

/* A key of our own, unlikely to be in use on the host. */
static key_t test_key(int n)
{
	return (key_t)(0x5a000000 | ((getpid() & 0xffff) << 4) | n);
}

/* The /proc/self/maps line holding addr, into line. */
static bool maps_line_of(const void *addr, char *line, size_t size)
{
	FILE *f = fopen("/proc/self/maps", "r");
	CHECK(f != NULL);
	bool found = false;
	while (!found && fgets(line, (int)size, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && (unsigned long)addr >= lo && (unsigned long)addr < hi)
			found = true;
	}
	fclose(f);
	return found;
}

GTEST(shmget_private_segment_is_zeroed_and_described)
{
	int id = shmget(IPC_PRIVATE, SEG_SIZE, IPC_CREAT | 0640);
	CHECK(id >= 0, "shmget: %s", strerror(errno));
	unsigned char *p = shmat(id, NULL, 0);
	CHECK(p != (void *)-1, "shmat: %s", strerror(errno));
	for (size_t i = 0; i < SEG_SIZE; i++)
		CHECK(p[i] == 0, "byte %zu is %d", i, p[i]);
	p[SEG_SIZE - 1] = 7;
	struct shmid_ds ds = stat_of(id);
	CHECK_EQ(ds.shm_segsz, SEG_SIZE);
	CHECK_EQ(ds.shm_nattch, 1);
	CHECK_EQ(ds.shm_cpid, getpid());
	CHECK_EQ(ds.shm_lpid, getpid());
	CHECK_EQ(ds.shm_perm.mode & 0777, 0640);
	CHECK_EQ(ds.shm_perm.KEY_FIELD, IPC_PRIVATE);
	CHECK_EQ(ds.shm_perm.uid, geteuid());
	CHECK_EQ(ds.shm_perm.cuid, geteuid());
	CHECK(ds.shm_atime > 0 && ds.shm_ctime > 0 && ds.shm_dtime == 0, "times %ld %ld %ld",
	      (long)ds.shm_atime, (long)ds.shm_ctime, (long)ds.shm_dtime);
	CHECK_EQ(shmdt(p), 0);
	ds = stat_of(id);
	CHECK_EQ(ds.shm_nattch, 0);
	CHECK(ds.shm_dtime > 0);
	/* Detached, the segment keeps its bytes. */
	p = shmat(id, NULL, SHM_RDONLY);
	CHECK(p != (void *)-1);
	CHECK_EQ(p[SEG_SIZE - 1], 7);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	CHECK_EQ(shmdt(p), 0);
	CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
}

GTEST(shmget_key_finds_segment_and_checks_flags)
{
	key_t key = test_key(1);
	int id = shmget(key, SEG_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(id >= 0, "shmget: %s", strerror(errno));
	CHECK_EQ(shmget(key, SEG_SIZE, 0), id);
	CHECK_EQ(shmget(key, 100, IPC_CREAT), id);
	int again = shmget(key, SEG_SIZE, IPC_CREAT | IPC_EXCL | 0600), e1 = errno;
	int bigger = shmget(key, SEG_SIZE + 1, 0), e2 = errno;
	CHECK_EQ(stat_of(id).shm_perm.KEY_FIELD, key);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	CHECK(again == -1 && e1 == EEXIST, "IPC_EXCL again: %d %s", again, strerror(e1));
	CHECK(bigger == -1 && e2 == EINVAL, "larger size: %d %s", bigger, strerror(e2));
	CHECK_ERR(shmget(key, SEG_SIZE, 0), ENOENT);
	CHECK_ERR(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR(shmat(-1, NULL, 0), EINVAL);
	CHECK_ERR(shmat(0x7fff0000, NULL, 0), EINVAL);
}

GTEST(shm_shared_with_forked_child_both_ways)
{
	void *at;
	int id = private_seg(SEG_SIZE, 0600, &at);
	volatile int *p = at;
	p[0] = 1;
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(p[0], 1);
		CHECK_EQ(stat_of(id).shm_nattch, 2);   /* fork attached it in the child too */
		p[1] = 2;
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(p[1], 2);
	struct shmid_ds ds = stat_of(id);
	CHECK_EQ(ds.shm_nattch, 1);
	CHECK_EQ(ds.shm_lpid, pid);   /* the child's exit detached it last */
}

GTEST(shm_rmid_while_attached_lives_until_last_detach)
{
	key_t key = test_key(2);
	int id = shmget(key, SEG_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(id >= 0, "shmget: %s", strerror(errno));
	char *p = shmat(id, NULL, 0), *q = shmat(id, NULL, 0);
	CHECK(p != (void *)-1 && q != (void *)-1);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	struct shmid_ds ds = stat_of(id);
	CHECK(ds.shm_perm.mode & SHM_DEST, "mode %o", ds.shm_perm.mode);
	CHECK_EQ(ds.shm_perm.KEY_FIELD, IPC_PRIVATE);
	CHECK_EQ(ds.shm_nattch, 2);
	CHECK_ERR(shmget(key, SEG_SIZE, 0), ENOENT);
	strcpy(p, "still here");
	CHECK(strcmp(q, "still here") == 0);
	CHECK_EQ(shmdt(p), 0);
	CHECK_EQ(stat_of(id).shm_nattch, 1);
	CHECK_EQ(shmdt(q), 0);
	CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
	CHECK_ERR(shmdt(q), EINVAL);
}

GTEST(shmat_rdonly_cannot_write_or_gain_write)
{
	void *rw;
	int id = private_seg(SEG_SIZE, 0600, &rw);
	char *ro = shmat(id, NULL, SHM_RDONLY);
	CHECK(ro != (void *)-1, "shmat: %s", strerror(errno));
	strcpy(rw, "shared");
	CHECK(strcmp(ro, "shared") == 0);
	CHECK_ERR(mprotect(ro, 4096, PROT_READ | PROT_WRITE), EACCES);
	char line[256];
	CHECK(maps_line_of(ro, line, sizeof(line)));
	CHECK(strstr(line, " r--s ") != NULL, "maps: %s", line);
	pid_t pid = xfork();
	if (pid == 0) {
		ro[0] = 'x';
		_exit(0);
	}
	CHECK_SIGNALED(wait_status(pid), SIGSEGV);
	CHECK_EQ(((char *)rw)[0], 's');
}

GTEST(shmat_address_rounding_and_remap)
{
	void *at;
	int id = private_seg(3 * 4096, 0600, &at);
	char *area = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(area != MAP_FAILED);
	CHECK_ERR(shmat(id, area + 100, 0), EINVAL);              /* unaligned, no SHM_RND */
	CHECK_ERR(shmat(id, area, 0), EINVAL);                    /* taken, no SHM_REMAP */
	CHECK_ERR(shmat(id, NULL, SHM_REMAP), EINVAL);            /* SHM_REMAP needs an address */
	area[4096] = 'a';
	char *p = shmat(id, area + 4096 + 100, SHM_RND | SHM_REMAP);
	CHECK(p == area + 4096, "SHM_RND gave %p, expected %p", (void *)p, (void *)(area + 4096));
	CHECK_EQ(p[0], 0);                                        /* the segment replaced the page */
	p[0] = 'b';
	CHECK_EQ(((char *)at)[0], 'b');
	CHECK_EQ(shmdt(p), 0);
	CHECK_EQ(munmap(area, 8 * 4096), 0);
	CHECK_EQ(stat_of(id).shm_nattch, 1);
	(void)id;
}

GTEST(shmdt_finds_fragments_left_by_mprotect)
{
	void *at;
	int id = private_seg(4 * 4096, 0600, &at);
	char *p = at;
	CHECK_EQ(mprotect(p + 4096, 4096, PROT_READ), 0);         /* three regions now */
	CHECK(stat_of(id).shm_nattch >= 2);                        /* a split counts as an attach */
	CHECK_ERR(shmdt(p + 1), EINVAL);
	CHECK_EQ(shmdt(p), 0);
	char line[256];
	for (int i = 0; i < 4; i++)   /* (fopen's buffer may land there: not the segment) */
		CHECK(!maps_line_of(p + i * 4096, line, sizeof(line)) || !strstr(line, "SYSV"),
		      "still mapped: %s", line);
	CHECK_ERR(shmctl(id, IPC_STAT, &(struct shmid_ds){ 0 }), EINVAL);   /* gone with the last */
}

GTEST(shmdt_detaches_every_fragment_however_many)
{
	enum { PAGES = 64 };
	void *at;
	int id = private_seg(PAGES * 4096, 0600, &at);
	char *p = at;
	for (int i = 1; i < PAGES; i += 2)   /* PAGES regions that cannot merge */
		CHECK_EQ(mprotect(p + i * 4096, 4096, PROT_READ), 0);
	CHECK_EQ(shmdt(p), 0);
	CHECK_ERR(shmctl(id, IPC_STAT, &(struct shmid_ds){ 0 }), EINVAL);   /* every one detached */
	CHECK_ERR(shmdt(p), EINVAL);
}

GTEST(shm_detached_by_exec_and_exit)
{
	void *at;
	int id = private_seg(SEG_SIZE, 0600, &at);
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		close(fds[0]);
		CHECK_EQ(stat_of(id).shm_nattch, 2);
		CHECK_EQ(write(fds[1], "x", 1), 1);
		execl("/bin/sleep", "sleep", "100", (char *)NULL);
		_exit(99);
	}
	close(fds[1]);
	char c;
	CHECK_EQ(read(fds[0], &c, 1), 1);
	for (int i = 0; i < 3000 && stat_of(id).shm_nattch != 1; i++)
		sleep_ms(10);   /* until the child's exec has replaced its memory */
	CHECK_EQ(stat_of(id).shm_nattch, 1);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_SIGNALED(wait_status(pid), SIGKILL);
	CHECK_EQ(stat_of(id).shm_nattch, 1);
}

GTEST(shm_maps_and_smaps_name_the_segment)
{
	key_t key = test_key(3);
	int id = shmget(key, 3 * 4096, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(id >= 0, "shmget: %s", strerror(errno));
	char *p = shmat(id, NULL, 0);
	CHECK(p != (void *)-1);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	p[0] = p[4096] = 1;
	char line[256], want[64];
	CHECK(maps_line_of(p, line, sizeof(line)));
	snprintf(want, sizeof(want), "/SYSV%08x (deleted)\n", (unsigned)key);
	CHECK(strstr(line, want) != NULL, "maps: %s", line);
	CHECK(strstr(line, " rw-s 00000000 ") != NULL, "maps: %s", line);
	/* smaps: the region's Rss is the two touched pages. */
	FILE *f = fopen("/proc/self/smaps", "r");
	CHECK(f != NULL);
	bool in = false;
	long rss = -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = (unsigned long)p == lo;
		else if (in && sscanf(line, "Rss: %ld kB", &rss) == 1)
			break;
	}
	fclose(f);
	CHECK_EQ(rss, 8);
}

GTEST(shmctl_set_stat_by_index_and_info)
{
	void *at;
	int id = private_seg(SEG_SIZE, 0600, &at);
	struct shmid_ds ds = stat_of(id);
	ds.shm_perm.mode = 0604;
	CHECK_EQ(shmctl(id, IPC_SET, &ds), 0);
	CHECK_EQ(stat_of(id).shm_perm.mode & 0777, 0604);
	/* SHM_STAT takes the slot (the identifier's low bits) and returns the id. */
	CHECK_EQ(shmctl(id & 0x7fff, SHM_STAT, &ds), id);
	CHECK_EQ(ds.shm_segsz, SEG_SIZE);
	struct shminfo info;
	int maxidx = shmctl(0, IPC_INFO, (struct shmid_ds *)&info);
	CHECK(maxidx >= (id & 0x7fff), "IPC_INFO returned %d", maxidx);
	CHECK(info.shmmni >= 1 && info.shmmax >= SEG_SIZE && info.shmmin == 1, "shmmni %lu shmmax %lu",
	      info.shmmni, info.shmmax);
	struct shm_info si;
	CHECK(shmctl(0, SHM_INFO, (struct shmid_ds *)&si) >= 0);
	CHECK(si.used_ids >= 1 && si.shm_tot >= 3, "used %d tot %lu", si.used_ids, si.shm_tot);
	CHECK_EQ(shmctl(id, SHM_LOCK, NULL), 0);
	CHECK(stat_of(id).shm_perm.mode & SHM_LOCKED);
	CHECK_EQ(shmctl(id, SHM_UNLOCK, NULL), 0);
	CHECK(!(stat_of(id).shm_perm.mode & SHM_LOCKED));
	CHECK_ERR(shmctl(id, 1234, &ds), EINVAL);
	CHECK_ERR(shmctl(id, IPC_STAT, (void *)16), EFAULT);
}

GTEST(shm_permissions_for_another_user)
{
	if (geteuid() != 0)
		SKIP("needs root to change uid");
	void *at;
	int id = private_seg(SEG_SIZE, 0640, &at);
	pid_t pid = xfork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			SKIP("setuid: %s", strerror(errno));
		CHECK_ERR(shmat(id, NULL, SHM_RDONLY), EACCES);
		CHECK_ERR(shmctl(id, IPC_STAT, &(struct shmid_ds){ 0 }), EACCES);
		CHECK_ERR(shmctl(id, IPC_RMID, NULL), EPERM);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

/* SHM_LOCK charges the locking user: the pages of all the segments a
 * user has locked must fit its RLIMIT_MEMLOCK (ENOMEM), locking twice
 * charges once, SHM_UNLOCK gives the pages back, a limit of 0 is EPERM. */
GTEST(shm_lock_charges_the_user_against_rlimit_memlock)
{
	if (geteuid() != 0)
		SKIP("needs root to change uid");
	pid_t pid = xfork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			SKIP("setuid: %s", strerror(errno));
		struct rlimit rl = { 6 * 4096, 6 * 4096 };
		CHECK_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
		int a = shmget(IPC_PRIVATE, 4 * 4096, IPC_CREAT | 0600);
		int b = shmget(IPC_PRIVATE, 3 * 4096 + 1, IPC_CREAT | 0600);   /* 4 pages */
		CHECK(a >= 0 && b >= 0, "shmget: %s", strerror(errno));
		CHECK_EQ(shmctl(a, SHM_LOCK, NULL), 0);
		CHECK_EQ(shmctl(a, SHM_LOCK, NULL), 0);      /* already locked: no charge */
		CHECK_ERR(shmctl(b, SHM_LOCK, NULL), ENOMEM);  /* 8 pages > 6 */
		CHECK(!(stat_of(b).shm_perm.mode & SHM_LOCKED));
		CHECK_EQ(shmctl(a, SHM_UNLOCK, NULL), 0);
		CHECK_EQ(shmctl(b, SHM_LOCK, NULL), 0);
		CHECK_ERR(shmctl(a, SHM_LOCK, NULL), ENOMEM);
		CHECK_EQ(shmctl(b, IPC_RMID, NULL), 0);        /* its charge goes with it */
		CHECK_EQ(shmctl(a, SHM_LOCK, NULL), 0);
		rl.rlim_cur = 0;
		CHECK_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
		CHECK_ERR(shmctl(a, SHM_LOCK, NULL), EPERM);
		CHECK_EQ(shmctl(a, IPC_RMID, NULL), 0);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(proc_sysvipc_shm_lists_the_segment)
{
	void *at;
	int id = private_seg(SEG_SIZE, 0600, &at);
	memset(at, 1, 4096);
	FILE *f = fopen("/proc/sysvipc/shm", "r");
	CHECK(f != NULL, "open: %s", strerror(errno));
	char line[512];
	CHECK(fgets(line, sizeof(line), f) != NULL);
	CHECK(strncmp(line, "       key      shmid perms", 27) == 0, "header: %s", line);
	bool found = false;
	while (fgets(line, sizeof(line), f)) {
		int key, sid, nattch, cpid;
		unsigned perms;
		unsigned long size, rss;
		if (sscanf(line, "%d %d %o %lu %d %*d %d %*d %*d %*d %*d %*d %*d %*d %lu", &key, &sid,
			   &perms, &size, &cpid, &nattch, &rss) == 7 && sid == id) {
			found = true;
			CHECK_EQ(size, SEG_SIZE);
			CHECK_EQ(cpid, getpid());
			CHECK_EQ(nattch, 1);
			CHECK_EQ(rss, 4096);
			CHECK_EQ(perms & 01777, 01600);   /* SHM_DEST: removed, still attached */
		}
	}
	fclose(f);
	CHECK(found, "segment %d not listed", id);
}

GTEST(shm_counters_count_segments_and_pages)
{
	ASPEN_ONLY();
	struct aspen_counters before = counters_self();
	void *at;
	int id = private_seg(4 * 4096, 0600, &at);
	memset(at, 1, 3 * 4096);
	struct aspen_counters after = counters_self();
	CHECK_EQ(after.sys_shm_segments, before.sys_shm_segments + 1);
	CHECK_EQ(after.sys_shm_pages, before.sys_shm_pages + 3);
	CHECK_EQ(after.shmem_pages, before.shmem_pages + 3);
	CHECK_EQ(shmdt(at), 0);
	after = counters_self();
	CHECK_EQ(after.sys_shm_segments, before.sys_shm_segments);
	CHECK_EQ(after.sys_shm_pages, before.sys_shm_pages);
	(void)id;
}
