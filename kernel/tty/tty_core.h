/*
 * tty_core.h - one terminal as the line discipline sees it, shared by
 * its drivers: the console (console.c) and pseudo-terminals (pty.c).
 *
 * The line discipline (tty.c) owns input, termios, job control and the
 * generic file operations; a driver says where output goes (room/put)
 * and keeps its files' references (release). A driver's open hook finds
 * its struct tty, takes its references, then calls tty_file_open.
 *
 * Lock: tty->lock (a spinlock; the console's input arrives in an
 * interrupt) guards every field marked (t), and for a pty the master's
 * side too (pty.c). Order: tty->lock, then wait-queue locks and the
 * console's lock; never held across user copies or signal sending.
 */
#ifndef ASPEN_TTY_TTY_CORE_H
#define ASPEN_TTY_TTY_CORE_H
#include "lib/kernel.h"
#include "lib/spinlock.h"
#include "sync/wait.h"
#include "fs/file.h"
#include <asm/termios.h>     /* struct termios, struct winsize */

#define TTY_BUF 4096

struct tty;

struct tty_ops {
	/* room - output bytes put can take now (SIZE_MAX: any). (t) */
	size_t (*room)(struct tty *tty);
	/* put - n <= room bytes of output, already processed. (t) */
	void (*put)(struct tty *tty, const char *buf, size_t n);
	/* flush_output - TCOFLUSH: drop output not yet taken. (t) May be NULL. */
	void (*flush_output)(struct tty *tty);
	/* kick - output was put or the packet status changed: wake whoever
	 * takes it. No lock held. May be NULL. */
	void (*kick)(struct tty *tty);
	/* release - a file of the terminal is closed (its last reference):
	 * the driver drops what its open took. May be NULL. */
	void (*release)(struct tty *tty, struct file *f);
	bool opost;          /* the discipline applies OPOST (the console's device does its own) */
	bool can_stop;       /* output may be stopped (^S, TCOOFF): a pty */
};

struct tty {
	struct spinlock lock;
	const struct tty_ops *ops;       /* (c) */
	void *driver;                    /* (c) the driver's (a pty pair) */
	struct termios termios;          /* (t) */
	struct winsize winsize;          /* (t) */
	uint16_t buf[TTY_BUF];           /* (t) input cells */
	size_t head, tail, canon_end;    /* (t) free-running; cells at index % TTY_BUF */
	bool lnext;                      /* (t) the next byte is literal (VLNEXT) */
	bool hung_up;                    /* (t) the other end is gone: read 0, write EIO */
	bool stopped;                    /* (t) output stopped (TCOOFF, or ^S under IXON on a pty) */
	bool packet;                     /* (t) a pty master reads in packet mode (TIOCPKT) */
	uint8_t pktstatus;               /* (t) TIOCPKT_* events not yet read by the master */
	int session, pgrp;               /* (t) 0: no controlling session / group */
	struct wait_queue readers;       /* input became readable, or hangup */
	struct wait_queue writers;       /* output room (or a start, or hangup) */
	struct wait_queue input_room;    /* input room, for a pty master's writers */
};

/* tty_setup - an idle terminal with Linux's tty_std_termios, winsize
 * 0x0, for ops and driver. */
void tty_setup(struct tty *tty, const struct tty_ops *ops, void *driver);
/* tty_file_open - finish opening a file of tty (the driver holds its
 * references): f->private; a session leader without a controlling
 * terminal takes this one unless O_NOCTTY, as Linux does. 0. */
int tty_file_open(struct tty *tty, struct file *f);
/* The discipline's file operations; a driver copies them with its own
 * open hook: TTY_FILE_OPS(open). */
long tty_read(struct file *f, char *ubuf, size_t n, uint64_t *pos);
long tty_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos);
long tty_ioctl(struct file *f, unsigned cmd, uint64_t arg);
unsigned tty_poll(struct file *f, struct poll_table *pt);
void tty_release(struct file *f);
#define TTY_FILE_OPS(open_hook) { .open = (open_hook), .read = tty_read, .write = tty_write, \
	.ioctl = tty_ioctl, .poll = tty_poll, .release = tty_release }

/* tty_receive_locked - one byte typed at the terminal: returns the
 * signal for the foreground group (0: none); the caller sends it after
 * unlocking and wakes tty->readers. (t) */
int tty_receive_locked(struct tty *tty, uint8_t c);
/* tty_input_room - may another byte be received now without loss? (t) */
bool tty_input_room(struct tty *tty);
/* tty_readable - input bytes a read may take now. (t) */
size_t tty_readable(struct tty *tty);
/* tty_hangup - the other end is gone (a pty's master closed): reads
 * return 0, writes fail with EIO; the session leader's group gets SIGHUP
 * and SIGCONT and the foreground group SIGHUP; the terminal is no one's
 * controlling terminal any more. No lock held. */
void tty_hangup(struct tty *tty);
/* tty_is_ctty - is tty the caller's controlling terminal? */
bool tty_is_ctty(struct tty *tty);
/* tty_session_of - the session tty controls (0: none). */
int tty_session_of(struct tty *tty);
/* tty_winsize_ioctl - TIOCGWINSZ, and TIOCSWINSZ (SIGWINCH to the
 * foreground group if the size changed), from either end of a pty. */
long tty_winsize_ioctl(struct tty *tty, unsigned cmd, void *uarg);
/* tty_copy_out, tty_put_int - an ioctl's result to the user: 0 or -EFAULT. */
long tty_copy_out(void *uarg, const void *k, size_t n);
long tty_put_int(void *uarg, int v);

/* The console (console.c) and ptys (pty.c) answer for /dev/tty: */
struct tty *console_tty_get(void);
/* pty_ctty_get - the pty slave controlling session sid, with the
 * references a slave open takes, or NULL. */
struct tty *pty_ctty_get(int sid);
/* pty_session_has_ctty - does a pty control session sid? */
bool pty_session_has_ctty(int sid);
/* pty_init - /dev/ptmx and devpts at /dev/pts. Boot, after tty_init. */
void pty_init(void);
#endif
