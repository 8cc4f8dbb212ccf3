/*
 * console.c - printk and the console's input path.
 *
 * console_lock serialises whole messages so lines from two CPUs never
 * interleave. After a panic the lock is ignored: the machine is stopping
 * and the message matters more than order.
 */
#include "lib/console.h"
#include "lib/spinlock.h"
#include "arch.h"

static struct spinlock console_lock = SPINLOCK_INIT("console");
static bool panicking;
static void (*input_handler)(uint8_t c);
int console_loglevel = LOG_INFO;

void console_write(const char *s, size_t n)
{
	if (panicking) {
		arch_console_write(s, n);
		return;
	}
	spin_lock(&console_lock);
	arch_console_write(s, n);
	spin_unlock(&console_lock);
}

void console_panic_mode(void) { panicking = true; }

void console_set_input_handler(void (*fn)(uint8_t c)) { input_handler = fn; }

void console_input_byte(uint8_t c)
{
	if (input_handler)
		input_handler(c);
}

void printk(int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	if (level > console_loglevel)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
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
	arch_poweroff(1);
}
