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

/* Take m, sleeping while another task has it; nested: the caller may
 * hold others of m's class already (sync/mutex.h). */
static void mutex_take(struct mutex *m, bool nested)
{
	struct task *self = arch_current();
	struct mutex_waiter w = { .task = self };
	for (;;) {
		spin_lock(&m->lock);
		if (!m->owner) {
			m->owner = self;
			spin_unlock(&m->lock);
			if (nested)
				sleep_lock_taken_nested(m, m->name);
			else
				sleep_lock_taken(m, m->name);
			return;
		}
		if (m->owner == self)
			panic("mutex_lock: %s taken twice", m->name);
		list_add_tail(&w.link, &m->waiters);
		set_current_state(SLEEP_UNINTERRUPTIBLE);
		spin_unlock(&m->lock);
		schedule();
		spin_lock(&m->lock);
		list_del(&w.link);
		spin_unlock(&m->lock);
	}
}

void mutex_lock(struct mutex *m) { mutex_take(m, false); }
void mutex_lock_nested(struct mutex *m) { mutex_take(m, true); }

bool mutex_trylock(struct mutex *m)
{
	spin_lock(&m->lock);
	bool taken = !m->owner;
	if (taken)
		m->owner = arch_current();
	spin_unlock(&m->lock);
	if (taken)
		sleep_lock_taken(m, m->name);
	return taken;
}

void mutex_unlock(struct mutex *m)
{
	spin_lock(&m->lock);
	if (m->owner != arch_current())
		panic("mutex_unlock: %s not held by the caller", m->name);
	sleep_lock_dropped(m);
	m->owner = NULL;
	if (!list_empty(&m->waiters))
		wake_task(list_first_entry(&m->waiters, struct mutex_waiter, link)->task, false);
	spin_unlock(&m->lock);
}

bool mutex_held(struct mutex *m)
{
	return m->owner == arch_current();
}
