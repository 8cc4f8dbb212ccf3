/*
 * console.h - the kernel console: printk's output and the terminal's
 * input, over the machine's serial line.
 */
#ifndef ASPEN_LIB_CONSOLE_H
#define ASPEN_LIB_CONSOLE_H
#include "lib/kernel.h"

/* console_write - bytes to the console, whole (takes console_lock). */
void console_write(const char *s, size_t n);
/* console_panic_mode - from now on print without taking locks. */
void console_panic_mode(void);
/* console_emergency - while on (calls nest), print without locks, as a
 * hang report does (proc/hang.c): the holder of console_lock may be stuck. */
void console_emergency(bool on);
/* console_input_byte - a byte typed on the console (interrupt context). */
void console_input_byte(uint8_t c);
/* console_set_input_handler - who receives typed bytes (the tty layer). */
void console_set_input_handler(void (*fn)(uint8_t c));

/* console_log_read - the newest n bytes of the kernel log (oldest
 * first) into a kernel buffer; returns the count. console_log_size - the
 * bytes it holds. For syslog(2) and dmesg. */
size_t console_log_read(char *buf, size_t n);
size_t console_log_size(void);

void arch_console_write(const char *s, size_t n);   /* arch: the device */
#endif
