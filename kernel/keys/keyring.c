/*
 * keyring.c - keyrings: keys that hold links to other keys (Linux's
 * security/keys/keyring.c). A keyring holds at most one key of each
 * type and description: linking another replaces it. Links may nest
 * keyrings, never in a cycle (EDEADLK) nor deeper than searches go.
 * All under keys_lock (key_impl.h).
 */
#include "keys/key_impl.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

static bool key_matches(const struct key *k, enum key_type_id type, const char *desc)
{
	return k->type == type && strcmp(k->desc, desc) == 0;
}

struct key *keyring_find_locked(struct key *ring, enum key_type_id type, const char *desc)
{
	for (int i = 0; i < ring->nlinks; i++)
		if (key_matches(ring->links[i], type, desc))
			return ring->links[i];
	return NULL;
}

/* reaches_locked - ring is k, or linked from k through keyrings within
 * depth more levels; *too_deep when the walk went past the limit. */
static bool reaches_locked(const struct key *k, const struct key *ring, int depth, bool *too_deep)
{
	if (k == ring)
		return true;
	if (k->type != KEY_TYPE_KEYRING)
		return false;
	if (depth == 0) {
		*too_deep = k->nlinks > 0;
		return false;
	}
	for (int i = 0; i < k->nlinks; i++)
		if (reaches_locked(k->links[i], ring, depth - 1, too_deep))
			return true;
	return false;
}

/* keyring_link_locked - link k into ring (a reference taken), replacing
 * a key of the same type and description. -ENOTDIR when ring is not a
 * keyring, -EDEADLK for a cycle, -ELOOP when too deep, -ENOMEM. */
int keyring_link_locked(struct key *ring, struct key *k)
{
	if (ring->type != KEY_TYPE_KEYRING)
		return -ENOTDIR;
	if (k->type == KEY_TYPE_KEYRING) {
		bool too_deep = false;
		if (reaches_locked(k, ring, KEY_SEARCH_DEPTH, &too_deep))
			return -EDEADLK;
		if (too_deep)
			return -ELOOP;
	}
	for (int i = 0; i < ring->nlinks; i++) {
		struct key *old = ring->links[i];
		if (key_matches(old, k->type, k->desc)) {
			ring->links[i] = key_get_locked(k);
			key_put_locked(old);
			return 0;
		}
	}
	if (ring->nlinks == ring->maxlinks) {
		int max = ring->maxlinks ? 2 * ring->maxlinks : 4;
		struct key **links = kmalloc(max * sizeof(*links));
		if (!links)
			return -ENOMEM;
		if (ring->nlinks)
			memcpy(links, ring->links, ring->nlinks * sizeof(*links));
		kfree(ring->links);
		ring->links = links;
		ring->maxlinks = max;
	}
	ring->links[ring->nlinks++] = key_get_locked(k);
	return 0;
}

/* keyring_unlink_locked - remove k's link from ring: 0, -ENOENT when
 * not linked there, -ENOTDIR when ring is not a keyring. */
int keyring_unlink_locked(struct key *ring, struct key *k)
{
	if (ring->type != KEY_TYPE_KEYRING)
		return -ENOTDIR;
	for (int i = 0; i < ring->nlinks; i++) {
		if (ring->links[i] == k) {
			memmove(&ring->links[i], &ring->links[i + 1],
				(ring->nlinks - i - 1) * sizeof(*ring->links));
			ring->nlinks--;
			key_put_locked(k);
			return 0;
		}
	}
	return -ENOENT;
}

void keyring_clear_locked(struct key *ring)
{
	while (ring->nlinks)
		key_put_locked(ring->links[--ring->nlinks]);
}

/* The search's state: what it looks for, and the error to give when it
 * finds nothing usable. */
struct search {
	enum key_type_id type;
	const char *desc;
	const struct key *target;
	bool possessed;
	unsigned flags;          /* SEARCH_* */
	int skipped;             /* -EAGAIN, or why the last match was skipped */
};

/* match_locked - k is what s looks for and usable: 1; a match skipped
 * (s->skipped says why) or no match: 0. */
static int match_locked(struct search *s, struct key *k)
{
	int err = 0;
	if (s->target) {
		if (k != s->target)
			return 0;
	} else {
		if (!key_matches(k, s->type, s->desc))
			return 0;
		err = key_validate_locked(k);
		if (err == -ENOKEY || (err == -EKEYEXPIRED && (s->flags & SEARCH_SKIP_EXPIRED)))
			return 0;
	}
	if (!err && (s->flags & SEARCH_CHECK_PERM))
		err = key_permission_locked((struct key_ref){ k, s->possessed, 0 }, KEY_NEED_SEARCH);
	if (err)
		s->skipped = err;
	return !err;
}

static struct key *search_locked(struct search *s, struct key *ring, int depth)
{
	for (int i = 0; i < ring->nlinks; i++)
		if (match_locked(s, ring->links[i]))
			return ring->links[i];
	if (depth == 0)
		return NULL;
	for (int i = 0; i < ring->nlinks; i++) {
		struct key *r = ring->links[i];
		if (r->type != KEY_TYPE_KEYRING || key_validate_locked(r))
			continue;
		if ((s->flags & SEARCH_CHECK_PERM) && key_permission_locked((struct key_ref){ r, s->possessed, 0 },
							   KEY_NEED_SEARCH))
			continue;
		struct key *k = search_locked(s, r, depth - 1);
		if (k)
			return k;
	}
	return NULL;
}

struct key_ref keyring_search_locked(struct key_ref ring, enum key_type_id type, const char *desc,
				     const struct key *target, unsigned flags)
{
	struct search s = { type, desc, target, ring.possessed, flags, -EAGAIN };
	if (ring.key->type != KEY_TYPE_KEYRING)
		return key_ref_err(-ENOTDIR);
	/* The keyring itself may be what is looked for, as in Linux. */
	struct key *k = match_locked(&s, ring.key) ? ring.key : search_locked(&s, ring.key, KEY_SEARCH_DEPTH - 1);
	if (!k)
		return key_ref_err(s.skipped);
	return (struct key_ref){ key_get_locked(k), ring.possessed, 0 };
}
