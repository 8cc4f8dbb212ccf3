/*
 * pty.c - pseudo-terminals as Linux's Unix 98 ptys: /dev/ptmx and the
 * devpts file system at /dev/pts.
 *
 * Opening /dev/ptmx makes a pair: the master is the file it returns;
 * the slave is a terminal with the full line discipline (ldisc.c) whose
 * node /dev/pts/N (136, N) appears at once (mode 0600, the opener's
 * fsuid and fsgid: devpts's defaults without mount options), locked
 * until unlockpt (TIOCSPTLCK 0). What is
 * written to the master is typed at the slave (echo included); what the
 * slave writes (after OPOST) waits in a ring of PTY_OUT_BUF bytes for
 * the master to read, and a writer waits for room. In packet mode
 * (TIOCPKT) each master read starts with a status byte: TIOCPKT_DATA
 * (0) before data, or alone the events since the last read
 * (TIOCPKT_FLUSHREAD, FLUSHWRITE, STOP, START).
 *
 * Ends: when the last slave file closes, a master read fails with EIO
 * once the ring is empty (poll: POLLHUP); opening the slave again
 * undoes that. When the master closes, the slave hangs up (tty_hangup:
 * SIGHUP to its session, reads 0, writes EIO) and its node goes; the
 * pair and its number live until the last slave file closes.
 *
 * devpts: one instance at a time (a second mount is EBUSY), a ramfs
 * holding ptmx (5, 2; mode 0) and the live slaves' nodes; mounted at
 * /dev/pts at boot.
 *
 * Locks: pty_lock (a spinlock, a leaf) guards the table ptys[] and
 * each pair's refs; the slave's tty->lock guards the rest of the pair
 * (t). devpts_mutex guards devpts_root and is held while its nodes are
 * made and removed (above the ramfs locks; under mount_table_lock).
 */
#include "tty/tty.h"
#include "tty/tty_core.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/mount.h"
#include "fs/ramfs.h"
#include "fs/context.h"
#include "fs/uapi.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "sync/mutex.h"
#include "proc/task.h"

#define PTY_MAX 64                 /* pairs at once */
#define PTY_OUT_BUF 4096           /* slave output waiting for the master */
#define PTY_SLAVE_MAJOR 136
#define TTYAUX_MAJOR 5
#define PTMX_MINOR 2
#define PTY_SLAVE_MODE 0600        /* devpts's default mode= */
#define DEVPTS_SUPER_MAGIC 0x1cd1
#define PTY_CHUNK 256

struct pty {
	struct tty slave;                 /* its lock guards the fields marked (t) */
	int index;                        /* (c) N of /dev/pts/N */
	uint32_t refs;                    /* (pty_lock) the master's file and slave files */
	char out[PTY_OUT_BUF];            /* (t) the slave's output for the master */
	size_t out_head, out_tail;        /* (t) free-running */
	bool locked;                      /* (t) the slave cannot be opened (TIOCSPTLCK) */
	int slave_opens;                  /* (t) open slave files */
	bool slave_closed;                /* (t) opened, then every slave file closed */
	struct termios master_termios;    /* (t) the master's own (TCGETS/TCSETS) */
	struct wait_queue master_readers; /* output, a packet event, or the slave's close */
};

static struct spinlock pty_lock = SPINLOCK_INIT("pty_lock");
static struct pty *ptys[PTY_MAX];         /* (pty_lock) by index */
static struct mutex devpts_mutex;
static struct inode *devpts_root;         /* (devpts_mutex) the mounted instance, or NULL */

static struct pty *pty_of(struct tty *tty) { return tty->driver; }

static void pty_put(struct pty *p)
{
	spin_lock(&pty_lock);
	bool last = --p->refs == 0;
	if (last)
		ptys[p->index] = NULL;
	spin_unlock(&pty_lock);
	if (last)
		kfree(p);
}

/* ---- the slave's driver ---- */

static size_t out_bytes(struct pty *p) { return p->out_tail - p->out_head; }

static size_t slave_room(struct tty *tty)
{
	return PTY_OUT_BUF - out_bytes(pty_of(tty));
}

static void slave_put(struct tty *tty, const char *buf, size_t n)
{
	struct pty *p = pty_of(tty);
	for (size_t i = 0; i < n; i++)
		p->out[p->out_tail++ % PTY_OUT_BUF] = buf[i];
}

static void slave_flush_output(struct tty *tty)
{
	struct pty *p = pty_of(tty);
	p->out_head = p->out_tail;
}

static void slave_kick(struct tty *tty)
{
	wake_up(&pty_of(tty)->master_readers);
}

/* The last reference of a slave file: the master hears of the last. */
static void slave_release(struct tty *tty, struct file *f)
{
	struct pty *p = pty_of(tty);
	spin_lock(&tty->lock);
	if (--p->slave_opens == 0)
		p->slave_closed = true;
	spin_unlock(&tty->lock);
	wake_up(&p->master_readers);
	pty_put(p);
}

static const struct tty_ops slave_ops = {
	.room = slave_room, .put = slave_put, .flush_output = slave_flush_output,
	.kick = slave_kick, .release = slave_release, .opost = true, .can_stop = true,
};

/* A new slave file of p (a reference held): counted, then the
 * discipline's open. -EIO if the slave is locked or hung up. */
static int slave_attach(struct pty *p, struct file *f)
{
	struct tty *tty = &p->slave;
	spin_lock(&tty->lock);
	int err = p->locked || tty->hung_up ? -EIO : 0;
	if (!err) {
		p->slave_opens++;
		p->slave_closed = false;
	}
	spin_unlock(&tty->lock);
	if (err) {
		pty_put(p);
		return err;
	}
	return f ? tty_file_open(tty, f) : 0;
}

/* /dev/pts/N: the pair numbered by the node's minor. */
static int slave_open(struct inode *inode, struct file *f)
{
	uint32_t n = DEV_MINOR(inode->rdev);
	spin_lock(&pty_lock);
	struct pty *p = n < PTY_MAX ? ptys[n] : NULL;
	if (p)
		p->refs++;
	spin_unlock(&pty_lock);
	return p ? slave_attach(p, f) : -ENXIO;
}

static const struct file_ops slave_fops = TTY_FILE_OPS(slave_open);

/* pty_ctty_get - see tty_core.h. */
struct tty *pty_ctty_get(int sid)
{
	struct pty *p = NULL;
	spin_lock(&pty_lock);
	for (int i = 0; i < PTY_MAX && !p; i++)
		if (ptys[i] && tty_session_of(&ptys[i]->slave) == sid) {
			p = ptys[i];
			p->refs++;
		}
	spin_unlock(&pty_lock);
	return p && slave_attach(p, NULL) == 0 ? &p->slave : NULL;
}

/* pty_session_has_ctty - see tty_core.h. */
bool pty_session_has_ctty(int sid)
{
	bool has = false;
	spin_lock(&pty_lock);
	for (int i = 0; i < PTY_MAX && !has; i++)
		has = ptys[i] && tty_session_of(&ptys[i]->slave) == sid;
	spin_unlock(&pty_lock);
	return has;
}

/* ---- devpts nodes ---- */

/* Make /dev/pts/N for p in the mounted instance (if any). */
static int node_make(struct pty *p, uint32_t uid, uint32_t gid)
{
	char name[12];
	struct inode *node;
	int err = 0;
	snprintf(name, sizeof(name), "%d", p->index);
	mutex_lock(&devpts_mutex);
	if (devpts_root)
		err = devpts_root->iops->mknod(devpts_root, name, strlen(name),
					       S_IFCHR | PTY_SLAVE_MODE,
					       MKDEV(PTY_SLAVE_MAJOR, p->index), uid, gid, &node);
	mutex_unlock(&devpts_mutex);
	if (!err && devpts_root)
		inode_put(node);
	return err;
}

static void node_remove(struct pty *p)
{
	char name[12];
	snprintf(name, sizeof(name), "%d", p->index);
	mutex_lock(&devpts_mutex);
	if (devpts_root)
		devpts_root->iops->unlink(devpts_root, name, strlen(name));
	mutex_unlock(&devpts_mutex);
}

/* ---- the master ---- */

/* A new pair with the lowest free number, one reference (the master's). */
static struct pty *pty_new(void)
{
	struct pty *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	tty_setup(&p->slave, &slave_ops, p);
	p->master_termios = p->slave.termios;
	p->master_termios.c_iflag = p->master_termios.c_oflag = p->master_termios.c_lflag = 0;
	p->locked = true;
	p->refs = 1;
	wait_queue_init(&p->master_readers, "pty_master");
	spin_lock(&pty_lock);
	p->index = -1;
	for (int i = 0; i < PTY_MAX && p->index < 0; i++)
		if (!ptys[i]) {
			ptys[i] = p;
			p->index = i;
		}
	spin_unlock(&pty_lock);
	if (p->index < 0) {
		kfree(p);
		return NULL;
	}
	return p;
}

/* /dev/ptmx: a new pair; the file is its master. */
static int ptmx_open(struct inode *inode, struct file *f)
{
	uint32_t uid, gid;
	struct pty *p = pty_new();
	if (!p)
		return -ENOSPC;
	current_fsids(&uid, &gid);
	int err = node_make(p, uid, gid);
	if (err) {
		pty_put(p);
		return err;
	}
	f->private = p;
	return 0;
}

/* The master's last reference: the slave hangs up, its node goes. */
static void master_release(struct file *f)
{
	struct pty *p = f->private;
	tty_hangup(&p->slave);
	node_remove(p);
	pty_put(p);
}

static bool master_readable(struct pty *p)
{
	return out_bytes(p) || (p->slave.packet && p->slave.pktstatus) || p->slave_closed;
}

/* Take up to n bytes of the ring (a packet-mode read first gives the
 * status byte); 0 if there is nothing. (t) */
static size_t master_take_locked(struct pty *p, char *out, size_t n)
{
	struct tty *tty = &p->slave;
	if (tty->packet && tty->pktstatus) {
		out[0] = (char)tty->pktstatus;
		tty->pktstatus = 0;
		return 1;
	}
	if (!out_bytes(p))
		return 0;
	size_t got = 0;
	if (tty->packet)
		out[got++] = TIOCPKT_DATA;
	while (got < n && out_bytes(p))
		out[got++] = p->out[p->out_head++ % PTY_OUT_BUF];
	return got;
}

static long master_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	struct pty *p = f->private;
	char tmp[PTY_CHUNK];
	if (n == 0)
		return 0;
	for (;;) {
		spin_lock(&p->slave.lock);
		size_t got = master_take_locked(p, tmp, MIN(n, sizeof(tmp)));
		bool closed = p->slave_closed;
		spin_unlock(&p->slave.lock);
		if (got) {
			wake_up(&p->slave.writers);
			return copy_to_user(ubuf, tmp, got) ? -EFAULT : (long)got;
		}
		if (closed)
			return -EIO;
		if (file_flags(f) & O_NONBLOCK)
			return -EAGAIN;
		int err = wait_event_interruptible(p->master_readers, master_readable(p));
		if (err)
			return err;
	}
}

/* Type tmp[0..k) at the slave as far as its input has room; returns the
 * bytes taken. A signal the input raises goes out before the rest. */
static size_t master_type(struct pty *p, const char *tmp, size_t k)
{
	struct tty *tty = &p->slave;
	size_t i = 0;
	int sig = 0, pgrp = 0;
	spin_lock(&tty->lock);
	while (i < k && !sig && tty_input_room(tty))
		sig = tty_receive_locked(tty, (uint8_t)tmp[i++]);
	pgrp = tty->pgrp;
	spin_unlock(&tty->lock);
	if (sig && pgrp)
		kill_pgrp(pgrp, sig);
	wake_up(&tty->readers);
	wake_up(&p->master_readers);    /* the echo */
	return i;
}

static long master_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	struct pty *p = f->private;
	char tmp[PTY_CHUNK];
	size_t done = 0;
	while (done < n) {
		size_t chunk = MIN(n - done, sizeof(tmp)), i = 0;
		if (copy_from_user(tmp, ubuf + done, chunk))
			return done ? (long)done : -EFAULT;
		while (i < chunk) {
			i += master_type(p, tmp + i, chunk - i);
			if (i == chunk)
				break;
			int err = file_flags(f) & O_NONBLOCK ? -EAGAIN :
				  wait_event_interruptible(p->slave.input_room, tty_input_room(&p->slave));
			if (err)
				return done + i ? (long)(done + i) : err;
		}
		done += chunk;
	}
	return (long)n;
}

static unsigned master_poll(struct file *f, struct poll_table *pt)
{
	struct pty *p = f->private;
	struct tty *tty = &p->slave;
	poll_wait(pt, &p->master_readers);
	poll_wait(pt, &tty->input_room);
	unsigned mask = 0;
	if (out_bytes(p))
		mask |= POLLIN | POLLRDNORM;
	if (tty->packet && tty->pktstatus)
		mask |= POLLPRI | POLLIN | POLLRDNORM;
	if (p->slave_closed)
		mask |= POLLHUP;
	if (tty_input_room(tty))
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static long get_int(const void *uarg, int *v)
{
	return copy_from_user(v, uarg, sizeof(*v)) ? -EFAULT : 0;
}

/* TIOCPKT: packet mode on (events from now on) or off. */
static long set_packet(struct pty *p, const void *uarg)
{
	int on;
	if (get_int(uarg, &on))
		return -EFAULT;
	spin_lock(&p->slave.lock);
	if (on && !p->slave.packet)
		p->slave.pktstatus = 0;
	p->slave.packet = on != 0;
	spin_unlock(&p->slave.lock);
	return 0;
}

/* An int flag of the pair set from the user (TIOCSPTLCK). */
static long set_locked(struct pty *p, const void *uarg)
{
	int v;
	if (get_int(uarg, &v))
		return -EFAULT;
	spin_lock(&p->slave.lock);
	p->locked = v != 0;
	spin_unlock(&p->slave.lock);
	return 0;
}

/* TIOCSIG: the signal to the slave's foreground group. */
static long master_signal(struct pty *p, uint64_t sig)
{
	if (sig == 0 || sig >= NSIG)
		return -EINVAL;
	int pgrp = p->slave.pgrp;
	if (pgrp)
		kill_pgrp(pgrp, (int)sig);
	return 0;
}

static long master_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct pty *p = f->private;
	struct tty *tty = &p->slave;
	void *uarg = (void *)arg;
	switch (cmd) {
	case TIOCGPTN:
		return tty_put_int(uarg, p->index);
	case TIOCSPTLCK:
		return set_locked(p, uarg);
	case TIOCGPTLCK:
		return tty_put_int(uarg, p->locked);
	case TIOCPKT:
		return set_packet(p, uarg);
	case TIOCGPKT:
		return tty_put_int(uarg, tty->packet);
	case TIOCSIG:
		return master_signal(p, arg);
	case TIOCGWINSZ: case TIOCSWINSZ:
		return tty_winsize_ioctl(tty, cmd, uarg);
	case TIOCGPGRP:
		return tty_put_int(uarg, tty->pgrp);
	case TCGETS: {
		struct termios t = p->master_termios;
		return tty_copy_out(uarg, &t, sizeof(t));
	}
	case TCSETS: case TCSETSW: case TCSETSF: {
		struct termios t;
		if (copy_from_user(&t, uarg, sizeof(t)))
			return -EFAULT;
		spin_lock(&tty->lock);
		p->master_termios = t;
		spin_unlock(&tty->lock);
		return 0;
	}
	case FIONREAD:
		return tty_put_int(uarg, (int)out_bytes(p));
	case TCSBRK: case TCSBRKP:
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_ops ptmx_fops = {
	.open = ptmx_open, .read = master_read, .write = master_write, .ioctl = master_ioctl,
	.poll = master_poll, .release = master_release,
};

/* ---- the devpts file system ---- */

static void devpts_statfs(struct mount *m, struct statfs *st)
{
	st->f_type = DEVPTS_SUPER_MAGIC;
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX;
}

static void devpts_kill(struct mount *m)
{
	mutex_lock(&devpts_mutex);
	ramfs_empty_tree(devpts_root);
	inode_put(devpts_root);
	devpts_root = NULL;
	mutex_unlock(&devpts_mutex);
}

static bool devpts_busy(struct mount *m)
{
	return ramfs_busy(m->root, 4);     /* as tmpfs (3), and devpts_root */
}

static const struct mount_ops devpts_ops = {
	.statfs = devpts_statfs, .busy = devpts_busy, .kill = devpts_kill,
};

/* The nodes of the pairs alive when devpts is mounted again. */
static int make_live_nodes(void)
{
	for (int i = 0; i < PTY_MAX; i++) {
		spin_lock(&pty_lock);
		struct pty *p = ptys[i];
		bool live = p && !p->slave.hung_up;
		if (live)
			p->refs++;
		spin_unlock(&pty_lock);
		if (!live)
			continue;
		int err = node_make(p, 0, 0);
		pty_put(p);
		if (err)
			return err;
	}
	return 0;
}

static int devpts_fill(struct mount *m, const char *data)
{
	struct inode *root, *node;
	mutex_lock(&devpts_mutex);
	int err = devpts_root ? -EBUSY : (root = ramfs_create()) ? 0 : -ENOMEM;
	if (!err) {
		root->mode = S_IFDIR | 0755;
		err = root->iops->mknod(root, "ptmx", 4, S_IFCHR, MKDEV(TTYAUX_MAJOR, PTMX_MINOR),
					0, 0, &node);
		if (err)
			inode_put(root);
	}
	if (!err) {
		inode_put(node);
		devpts_root = inode_get(root);
	}
	mutex_unlock(&devpts_mutex);
	if (!err && (err = make_live_nodes())) {
		devpts_kill(m);
		inode_put(root);
	}
	if (err)
		return err;
	m->root = root;
	m->dev = root->dev;
	m->ops = &devpts_ops;
	return 0;
}

static const struct fs_type devpts_type = { .name = "devpts", .fill = devpts_fill };

/* pty_init - see tty_core.h. */
void pty_init(void)
{
	struct inode *dir, *made;
	struct vfs_last last;
	mutex_init(&devpts_mutex, "devpts_mutex");
	vfs_register_chardev("/dev/ptmx", MKDEV(TTYAUX_MAJOR, PTMX_MINOR), S_IFCHR | 0666, &ptmx_fops);
	vfs_register_char_major(PTY_SLAVE_MAJOR, &slave_fops);
	mount_register_type(&devpts_type);
	int err = vfs_lookup_parent_root("/dev/pts", &dir, &last);
	if (!err) {
		err = dir->iops->mkdir(dir, last.name, last.len, 0755, 0, 0, &made);
		if (!err)
			inode_put(made);
		inode_put(dir);
	}
	if (!err || err == -EEXIST)
		err = mount_kernel("devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC, NULL);
	if (err)
		printk(LOG_WARN, "pty: cannot mount devpts at /dev/pts: error %d\n", err);
}
