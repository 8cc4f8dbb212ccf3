/*
 * tty.h - the console terminal: /dev/console, /dev/tty, /dev/ttyS0.
 */
#ifndef ASPEN_TTY_TTY_H
#define ASPEN_TTY_TTY_H

/* tty_init - register the console devices and take the console's
 * input. After vfs_init and devfs_init; boot, once. */
void tty_init(void);
/* ttys1_init - /dev/ttyS1, the second serial port, output only (ttyS1.c). */
void ttys1_init(void);
#endif
