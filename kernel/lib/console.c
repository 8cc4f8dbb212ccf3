/*
 * console.c - printk, the kernel log and the console's input path.
 *
 * Every message goes into the kernel log, a ring of LOG_BUF_SIZE bytes
 * that dmesg reads (syslog(2)); those at or above the console level are
 * also written to the console. console_lock serialises whole messages so
 * lines from two CPUs never interleave. After a panic the lock is
 * ignored: the machine is stopping and the message matters more.
 */
#include "lib/console.h"
#include "lib/spinlock.h"
#include "arch.h"

#define LOG_BUF_SIZE (64 * 1024)

static struct spinlock console_lock = SPINLOCK_INIT("console");  /* also guards log_buf, log_end */
static char log_buf[LOG_BUF_SIZE];
static uint64_t log_end;   /* bytes ever logged; the ring holds the last LOG_BUF_SIZE */
static bool panicking;
static int emergency;      /* atomic: hang reports in progress (proc/hang.c) */
static void (*input_handler)(uint8_t c);
int console_loglevel = LOG_INFO;

/* Print without console_lock: after a panic, or during a hang report. */
static bool lockless(void)
{
	return panicking || __atomic_load_n(&emergency, __ATOMIC_RELAXED) > 0;
}

void console_write(const char *s, size_t n)
{
	if (lockless()) {
		arch_console_write(s, n);
		return;
	}
	spin_lock(&console_lock);
	arch_console_write(s, n);
	spin_unlock(&console_lock);
}

void console_panic_mode(void) { panicking = true; }

void console_emergency(bool on)
{
	__atomic_add_fetch(&emergency, on ? 1 : -1, __ATOMIC_RELAXED);
}

void console_set_input_handler(void (*fn)(uint8_t c)) { input_handler = fn; }

void console_input_byte(uint8_t c)
{
	if (input_handler)
		input_handler(c);
}

static void log_store_locked(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_buf[log_end++ % LOG_BUF_SIZE] = s[i];
}

void printk(int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t len = MIN((size_t)n, sizeof(buf) - 1);
	if (lockless()) {
		arch_console_write(buf, len);
		return;
	}
	spin_lock(&console_lock);
	log_store_locked(buf, len);
	if (level <= console_loglevel)
		arch_console_write(buf, len);
	spin_unlock(&console_lock);
}

/* console_log_read - copy up to n bytes of the kernel log, oldest first,
 * into buf; returns the count. */
size_t console_log_read(char *buf, size_t n)
{
	spin_lock(&console_lock);
	uint64_t avail = MIN(log_end, (uint64_t)LOG_BUF_SIZE);
	uint64_t start = log_end - MIN(avail, (uint64_t)n);
	size_t count = (size_t)(log_end - start);
	for (size_t i = 0; i < count; i++)
		buf[i] = log_buf[(start + i) % LOG_BUF_SIZE];
	spin_unlock(&console_lock);
	return count;
}

/* console_log_size - bytes the log holds now. */
size_t console_log_size(void)
{
	spin_lock(&console_lock);
	size_t n = (size_t)MIN(log_end, (uint64_t)LOG_BUF_SIZE);
	spin_unlock(&console_lock);
	return n;
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	extern void backtrace_here(void);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_panic_mode();
	printk(LOG_ERR, "\nKERNEL PANIC: %s\n", buf);
	backtrace_here();
	panic_report_calls();
	arch_poweroff(1);
}
