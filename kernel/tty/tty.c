/*
 * tty.c - the console terminal: a line discipline as Linux's n_tty,
 * termios, the controlling terminal of a session and job control.
 *
 * Input arrives a byte at a time in the serial interrupt (tty_receive):
 * it is translated (ICRNL, INLCR, IGNCR, ISTRIP), may raise a signal to
 * the foreground process group (ISIG: VINTR, VQUIT, VSUSP), is edited
 * (ICANON: VERASE and ^H, VKILL, VWERASE, VLNEXT, VEOF) and echoed
 * (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL). The interrupt never
 * sleeps: it fills the input ring and wakes the readers.
 *
 * The ring holds 16-bit cells: a byte, or TTY_EOF where VEOF ended a
 * line. [head, canon_end) holds complete lines (canonical mode); in raw
 * mode all of [head, tail) is readable, with VMIN and VTIME as POSIX.
 *
 * Job control: the terminal belongs to one session (TIOCSCTTY) and has
 * a foreground process group (TIOCSPGRP). A process of that session
 * outside the foreground group that reads gets SIGTTIN; one that writes
 * with TOSTOP set, or changes the settings, gets SIGTTOU.
 *
 * Output goes to console_write, which turns "\n" into "\r\n" on the
 * serial line whatever OPOST/ONLCR say (docs/signals.md).
 *
 * Lock: tty->lock guards every field below it (it is taken in the
 * interrupt; spinlocks mask interrupts). Order: tty->lock before the
 * console's lock; never held across user copies or signal sending.
 */
#include "tty/tty.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/usercopy.h"
#include "sync/wait.h"
#include "proc/task.h"
#include "fs/uapi.h"
#include <asm/termios.h>     /* struct termios, struct winsize */

#define TTY_BUF 4096
#define TTY_EOF 0x100                /* a cell: VEOF ended the line here */
#define TTY_CHUNK 512                /* bytes moved per lock hold */
#define NSEC_PER_DECISECOND 100000000UL
#define CTRL(c) ((c) & 0x1f)
#define DEL 0x7f

struct tty {
	struct spinlock lock;
	struct termios termios;
	struct winsize winsize;
	uint16_t buf[TTY_BUF];
	size_t head, tail, canon_end;    /* free-running; cells at index % TTY_BUF */
	bool lnext;                      /* the next byte is literal (VLNEXT) */
	int session, pgrp;               /* 0: no controlling session / group */
	struct wait_queue readers;
};

static struct tty console_tty = {
	.lock = SPINLOCK_INIT("tty"),
	.termios = {
		.c_iflag = ICRNL | IXON,
		.c_oflag = OPOST | ONLCR,
		.c_cflag = B38400 | CS8 | CREAD | HUPCL,
		.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
		.c_cc = {
			[VINTR] = CTRL('C'), [VQUIT] = CTRL('\\'), [VERASE] = DEL, [VKILL] = CTRL('U'),
			[VEOF] = CTRL('D'), [VTIME] = 0, [VMIN] = 1, [VSTART] = CTRL('Q'),
			[VSTOP] = CTRL('S'), [VSUSP] = CTRL('Z'), [VREPRINT] = CTRL('R'),
			[VDISCARD] = CTRL('O'), [VWERASE] = CTRL('W'), [VLNEXT] = CTRL('V'),
		},
	},
	.winsize = { .ws_row = 24, .ws_col = 80 },
};

/* ---- input: the interrupt side ---- */

static bool lflag(struct tty *tty, tcflag_t f) { return tty->termios.c_lflag & f; }
static bool is_cc(struct tty *tty, uint8_t c, int which)
{
	return tty->termios.c_cc[which] && c == tty->termios.c_cc[which];
}

/* A control character echoes as ^X under ECHOCTL (not tab or newline). */
static bool echoes_as_caret(struct tty *tty, uint16_t c)
{
	return lflag(tty, ECHOCTL) && (c < 0x20 || c == DEL) && c != '\t' && c != '\n';
}

static void echo_byte(struct tty *tty, uint8_t c)
{
	if (echoes_as_caret(tty, c)) {
		char caret[2] = { '^', (char)(c ^ 0x40) };
		console_write(caret, 2);
	} else {
		console_write((char *)&c, 1);
	}
}

static void put_cell(struct tty *tty, uint16_t c)
{
	tty->buf[tty->tail++ % TTY_BUF] = c;
}

static size_t room(struct tty *tty)
{
	return TTY_BUF - (tty->tail - tty->head);
}

/* Remove the last cell of the line being edited, and its echo. */
static bool erase_one(struct tty *tty)
{
	if (tty->tail == tty->canon_end)
		return false;
	uint16_t c = tty->buf[--tty->tail % TTY_BUF];
	if (lflag(tty, ECHO) && lflag(tty, ECHOE)) {
		console_write("\b \b", 3);
		if (echoes_as_caret(tty, c))
			console_write("\b \b", 3);
	}
	return true;
}

static uint16_t last_cell(struct tty *tty)
{
	return tty->tail > tty->canon_end ? tty->buf[(tty->tail - 1) % TTY_BUF] : 0;
}

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

static void erase(struct tty *tty, enum erase_kind kind, uint8_t c)
{
	if (kind == ERASE_CHAR) {
		if (erase_one(tty) && lflag(tty, ECHO) && !lflag(tty, ECHOE))
			echo_byte(tty, c);
		return;
	}
	if (kind == ERASE_WORD) {
		while (last_cell(tty) == ' ' || last_cell(tty) == '\t')
			erase_one(tty);
		while (last_cell(tty) && last_cell(tty) != ' ' && last_cell(tty) != '\t')
			erase_one(tty);
		return;
	}
	if (lflag(tty, ECHOKE) && lflag(tty, ECHOE)) {
		while (erase_one(tty))
			;
		return;
	}
	tty->tail = tty->canon_end;
	if (lflag(tty, ECHO)) {
		echo_byte(tty, c);
		if (lflag(tty, ECHOK))
			console_write("\n", 1);
	}
}

/* Canonical mode's special bytes; true if c was one of them. */
static bool receive_canon_special(struct tty *tty, uint8_t c)
{
	bool iexten = lflag(tty, IEXTEN);
	if (is_cc(tty, c, VERASE) || c == '\b') {
		erase(tty, ERASE_CHAR, c);
	} else if (is_cc(tty, c, VKILL)) {
		erase(tty, ERASE_LINE, c);
	} else if (iexten && is_cc(tty, c, VWERASE)) {
		erase(tty, ERASE_WORD, c);
	} else if (iexten && is_cc(tty, c, VLNEXT)) {
		tty->lnext = true;
		if (lflag(tty, ECHO) && lflag(tty, ECHOCTL))
			console_write("^\b", 2);
	} else if (is_cc(tty, c, VEOF)) {
		if (room(tty) > 0) {
			put_cell(tty, TTY_EOF);
			tty->canon_end = tty->tail;
		}
	} else {
		return false;
	}
	return true;
}

/* Store c as data: a line ends at newline, VEOL, VEOL2. */
static void receive_data(struct tty *tty, uint8_t c)
{
	bool canon = lflag(tty, ICANON);
	bool eol = c == '\n' || is_cc(tty, c, VEOL) || (lflag(tty, IEXTEN) && is_cc(tty, c, VEOL2));
	if (room(tty) <= (canon && !eol ? 1u : 0u))
		return;   /* full: keep the last cell for the newline */
	put_cell(tty, c);
	if (lflag(tty, ECHO) || (c == '\n' && canon && lflag(tty, ECHONL)))
		echo_byte(tty, c);
	if (canon && eol)
		tty->canon_end = tty->tail;
}

/* The signal c raises under ISIG, or 0. */
static int isig_signal(struct tty *tty, uint8_t c)
{
	if (!lflag(tty, ISIG))
		return 0;
	if (is_cc(tty, c, VINTR))
		return SIGINT;
	if (is_cc(tty, c, VQUIT))
		return SIGQUIT;
	if (is_cc(tty, c, VSUSP))
		return SIGTSTP;
	return 0;
}

/* One byte in; returns the signal for the foreground group, or 0. (tty->lock) */
static int receive_locked(struct tty *tty, uint8_t c)
{
	tcflag_t iflag = tty->termios.c_iflag;
	if (tty->lnext) {
		tty->lnext = false;
		if (lflag(tty, ECHO) && lflag(tty, ECHOCTL))
			console_write("\b", 1);
		receive_data(tty, c);
		return 0;
	}
	if (iflag & ISTRIP)
		c &= 0x7f;
	if (c == '\r' && (iflag & IGNCR))
		return 0;
	if (c == '\r' && (iflag & ICRNL))
		c = '\n';
	else if (c == '\n' && (iflag & INLCR))
		c = '\r';
	int sig = isig_signal(tty, c);
	if (sig) {
		if (!lflag(tty, NOFLSH))
			tty->head = tty->tail = tty->canon_end;
		if (lflag(tty, ECHO))
			echo_byte(tty, c);
		return sig;
	}
	if ((iflag & IXON) && (is_cc(tty, c, VSTOP) || is_cc(tty, c, VSTART)))
		return 0;   /* flow control: the serial console never stops */
	if (lflag(tty, ICANON) && receive_canon_special(tty, c))
		return 0;
	receive_data(tty, c);
	return 0;
}

/* tty_receive - a byte typed on the console; interrupt context. */
static void tty_receive(uint8_t c)
{
	struct tty *tty = &console_tty;
	spin_lock(&tty->lock);
	int sig = receive_locked(tty, c);
	int pgrp = tty->pgrp;
	spin_unlock(&tty->lock);
	if (sig && pgrp)
		kill_pgrp(pgrp, sig);
	wake_up(&tty->readers);
}

/* ---- reading ---- */

/* Bytes a read may take now: complete lines, or all in raw mode. */
static size_t readable(struct tty *tty)
{
	return lflag(tty, ICANON) ? tty->canon_end - tty->head : tty->tail - tty->head;
}

/* Sleep until want bytes are readable or the deadline (0: none) passes.
 * 0, or -ERESTARTSYS for a signal. */
static int wait_input(struct tty *tty, size_t want, uint64_t deadline)
{
	struct waiter w = { { NULL, NULL }, NULL };
	int err = 0;
	for (;;) {
		prepare_to_wait(&tty->readers, &w, TASK_INTERRUPTIBLE);
		if (readable(tty) >= want || (deadline && arch_clock_ns() >= deadline))
			break;
		if (signal_pending_current()) {
			err = -ERESTARTSYS;
			break;
		}
		if (deadline)
			schedule_until(deadline);
		else
			schedule();
	}
	finish_wait(&tty->readers, &w);
	return err;
}

/* Wait as VMIN and VTIME say for a raw-mode read of n bytes. */
static int wait_raw(struct tty *tty, size_t n)
{
	size_t vmin = tty->termios.c_cc[VMIN];
	uint64_t vtime = tty->termios.c_cc[VTIME] * NSEC_PER_DECISECOND;
	size_t want = MIN(MAX(vmin, 1u), n);
	if (!vtime)
		return vmin ? wait_input(tty, want, 0) : 0;
	if (!vmin)
		return wait_input(tty, 1, arch_clock_ns() + vtime);
	int err = wait_input(tty, 1, 0);
	while (!err && readable(tty) < want) {   /* VTIME: the gap between bytes */
		size_t had = readable(tty);
		err = wait_input(tty, had + 1, arch_clock_ns() + vtime);
		if (readable(tty) == had)
			break;
	}
	return err;
}

/* Move up to n readable bytes into out; a canonical read stops after a
 * line. *eof: it stopped at VEOF. (tty->lock) */
static size_t take_input_locked(struct tty *tty, char *out, size_t n)
{
	bool canon = lflag(tty, ICANON);
	size_t got = 0;
	while (got < n && readable(tty)) {
		uint16_t c = tty->buf[tty->head++ % TTY_BUF];
		if (c == TTY_EOF) {
			if (canon)
				break;   /* consumed: ends this read */
			continue;
		}
		out[got++] = (char)c;
		if (canon && c == '\n')
			break;
	}
	if (tty->canon_end < tty->head)
		tty->canon_end = tty->head;
	return got;
}

/* A background process of the terminal's session touching it gets sig
 * (SIGTTIN, SIGTTOU) and its syscall restarts after it continues; if it
 * blocks or ignores sig, a read fails with EIO and a write goes on. */
static int tty_job_check(struct tty *tty, int sig)
{
	struct process *p = current->proc;
	spin_lock(&tty->lock);
	bool background = tty->session && p->sid == tty->session && tty->pgrp && p->pgid != tty->pgrp;
	spin_unlock(&tty->lock);
	if (!background)
		return 0;
	if (signal_blocked_or_ignored(sig))
		return sig == SIGTTIN ? -EIO : 0;
	kill_pgrp(p->pgid, sig);
	return -ERESTARTSYS;
}

static long tty_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	struct tty *tty = &console_tty;
	char tmp[TTY_CHUNK];
	int err = tty_job_check(tty, SIGTTIN);
	if (err || n == 0)
		return err;
	if (!readable(tty) && (file_flags(f) & O_NONBLOCK))
		return -EAGAIN;
	err = lflag(tty, ICANON) ? wait_input(tty, 1, 0) : wait_raw(tty, n);
	if (err)
		return err;
	spin_lock(&tty->lock);
	size_t got = take_input_locked(tty, tmp, MIN(n, sizeof(tmp)));
	spin_unlock(&tty->lock);
	return copy_to_user(ubuf, tmp, got) ? -EFAULT : (long)got;
}

/* ---- writing ---- */

static long tty_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	struct tty *tty = &console_tty;
	char tmp[256];
	size_t done = 0;
	if (tty->termios.c_lflag & TOSTOP) {
		int err = tty_job_check(tty, SIGTTOU);
		if (err)
			return err;
	}
	while (done < n) {
		size_t chunk = MIN(n - done, sizeof(tmp));
		if (copy_from_user(tmp, ubuf + done, chunk))
			return done ? (long)done : -EFAULT;
		console_write(tmp, chunk);
		done += chunk;
	}
	return (long)n;
}

static unsigned tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *tty = &console_tty;
	poll_wait(pt, &tty->readers);
	unsigned mask = POLLOUT | POLLWRNORM;
	if (readable(tty))
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

/* ---- ioctl ---- */

static void flush_input_locked(struct tty *tty)
{
	tty->head = tty->canon_end = tty->tail;
}

static long set_termios(struct tty *tty, unsigned cmd, const void *uarg)
{
	struct termios t;
	int err = tty_job_check(tty, SIGTTOU);
	if (err)
		return err;
	if (copy_from_user(&t, uarg, sizeof(t)))
		return -EFAULT;
	spin_lock(&tty->lock);
	bool to_canon = (t.c_lflag & ICANON) && !lflag(tty, ICANON);
	tty->termios = t;
	if (cmd == TCSETSF)
		flush_input_locked(tty);
	if (to_canon)
		tty->canon_end = tty->tail;   /* what raw mode left is a line */
	spin_unlock(&tty->lock);
	wake_up(&tty->readers);
	return 0;
}

/* The caller's session has this terminal as its controlling one. */
static bool is_ctty(struct tty *tty)
{
	return tty->session && tty->session == current->proc->sid;
}

/* A live process in group pgid of session sid exists: 0, -EPERM (other
 * session) or -ESRCH (none). */
static int pgrp_check(int pgid, int sid)
{
	int err = -ESRCH;
	spin_lock(&tasklist_lock);
	for (int pid = 1; pid < PID_MAX && err; pid++) {
		struct process *p = process_find_locked(pid);
		if (p && p->state == PROC_ALIVE && p->pgid == pgid)
			err = p->sid == sid ? 0 : -EPERM;
	}
	spin_unlock(&tasklist_lock);
	return err;
}

static long set_pgrp(struct tty *tty, const int *uarg)
{
	int pgrp;
	int err = tty_job_check(tty, SIGTTOU);
	if (err)
		return err;
	if (!is_ctty(tty))
		return -ENOTTY;
	if (copy_from_user(&pgrp, uarg, sizeof(pgrp)))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	err = pgrp_check(pgrp, current->proc->sid);
	if (err)
		return err;
	spin_lock(&tty->lock);
	tty->pgrp = pgrp;
	spin_unlock(&tty->lock);
	return 0;
}

/* The session leader of sid is still alive. */
static bool session_alive(int sid)
{
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(sid);
	bool alive = p && p->state == PROC_ALIVE && p->sid == sid;
	spin_unlock(&tasklist_lock);
	return alive;
}

/* TIOCSCTTY: a session leader makes this its controlling terminal. A
 * terminal held by a live session is taken only with arg 1 (Aspen's
 * only user is root, who may). */
static long set_ctty(struct tty *tty, unsigned long arg)
{
	struct process *p = current->proc;
	if (p->pid != p->sid)
		return -EPERM;
	if (is_ctty(tty))
		return 0;
	if (tty->session && arg != 1 && session_alive(tty->session))
		return -EPERM;
	spin_lock(&tty->lock);
	tty->session = p->sid;
	tty->pgrp = p->pgid;
	spin_unlock(&tty->lock);
	return 0;
}

/* TIOCNOTTY: give the terminal up; a session leader hangs up its
 * foreground group as Linux does. */
static long drop_ctty(struct tty *tty)
{
	struct process *p = current->proc;
	if (!is_ctty(tty))
		return -ENOTTY;
	if (p->pid != p->sid)
		return 0;
	spin_lock(&tty->lock);
	int pgrp = tty->pgrp;
	tty->session = tty->pgrp = 0;
	spin_unlock(&tty->lock);
	kill_pgrp(pgrp, SIGHUP);
	kill_pgrp(pgrp, SIGCONT);
	return 0;
}

static long set_winsize(struct tty *tty, const void *uarg)
{
	struct winsize ws;
	if (copy_from_user(&ws, uarg, sizeof(ws)))
		return -EFAULT;
	spin_lock(&tty->lock);
	bool changed = memcmp(&ws, &tty->winsize, sizeof(ws)) != 0;
	tty->winsize = ws;
	int pgrp = tty->pgrp;
	spin_unlock(&tty->lock);
	if (changed)
		kill_pgrp(pgrp, SIGWINCH);
	return 0;
}

/* An int result of an ioctl, copied out. */
static long put_int(void *uarg, int v)
{
	return copy_to_user(uarg, &v, sizeof(v)) ? -EFAULT : 0;
}

#define TCIFLUSH 0
#define TCIOFLUSH 2

static long tty_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct tty *tty = &console_tty;
	void *uarg = (void *)arg;
	switch (cmd) {
	case TCGETS: {
		struct termios t = tty->termios;
		return copy_to_user(uarg, &t, sizeof(t)) ? -EFAULT : 0;
	}
	case TCSETS: case TCSETSW: case TCSETSF:
		return set_termios(tty, cmd, uarg);
	case TIOCGWINSZ: {
		struct winsize ws = tty->winsize;
		return copy_to_user(uarg, &ws, sizeof(ws)) ? -EFAULT : 0;
	}
	case TIOCSWINSZ:
		return set_winsize(tty, uarg);
	case TIOCGPGRP:
		return is_ctty(tty) ? put_int(uarg, tty->pgrp) : -ENOTTY;
	case TIOCSPGRP:
		return set_pgrp(tty, uarg);
	case TIOCGSID:
		return is_ctty(tty) ? put_int(uarg, tty->session) : -ENOTTY;
	case TIOCSCTTY:
		return set_ctty(tty, arg);
	case TIOCNOTTY:
		return drop_ctty(tty);
	case FIONREAD:
		return put_int(uarg, (int)readable(tty));
	case TCFLSH:
		if (arg == TCIFLUSH || arg == TCIOFLUSH) {
			spin_lock(&tty->lock);
			flush_input_locked(tty);
			spin_unlock(&tty->lock);
		}
		return arg <= TCIOFLUSH ? 0 : -EINVAL;
	case TCSBRK: case TCSBRKP: case TCXONC:
		return 0;   /* output is never held back */
	case TIOCOUTQ:
		return put_int(uarg, 0);
	default:
		return -ENOTTY;
	}
}

static const struct file_ops tty_fops = {
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
};

/* /dev/tty: the caller's controlling terminal; ENXIO without one. */
static int devtty_open(struct inode *inode, struct file *f)
{
	return is_ctty(&console_tty) ? 0 : -ENXIO;
}

static const struct file_ops devtty_fops = {
	.open = devtty_open,
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
};

#define TTY_MAJOR 4
#define TTYAUX_MAJOR 5

void tty_init(void)
{
	wait_queue_init(&console_tty.readers, "tty_readers");
	vfs_register_chardev("/dev/console", MKDEV(TTYAUX_MAJOR, 1), S_IFCHR | 0600, &tty_fops);
	vfs_register_chardev("/dev/tty", MKDEV(TTYAUX_MAJOR, 0), S_IFCHR | 0666, &devtty_fops);
	vfs_register_chardev("/dev/ttyS0", MKDEV(TTY_MAJOR, 64), S_IFCHR | 0660, &tty_fops);
	ttys1_init();
	console_set_input_handler(tty_receive);
}
