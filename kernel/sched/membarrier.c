/*
 * membarrier.c - membarrier(2): a memory barrier on other CPUs, as
 * Linux's kernel/sched/membarrier.c reports and checks it.
 *
 * A barrier on another CPU is an inter-processor interrupt that the
 * CPU answers (arch_tlb_shootdown: the sender waits until each target
 * has taken the interrupt and flushed its TLB, which passes a locked
 * operation and a serialising CR3 write or invlpg, so also satisfies
 * the SYNC_CORE commands). The CPUs sent to are:
 *   GLOBAL, GLOBAL_EXPEDITED   every other CPU (Linux waits for an RCU
 *                              grace period or IPIs the registered
 *                              processes' CPUs; every CPU is a superset)
 *   PRIVATE_EXPEDITED[_SYNC_CORE]  the CPUs whose page-table register
 *                              holds the caller's mm (mm->cpu_mask), after
 *                              the mm registered (EPERM before)
 * Registrations live in mm->membarrier_state with Linux's bits: fork
 * keeps them (membarrier_fork), execve's new mm starts with none. Aspen
 * has no rseq, so the RSEQ commands are EINVAL and not in QUERY's mask,
 * as Linux built without CONFIG_RSEQ.
 */
#include "sched/membarrier.h"
#include "proc/task.h"
#include "mm/vm.h"
#include "lib/errno.h"
#include "arch.h"

#define CMD_QUERY 0
#define CMD_GLOBAL (1 << 0)
#define CMD_GLOBAL_EXPEDITED (1 << 1)
#define CMD_REGISTER_GLOBAL_EXPEDITED (1 << 2)
#define CMD_PRIVATE_EXPEDITED (1 << 3)
#define CMD_REGISTER_PRIVATE_EXPEDITED (1 << 4)
#define CMD_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)
#define CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#define CMD_PRIVATE_EXPEDITED_RSEQ (1 << 7)
#define CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ (1 << 8)
#define CMD_GET_REGISTRATIONS (1 << 9)
#define CMD_FLAG_CPU (1 << 0)

#define SUPPORTED (CMD_GLOBAL | CMD_GLOBAL_EXPEDITED | CMD_REGISTER_GLOBAL_EXPEDITED | \
		   CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED | \
		   CMD_PRIVATE_EXPEDITED_SYNC_CORE | CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE | \
		   CMD_GET_REGISTRATIONS)

/* Linux's MEMBARRIER_STATE_* bits: a registration, and its READY. */
#define ST_PRIVATE_READY (1u << 0)
#define ST_PRIVATE (1u << 1)
#define ST_GLOBAL_READY (1u << 2)
#define ST_GLOBAL (1u << 3)
#define ST_SYNC_CORE_READY (1u << 4)
#define ST_SYNC_CORE (1u << 5)

void membarrier_fork(struct mm *child, struct mm *parent)
{
	__atomic_store_n(&child->membarrier_state,
			 __atomic_load_n(&parent->membarrier_state, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

/* A full barrier here and on every CPU of mask (this one excluded). */
static void barrier_on(uint64_t mask)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mask &= ~(1UL << arch_cpu_id());
	if (mask)
		arch_tlb_shootdown(mask);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static uint64_t all_cpus(void)
{
	int n = arch_ncpus();
	return n >= 64 ? ~0UL : (1UL << n) - 1;
}

static long private_expedited(struct mm *mm, uint32_t ready)
{
	if (!(__atomic_load_n(&mm->membarrier_state, __ATOMIC_ACQUIRE) & ready))
		return -EPERM;
	barrier_on(__atomic_load_n(&mm->cpu_mask, __ATOMIC_ACQUIRE));
	return 0;
}

/* Linux's: SYNC_CORE registers the private command's state bit without
 * its READY, so PRIVATE_EXPEDITED itself stays EPERM. */
static long register_state(struct mm *mm, uint32_t set)
{
	__atomic_or_fetch(&mm->membarrier_state, set, __ATOMIC_ACQ_REL);
	return 0;
}

/* The REGISTER_* commands whose state bits mm has. */
static long registrations(struct mm *mm)
{
	uint32_t st = __atomic_load_n(&mm->membarrier_state, __ATOMIC_ACQUIRE);
	long mask = 0;
	if (st & (ST_GLOBAL | ST_GLOBAL_READY))
		mask |= CMD_REGISTER_GLOBAL_EXPEDITED;
	if (st & (ST_PRIVATE | ST_PRIVATE_READY))
		mask |= CMD_REGISTER_PRIVATE_EXPEDITED;
	if (st & (ST_SYNC_CORE | ST_SYNC_CORE_READY))
		mask |= CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE;
	return mask;
}

long sys_membarrier(int cmd, unsigned flags, int cpu_id)
{
	struct mm *mm = current->mm;
	if (flags && !(cmd == CMD_PRIVATE_EXPEDITED_RSEQ && flags == CMD_FLAG_CPU))
		return -EINVAL;
	switch (cmd) {
	case CMD_QUERY:
		return SUPPORTED;
	case CMD_GLOBAL:
	case CMD_GLOBAL_EXPEDITED:
		barrier_on(all_cpus());
		return 0;
	case CMD_REGISTER_GLOBAL_EXPEDITED:
		return register_state(mm, ST_GLOBAL | ST_GLOBAL_READY);
	case CMD_PRIVATE_EXPEDITED:
		return private_expedited(mm, ST_PRIVATE_READY);
	case CMD_REGISTER_PRIVATE_EXPEDITED:
		return register_state(mm, ST_PRIVATE | ST_PRIVATE_READY);
	case CMD_PRIVATE_EXPEDITED_SYNC_CORE:
		return private_expedited(mm, ST_SYNC_CORE_READY);
	case CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
		return register_state(mm, ST_PRIVATE | ST_SYNC_CORE | ST_SYNC_CORE_READY);
	case CMD_GET_REGISTRATIONS:
		return registrations(mm);
	default:
		return -EINVAL;   /* the RSEQ commands too: no rseq */
	}
}
