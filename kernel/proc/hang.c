/*
 * hang.c - where every CPU and every task is, for a machine that seems
 * hung: the report a hung boot ends with.
 *
 * A report starts with a non-maskable interrupt to every CPU
 * (arch_nmi_all_cpus), which even a CPU spinning with interrupts off
 * takes. Two things send one: the host, through QEMU's monitor, when a
 * boot overruns its time (tools/aspen-exec), and spin_lock, when it has
 * waited SPIN_REPORT_NS for a lock. Each CPU then prints, in turn, the
 * task it runs and where it was (its registers and kernel backtrace);
 * the last of the round prints every task: state, CPU, and for a task
 * switched out the kernel stack it sleeps on. The CPUs wait in the
 * handler until the task list is printed, so it cannot change under
 * the report.
 *
 * Nothing here takes a lock: the CPU holding one may be the hung one.
 * Every wait is bounded (HANG_WAIT_NS), so a CPU that never answers
 * does not stop the others. Output bypasses console_lock meanwhile.
 */
#include "proc/hang.h"
#include "proc/task.h"
#include "lib/console.h"
#include "arch.h"
#include "boot.h"

#define HANG_WAIT_NS 3000000000UL   /* for another CPU's part of the report */

static uint32_t next_ticket;   /* atomic: the order in which CPUs arrive */
static uint32_t turn;          /* atomic: whose part is being printed */

/* Wait until turn reaches at least t, or HANG_WAIT_NS passed. */
static void wait_turn(uint32_t t)
{
	uint64_t give_up = arch_clock_ns() + HANG_WAIT_NS;
	while ((int32_t)(__atomic_load_n(&turn, __ATOMIC_ACQUIRE) - t) < 0 && arch_clock_ns() < give_up)
		arch_cpu_relax();
}

static char state_char(const struct task *t)
{
	static const char names[] = "RSDTXt";   /* t: a ptrace stop, as /proc's */
	return t->state <= TASK_TRACED ? names[t->state] : '?';
}

static void report_task(const struct task *t)
{
	printk(LOG_ERR, "  tid %d (%s) %c%s%s\n", t->tid, t->proc->comm, state_char(t),
	       t->on_cpu ? ", on a CPU" : "", t->on_rq ? ", queued" : "");
	if (!t->on_cpu && t->ctx)
		arch_backtrace_switched_out(t->ctx);
}

/* Every task of every process, walked without tasklist_lock: the other
 * CPUs are held in their NMI handlers meanwhile. */
static void report_tasks(void)
{
	struct process *p;
	struct task *t;
	printk(LOG_ERR, "hang report: tasks (R running, S/D asleep, T stopped, X dead)\n");
	list_for_each_entry(p, &all_processes, all_link) {
		if (p->state == PROC_ZOMBIE) {
			printk(LOG_ERR, "  pid %d (%s) zombie\n", p->pid, p->comm);
			continue;
		}
		list_for_each_entry(t, &p->threads, thread_link)
			report_task(t);
	}
	printk(LOG_ERR, "hang report: end\n");
}

void hang_report_cpu(const struct trapframe *tf)
{
	uint32_t ncpus = (uint32_t)arch_ncpus();
	uint32_t ticket = __atomic_fetch_add(&next_ticket, 1, __ATOMIC_ACQ_REL);
	uint32_t round_last = ticket - ticket % ncpus + ncpus - 1;
	wait_turn(ticket);
	console_emergency(true);
	struct task *t = current;
	printk(LOG_ERR, "\nhang report: CPU %d of %u, task %d (%s), ", arch_cpu_id(), ncpus,
	       t ? t->tid : -1, t && t->proc ? t->proc->comm : "?");
	arch_report_interrupted(tf);
	if (ticket == round_last) {
		report_tasks();
		if (boot_options.crash)
			arch_poweroff(1);   /* the hang was asked for (aspen.crash=deadlock): done */
	}
	console_emergency(false);
	__atomic_store_n(&turn, ticket + 1, __ATOMIC_RELEASE);
	wait_turn(round_last + 1);
}
