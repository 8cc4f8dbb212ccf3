/*
 * proc_keys.c - /proc/keys: the keys the reader may view, one a line,
 * in Linux's format (proc_keys_show): serial, flags, usage, timeout,
 * permissions, owner, group, type, then the type's description
 * ("desc: LEN" for a user key, "desc: N" or "desc: empty" for a
 * keyring). Possession counts, as Linux: the possessor's view bit.
 */
#include "keys/key_impl.h"
#include "fs/procfs/procfs.h"
#include "proc/cred.h"

/* timeout_text - Linux's: "perm", "expd", or what is left in the
 * largest unit under it (s, m, h, d, w). */
static void timeout_text(const struct key *k, int64_t now, char buf[8])
{
	static const struct { int64_t secs; char unit; } units[] = {
		{ 60, 's' }, { 3600, 'm' }, { 86400, 'h' }, { 604800, 'd' },
	};
	if (!k->expiry) {
		snprintf(buf, 8, "perm");
		return;
	}
	int64_t left = k->expiry - now;
	if (left <= 0) {
		snprintf(buf, 8, "expd");
		return;
	}
	int64_t div = 1;
	for (int i = 0; i < 4; i++) {
		if (left < units[i].secs) {
			snprintf(buf, 8, "%lu%c", (unsigned long)(left / div), units[i].unit);
			return;
		}
		div = units[i].secs;
	}
	snprintf(buf, 8, "%luw", (unsigned long)(left / 604800));
}

static void key_line_locked(struct pbuf *b, const struct key *k, int64_t now)
{
	char tmo[8];
	timeout_text(k, now, tmo);
	pbuf_printf(b, "%08x I%c%cQ-%c%c %5u %4s %08x %5d %5d %-9.9s %s", (unsigned)k->serial,
		    k->flags & KEY_REVOKED ? 'R' : '-', k->flags & KEY_DEAD ? 'D' : '-', '-',
		    k->flags & KEY_INVALIDATED ? 'i' : '-', k->refcount, tmo, k->perm,
		    (int)(k->uid == INVALID_ID ? OVERFLOW_ID : k->uid),
		    (int)(k->gid == INVALID_ID ? OVERFLOW_ID : k->gid), key_type_name(k), k->desc);
	if (k->type == KEY_TYPE_USER && k->payload)
		pbuf_printf(b, ": %u", k->payload->len);
	else if (k->type == KEY_TYPE_KEYRING && k->nlinks)
		pbuf_printf(b, ": %d", k->nlinks);
	else if (k->type == KEY_TYPE_KEYRING)
		pbuf_printf(b, ": empty");
	pbuf_printf(b, "\n");
}

int proc_show_keys(const struct procfs_node *n, struct pbuf *b)
{
	int64_t now = keys_now();
	spin_lock(&keys_lock);
	struct key *k;
	list_for_each_entry(k, &key_list, all) {
		struct key_ref ref = { k, false, 0 };
		if (k->perm & KEY_POS_VIEW) {
			struct key_ref found = search_process_keyrings_locked(0, NULL, k, SEARCH_CHECK_PERM);
			ref.possessed = found.key != NULL;
			key_put_locked(found.key);
		}
		if (!key_permission_locked(ref, KEY_NEED_VIEW))
			key_line_locked(b, k, now);
	}
	spin_unlock(&keys_lock);
	return 0;
}
