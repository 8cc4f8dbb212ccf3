/*
 * smp.c - bringing up the other CPUs, and the inter-processor interrupts
 * the generic code asks for (reschedule, TLB shootdown).
 *
 * The boot CPU finds the CPUs in the ACPI MADT, copies the trampoline to
 * TRAMP_PHYS, and starts each CPU in turn with INIT and two start-up
 * IPIs (the sequence Intel's MP specification prescribes, without its
 * waits for old APICs), waiting until it reports in. Each CPU then sets up its own tables, its APIC timer and
 * its idle task, and enters the scheduler.
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "lib/string.h"
#include "proc/sched.h"

#define TRAMP_PHYS 0x8000UL
#define TRAMP_VECTOR (TRAMP_PHYS >> 12)
#define ICR_INIT 0x4500
#define ICR_STARTUP 0x4600
#define ICR_FIXED 0x4000
#define AP_STACK_ORDER 2
#define AP_WAIT_US 10000000      /* how long a CPU may take to start */
#define KERNEL_VMA 0xffffffff80000000UL
#define X86_P_W 0x3UL

extern const char ap_trampoline[], ap_trampoline_end[];
extern const uint64_t tramp_cr3[], tramp_stack[], tramp_entry[];
extern uint64_t boot_pdpt_low[];

static uint32_t cpu_apic_id[MAX_CPUS];   /* set once at boot */
static int ncpus = 1;
static volatile int ap_index;            /* the CPU being started */
static volatile bool ap_alive;
static volatile bool ap_abandoned;       /* one did not start in time: if it ever does, it halts */

/* TLB shootdown requests: bit s of tlb_req[c] says CPU s waits for CPU c
 * to flush. Set by the sender, cleared by c after its flush. */
static uint64_t tlb_req[MAX_CPUS];

int arch_ncpus(void) { return ncpus; }

static void delay_us(uint64_t us)
{
	uint64_t until = arch_clock_ns() + us * 1000;
	while (arch_clock_ns() < until)
		__asm__ volatile("pause");
}

/* Write one of the trampoline's slots in its low copy. */
static void tramp_set(const uint64_t *slot, uint64_t value)
{
	uint64_t off = (uint64_t)slot - (uint64_t)ap_trampoline;
	*(uint64_t *)phys_to_virt(TRAMP_PHYS + off) = value;
}

/* ap_main - an application processor's first C code. */
static __noreturn void ap_main(void)
{
	if (ap_abandoned)   /* too late: its index, stack and page table are not its own any more */
		for (;;)
			__asm__ volatile("cli; hlt");
	int cpu = ap_index;
	cpu_init(cpu);
	pt_switch(pt_kernel_root());
	lapic_init_cpu(false);
	lapic_timer_init_cpu();
	ap_alive = true;
	sched_start_cpu(cpu);
}

static bool start_ap(int cpu, uint32_t apic_id, paddr_t pml4)
{
	paddr_t stack = frame_alloc_kernel(AP_STACK_ORDER);
	if (!stack)
		return false;
	tramp_set(tramp_cr3, pml4);
	tramp_set(tramp_stack, (uint64_t)phys_to_virt(stack) + (PAGE_SIZE << AP_STACK_ORDER));
	tramp_set(tramp_entry, (uint64_t)ap_main);
	ap_index = cpu;
	ap_alive = false;
	/* No 10 ms pause after INIT, and 10 us (not 200) after each
	 * start-up IPI: the MP specification's delays are for the external
	 * APICs of old machines; every x86-64 CPU takes the IPIs at once,
	 * and Linux waits so little on them too (smp_quirk_init_udelay). */
	lapic_send_ipi(apic_id, ICR_INIT);
	for (int i = 0; i < 2 && !ap_alive; i++) {
		lapic_send_ipi(apic_id, ICR_STARTUP | TRAMP_VECTOR);
		delay_us(10);
	}
	/* Up to 10 s, as Linux: the wait ends when the CPU is up (about a
	 * millisecond), but a virtual CPU's thread on a busy host may not
	 * run for a while (100 ms was seen to be too short in make soak). */
	for (int i = 0; i < AP_WAIT_US / 100 && !ap_alive; i++)
		delay_us(100);
	return ap_alive;
}

/* arch_start_other_cpus - start every other CPU the firmware lists. Boot CPU,
 * interrupts on, scheduler ready. */
void arch_start_other_cpus(void)
{
	uint32_t ids[MAX_CPUS];
	int n = acpi_find_cpus(ids, MAX_CPUS);
	cpu_apic_id[0] = lapic_id();
	if (n <= 1)
		return;
	memcpy(phys_to_virt(TRAMP_PHYS), ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
	/* The APs' first page table: the kernel's, plus this page 1:1. */
	paddr_t pml4 = pt_create();
	if (!pml4)
		return;
	((uint64_t *)phys_to_virt(pml4))[0] = ((uint64_t)boot_pdpt_low - KERNEL_VMA) | X86_P_W;
	for (int i = 0; i < n && ncpus < MAX_CPUS; i++) {
		if (ids[i] == cpu_apic_id[0])
			continue;
		cpu_apic_id[ncpus] = ids[i];
		if (start_ap(ncpus, ids[i], pml4)) {
			ncpus++;
			continue;
		}
		/* It may still start one day: it must then find the trampoline's
		 * page table and stack where they were (both kept), and halt. */
		ap_abandoned = true;
		pr_warn("smp: CPU with APIC id %u did not start in %d s: going on with %d\n", ids[i],
			AP_WAIT_US / 1000000, ncpus);
		pr_info("smp: %d CPUs running\n", ncpus);
		return;
	}
	((uint64_t *)phys_to_virt(pml4))[0] = 0;   /* not ours to free */
	frame_put(pml4);
	pr_info("smp: %d CPUs running\n", ncpus);
}

/* arch_send_resched - make CPU cpu look at the run queue now. */
void arch_send_resched(int cpu)
{
	lapic_send_ipi(cpu_apic_id[cpu], ICR_FIXED | VEC_IPI_RESCHED);
}

/* Serve the requests pending for this CPU: flush, then acknowledge
 * exactly the requests seen before the flush. */
static void serve_tlb_requests(void)
{
	int self = arch_cpu_id();
	uint64_t req = __atomic_load_n(&tlb_req[self], __ATOMIC_ACQUIRE);
	if (!req)
		return;
	tlb_flush_all();
	__atomic_and_fetch(&tlb_req[self], ~req, __ATOMIC_RELEASE);
}

/* arch_tlb_shootdown - make every CPU in mask (but this one) flush its
 * TLB, and wait until they have. While waiting it serves requests aimed
 * at itself, so two CPUs shooting at each other cannot deadlock. */
void arch_tlb_shootdown(uint64_t mask)
{
	int self = arch_cpu_id();
	uint64_t me = 1UL << self;
	mask &= ~me;
	for (int cpu = 0; cpu < ncpus; cpu++)
		if (mask & (1UL << cpu)) {
			__atomic_or_fetch(&tlb_req[cpu], me, __ATOMIC_SEQ_CST);
			lapic_send_ipi(cpu_apic_id[cpu], ICR_FIXED | VEC_IPI_TLB);
		}
	for (int cpu = 0; cpu < ncpus; cpu++)
		while ((mask & (1UL << cpu)) && (__atomic_load_n(&tlb_req[cpu], __ATOMIC_ACQUIRE) & me)) {
			serve_tlb_requests();
			__asm__ volatile("pause");
		}
}

/* smp_tlb_ipi - the shootdown's receiving end. */
void smp_tlb_ipi(void)
{
	serve_tlb_requests();
}
