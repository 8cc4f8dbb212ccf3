/*
 * selftest.c - checks the kernel runs on itself at boot when asked
 * (aspen.selftest), and the deliberate faults the tests use to see that
 * a kernel crash is reported well (aspen.crash=KIND).
 */
#include "boot.h"
#include "arch.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "lib/string.h"
#include "lib/spinlock.h"

static int selftest_failed;

static void report(bool ok, const char *name)
{
	printk(LOG_ERR, "%s selftest_%s\n", ok ? "ok" : "not ok", name);
	selftest_failed |= !ok;
}

static bool frames_come_back(void)
{
	uint64_t before = frames_in_use();
	paddr_t f[64];
	for (int i = 0; i < 64; i++)
		if (!(f[i] = frame_alloc_zeroed()))
			return false;
	for (int i = 0; i < 64; i++)
		frame_put(f[i]);
	return frames_in_use() == before;
}

static bool kmalloc_comes_back(void)
{
	uint64_t before = frames_in_use();
	void *p[100];
	for (int i = 0; i < 100; i++) {
		if (!(p[i] = kmalloc(16u << (i % 10))))
			return false;
		memset(p[i], i, 16u << (i % 10));
	}
	for (int i = 0; i < 100; i++)
		kfree(p[i]);
	return frames_in_use() == before;
}

static bool clock_advances(void)
{
	uint64_t t0 = arch_clock_ns();
	for (volatile int i = 0; i < 100000; i++)
		;
	return arch_clock_ns() > t0;
}

static bool formats_right(void)
{
	char b[64];
	snprintf(b, sizeof(b), "%d|%5u|%-3x|%08lx|%s|%c%%", -42, 7u, 0xau, 0xbeefUL, "ok", 'z');
	return strcmp(b, "-42|    7|a  |0000beef|ok|z%") == 0;
}

static __attribute__((noinline)) void crash_null_deref(void)
{
	volatile int *p;
	__asm__ volatile("" : "=r"(p) : "0"(8UL));   /* hide the constant from the optimiser */
	*p = 1;
}

/* A spinlock that someone holds for ever: spin_lock's lockup report
 * (proc/hang.c), which then ends the machine since the hang was asked for. */
static __attribute__((noinline)) void deliberate_deadlock(void)
{
	static struct spinlock never_released = SPINLOCK_INIT("never_released");
	never_released.locked = 1;
	spin_lock(&never_released);
}

/* aspen.crash=KIND. refcount is vmcheck's (a reference leaked after the
 * first census: mm/vmcheck_census.c), done later; every other kind
 * happens here, an unknown one as null. */
static void deliberate_crash(const char *kind)
{
	if (strcmp(kind, "refcount") == 0)
		return;
	printk(LOG_ERR, "aspen.crash=%s: crashing on purpose\n", kind);
	if (strcmp(kind, "deadlock") == 0)
		deliberate_deadlock();
	if (strcmp(kind, "panic") == 0)
		panic("deliberate panic from the command line");
	if (strcmp(kind, "ud") == 0)
		__asm__ volatile("ud2");
	crash_null_deref();
}

/* boot_selftest - run the self-checks or a deliberate crash if asked. */
void boot_selftest(void)
{
	if (boot_options.crash)
		deliberate_crash(boot_options.crash);
	if (!boot_options.selftest)
		return;
	report(frames_come_back(), "frames_come_back");
	report(kmalloc_comes_back(), "kmalloc_comes_back");
	report(clock_advances(), "clock_advances");
	report(formats_right(), "printk_formats");
	arch_poweroff(selftest_failed);
}
