/*
 * keyctl_ops.c - keyctl(2)'s operations (Linux's keyctl.c), each one
 * the Linux function of the same name: the key is looked up with the
 * permission the operation needs (lookup_user_key_locked checks its
 * state first: EKEYREVOKED, EKEYEXPIRED, ENOKEY), then changed under
 * keys_lock. Results are copied out from a private copy after it.
 */
#include "keys/key_impl.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/cred.h"

#define KEY_NEED_NOTHING KEY_NEED_UNLINK   /* found only: KEYCTL_READ decides itself */

/* with_key - run op on the key id names (looked up with create and
 * need) under keys_lock; the lookup's error otherwise. */
static long with_key(int32_t id, bool create, unsigned need,
		     long (*op)(struct key_ref ref, uint64_t a, uint64_t b), uint64_t a, uint64_t b)
{
	spin_lock(&keys_lock);
	struct key_ref ref = lookup_user_key_locked(id, create, need);
	long ret = ref.key ? op(ref, a, b) : ref.err;
	key_put_locked(ref.key);
	spin_unlock(&keys_lock);
	return ret;
}

static long serial_of(struct key_ref ref, uint64_t a, uint64_t b)
{
	return ref.key->serial;
}

static long do_revoke(struct key_ref ref, uint64_t a, uint64_t b)
{
	key_revoke_locked(ref.key);
	return 0;
}

static long do_invalidate(struct key_ref ref, uint64_t a, uint64_t b)
{
	key_invalidate_locked(ref.key);
	return 0;
}

static long do_clear(struct key_ref ref, uint64_t a, uint64_t b)
{
	if (ref.key->type != KEY_TYPE_KEYRING)
		return -ENOTDIR;
	keyring_clear_locked(ref.key);
	return 0;
}

static long do_set_timeout(struct key_ref ref, uint64_t timeout, uint64_t b)
{
	ref.key->expiry = (uint32_t)timeout ? keys_now() + (uint32_t)timeout : 0;
	return 0;
}

/* Only the owner (or CAP_SYS_ADMIN) sets permissions, with SETATTR. */
static long do_setperm(struct key_ref ref, uint64_t perm, uint64_t b)
{
	if (ref.key->uid != current_cred()->fsuid && !capable(CAP_SYS_ADMIN))
		return -EACCES;
	ref.key->perm = (uint32_t)perm;
	return 0;
}

/* Without CAP_SYS_ADMIN: the owner stays, the group is one of the caller's. */
static long do_chown(struct key_ref ref, uint64_t uid, uint64_t gid)
{
	struct key *k = ref.key;
	if (!capable(CAP_SYS_ADMIN) &&
	    ((uid != INVALID_ID && uid != k->uid) ||
	     (gid != INVALID_ID && gid != k->gid && !cred_in_group(current_cred(), (uint32_t)gid))))
		return -EACCES;
	int err = uid != INVALID_ID ? key_chown_locked(k, (uint32_t)uid) : 0;
	if (!err && gid != INVALID_ID)
		k->gid = (uint32_t)gid;
	return err;
}

static long do_link(struct key_ref ring, uint64_t id, uint64_t b)
{
	struct key_ref k = lookup_user_key_locked((int32_t)id, true, KEY_NEED_LINK);
	long ret = k.key ? keyring_link_locked(ring.key, k.key) : k.err;
	key_put_locked(k.key);
	return ret;
}

static long do_unlink(struct key_ref ring, uint64_t id, uint64_t b)
{
	struct key_ref k = lookup_user_key_locked((int32_t)id, false, KEY_NEED_UNLINK);
	long ret = k.key ? keyring_unlink_locked(ring.key, k.key) : k.err;
	key_put_locked(k.key);
	return ret;
}

/* KEYCTL_UPDATE: a user key's new payload (keyrings have no update). */
static long do_update(struct key_ref ref, uint64_t payload, uint64_t b)
{
	struct key_payload **p = (struct key_payload **)payload, *old;
	if (ref.key->type != KEY_TYPE_USER)
		return -EOPNOTSUPP;
	if (!*p)
		return -EINVAL;
	int err = key_set_payload_locked(ref.key, *p, &old);
	if (err)
		return err;
	ref.key->expiry = 0;
	*p = old;   /* the caller puts it */
	return 0;
}

static long keyctl_update(int32_t id, const void *upayload, size_t plen)
{
	if (plen > PAGE_SIZE)
		return -EINVAL;
	struct key_payload *p;
	long err = key_payload_from_user(upayload, plen, &p);
	if (err)
		return err;
	long ret = with_key(id, false, KEY_NEED_WRITE, do_update, (uint64_t)&p, 0);
	key_payload_put(p);
	return ret;
}

/* KEYCTL_REVOKE needs WRITE, or SETATTR when WRITE is refused. */
static long keyctl_revoke(int32_t id)
{
	long ret = with_key(id, false, KEY_NEED_WRITE, do_revoke, 0, 0);
	if (ret == -EACCES)
		ret = with_key(id, false, KEY_NEED_SETATTR, do_revoke, 0, 0);
	return ret;
}

static long keyctl_join(const char *uname)
{
	char *name = NULL;
	if (uname) {
		long err = keyctl_copy_desc(&name, uname, KEY_MAX_DESC);
		if (err)
			return err;
	}
	spin_lock(&keys_lock);
	long ret = keys_join_session_locked(name);
	spin_unlock(&keys_lock);
	kfree(name);
	return ret;
}

/* The text KEYCTL_DESCRIBE returns: "type;uid;gid;perm;description". */
static long describe_locked(struct key_ref ref, uint64_t out, uint64_t b)
{
	struct key *k = ref.key;
	size_t size = strlen(k->desc) + 64;
	char *text = kmalloc(size);
	if (!text)
		return -ENOMEM;
	snprintf(text, size, "%s;%d;%d;%08x;%s", key_type_name(k),
		 (int)(k->uid == INVALID_ID ? OVERFLOW_ID : k->uid),
		 (int)(k->gid == INVALID_ID ? OVERFLOW_ID : k->gid), k->perm, k->desc);
	*(char **)out = text;
	return (long)strlen(text) + 1;
}

/* Like KEYCTL_READ: the length, copied out only when the buffer holds it all. */
static long copy_out_whole(char *ubuf, size_t buflen, const void *data, long len)
{
	if (len > 0 && ubuf && buflen >= (size_t)len && copy_to_user(ubuf, data, (size_t)len))
		return -EFAULT;
	return len;
}

static long keyctl_describe(int32_t id, char *ubuf, size_t buflen)
{
	char *text = NULL;
	long len = with_key(id, false, KEY_NEED_VIEW, describe_locked, (uint64_t)&text, 0);
	len = copy_out_whole(ubuf, buflen, text, len);
	kfree(text);
	return len;
}

/* read_locked - what KEYCTL_READ returns: a user key's payload (a
 * reference in *pp) or a keyring's serials (kmalloc'd in *rp). READ
 * permission, or possession (the key was found by a search). */
static long read_locked(struct key_ref ref, uint64_t pp, uint64_t rp)
{
	struct key *k = ref.key;
	int err = key_permission_locked(ref, KEY_NEED_READ);
	if (err && ref.possessed)
		err = 0;
	if (!err)
		err = key_validate_locked(k);
	if (err)
		return err;
	if (k->type == KEY_TYPE_USER) {
		struct key_payload *p = k->payload;
		__atomic_add_fetch(&p->refcount, 1, __ATOMIC_RELAXED);
		*(struct key_payload **)pp = p;
		return p->len;
	}
	int32_t *ids = kmalloc(k->nlinks * sizeof(int32_t) + 1);
	if (!ids)
		return -ENOMEM;
	for (int i = 0; i < k->nlinks; i++)
		ids[i] = k->links[i]->serial;
	*(int32_t **)rp = ids;
	return (long)k->nlinks * 4;
}

static long keyctl_read(int32_t id, char *ubuf, size_t buflen)
{
	struct key_payload *p = NULL;
	int32_t *ids = NULL;
	long len = with_key(id, false, KEY_NEED_NOTHING, read_locked, (uint64_t)&p, (uint64_t)&ids);
	if (len == -ENOKEY || len == -EINVAL)
		return -ENOKEY;   /* any failed lookup, as Linux */
	if (ids && ubuf && buflen && buflen <= PAGE_SIZE && (buflen & 3))
		len = -EINVAL;    /* a keyring reads whole serials */
	len = copy_out_whole(ubuf, buflen, p ? (void *)p->data : (void *)ids, len);
	key_payload_put(p);
	kfree(ids);
	return len;
}

/* KEYCTL_SEARCH: ringid's tree, as request_key searches the caller's. */
static long keyctl_search(int32_t ringid, const char *utype, const char *udesc, int32_t destid)
{
	char type[32], *desc = NULL;
	long ret = keyctl_copy_type(type, utype);
	if (!ret)
		ret = keyctl_copy_desc(&desc, udesc, KEY_MAX_DESC);
	if (ret)
		return ret;
	spin_lock(&keys_lock);
	struct key_ref ring = lookup_user_key_locked(ringid, false, KEY_NEED_SEARCH), dest = { 0 }, k = { 0 };
	if (!ring.key)
		ret = ring.err;
	else if (destid && !(dest = lookup_user_key_locked(destid, true, KEY_NEED_WRITE)).key)
		ret = dest.err;
	else if (!strcmp(type, "user") || !strcmp(type, "keyring"))
		k = keyring_search_locked(ring, strcmp(type, "user") ? KEY_TYPE_KEYRING : KEY_TYPE_USER, desc, NULL, SEARCH_CHECK_PERM);
	else
		k.err = -ENOKEY;
	if (ring.key && (!destid || dest.key)) {
		ret = k.key ? k.key->serial : k.err == -EAGAIN ? -ENOKEY : k.err;
		if (k.key && dest.key) {
			long err = key_permission_locked(k, KEY_NEED_LINK);
			ret = err ? err : keyring_link_locked(dest.key, k.key) ? : k.key->serial;
		}
	}
	key_put_locked(k.key);
	key_put_locked(dest.key);
	key_put_locked(ring.key);
	spin_unlock(&keys_lock);
	kfree(desc);
	return ret;
}

long sys_keyctl(int op, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int32_t id = (int32_t)a2;
	switch (op) {
	case KEYCTL_GET_KEYRING_ID:
		return with_key(id, a3 != 0, KEY_NEED_SEARCH, serial_of, 0, 0);
	case KEYCTL_JOIN_SESSION_KEYRING:
		return keyctl_join((const char *)a2);
	case KEYCTL_UPDATE:
		return keyctl_update(id, (const void *)a3, a4);
	case KEYCTL_REVOKE:
		return keyctl_revoke(id);
	case KEYCTL_CHOWN:
		if ((uint32_t)a3 == INVALID_ID && (uint32_t)a4 == INVALID_ID)
			return 0;
		return with_key(id, true, KEY_NEED_SETATTR, do_chown, (uint32_t)a3, (uint32_t)a4);
	case KEYCTL_SETPERM:
		if ((uint32_t)a3 & ~KEY_PERM_ALL)
			return -EINVAL;
		return with_key(id, true, KEY_NEED_SETATTR, do_setperm, (uint32_t)a3, 0);
	case KEYCTL_DESCRIBE:
		return keyctl_describe(id, (char *)a3, a4);
	case KEYCTL_CLEAR:
		return with_key(id, true, KEY_NEED_WRITE, do_clear, 0, 0);
	case KEYCTL_LINK:
		return with_key((int32_t)a3, true, KEY_NEED_WRITE, do_link, (uint64_t)id, 0);
	case KEYCTL_UNLINK:
		return with_key((int32_t)a3, false, KEY_NEED_WRITE, do_unlink, (uint64_t)id, 0);
	case KEYCTL_SEARCH:
		return keyctl_search(id, (const char *)a3, (const char *)a4, (int32_t)a5);
	case KEYCTL_READ:
		return keyctl_read(id, (char *)a3, a4);
	case KEYCTL_SET_TIMEOUT:
		return with_key(id, true, KEY_NEED_SETATTR, do_set_timeout, a3, 0);
	case KEYCTL_INVALIDATE:
		return with_key(id, false, KEY_NEED_SEARCH, do_invalidate, 0, 0);
	default:   /* GET_PERSISTENT too: Linux without CONFIG_PERSISTENT_KEYRINGS */
		return -EOPNOTSUPP;
	}
}
