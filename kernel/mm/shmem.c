/*
 * shmem.c - the object behind MAP_SHARED|MAP_ANONYMOUS memory: an
 * unnamed file in a private in-memory file system, as Linux backs such
 * mappings with shmem. Every process that inherits the mapping through
 * fork maps the same frames, the file's pages.
 */
#include "mm/vm.h"
#include "mm/commit.h"
#include "fs/vfs.h"
#include "fs/ramfs.h"
#include "sync/mutex.h"
#include "lib/string.h"
#include <linux/stat.h>

static struct mutex shmem_lock;      /* guards shmem_root and the name counter */
static struct inode *shmem_root;
static uint64_t shmem_next;

/* shmem_init - the hidden file system for shared anonymous memory; made
 * at boot so that its first use allocates nothing that stays. */
void shmem_init(void)
{
	mutex_init(&shmem_lock, "shmem");
	shmem_root = ramfs_create();
	if (!shmem_root)
		panic("shmem_init: out of memory");
}

/* ramfs_create_anon - a new unlinked file of size bytes (zero-filled on
 * use), referenced once, charged to Committed_AS if account (returned
 * when the inode goes: inode->committed); NULL when out of memory or
 * the overcommit policy refuses. May sleep. */
struct inode *ramfs_create_anon(uint64_t size, bool account)
{
	uint64_t charge = account ? PAGE_ROUND_UP(size) >> PAGE_SHIFT : 0;
	if (vm_commit_charge(charge))
		return NULL;
	mutex_lock(&shmem_lock);
	struct inode *ip = NULL;
	char name[24];
	int n = snprintf(name, sizeof(name), "anon%lu", (unsigned long)shmem_next++);
	if (shmem_root->iops->create(shmem_root, name, (size_t)n, S_IFREG | 0600, 0, 0, &ip) == 0) {
		shmem_root->iops->unlink(shmem_root, name, (size_t)n);
		struct iattr attr = { .ia_valid = ATTR_SIZE, .size = size };
		if (ip->iops->setattr(ip, &attr)) {
			inode_put(ip);
			ip = NULL;
		}
	}
	mutex_unlock(&shmem_lock);
	if (ip)
		ip->committed = charge;
	else
		vm_commit_uncharge(charge);
	return ip;
}

/* shmem_owns - see vm.h: the objects live in shmem_root's file system. */
bool shmem_owns(const struct inode *ip)
{
	return ip && shmem_root && ip->dev == shmem_root->dev;
}

bool shmem_evictable(const struct inode *ip)
{
	return shmem_owns(ip) && !__atomic_load_n(&ip->unevictable, __ATOMIC_RELAXED);
}

void shmem_set_unevictable(struct inode *ip, bool on)
{
	__atomic_store_n(&ip->unevictable, on, __ATOMIC_RELAXED);
}
