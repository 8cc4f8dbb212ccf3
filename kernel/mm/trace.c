/*
 * trace.c - recording the memory event trace (trace.h): sessions, who
 * is traced, the events, and snapshots of whole address spaces.
 *
 * One ring of 64-byte records under trace_lock, a leaf spinlock: it is
 * taken with mm->lock or tasklist_lock held, never the other way. A
 * record is built on the stack and copied in whole; when the ring is
 * full it is dropped and counted, and the reader is told how many were
 * lost (a TR_LOST record) rather than shown a gap. Readers sleep on
 * trace_readers, woken when the ring stops being empty or the session
 * ends (trace_text.c reads).
 *
 * Snapshots (TR_SNAP, then TR_REGION and TR_PAGE records, then
 * TR_SNAP_END) are written under mm->lock, so no fault of that address
 * space can come between their records: the reader sees the address
 * space exactly as it was. The ring holds them like any record.
 */
#include "mm/trace.h"
#include "mm/trace_impl.h"
#include "mm/vm.h"
#include "mm/frame.h"
#include "mm/pagetable.h"
#include "mm/phys.h"
#include "mm/swap.h"
#include "proc/task.h"
#include "fs/vfs.h"
#include "arch.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/sched.h>

int trace_active;
struct spinlock trace_lock = SPINLOCK_INIT("trace");
struct trace_state trace;
struct wait_queue trace_readers = {
	SPINLOCK_INIT("trace_readers"), LIST_HEAD_INIT(trace_readers.waiters),
};
static uint32_t next_mm_id;   /* atomic: trace ids of address spaces, never reused */

/* ---- the ring ---- */

/* Copy r into the ring (seq and time stamped here). Dropped, and
 * counted, when the ring is full; ignored when no session is on. */
static void emit(struct trace_rec *r)
{
	bool wake = false;
	r->ns = arch_clock_ns();
	spin_lock(&trace_lock);
	if (trace.on && trace.ring) {
		if (trace.tail - trace.head >= TRACE_RING_RECORDS) {
			trace.lost++;
		} else {
			wake = trace.tail == trace.head;
			r->seq = trace.seq++;
			trace.ring[trace.tail++ % TRACE_RING_RECORDS] = *r;
		}
	}
	spin_unlock(&trace_lock);
	if (wake)
		wake_up(&trace_readers);
}

size_t trace_ring_pop_locked(struct trace_rec *out, size_t max)
{
	size_t n = 0;
	if (trace.lost && max) {
		memset(&out[0], 0, sizeof(out[0]));
		out[0].type = TR_LOST;
		out[0].len = trace.lost;
		out[0].seq = trace.seq;   /* the next record's number: where the gap ends */
		trace.lost = 0;
		n = 1;
	}
	for (; n < max && trace.head != trace.tail; n++)
		out[n] = trace.ring[trace.head++ % TRACE_RING_RECORDS];
	return n;
}

void trace_ring_release_if_done(void)
{
	struct trace_rec *ring = NULL;
	spin_lock(&trace_lock);
	if (!trace.on && trace.head == trace.tail && !trace.lost) {
		ring = trace.ring;
		trace.ring = NULL;
	}
	spin_unlock(&trace_lock);
	if (ring)
		frame_free_order(virt_to_phys(ring), TRACE_RING_ORDER);
}

/* A record of type for the running task, about process pid. */
static struct trace_rec rec(int type, int pid, uint32_t mm)
{
	struct trace_rec r;
	memset(&r, 0, sizeof(r));
	r.type = (uint16_t)type;
	r.pid = pid;
	r.tid = current ? current->tid : 0;
	r.mm = mm;
	return r;
}

/* ---- who is traced ---- */

static uint32_t session_now(void)
{
	return __atomic_load_n(&trace.session, __ATOMIC_ACQUIRE);
}

static bool proc_traced(const struct process *p)
{
	return p && (__atomic_load_n(&trace.mode, __ATOMIC_RELAXED) == TRACE_MODE_ALL ||
		     __atomic_load_n(&p->trace_session, __ATOMIC_RELAXED) == session_now());
}

static bool current_traced(void)
{
	return current && proc_traced(current->proc);
}

static int current_pid(void)
{
	return current && current->proc ? current->proc->pid : 0;
}

/* mm's trace id in this session, or 0 when it is not traced. */
static uint32_t mm_id(struct mm *mm)
{
	if (!mm)
		return 0;
	uint64_t tag = __atomic_load_n(&mm->trace_tag, __ATOMIC_ACQUIRE);
	return (uint32_t)(tag >> 32) == session_now() ? (uint32_t)tag : 0;
}

/* mm's trace id, given one now if it has none in this session. */
static uint32_t mm_id_assign(struct mm *mm)
{
	uint64_t old = __atomic_load_n(&mm->trace_tag, __ATOMIC_ACQUIRE);
	for (;;) {
		uint32_t s = session_now();
		if ((uint32_t)(old >> 32) == s)
			return (uint32_t)old;
		uint64_t tag = (uint64_t)s << 32 | __atomic_add_fetch(&next_mm_id, 1, __ATOMIC_RELAXED);
		if (__atomic_compare_exchange_n(&mm->trace_tag, &old, tag, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return (uint32_t)tag;
	}
}

/* ---- snapshots ---- */

struct snap_walk {
	int pid;
	uint32_t mm;
	uint64_t pages;
};

/* A leaf's page as the view shows it, the table holding it used by
 * `users` address spaces: writable only in a table of one user (a
 * shared table lets no write through). */
static uint32_t page_flags(pte_t pte, unsigned users)
{
	uint32_t f = (pte_rights(pte) & PTE_WRITE) && users == 1 ? TP_WRITE : 0;
	if (frame_of(pte_addr(pte))->flags & FRAME_FILE)
		f |= TP_FILE;
	return f;
}

/* The mappings of a leaf's frame: its references, plus the other users
 * of a shared page table, whose one reference maps it for all. */
static uint32_t page_refs(const pte_t *pte)
{
	return frame_refcount(pte_addr(*pte)) + pt_leaf_users(pte) - 1;
}

/* One page of a snapshot: present (its frame), or in swap (its slot). */
static int snap_page_fn(const pte_t *pte, vaddr_t va, void *arg)
{
	struct snap_walk *w = arg;
	struct trace_rec r = rec(TR_PAGE, w->pid, w->mm);
	r.addr = va;
	if (pte_is_swap(*pte)) {
		r.frame = pte_to_swp_entry(*pte).val;
		r.arg = TP_SWAP;
	} else {
		r.frame = pte_addr(*pte) >> PAGE_SHIFT;
		r.ref = page_refs(pte);
		r.arg = page_flags(*pte, pt_leaf_users(pte));
	}
	emit(&r);
	w->pages++;
	return 0;
}

/* One TR_REGION record per region of mm. mm->lock held. */
static void emit_regions_locked(struct mm *mm, int pid, uint32_t id)
{
	for (struct region *g = region_first(&mm->regions); g; g = region_next(g)) {
		struct trace_rec r = rec(TR_REGION, pid, id);
		r.addr = g->start;
		r.len = g->end - g->start;
		r.arg = g->prot | g->flags;
		r.frame = g->file ? g->file->ino : 0;
		r.ref = g->file ? (uint32_t)(g->file_off >> PAGE_SHIFT) : 0;
		r.sub = g->file && g->file == mm->exe;
		emit(&r);
	}
}

/* Write a snapshot of mm (used by process pid, named comm) into the
 * trace. Takes mm->lock; may sleep. */
static void snapshot_mm(struct mm *mm, int pid, const char *comm, int why)
{
	struct snap_walk w = { pid, mm_id_assign(mm), 0 };
	mutex_lock(&mm->lock);
	struct trace_rec r = rec(TR_SNAP, pid, w.mm);
	r.sub = (uint16_t)why;
	r.ref = (uint32_t)mm->regions.count;
	strlcpy(r.name, comm, MIN(sizeof(r.name), (size_t)TASK_COMM_LEN));
	emit(&r);
	emit_regions_locked(mm, pid, w.mm);
	pt_for_each_used(mm, 0, USER_STACK_TOP, snap_page_fn, &w);
	r = rec(TR_SNAP_END, pid, w.mm);
	r.len = w.pages;
	emit(&r);
	mutex_unlock(&mm->lock);
}

/* The address space of live process pid, referenced (NULL if none),
 * and its name into comm; with traced_only, only if it is traced. */
static struct mm *proc_mm_get(int pid, bool traced_only, char comm[TASK_COMM_LEN])
{
	struct mm *mm = NULL;
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(pid);
	if (p && p->state == PROC_ALIVE && (!traced_only || proc_traced(p)) && !list_empty(&p->threads)) {
		struct task *t = p->leader ? p->leader : list_first_entry(&p->threads, struct task, thread_link);
		if (t->mm)
			mm = mm_get(t->mm);
		memcpy(comm, p->comm, TASK_COMM_LEN);
		comm[TASK_COMM_LEN - 1] = '\0';
	}
	spin_unlock(&tasklist_lock);
	return mm;
}

/* Snapshot every live traced process. May sleep. */
static void snapshot_traced(int why)
{
	char comm[TASK_COMM_LEN];
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct mm *mm = proc_mm_get(pid, true, comm);
		if (mm) {
			snapshot_mm(mm, pid, comm, why);
			mm_put(mm);
		}
	}
}

/* ---- events ---- */

void trace_mm_created_slow(struct mm *mm)
{
	if (current_traced())
		mm_id_assign(mm);
}

void trace_mm_free_slow(struct mm *mm)
{
	uint32_t id = mm_id(mm);
	if (!id)
		return;
	struct trace_rec r = rec(TR_MM_FREE, current_pid(), id);
	emit(&r);
}

/* The outcome of a fault that changed an entry from before to after:
 * the cases of fault.c's table, told apart by what changed. */
static int fault_how(const struct region *g, vaddr_t va, pte_t before, pte_t after)
{
	if (!pte_present(before)) {
		if (before)
			return TRACE_FAULT_SWAP_IN;   /* a swap entry */
		if (frame_of(pte_addr(after))->flags & FRAME_FILE)
			return TRACE_FAULT_FILE;
		return g->file && va - g->start < g->file_size ? TRACE_FAULT_FILE_COPY : TRACE_FAULT_ZERO;
	}
	if (pte_addr(before) != pte_addr(after))
		return TRACE_FAULT_COW_COPY;
	return g->flags & REGION_SHARED ? TRACE_FAULT_SHARED_WRITE : TRACE_FAULT_COW_REUSE;
}

void trace_fault_slow(struct mm *mm, const struct region *g, vaddr_t va, pte_t before, pte_t after)
{
	uint32_t id = mm_id(mm);
	if (!id || before == after || !pte_present(after))
		return;
	struct trace_rec r = rec(TR_FAULT, current_pid(), id);
	paddr_t pa = pte_addr(after);
	r.sub = (uint16_t)fault_how(g, va, before, after);
	r.addr = va;
	r.frame = pa >> PAGE_SHIFT;
	r.ref = frame_refcount(pa);
	r.arg = page_flags(after, 1);   /* the fault made the table its own */
	if (r.sub == TRACE_FAULT_COW_COPY) {
		r.len = pte_addr(before) >> PAGE_SHIFT;
		r.arg |= frame_refcount(pte_addr(before)) << 16;
	}
	emit(&r);
}

void trace_map_slow(struct mm *mm, int op, vaddr_t addr, uint64_t len, int prot, int flags)
{
	uint32_t id = mm_id(mm);
	if (!id || IS_ERR_VALUE(addr))
		return;
	int pid = current_pid();
	struct trace_rec r = rec(TR_MAP, pid, id);
	r.sub = (uint16_t)op;
	r.addr = addr;
	r.len = len;
	r.arg = (uint32_t)prot;
	r.ref = (uint32_t)flags;
	emit(&r);
	mutex_lock(&mm->lock);
	r = rec(TR_REGIONS, pid, id);
	r.len = mm->regions.count;
	emit(&r);
	emit_regions_locked(mm, pid, id);
	mutex_unlock(&mm->lock);
}

void trace_resnap_slow(struct mm *mm, int why, vaddr_t addr, uint64_t len, int prot)
{
	uint32_t id = mm_id(mm);
	if (!id || IS_ERR_VALUE(addr))
		return;
	struct trace_rec r = rec(why == TRACE_SNAP_MREMAP ? TR_MREMAP : TR_MPROTECT, current_pid(), id);
	r.addr = addr;
	r.len = len;
	r.arg = (uint32_t)prot;
	emit(&r);
	snapshot_mm(mm, current_pid(), current->proc->comm, why);
}

/* A record of type with addr and len about traced mm. */
static void emit_range(struct mm *mm, int type, vaddr_t addr, uint64_t len)
{
	uint32_t id = mm_id(mm);
	if (!id)
		return;
	struct trace_rec r = rec(type, current_pid(), id);
	r.addr = addr;
	r.len = len;
	emit(&r);
}

void trace_dontneed_slow(struct mm *mm, vaddr_t addr, uint64_t len)
{
	emit_range(mm, TR_DONTNEED, addr, len);
}

void trace_clone_slow(struct task *parent, struct task *child, uint64_t flags, int strategy)
{
	struct process *pp = parent->proc, *cp = child->proc;
	if (!proc_traced(pp))
		return;
	if (flags & CLONE_THREAD) {
		struct trace_rec r = rec(TR_THREAD, pp->pid, mm_id(child->mm));
		r.addr = (uint64_t)child->tid;
		emit(&r);
		return;
	}
	__atomic_store_n(&cp->trace_session, session_now(), __ATOMIC_RELAXED);   /* inherited */
	struct trace_rec r = rec(TR_FORK, pp->pid, mm_id(parent->mm));
	r.addr = (uint64_t)cp->pid;
	r.len = mm_id_assign(child->mm);
	r.arg = (uint32_t)flags;
	r.sub = (uint16_t)strategy;
	emit(&r);
	if (!(flags & CLONE_VM)) {
		snapshot_mm(parent->mm, pp->pid, pp->comm, TRACE_SNAP_FORK);
		snapshot_mm(child->mm, cp->pid, cp->comm, TRACE_SNAP_FORK);
	}
}

void trace_exec_slow(struct task *t)
{
	if (!proc_traced(t->proc))
		return;
	struct trace_rec r = rec(TR_EXEC, t->proc->pid, mm_id_assign(t->mm));
	memcpy(r.name, t->proc->comm, MIN(sizeof(r.name) - 1, sizeof(t->proc->comm)));
	r.name[sizeof(r.name) - 1] = '\0';
	emit(&r);
	snapshot_mm(t->mm, t->proc->pid, t->proc->comm, TRACE_SNAP_EXEC);
}

void trace_exit_slow(struct task *t, int status)
{
	struct process *p = t->proc;
	if (!proc_traced(p))
		return;
	if (t->mm && __atomic_load_n(&t->mm->users, __ATOMIC_ACQUIRE) == 1)
		snapshot_mm(t->mm, p->pid, p->comm, TRACE_SNAP_EXIT);
	struct trace_rec r = rec(TR_EXIT, p->pid, t->mm ? mm_id(t->mm) : 0);
	r.len = (uint64_t)(uint32_t)status;
	r.sub = __atomic_load_n(&p->nthreads, __ATOMIC_RELAXED) == 1;
	emit(&r);
}

void trace_page_out_slow(struct mm *mm, vaddr_t va, uint64_t slot)
{
	emit_range(mm, TR_PAGE_OUT, va, slot);
}

/* ---- sessions ---- */

/* Start a session in mode, unless one is on (then pid mode may add a
 * process: *fresh false). 0, -EBUSY or -ENOMEM. */
static int session_start(enum trace_mode mode, int target, bool *fresh)
{
	paddr_t ring = 0;
	if (!__atomic_load_n(&trace.ring, __ATOMIC_ACQUIRE) && !(ring = frame_alloc_kernel(TRACE_RING_ORDER)))
		return -ENOMEM;
	int err = 0;
	spin_lock(&trace_lock);
	*fresh = !trace.on;
	if (trace.on && (mode == TRACE_MODE_ALL || trace.mode == TRACE_MODE_ALL)) {
		err = -EBUSY;
	} else if (*fresh) {
		if (!trace.ring && ring) {
			trace.ring = phys_to_virt(ring);
			ring = 0;
		}
		trace.head = trace.tail = trace.lost = 0;
		__atomic_store_n(&trace.session, trace.session + 1, __ATOMIC_RELEASE);
		trace.mode = mode;
		trace.on = true;
		__atomic_store_n(&trace_active, 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&trace_lock);
	if (ring)
		frame_free_order(ring, TRACE_RING_ORDER);
	if (!err && *fresh) {
		struct trace_rec r = rec(TR_START, current_pid(), 0);
		r.sub = (uint16_t)mode;
		r.len = (uint64_t)target;
		emit(&r);
	}
	return err;
}

/* "pid N": trace N and its descendants from now on. N is marked before
 * its address space is taken for the first snapshot: an exec racing with
 * the command then either comes before (the snapshot shows the new
 * program) or is recorded (its exec record and snapshot follow ours). */
static int command_pid(int pid)
{
	bool fresh;
	char comm[TASK_COMM_LEN];
	if (pid == 0)
		pid = current_pid();
	struct mm *mm = proc_mm_get(pid, false, comm);
	if (!mm)
		return -ESRCH;
	mm_put(mm);
	int err = session_start(TRACE_MODE_PID, pid, &fresh);
	if (err)
		return err;
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(pid);
	if (p)
		__atomic_store_n(&p->trace_session, session_now(), __ATOMIC_RELAXED);
	spin_unlock(&tasklist_lock);
	mm = proc_mm_get(pid, false, comm);
	if (mm) {
		snapshot_mm(mm, pid, comm, TRACE_SNAP_START);
		mm_put(mm);
	}
	return 0;
}

/* "off": last snapshots, the end record, then nothing more is recorded. */
static int command_off(void)
{
	if (!__atomic_load_n(&trace.on, __ATOMIC_ACQUIRE))
		return 0;
	snapshot_traced(TRACE_SNAP_END);
	struct trace_rec r = rec(TR_END, current_pid(), 0);
	emit(&r);
	spin_lock(&trace_lock);
	trace.on = false;
	__atomic_store_n(&trace_active, 0, __ATOMIC_RELEASE);
	spin_unlock(&trace_lock);
	wake_up(&trace_readers);
	trace_ring_release_if_done();
	return 0;
}

static bool word_is(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);
	return len >= n && !memcmp(s, w, n) && (len == n || s[n] == ' ');
}

/* A decimal number at s (len bytes, trailing spaces allowed), or -1. */
static long parse_number(const char *s, size_t len)
{
	long v = -1;
	for (size_t i = 0; i < len && s[i] != ' '; i++) {
		if (s[i] < '0' || s[i] > '9' || v > PID_MAX)
			return -1;
		v = (v < 0 ? 0 : v * 10) + (s[i] - '0');
	}
	return v;
}

int trace_command(const char *cmd, size_t len)
{
	bool fresh;
	while (len && (cmd[len - 1] == '\n' || cmd[len - 1] == ' '))
		len--;
	if (word_is(cmd, len, "all") && len == 3) {
		int err = session_start(TRACE_MODE_ALL, 0, &fresh);
		if (!err)
			snapshot_traced(TRACE_SNAP_START);
		return err;
	}
	if (word_is(cmd, len, "pid") && len > 4) {
		long pid = parse_number(cmd + 4, len - 4);
		return pid < 0 ? -EINVAL : command_pid((int)pid);
	}
	if (word_is(cmd, len, "off") && len == 3)
		return command_off();
	if (word_is(cmd, len, "snapshot") && len == 8) {
		if (__atomic_load_n(&trace.on, __ATOMIC_ACQUIRE))
			snapshot_traced(TRACE_SNAP_END);
		return 0;
	}
	return -EINVAL;
}
