/* config.h - the kernel configuration as Linux's .config text (config.c). */
#ifndef ASPEN_SYS_CONFIG_H
#define ASPEN_SYS_CONFIG_H
#include "lib/kernel.h"

/* config_text - the text into buf (size bytes, NUL-terminated if it
 * fits); returns its whole length, as snprintf. */
size_t config_text(char *buf, size_t size);
#endif
