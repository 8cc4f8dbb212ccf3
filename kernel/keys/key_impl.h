/*
 * key_impl.h - the inside of the key retention service (docs/keys.md):
 * keys, their owners' quotas, and the helpers the files of kernel/keys/
 * share. Everything here is under keys_lock (K) unless marked (-):
 * set before the key is published, then never changed.
 *
 * References: a key is held by each keyring that links it, by the
 * tasks and processes whose special keyrings it is, by the per-user
 * register (user and user-session keyrings) and, briefly, by a system
 * call using it. The last key_put_locked frees it (kmalloc does not
 * sleep, so this happens under keys_lock); a keyring freed puts its
 * links, through a list rather than recursion.
 */
#ifndef ASPEN_KEYS_KEY_IMPL_H
#define ASPEN_KEYS_KEY_IMPL_H
#include "keys/keys.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include <linux/keyctl.h>

extern struct spinlock keys_lock;

enum key_type_id { KEY_TYPE_USER = 1, KEY_TYPE_KEYRING };

/* Permission bits (Linux's, <linux/key.h> is not a UAPI header). */
#define KEY_POS_VIEW    0x01000000
#define KEY_POS_READ    0x02000000
#define KEY_POS_WRITE   0x04000000
#define KEY_POS_SEARCH  0x08000000
#define KEY_POS_LINK    0x10000000
#define KEY_POS_SETATTR 0x20000000
#define KEY_POS_ALL     0x3f000000
#define KEY_USR_VIEW    0x00010000
#define KEY_USR_READ    0x00020000
#define KEY_USR_WRITE   0x00040000
#define KEY_USR_SEARCH  0x00080000
#define KEY_USR_LINK    0x00100000
#define KEY_USR_SETATTR 0x00200000
#define KEY_USR_ALL     0x003f0000
#define KEY_GRP_ALL     0x00003f00
#define KEY_OTH_ALL     0x0000003f
#define KEY_PERM_ALL    (KEY_POS_ALL | KEY_USR_ALL | KEY_GRP_ALL | KEY_OTH_ALL)
/* What a check needs: one class's bits (Linux's KEY_NEED_*). */
#define KEY_NEED_VIEW    0x01
#define KEY_NEED_READ    0x02
#define KEY_NEED_WRITE   0x04
#define KEY_NEED_SEARCH  0x08
#define KEY_NEED_LINK    0x10
#define KEY_NEED_SETATTR 0x20
#define KEY_NEED_UNLINK  0x100   /* no state or permission check on the key */

#define KEY_MAX_DESC    4096     /* Linux's KEY_MAX_DESC_SIZE */
#define KEY_USER_MAX    32767    /* a "user" key's payload */
#define KEY_SEARCH_DEPTH 6       /* nested keyrings searched (KEYRING_SEARCH_MAX_DEPTH) */

/* Flags (K). */
#define KEY_REVOKED     0x1
#define KEY_INVALIDATED 0x2
#define KEY_DEAD        0x4      /* no references: on the dead list */

/* A user key's data; immutable, shared with readers copying it out. */
struct key_payload {
	uint32_t refcount;       /* atomic */
	uint32_t len;
	char data[];
};

/* The keys a user owns (quota) and that user's two keyrings. */
struct key_user {
	uint32_t uid;            /* (-) */
	uint32_t nkeys, nbytes;  /* (K) charged: keys, descriptions and payloads */
	struct key *uid_keyring, *session_keyring;  /* (K) "_uid.N", "_uid_ses.N", or NULL */
	struct list_head link;   /* (K) in key_users */
};

struct key {
	int32_t serial;          /* (-) */
	uint32_t refcount;       /* (K) */
	enum key_type_id type;   /* (-) */
	char *desc;              /* (-) */
	uint32_t uid, gid, perm; /* (K) gid (uint32_t)-1: none */
	unsigned flags;          /* (K) KEY_REVOKED, ... */
	int64_t expiry;          /* (K) realtime second it expires at; 0 never */
	struct key_user *owner;  /* (K) charged to; changes with KEYCTL_CHOWN */
	uint32_t quotalen;       /* (K) bytes charged */
	struct key_payload *payload;  /* (K) user keys: NULL once revoked */
	struct key **links;      /* (K) keyrings: the keys linked, in order */
	int nlinks, maxlinks;    /* (K) */
	struct list_head all;    /* (K) in key_list, by serial */
	struct key *dead_next;   /* (K) on the dead list */
};

/* A reference with what it was reached by: possession adds the
 * possessor's permission bits (Linux's key_ref_t). key is NULL and err
 * a -errno when a lookup failed. */
struct key_ref {
	struct key *key;
	bool possessed;
	int err;
};
static inline struct key_ref key_ref_err(int err) { return (struct key_ref){ NULL, false, err }; }

extern struct list_head key_list;
extern struct list_head key_users;

/* key.c */
int64_t keys_now(void);
const char *key_type_name(const struct key *k);
/* What a new key is: its owner, permissions and bytes to charge. */
struct key_spec {
	enum key_type_id type;
	const char *desc;
	uint32_t uid, gid, perm;
	uint32_t payload_len;
	bool overrun;            /* a special keyring: charged past the quota */
};
/* key_alloc_locked - a new key with one reference, charged to its
 * owner's quota (description and payload bytes), published; NULL with
 * *err -EDQUOT or -ENOMEM. The description is copied. keys_lock held. */
struct key *key_alloc_locked(const struct key_spec *spec, int *err);
static inline struct key *key_get_locked(struct key *k) { k->refcount++; return k; }
/* key_put_locked - drop a reference; the last frees the key (and puts
 * a keyring's links). NULL is fine. keys_lock held. */
void key_put_locked(struct key *k);
void key_put(struct key *k);
struct key *key_find_serial_locked(int32_t serial);
/* key_validate_locked - 0, or -ENOKEY (invalidated), -EKEYREVOKED, -EKEYEXPIRED. */
int key_validate_locked(const struct key *k);
/* key_permission_locked - 0 when the caller's credentials give every
 * bit of need (KEY_NEED_*) on ref, else -EACCES. */
int key_permission_locked(struct key_ref ref, unsigned need);
void key_revoke_locked(struct key *k);
void key_invalidate_locked(struct key *k);
/* key_set_payload_locked - replace a user key's payload (NULL: none);
 * the old one goes to *old for the caller to put after unlocking.
 * -EDQUOT when the owner's quota cannot take the new size. */
int key_set_payload_locked(struct key *k, struct key_payload *p, struct key_payload **old);
int key_chown_locked(struct key *k, uint32_t uid);
/* key_payload_from_user - len bytes (bounded by the caller) copied from
 * u into a new payload, refcount 1: 0 with *out (NULL when len is 0),
 * -EFAULT, -ENOMEM. */
long key_payload_from_user(const void *u, size_t len, struct key_payload **out);
void key_payload_put(struct key_payload *p);
struct key_user *key_user_find_locked(uint32_t uid);
/* key_user_get_locked - uid's record, made if missing; NULL when out
 * of memory. An unused record is freed by key_user_put_locked. */
struct key_user *key_user_get_locked(uint32_t uid);
void key_user_put_locked(struct key_user *u);

/* keyring.c */
int keyring_link_locked(struct key *ring, struct key *k);
int keyring_unlink_locked(struct key *ring, struct key *k);
void keyring_clear_locked(struct key *ring);
/* keyring_find_locked - the key of type and desc linked in ring itself
 * (no nesting), or NULL. */
struct key *keyring_find_locked(struct key *ring, enum key_type_id type, const char *desc);
/* keyring_search_locked - search ring and the keyrings nested in it
 * that are searchable (Linux's keyring_search): a reference (taken) to
 * the first valid match the caller may search; else err -EAGAIN when
 * none matched, or the error of the last match skipped (-EKEYREVOKED,
 * -EKEYEXPIRED, -EACCES). Matches (type, desc), or target when set
 * (then with no state check on it: possession). */
#define SEARCH_CHECK_PERM   0x1   /* only keys and keyrings the caller may search */
#define SEARCH_SKIP_EXPIRED 0x2   /* request_key: an expired key is no error */
struct key_ref keyring_search_locked(struct key_ref ring, enum key_type_id type, const char *desc,
				     const struct key *target, unsigned flags);

/* process_keys.c */
/* lookup_user_key_locked - the key id names for the caller, with a
 * reference (special ids KEY_SPEC_*: the caller's keyrings, made when
 * create); checks its state (unless need is KEY_NEED_UNLINK) and need
 * (0: none); ref.err on failure. keys_lock held. */
struct key_ref lookup_user_key_locked(int32_t id, bool create, unsigned need);
/* search_process_keyrings_locked - Linux's search_process_keyrings:
 * thread, process, then session (else user-session) keyring. */
struct key_ref search_process_keyrings_locked(enum key_type_id type, const char *desc,
					      const struct key *target, unsigned flags);
/* keys_join_session_locked - KEYCTL_JOIN_SESSION_KEYRING: a new
 * anonymous session keyring (name NULL) or the named one, found or made. */
long keys_join_session_locked(const char *name);

/* keyctl.c: strings from user memory, as Linux checks them. */
long keyctl_copy_type(char type[32], const char *utype);
long keyctl_copy_desc(char **out, const char *udesc, size_t max);

#endif
