/*
 * tty.c - a first console terminal: output straight to the console,
 * input a line at a time with echo and erase. (The full line
 * discipline with termios, signals and job control replaces this.)
 */
#include "tty/tty.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "mm/usercopy.h"
#include "proc/wait.h"
#include "proc/task.h"
#include "fs/uapi.h"

#define TTY_BUF 1024

static struct spinlock tty_lock = SPINLOCK_INIT("tty");   /* guards buf, line_end, head */
static char buf[TTY_BUF];
static size_t head, tail, line_end;    /* [head, line_end) is readable */
static struct wait_queue tty_readers;

static void tty_input(uint8_t c)
{
	spin_lock(&tty_lock);
	if (c == '\r')
		c = '\n';
	if (c == 0x7f || c == 0x08) {
		if (tail > line_end) {
			tail--;
			console_write("\b \b", 3);
		}
	} else if (tail - head < TTY_BUF - 1) {
		buf[tail++ % TTY_BUF] = (char)c;
		if (c != 4)
			console_write((char *)&c, 1);
		if (c == '\n' || c == 4)
			line_end = tail;
	}
	spin_unlock(&tty_lock);
	wake_up(&tty_readers);
}

static bool line_ready(void) { return line_end > head; }

static long tty_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	int err = wait_event_interruptible(tty_readers, line_ready());
	if (err)
		return err;
	char tmp[TTY_BUF];
	size_t got = 0;
	spin_lock(&tty_lock);
	while (got < n && head < line_end) {
		char c = buf[head++ % TTY_BUF];
		if (c == 4)
			break;   /* Ctrl-D: end of file at the start of a line */
		tmp[got++] = c;
		if (c == '\n')
			break;
	}
	spin_unlock(&tty_lock);
	return copy_to_user(ubuf, tmp, got) ? -EFAULT : (long)got;
}

static long tty_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	char tmp[256];
	size_t done = 0;
	while (done < n) {
		size_t chunk = MIN(n - done, sizeof(tmp));
		if (copy_from_user(tmp, ubuf + done, chunk))
			return done ? (long)done : -EFAULT;
		console_write(tmp, chunk);
		done += chunk;
	}
	return (long)n;
}

static const struct file_ops tty_fops = {
	.read = tty_read,
	.write = tty_write,
};

#define TTY_MAJOR 4
#define TTYAUX_MAJOR 5

void tty_init(void)
{
	wait_queue_init(&tty_readers, "tty_readers");
	vfs_register_chardev("/dev/console", MKDEV(TTYAUX_MAJOR, 1), S_IFCHR | 0600, &tty_fops);
	vfs_register_chardev("/dev/tty", MKDEV(TTYAUX_MAJOR, 0), S_IFCHR | 0666, &tty_fops);
	vfs_register_chardev("/dev/ttyS0", MKDEV(TTY_MAJOR, 64), S_IFCHR | 0660, &tty_fops);
	console_set_input_handler(tty_input);
}
