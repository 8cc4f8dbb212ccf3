/*
 * console.c - the console terminal: /dev/console, /dev/ttyS0 and
 * /dev/tty (the caller's controlling terminal: the console or a pty).
 * Typed bytes arrive in the serial interrupt; output goes straight to
 * console_write, which takes any amount at once.
 */
#include "tty/tty.h"
#include "tty/tty_core.h"
#include "fs/vfs.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "proc/task.h"

#define TTY_MAJOR 4
#define TTYAUX_MAJOR 5

static struct tty console_tty;

static void console_put(struct tty *tty, const char *buf, size_t n)
{
	console_write(buf, n);
}

/* No room op: the console takes every byte, outside tty->lock too. */
static const struct tty_ops console_ops = { .put = console_put };

struct tty *console_tty_get(void)
{
	return &console_tty;
}

/* A byte typed on the console; interrupt context. */
static void console_receive(uint8_t c)
{
	struct tty *tty = &console_tty;
	spin_lock(&tty->lock);
	int sig = tty_receive_locked(tty, c);
	int pgrp = tty->pgrp;
	spin_unlock(&tty->lock);
	if (sig && pgrp)
		kill_pgrp(pgrp, sig);
	wake_up(&tty->readers);
}

/* /dev/console and /dev/ttyS0: never taken as a controlling terminal
 * by opening (as Linux's /dev/console; init asks with TIOCSCTTY). */
static int console_open(struct inode *inode, struct file *f)
{
	f->private = &console_tty;
	return 0;
}

static const struct file_ops console_fops = TTY_FILE_OPS(console_open);

/* /dev/tty: the caller's controlling terminal; ENXIO without one. */
static int devtty_open(struct inode *inode, struct file *f)
{
	if (tty_is_ctty(&console_tty))
		return console_open(inode, f);
	struct tty *tty = pty_ctty_get(current->proc->sid);
	if (!tty)
		return -ENXIO;
	f->private = tty;
	return 0;
}

static const struct file_ops devtty_fops = TTY_FILE_OPS(devtty_open);

void tty_init(void)
{
	tty_setup(&console_tty, &console_ops, NULL);
	console_tty.winsize = (struct winsize){ .ws_row = 24, .ws_col = 80 };
	vfs_register_chardev("/dev/console", MKDEV(TTYAUX_MAJOR, 1), S_IFCHR | 0600, &console_fops);
	vfs_register_chardev("/dev/tty", MKDEV(TTYAUX_MAJOR, 0), S_IFCHR | 0666, &devtty_fops);
	vfs_register_chardev("/dev/ttyS0", MKDEV(TTY_MAJOR, 64), S_IFCHR | 0660, &console_fops);
	ttys1_init();
	pty_init();
	console_set_input_handler(console_receive);
}
