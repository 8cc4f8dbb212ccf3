/*
 * cred.c - credentials: their life (copy, commit, share, free), the
 * capability checks, and the rules by which one process may act on
 * another (cred.h, docs/permissions.md).
 */
#include "proc/cred.h"
#include "proc/task.h"
#include "fs/context.h"
#include "fs/uapi.h"
#include "mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct group_info no_groups = { .refcount = 1, .ngroups = 0 };

/* The boot credentials: root with every capability; never freed. */
static struct cred init_cred = {
	.refcount = 1,
	.cap_permitted = CAP_FULL_SET,
	.cap_effective = CAP_FULL_SET,
	.cap_bset = CAP_FULL_SET,
	.groups = &no_groups,
};

struct cred *cred_boot(void)
{
	return cred_get(&init_cred);
}

void groups_put(struct group_info *g)
{
	if (g && __atomic_sub_fetch(&g->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(g);
}

void cred_put(struct cred *c)
{
	if (!c || __atomic_sub_fetch(&c->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	assert(c != &init_cred);
	groups_put(c->groups);
	kfree(c);
}

struct cred *cred_prepare(void)
{
	struct cred *c = kmalloc(sizeof(*c));
	if (!c)
		return NULL;
	*c = *current->real_cred;
	c->refcount = 1;
	__atomic_add_fetch(&c->groups->refcount, 1, __ATOMIC_RELAXED);
	return c;
}

/* Linux makes a process non-dumpable, and forgets the caller's
 * parent-death signal, when its ids or its permitted capabilities
 * change (commit_creds). */
static bool cred_loses_dumpable(const struct cred *old, const struct cred *new)
{
	return old->euid != new->euid || old->egid != new->egid || old->fsuid != new->fsuid ||
	       old->fsgid != new->fsgid || (new->cap_permitted & ~old->cap_permitted);
}

void cred_commit(struct cred *new)
{
	struct task *t = current;
	struct cred *old = t->real_cred, *old_subj = t->cred;
	assert(old == old_subj);       /* not inside cred_override */
	spin_lock(&tasklist_lock);
	if (cred_loses_dumpable(old, new)) {
		t->proc->dumpable = false;
		t->pdeath_signal = 0;
	}
	t->real_cred = new;
	t->cred = cred_get(new);
	struct cred *old_proc = NULL;
	if (t->proc->leader == t) {
		old_proc = t->proc->cred;
		t->proc->cred = cred_get(new);
	}
	spin_unlock(&tasklist_lock);
	cred_put(old);
	cred_put(old_subj);
	cred_put(old_proc);
}

struct cred *cred_for_exec(uint32_t mode, uint32_t fuid, uint32_t fgid, bool *secure)
{
	const struct cred *old = current->real_cred;
	struct cred *new = cred_prepare();
	if (!new)
		return NULL;
	if (!old->no_new_privs && (mode & S_ISUID))
		new->euid = fuid;
	if (!old->no_new_privs && (mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		new->egid = fgid;
	bool root_eff = new->euid == ROOT_UID, root = root_eff || new->uid == ROOT_UID;
	new->cap_ambient &= new->cap_permitted & new->cap_inheritable;
	new->cap_permitted = root ? old->cap_bset | old->cap_inheritable : new->cap_ambient;
	new->cap_effective = root_eff ? new->cap_permitted : new->cap_ambient;
	new->suid = new->fsuid = new->euid;
	new->sgid = new->fsgid = new->egid;
	new->keep_caps = false;
	*secure = new->euid != old->uid || new->egid != old->gid ||
		  (new->uid != ROOT_UID && (root_eff || (new->cap_permitted & ~new->cap_ambient)));
	return new;
}

void cred_override(struct cred *c)
{
	struct cred *old = current->cred;
	current->cred = cred_get(c);
	cred_put(old);
}

void cred_revert(void)
{
	struct cred *c = current->cred;
	current->cred = cred_get(current->real_cred);
	cred_put(c);
}

/* Kernel tasks (the idle tasks, kswapd) have none of their own and act
 * as root, as Linux's kernel threads with init_cred. */
const struct cred *current_cred(void)
{
	return current->cred ? current->cred : &init_cred;
}

bool capable(int cap)
{
	return current_cred()->cap_effective & CAP_BIT(cap);
}

static bool groups_hold(const struct group_info *g, uint32_t gid)
{
	int lo = 0, hi = g->ngroups;
	while (lo < hi) {               /* sorted: binary search */
		int mid = (lo + hi) / 2;
		if (g->gid[mid] == gid)
			return true;
		if (g->gid[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	return c->fsgid == gid || groups_hold(c->groups, gid);
}

bool cred_in_egroup(const struct cred *c, uint32_t gid)
{
	return c->egid == gid || groups_hold(c->groups, gid);
}

/* ---- what fs/ asks (fs/context.h) ---- */

void current_fsids(uint32_t *uid, uint32_t *gid)
{
	*uid = current_cred()->fsuid;
	*gid = current_cred()->fsgid;
}

bool current_in_group(uint32_t gid)
{
	return cred_in_group(current_cred(), gid);
}

int current_access_begin(void)
{
	struct cred *c = cred_prepare();
	if (!c)
		return -ENOMEM;
	c->fsuid = c->uid;
	c->fsgid = c->gid;
	c->cap_effective = c->uid == ROOT_UID ? c->cap_permitted : 0;
	cred_override(c);
	cred_put(c);
	return 0;
}

void current_access_end(void)
{
	cred_revert();
}

/* ---- tasks ---- */

void cred_task_fork(struct task *c, struct process *p)
{
	c->real_cred = cred_get(current->real_cred);
	c->cred = cred_get(current->real_cred);
	if (p != current->proc)
		p->cred = cred_get(current->real_cred);
}

void cred_task_release(struct task *t)
{
	cred_put(t->cred);
	cred_put(t->real_cred);
	t->cred = t->real_cred = NULL;
}

/* ---- acting on other processes ---- */

/* The objective credentials of process p: its leader's. (T) held. */
static const struct cred *proc_cred_locked(struct process *p)
{
	return p->cred;
}

bool cred_may_signal_locked(struct process *p, struct task *t, int sig)
{
	const struct cred *me = current->real_cred, *them = t ? t->real_cred : proc_cred_locked(p);
	if (me->euid == them->suid || me->euid == them->uid || me->uid == them->suid ||
	    me->uid == them->uid || capable(CAP_KILL))
		return true;
	return sig == SIGCONT && p->sid == current->proc->sid;
}

bool cred_may_modify_locked(struct process *p, int cap)
{
	const struct cred *me = current->real_cred, *them = proc_cred_locked(p);
	return them->uid == me->euid || them->euid == me->euid || capable(cap);
}

bool cred_may_ptrace_locked(struct process *p)
{
	const struct cred *me = current->real_cred, *them = proc_cred_locked(p);
	if (p == current->proc)
		return true;
	bool same = me->uid == them->euid && me->uid == them->suid && me->uid == them->uid &&
		    me->gid == them->egid && me->gid == them->sgid && me->gid == them->gid;
	if (!same && !capable(CAP_SYS_PTRACE))
		return false;
	return p->dumpable || capable(CAP_SYS_PTRACE);
}

bool cred_may_prlimit_locked(struct process *p)
{
	const struct cred *me = current->real_cred, *them = proc_cred_locked(p);
	if (p == current->proc)
		return true;
	if (me->uid == them->euid && me->uid == them->suid && me->uid == them->uid &&
	    me->gid == them->egid && me->gid == them->sgid && me->gid == them->gid)
		return true;
	return capable(CAP_SYS_RESOURCE);
}
