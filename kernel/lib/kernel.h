/*
 * kernel.h - what every kernel file needs: fixed-width types, printk,
 * panic, assertions and small helpers.
 *
 * Generic code includes this and the machine boundary in arch.h, never
 * anything under arch/x86_64/.
 */
#ifndef ASPEN_KERNEL_H
#define ASPEN_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;   /* a physical address */
typedef uint64_t vaddr_t;   /* a virtual address, user or kernel */
typedef int64_t ssize_t_k;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ROUND_DOWN(x) ((uint64_t)(x) & PAGE_MASK)
#define PAGE_ROUND_UP(x) (((uint64_t)(x) + PAGE_SIZE - 1) & PAGE_MASK)
#define IS_PAGE_ALIGNED(x) (((uint64_t)(x) & (PAGE_SIZE - 1)) == 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* DEBUG_KERNEL - 1 in the debug kernel (make DEBUG=1): heap redzones and
 * poisoning, poisoned free frames, lock-order checks (docs/testing.md).
 * Tested with a plain `if`, so both builds compile every line. */
#ifndef DEBUG_KERNEL
#define DEBUG_KERNEL 0
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __unused __attribute__((unused))
#define __noreturn __attribute__((noreturn))
#define __packed __attribute__((packed))

/* Log levels, as the first argument of printk. */
enum log_level { LOG_ERR = 3, LOG_WARN = 4, LOG_INFO = 6, LOG_DEBUG = 7 };

/* Messages above this level are dropped; set by the loglevel= argument. */
extern int console_loglevel;

/*
 * printk - formatted output to the console at a log level.
 * Formats: %d %i %u %x %X %lx %ld %lu %llx %p %s %c %%, with widths,
 * '-' left alignment and '0' padding. Safe with interrupts off; takes
 * the console lock.
 */
void printk(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* snprintf family: the same formats as printk; returns the length the
 * whole output would have had (as C99), writes at most size bytes. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* panic - a broken invariant: print "panic: msg", registers and a
 * backtrace, then stop the machine with a failure status. */
__noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* panic_report_calls - for a panic (both paths call it): each CPU's task
 * and the system call it is in, with its arguments (sys/syscall.c), so
 * a panic under the fuzzer names the call. */
void panic_report_calls(void);

#define assert(cond) \
	do { if (unlikely(!(cond))) panic("%s:%d: assertion failed: %s", __FILE__, __LINE__, #cond); } while (0)

#endif
