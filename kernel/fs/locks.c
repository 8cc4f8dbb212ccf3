/*
 * locks.c - advisory file locks, with Linux's rules.
 *
 * Three kinds of lock live on an inode:
 *   - POSIX record locks (fcntl F_SETLK/F_SETLKW): byte ranges owned by a
 *     descriptor table (a process and the threads sharing its table), so
 *     fork does not inherit them; closing ANY descriptor of the file from
 *     that table drops them all, and so does exit;
 *   - open-file-description locks (F_OFD_*): the same ranges, owned by
 *     the open file, shared by dup and fork, dropped at its last close;
 *     they conflict with POSIX locks;
 *   - flock locks: the whole file, owned by the open file, a namespace of
 *     their own (they never meet record locks).
 * Files without an inode of their own (timerfd) lock the one anonymous
 * inode they all share (file_inode), so their locks meet, as on Linux.
 * Read locks share, a write lock excludes; an owner never conflicts with
 * itself: its new lock replaces what it held in the range (splitting and
 * merging its ranges). F_SETLKW sleeps until no other owner conflicts;
 * before sleeping a POSIX request follows "the owner of the lock in my
 * way waits for ..." and fails with EDEADLK when the chain comes back to
 * its own owner (Linux's check, also bounded to a few steps).
 *
 * Locks: file_locks_lock (a mutex) guards every inode's lock list, the
 * blocked list and file_locks_gen; no user copy or other lock is taken
 * under it. Sleepers wait on file_locks_wait for file_locks_gen to move
 * (any removal or change), then look again.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "sync/mutex.h"
#include "sync/wait.h"
#include "proc/task.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/locks.h"
#include "fs/syscalls.h"
#include "fs/sysutil.h"
#include "fs/vfs.h"

#define OFFSET_MAX INT64_MAX
#define DEADLOCK_STEPS 10        /* Linux's MAX_DEADLK_ITERATIONS */

enum lock_kind { LK_POSIX, LK_OFD, LK_FLOCK };

/* One lock, or one request being decided. (L) file_locks_lock. */
struct file_lock {
	struct list_head link;      /* (L) on inode->locks */
	struct list_head all_link;  /* (L) on all_locks, oldest first (/proc/locks) */
	struct inode *inode;        /* (L) the inode it is on */
	enum lock_kind kind;
	void *owner;                /* the fdtable (POSIX) or the file (OFD, flock) */
	int pid;                    /* who set it (F_GETLK's l_pid for POSIX) */
	int type;                   /* F_RDLCK or F_WRLCK (F_UNLCK in a request) */
	int64_t start, end;         /* inclusive byte range */
};

/* A POSIX request asleep: owner waits for blocker (deadlock check). */
struct lock_waiter {
	struct list_head link;      /* (L) on blocked */
	void *owner, *blocker;
};

/* The uapi of fcntl's locks (<asm-generic/fcntl.h>, x86-64). */
struct user_flock {
	int16_t l_type;
	int16_t l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
};

#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

/* Set up statically, so no boot step is needed. */
static struct mutex file_locks_lock = {
	SPINLOCK_INIT("file_locks"), NULL, LIST_HEAD_INIT(file_locks_lock.waiters), "file_locks"
};
static LIST_HEAD(blocked);                   /* (L) struct lock_waiter */
static LIST_HEAD(all_locks);                 /* (L) every lock, for /proc/locks */
static uint64_t file_locks_gen;              /* (L) written; read atomically by sleepers */
static struct wait_queue file_locks_wait = {
	SPINLOCK_INIT("file_locks_wait"), LIST_HEAD_INIT(file_locks_wait.waiters)
};

/* ---- the lists ---- */

static bool flock_family(enum lock_kind k) { return k == LK_FLOCK; }

static bool overlaps(const struct file_lock *a, const struct file_lock *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/* The first lock on inode that stands in req's way, or NULL. (L) */
static struct file_lock *find_conflict(struct inode *inode, const struct file_lock *req)
{
	struct file_lock *l;
	list_for_each_entry(l, &inode->locks, link) {
		if (flock_family(l->kind) != flock_family(req->kind) || l->owner == req->owner)
			continue;
		if (overlaps(l, req) && (l->type == F_WRLCK || req->type == F_WRLCK))
			return l;
	}
	return NULL;
}

/* Take l off its inode and the global list and free it. (L) */
static void drop_lock(struct file_lock *l)
{
	list_del(&l->link);
	list_del(&l->all_link);
	kfree(l);
}

/* Something changed: wake every sleeper to look again. (L) */
static void locks_changed(void)
{
	__atomic_store_n(&file_locks_gen, file_locks_gen + 1, __ATOMIC_RELEASE);
	wake_up(&file_locks_wait);
}

/* Would owner's wait for blocker close a circle of POSIX waiters? (L) */
static bool would_deadlock(void *owner, void *blocker)
{
	for (int step = 0; step < DEADLOCK_STEPS; step++) {
		if (blocker == owner)
			return true;
		struct lock_waiter *w, *next = NULL;
		list_for_each_entry(w, &blocked, link)
			if (w->owner == blocker)
				next = w;
		if (!next)
			return false;
		blocker = next->blocker;
	}
	return false;
}

/*
 * Put req (an owner's new lock, or F_UNLCK) in place on inode: the
 * owner's locks of the same family lose the range (one may split in
 * two, using *spare), then the new lock goes in, merged with the owner's
 * touching locks of its type. *fresh is the new lock's memory; a used
 * one is set to NULL. (L)
 */
static void apply_locked(struct inode *inode, const struct file_lock *req,
			 struct file_lock **fresh, struct file_lock **spare)
{
	int64_t s = req->start, e = req->end;
	struct file_lock *l, *tmp;
	list_for_each_entry_safe(l, tmp, &inode->locks, link) {
		if (l->owner != req->owner || l->kind != req->kind)
			continue;
		bool touches = l->start <= (e == OFFSET_MAX ? e : e + 1) && (s == 0 ? 0 : s - 1) <= l->end;
		if (!touches)
			continue;
		if (req->type == l->type) {          /* same type: absorb it */
			s = MIN(s, l->start);
			e = MAX(e, l->end);
			drop_lock(l);
		} else if (overlaps(l, req)) {
			if (l->start < req->start && l->end > req->end) {
				struct file_lock *right = *spare;   /* split in two */
				*spare = NULL;
				*right = *l;
				right->start = req->end + 1;
				list_add(&right->link, &l->link);
				list_add(&right->all_link, &l->all_link);
				l->end = req->start - 1;
			} else if (l->start < req->start) {
				l->end = req->start - 1;
			} else if (l->end > req->end) {
				l->start = req->end + 1;
			} else {
				drop_lock(l);
			}
		}
	}
	if (req->type != F_UNLCK) {
		struct file_lock *n = *fresh;
		*fresh = NULL;
		*n = *req;
		n->start = s;
		n->end = e;
		n->inode = inode;
		list_add_tail(&n->link, &inode->locks);
		list_add_tail(&n->all_link, &all_locks);
	}
	locks_changed();
}

/* flock's conversion, as Linux's: asking for the type held is done
 * (1); another type first gives up the lock held, then waits. (L) */
static long flock_convert_locked(struct inode *inode, const struct file_lock *req)
{
	struct file_lock *l;
	list_for_each_entry(l, &inode->locks, link) {
		if (l->kind != LK_FLOCK || l->owner != req->owner)
			continue;
		if (l->type == req->type)
			return 1;
		drop_lock(l);
		locks_changed();
		return 0;
	}
	return 0;
}

/*
 * set_lock - take (or release) req on inode, waiting if wait; 0,
 * -EAGAIN, -EDEADLK, -ERESTARTSYS, -ENOLCK. May sleep.
 */
static long set_lock(struct inode *inode, const struct file_lock *req, bool wait)
{
	struct file_lock *fresh = kmalloc(sizeof(*fresh));
	struct file_lock *spare = kmalloc(sizeof(*spare));
	long err = fresh && spare ? 0 : -ENOLCK;
	mutex_lock(&file_locks_lock);
	if (!err && req->kind == LK_FLOCK && req->type != F_UNLCK)
		err = flock_convert_locked(inode, req);
	while (!err) {
		struct file_lock *in_way = req->type == F_UNLCK ? NULL : find_conflict(inode, req);
		if (!in_way) {
			apply_locked(inode, req, &fresh, &spare);
			break;
		}
		if (!wait) {
			err = -EAGAIN;
			break;
		}
		if (req->kind == LK_POSIX && in_way->kind == LK_POSIX &&
		    would_deadlock(req->owner, in_way->owner)) {
			err = -EDEADLK;
			break;
		}
		struct lock_waiter w = { .owner = req->owner, .blocker = in_way->owner };
		if (req->kind == LK_POSIX)
			list_add_tail(&w.link, &blocked);
		uint64_t gen = file_locks_gen;
		mutex_unlock(&file_locks_lock);
		err = wait_event_interruptible(file_locks_wait,
					       __atomic_load_n(&file_locks_gen, __ATOMIC_ACQUIRE) != gen);
		mutex_lock(&file_locks_lock);
		if (req->kind == LK_POSIX)
			list_del(&w.link);
	}
	mutex_unlock(&file_locks_lock);
	kfree(fresh);
	kfree(spare);
	return err == 1 ? 0 : err;
}

/* Drop every lock on inode that match(lock, key) selects. */
static void remove_matching(struct inode *inode, bool (*match)(struct file_lock *, void *),
			    void *key)
{
	mutex_lock(&file_locks_lock);
	bool any = false;
	struct file_lock *l, *tmp;
	list_for_each_entry_safe(l, tmp, &inode->locks, link) {
		if (match(l, key)) {
			drop_lock(l);
			any = true;
		}
	}
	if (any)
		locks_changed();
	mutex_unlock(&file_locks_lock);
}

static bool posix_of(struct file_lock *l, void *table)
{
	return l->kind == LK_POSIX && l->owner == table;
}

static bool file_owned(struct file_lock *l, void *file)
{
	return l->kind != LK_POSIX && l->owner == file;
}

/* Fast path: nothing to look at (an unlocked read races harmlessly:
 * a lock being added by another table is not ours to drop). */
static bool no_locks(struct file *f)
{
	return list_empty(&file_inode(f)->locks);
}

void locks_remove_posix(struct file *f, struct fdtable *t)
{
	if (!no_locks(f))
		remove_matching(file_inode(f), posix_of, t);
}

void locks_remove_file(struct file *f)
{
	if (!no_locks(f))
		remove_matching(file_inode(f), file_owned, f);
}

/* ---- fcntl ---- */

/* Turn a struct flock into a request (range and type checked). */
static long flock_to_request(struct file *f, const struct user_flock *u, struct file_lock *req)
{
	int64_t base;
	switch (u->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = (int64_t)file_inode(f)->size; break;
	default: return -EINVAL;
	}
	if (u->l_type != F_RDLCK && u->l_type != F_WRLCK && u->l_type != F_UNLCK)
		return -EINVAL;
	int64_t start, end;
	if (__builtin_add_overflow(base, u->l_start, &start))
		return -EOVERFLOW;
	if (u->l_len > 0) {
		if (__builtin_add_overflow(start, u->l_len - 1, &end))
			return -EOVERFLOW;
	} else if (u->l_len < 0) {
		end = start - 1;
		if (__builtin_add_overflow(start, u->l_len, &start))
			return -EINVAL;
	} else {
		end = OFFSET_MAX;
	}
	if (start < 0)
		return -EINVAL;
	req->type = u->l_type;
	req->start = start;
	req->end = end;
	return 0;
}

/* F_GETLK: the first lock in req's way into u, or l_type F_UNLCK. */
static void get_lock(struct inode *inode, const struct file_lock *req, struct user_flock *u)
{
	mutex_lock(&file_locks_lock);
	struct file_lock *l = find_conflict(inode, req);
	if (!l) {
		u->l_type = F_UNLCK;
	} else {
		u->l_type = (int16_t)l->type;
		u->l_whence = SEEK_SET;
		u->l_start = l->start;
		u->l_len = l->end == OFFSET_MAX ? 0 : l->end - l->start + 1;
		u->l_pid = l->kind == LK_POSIX ? l->pid : -1;
	}
	mutex_unlock(&file_locks_lock);
}

long locks_fcntl(struct file *f, struct fdtable *t, unsigned cmd, void *ufl)
{
	struct user_flock u;
	if (copy_from_user(&u, ufl, sizeof(u)))
		return -EFAULT;
	if (f->flags & O_PATH)
		return -EBADF;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	if (ofd && u.l_pid != 0)
		return -EINVAL;
	struct file_lock req = {
		.kind = ofd ? LK_OFD : LK_POSIX,
		.owner = ofd ? (void *)f : (void *)t,
		.pid = current->proc->pid,
	};
	long err = flock_to_request(f, &u, &req);
	if (err)
		return err;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		if (req.type == F_UNLCK)
			return -EINVAL;
		get_lock(file_inode(f), &req, &u);
		return copy_to_user(ufl, &u, sizeof(u)) ? -EFAULT : 0;
	}
	if ((req.type == F_RDLCK && !file_readable(f)) || (req.type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	return set_lock(file_inode(f), &req, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

/* ---- flock ---- */

long sys_flock(int fd, unsigned op)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	unsigned what = op & ~LOCK_NB;
	struct file_lock req = { .kind = LK_FLOCK, .owner = f, .pid = current->proc->pid,
				 .start = 0, .end = OFFSET_MAX };
	long err = 0;
	if (f->flags & O_PATH)
		err = -EBADF;
	else if (what == LOCK_SH || what == LOCK_EX || what == LOCK_UN)
		req.type = what == LOCK_SH ? F_RDLCK : what == LOCK_EX ? F_WRLCK : F_UNLCK;
	else
		err = -EINVAL;
	if (!err)
		err = set_lock(file_inode(f), &req, !(op & LOCK_NB));
	file_put(f);
	return err == -EAGAIN ? -EWOULDBLOCK : err;
}

/* ---- /proc/locks ---- */

/* locks_report - see locks.h. */
void locks_report(void (*fn)(void *ctx, const struct lock_report *r), void *ctx)
{
	static const char *const kinds[] = { [LK_POSIX] = "POSIX", [LK_OFD] = "OFDLCK",
					     [LK_FLOCK] = "FLOCK" };
	mutex_lock(&file_locks_lock);
	struct file_lock *l;
	list_for_each_entry(l, &all_locks, all_link) {
		struct lock_report r = {
			.kind = kinds[l->kind], .write = l->type == F_WRLCK,
			.pid = l->kind == LK_OFD ? -1 : l->pid, .dev = l->inode->dev,
			.ino = l->inode->ino, .start = l->start,
			.end = l->end == OFFSET_MAX ? -1 : l->end, .whole = l->kind == LK_FLOCK,
		};
		fn(ctx, &r);
	}
	mutex_unlock(&file_locks_lock);
}
