/*
 * keyctl.c - the system calls of the key retention service: add_key,
 * request_key and keyctl (Linux's security/keys/keyctl.c; docs/keys.md).
 * Each copies its strings and payload in first, then works under
 * keys_lock, then copies results out from a private copy.
 */
#include "keys/key_impl.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/cred.h"

#define KEY_TYPE_LEN 32          /* a type's name, NUL included */
#define ADD_KEY_MAX (1024 * 1024 - 1)
#define KEY_DEF_PERM (KEY_POS_VIEW | KEY_POS_READ | KEY_POS_WRITE | KEY_POS_SEARCH | \
		      KEY_POS_LINK | KEY_POS_SETATTR | KEY_USR_VIEW)

/* keyctl_copy_type - a key type's name from user memory (Linux's
 * key_get_type_from_user): -EINVAL when empty or too long, -EPERM for
 * the kernel's own ("."), -EFAULT. */
long keyctl_copy_type(char type[KEY_TYPE_LEN], const char *utype)
{
	long n = strncpy_from_user(type, utype, KEY_TYPE_LEN);
	if (n == -EFAULT)
		return -EFAULT;
	if (n <= 0)
		return -EINVAL;
	return type[0] == '.' ? -EPERM : 0;
}

/* keyctl_copy_desc - a description (or callout string) of at most max bytes
 * with its NUL into a kmalloc'd copy (*out; caller frees): 0, -EFAULT,
 * -EINVAL when too long, -ENOMEM. */
long keyctl_copy_desc(char **out, const char *udesc, size_t max)
{
	char *d = kmalloc(max);
	if (!d)
		return -ENOMEM;
	long n = strncpy_from_user(d, udesc, max);
	if (n < 0) {
		kfree(d);
		return n == -EFAULT ? -EFAULT : -EINVAL;
	}
	*out = d;
	return 0;
}

/* type_id - the key type called name: 0 when there is none. */
static enum key_type_id type_id(const char *name)
{
	if (!strcmp(name, "user"))
		return KEY_TYPE_USER;
	if (!strcmp(name, "keyring"))
		return KEY_TYPE_KEYRING;
	return 0;
}

/* user_readable - len bytes at u can be read (a payload Linux copies in
 * before it finds it too long). */
static int user_readable(const char *u, size_t len)
{
	char chunk[256];
	for (size_t off = 0; off < len; off += sizeof(chunk)) {
		size_t n = len - off < sizeof(chunk) ? len - off : sizeof(chunk);
		if (copy_from_user(chunk, u + off, n))
			return -EFAULT;
	}
	return 0;
}

/* The arguments of add_key once copied in. */
struct add_args {
	enum key_type_id type;
	const char *desc;        /* NULL: none or empty */
	struct key_payload *payload;
	size_t plen;
};

/* add_update_locked - add_key of a user key whose description ring
 * already holds: update it in place (Linux's __key_update). */
static long add_update_locked(struct key_ref ring, struct key *k, struct add_args *a)
{
	int err = key_permission_locked((struct key_ref){ k, ring.possessed, 0 }, KEY_NEED_WRITE);
	struct key_payload *old = NULL;
	if (!err)
		err = key_set_payload_locked(k, a->payload, &old);
	if (err)
		return err;
	a->payload = old;        /* freed by the caller */
	k->expiry = 0;
	return k->serial;
}

/* add_key_locked - Linux's key_create_or_update into ring. */
static long add_key_locked(struct key_ref ring, struct add_args *a)
{
	if (!a->type)
		return -ENODEV;
	if (ring.key->type != KEY_TYPE_KEYRING)
		return -ENOTDIR;
	if (a->type == KEY_TYPE_USER ? a->plen == 0 || a->plen > KEY_USER_MAX : a->plen != 0)
		return -EINVAL;
	if (!a->desc)
		return -EINVAL;
	if (a->type == KEY_TYPE_USER) {
		struct key *old = keyring_find_locked(ring.key, KEY_TYPE_USER, a->desc);
		if (old && !(old->flags & (KEY_REVOKED | KEY_INVALIDATED)))   /* expired: updated */
			return add_update_locked(ring, old, a);
	}
	const struct cred *c = current_cred();
	struct key_spec spec = { a->type, a->desc, c->fsuid, c->fsgid, KEY_DEF_PERM, (uint32_t)a->plen, false };
	int err;
	struct key *k = key_alloc_locked(&spec, &err);
	if (!k)
		return err;
	k->payload = a->payload;
	a->payload = NULL;
	err = keyring_link_locked(ring.key, k);
	long serial = err ? err : k->serial;
	key_put_locked(k);
	return serial;
}

/* add_args_copy - add_key's arguments in order of Linux's checks. */
static int add_args_copy(struct add_args *a, char type[KEY_TYPE_LEN], char **desc,
			 const char *utype, const char *udesc, const void *upayload, size_t plen)
{
	if (plen > ADD_KEY_MAX)
		return -EINVAL;
	int err = keyctl_copy_type(type, utype);
	if (err)
		return err;
	a->type = type_id(type);
	if (udesc) {
		if ((err = keyctl_copy_desc(desc, udesc, KEY_MAX_DESC)))
			return err;
		if ((*desc)[0] == '.' && !strncmp(type, "keyring", 7))
			return -EPERM;
		a->desc = (*desc)[0] ? *desc : NULL;
	}
	a->plen = plen;
	if (plen > KEY_USER_MAX)
		return user_readable(upayload, plen);
	return key_payload_from_user(upayload, plen, &a->payload);
}

long sys_add_key(const char *utype, const char *udesc, const void *upayload, size_t plen, int32_t ringid)
{
	char type[KEY_TYPE_LEN], *desc = NULL;
	struct add_args a = { 0 };
	long ret = add_args_copy(&a, type, &desc, utype, udesc, upayload, plen);
	if (!ret) {
		spin_lock(&keys_lock);
		struct key_ref ring = lookup_user_key_locked(ringid, true, KEY_NEED_WRITE);
		ret = ring.key ? add_key_locked(ring, &a) : ring.err;
		key_put_locked(ring.key);
		spin_unlock(&keys_lock);
	}
	key_payload_put(a.payload);
	kfree(desc);
	return ret;
}

/* request_key_locked - find the key for request_key and link it into
 * dest (when given); no upcall: Linux without /sbin/request-key. */
static long request_key_locked(enum key_type_id type, const char *desc, bool callout, int32_t destid)
{
	struct key_ref dest = { 0 };
	if (destid && !(dest = lookup_user_key_locked(destid, true, KEY_NEED_WRITE)).key)
		return dest.err;
	long ret;
	struct key_ref k = type ? search_process_keyrings_locked(type, desc, NULL, SEARCH_CHECK_PERM | SEARCH_SKIP_EXPIRED) : key_ref_err(-EAGAIN);
	if (!k.key)   /* the upcall would run /sbin/request-key, which is missing */
		ret = k.err != -EAGAIN ? k.err : callout ? -ENOENT : -ENOKEY;
	else if (dest.key && (ret = key_permission_locked(k, KEY_NEED_LINK)))
		;
	else if (dest.key && (ret = keyring_link_locked(dest.key, k.key)))
		;
	else
		ret = k.key->serial;
	key_put_locked(k.key);
	key_put_locked(dest.key);
	return ret;
}

long sys_request_key(const char *utype, const char *udesc, const char *ucallout, int32_t destid)
{
	char type[KEY_TYPE_LEN], *desc = NULL, *callout = NULL;
	long ret = keyctl_copy_type(type, utype);
	if (!ret)
		ret = keyctl_copy_desc(&desc, udesc, KEY_MAX_DESC);
	if (!ret && ucallout)
		ret = keyctl_copy_desc(&callout, ucallout, PAGE_SIZE);
	if (!ret) {
		spin_lock(&keys_lock);
		ret = request_key_locked(type_id(type), desc, callout != NULL, destid);
		spin_unlock(&keys_lock);
	}
	kfree(callout);
	kfree(desc);
	return ret;
}
