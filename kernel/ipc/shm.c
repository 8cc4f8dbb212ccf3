/*
 * shm.c - System V shared memory: shmget, shmat, shmdt, shmctl.
 *
 * A segment is an object of the shared anonymous memory file system
 * (mm/shmem.c), as Linux backs segments with shmem: its pages are
 * found, shared and sent to swap exactly as MAP_SHARED|MAP_ANONYMOUS
 * pages are. shmat maps the object MAP_SHARED; fork copies the region,
 * exec and exit tear it down with the address space, so a segment is
 * inherited by fork and detached by exec and exit for free.
 *
 * The attach count (shm_nattch) is the number of regions mapping the
 * object, kept by the object's inode_map_hook (fs/vfs.h): a new
 * mapping, fork's copy or a split counts one more, an unmap one less,
 * as Linux's shm_open and shm_close. IPC_RMID of an attached segment
 * only marks it SHM_DEST (its key becomes IPC_PRIVATE); the last
 * detach then destroys it.
 *
 * Locks: shm_ids.lock (ipc.h) guards the table and every segment's
 * fields. It is taken with mm->lock held (the hook runs inside unmap
 * and fork), so shmat and shmdt never hold it while mapping.
 */
#include "ipc/ipc.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "mm/vm.h"
#include "mm/commit.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "proc/rlimit.h"
#include "sys/sysctl.h"
#include "fs/vfs.h"
#include "fs/procfs/procfs.h"
#include "lib/errno.h"
#include "lib/string.h"

/* <linux/shm.h> wants libc headers: its values, Linux's. */
#define SHMMIN 1
#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_EXEC 0100000
#define SHM_HUGETLB 04000
#define SHM_NORESERVE 010000
#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_STAT 13
#define SHM_INFO 14
#define SHM_STAT_ANY 15
#define SHM_DEST 01000
#define SHM_LOCKED 02000
#define SHMLBA PAGE_SIZE

/* Limits, as /proc/sys/kernel shows them (Linux's defaults). */
unsigned long shm_ctlmax = ~0UL - (1UL << 24);   /* kernel.shmmax: bytes per segment */
unsigned long shm_ctlall = ~0UL - (1UL << 24);   /* kernel.shmall: pages of all segments */
int shm_ctlmni = 4096;                            /* kernel.shmmni: segments */
SYSCTL_ULONG("kernel/shmmax", 0644, &shm_ctlmax);
SYSCTL_ULONG("kernel/shmall", 0644, &shm_ctlall);
SYSCTL_INT("kernel/shmmni", 0644, &shm_ctlmni, 0, IPCMNI);

/* A segment. (L) shm_ids.lock. */
struct shm_seg {
	struct kern_ipc_perm perm;
	struct inode *inode;          /* (L) the shmem object; the segment's reference */
	uint64_t size;                /* (c) shm_segsz, bytes */
	int32_t name_key;             /* (c) the key it was made with: its name in maps */
	int64_t atime, dtime, ctime;  /* (L) */
	int cpid, lpid;               /* (L) creator, last attach or detach */
	unsigned long nattch;         /* (L) regions mapping it */
	int64_t lock_uid;             /* (L) SHM_LOCK: the real uid its pages are charged
	                                 to (RLIMIT_MEMLOCK), -1 when not locked */
	struct inode_map_hook hook;
};

static struct ipc_ids shm_ids;
static uint64_t shm_tot;          /* (L) pages of all segments */

void shm_init(void)
{
	ipc_ids_init(&shm_ids, "shm_ids");
}

static struct shm_seg *seg_of(struct kern_ipc_perm *p)
{
	return p ? container_of(p, struct shm_seg, perm) : NULL;
}

static uint64_t seg_pages(const struct shm_seg *s)
{
	return PAGE_ROUND_UP(s->size) >> PAGE_SHIFT;
}

/* Drop a reference; the last frees the segment and its object. */
static void seg_put(struct shm_seg *s)
{
	if (ipc_put(&s->perm)) {
		inode_put(s->inode);
		kfree(s);
	}
}

/* Out of the table for good: IPC_RMID with nothing attached, or the
 * last detach after it. The object lives on in regions being torn down
 * (they hold their own references). (L) held. */
static void seg_destroy_locked(struct shm_seg *s)
{
	s->inode->map_hook = NULL;
	shm_tot -= seg_pages(s);
	ipc_remove_locked(&shm_ids, &s->perm);
	seg_put(s);
}

/* The inode_map_hook: count attaches and detaches (Linux's shm_open
 * and shm_close). Called with a region's mm->lock held. */
static void seg_mapped(struct inode_map_hook *h, struct inode *inode, int delta)
{
	struct shm_seg *s = container_of(h, struct shm_seg, hook);
	mutex_lock(&shm_ids.lock);
	s->lpid = ipc_current_pid();
	if (delta > 0) {
		s->nattch++;
		s->atime = ipc_now();
	} else {
		s->nattch--;
		s->dtime = ipc_now();
		if (s->nattch == 0 && (s->perm.mode & SHM_DEST))
			seg_destroy_locked(s);
	}
	mutex_unlock(&shm_ids.lock);
}

/* ---- shmget ---- */

/* A new segment of size bytes for key. Returns its id or -errno. (L) held. */
static long seg_create_locked(int32_t key, int flags, long arg)
{
	uint64_t size = (uint64_t)arg;
	if (flags & SHM_HUGETLB)
		return -EINVAL;
	if (size < SHMMIN || size > IPC_LIMIT(shm_ctlmax))
		return -EINVAL;
	uint64_t pages = PAGE_ROUND_UP(size) >> PAGE_SHIFT;
	if (PAGE_ROUND_UP(size) < size || shm_tot + pages < shm_tot ||
	    shm_tot + pages > IPC_LIMIT(shm_ctlall))
		return -ENOSPC;
	struct shm_seg *s = kzalloc(sizeof(*s));
	bool account = !((flags & SHM_NORESERVE) && vm_commit_noreserve());
	struct inode *ip = s ? ramfs_create_anon(size, account) : NULL;
	if (!ip) {
		kfree(s);
		return -ENOMEM;
	}
	s->perm.key = s->name_key = key;
	s->perm.mode = (uint32_t)flags & 0777;
	s->inode = ip;
	s->size = size;
	s->ctime = ipc_now();
	s->cpid = ipc_current_pid();
	s->lock_uid = -1;
	s->hook.mapped = seg_mapped;
	int err = ipc_add_locked(&shm_ids, &s->perm, IPC_LIMIT(shm_ctlmni));
	if (err) {
		inode_put(ip);
		kfree(s);
		return err;
	}
	ip->map_hook = &s->hook;
	ip->ino = (uint64_t)s->perm.id;   /* maps shows the id, as Linux */
	shm_tot += pages;
	return s->perm.id;
}

/* An existing segment serves a shmget of at most its size. */
static int seg_check_locked(struct kern_ipc_perm *p, long size)
{
	return (uint64_t)size > seg_of(p)->size ? -EINVAL : 0;
}

static const struct ipc_ops shm_ops;

long sys_shmget(int32_t key, uint64_t size, int flags)
{
	return ipc_get_id(&shm_ops, key, flags, (long)size);
}

/* ---- shmat and shmdt ---- */

/* The address and mmap flags shmat asks for; -EINVAL for a bad one. */
static long attach_place(uint64_t addr, int flags, int *mflags)
{
	*mflags = MAP_SHARED;
	if (!addr)
		return (flags & SHM_REMAP) ? -EINVAL : 0;
	if (addr & (SHMLBA - 1)) {
		if (!(flags & SHM_RND))
			return -EINVAL;
		addr &= ~(uint64_t)(SHMLBA - 1);
		if (!addr)
			return -EINVAL;
	}
	*mflags |= (flags & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	return (long)addr;
}

/* Find segment id for attaching with access want and count a pending
 * attach so that it cannot be destroyed under us; its object in *ip.
 * 0 or -EINVAL, -EIDRM, -EACCES. */
static int attach_begin(int id, int want, struct shm_seg **sp)
{
	mutex_lock(&shm_ids.lock);
	struct shm_seg *s = seg_of(ipc_find_id_locked(&shm_ids, id));
	int err = s ? ipc_permission(&s->perm, want) : -EINVAL;
	if (!err) {
		s->nattch++;
		ipc_get(&s->perm);
		*sp = s;
	}
	mutex_unlock(&shm_ids.lock);
	return err;
}

static void attach_end(struct shm_seg *s)
{
	mutex_lock(&shm_ids.lock);
	if (--s->nattch == 0 && (s->perm.mode & SHM_DEST))
		seg_destroy_locked(s);
	mutex_unlock(&shm_ids.lock);
	seg_put(s);
}

long sys_shmat(int id, uint64_t uaddr, int flags)
{
	int mflags, prot = PROT_READ, want = IPC_MAY_READ;
	long addr = attach_place(uaddr, flags, &mflags);
	if (addr < 0 || id < 0)
		return -EINVAL;
	if (!(flags & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		want |= IPC_MAY_WRITE;
	}
	if (flags & SHM_EXEC) {
		prot |= PROT_EXEC;
		want |= 0111;
	}
	struct shm_seg *s;
	int err = attach_begin(id, want, &s);
	if (err)
		return err;
	struct mm *mm = current->mm;
	long at = vm_mmap(mm, (vaddr_t)addr, s->size, prot, mflags, s->inode, 0);
	if (at == -EEXIST)
		at = -EINVAL;   /* an overlap without SHM_REMAP */
	if (at >= 0 && (flags & SHM_RDONLY))
		vm_change_flags(mm, (vaddr_t)at, (vaddr_t)at + PAGE_ROUND_UP(s->size), 0, REGION_MAYWRITE);
	attach_end(s);
	return at;
}

/* Is r a piece of a System V segment attached at addr (a fragment made
 * by mprotect or munmap keeps its offset from the attach address)? */
static bool attached_at(const struct region *r, vaddr_t addr, struct inode *want)
{
	if (!r->file || !r->file->map_hook || r->file->map_hook->mapped != seg_mapped)
		return false;
	if (want && r->file != want)
		return false;
	return r->start >= addr && r->start - addr == r->file_off;
}

#define SHMDT_BATCH 16

/* The ranges to unmap for shmdt(addr): the first segment fragment at or
 * above addr, and further fragments of the same segment within its
 * size from addr, as Linux's shmdt. Returns how many (0: none), at most
 * SHMDT_BATCH: the caller asks again after unmapping a full batch. */
static int detach_ranges(struct mm *mm, vaddr_t addr, vaddr_t ranges[][2])
{
	int n = 0;
	mutex_lock(&mm->lock);
	struct region *r = region_find_next(&mm->regions, addr);
	while (r && !attached_at(r, addr, NULL))
		r = region_next(r);
	if (r) {
		struct inode *seg = r->file;
		uint64_t size = PAGE_ROUND_UP(seg->size);
		for (; r && r->end - addr <= size && n < SHMDT_BATCH; r = region_next(r)) {
			if (attached_at(r, addr, seg)) {
				ranges[n][0] = r->start;
				ranges[n++][1] = r->end;
			}
		}
	}
	mutex_unlock(&mm->lock);
	return n;
}

long sys_shmdt(uint64_t addr)
{
	if (!IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	vaddr_t ranges[SHMDT_BATCH][2];
	int n, total = 0;
	do {
		n = detach_ranges(current->mm, addr, ranges);
		for (int i = 0; i < n; i++)
			vm_munmap(current->mm, ranges[i][0], ranges[i][1] - ranges[i][0]);
		total += n;
	} while (n == SHMDT_BATCH);
	return total ? 0 : -EINVAL;
}

/* ---- shmctl ---- */

static void seg_stat_locked(struct kern_ipc_perm *p, union ipc_ctl_buf *buf)
{
	const struct shm_seg *s = seg_of(p);
	struct shmid64_ds *ds = &buf->shm;
	ipc64_perm_fill(&s->perm, &ds->shm_perm);
	ds->shm_segsz = s->size;
	ds->shm_atime = s->atime;
	ds->shm_dtime = s->dtime;
	ds->shm_ctime = s->ctime;
	ds->shm_cpid = s->cpid;
	ds->shm_lpid = s->lpid;
	ds->shm_nattch = s->nattch;
}

/* Resident pages of a segment's object (blocks() counts 512-byte units). */
static uint64_t seg_rss(const struct shm_seg *s)
{
	uint64_t sectors = s->inode->iops->blocks ? s->inode->iops->blocks(s->inode) : 0;
	return sectors / (PAGE_SIZE / 512);
}

/* Resident pages of every segment. (L) held. */
static uint64_t shm_rss_locked(void)
{
	uint64_t pages = 0;
	for (int i = 0; i <= shm_ids.max_slot; i++)
		if (shm_ids.slots[i])
			pages += seg_rss(seg_of(shm_ids.slots[i]));
	return pages;
}

void shm_counts(uint64_t *segments, uint64_t *pages)
{
	mutex_lock(&shm_ids.lock);
	*segments = (uint64_t)shm_ids.in_use;
	*pages = shm_rss_locked();
	mutex_unlock(&shm_ids.lock);
}

/* IPC_INFO: the limits (struct shminfo64); SHM_INFO: the use (struct shm_info). */
static size_t shm_info_locked(int cmd, union ipc_ctl_buf *info)
{
	if (cmd == IPC_INFO) {
		info->shminfo = (struct shminfo64){
			.shmmax = IPC_LIMIT(shm_ctlmax), .shmmin = SHMMIN,
			.shmmni = (unsigned long)IPC_LIMIT(shm_ctlmni),
			.shmseg = (unsigned long)IPC_LIMIT(shm_ctlmni), .shmall = IPC_LIMIT(shm_ctlall),
		};
		return sizeof(info->shminfo);
	}
	info->shm_info.used_ids = shm_ids.in_use;
	info->shm_info.shm_tot = shm_tot;
	info->shm_info.shm_rss = shm_rss_locked();
	return sizeof(info->shm_info);
}

static long seg_set_locked(struct kern_ipc_perm *p, const union ipc_ctl_buf *ds)
{
	ipc_set_perm_locked(p, &ds->shm.shm_perm);
	seg_of(p)->ctime = ipc_now();
	return 0;
}

/* IPC_RMID: destroyed now if nothing is attached, else at the last detach. */
static void seg_remove_locked(struct kern_ipc_perm *p)
{
	if (seg_of(p)->nattch) {
		p->mode |= SHM_DEST;
		p->key = IPC_PRIVATE;   /* no new shmget finds it */
	} else {
		seg_destroy_locked(seg_of(p));
	}
}

/* Pages of the segments locked by real user uid. (L) held. */
static uint64_t locked_pages_of_locked(int64_t uid)
{
	uint64_t pages = 0;
	for (int i = 0; i <= shm_ids.max_slot; i++) {
		struct shm_seg *s = shm_ids.slots[i] ? seg_of(shm_ids.slots[i]) : NULL;
		if (s && s->lock_uid == uid)
			pages += PAGE_ROUND_UP(s->size) >> PAGE_SHIFT;
	}
	return pages;
}

/* SHM_LOCK and SHM_UNLOCK: root, or the owner while RLIMIT_MEMLOCK
 * allows locking at all. As Linux's user_shm_lock, the pages of the
 * segments a real user locked count against the RLIMIT_MEMLOCK of
 * whoever locks one more (ENOMEM beyond it, without CAP_IPC_LOCK);
 * locking a locked segment again charges nothing. (L) held. */
static int shm_lock_cmd_locked(struct shm_seg *s, int cmd)
{
	if (!capable(CAP_IPC_LOCK)) {
		if (ipc_may_change(&s->perm))
			return -EPERM;
		if (cmd == SHM_LOCK && rlimit_mlock_permitted())
			return -EPERM;
	}
	if (cmd == SHM_LOCK && s->lock_uid < 0) {
		int64_t uid = current_cred()->uid;
		uint64_t pages = locked_pages_of_locked(uid) + (PAGE_ROUND_UP(s->size) >> PAGE_SHIFT);
		int err = rlimit_mlock_fits(pages << PAGE_SHIFT);
		if (err)
			return err;
		s->lock_uid = uid;
	} else if (cmd == SHM_UNLOCK) {
		s->lock_uid = -1;
	}
	if (cmd == SHM_LOCK)
		s->perm.mode |= SHM_LOCKED;
	else
		s->perm.mode &= ~(uint32_t)SHM_LOCKED;
	shmem_set_unevictable(s->inode, cmd == SHM_LOCK);
	return 0;
}

static long shm_lock_cmd(int id, int cmd)
{
	mutex_lock(&shm_ids.lock);
	struct shm_seg *s = seg_of(ipc_find_id_locked(&shm_ids, id));
	long ret = s ? shm_lock_cmd_locked(s, cmd) : -EINVAL;
	mutex_unlock(&shm_ids.lock);
	return ret;
}

long sys_shmctl(int id, int cmd, void *ubuf)
{
	cmd &= ~IPC_64;
	if (id < 0 || cmd < 0)
		return -EINVAL;
	if (cmd == SHM_LOCK || cmd == SHM_UNLOCK)
		return shm_lock_cmd(id, cmd);
	return ipc_ctl(&shm_ops, id, cmd, ubuf);
}

/* ---- what /proc shows ---- */

bool shm_region_name(struct inode *inode, char *buf, size_t size)
{
	bool found = false;
	mutex_lock(&shm_ids.lock);
	for (int i = 0; i <= shm_ids.max_slot && !found; i++) {
		struct shm_seg *s = seg_of(shm_ids.slots[i]);
		if (s && s->inode == inode) {
			snprintf(buf, size, "/SYSV%08x (deleted)", (uint32_t)s->name_key);
			found = true;
		}
	}
	mutex_unlock(&shm_ids.lock);
	return found;
}

static void seg_show_locked(struct kern_ipc_perm *p, struct pbuf *b)
{
	const struct shm_seg *s = seg_of(p);
	pbuf_printf(b, "%10d %10d  %4o %21lu %5d %5d  %5lu %5u %5u %5u %5u %10ld %10ld %10ld %21lu %21lu\n",
		    s->perm.key, s->perm.id, s->perm.mode, (unsigned long)s->size, s->cpid, s->lpid,
		    s->nattch, s->perm.uid, s->perm.gid, s->perm.cuid, s->perm.cgid,
		    (long)s->atime, (long)s->dtime, (long)s->ctime,
		    (unsigned long)(seg_rss(s) * PAGE_SIZE), 0UL);
}

int proc_show_sysvipc_shm(const struct procfs_node *n, struct pbuf *b)
{
	return ipc_proc_show(&shm_ops, b);
}

static const struct ipc_ops shm_ops = {
	.ids = &shm_ids,
	.create_locked = seg_create_locked,
	.check_locked = seg_check_locked,
	.info_cmd = SHM_INFO, .stat_cmd = SHM_STAT, .stat_any_cmd = SHM_STAT_ANY,
	.info_locked = shm_info_locked,
	.stat_locked = seg_stat_locked,
	.ds_size = sizeof(struct shmid64_ds),
	.set_locked = seg_set_locked,
	.remove_locked = seg_remove_locked,
	.proc_header = "       key      shmid perms                  size  cpid  lpid nattch   uid   gid"
		       "  cuid  cgid      atime      dtime      ctime                   rss                  swap\n",
	.show_locked = seg_show_locked,
};
