/*
 * exec.c - execve: replace the program of the calling process.
 *
 * Everything that can fail happens first, while the old program is
 * intact: copying argv and envp in, finding the file, reading its
 * headers (following #! up to EXEC_INTERP_DEPTH interpreters), building
 * the new address space with its stack. Then, in a threaded process,
 * the other threads are ended and the caller takes the leader's tid
 * (de_thread), so the program goes on under the same pid. Then the
 * point of no return:
 * switch to the new address space, drop the old one, close
 * close-on-exec descriptors, reset signal handlers, release a vfork
 * parent, and set the registers to the new entry point.
 *
 * The new address space itself, program, interpreter, vDSO and stack,
 * is built by proc/exec_elf.c.
 */
#include "proc/task.h"
#include "proc/prctl.h"
#include "proc/exec.h"
#include "proc/exec_elf.h"
#include "proc/futex.h"
#include "proc/sched.h"
#include "proc/cred.h"
#include "proc/rlimit.h"
#include "mm/vm.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "mm/trace.h"
#include "fs/vfs.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/fcntl.h>

#define EXEC_HEADER_READ 256

struct exec_args {
	char *strings;          /* argv strings, then envp strings, each NUL-terminated */
	size_t used, cap;
	const char **argv;      /* argc + envc pointers into strings (set by args_finish) */
	size_t argc, envc;
	char path[4096];        /* the file being run (AT_EXECFN) */
	struct inode *dir;      /* execveat: relative paths start here (referenced), else NULL */
	struct inode *file;     /* execveat with AT_EMPTY_PATH: the file itself (referenced) */
	int dirfd;              /* execveat's descriptor, to name such a file /dev/fd/N */
	int lookup_flags;       /* LOOKUP_FOLLOW unless AT_SYMLINK_NOFOLLOW */
	struct cred *cred;      /* the credentials the program starts with (exec_creds) */
	bool secure;            /* AT_SECURE: it runs with privileges its caller lacked */
	bool nondump;           /* not dumpable: set-id, or a file the caller cannot read */
};

static void args_free(struct exec_args *a)
{
	if (a->dir)
		inode_put(a->dir);
	if (a->file)
		inode_put(a->file);
	cred_put(a->cred);
	kfree(a->strings);
	kfree(a->argv);
	kfree(a);
}

/* Append one string of len bytes (plus NUL). -E2BIG past the limits. */
static int args_push(struct exec_args *a, const char *s, size_t len)
{
	if (len + 1 > EXEC_STRING_MAX || a->used + len + 1 > EXEC_STRINGS_MAX)
		return -E2BIG;
	if (a->used + len + 1 > a->cap) {
		size_t cap = MAX(a->cap * 2, PAGE_SIZE);
		while (cap < a->used + len + 1)
			cap *= 2;
		char *n = kmalloc(cap);
		if (!n)
			return -ENOMEM;
		if (a->strings)
			memcpy(n, a->strings, a->used);
		kfree(a->strings);
		a->strings = n;
		a->cap = cap;
	}
	memcpy(a->strings + a->used, s, len);
	a->strings[a->used + len] = 0;
	a->used += len + 1;
	return 0;
}

/* Copy a NULL-terminated array of user strings; returns the count or -errno. */
static long args_push_user_vector(struct exec_args *a, const char *const *uvec, char *tmp)
{
	long n = 0;
	for (; uvec; n++) {
		const char *us;
		if (copy_from_user(&us, &uvec[n], sizeof(us)))
			return -EFAULT;
		if (!us)
			break;
		long len = strncpy_from_user(tmp, us, EXEC_STRING_MAX);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return len;
		int err = args_push(a, tmp, (size_t)len);
		if (err)
			return err;
	}
	return n;
}

/* Build the pointer array once all strings are in. */
static int args_finish(struct exec_args *a)
{
	kfree(a->argv);
	a->argv = kmalloc((a->argc + a->envc + 1) * sizeof(char *));
	if (!a->argv)
		return -ENOMEM;
	const char *s = a->strings;
	for (size_t i = 0; i < a->argc + a->envc; i++) {
		a->argv[i] = s;
		s += strlen(s) + 1;
	}
	return 0;
}

static struct exec_args *args_alloc(void)
{
	struct exec_args *a = kzalloc(sizeof(struct exec_args));
	if (a)
		a->lookup_flags = LOOKUP_FOLLOW;
	return a;
}

/* Open the program: a regular file the caller may execute, not open for
 * writing (ETXTBSY); *out holds a reference and a write denial
 * (exec_release drops both). */
static int exec_find(const struct exec_args *a, struct inode **out)
{
	struct inode *ip = a->file ? inode_get(a->file) : NULL;
	int err = ip ? 0 : vfs_lookup_at(a->dir, a->path, a->lookup_flags, &ip);
	if (err)
		return err;
	err = exec_check_file(ip);
	if (!err)
		err = inode_deny_write_access(ip);
	if (err) {
		inode_put(ip);
		return err;
	}
	*out = ip;
	return 0;
}

static void exec_release(struct inode *ip)
{
	inode_allow_write_access(ip);
	inode_put(ip);
}

/* "#!interp [arg]": rewrite args to run interp with the script. 1 if it
 * was a script, 0 if not, -errno on a malformed line. */
static int exec_script(struct exec_args *a, const char *hdr, long n)
{
	if (n < 2 || hdr[0] != '#' || hdr[1] != '!')
		return 0;
	char line[EXEC_HEADER_READ];
	long len = 0;
	for (long i = 2; i < n && hdr[i] != '\n'; i++)
		line[len++] = hdr[i] == '\t' ? ' ' : hdr[i];
	line[len] = 0;
	char *interp = line;
	while (*interp == ' ')
		interp++;
	if (!*interp)
		return -ENOEXEC;
	char *arg = strchr(interp, ' ');
	if (arg) {
		*arg++ = 0;
		while (*arg == ' ')
			arg++;
		for (char *e = arg + strlen(arg); e > arg && e[-1] == ' '; )
			*--e = 0;
	}
	struct exec_args *old = kmalloc(sizeof(*old));
	if (!old)
		return -ENOMEM;
	memcpy(old, a, sizeof(*a));
	a->strings = NULL;
	a->argv = NULL;
	a->used = a->cap = 0;
	a->argc = 0;
	int err = args_push(a, interp, strlen(interp));
	if (!err && arg && *arg)
		err = args_push(a, arg, strlen(arg));
	if (!err)
		err = args_push(a, old->path, strlen(old->path));
	a->argc = (arg && *arg) ? 3 : 2;
	const char *s = old->strings;
	for (size_t i = 0; !err && i < old->argc + old->envc; i++) {
		size_t l = strlen(s);
		if (i > 0)
			err = args_push(a, s, l);
		if (i > 0 && i < old->argc)
			a->argc++;
		s += l + 1;
	}
	strlcpy(a->path, interp, sizeof(a->path));
	if (a->dir)
		inode_put(a->dir);
	if (a->file)
		inode_put(a->file);
	a->dir = a->file = NULL;          /* the interpreter is found as execve would */
	a->lookup_flags = LOOKUP_FOLLOW;
	kfree(old->strings);
	kfree(old->argv);
	kfree(old);
	return err ? err : 1;
}

/* Read the headers of ip and build the whole new address space. */
static int load_program(const struct exec_args *a, struct inode *ip, const void *hdr, size_t hdr_len,
			struct exec_start *start)
{
	struct exec_strings s = { a->argv, a->argc, a->argv + a->argc, a->envc, a->path,
				  a->cred, a->secure };
	return exec_load_elf(&s, ip, hdr, hdr_len, start);
}

/* Sleep, deaf to signals, until the caller is the last thread of p. */
static void wait_until_sole_thread(struct process *p)
{
	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		spin_lock(&tasklist_lock);
		bool alone = p->nthreads == 1;
		spin_unlock(&tasklist_lock);
		if (alone)
			break;
		schedule();
	}
	set_current_state(TASK_RUNNING);
}

/* The caller becomes the group's leader: the process keeps its pid. (T) */
static void take_leader_tid_locked(struct task *t)
{
	struct process *p = t->proc;
	if (t->tid == p->pid)
		return;
	pid_free_locked(t->tid);
	t->tid = p->pid;
	pid_register_locked(t->tid, t);
	p->leader = t;
}

/* de_thread - execve in a threaded process (Linux's de_thread): end the
 * other threads as a group exit that spares the caller, wait until they
 * are gone, and give the caller the leader's tid. Returns 0, or -EINTR
 * when the group is already dying or a fatal signal arrives meanwhile
 * (the caller then dies on its way back to user mode). exit_group from
 * another thread meanwhile just ends that thread: execve wins. */
static int de_thread(struct task *t)
{
	struct process *p = t->proc;
	spin_lock(&tasklist_lock);
	if (p->group_exiting) {
		spin_unlock(&tasklist_lock);
		return -EINTR;
	}
	p->group_exiting = true;     /* the others die on their way to user mode */
	p->group_exit_code = 0;      /* a fatal signal meanwhile sets it (signal.c) */
	p->exec_task = t;
	p->group_exit_task = NULL;
	zap_threads_locked(p, t);
	spin_unlock(&tasklist_lock);
	wait_until_sole_thread(p);
	spin_lock(&tasklist_lock);
	p->exec_task = NULL;
	bool killed = p->group_exit_code != 0;
	if (!killed) {
		p->group_exiting = false;
		take_leader_tid_locked(t);
	}
	spin_unlock(&tasklist_lock);
	return killed ? -EINTR : 0;
}

/* Private copies of the descriptor table and signal actions when
 * another process still shares them (clone's CLONE_FILES or
 * CLONE_SIGHAND without CLONE_THREAD): exec's changes to them (close on
 * exec, handlers reset) must not reach that process. NULL where
 * nothing is shared. */
struct exec_unshared {
	struct fdtable *files;
	struct sighand *sighand;
};

static int exec_unshare(struct task *t, struct exec_unshared *u)
{
	u->files = NULL;
	u->sighand = NULL;
	if (__atomic_load_n(&t->files->refcount, __ATOMIC_ACQUIRE) > 1 && !(u->files = fdtable_dup(t->files)))
		return -ENOMEM;
	if (__atomic_load_n(&t->sighand->refcount, __ATOMIC_ACQUIRE) > 1 && !(u->sighand = sighand_dup(t->sighand))) {
		if (u->files)
			fdtable_put(u->files);
		return -ENOMEM;
	}
	return 0;
}

/* Put the private copies in place (after the point of no return). */
static void exec_take_unshared(struct task *t, struct exec_unshared *u)
{
	struct fdtable *old_files = NULL;
	struct sighand *old_sighand = NULL;
	spin_lock(&tasklist_lock);   /* signal senders and /proc read these under it */
	if (u->files) {
		old_files = t->files;
		t->files = u->files;
	}
	if (u->sighand) {
		old_sighand = t->sighand;
		t->sighand = u->sighand;
	}
	spin_unlock(&tasklist_lock);
	if (old_files)
		fdtable_put(old_files);
	if (old_sighand)
		sighand_put(old_sighand);
}

/* The credentials the program in ip will run with: its set-user-ID and
 * set-group-ID bits applied (cred_for_exec). It is not dumpable when
 * they change the ids or the caller may not read the file (Linux's
 * would_dump). 0 or -ENOMEM. */
static int exec_creds(struct exec_args *a, struct inode *ip)
{
	cred_put(a->cred);
	a->cred = cred_for_exec(ip->mode, ip->uid, ip->gid, &a->secure);
	if (!a->cred)
		return -ENOMEM;
	a->nondump = a->cred->euid != a->cred->uid || a->cred->egid != a->cred->gid ||
		     inode_permission(ip, MAY_READ) != 0;
	return 0;
}

/* Past the point of no return: the caller takes the new credentials. */
static void exec_install_creds(struct task *t, struct exec_args *a)
{
	cred_commit(a->cred);
	a->cred = NULL;
	t->proc->dumpable = !a->nondump;
	spin_lock(&tasklist_lock);
	t->proc->did_exec = true;
	spin_unlock(&tasklist_lock);
}

/* The point of no return: the caller becomes the new program. */
static void exec_commit(struct mm *mm, uint64_t entry, uint64_t rsp, struct exec_args *a,
			struct exec_unshared *u)
{
	struct task *t = current;
	struct mm *old = t->mm;
	exec_take_unshared(t, u);
	exec_install_creds(t, a);
	futex_exit_release(t);   /* robust futexes, CLONE_CHILD_CLEARTID: the old image's */
	spin_lock(&tasklist_lock);   /* readers (procfs, counters) take mm_get under it */
	t->mm = mm;
	spin_unlock(&tasklist_lock);
	mm_switch(old, mm);
	if (old)
		mm_put(old);
	fdtable_close_on_exec(t->files);
	sighand_reset_for_exec(t->sighand);
	proc_timers_exec(t->proc);   /* POSIX timers go; interval timers stay */
	proc_set_comm(t->proc, a->path);
	prctl_exec(t, a->secure);
	arch_task_state_init(&t->arch);
	arch_load_task_state(&t->arch);
	arch_setup_user_entry(t->tf, entry, rsp);
	if (t->vfork_done) {
		complete(t->vfork_done);
		t->vfork_done = NULL;
	}
}

/* do_execve_args - run a->path with a's arguments; consumes a. */
static long do_execve_args(struct exec_args *a)
{
	char *hdr = kmalloc(EXEC_HEADER_READ);
	long err = hdr ? rlimit_exec_check() : -ENOMEM;
	int old_tid = current->tid;
	struct inode *ip = NULL;
	for (int depth = 0; !err; depth++) {
		err = exec_find(a, &ip);
		if (err)
			break;
		long n = inode_read_kernel(ip, 0, hdr, EXEC_HEADER_READ);
		err = n < 0 ? n : exec_script(a, hdr, n);
		if (err == 0) {
			struct exec_start start;
			err = args_finish(a);
			if (!err)
				err = exec_creds(a, ip);
			if (!err)
				err = load_program(a, ip, hdr, (size_t)n, &start);
			struct exec_unshared u;
			if (!err && ((err = de_thread(current)) != 0 || (err = exec_unshare(current, &u)) != 0))
				mm_put(start.mm);
			if (!err)
				exec_commit(start.mm, start.entry, start.rsp, a, &u);
			if (!err)
				trace_exec(current);
			break;
		}
		exec_release(ip);
		ip = NULL;
		if (err == 1)
			err = depth + 1 >= EXEC_INTERP_DEPTH ? -ELOOP : 0;
	}
	if (ip)
		exec_release(ip);
	kfree(hdr);
	args_free(a);
	if (!err)
		ptrace_exec(old_tid);   /* the exec event or SIGTRAP for a tracer */
	return err;
}

/* Copy the path, argv and envp of an execve* call into a, then run it. */
static long execve_from_user(struct exec_args *a, const char *upath, const char *const *uargv,
			     const char *const *uenvp, bool empty_path_ok)
{
	char *tmp = kmalloc(EXEC_STRING_MAX);
	long err = tmp ? 0 : -ENOMEM;
	if (!err) {
		long len = strncpy_from_user(a->path, upath, sizeof(a->path));
		err = len < 0 ? len : (len == 0 && !empty_path_ok) ? -ENOENT : 0;
		if (!err && a->file && len == 0)
			snprintf(a->path, sizeof(a->path), "/dev/fd/%d", a->dirfd);   /* as Linux names it */
	}
	long n = err ? 0 : args_push_user_vector(a, uargv, tmp);
	if (!err && n < 0)
		err = n;
	if (!err && n == 0 && (err = args_push(a, "", 0)) == 0)
		n = 1;   /* an empty argv: argc 1, argv[0] "", as Linux 5.18 and later */
	if (!err)
		a->argc = (size_t)n;
	n = err ? 0 : args_push_user_vector(a, uenvp, tmp);
	if (!err && n < 0)
		err = n;
	if (!err)
		a->envc = (size_t)n;
	kfree(tmp);
	if (err) {
		args_free(a);
		return err;
	}
	return do_execve_args(a);
}

long sys_execve(const char *upath, const char *const *uargv, const char *const *uenvp)
{
	struct exec_args *a = args_alloc();
	if (!a)
		return -ENOMEM;
	return execve_from_user(a, upath, uargv, uenvp, false);
}

/* The inode of an open descriptor (referenced), or NULL. */
static struct inode *fd_inode(int fd)
{
	struct file *f = fd_get(current->files, fd);
	if (!f)
		return NULL;
	struct inode *ip = inode_get(f->inode);
	file_put(f);
	return ip;
}

/* execveat(dirfd, path, argv, envp, flags): a relative path starts at
 * dirfd; AT_EMPTY_PATH with "" runs dirfd's own file; with
 * AT_SYMLINK_NOFOLLOW a final symlink is ELOOP. */
long sys_execveat(int dirfd, const char *upath, const char *const *uargv,
		  const char *const *uenvp, int flags)
{
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	struct exec_args *a = args_alloc();
	if (!a)
		return -ENOMEM;
	char first = 0;
	if (copy_from_user(&first, upath, 1)) {
		args_free(a);
		return -EFAULT;
	}
	if (first == 0 && !(flags & AT_EMPTY_PATH)) {
		args_free(a);
		return -ENOENT;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		a->lookup_flags = 0;
	a->dirfd = dirfd;
	if (dirfd != AT_FDCWD && first != '/') {
		struct inode *ip = fd_inode(dirfd);
		if (!ip) {
			args_free(a);
			return -EBADF;
		}
		if (first == 0)
			a->file = ip;
		else if (!S_ISDIR(ip->mode)) {
			inode_put(ip);
			args_free(a);
			return -ENOTDIR;
		} else
			a->dir = ip;
	}
	long err = execve_from_user(a, upath, uargv, uenvp, flags & AT_EMPTY_PATH);
	return err;
}

long kernel_execve(const char *path, const char *const *argv, const char *const *envp)
{
	struct exec_args *a = args_alloc();
	if (!a)
		return -ENOMEM;
	strlcpy(a->path, path, sizeof(a->path));
	long err = 0;
	for (; !err && argv[a->argc]; a->argc++)
		err = args_push(a, argv[a->argc], strlen(argv[a->argc]));
	for (; !err && envp[a->envc]; a->envc++)
		err = args_push(a, envp[a->envc], strlen(envp[a->envc]));
	if (err) {
		args_free(a);
		return err;
	}
	return do_execve_args(a);
}
