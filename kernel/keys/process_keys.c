/*
 * process_keys.c - the caller's keyrings (Linux's process_keys.c): the
 * thread keyring (task->thread_keyring), the process keyring
 * (process->process_keyring), the session keyring
 * (task->session_keyring, inherited by fork and clone, kept by exec),
 * and its real uid's user and user-session keyrings (struct key_user).
 * Each is made on first use; the pointers are under keys_lock.
 */
#include "keys/key_impl.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/cred.h"
#include "proc/task.h"

#define TASK_KEYRING_PERM (KEY_POS_ALL | KEY_USR_VIEW)
#define USER_KEYRING_PERM ((KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_ALL)

/* keyring_new_locked - a keyring owned by the caller's real ids (NULL,
 * *err on failure). */
static struct key *keyring_new_locked(const char *desc, uint32_t perm, int *err)
{
	const struct cred *c = current_cred();
	struct key_spec spec = { KEY_TYPE_KEYRING, desc, c->uid, c->gid, perm, 0, true };
	return key_alloc_locked(&spec, err);
}

/* user_keyrings_locked - u's user and user-session keyrings, made when
 * missing (the second links the first, as Linux's). 0 or -ENOMEM. */
static int user_keyrings_locked(struct key_user *u)
{
	char desc[32];
	int err = 0;
	if (!u->uid_keyring) {
		snprintf(desc, sizeof(desc), "_uid.%u", u->uid);
		struct key_spec spec = { KEY_TYPE_KEYRING, desc, u->uid, INVALID_ID, USER_KEYRING_PERM, 0, true };
		u->uid_keyring = key_alloc_locked(&spec, &err);
		if (!u->uid_keyring)
			return err;
	}
	if (!u->session_keyring) {
		snprintf(desc, sizeof(desc), "_uid_ses.%u", u->uid);
		struct key_spec spec = { KEY_TYPE_KEYRING, desc, u->uid, INVALID_ID, USER_KEYRING_PERM, 0, true };
		u->session_keyring = key_alloc_locked(&spec, &err);
		if (!u->session_keyring)
			return err;
		err = keyring_link_locked(u->session_keyring, u->uid_keyring);
	}
	return err;
}

/* user_keyring_locked - the caller's real uid's user keyring (session:
 * its user-session keyring), made when missing; NULL on -ENOMEM. */
static struct key *user_keyring_locked(bool session)
{
	struct key_user *u = key_user_get_locked(current_cred()->uid);
	if (!u)
		return NULL;
	if (user_keyrings_locked(u)) {
		key_user_put_locked(u);
		return NULL;
	}
	return session ? u->session_keyring : u->uid_keyring;
}

/* install_session_locked - k (a reference consumed) is the caller's session keyring. */
static void install_session_locked(struct key *k)
{
	key_put_locked(current->session_keyring);
	current->session_keyring = k;
}

/* special_keyring_locked - the keyring a KEY_SPEC_* id names, with a
 * reference, made when missing and create (the user ones always). */
static struct key_ref special_keyring_locked(int32_t id, bool create)
{
	struct key **slot = NULL;
	const char *name = NULL;
	int err = -ENOMEM;
	struct key *k;
	switch (id) {
	case KEY_SPEC_THREAD_KEYRING:
		slot = &current->thread_keyring, name = "_tid";
		break;
	case KEY_SPEC_PROCESS_KEYRING:
		slot = &current->proc->process_keyring, name = "_pid";
		break;
	case KEY_SPEC_SESSION_KEYRING:
		if (current->session_keyring)
			break;
		if (create) {   /* a new anonymous session, as join_session_keyring(NULL) */
			err = (int)keys_join_session_locked(NULL);
			if (err < 0)
				return key_ref_err(err);
		} else {        /* none yet: the user-session keyring becomes it */
			k = user_keyring_locked(true);
			if (!k)
				return key_ref_err(-ENOMEM);
			install_session_locked(key_get_locked(k));
		}
		break;
	case KEY_SPEC_USER_KEYRING:
	case KEY_SPEC_USER_SESSION_KEYRING:
		k = user_keyring_locked(id == KEY_SPEC_USER_SESSION_KEYRING);
		return k ? (struct key_ref){ key_get_locked(k), true, 0 } : key_ref_err(-ENOMEM);
	case KEY_SPEC_REQKEY_AUTH_KEY:
	case KEY_SPEC_REQUESTOR_KEYRING:
		return key_ref_err(-ENOKEY);   /* no key is under construction: no upcalls */
	default:
		return key_ref_err(-EINVAL);   /* KEY_SPEC_GROUP_KEYRING: Linux has none either */
	}
	if (id == KEY_SPEC_SESSION_KEYRING)
		return (struct key_ref){ key_get_locked(current->session_keyring), true, 0 };
	if (!*slot) {
		if (!create)
			return key_ref_err(-ENOKEY);
		*slot = keyring_new_locked(name, TASK_KEYRING_PERM, &err);
		if (!*slot)
			return key_ref_err(err);
	}
	return (struct key_ref){ key_get_locked(*slot), true, 0 };
}

struct key_ref lookup_user_key_locked(int32_t id, bool create, unsigned need)
{
	struct key_ref ref;
	if (id < 0) {
		ref = special_keyring_locked(id, create);
	} else {
		struct key *k = id > 0 ? key_find_serial_locked(id) : NULL;
		if (!k)
			return key_ref_err(id > 0 ? -ENOKEY : -EINVAL);
		struct key_ref found = search_process_keyrings_locked(0, NULL, k, SEARCH_CHECK_PERM);
		ref = (struct key_ref){ key_get_locked(k), found.key != NULL, 0 };
		key_put_locked(found.key);
	}
	if (!ref.key)
		return ref;
	int err = need == KEY_NEED_UNLINK ? 0 : key_validate_locked(ref.key);
	if (!err && need)
		err = key_permission_locked(ref, need);
	if (err) {
		key_put_locked(ref.key);
		return key_ref_err(err);
	}
	return ref;
}

/* search_one_locked - one of the caller's keyrings in the search: a
 * hit ends it; a miss (-EAGAIN) outranks the other errors, as Linux's. */
static bool search_one_locked(struct key *ring, enum key_type_id type, const char *desc,
			      const struct key *target, unsigned flags, struct key_ref *out, bool *missed)
{
	if (!ring)
		return false;
	struct key_ref r = keyring_search_locked((struct key_ref){ ring, true, 0 }, type, desc, target, flags);
	if (r.key || r.err != -EAGAIN)
		*out = r;
	if (r.err == -EAGAIN)
		*missed = true;
	return r.key != NULL;
}

struct key_ref search_process_keyrings_locked(enum key_type_id type, const char *desc,
					      const struct key *target, unsigned flags)
{
	struct key_ref out = key_ref_err(-EAGAIN);
	bool missed = false;
	struct key *session = current->session_keyring;
	if (!session) {
		struct key_user *u = key_user_find_locked(current_cred()->uid);
		session = u ? u->session_keyring : NULL;
	}
	if (search_one_locked(current->thread_keyring, type, desc, target, flags, &out, &missed) ||
	    search_one_locked(current->proc->process_keyring, type, desc, target, flags, &out, &missed) ||
	    search_one_locked(session, type, desc, target, flags, &out, &missed))
		return out;
	return missed ? key_ref_err(-EAGAIN) : out;
}

/* find_named_keyring_locked - a live keyring called name the caller may
 * search without possessing it (Linux's find_keyring_by_name), or NULL. */
static struct key *find_named_keyring_locked(const char *name)
{
	struct key *k;
	list_for_each_entry(k, &key_list, all) {
		if (k->type != KEY_TYPE_KEYRING || strcmp(k->desc, name) || key_validate_locked(k))
			continue;
		if (!key_permission_locked((struct key_ref){ k, false, 0 }, KEY_NEED_SEARCH))
			return k;
	}
	return NULL;
}

long keys_join_session_locked(const char *name)
{
	int err;
	struct key *k;
	if (!name) {
		k = keyring_new_locked("_ses", KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ, &err);
		if (!k)
			return err;
	} else if ((k = find_named_keyring_locked(name))) {
		if (k == current->session_keyring)
			return 0;   /* already there: Linux says 0, not the serial */
		key_get_locked(k);
	} else {
		k = keyring_new_locked(name, KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_LINK, &err);
		if (!k)
			return err;
	}
	install_session_locked(k);
	return k->serial;
}

/* user_keyrings_reap_locked - free u's keyrings when nothing but u holds
 * them and they hold nothing but each other (docs/keys.md: Linux keeps
 * them while the uid lives; Aspen while they are in use). */
static void user_keyrings_reap_locked(struct key_user *u)
{
	struct key *us = u->session_keyring, *uk = u->uid_keyring;
	bool us_links_uk = us && us->nlinks == 1 && us->links[0] == uk;
	if (us && (us->refcount != 1 || (us->nlinks && !us_links_uk)))
		return;
	if (uk && (uk->refcount != 1u + us_links_uk || uk->nlinks))
		return;
	u->session_keyring = u->uid_keyring = NULL;
	u->nkeys++;   /* keep u while its keyrings go */
	key_put_locked(us);
	key_put_locked(uk);
	u->nkeys--;
	key_user_put_locked(u);
}

static void keys_reap_users_locked(void)
{
	struct key_user *u, *n;
	list_for_each_entry_safe(u, n, &key_users, link)
		user_keyrings_reap_locked(u);
}

int keys_task_fork(struct task *c, bool thread)
{
	int err = 0;
	spin_lock(&keys_lock);
	c->session_keyring = current->session_keyring ? key_get_locked(current->session_keyring) : NULL;
	if (thread && current->thread_keyring)
		c->thread_keyring = keyring_new_locked("_tid", TASK_KEYRING_PERM, &err);
	spin_unlock(&keys_lock);
	return err;
}

void keys_exec(struct task *t)
{
	spin_lock(&keys_lock);
	key_put_locked(t->thread_keyring);
	t->thread_keyring = NULL;
	key_put_locked(t->proc->process_keyring);
	t->proc->process_keyring = NULL;
	spin_unlock(&keys_lock);
}

void keys_task_release(struct task *t)
{
	spin_lock(&keys_lock);
	key_put_locked(t->thread_keyring);
	key_put_locked(t->session_keyring);
	t->thread_keyring = t->session_keyring = NULL;
	keys_reap_users_locked();
	spin_unlock(&keys_lock);
}

void keys_process_release(struct process *p)
{
	spin_lock(&keys_lock);
	key_put_locked(p->process_keyring);
	p->process_keyring = NULL;
	keys_reap_users_locked();
	spin_unlock(&keys_lock);
}
