/*
 * ldisc.c - the line discipline of every terminal (the console, pty
 * slaves), as Linux's n_tty: termios, the controlling terminal of a
 * session and job control. tty_core.h says how drivers plug in.
 *
 * Input arrives a byte at a time (tty_receive_locked: the console's
 * serial interrupt, a pty master's write): it is translated (ICRNL,
 * INLCR, IGNCR, ISTRIP), may raise a signal to the foreground process
 * group (ISIG: VINTR, VQUIT, VSUSP), is edited (ICANON: VERASE and ^H,
 * VKILL, VWERASE, VLNEXT, VEOF) and echoed (ECHO, ECHOE, ECHOK, ECHOKE,
 * ECHONL, ECHOCTL). Receiving never sleeps: it fills the input ring and
 * the caller wakes the readers.
 *
 * The ring holds 16-bit cells: a byte, or TTY_EOF where VEOF ended a
 * line. [head, canon_end) holds complete lines (canonical mode); in raw
 * mode all of [head, tail) is readable, with VMIN and VTIME as POSIX.
 *
 * Job control: the terminal belongs to one session (TIOCSCTTY, or the
 * first open by a session leader without one) and has a foreground
 * process group (TIOCSPGRP). A process of that session outside the
 * foreground group that reads gets SIGTTIN; one that writes with TOSTOP
 * set, or changes the settings, gets SIGTTOU.
 *
 * Output goes to the driver (ops->put). On a pty the discipline applies
 * OPOST (ONLCR, OCRNL) and output waits for room (the master reading)
 * and for a stopped terminal to start; the console's device turns "\n"
 * into "\r\n" itself whatever OPOST/ONLCR say (docs/signals.md).
 *
 * Lock: tty->lock, see tty_core.h.
 */
#include "tty/tty.h"
#include "tty/tty_core.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/usercopy.h"
#include "sync/wait.h"
#include "proc/task.h"
#include "fs/uapi.h"

#define TTY_EOF 0x100                /* a cell: VEOF ended the line here */
#define TTY_CHUNK 512                /* bytes moved per lock hold */
#define NSEC_PER_DECISECOND 100000000UL
#define CTRL(c) ((c) & 0x1f)
#define DEL 0x7f

/* tty_setup - see tty_core.h. */
void tty_setup(struct tty *tty, const struct tty_ops *ops, void *driver)
{
	memset(tty, 0, sizeof(*tty));
	spin_init(&tty->lock, "tty");
	tty->ops = ops;
	tty->driver = driver;
	tty->termios = (struct termios){
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
	};
	wait_queue_init(&tty->readers, "tty_readers");
	wait_queue_init(&tty->writers, "tty_writers");
	wait_queue_init(&tty->input_room, "tty_input_room");
}

/* ---- output: the driver's room and put ---- */

static size_t out_room(struct tty *tty)
{
	return tty->ops->room ? tty->ops->room(tty) : SIZE_MAX;
}

/* One byte of output, OPOST applied if the driver asks; false (nothing
 * put) when there is no room for it. (tty->lock) */
static bool output_byte_locked(struct tty *tty, char c)
{
	tcflag_t o = tty->termios.c_oflag;
	bool post = tty->ops->opost && (o & OPOST);
	if (post && c == '\n' && (o & ONLCR)) {
		if (out_room(tty) < 2)
			return false;
		tty->ops->put(tty, "\r\n", 2);
		return true;
	}
	if (post && c == '\r' && (o & OCRNL))
		c = '\n';
	if (out_room(tty) < 1)
		return false;
	tty->ops->put(tty, &c, 1);
	return true;
}

/* Echo: output that is dropped where there is no room. (tty->lock) */
static void echo_write(struct tty *tty, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		output_byte_locked(tty, s[i]);
}

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
		echo_write(tty, caret, 2);
	} else {
		echo_write(tty, (char *)&c, 1);
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
		echo_write(tty, "\b \b", 3);
		if (echoes_as_caret(tty, c))
			echo_write(tty, "\b \b", 3);
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
			echo_write(tty, "\n", 1);
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
			echo_write(tty, "^\b", 2);
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

/* Stop or start output (^S/^Q under IXON, TCOOFF/TCOON) on a driver
 * that can hold it; a packet-mode master hears of it. (tty->lock) */
static void set_stopped_locked(struct tty *tty, bool stop)
{
	if (!tty->ops->can_stop || tty->stopped == stop)
		return;
	tty->stopped = stop;
	if (tty->packet)
		tty->pktstatus = (uint8_t)((tty->pktstatus & ~(TIOCPKT_STOP | TIOCPKT_START)) |
					   (stop ? TIOCPKT_STOP : TIOCPKT_START));
	if (!stop)
		wake_up(&tty->writers);
}

/* tty_receive_locked - see tty_core.h. */
int tty_receive_locked(struct tty *tty, uint8_t c)
{
	tcflag_t iflag = tty->termios.c_iflag;
	if (tty->lnext) {
		tty->lnext = false;
		if (lflag(tty, ECHO) && lflag(tty, ECHOCTL))
			echo_write(tty, "\b", 1);
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
	if ((iflag & IXON) && (is_cc(tty, c, VSTOP) || is_cc(tty, c, VSTART))) {
		set_stopped_locked(tty, is_cc(tty, c, VSTOP));   /* the console never stops */
		return 0;
	}
	if (lflag(tty, ICANON) && receive_canon_special(tty, c))
		return 0;
	receive_data(tty, c);
	return 0;
}

/* tty_input_room - see tty_core.h: a byte more, and one kept for a
 * newline in canonical mode. */
bool tty_input_room(struct tty *tty)
{
	return room(tty) > 1;
}

/* ---- reading ---- */

/* tty_readable - bytes a read may take now: complete lines, or all in
 * raw mode. */
size_t tty_readable(struct tty *tty)
{
	return lflag(tty, ICANON) ? tty->canon_end - tty->head : tty->tail - tty->head;
}

/* Sleep until want bytes are readable, the deadline (0: none) passes
 * or the terminal hangs up. 0, or -ERESTARTSYS for a signal. */
static int wait_input(struct tty *tty, size_t want, uint64_t deadline)
{
	int err = wait_event_interruptible_deadline(tty->readers,
						    tty_readable(tty) >= want || tty->hung_up,
						    deadline ? deadline : WAIT_NO_DEADLINE);
	return err == -ETIMEDOUT ? 0 : err;
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
	while (!err && tty_readable(tty) < want && !tty->hung_up) {   /* VTIME: between bytes */
		size_t had = tty_readable(tty);
		err = wait_input(tty, had + 1, arch_clock_ns() + vtime);
		if (tty_readable(tty) == had)
			break;
	}
	return err;
}

/* Move up to n readable bytes into out; a canonical read stops after a
 * line or at VEOF. (tty->lock) */
static size_t take_input_locked(struct tty *tty, char *out, size_t n)
{
	bool canon = lflag(tty, ICANON);
	size_t got = 0;
	while (got < n && tty_readable(tty)) {
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

long tty_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	struct tty *tty = f->private;
	char tmp[TTY_CHUNK];
	int err = tty_job_check(tty, SIGTTIN);
	if (err || n == 0)
		return err;
	if (!tty_readable(tty) && !tty->hung_up && (file_flags(f) & O_NONBLOCK))
		return -EAGAIN;
	err = lflag(tty, ICANON) ? wait_input(tty, 1, 0) : wait_raw(tty, n);
	if (err)
		return err;
	spin_lock(&tty->lock);
	size_t got = tty->hung_up ? 0 : take_input_locked(tty, tmp, MIN(n, sizeof(tmp)));
	spin_unlock(&tty->lock);
	wake_up(&tty->input_room);
	return copy_to_user(ubuf, tmp, got) ? -EFAULT : (long)got;
}

/* ---- writing ---- */

/* May a writer go on: room for a processed byte, output not stopped,
 * or a hangup to report? (read without the lock: rechecked under it) */
static bool output_ready(struct tty *tty)
{
	return tty->hung_up || (!tty->stopped && out_room(tty) >= 2);
}

/* Put tmp[0..k) out as far as room allows; returns the bytes taken, or
 * -EIO when the terminal hung up before any. */
static long output_chunk(struct tty *tty, const char *tmp, size_t k)
{
	size_t i = 0;
	if (!tty->ops->room) {                    /* the console: no room to wait for */
		tty->ops->put(tty, tmp, k);
		return (long)k;
	}
	spin_lock(&tty->lock);
	bool hung_up = tty->hung_up;
	while (!hung_up && i < k && !tty->stopped && output_byte_locked(tty, tmp[i]))
		i++;
	spin_unlock(&tty->lock);
	if (i && tty->ops->kick)
		tty->ops->kick(tty);
	return hung_up ? -EIO : (long)i;
}

long tty_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	struct tty *tty = f->private;
	char tmp[256];
	size_t done = 0;
	if (tty->hung_up)
		return -EIO;
	if (tty->termios.c_lflag & TOSTOP) {
		int err = tty_job_check(tty, SIGTTOU);
		if (err)
			return err;
	}
	while (done < n) {
		size_t chunk = MIN(n - done, sizeof(tmp)), i = 0;
		if (copy_from_user(tmp, ubuf + done, chunk))
			return done ? (long)done : -EFAULT;
		while (i < chunk) {
			long got = output_chunk(tty, tmp + i, chunk - i);
			int err = got < 0 ? (int)got : 0;
			i += got > 0 ? (size_t)got : 0;
			if (!err && i < chunk)
				err = file_flags(f) & O_NONBLOCK ? -EAGAIN :
				      wait_event_interruptible(tty->writers, output_ready(tty));
			if (err)
				return done + i ? (long)(done + i) : err;
		}
		done += chunk;
	}
	return (long)n;
}

unsigned tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *tty = f->private;
	poll_wait(pt, &tty->readers);
	poll_wait(pt, &tty->writers);
	if (tty->hung_up)
		return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLERR | POLLHUP;
	unsigned mask = 0;
	if (output_ready(tty))
		mask |= POLLOUT | POLLWRNORM;
	if (tty_readable(tty))
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

void tty_release(struct file *f)
{
	struct tty *tty = f->private;
	if (tty && tty->ops->release)
		tty->ops->release(tty, f);
}

/* ---- the controlling terminal ---- */

/* tty_is_ctty - see tty_core.h. */
bool tty_is_ctty(struct tty *tty)
{
	return tty->session && tty->session == current->proc->sid;
}

int tty_session_of(struct tty *tty)
{
	return tty->session;
}

/* Does session sid have a controlling terminal already? */
static bool session_has_ctty(int sid)
{
	return tty_session_of(console_tty_get()) == sid || pty_session_has_ctty(sid);
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

/* tty_file_open - see tty_core.h. A terminal whose session leader is
 * gone is free to take. */
int tty_file_open(struct tty *tty, struct file *f)
{
	struct process *p = current->proc;
	f->private = tty;
	if ((file_flags(f) & O_NOCTTY) || p->pid != p->sid || session_has_ctty(p->sid))
		return 0;
	int old = tty_session_of(tty);
	bool free = !old || !session_alive(old);
	spin_lock(&tty->lock);
	if (free && tty->session == old && !tty->hung_up) {
		tty->session = p->sid;
		tty->pgrp = p->pgid;
	}
	spin_unlock(&tty->lock);
	return 0;
}

/* tty_hangup - see tty_core.h. */
void tty_hangup(struct tty *tty)
{
	spin_lock(&tty->lock);
	int sid = tty->session, pgrp = tty->pgrp;
	tty->hung_up = true;
	tty->session = tty->pgrp = 0;
	tty->head = tty->canon_end = tty->tail;
	spin_unlock(&tty->lock);
	wake_up(&tty->readers);
	wake_up(&tty->writers);
	wake_up(&tty->input_room);
	if (sid) {
		kill_pgrp(sid, SIGHUP);
		kill_pgrp(sid, SIGCONT);
	}
	if (pgrp && pgrp != sid)
		kill_pgrp(pgrp, SIGHUP);
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
	if (!(t.c_iflag & IXON))
		set_stopped_locked(tty, false);
	spin_unlock(&tty->lock);
	wake_up(&tty->readers);
	return 0;
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
	if (!tty_is_ctty(tty))
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

/* TIOCSCTTY: a session leader without a controlling terminal makes this
 * one it. A terminal held by a live session is taken only with arg 1
 * (Aspen's only user is root, who may). */
static long set_ctty(struct tty *tty, unsigned long arg)
{
	struct process *p = current->proc;
	if (tty_is_ctty(tty))
		return 0;
	if (p->pid != p->sid || session_has_ctty(p->sid))
		return -EPERM;
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
	if (!tty_is_ctty(tty))
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

/* TIOCSWINSZ: the window size, SIGWINCH to the foreground group if it
 * changed. */
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
	if (changed && pgrp)
		kill_pgrp(pgrp, SIGWINCH);
	return 0;
}

/* tty_copy_out - see tty_core.h. */
long tty_copy_out(void *uarg, const void *k, size_t n)
{
	return copy_to_user(uarg, k, n) ? -EFAULT : 0;
}

/* tty_put_int - see tty_core.h. */
long tty_put_int(void *uarg, int v)
{
	return tty_copy_out(uarg, &v, sizeof(v));
}

/* tty_winsize_ioctl - see tty_core.h. */
long tty_winsize_ioctl(struct tty *tty, unsigned cmd, void *uarg)
{
	if (cmd == TIOCSWINSZ)
		return set_winsize(tty, uarg);
	struct winsize ws = tty->winsize;
	return tty_copy_out(uarg, &ws, sizeof(ws));
}

#define TCIFLUSH 0
#define TCOFLUSH 1
#define TCIOFLUSH 2
#define TCOOFF 0
#define TCOON 1
#define TCION 3

/* TCFLSH: drop input (TCIFLUSH), output (TCOFLUSH) or both; a
 * packet-mode master hears of it. */
static long flush(struct tty *tty, uint64_t which)
{
	if (which > TCIOFLUSH)
		return -EINVAL;
	spin_lock(&tty->lock);
	if (which != TCOFLUSH) {
		flush_input_locked(tty);
		tty->pktstatus |= tty->packet ? TIOCPKT_FLUSHREAD : 0;
	}
	if (which != TCIFLUSH && tty->ops->flush_output) {
		tty->ops->flush_output(tty);
		tty->pktstatus |= tty->packet ? TIOCPKT_FLUSHWRITE : 0;
	}
	spin_unlock(&tty->lock);
	wake_up(&tty->input_room);
	wake_up(&tty->writers);
	if (tty->ops->kick)
		tty->ops->kick(tty);
	return 0;
}

/* TCXONC: TCOOFF and TCOON stop and start output; TCIOFF and TCION
 * (which send STOP and START to the other end) do nothing here. */
static long flow(struct tty *tty, uint64_t action)
{
	if (action > TCION)
		return -EINVAL;
	if (action <= TCOON) {
		spin_lock(&tty->lock);
		set_stopped_locked(tty, action == TCOOFF);
		spin_unlock(&tty->lock);
		if (tty->ops->kick)
			tty->ops->kick(tty);
	}
	return 0;
}

long tty_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct tty *tty = f->private;
	void *uarg = (void *)arg;
	if (tty->hung_up)
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case TCGETS: {
		struct termios t = tty->termios;
		return tty_copy_out(uarg, &t, sizeof(t));
	}
	case TCSETS: case TCSETSW: case TCSETSF:
		return set_termios(tty, cmd, uarg);
	case TIOCGWINSZ: case TIOCSWINSZ:
		return tty_winsize_ioctl(tty, cmd, uarg);
	case TIOCGPGRP:
		return tty_is_ctty(tty) ? tty_put_int(uarg, tty->pgrp) : -ENOTTY;
	case TIOCSPGRP:
		return set_pgrp(tty, uarg);
	case TIOCGSID:
		return tty_is_ctty(tty) ? tty_put_int(uarg, tty->session) : -ENOTTY;
	case TIOCSCTTY:
		return set_ctty(tty, arg);
	case TIOCNOTTY:
		return drop_ctty(tty);
	case FIONREAD:
		return tty_put_int(uarg, (int)tty_readable(tty));
	case TCFLSH:
		return flush(tty, arg);
	case TCXONC:
		return flow(tty, arg);
	case TCSBRK: case TCSBRKP:
		return 0;   /* output is never held back */
	case TIOCOUTQ:
		return tty_put_int(uarg, 0);
	default:
		return -ENOTTY;
	}
}
