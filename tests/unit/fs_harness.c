/*
 * fs_harness.c - the stubs and fixture of the file-system unit tests
 * (see fs_harness.h). Listed in their UNIT-SRCS.
 */
#include <stdlib.h>
#include <string.h>
#include "fs_harness.h"
#include "fake_ram.h"
#include "fs/context.h"
#include <sys/resource.h>
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "lib/errno.h"
#include "mm/commit.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"

#define FAKE_RAM (32UL << 20)

uint32_t test_uid, test_gid;
static struct fdtable *cur_files;
static struct fs_context *cur_fs;

/* No shared anonymous memory here: nothing is ever charged (mm/commit.h). */
void vm_commit_uncharge(uint64_t pages) {}
int copy_from_user(void *dst, const void *usrc, size_t n) { memcpy(dst, usrc, n); return 0; }
int copy_to_user(void *udst, const void *src, size_t n) { memcpy(udst, src, n); return 0; }
int clear_user(void *udst, size_t n) { memset(udst, 0, n); return 0; }

long strncpy_from_user(char *dst, const char *usrc, size_t max)
{
	size_t len = strnlen(usrc, max);
	if (len == max)
		return -ENAMETOOLONG;
	memcpy(dst, usrc, len + 1);
	return (long)len;
}

int copy_struct_from_user(void *dst, size_t ksize, const void *usrc, size_t usize)
{
	memset(dst, 0, ksize);
	memcpy(dst, usrc, usize < ksize ? usize : ksize);
	for (size_t off = ksize; off < usize; off++)
		if (((const char *)usrc)[off])
			return -E2BIG;
	return 0;
}

/* No memfds here (fs/memfd.c needs the shared-memory file system). */
long memfd_fcntl(struct file *f, unsigned cmd, unsigned arg) { return -EINVAL; }

struct fdtable *current_files(void) { return cur_files; }
struct fs_context *current_fs(void) { return cur_fs; }
void current_fsids(uint32_t *uid, uint32_t *gid) { *uid = test_uid; *gid = test_gid; }
bool current_in_group(uint32_t gid) { return gid == test_gid; }
bool capable(int cap) { return test_uid == 0; }
uint64_t current_rlimit(int resource) { return resource == RLIMIT_NOFILE ? TEST_NOFILE : ~0ULL; }
bool current_exceeds_fsize(uint64_t end) { return false; }
int current_access_begin(void) { return 0; }
void current_access_end(void) {}

/* No disks on the host (fs/mount.c asks for them by number). */
struct blkdev;
struct blkdev *blkdev_get(uint32_t dev) { return NULL; }
void blkdev_put(struct blkdev *d) {}

/* No page of these tests' files ever goes to swap (mm/shmem_swap.c). */
paddr_t shmem_slot_swap_in(uint64_t *slot) { return 0; }
void shmem_slot_free(uint64_t slot) {}

/* No address spaces map these tests' files (mm/rmap.c). */
void file_unmap_pages(struct inode *inode, uint64_t first, uint64_t end, bool even_cows) {}

/* No pipes on the host: fcntl's F_GETPIPE_SZ meets no pipe (fs/pipe.h). */
long pipe_fcntl(struct file *f, unsigned cmd, unsigned long arg) { return -EBADF; }
/* No file locks on the host (fs/locks.h). */
long locks_fcntl(struct file *f, struct fdtable *t, unsigned cmd, void *ufl) { return -ENOLCK; }

static void ram_init_once(void)
{
	fake_ram_init(FAKE_RAM, 0);
}

void fs_fixture_begin(struct fs_fixture *fx)
{
	ram_init_once();
	test_uid = test_gid = 0;
	fx->frames_before = frames_in_use();
	fx->root = ramfs_create();
	vfs_set_root(fx->root);
	cur_fs = fs_context_alloc(fx->root, fx->root);
	cur_files = fdtable_alloc();
}

bool fs_fixture_end(struct fs_fixture *fx)
{
	fdtable_put(cur_files);
	fs_context_put(cur_fs);
	cur_files = NULL;
	cur_fs = NULL;
	vfs_set_root(NULL);
	inode_put(fx->root);
	return frames_in_use() == fx->frames_before;
}
