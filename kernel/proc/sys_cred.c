/*
 * sys_cred.c - the system calls on credentials: get/set of the real,
 * effective, saved and file-system ids, supplementary groups, and
 * capabilities (capget, capset), with Linux's rules and errors.
 *
 * Every change follows one pattern: check, cred_prepare a copy, edit
 * it, fix the capabilities as Linux does when the uids reach or leave
 * 0 (fix_setuid_caps), cred_commit. Without CAP_SETUID (CAP_SETGID)
 * a process may only move among the ids it already has.
 */
#include "proc/cred.h"
#include "proc/task.h"
#include "proc/rlimit.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "sys/sysctl.h"
#include "lib/errno.h"
#include "lib/string.h"

/* The capabilities an fsuid of 0 holds by itself (Linux's CAP_FS_MASK). */
#define CAP_FS_MASK (CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_DAC_READ_SEARCH) | \
		     CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_LINUX_IMMUTABLE) | \
		     CAP_BIT(CAP_MKNOD) | CAP_BIT(CAP_MAC_OVERRIDE))

static int ngroups_max = NGROUPS_MAX;
static int cap_last_cap = CAP_LAST_CAP;
static int overflow_id = OVERFLOW_ID;
SYSCTL_INT("kernel/ngroups_max", 0444, &ngroups_max, 0, 0);
SYSCTL_INT("kernel/cap_last_cap", 0444, &cap_last_cap, 0, 0);
SYSCTL_INT("kernel/overflowuid", 0644, &overflow_id, 0, 65535);
SYSCTL_INT("kernel/overflowgid", 0644, &overflow_id, 0, 65535);

/* Linux's cap_task_fix_setuid for setuid, setreuid and setresuid: a
 * process that had uid 0 among its uids and has none left loses its
 * capabilities (unless PR_SET_KEEPCAPS kept the permitted ones); the
 * effective set follows the effective uid to and from 0. */
static void fix_setuid_caps(struct cred *new, const struct cred *old)
{
	bool had_root = old->uid == ROOT_UID || old->euid == ROOT_UID || old->suid == ROOT_UID;
	bool has_root = new->uid == ROOT_UID || new->euid == ROOT_UID || new->suid == ROOT_UID;
	if (had_root && !has_root) {
		if (!old->keep_caps)
			new->cap_permitted = new->cap_effective = 0;
		new->cap_ambient = 0;
	}
	if (old->euid == ROOT_UID && new->euid != ROOT_UID)
		new->cap_effective = 0;
	if (old->euid != ROOT_UID && new->euid == ROOT_UID)
		new->cap_effective = new->cap_permitted;
}

/* setfsuid's part: the file-system capabilities follow fsuid. */
static void fix_setfsuid_caps(struct cred *new, const struct cred *old)
{
	if (old->fsuid == ROOT_UID && new->fsuid != ROOT_UID)
		new->cap_effective &= ~CAP_FS_MASK;
	if (old->fsuid != ROOT_UID && new->fsuid == ROOT_UID)
		new->cap_effective |= new->cap_permitted & CAP_FS_MASK;
}

/* The real uid changes to new->uid: Linux does not fail here when that
 * user has RLIMIT_NPROC tasks or more, but the next execve will
 * (set_user, flag_nproc_exceeded). */
static void note_nproc(struct cred *new)
{
	spin_lock(&tasklist_lock);
	int n = cred_user_tasks_locked(new->uid) + 1;    /* the caller moves there */
	spin_unlock(&tasklist_lock);
	current->nproc_exceeded = new->uid != ROOT_UID && (uint64_t)n > rlimit_cur(RLIMIT_NPROC);
}

/* Fix the capabilities, note the task count, and install new. */
static long commit_uids(struct cred *new, const struct cred *old)
{
	fix_setuid_caps(new, old);
	if (new->uid != old->uid)
		note_nproc(new);
	cred_commit(new);
	return 0;
}

long sys_getuid(void) { return current_cred()->uid; }
long sys_geteuid(void) { return current_cred()->euid; }
long sys_getgid(void) { return current_cred()->gid; }
long sys_getegid(void) { return current_cred()->egid; }

/* The four ids of a cred as an array, and back: real, effective, saved,
 * fs (f: uid or gid). */
enum { REAL, EFF, SAVED, FS };
#define IDS_OUT(n, f) { (n)->f, (n)->e##f, (n)->s##f, (n)->fs##f }
#define IDS_IN(n, f, a) ((n)->f = (a)[REAL], (n)->e##f = (a)[EFF], (n)->s##f = (a)[SAVED], \
			 (n)->fs##f = (a)[FS])

/* Is id, when given, none of the three old ones? */
static bool id_new(uint32_t id, const uint32_t ids[4])
{
	return id != INVALID_ID && id != ids[REAL] && id != ids[EFF] && id != ids[SAVED];
}

/* setuid/setgid: with the capability all four become id; without, the
 * effective (and fs) id may become the real or the saved one. */
static int set_one(uint32_t ids[4], uint32_t id, bool priv)
{
	if (id == INVALID_ID)
		return -EINVAL;
	if (!priv && id != ids[REAL] && id != ids[SAVED])
		return -EPERM;
	if (priv)
		ids[REAL] = ids[SAVED] = id;
	ids[EFF] = ids[FS] = id;
	return 0;
}

/* setreuid/setregid: r must be the real or effective id, e any of the
 * three, unless privileged; the saved id becomes the new effective one
 * when r is given or e moves away from the old real id. */
static int set_re(uint32_t ids[4], uint32_t r, uint32_t e, bool priv)
{
	uint32_t old_real = ids[REAL];
	if (r != INVALID_ID && !priv && r != ids[REAL] && r != ids[EFF])
		return -EPERM;
	if (!priv && id_new(e, ids))
		return -EPERM;
	if (r != INVALID_ID)
		ids[REAL] = r;
	if (e != INVALID_ID)
		ids[EFF] = e;
	if (r != INVALID_ID || (e != INVALID_ID && e != old_real))
		ids[SAVED] = ids[EFF];
	ids[FS] = ids[EFF];
	return 0;
}

/* setresuid/setresgid: each id given (not -1) must be one of the three
 * old ones unless privileged; the fs id follows the effective one. */
static int set_res(uint32_t ids[4], uint32_t r, uint32_t e, uint32_t s, bool priv)
{
	if (!priv && (id_new(r, ids) || id_new(e, ids) || id_new(s, ids)))
		return -EPERM;
	if (r != INVALID_ID)
		ids[REAL] = r;
	if (e != INVALID_ID)
		ids[EFF] = e;
	if (s != INVALID_ID)
		ids[SAVED] = s;
	ids[FS] = ids[EFF];
	return 0;
}

/* Install the uids (or gids) a rule computed from old's; err is the
 * rule's result. */
static long commit_ids(const struct cred *old, const uint32_t ids[4], bool uids, int err)
{
	if (err)
		return err;
	struct cred *new = cred_prepare();
	if (!new)
		return -ENOMEM;
	if (uids) {
		IDS_IN(new, uid, ids);
		return commit_uids(new, old);
	}
	IDS_IN(new, gid, ids);
	cred_commit(new);
	return 0;
}

long sys_setuid(uint32_t id)
{
	const struct cred *old = current->real_cred;
	uint32_t ids[4] = IDS_OUT(old, uid);
	return commit_ids(old, ids, true, set_one(ids, id, capable(CAP_SETUID)));
}

long sys_setgid(uint32_t id)
{
	const struct cred *old = current->real_cred;
	uint32_t ids[4] = IDS_OUT(old, gid);
	return commit_ids(old, ids, false, set_one(ids, id, capable(CAP_SETGID)));
}

long sys_setreuid(uint32_t r, uint32_t e)
{
	const struct cred *old = current->real_cred;
	uint32_t ids[4] = IDS_OUT(old, uid);
	return commit_ids(old, ids, true, set_re(ids, r, e, capable(CAP_SETUID)));
}

long sys_setregid(uint32_t r, uint32_t e)
{
	const struct cred *old = current->real_cred;
	uint32_t ids[4] = IDS_OUT(old, gid);
	return commit_ids(old, ids, false, set_re(ids, r, e, capable(CAP_SETGID)));
}

long sys_setresuid(uint32_t r, uint32_t e, uint32_t s)
{
	const struct cred *old = current->real_cred;
	uint32_t ids[4] = IDS_OUT(old, uid);
	return commit_ids(old, ids, true, set_res(ids, r, e, s, capable(CAP_SETUID)));
}

long sys_setresgid(uint32_t r, uint32_t e, uint32_t s)
{
	const struct cred *old = current->real_cred;
	uint32_t ids[4] = IDS_OUT(old, gid);
	return commit_ids(old, ids, false, set_res(ids, r, e, s, capable(CAP_SETGID)));
}

static long put_three_ids(uint32_t *a, uint32_t *b, uint32_t *c, const uint32_t ids[3])
{
	if (copy_to_user(a, &ids[0], 4) || copy_to_user(b, &ids[1], 4) || copy_to_user(c, &ids[2], 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(uint32_t *r, uint32_t *e, uint32_t *s)
{
	const struct cred *c = current_cred();
	uint32_t ids[3] = { c->uid, c->euid, c->suid };
	return put_three_ids(r, e, s, ids);
}

long sys_getresgid(uint32_t *r, uint32_t *e, uint32_t *s)
{
	const struct cred *c = current_cred();
	uint32_t ids[3] = { c->gid, c->egid, c->sgid };
	return put_three_ids(r, e, s, ids);
}

/* setfsuid/setfsgid: return the old fs id whatever happens; change it
 * to one of the caller's ids (any, with the capability). */
static long set_fs_id(uint32_t id, bool is_uid)
{
	const struct cred *old = current->real_cred;
	uint32_t ids[4] = IDS_OUT(old, uid), gids[4] = IDS_OUT(old, gid);
	uint32_t *v = is_uid ? ids : gids;
	long was = v[FS];
	bool ok = capable(is_uid ? CAP_SETUID : CAP_SETGID) || !id_new(id, v);
	if (id == INVALID_ID || !ok || id == v[FS])
		return was;
	struct cred *new = cred_prepare();
	if (!new)
		return was;
	if (is_uid) {
		new->fsuid = id;
		fix_setfsuid_caps(new, old);
	} else {
		new->fsgid = id;
	}
	cred_commit(new);
	return was;
}

long sys_setfsuid(uint32_t uid) { return set_fs_id(uid, true); }
long sys_setfsgid(uint32_t gid) { return set_fs_id(gid, false); }

/* ---- supplementary groups ---- */

long sys_getgroups(int size, uint32_t *list)
{
	const struct group_info *g = current_cred()->groups;
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return g->ngroups;
	if (size < g->ngroups)
		return -EINVAL;
	if (copy_to_user(list, g->gid, (size_t)g->ngroups * sizeof(uint32_t)))
		return -EFAULT;
	return g->ngroups;
}

static void sort_gids(uint32_t *v, int n)
{
	for (int i = 1; i < n; i++) {      /* insertion sort: lists are short */
		uint32_t x = v[i];
		int j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

long sys_setgroups(int size, const uint32_t *list)
{
	if (!capable(CAP_SETGID))
		return -EPERM;
	if ((unsigned)size > NGROUPS_MAX)
		return -EINVAL;
	struct group_info *g = kmalloc(sizeof(*g) + (size_t)size * sizeof(uint32_t));
	if (!g)
		return -ENOMEM;
	g->refcount = 1;
	g->ngroups = size;
	if (copy_from_user(g->gid, list, (size_t)size * sizeof(uint32_t))) {
		kfree(g);
		return -EFAULT;
	}
	sort_gids(g->gid, size);
	struct cred *new = cred_prepare();
	if (!new) {
		kfree(g);
		return -ENOMEM;
	}
	groups_put(new->groups);
	new->groups = g;
	cred_commit(new);
	return 0;
}

/* ---- capabilities ---- */

/* The number of 32-bit words version carries (1 for v1, 2 for v2 and
 * v3); an unknown version gets the one Aspen speaks written back, and
 * EINVAL (libcap asks that way). */
static int cap_words(struct __user_cap_header_struct *uh, struct __user_cap_header_struct *h)
{
	if (copy_from_user(h, uh, sizeof(*h)))
		return -EFAULT;
	if (h->version == _LINUX_CAPABILITY_VERSION_1)
		return _LINUX_CAPABILITY_U32S_1;
	if (h->version == _LINUX_CAPABILITY_VERSION_2 || h->version == _LINUX_CAPABILITY_VERSION_3)
		return _LINUX_CAPABILITY_U32S_3;
	uint32_t v = _LINUX_CAPABILITY_VERSION_3;
	return copy_to_user(&uh->version, &v, sizeof(v)) ? -EFAULT : -EINVAL;
}

/* The credentials of thread pid (0: the caller), referenced; NULL if none. */
static struct cred *task_cred_get(int pid)
{
	if (pid == 0)
		return cred_get(current->real_cred);
	spin_lock(&tasklist_lock);
	struct task *t = task_find_locked(pid);
	struct cred *c = t && t->real_cred ? cred_get(t->real_cred) : NULL;
	spin_unlock(&tasklist_lock);
	return c;
}

long sys_capget(struct __user_cap_header_struct *uh, struct __user_cap_data_struct *ud)
{
	struct __user_cap_header_struct h;
	int words = cap_words(uh, &h);
	if (!ud)
		return words == -EINVAL || words > 0 ? 0 : words;   /* a probe of the version */
	if (words < 0)
		return words;
	if (h.pid < 0)
		return -EINVAL;
	struct cred *c = task_cred_get(h.pid);
	if (!c)
		return -ESRCH;
	struct __user_cap_data_struct d[2];
	for (int i = 0; i < 2; i++)
		d[i] = (struct __user_cap_data_struct){ (uint32_t)(c->cap_effective >> (32 * i)),
			(uint32_t)(c->cap_permitted >> (32 * i)), (uint32_t)(c->cap_inheritable >> (32 * i)) };
	cred_put(c);
	return copy_to_user(ud, d, (size_t)words * sizeof(d[0]));
}

/* Linux's cap_capset: nothing gained beyond what the caller has;
 * inheritable only from permitted (or with CAP_SETPCAP) and within the
 * bounding set; effective within the new permitted. */
static int capset_check(const struct cred *old, uint64_t eff, uint64_t perm, uint64_t inh)
{
	if (!capable(CAP_SETPCAP) && (inh & ~(old->cap_inheritable | old->cap_permitted)))
		return -EPERM;
	if (inh & ~(old->cap_inheritable | old->cap_bset))
		return -EPERM;
	if (perm & ~old->cap_permitted)
		return -EPERM;
	return eff & ~perm ? -EPERM : 0;
}

long sys_capset(struct __user_cap_header_struct *uh, const struct __user_cap_data_struct *ud)
{
	struct __user_cap_header_struct h;
	int words = cap_words(uh, &h);
	if (words < 0)
		return words;
	if (h.pid != 0 && h.pid != current->tid)
		return -EPERM;
	struct __user_cap_data_struct d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	if (copy_from_user(d, ud, (size_t)words * sizeof(d[0])))
		return -EFAULT;
	uint64_t eff = (d[0].effective | (uint64_t)d[1].effective << 32) & CAP_FULL_SET;
	uint64_t perm = (d[0].permitted | (uint64_t)d[1].permitted << 32) & CAP_FULL_SET;
	uint64_t inh = (d[0].inheritable | (uint64_t)d[1].inheritable << 32) & CAP_FULL_SET;
	const struct cred *old = current->real_cred;
	int err = capset_check(old, eff, perm, inh);
	if (err)
		return err;
	struct cred *new = cred_prepare();
	if (!new)
		return -ENOMEM;
	new->cap_effective = eff;
	new->cap_permitted = perm;
	new->cap_inheritable = inh;
	new->cap_ambient &= perm & inh;
	cred_commit(new);
	return 0;
}

/* ---- prctl's credential options ---- */

#define PR_GET_KEEPCAPS 7
#define PR_SET_KEEPCAPS 8
#define PR_CAPBSET_READ 23
#define PR_CAPBSET_DROP 24
#define PR_GET_SECUREBITS 27
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#define SECBIT_KEEP_CAPS (1 << 4)

static bool cap_ok(uint64_t cap) { return cap <= CAP_LAST_CAP; }

/* Install a copy of the caller's credentials changed by edit(new, arg). */
static long cred_change(void (*edit)(struct cred *new, uint64_t arg), uint64_t arg)
{
	struct cred *new = cred_prepare();
	if (!new)
		return -ENOMEM;
	edit(new, arg);
	cred_commit(new);
	return 0;
}

static void set_keep_caps(struct cred *c, uint64_t on) { c->keep_caps = on; }
static void set_no_new_privs(struct cred *c, uint64_t unused) { c->no_new_privs = true; }
static void drop_bset(struct cred *c, uint64_t cap) { c->cap_bset &= ~CAP_BIT(cap); }
static void raise_ambient(struct cred *c, uint64_t cap) { c->cap_ambient |= CAP_BIT(cap); }
static void lower_ambient(struct cred *c, uint64_t cap) { c->cap_ambient &= ~CAP_BIT(cap); }
static void clear_ambient(struct cred *c, uint64_t unused) { c->cap_ambient = 0; }

/* PR_CAP_AMBIENT: the ambient set, Linux's rules. */
static long prctl_ambient(uint64_t op, uint64_t cap, uint64_t a4, uint64_t a5)
{
	const struct cred *c = current_cred();
	if (a4 || a5)
		return -EINVAL;
	if (op == PR_CAP_AMBIENT_CLEAR_ALL)
		return cap ? -EINVAL : cred_change(clear_ambient, 0);
	if (!cap_ok(cap))
		return -EINVAL;
	if (op == PR_CAP_AMBIENT_IS_SET)
		return !!(c->cap_ambient & CAP_BIT(cap));
	if (op == PR_CAP_AMBIENT_LOWER)
		return cred_change(lower_ambient, cap);
	if (op != PR_CAP_AMBIENT_RAISE)
		return -EINVAL;
	if (!(c->cap_permitted & c->cap_inheritable & CAP_BIT(cap)))
		return -EPERM;
	return cred_change(raise_ambient, cap);
}

/* cred_prctl - prctl's options on credentials; -EINVAL for any other. */
long cred_prctl(int option, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	const struct cred *c = current_cred();
	switch (option) {
	case PR_GET_KEEPCAPS:
		return c->keep_caps;
	case PR_SET_KEEPCAPS:
		return a2 > 1 ? -EINVAL : cred_change(set_keep_caps, a2);
	case PR_GET_SECUREBITS:
		return c->keep_caps ? SECBIT_KEEP_CAPS : 0;
	case PR_CAPBSET_READ:
		return cap_ok(a2) ? !!(c->cap_bset & CAP_BIT(a2)) : -EINVAL;
	case PR_CAPBSET_DROP:
		if (!capable(CAP_SETPCAP))
			return -EPERM;
		return cap_ok(a2) ? cred_change(drop_bset, a2) : -EINVAL;
	case PR_SET_NO_NEW_PRIVS:
		return a2 != 1 || a3 || a4 || a5 ? -EINVAL : cred_change(set_no_new_privs, 0);
	case PR_GET_NO_NEW_PRIVS:
		return a2 || a3 || a4 || a5 ? -EINVAL : c->no_new_privs;
	case PR_CAP_AMBIENT:
		return prctl_ambient(a2, a3, a4, a5);
	default:
		return -EINVAL;
	}
}
