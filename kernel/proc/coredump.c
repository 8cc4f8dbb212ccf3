/*
 * coredump.c - deciding whether a dying process leaves a core file and
 * where, and stopping its other threads for the dump (the file itself:
 * coredump_elf.c). docs/coredump.md tells the whole story.
 *
 * The thread that takes a core-dumping signal (get_signal, on its way
 * back to user mode) is the dumper. Under tasklist_lock it marks the
 * group dying, as any fatal signal does, and counts the other threads
 * that have yet to exit; each of them, at the start of its exit, saves
 * its registers and sleeps (coredump_thread_exit), so the dumper sees
 * every thread stopped where it left user mode. The dump done, they go
 * on to exit. As Linux's coredump_wait: nothing of the group runs user
 * code while its memory is written out.
 *
 * No core when: the process is not dumpable (set-id programs, credential
 * changes, PR_SET_DUMPABLE 0), RLIMIT_CORE is below a page, the pattern
 * is a pipe (not supported), or the file cannot be made as Linux makes it:
 * whatever has the name is unlinked (a symlink is not followed), a new
 * file is created (O_EXCL, mode 0600 less the umask) with the dumper's
 * credentials, and it must be a regular file with one link, owned by the
 * dumper's fsuid, with mode 0600.
 */
#include "proc/coredump.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "proc/rlimit.h"
#include "proc/signal_impl.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "fs/procfs/procfs.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"
#include "sys/sysctl.h"
#include "time/clock.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CORENAME_MAX_SIZE 128     /* kernel.core_pattern, as Linux */
#define CORE_PATH_MAX 4096        /* the name it expands to */

static char core_pattern[CORENAME_MAX_SIZE] = "core";
static int core_uses_pid;
SYSCTL_STRING("kernel/core_pattern", 0644, core_pattern);
SYSCTL_INT("kernel/core_uses_pid", 0644, &core_uses_pid, INT32_MIN, INT32_MAX);

/* Dumpers wait here for their threads, threads for their dumper: one
 * queue for all dumps (a wake-up with nothing to do is harmless). */
static struct wait_queue core_wq = {
	SPINLOCK_INIT("core_dump_wq"), LIST_HEAD_INIT(core_wq.waiters)
};

/* ---- stopping the group ---- */

/* Could a core be written at all? If not, the group dies at once, as
 * for any fatal signal, without waiting for its threads. */
static bool core_possible(struct task *t)
{
	uint64_t limit = __atomic_load_n(&t->proc->rlim[RLIMIT_CORE].cur, __ATOMIC_RELAXED);
	return t->proc->dumpable && t->mm && limit >= PAGE_SIZE;
}

bool coredump_begin_locked(struct task *t, int sig)
{
	struct process *p = t->proc;
	if ((p->group_exiting && !p->exec_task) || !core_possible(t))
		return false;
	kill_group_locked(p, sig, t);
	p->core_dumping = true;
	p->core_waiting = 0;
	struct task *o;
	list_for_each_entry(o, &p->threads, thread_link) {
		o->core_counted = o != t && !o->core_passed;
		p->core_waiting += o->core_counted;
	}
	return true;
}

void coredump_thread_exit(struct task *t)
{
	struct process *p = t->proc;
	arch_save_task_state(&t->arch);   /* its FPU registers, for the dump */
	spin_lock(&tasklist_lock);
	t->core_passed = true;
	bool wait = p->core_dumping && t->core_counted;
	if (wait && --p->core_waiting == 0)
		wake_up(&core_wq);
	spin_unlock(&tasklist_lock);
	if (wait)
		wait_event(core_wq, !__atomic_load_n(&t->core_counted, __ATOMIC_ACQUIRE));
}

/* The dump is over: release the waiting threads; mark the exit status
 * if a core was written. */
static void coredump_finish(struct process *p, bool dumped)
{
	spin_lock(&tasklist_lock);
	if (dumped)
		p->group_exit_code |= WCOREFLAG;
	struct task *o;
	list_for_each_entry(o, &p->threads, thread_link)
		__atomic_store_n(&o->core_counted, false, __ATOMIC_RELEASE);
	p->core_dumping = false;
	wake_up(&core_wq);
	spin_unlock(&tasklist_lock);
}

/* ---- the file's name: kernel.core_pattern ---- */

struct corename {
	char *buf;
	size_t used;
	bool overflow;
};

static void cn_put(struct corename *cn, const char *s, bool escape)
{
	size_t start = cn->used;
	for (; *s; s++) {
		if (cn->used + 1 >= CORE_PATH_MAX) {
			cn->overflow = true;
			return;
		}
		cn->buf[cn->used++] = escape && *s == '/' ? '!' : *s;
	}
	cn->buf[cn->used] = '\0';
	size_t n = cn->used - start;
	/* A part that would read "." or ".." names a directory: Linux's cn_esc_printf. */
	if (escape && ((n == 1 && cn->buf[start] == '.') ||
		       (n == 2 && cn->buf[start] == '.' && cn->buf[start + 1] == '.')))
		cn->buf[start] = '!';
}

static void cn_num(struct corename *cn, uint64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%lu", (unsigned long)v);
	cn_put(cn, num, false);
}

/* %E and %f: the program's path with '/' as '!', or its last component. */
static void cn_exe(struct corename *cn, bool base_only)
{
	char *path = kmalloc(CORE_PATH_MAX);
	struct inode *exe = current->mm ? current->mm->exe : NULL;
	if (!path || !exe || procfs_inode_path(exe, path, CORE_PATH_MAX)) {
		cn_put(cn, "(path unknown)", false);
	} else {
		const char *slash = strrchr(path, '/');
		cn_put(cn, base_only && slash ? slash + 1 : path, true);
	}
	kfree(path);
}

/* One %-specifier (Linux's format_corename); unknown ones expand to nothing. */
static void cn_spec(struct corename *cn, char c, const struct ksiginfo *info, bool *pid_seen)
{
	struct task *t = current;
	char host[65];
	switch (c) {
	case '%': cn_put(cn, "%", false); break;
	case 'p': *pid_seen = true; /* fall through */
	case 'P': cn_num(cn, (uint64_t)t->proc->pid); break;
	case 'i': case 'I': cn_num(cn, (uint64_t)t->tid); break;
	case 'u': cn_num(cn, t->cred->uid); break;
	case 'g': cn_num(cn, t->cred->gid); break;
	case 'd': cn_num(cn, t->proc->dumpable ? 1 : 0); break;
	case 's': cn_num(cn, (uint64_t)info->signo); break;
	case 't': cn_num(cn, (uint64_t)(clock_realtime_ns() / 1000000000)); break;
	case 'h': uts_nodename(host, sizeof(host)); cn_put(cn, host, true); break;
	case 'e': cn_put(cn, t->proc->comm, true); break;
	case 'E': cn_exe(cn, false); break;
	case 'f': cn_exe(cn, true); break;
	case 'c': cn_num(cn, rlimit_cur(RLIMIT_CORE)); break;
	case 'C': cn_num(cn, (uint64_t)arch_cpu_id()); break;
	default: break;
	}
}

/* Expand pattern into buf (CORE_PATH_MAX bytes): 0, or -ENAMETOOLONG. */
static int format_corename(const char *pattern, char *buf, const struct ksiginfo *info)
{
	struct corename cn = { buf, 0, false };
	bool pid_seen = false;
	buf[0] = '\0';
	for (const char *s = pattern; *s && !cn.overflow; s++) {
		if (*s != '%') {
			char one[2] = { *s, '\0' };
			cn_put(&cn, one, false);
		} else if (*++s) {
			cn_spec(&cn, *s, info, &pid_seen);
		} else {
			break;   /* a lone '%' at the end */
		}
	}
	if (!pid_seen && __atomic_load_n(&core_uses_pid, __ATOMIC_RELAXED))
		cn_num((cn_put(&cn, ".", false), &cn), (uint64_t)current->proc->pid);
	return cn.overflow ? -ENAMETOOLONG : 0;
}

/* ---- the file ---- */

/* Make the core file as Linux does: whatever has its name goes first
 * (a symlink too), then a new file, checked. 0 with *out. */
static int core_open(const char *name, struct file **out)
{
	struct file *f;
	vfs_unlink_kernel(name);   /* if that fails, the exclusive create says why */
	int err = vfs_open_kernel(name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_LARGEFILE,
				  0600, &f);
	if (err)
		return err;
	struct inode *ip = f->inode;
	mutex_lock(&ip->lock);
	bool ok = S_ISREG(ip->mode) && ip->nlink == 1 && ip->uid == current->cred->fsuid &&
		  (ip->mode & 0677) == 0600;
	mutex_unlock(&ip->lock);
	err = ok ? file_truncate_inode(ip, 0) : -EPERM;
	if (err) {
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

/* Write the core if the rules allow: true if one was written. */
static bool coredump_write(const struct ksiginfo *info)
{
	struct task *t = current;
	uint64_t limit = rlimit_cur(RLIMIT_CORE);
	char pattern[CORENAME_MAX_SIZE];
	sysctl_string_get(pattern, core_pattern, sizeof(pattern));
	if (pattern[0] == '|') {
		pr_info("coredump: %s[%d]: core_pattern pipes are not supported: no core\n",
			t->proc->comm, t->proc->pid);
		return false;
	}
	char *name = kmalloc(CORE_PATH_MAX);
	struct file *f = NULL;
	int err = name ? format_corename(pattern, name, info) : -ENOMEM;
	if (!err)
		err = core_open(name, &f);
	if (!err) {
		err = core_write_elf(f->inode, info, limit);
		file_put(f);
	}
	kfree(name);
	return err == 0;
}

void do_coredump(const struct ksiginfo *info)
{
	struct process *p = current->proc;
	arch_save_task_state(&current->arch);
	wait_event(core_wq, __atomic_load_n(&p->core_waiting, __ATOMIC_ACQUIRE) == 0);
	coredump_finish(p, coredump_write(info));
}

/* ---- /proc/PID/coredump_filter ---- */

uint32_t coredump_filter_get(struct mm *mm)
{
	return __atomic_load_n(&mm->dump_filter, __ATOMIC_RELAXED);
}

void coredump_filter_set(struct mm *mm, uint32_t filter)
{
	__atomic_store_n(&mm->dump_filter, filter & DUMP_FILTER_MASK, __ATOMIC_RELAXED);
}
