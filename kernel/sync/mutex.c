/*
 * mutex.c - the sleeping lock (sync/mutex.h). A waiter queues itself on
 * the mutex and sleeps; unlock wakes the first, which competes for the
 * lock again (so a task arriving meanwhile may take it first: no
 * hand-off, as Linux's mutexes without their optimistic spinning). The
 * scheduler is reached only through sync/sleep.h.
 */
#include "sync/mutex.h"
#include "sync/sleep.h"
#include "lib/lockorder.h"
#include "arch.h"

struct mutex_waiter {
	struct list_head link;   /* in m->waiters, under m->lock */
	struct task *task;
};

void mutex_init(struct mutex *m, const char *name)
{
	spin_init(&m->lock, name);
	m->lock.level = LOCK_LEVEL_INTERNAL;
	m->owner = NULL;
	m->name = name;
	list_init(&m->waiters);
}

/* The uncontended lock and unlock are one compare-and-swap and one
 * store: m->lock is taken only when a task must sleep, or wake one. A
 * waiter queues itself, marks itself asleep (an exchange: a full
 * barrier), then tries again; unlock clears owner, fences, then looks at
 * the queue: one of the two sees the other, so no waiter sleeps past an
 * unlock unwoken. */
static bool mutex_try_take(struct mutex *m, struct task *self)
{
	void *none = NULL;
	return __atomic_compare_exchange_n(&m->owner, &none, self, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static void mutex_taken(struct mutex *m, bool nested)
{
	if (nested)
		sleep_lock_taken_nested(m, m->name);
	else
		sleep_lock_taken(m, m->name);
}

/* Take m, sleeping while another task has it; nested: the caller may
 * hold others of m's class already (sync/mutex.h). */
static void mutex_take(struct mutex *m, bool nested)
{
	struct task *self = arch_current();
	if (likely(mutex_try_take(m, self))) {
		mutex_taken(m, nested);
		return;
	}
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == self)
		panic("mutex_lock: %s taken twice", m->name);
	struct mutex_waiter w = { .task = self };
	spin_lock(&m->lock);
	list_add_tail(&w.link, &m->waiters);
	for (;;) {
		set_current_state(SLEEP_UNINTERRUPTIBLE);
		if (mutex_try_take(m, self))
			break;
		spin_unlock(&m->lock);
		schedule();
		spin_lock(&m->lock);
	}
	set_current_state(SLEEP_RUNNING);
	list_del(&w.link);
	spin_unlock(&m->lock);
	mutex_taken(m, nested);
}

void mutex_lock(struct mutex *m) { mutex_take(m, false); }
void mutex_lock_nested(struct mutex *m) { mutex_take(m, true); }

bool mutex_trylock(struct mutex *m)
{
	bool taken = mutex_try_take(m, arch_current());
	if (taken)
		sleep_lock_tried(m, m->name);
	return taken;
}

void mutex_unlock(struct mutex *m)
{
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) != arch_current())
		panic("mutex_unlock: %s not held by the caller", m->name);
	sleep_lock_dropped(m);
	__atomic_store_n(&m->owner, NULL, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (likely(__atomic_load_n(&m->waiters.next, __ATOMIC_RELAXED) == &m->waiters))
		return;
	spin_lock(&m->lock);
	if (!list_empty(&m->waiters))
		wake_task(list_first_entry(&m->waiters, struct mutex_waiter, link)->task, false);
	spin_unlock(&m->lock);
}

bool mutex_held(struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == arch_current();
}
