/*
 * profile.c - the sampling profiler (profile.h): per-CPU sample buffers
 * filled by a periodic NMI, read as text by /proc/profile.
 *
 * The arch sends a non-maskable interrupt each period (arch_profile_timer),
 * which calls profile_sample on the CPU it reaches. The buffers are allocated by the
 * first start for the CPUs then running and kept for the kernel's life
 * (a later start reuses them), so no sample can ever be written into
 * freed memory.
 */
#include "time/profile.h"
#include "time/timer.h"   /* NSEC_PER_USEC */
#include "mm/frame.h"
#include "mm/phys.h"
#include "proc/task.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "arch.h"
#include "boot.h"

#define PROFILE_BUF_ORDER 9     /* 2 MiB per CPU: about 16000 samples */
#define PROFILE_MIN_US 10       /* a shorter period would be mostly interrupt */
#define PROFILE_MAX_US 36000   /* 1.5 times it in 8254 steps (1.19 MHz) fits 16 bits */

struct prof_sample {
	uint64_t ips[PROFILE_DEPTH];  /* ips[0]: where it was; then its callers */
	int32_t pid;                  /* the thread group, 0 for the idle task */
	uint8_t depth;                /* ips in use */
	bool user;
	char comm[TASK_COMM_LEN];
};

struct prof_cpu {
	struct prof_sample *buf;      /* cap samples, kept once allocated */
	uint32_t cap;
	uint32_t n;                   /* samples taken (published with release) */
	uint64_t lost;                /* samples that found the buffer full */
};

static struct prof_cpu prof_cpus[ARCH_MAX_CPUS];
static bool prof_on;                  /* sampling (atomic) */
static bool prof_used;                /* started at least once */
static uint64_t prof_period_ns;       /* of the latest start */
static uint64_t prof_started_ns;
static bool prof_busy;                /* a command is running */

bool profile_used(void)
{
	return __atomic_load_n(&prof_used, __ATOMIC_ACQUIRE);
}

void profile_sample(void)
{
	int cpu = arch_cpu_id();
	struct prof_cpu *pc = &prof_cpus[cpu];
	uint32_t n = pc->n;
	if (!__atomic_load_n(&prof_on, __ATOMIC_ACQUIRE) || !pc->buf)
		return;   /* stopped, or a CPU started after profiling was */
	if (n >= pc->cap) {
		pc->lost++;
		return;
	}
	struct prof_sample *s = &pc->buf[n];
	bool user = false;
	int depth = arch_irq_callchain(s->ips, PROFILE_DEPTH, &user);
	if (depth == 0)
		return;
	struct task *t = current;
	struct process *p = t ? t->proc : NULL;
	s->depth = (uint8_t)depth;
	s->user = user;
	s->pid = p ? p->pid : 0;
	memcpy(s->comm, p ? p->comm : "idle", sizeof(s->comm));
	s->comm[sizeof(s->comm) - 1] = '\0';
	__atomic_store_n(&pc->n, n + 1, __ATOMIC_RELEASE);
}

/* alloc_buffers - a buffer for every CPU running, allocated once (a CPU
 * started later has none and is not sampled). 0 or -ENOMEM. */
static int alloc_buffers(void)
{
	for (int c = 0; c < arch_ncpus(); c++) {
		struct prof_cpu *pc = &prof_cpus[c];
		if (pc->buf)
			continue;
		paddr_t pa = frame_alloc_kernel(PROFILE_BUF_ORDER);
		if (!pa)
			return -ENOMEM;
		pc->cap = (PAGE_SIZE << PROFILE_BUF_ORDER) / sizeof(struct prof_sample);
		__atomic_store_n(&pc->buf, phys_to_virt(pa), __ATOMIC_RELEASE);
	}
	return 0;
}

/* stop - no more samples. One may still be under way on another CPU:
 * the buffers stay, and a start resets the counts after this. */
static void stop(void)
{
	__atomic_store_n(&prof_on, false, __ATOMIC_SEQ_CST);
	arch_profile_timer(0);
}

/* start - empty the buffers and sample every period_ns from now on. */
static int start(uint64_t period_ns)
{
	stop();
	int err = alloc_buffers();
	if (err)
		return err;
	for (int c = 0; c < ARCH_MAX_CPUS; c++) {
		prof_cpus[c].n = 0;
		prof_cpus[c].lost = 0;
	}
	prof_started_ns = arch_clock_ns();
	__atomic_store_n(&prof_used, true, __ATOMIC_SEQ_CST);
	__atomic_store_n(&prof_on, true, __ATOMIC_SEQ_CST);
	prof_period_ns = arch_profile_timer(period_ns);
	if (!prof_period_ns) {
		stop();
		return -EINVAL;
	}
	return 0;
}

/* parse_us - a decimal number of microseconds; -1 if not one. */
static long parse_us(const char *s, size_t len)
{
	long v = 0;
	size_t i = 0;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > PROFILE_MAX_US)
			return -1;
	}
	while (i < len && (s[i] == '\n' || s[i] == ' '))
		i++;
	return i == len && len > 0 && s[0] != '\n' ? v : -1;
}

/* run_command - profile_command with the busy flag held. */
static int run_command(const char *cmd, size_t len)
{
	if ((len == 3 || len == 4) && strncmp(cmd, "off", 3) == 0 && (len == 3 || cmd[3] == '\n')) {
		stop();
		return 0;
	}
	long us = parse_us(cmd, len);
	if (us < 0 || (us != 0 && us < PROFILE_MIN_US))
		return -EINVAL;
	if (us == 0) {
		stop();
		return 0;
	}
	return start((uint64_t)us * NSEC_PER_USEC);
}

int profile_command(const char *cmd, size_t len)
{
	if (__atomic_exchange_n(&prof_busy, true, __ATOMIC_ACQUIRE))
		return -EBUSY;
	int err = run_command(cmd, len);
	__atomic_store_n(&prof_busy, false, __ATOMIC_RELEASE);
	return err;
}

void profile_boot(void)
{
	const char *v = boot_cmdline_value("profile");
	if (!v && !boot_cmdline_has_word("profile"))
		return;
	long us = v ? parse_us(v, strlen(v)) : PROFILE_DEFAULT_US;
	int err = us >= PROFILE_MIN_US ? start((uint64_t)us * NSEC_PER_USEC) : -EINVAL;
	if (err)
		printk(LOG_WARN, "profile: not started (profile=%s): error %d\n", v ? v : "", err);
	else
		printk(LOG_INFO, "profile: sampling every %ld us\n", us);
}

/* format_sample - one line: "K|U CPU PID IP/CALLER/... COMM". */
static int format_sample(char *buf, size_t size, int cpu, const struct prof_sample *s)
{
	int k = snprintf(buf, size, "%c %d %d ", s->user ? 'U' : 'K', cpu, s->pid);
	for (int i = 0; i < s->depth && (size_t)k < size; i++)
		k += snprintf(buf + k, size - k, "%s%lx", i ? "/" : "", (unsigned long)s->ips[i]);
	if ((size_t)k < size)
		k += snprintf(buf + k, size - k, " %s\n", s->comm);
	return k;
}

/* The cursor: 0 before the header; then CPU * 2^32 + 1 + sample index. */
#define CURSOR_CPU(c) ((int)(((c) - 1) >> 32))
#define CURSOR_IDX(c) ((uint32_t)((c) - 1))
#define CURSOR(cpu, idx) (((uint64_t)(cpu) << 32) + (idx) + 1)

long profile_read_text(uint64_t *cursor, char *buf, size_t size)
{
	char line[PROFILE_DEPTH * 17 + 64];
	size_t used = 0;
	if (*cursor == 0) {
		uint64_t lost = 0;
		for (int c = 0; c < ARCH_MAX_CPUS; c++)
			lost += prof_cpus[c].lost;
		int k = snprintf(line, sizeof(line), "# profile period_ns %lu started_ns %lu cpus %d lost %lu\n",
				 (unsigned long)prof_period_ns,
				 (unsigned long)prof_started_ns, arch_ncpus(), (unsigned long)lost);
		if ((size_t)k > size)
			return -EINVAL;
		memcpy(buf, line, k);
		used = k;
		*cursor = CURSOR(0, 0);
	}
	while (CURSOR_CPU(*cursor) < ARCH_MAX_CPUS) {
		int cpu = CURSOR_CPU(*cursor);
		uint32_t idx = CURSOR_IDX(*cursor);
		struct prof_cpu *pc = &prof_cpus[cpu];
		if (idx >= __atomic_load_n(&pc->n, __ATOMIC_ACQUIRE)) {
			*cursor = CURSOR(cpu + 1, 0);
			continue;
		}
		int k = format_sample(line, sizeof(line), cpu, &pc->buf[idx]);
		if (used + k > size)
			break;
		memcpy(buf + used, line, k);
		used += k;
		*cursor += 1;
	}
	return (long)used;
}
