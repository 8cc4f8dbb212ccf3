/*
 * key.c - keys: their serial numbers, life and death, quotas, state
 * and permissions (Linux's security/keys/key.c and permission.c). The
 * keyrings that link keys are in keyring.c, the caller's own keyrings
 * in process_keys.c, the system calls in keyctl.c; docs/keys.md.
 */
#include "keys/key_impl.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/cred.h"
#include "time/clock.h"

/* keys_lock guards every key's (K) fields, key_list, key_users, the
 * dead-key list and the tasks' and processes' keyring pointers. A leaf
 * lock: kmalloc and kfree only are called under it. */
struct spinlock keys_lock = SPINLOCK_INIT("keys");
LIST_HEAD(key_list);                     /* (K) every live key, by serial */
LIST_HEAD(key_users);             /* (K) struct key_user */
static int32_t serial_seed = 0x1d2c3b4a; /* (K) */

/* Linux's kernel.keys defaults: maxkeys and maxbytes, root's and others'. */
#define ROOT_MAXKEYS  1000000
#define ROOT_MAXBYTES 25000000
#define USER_MAXKEYS  200
#define USER_MAXBYTES 20000

int64_t keys_now(void)
{
	return clock_realtime_ns() / 1000000000;
}

const char *key_type_name(const struct key *k)
{
	return k->type == KEY_TYPE_KEYRING ? "keyring" : "user";
}

struct key_user *key_user_find_locked(uint32_t uid)
{
	struct key_user *u;
	list_for_each_entry(u, &key_users, link)
		if (u->uid == uid)
			return u;
	return NULL;
}

struct key_user *key_user_get_locked(uint32_t uid)
{
	struct key_user *u = key_user_find_locked(uid);
	if (u)
		return u;
	u = kzalloc(sizeof(*u));
	if (!u)
		return NULL;
	u->uid = uid;
	list_add_tail(&u->link, &key_users);
	return u;
}

/* key_user_put_locked - free u once it owns nothing and has no keyrings. */
void key_user_put_locked(struct key_user *u)
{
	if (u->nkeys || u->uid_keyring || u->session_keyring)
		return;
	list_del(&u->link);
	kfree(u);
}

/* quota_charge_locked - count one more key (nkeys) and bytes for u;
 * -EDQUOT past the limits unless overrun. */
static int quota_charge_locked(struct key_user *u, int nkeys, uint32_t bytes, bool overrun)
{
	uint32_t maxkeys = u->uid == ROOT_UID ? ROOT_MAXKEYS : USER_MAXKEYS;
	uint32_t maxbytes = u->uid == ROOT_UID ? ROOT_MAXBYTES : USER_MAXBYTES;
	if (!overrun && (u->nkeys + nkeys > maxkeys || u->nbytes + bytes > maxbytes ||
			 u->nbytes + bytes < u->nbytes))
		return -EDQUOT;
	u->nkeys += nkeys;
	u->nbytes += bytes;
	return 0;
}

static void quota_uncharge_locked(struct key_user *u, int nkeys, uint32_t bytes)
{
	u->nkeys -= nkeys;
	u->nbytes -= bytes;
	key_user_put_locked(u);
}

/* serial_publish_locked - give k a serial no live key has (Linux picks
 * them at random too, from 3 up) and insert it in key_list in order. */
static void serial_publish_locked(struct key *k)
{
	for (;;) {
		serial_seed = (int32_t)(((uint32_t)serial_seed * 1103515245u + 12345u) & 0x7fffffff);
		if (serial_seed < 3)
			continue;
		struct key *pos;
		list_for_each_entry(pos, &key_list, all) {
			if (pos->serial >= serial_seed)
				break;
		}
		if (&pos->all != &key_list && pos->serial == serial_seed)
			continue;
		k->serial = serial_seed;
		list_insert_between(&k->all, pos->all.prev, &pos->all);
		return;
	}
}

struct key *key_alloc_locked(const struct key_spec *spec, int *err)
{
	size_t dlen = strlen(spec->desc);
	uint32_t quotalen = (uint32_t)dlen + 1 + spec->payload_len;
	struct key_user *u = key_user_get_locked(spec->uid);
	struct key *k = kzalloc(sizeof(*k));
	char *desc = kmalloc(dlen + 1);
	*err = -ENOMEM;
	if (!u || !k || !desc)
		goto fail;
	*err = quota_charge_locked(u, 1, quotalen, spec->overrun);
	if (*err)
		goto fail;
	memcpy(desc, spec->desc, dlen + 1);
	k->desc = desc;
	k->type = spec->type;
	k->uid = spec->uid;
	k->gid = spec->gid;
	k->perm = spec->perm;
	k->owner = u;
	k->quotalen = quotalen;
	k->refcount = 1;
	serial_publish_locked(k);
	return k;
fail:
	kfree(desc);
	kfree(k);
	if (u)
		key_user_put_locked(u);
	return NULL;
}

long key_payload_from_user(const void *u, size_t len, struct key_payload **out)
{
	*out = NULL;
	if (!len)
		return 0;
	struct key_payload *p = kmalloc(sizeof(*p) + len);
	if (!p)
		return -ENOMEM;
	p->refcount = 1;
	p->len = (uint32_t)len;
	if (copy_from_user(p->data, u, len)) {
		kfree(p);
		return -EFAULT;
	}
	*out = p;
	return 0;
}

void key_payload_put(struct key_payload *p)
{
	if (p && __atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(p);
}

/* key_destroy_locked - free k, whose last reference went; the keys its
 * links held go on *dead (their references dropped) for the caller. */
static void key_destroy_locked(struct key *k, struct key **dead)
{
	list_del(&k->all);
	for (int i = 0; i < k->nlinks; i++) {
		struct key *l = k->links[i];
		if (--l->refcount == 0) {
			l->flags |= KEY_DEAD;
			l->dead_next = *dead;
			*dead = l;
		}
	}
	quota_uncharge_locked(k->owner, 1, k->quotalen);
	key_payload_put(k->payload);
	kfree(k->links);
	kfree(k->desc);
	kfree(k);
}

void key_put_locked(struct key *k)
{
	if (!k || --k->refcount)
		return;
	k->flags |= KEY_DEAD;
	k->dead_next = NULL;
	while (k) {
		struct key *next = k->dead_next;
		key_destroy_locked(k, &next);
		k = next;
	}
}

void key_put(struct key *k)
{
	spin_lock(&keys_lock);
	key_put_locked(k);
	spin_unlock(&keys_lock);
}

struct key *key_find_serial_locked(int32_t serial)
{
	struct key *k;
	list_for_each_entry(k, &key_list, all) {
		if (k->serial == serial)
			return (k->flags & KEY_INVALIDATED) ? NULL : k;
		if (k->serial > serial)
			break;
	}
	return NULL;
}

int key_validate_locked(const struct key *k)
{
	if (k->flags & KEY_INVALIDATED)
		return -ENOKEY;
	if (k->flags & KEY_REVOKED)
		return -EKEYREVOKED;
	if (k->expiry && keys_now() >= k->expiry)
		return -EKEYEXPIRED;
	return 0;
}

/* Linux's key_task_permission: the owner's bits when the caller's fsuid
 * owns it, else the group's when it shares the key's group, else the
 * others'; the possessor's bits add to those. Root gets no exception. */
int key_permission_locked(struct key_ref ref, unsigned need)
{
	const struct cred *c = current_cred();
	const struct key *k = ref.key;
	uint32_t kperm;
	if (need == KEY_NEED_UNLINK)
		return 0;
	if (k->uid == c->fsuid)
		kperm = k->perm >> 16;
	else if (k->gid != INVALID_ID && (k->perm & KEY_GRP_ALL) && cred_in_group(c, k->gid))
		kperm = k->perm >> 8;
	else
		kperm = k->perm;
	if (ref.possessed)
		kperm |= k->perm >> 24;
	return (kperm & need & 0x3f) == need ? 0 : -EACCES;
}

void key_revoke_locked(struct key *k)
{
	if (k->flags & KEY_REVOKED)
		return;
	k->flags |= KEY_REVOKED;
	if (k->type == KEY_TYPE_KEYRING)
		keyring_clear_locked(k);
	/* A revoked user key's payload goes at once, as Linux's user_revoke. */
	struct key_payload *old;
	if (k->type == KEY_TYPE_USER && !key_set_payload_locked(k, NULL, &old))
		key_payload_put(old);
}

/* key_invalidate_locked - k is gone for every lookup, and every keyring
 * drops it now (Linux's garbage collector does it soon after). The
 * caller holds a reference, so k survives until it puts it. */
void key_invalidate_locked(struct key *k)
{
	if (k->flags & KEY_INVALIDATED)
		return;
	k->flags |= KEY_INVALIDATED;
	struct key *r;
	list_for_each_entry(r, &key_list, all)
		if (r->type == KEY_TYPE_KEYRING && r != k)
			while (keyring_unlink_locked(r, k) == 0)
				;
}

int key_set_payload_locked(struct key *k, struct key_payload *p, struct key_payload **old)
{
	uint32_t oldlen = k->payload ? k->payload->len : 0, newlen = p ? p->len : 0;
	if (newlen > oldlen) {
		int err = quota_charge_locked(k->owner, 0, newlen - oldlen, false);
		if (err)
			return err;
	} else {
		k->owner->nbytes -= oldlen - newlen;
	}
	k->quotalen += newlen - oldlen;
	*old = k->payload;
	k->payload = p;
	return 0;
}

/* key_chown_locked - move k (and its quota charge) to uid: -EDQUOT or
 * -ENOMEM as a new key of that owner would get. */
int key_chown_locked(struct key *k, uint32_t uid)
{
	if (uid == k->uid)
		return 0;
	struct key_user *u = key_user_get_locked(uid);
	if (!u)
		return -ENOMEM;
	int err = quota_charge_locked(u, 1, k->quotalen, false);
	if (err) {
		key_user_put_locked(u);
		return err;
	}
	struct key_user *old = k->owner;
	k->owner = u;
	k->uid = uid;
	quota_uncharge_locked(old, 1, k->quotalen);
	return 0;
}
